package notify

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// CodeRecord is a one-time code as stored: only its keyed hash.
type CodeRecord struct {
	// Hash is the keyed hash of the code (never the code itself). It is
	// never empty; a store refuses an empty one with an error.
	Hash []byte
	// ExpiresAt is when the code stops being valid. It must be after the
	// time given to PutCode; a store refuses any other with an error.
	ExpiresAt time.Time
	// MaxWrong is how many wrong answers destroy the code. At least 1.
	MaxWrong int
}

// Check returns an error when r breaks the rules of a CodeRecord given to
// PutCode at now: MaxWrong below 1, an empty Hash (which would match an
// empty answer), or ExpiresAt not after now. Every store refuses such a
// record with it and changes nothing.
func (r CodeRecord) Check(now time.Time) error {
	switch {
	case r.MaxWrong < 1:
		return fmt.Errorf("max wrong %d is below 1", r.MaxWrong)
	case len(r.Hash) == 0:
		return errors.New("empty hash")
	case !r.ExpiresAt.After(now):
		return fmt.Errorf("expiry %v is not after now %v", r.ExpiresAt, now)
	}
	return nil
}

// Outcome is the result of checking a code.
type Outcome int

// The outcomes of CodeStore.ConsumeCode.
const (
	// Missing: there is no valid code at the key (never issued, expired,
	// consumed, or destroyed by wrong answers). Nothing changed.
	Missing Outcome = iota
	// Matched: the hash matched; the code was deleted in the same step.
	Matched
	// Mismatched: the hash did not match; one wrong answer was counted and
	// the code was deleted if that was the last one allowed.
	Mismatched
)

// CodeStore keeps one-time codes under opaque printable ASCII keys of at
// most 200 bytes, apart from the keys of any other interface the same store
// implements. Every method is one atomic operation: of
// any number of concurrent ConsumeCode calls with the right hash, exactly one
// gets Matched. Stores never read a clock; they compare the times given by
// the caller. Errors are for system failures and for arguments that break
// this contract (an empty hash, MaxWrong below 1, an expiry not after now).
type CodeStore interface {
	// PutCode stores rec at key, replacing any code already there (with its
	// wrong-answer count). now is the caller's current time: rec.ExpiresAt
	// must be after it, and a store that reclaims expired keys on its own
	// (a TTL) sets that from rec.ExpiresAt - now, so the code lives as long
	// as it is valid, whatever the store's own clock says. A refused call
	// changes nothing.
	PutCode(ctx context.Context, key string, rec CodeRecord, now time.Time) error
	// ConsumeCode checks hash against the code at key at time now. (The
	// stored value is a keyed hash, so the comparison's timing reveals
	// nothing useful; in-process stores still compare in constant time.) remaining is the number of wrong answers still allowed
	// after this call (0 unless the outcome is Mismatched).
	ConsumeCode(ctx context.Context, key string, hash []byte, now time.Time) (out Outcome, remaining int, err error)
	// DeleteCode removes the code at key, if any.
	DeleteCode(ctx context.Context, key string) error
}
