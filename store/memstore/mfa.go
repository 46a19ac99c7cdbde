package memstore

import (
	"bytes"
	"context"
	"crypto/subtle"
	"errors"

	"github.com/accountsec/accountsec/mfa"
)

// Compile-time check that MFAStore implements the interface it serves.
var _ mfa.Store = (*MFAStore)(nil)

// MFAStore is the in-memory [mfa.Store]: devices, pending enrolments,
// hardware tokens and backup codes. It is safe for concurrent use; its zero
// value is empty and ready. It is a type of its own so that it can be
// embedded in [Store] (then one *Store serves mfa too) or used alone. An
// MFAStore must not be copied after first use.
//
// Nothing in it expires by itself: a pending enrolment is replaced by the
// next one and its deadline is checked by the mfa package, so Sweep has
// nothing to do here.
type MFAStore struct {
	accounts shards[mfaAccount]
	tokens   shards[mfa.TokenRecord]
}

// NewMFAStore returns an empty MFAStore.
func NewMFAStore() *MFAStore { return new(MFAStore) }

// mfaAccount is everything MFA keeps for one account, in one entry so that
// each operation locks one shard.
type mfaAccount struct {
	active  *mfa.DeviceRecord
	pending *mfa.DeviceRecord
	backup  [][]byte
}

func (a mfaAccount) empty() bool { return a.active == nil && a.pending == nil && len(a.backup) == 0 }

// putMFAAccount stores a under key, or deletes the entry when a is empty,
// so that accounts with nothing left do not linger.
func putMFAAccount(sh *shard[mfaAccount], key string, a mfaAccount) {
	if a.empty() {
		delete(sh.m, key)
		return
	}
	sh.m[key] = a
}

// cloneMFADevice copies d and the slices it holds.
func cloneMFADevice(d mfa.DeviceRecord) *mfa.DeviceRecord {
	d.Secret.Ciphertext = bytes.Clone(d.Secret.Ciphertext)
	d.CreatedAt = d.CreatedAt.Round(0)
	d.ActivatedAt = d.ActivatedAt.Round(0)
	return &d
}

// mfaDeviceOut returns a copy of *d for a caller.
func mfaDeviceOut(d *mfa.DeviceRecord) mfa.DeviceRecord { return *cloneMFADevice(*d) }

var errMFANoAccount = errors.New("memstore: mfa: empty account ID")

// PutPendingDevice stores d as its account's pending enrolment, replacing
// any earlier one.
func (s *MFAStore) PutPendingDevice(ctx context.Context, d mfa.DeviceRecord) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if d.AccountID == "" || d.ID == "" {
		return errors.New("memstore: put pending device: empty account or device ID")
	}
	sh := s.accounts.lock(d.AccountID)
	defer sh.mu.Unlock()
	a := sh.m[d.AccountID]
	a.pending = cloneMFADevice(d)
	sh.m[d.AccountID] = a
	return nil
}

// PendingDevice returns the account's pending enrolment.
func (s *MFAStore) PendingDevice(ctx context.Context, accountID string) (mfa.DeviceRecord, bool, error) {
	if err := ctx.Err(); err != nil {
		return mfa.DeviceRecord{}, false, err
	}
	sh := s.accounts.lock(accountID)
	defer sh.mu.Unlock()
	a := sh.m[accountID]
	if a.pending == nil {
		return mfa.DeviceRecord{}, false, nil
	}
	return mfaDeviceOut(a.pending), true, nil
}

// ActivateDevice makes d the account's active device if it has none, and
// removes the pending enrolment with d's ID.
func (s *MFAStore) ActivateDevice(ctx context.Context, d mfa.DeviceRecord) (bool, error) {
	if err := ctx.Err(); err != nil {
		return false, err
	}
	if d.AccountID == "" || d.ID == "" {
		return false, errors.New("memstore: activate device: empty account or device ID")
	}
	sh := s.accounts.lock(d.AccountID)
	defer sh.mu.Unlock()
	a := sh.m[d.AccountID]
	if a.active != nil {
		return false, nil
	}
	a.active = cloneMFADevice(d)
	if a.pending != nil && a.pending.ID == d.ID {
		a.pending = nil
	}
	sh.m[d.AccountID] = a
	return true, nil
}

// Device returns the account's active device.
func (s *MFAStore) Device(ctx context.Context, accountID string) (mfa.DeviceRecord, bool, error) {
	if err := ctx.Err(); err != nil {
		return mfa.DeviceRecord{}, false, err
	}
	sh := s.accounts.lock(accountID)
	defer sh.mu.Unlock()
	a := sh.m[accountID]
	if a.active == nil {
		return mfa.DeviceRecord{}, false, nil
	}
	return mfaDeviceOut(a.active), true, nil
}

// AdvanceStep moves the active device's last-used step forward to step if
// the device is deviceID and step is greater.
func (s *MFAStore) AdvanceStep(ctx context.Context, accountID, deviceID string, step int64) (bool, error) {
	if err := ctx.Err(); err != nil {
		return false, err
	}
	sh := s.accounts.lock(accountID)
	defer sh.mu.Unlock()
	a := sh.m[accountID]
	if a.active == nil || a.active.ID != deviceID || step <= a.active.LastStep {
		return false, nil
	}
	// The record is the store's own copy; callers only ever see clones.
	a.active.LastStep = step
	return true, nil
}

