package fakes

import (
	"context"
	"sync"

	"github.com/accountsec/accountsec/protection"
)

// Compile-time check that Geo implements the interface it stands for.
var _ protection.GeoLocator = (*Geo)(nil)

// Geo is a GeoIP table: it implements protection.GeoLocator from a map of
// IP addresses to cities. Unknown addresses resolve to "". The zero Geo is
// empty and ready. It is safe for concurrent use.
type Geo struct {
	mu     sync.Mutex
	cities map[string]string
	fail   error
}

// NewGeo returns a Geo holding the given IP → city pairs.
func NewGeo(cities map[string]string) *Geo {
	g := &Geo{}
	for ip, c := range cities {
		g.Set(ip, c)
	}
	return g
}

// Set maps ip to city.
func (g *Geo) Set(ip, city string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.cities == nil {
		g.cities = make(map[string]string)
	}
	g.cities[ip] = city
}

// FailWith makes every later lookup fail with err (nil restores lookups).
func (g *Geo) FailWith(err error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.fail = err
}

// City returns the city of ip, or "" when the table does not know it.
func (g *Geo) City(_ context.Context, ip string) (string, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.fail != nil {
		return "", g.fail
	}
	return g.cities[ip], nil
}
