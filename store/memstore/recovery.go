package memstore

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/accountsec/accountsec/recovery"
)

// Compile-time check that ResetStore implements the interface it serves.
var _ recovery.ResetStore = (*ResetStore)(nil)

// ResetStore is the in-memory [recovery.ResetStore]: pending password
// resets, found by token ID, at most one per account. It is safe for
// concurrent use; its zero value is empty and ready. It is a type of its own
// so that it can be embedded in [Store] or used alone. A ResetStore must
// not be copied after first use.
//
// Resets are rare and each write touches two maps (by token ID and by
// account), so one mutex guards both.
type ResetStore struct {
	mu        sync.Mutex
	byID      map[string]recovery.ResetRecord
	byAccount map[string]string // account ID → token ID
}

// NewResetStore returns an empty ResetStore.
func NewResetStore() *ResetStore { return new(ResetStore) }

var errEmptyReset = errors.New("memstore: reset: empty token ID or account ID")

// PutReset stores r and removes every other reset of r.AccountID. See
// [recovery.ResetStore]. It returns an error, and changes nothing, when ctx
// is already done or r.ID or r.AccountID is empty.
func (s *ResetStore) PutReset(ctx context.Context, r recovery.ResetRecord) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if r.ID == "" || r.AccountID == "" {
		return errEmptyReset
	}
	r.ExpiresAt = r.ExpiresAt.Round(0)
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.byID == nil {
		s.byID = make(map[string]recovery.ResetRecord)
		s.byAccount = make(map[string]string)
	}
	if old, ok := s.byAccount[r.AccountID]; ok {
		delete(s.byID, old)
	}
	if prev, ok := s.byID[r.ID]; ok {
		// The same ID under another account: only by a caller's mistake,
		// but never leave an index entry pointing at a record it lost.
		delete(s.byAccount, prev.AccountID)
	}
	s.byID[r.ID] = r
	s.byAccount[r.AccountID] = r.ID
	return nil
}

// Reset returns the reset with ID id if it is alive at now; an expired one
// is removed. It returns an error when ctx is already done.
func (s *ResetStore) Reset(ctx context.Context, id string, now time.Time) (recovery.ResetRecord, bool, error) {
	if err := ctx.Err(); err != nil {
		return recovery.ResetRecord{}, false, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.live(id, now)
}

// ConsumeReset removes the reset with ID id and returns it, if it is alive
// at now. It returns an error, and changes nothing, when ctx is already
// done.
func (s *ResetStore) ConsumeReset(ctx context.Context, id string, now time.Time) (recovery.ResetRecord, bool, error) {
	if err := ctx.Err(); err != nil {
		return recovery.ResetRecord{}, false, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	r, found, _ := s.live(id, now)
	if found {
		s.remove(r)
	}
	return r, found, nil
}

// DeleteReset removes the reset with ID id, if any. It returns an error,
// and changes nothing, when ctx is already done.
func (s *ResetStore) DeleteReset(ctx context.Context, id string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if r, ok := s.byID[id]; ok {
		s.remove(r)
	}
	return nil
}

// Sweep removes every reset that has expired at now and returns how many
// it removed. See [Store.Sweep].
func (s *ResetStore) Sweep(now time.Time) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, r := range s.byID {
		if expired(r.ExpiresAt, now) {
			s.remove(r)
			n++
		}
	}
	return n
}

// live returns the reset with ID id if it is alive at now, removing it if
// it has expired. s.mu must be held.
func (s *ResetStore) live(id string, now time.Time) (recovery.ResetRecord, bool, error) {
	r, ok := s.byID[id]
	if !ok {
		return recovery.ResetRecord{}, false, nil
	}
	if expired(r.ExpiresAt, now) {
		s.remove(r)
		return recovery.ResetRecord{}, false, nil
	}
	return r, true, nil
}

// remove deletes r and its account index entry. s.mu must be held.
func (s *ResetStore) remove(r recovery.ResetRecord) {
	delete(s.byID, r.ID)
	if s.byAccount[r.AccountID] == r.ID {
		delete(s.byAccount, r.AccountID)
	}
}