// DeleteDevice removes the active device if it is deviceID.
func (s *MFAStore) DeleteDevice(ctx context.Context, accountID, deviceID string) (bool, error) {
	if err := ctx.Err(); err != nil {
		return false, err
	}
	sh := s.accounts.lock(accountID)
	defer sh.mu.Unlock()
	a, found := sh.m[accountID]
	if !found || a.active == nil || a.active.ID != deviceID {
		return false, nil
	}
	a.active = nil
	putMFAAccount(sh, accountID, a)
	return true, nil
}

// ImportToken stores t if its serial number is new.
func (s *MFAStore) ImportToken(ctx context.Context, t mfa.TokenRecord) (bool, error) {
	if err := ctx.Err(); err != nil {
		return false, err
	}
	if t.Serial == "" {
		return false, errors.New("memstore: import token: empty serial number")
	}
	sh := s.tokens.lock(t.Serial)
	defer sh.mu.Unlock()
	if _, found := sh.m[t.Serial]; found {
		return false, nil
	}
	t.Seed.Ciphertext = bytes.Clone(t.Seed.Ciphertext)
	t.ImportedAt = t.ImportedAt.Round(0)
	sh.m[t.Serial] = t
	return true, nil
}

// Token returns the token with the serial number.
func (s *MFAStore) Token(ctx context.Context, serial string) (mfa.TokenRecord, bool, error) {
	if err := ctx.Err(); err != nil {
		return mfa.TokenRecord{}, false, err
	}
	sh := s.tokens.lock(serial)
	defer sh.mu.Unlock()
	t, found := sh.m[serial]
	if !found {
		return mfa.TokenRecord{}, false, nil
	}
	t.Seed.Ciphertext = bytes.Clone(t.Seed.Ciphertext)
	return t, true, nil
}

// ClaimToken binds an unbound token to accountID.
func (s *MFAStore) ClaimToken(ctx context.Context, serial, accountID string) (bool, error) {
	if err := ctx.Err(); err != nil {
		return false, err
	}
	if accountID == "" {
		return false, errMFANoAccount
	}
	sh := s.tokens.lock(serial)
	defer sh.mu.Unlock()
	t, found := sh.m[serial]
	if !found || t.AccountID != "" {
		return false, nil
	}
	t.AccountID = accountID
	sh.m[serial] = t
	return true, nil
}

// ReleaseToken unbinds the token if accountID holds it.
func (s *MFAStore) ReleaseToken(ctx context.Context, serial, accountID string) (bool, error) {
	if err := ctx.Err(); err != nil {
		return false, err
	}
	if accountID == "" {
		return false, errMFANoAccount
	}
	sh := s.tokens.lock(serial)
	defer sh.mu.Unlock()
	t, found := sh.m[serial]
	if !found || t.AccountID != accountID {
		return false, nil
	}
	t.AccountID = ""
	sh.m[serial] = t
	return true, nil
}

// ReplaceBackupCodes replaces the account's set of backup code hashes.
func (s *MFAStore) ReplaceBackupCodes(ctx context.Context, accountID string, hashes [][]byte) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if accountID == "" {
		return errMFANoAccount
	}
	set := make([][]byte, 0, len(hashes))
	for _, h := range hashes {
		if len(h) == 0 {
			return errors.New("memstore: replace backup codes: empty hash")
		}
		set = append(set, bytes.Clone(h))
	}
	sh := s.accounts.lock(accountID)
	defer sh.mu.Unlock()
	a := sh.m[accountID]
	a.backup = set
	putMFAAccount(sh, accountID, a)
	return nil
}

// ConsumeBackupCode removes hash from the account's set, comparing it with
// every hash in constant time.
func (s *MFAStore) ConsumeBackupCode(ctx context.Context, accountID string, hash []byte) (bool, int, error) {
	if err := ctx.Err(); err != nil {
		return false, 0, err
	}
	sh := s.accounts.lock(accountID)
	defer sh.mu.Unlock()
	a, found := sh.m[accountID]
	if !found {
		return false, 0, nil
	}
	hit := -1
	for i, h := range a.backup {
		if subtle.ConstantTimeCompare(h, hash) == 1 {
			hit = i
		}
	}
	if hit < 0 || len(hash) == 0 {
		return false, len(a.backup), nil
	}
	rest := make([][]byte, 0, len(a.backup)-1)
	rest = append(rest, a.backup[:hit]...)
	rest = append(rest, a.backup[hit+1:]...)
	a.backup = rest
	putMFAAccount(sh, accountID, a)
	return true, len(rest), nil
}

// BackupCodesLeft returns the size of the account's set.
func (s *MFAStore) BackupCodesLeft(ctx context.Context, accountID string) (int, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	sh := s.accounts.lock(accountID)
	defer sh.mu.Unlock()
	return len(sh.m[accountID].backup), nil
}
