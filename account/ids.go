package account

import (
	"encoding/binary"
	"fmt"
	"io"
	"sync"
)

// IDGenerator makes candidate account IDs and APPIDs. Uniqueness is not its
// job: the store refuses an ID or APPID already used, and the service then
// asks for another pair (up to MaxIDAttempts times).
type IDGenerator interface {
	NewIDs() (accountID, appID string, err error)
}

// MaxIDAttempts is how many ID pairs registration tries before giving up
// with a reason.StoreUnavailable error.
const MaxIDAttempts = 8

// RandomIDs is the default IDGenerator: a 12-digit account ID starting with
// "1" (like 100012345678; 10^11 possibilities) and a 10-digit APPID starting
// with "1" (10^9), uniformly random. Random rather than sequential IDs do
// not reveal how many accounts exist or when one was made.
type RandomIDs struct {
	// Rand is the randomness source. Reads are serialised.
	Rand io.Reader
	mu   sync.Mutex
}

// NewIDs returns a fresh random pair.
func (g *RandomIDs) NewIDs() (string, string, error) {
	id, err := g.digits(11)
	if err != nil {
		return "", "", err
	}
	app, err := g.digits(9)
	if err != nil {
		return "", "", err
	}
	return "1" + id, "1" + app, nil
}

// digits returns n uniformly random decimal digits (n ≤ 18), by rejection
// sampling so that no value is likelier than another.
func (g *RandomIDs) digits(n int) (string, error) {
	space := uint64(1)
	for range n {
		space *= 10
	}
	limit := (^uint64(0) / space) * space
	var b [8]byte
	g.mu.Lock()
	defer g.mu.Unlock()
	for {
		if _, err := io.ReadFull(g.Rand, b[:]); err != nil {
			return "", fmt.Errorf("account: reading random bytes: %w", err)
		}
		if v := binary.BigEndian.Uint64(b[:]); v < limit {
			return fmt.Sprintf("%0*d", n, v%space), nil
		}
	}
}
