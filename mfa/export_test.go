package mfa

import (
	"context"
	"errors"
)

// DeviceRecord and TokenRecord name the stored records in the tests.
type (
	DeviceRecord = deviceRecord
	TokenRecord  = tokenRecord
)

// TokenState is a token's document as the tests read it.
type TokenState struct {
	TokenRecord
	// Holder is the tag of the account holding the token (see
	// Manager.AccountTag); empty when unbound.
	Holder string
	// LastStep is the last step accepted from the token.
	LastStep int64
}

// AccountTag is the tag of an account ID that a token's Holder holds.
func (m *Manager) AccountTag(accountID string) string { return m.accountTag(accountID) }

// StoreView reads and writes a Manager's documents record by record, so
// that the tests can look at (and tamper with) what is stored.
type StoreView struct{ m *Manager }

// ViewOf returns the view of m's documents.
func ViewOf(m *Manager) StoreView { return StoreView{m: m} }

// PendingDevice returns the account's pending enrolment.
func (v StoreView) PendingDevice(ctx context.Context, accountID string) (DeviceRecord, bool, error) {
	d, err := v.m.loadAccount(ctx, accountID)
	if err != nil || d.pending == nil {
		return DeviceRecord{}, false, err
	}
	return *d.pending, true, nil
}

// Device returns the account's active device.
func (v StoreView) Device(ctx context.Context, accountID string) (DeviceRecord, bool, error) {
	d, err := v.m.loadAccount(ctx, accountID)
	if err != nil || d.active == nil {
		return DeviceRecord{}, false, err
	}
	return *d.active, true, nil
}

// ActivateDevice makes rec the active device of rec.AccountID unless it has
// one.
func (v StoreView) ActivateDevice(ctx context.Context, rec DeviceRecord) (bool, error) {
	d, err := v.m.loadAccount(ctx, rec.AccountID)
	if err != nil {
		return false, err
	}
	err = v.m.activate(ctx, d, rec)
	if errors.Is(err, ErrAlreadyBound) {
		return false, nil
	}
	return err == nil, err
}

// Token returns the token's document.
func (v StoreView) Token(ctx context.Context, serial string) (TokenState, bool, error) {
	t, found, err := v.m.loadToken(ctx, serial)
	if err != nil || !found {
		return TokenState{}, false, err
	}
	return TokenState{TokenRecord: t.rec, Holder: t.holder, LastStep: t.lastStep}, true, nil
}

// HasCachedKey reports whether the HMAC states of the account's active
// device are in the Manager's cache.
func (m *Manager) HasCachedKey(ctx context.Context, accountID string) bool {
	d, err := m.loadAccount(ctx, accountID)
	if err != nil || d.active == nil {
		return false
	}
	c := candidateOf(*d.active, d.active.LastStep)
	key, err := m.keyring.Key(c.sealed.KeyID)
	return err == nil && m.hmacs.lookup(&c, key) != nil
}
