// Package env resolves what every component takes from its host in the same
// way — a clock and a source of randomness — and builds the error for a
// missing dependency, so that no constructor repeats the defaulting code.
// (Events need nothing: a nil event.Hook already discards them.)
//
// Randomness is the one that needs care: a host's io.Reader need not be safe
// for concurrent use, and the components read it from many goroutines.
// [Rand] wraps it once in a locked reader; a reader it returned comes back as
// it is, so the facade wraps Deps.Rand once and every component shares that
// one lock.
package env

import (
	"crypto/rand"
	"io"
	"sync"
	"time"

	"github.com/accountsec/accountsec/reason"
)

// Clock returns now, or time.Now when now is nil.
func Clock(now func() time.Time) func() time.Time {
	if now == nil {
		return time.Now
	}
	return now
}

// Rand returns a reader of r that is safe for concurrent use: crypto/rand's
// reader when r is nil (it is safe already), r itself when Rand made it,
// and otherwise r behind a mutex.
func Rand(r io.Reader) io.Reader {
	switch r.(type) {
	case nil:
		return rand.Reader
	case *locked:
		return r
	}
	if r == rand.Reader {
		return r
	}
	return &locked{r: r}
}

// locked serialises reads of a reader.
type locked struct {
	mu sync.Mutex
	r  io.Reader
}

func (l *locked) Read(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.r.Read(p)
}

// Missing is the reason.PolicyInvalid error of a required dependency left
// nil: field names it in full ("protection.Config.Store"), allowed says what
// it takes ("a protection.Store").
func Missing(field, allowed string) error {
	return reason.New(reason.PolicyInvalid).With("field", field).With("value", "nil").With("allowed", allowed)
}
