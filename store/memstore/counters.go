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
// r breaks the documented rules (see [limits.Reservation.Check]).
func (s *Store) Reserve(ctx context.Context, key string, r limits.Reservation) (limits.Counter, bool, error) {
	if err := ctx.Err(); err != nil {
		return limits.Counter{}, false, err
	}
	if err := r.Check(); err != nil {
		return limits.Counter{}, false, fmt.Errorf("memstore: reserve: %w", err)
	}

	sh := s.counters.lockTag(&s.hint, key, r.Now)
	defer sh.mu.Unlock()

	// The map holds pointers, so a counter is changed in place with one
	// lookup; callers only ever get copies of it.
	c, _ := sh.find(key)
	if c == nil || expired(c.ExpiresAt, r.Now) {
		// A counter created (or started over) here always takes a slot,
		// since Limit is at least 1, so it is written only on success.
		// Round(0) drops the monotonic clock reading so that expiry is
		// decided on wall-clock time, as in the persistent stores.
		fresh := limits.Counter{Count: 1, ExpiresAt: r.ExpiresAt.Round(0), Window: r.ExpiresAt.Round(0)}
		if fresh.Count == r.Limit && !r.FullExpiresAt.IsZero() {
			fresh.ExpiresAt = r.FullExpiresAt.Round(0)
		}
		if c == nil {
			c = new(limits.Counter)
			sh.remember(key, c)
		}
		*c = fresh
		return fresh, true, nil
	}
	if c.Count >= r.Limit {
		return *c, false, nil
	}
	c.Count++
	if c.Count == r.Limit && !r.FullExpiresAt.IsZero() {
		c.ExpiresAt = r.FullExpiresAt.Round(0)
	}
	return *c, true, nil
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
	sh := s.counters.lockTag(&s.hint, key, now)
	defer sh.mu.Unlock()

	c, _ := sh.find(key)
	switch {
	case c == nil:
	case expired(c.ExpiresAt, now):
		sh.forget()
		delete(sh.m, key)
	case c.Count > 0 && c.Window.Equal(window):
		c.Count--
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
	sh := s.counters.lockTag(&s.hint, key, now)
	defer sh.mu.Unlock()

	c := sh.m[key]
	if c == nil {
		return limits.Counter{}, nil
	}
	if expired(c.ExpiresAt, now) {
		sh.forget()
		delete(sh.m, key)
		return limits.Counter{}, nil
	}
	return *c, nil
}

// Delete removes the counter at key. Deleting an absent key is not an error.
// It returns an error, and changes nothing, when ctx is already done.
func (s *Store) Delete(ctx context.Context, key string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	sh := s.counters.lockTag(&s.hint, key, time.Time{})
	defer sh.mu.Unlock()
	sh.forget()
	delete(sh.m, key)
	return nil
}
