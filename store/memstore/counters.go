package memstore

import (
	"context"
	"fmt"
	"time"

	"github.com/accountsec/accountsec/limits"
)

// Reserve takes one slot of the counter at key if fewer than r.Limit are
// taken, creating the counter when it is absent or expired. See
// [limits.CounterStore] for the full contract.
//
// It returns an error, and changes nothing, when ctx is already done or when
// r breaks the documented rules (Limit below 1, ExpiresAt not after Now).
func (s *Store) Reserve(ctx context.Context, key string, r limits.Reservation) (limits.Counter, bool, error) {
	if err := ctx.Err(); err != nil {
		return limits.Counter{}, false, err
	}
	if r.Limit < 1 {
		return limits.Counter{}, false, fmt.Errorf("memstore: reserve: limit %d is below 1", r.Limit)
	}
	if !r.ExpiresAt.After(r.Now) {
		return limits.Counter{}, false, fmt.Errorf("memstore: reserve: expiry %v is not after now %v", r.ExpiresAt, r.Now)
	}

	sh := lockAt(s, &s.counters, key, r.Now)
	defer sh.mu.Unlock()

	c, found := sh.m[key]
	if !found || expired(c.ExpiresAt, r.Now) {
		// Round(0) drops the monotonic clock reading so that expiry is
		// decided on wall-clock time, as in the persistent stores.
		c = limits.Counter{ExpiresAt: r.ExpiresAt.Round(0), Window: r.ExpiresAt.Round(0)}
	}
	if c.Count >= r.Limit {
		return c, false, nil
	}
	c.Count++
	if c.Count == r.Limit && !r.FullExpiresAt.IsZero() {
		c.ExpiresAt = r.FullExpiresAt.Round(0)
	}
	sh.m[key] = c
	return c, true, nil
}

// Release gives back one slot of the counter at key if the counter is of
// window (its Window as Reserve returned it). The count never drops below
// zero and the expiry is unchanged; an absent or expired counter stays
// absent (an expired one is removed), and a counter of another window is
// left alone. It returns an error, and changes nothing, when ctx is already
// done.
func (s *Store) Release(ctx context.Context, key string, window, now time.Time) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	sh := lockAt(s, &s.counters, key, now)
	defer sh.mu.Unlock()

	c, found := sh.m[key]
	switch {
	case !found:
	case expired(c.ExpiresAt, now):
		delete(sh.m, key)
	case c.Count > 0 && c.Window.Equal(window):
		c.Count--
		sh.m[key] = c
	}
	return nil
}

// Get returns the counter at key, or the zero Counter when it is absent or
// expired at now (an expired one is removed). It returns an error when ctx
// is already done.
func (s *Store) Get(ctx context.Context, key string, now time.Time) (limits.Counter, error) {
	if err := ctx.Err(); err != nil {
		return limits.Counter{}, err
	}
	sh := lockAt(s, &s.counters, key, now)
	defer sh.mu.Unlock()

	c, found := sh.m[key]
	if !found {
		return limits.Counter{}, nil
	}
	if expired(c.ExpiresAt, now) {
		delete(sh.m, key)
		return limits.Counter{}, nil
	}
	return c, nil
}

// Delete removes the counter at key. Deleting an absent key is not an error.
// It returns an error, and changes nothing, when ctx is already done.
func (s *Store) Delete(ctx context.Context, key string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	sh := s.counters.lock(key)
	defer sh.mu.Unlock()
	delete(sh.m, key)
	return nil
}
