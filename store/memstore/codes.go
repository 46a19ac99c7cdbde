package memstore

import (
	"bytes"
	"context"
	"crypto/subtle"
	"fmt"
	"time"

	"github.com/accountsec/accountsec/notify"
)

// codeEntry is a stored one-time code.
type codeEntry struct {
	hash      []byte
	expiresAt time.Time
	// wrongLeft is how many more wrong answers the code survives; the
	// answer that brings it to zero destroys the code.
	wrongLeft int
}

// PutCode stores rec at key, replacing any code already there together with
// its wrong-answer count. The hash is copied, so the caller may reuse
// rec.Hash.
//
// It returns an error, and changes nothing, when ctx is already done, when
// rec.MaxWrong is below 1, when rec.Hash is empty (an empty hash would
// match an empty answer), or when rec.ExpiresAt is not after now.
func (s *Store) PutCode(ctx context.Context, key string, rec notify.CodeRecord, now time.Time) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := rec.Check(now); err != nil {
		return fmt.Errorf("memstore: put code: %w", err)
	}
	e := codeEntry{
		hash:      bytes.Clone(rec.Hash),
		expiresAt: rec.ExpiresAt.Round(0),
		wrongLeft: rec.MaxWrong,
	}

	sh := s.codes.lock(&s.hint, key, now)
	defer sh.mu.Unlock()
	sh.m[key] = e
	return nil
}

// ConsumeCode checks hash against the code at key at time now, in constant
// time, and deletes the code when it matches or when this was the last wrong
// answer it allowed. An expired code is removed and reported as
// [notify.Missing]. See [notify.CodeStore] for the full contract.
//
// It returns an error, and changes nothing, when ctx is already done.
func (s *Store) ConsumeCode(ctx context.Context, key string, hash []byte, now time.Time) (notify.Outcome, int, error) {
	if err := ctx.Err(); err != nil {
		return notify.Missing, 0, err
	}
	sh := s.codes.lock(&s.hint, key, now)
	defer sh.mu.Unlock()

	e, found := sh.m[key]
	if !found {
		return notify.Missing, 0, nil
	}
	if expired(e.expiresAt, now) {
		delete(sh.m, key)
		return notify.Missing, 0, nil
	}
	// ConstantTimeCompare returns early only on a length difference, which
	// tells nothing: every hash the caller makes has the same length.
	if subtle.ConstantTimeCompare(e.hash, hash) == 1 {
		delete(sh.m, key)
		return notify.Matched, 0, nil
	}
	e.wrongLeft--
	if e.wrongLeft <= 0 {
		delete(sh.m, key)
		return notify.Mismatched, 0, nil
	}
	sh.m[key] = e
	return notify.Mismatched, e.wrongLeft, nil
}

// DeleteCode removes the code at key, if any. It returns an error, and
// changes nothing, when ctx is already done.
func (s *Store) DeleteCode(ctx context.Context, key string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	sh := s.codes.lock(&s.hint, key, time.Time{})
	defer sh.mu.Unlock()
	delete(sh.m, key)
	return nil
}
