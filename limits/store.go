package limits

import (
	"context"
	"time"
)

// Counter is the state of one expiring counter.
type Counter struct {
	// Count is the number of slots taken.
	Count int64
	// ExpiresAt is when the counter disappears (and its slots with it).
	ExpiresAt time.Time
}

// Reservation describes one Reserve call.
type Reservation struct {
	// Limit is the number of slots the counter has. Must be at least 1.
	Limit int64
	// Now is the caller's current time; a counter whose ExpiresAt is not
	// after Now is treated as absent.
	Now time.Time
	// ExpiresAt is the expiry given to a counter that this call creates.
	// It must be after Now.
	ExpiresAt time.Time
	// FullExpiresAt, when not zero, becomes the counter's expiry when this
	// call takes the last slot (earlier or later than the current expiry).
	// Lockout uses it so that the lock starts atomically with the failure
	// that causes it and lasts exactly the lock duration. When set, it must
	// be after Now.
	FullExpiresAt time.Time
}

// CounterStore holds expiring counters under opaque keys. Keys reach the
// store already hashed: a store never sees an identifier. Keys are printable
// ASCII of at most 200 bytes. A store that also implements other interfaces
// (notify.CodeStore, …) keeps each interface's keys apart.
//
// Every method is one atomic operation: no interleaving of concurrent calls
// can let more than Limit reservations succeed. Stores never read a clock;
// they compare the times given by the caller, at millisecond precision at
// least (callers use whole milliseconds). Errors are for system failures and
// for arguments that break this contract (Limit below 1, an expiry not after
// Now); a missing counter is not an error. Callers fail closed on errors.
type CounterStore interface {
	// Reserve takes one slot of the counter at key if fewer than r.Limit are
	// taken, creating the counter (count 0, expiry r.ExpiresAt) when it is
	// absent or expired. It returns the counter after the call and whether
	// this call took a slot. A refused call changes nothing.
	Reserve(ctx context.Context, key string, r Reservation) (c Counter, ok bool, err error)
	// Release gives back one slot. The count never drops below zero, the
	// expiry is unchanged (a counter released to zero stays, with its
	// expiry, so the next Reserve keeps the same window), and an absent or
	// expired counter stays absent.
	Release(ctx context.Context, key string, now time.Time) error
	// Get returns the counter at key, or the zero Counter when it is absent
	// or expired at now.
	Get(ctx context.Context, key string, now time.Time) (Counter, error)
	// Delete removes the counter at key. Deleting an absent key is not an
	// error.
	Delete(ctx context.Context, key string) error
}
