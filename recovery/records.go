package recovery

import (
	"context"
	"encoding/base64"
	"time"

	"github.com/accountsec/accountsec/internal/codec"
	"github.com/accountsec/accountsec/state"
)

// How a pending reset is laid out on the state primitives (see [Store]).
const (
	// setReset holds an account's pending resets (one, since each is put
	// with keep 1).
	setReset = "reset"
	// ownerScope keys the owner tags of accounts.
	ownerScope = "reset-owner"
	// ownerBytes is how much of the keyed sum an owner tag keeps; ownerLen
	// is the length of its text.
	ownerBytes = 12
	ownerLen   = 16 // base64.RawURLEncoding.EncodedLen(ownerBytes)

	resetV1 byte = 1
)

// resetRecord is a pending password reset as stored: the keyed hash of its
// token, never the token.
type resetRecord struct {
	// Owner is the owner tag of the account, which the token carries.
	Owner string
	// ID is the keyed hash of the token.
	ID string
	// AccountID is the account the reset is for.
	AccountID string
	// ExpiresAt is when the token stops being valid.
	ExpiresAt time.Time
}

// owner returns the owner tag of id (an account ID, or for an unknown
// address the address, so that the look-up that stands in for the write
// costs the same).
func (r *Resets) owner(id string) string {
	return base64.RawURLEncoding.EncodeToString(r.keys.Sum(ownerScope, id)[:ownerBytes])
}

// putReset stores rec as the account's only pending reset.
func (r *Resets) putReset(ctx context.Context, rec resetRecord, now time.Time) error {
	w := codec.NewWriter(resetV1, len(rec.AccountID)+2)
	w.String(rec.AccountID)
	return r.store.PutRecord(ctx, state.Record{
		Set: setReset, Owner: rec.Owner, ID: rec.ID, Data: w.Done(),
		Order: now.UnixMilli(), ExpiresAt: rec.ExpiresAt,
	}, 1, now)
}

// reset returns the live reset with owner and id.
func (r *Resets) reset(ctx context.Context, owner, id string, now time.Time) (resetRecord, bool, error) {
	got, found, err := r.store.GetRecord(ctx, setReset, owner, id, now)
	if err != nil || !found {
		return resetRecord{}, false, err
	}
	rd, v := codec.Read(got.Data)
	rec := resetRecord{Owner: owner, ID: id, AccountID: rd.String(), ExpiresAt: got.ExpiresAt}
	if err := rd.Err(); err != nil || v != resetV1 || rec.AccountID == "" {
		return resetRecord{}, false, codec.ErrCorrupt
	}
	return rec, true, nil
}

// consumeReset deletes the reset and reports whether it was live: of
// concurrent calls, exactly one gets true.
func (r *Resets) consumeReset(ctx context.Context, rec resetRecord, now time.Time) (bool, error) {
	return r.store.DeleteRecord(ctx, setReset, rec.Owner, rec.ID, now)
}

// deleteReset removes the reset, if it is there.
func (r *Resets) deleteReset(ctx context.Context, rec resetRecord, now time.Time) error {
	_, err := r.store.DeleteRecord(ctx, setReset, rec.Owner, rec.ID, now)
	return err
}
