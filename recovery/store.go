package recovery

import (
	"context"
	"time"
)

// ResetRecord is a pending password reset as stored: the keyed hash of its
// token, never the token.
type ResetRecord struct {
	// ID is the keyed hash of the token, under which the reset is found:
	// printable ASCII, at most 200 bytes. Never empty.
	ID string
	// AccountID is the account the reset is for. Never empty.
	AccountID string
	// ExpiresAt is when the token stops being valid: the reset is alive
	// strictly before it.
	ExpiresAt time.Time
}

// ResetStore keeps pending password resets, at most one per account. Every
// method is one atomic operation: of any number of concurrent ConsumeReset
// calls for one reset, exactly one finds it. Stores never read a clock;
// they compare the times given by the caller. found is false and err nil
// when there is no live reset; errors are for system failures only.
// store/memstore implements it and store/storetest is its conformance
// suite.
type ResetStore interface {
	// PutReset stores r and removes every other reset of r.AccountID, so
	// that only the newest token of an account is found. A record with an
	// empty ID or AccountID is refused with an error.
	PutReset(ctx context.Context, r ResetRecord) error
	// Reset returns the reset with ID id if it is alive at now. It changes
	// nothing (an expired reset may be removed).
	Reset(ctx context.Context, id string, now time.Time) (r ResetRecord, found bool, err error)
	// ConsumeReset removes the reset with ID id and returns it, if it is
	// alive at now.
	ConsumeReset(ctx context.Context, id string, now time.Time) (r ResetRecord, found bool, err error)
	// DeleteReset removes the reset with ID id, if any.
	DeleteReset(ctx context.Context, id string) error
}
