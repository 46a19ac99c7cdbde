package mfa

import (
	"context"
	"fmt"
	"log/slog"
	"time"
)

// DeviceRecord is an MFA device as stored. Its secret is sealed (see
// [Keyring]); the record's String, GoString, Format and LogValue never show
// the sealed bytes either.
type DeviceRecord struct {
	// ID identifies the device; it is random and never reused.
	ID string
	// AccountID is the account the device belongs to.
	AccountID string
	// Kind is Virtual or Hardware.
	Kind Kind
	// Serial is the hardware token's serial number; empty for a virtual
	// device.
	Serial string
	// Algorithm, Digits and Period are the TOTP parameters.
	Algorithm Algorithm
	// Digits is the code length, 6 or 8.
	Digits int
	// Period is the time step, a whole number of seconds.
	Period time.Duration
	// Secret is the TOTP secret, sealed. A virtual device's secret is
	// bound (as associated data) to the device ID; a hardware device shares
	// its token's sealed seed, bound to the serial number.
	Secret Sealed
	// Usage is where the device applies; set when it is activated.
	Usage Usage
	// CreatedAt is when the enrolment (or hardware binding) started.
	CreatedAt time.Time
	// ActivatedAt is when the device was activated; zero while pending.
	ActivatedAt time.Time
	// LastStep is the last accepted time step. A code is accepted only for a
	// later step. Set when the device is activated (to the step of the
	// confirming code) and advanced by [DeviceStore.AdvanceStep].
	LastStep int64
}

// String describes the record without its secret.
func (d DeviceRecord) String() string {
	return fmt.Sprintf("mfa.DeviceRecord{ID:%s Account:%s Kind:%s Serial:%s %s/%d/%s Secret:%s LastStep:%d}",
		d.ID, d.AccountID, d.Kind, d.Serial, d.Algorithm, d.Digits, d.Period, d.Secret, d.LastStep)
}

// GoString is String, so %#v does not print the sealed secret.
func (d DeviceRecord) GoString() string { return d.String() }

// Format prints String for every verb, so no verb prints the secret.
func (d DeviceRecord) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte(d.String())) }

// LogValue keeps the secret out of structured logs.
func (d DeviceRecord) LogValue() slog.Value { return slog.StringValue(d.String()) }

// TokenRecord is an imported hardware token as stored.
type TokenRecord struct {
	// Serial is the token's normalised serial number.
	Serial string
	// Algorithm, Digits and Period are the token's TOTP parameters.
	Algorithm Algorithm
	// Digits is the code length, 6 or 8.
	Digits int
	// Period is the time step, a whole number of seconds.
	Period time.Duration
	// Seed is the token's seed, sealed with the serial number as
	// associated data.
	Seed Sealed
	// AccountID is the account the token is bound to; empty when unbound.
	AccountID string
	// ImportedAt is when the host imported the token.
	ImportedAt time.Time
}

// String describes the record without its seed.
func (t TokenRecord) String() string {
	return fmt.Sprintf("mfa.TokenRecord{Serial:%s %s/%d/%s Seed:%s Account:%s}",
		t.Serial, t.Algorithm, t.Digits, t.Period, t.Seed, t.AccountID)
}

// GoString is String, so %#v does not print the sealed seed.
func (t TokenRecord) GoString() string { return t.String() }

// Format prints String for every verb.
func (t TokenRecord) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte(t.String())) }

// LogValue keeps the seed out of structured logs.
func (t TokenRecord) LogValue() slog.Value { return slog.StringValue(t.String()) }

// DeviceStore keeps each account's MFA device and its pending enrolment.
//
// Every method is one atomic operation. Stores never read a clock; records
// carry the caller's times. Errors are for system failures only: an absent
// record is reported by found or ok being false, never by an error. Records
// and their byte slices are copied in both directions, so neither side sees
// the other's later changes.
type DeviceStore interface {
	// PutPendingDevice stores d as the pending enrolment of d.AccountID,
	// replacing any earlier pending enrolment of that account. It does not
	// touch the account's active device.
	PutPendingDevice(ctx context.Context, d DeviceRecord) error
	// PendingDevice returns the account's pending enrolment.
	PendingDevice(ctx context.Context, accountID string) (d DeviceRecord, found bool, err error)
	// ActivateDevice makes d the active device of d.AccountID if the
	// account has none, and then removes the account's pending enrolment if
	// its ID is d.ID. ok is false, and nothing changes, when the account
	// already has an active device: of any number of concurrent calls for
	// one account, at most one succeeds.
	ActivateDevice(ctx context.Context, d DeviceRecord) (ok bool, err error)
	// Device returns the account's active device.
	Device(ctx context.Context, accountID string) (d DeviceRecord, found bool, err error)
	// AdvanceStep sets the last-used step of the account's active device to
	// step if that device's ID is deviceID and step is greater than its
	// current last-used step. ok is false, and nothing changes, otherwise:
	// of any number of concurrent calls with the same step, at most one
	// succeeds, and the step never moves backwards.
	AdvanceStep(ctx context.Context, accountID, deviceID string, step int64) (ok bool, err error)
	// DeleteDevice removes the account's active device if its ID is
	// deviceID. ok reports whether it removed one.
	DeleteDevice(ctx context.Context, accountID, deviceID string) (ok bool, err error)
}

// TokenStore keeps the hardware tokens the host imported and which account
// each is bound to. Every method is one atomic operation; errors are for
// system failures only.
type TokenStore interface {
	// ImportToken stores t if no token with t.Serial exists. ok is false,
	// and nothing changes, when one does.
	ImportToken(ctx context.Context, t TokenRecord) (ok bool, err error)
	// Token returns the token with the serial number.
	Token(ctx context.Context, serial string) (t TokenRecord, found bool, err error)
	// ClaimToken binds the token to accountID if it is unbound. ok is
	// false, and nothing changes, when the token is absent or already bound
	// (to any account, accountID included): of any number of concurrent
	// claims, at most one succeeds.
	ClaimToken(ctx context.Context, serial, accountID string) (ok bool, err error)
	// ReleaseToken unbinds the token if it is bound to accountID. ok
	// reports whether it did.
	ReleaseToken(ctx context.Context, serial, accountID string) (ok bool, err error)
}

// BackupCodeStore keeps each account's backup codes as keyed hashes. Every
// method is one atomic operation; errors are for system failures only.
type BackupCodeStore interface {
	// ReplaceBackupCodes replaces the account's whole set of hashes with
	// hashes (copied); an empty hashes deletes the set. No call ever sees a
	// mix of the old and the new set.
	ReplaceBackupCodes(ctx context.Context, accountID string, hashes [][]byte) error
	// ConsumeBackupCode removes hash from the account's set if it is there,
	// comparing in constant time. ok reports whether it was; left is the
	// number of hashes in the set after the call. Of any number of
	// concurrent calls with the same hash, at most one gets ok.
	ConsumeBackupCode(ctx context.Context, accountID string, hash []byte) (ok bool, left int, err error)
	// BackupCodesLeft returns the number of hashes in the account's set.
	BackupCodesLeft(ctx context.Context, accountID string) (int, error)
}

// Store is everything the mfa package keeps. store/memstore implements it
// in memory; store/storetest.RunMFAStore is its conformance suite.
type Store interface {
	DeviceStore
	TokenStore
	BackupCodeStore
}
