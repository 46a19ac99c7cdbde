package limits

import (
	"context"
	"fmt"
	"time"
)

// Counter is the state of one expiring counter.
type Counter struct {
	// Count is the number of slots taken.
	Count int64
	// ExpiresAt is when the counter disappears (and its slots with it).
	ExpiresAt time.Time
	// Window identifies the counter's window: the expiry the counter was
	// created with (Reservation.ExpiresAt of the call that created it). It
	// stays the same for the whole life of the counter, also when
	// FullExpiresAt moves ExpiresAt, so every slot taken from one counter
	// carries the same Window. A counter that starts after the previous one
	// expired has its own (after the previous counter's end; callers that
	// keep the window duration of a key fixed, as the limiters do, never get
	// the same Window twice). Release takes it back, so that a slot is only
	// ever given back to the window it was taken from.
	Window time.Time
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
	// It moves ExpiresAt only: the counter's Window is unchanged.
	// Lockout uses it so that the lock starts atomically with the failure
	// that causes it and lasts exactly the lock duration. When set, it must
	// be after Now.
	FullExpiresAt time.Time
}

// Check returns an error when r breaks the rules of a Reservation: Limit
// below 1, ExpiresAt not after Now, or FullExpiresAt set but not after Now
// (a lock that would end before it began). Every store refuses such a call
// with it and changes nothing.
func (r Reservation) Check() error {
	switch {
	case r.Limit < 1:
		return fmt.Errorf("limit %d is below 1", r.Limit)
	case !r.ExpiresAt.After(r.Now):
		return fmt.Errorf("expiry %v is not after now %v", r.ExpiresAt, r.Now)
	case !r.FullExpiresAt.IsZero() && !r.FullExpiresAt.After(r.Now):
		return fmt.Errorf("full expiry %v is not after now %v", r.FullExpiresAt, r.Now)
	}
	return nil
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
// for arguments that break this contract (see [Reservation.Check]); a
// missing counter is not an error. Callers fail closed on errors.
type CounterStore interface {
	// Reserve takes one slot of the counter at key if fewer than r.Limit are
	// taken, creating the counter (count 0, expiry r.ExpiresAt) when it is
	// absent or expired. It returns the counter after the call and whether
	// this call took a slot. A refused call changes nothing. A counter
	// created by this call has Window r.ExpiresAt.
	Reserve(ctx context.Context, key string, r Reservation) (c Counter, ok bool, err error)
	// Release gives back one slot taken in window, the Window of the
	// counter that Reserve returned with the slot. It does nothing when the
	// counter at key is absent, expired at now, or of another window: a
	// slot taken from a window that has since expired (and perhaps been
	// followed by a new counter) is not given back to the new one. The
	// count never drops below zero, the expiry and window are unchanged (a
	// counter released to zero stays, with its expiry, so the next Reserve
	// keeps the same window), and an absent or expired counter stays
	// absent.
	Release(ctx context.Context, key string, window, now time.Time) error
	// Get returns the counter at key (with its Window), or the zero Counter
	// when it is absent or expired at now.
	Get(ctx context.Context, key string, now time.Time) (Counter, error)
	// Delete removes the counter at key. Deleting an absent key is not an
	// error.
	Delete(ctx context.Context, key string) error
}
