package mfa

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"time"

	"github.com/accountsec/accountsec/event"
	"github.com/accountsec/accountsec/reason"
	"github.com/accountsec/accountsec/vocab"
)

// BackupCodeLength is the number of characters of a backup code, not
// counting the hyphen of its display form.
const BackupCodeLength = 10

// backupAlphabet has 32 characters that cannot be mistaken for one
// another (no 0/O, no 1/I): each character carries 5 bits, a code 50.
const backupAlphabet = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"

// BackupCodes is a freshly generated set of backup codes, to show the user
// once. Its String, GoString, Format and LogValue show only how many codes
// there are.
type BackupCodes struct {
	// GeneratedAt is when the set was made.
	GeneratedAt time.Time

	codes []string
}

// Codes returns the codes in display form ("ABCDE-FGHJK").
func (b BackupCodes) Codes() []string { return append([]string(nil), b.codes...) }

// String says how many codes there are, never which.
func (b BackupCodes) String() string {
	return "mfa.BackupCodes{" + strconv.Itoa(len(b.codes)) + " codes, generated " + b.GeneratedAt.Format(time.RFC3339) + "}"
}

// GoString is String.
func (b BackupCodes) GoString() string { return b.String() }

// Format prints String for every verb, so no verb prints a code.
func (b BackupCodes) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte(b.String())) }

// LogValue keeps the codes out of structured logs.
func (b BackupCodes) LogValue() slog.Value { return slog.StringValue(b.String()) }

// ParseBackupCode returns the canonical form of a backup code as typed: ten
// characters of the backup alphabet, with ASCII letters upper-cased and an
// optional hyphen after the fifth. ok is false for anything else (spaces,
// other separators, look-alike characters): nothing else is repaired.
func ParseBackupCode(s string) (code string, ok bool) {
	switch {
	case len(s) == BackupCodeLength+1 && s[5] == '-':
		s = s[:5] + s[6:]
	case len(s) != BackupCodeLength:
		return "", false
	}
	b := []byte(s)
	for i, c := range b {
		if c >= 'a' && c <= 'z' {
			c -= 'a' - 'A'
			b[i] = c
		}
		if !inAlphabet(c) {
			return "", false
		}
	}
	return string(b), true
}

func inAlphabet(c byte) bool {
	return c >= '2' && c <= '9' || c >= 'A' && c <= 'Z' && c != 'I' && c != 'O'
}

// backupHash binds a code to the account and the device it was issued
// with, so the codes stop working when the device is unbound even if
// deleting them fails.
func (m *Manager) backupHash(accountID, deviceID, code string) []byte {
	return m.keys.Sum("mfa-backup", accountID, deviceID, code)
}

// RegenerateBackupCodes makes a new set of Policy.BackupCodes single-use
// codes for the account's device and replaces the old set, all at once:
// every old code stops working. The codes are stored only as keyed hashes;
// show the returned set once. It returns ErrNotBound when the account has no device.
//
// proof must prove vocab.OpBindMFA for the account (protection.Manager.Authorize
// mints it for the signed-in session); without it RegenerateBackupCodes returns
// *vocab.VerificationRequiredError and changes nothing.
func (m *Manager) RegenerateBackupCodes(ctx context.Context, proof vocab.Proof, accountID string) (BackupCodes, error) {
	if err := checkAccount(accountID); err != nil {
		return BackupCodes{}, err
	}
	if err := vocab.Require(proof, accountID, vocab.OpBindMFA, m.now()); err != nil {
		return BackupCodes{}, err
	}
	doc, err := m.loadAccount(ctx, accountID)
	if err != nil {
		return BackupCodes{}, err
	}
	if doc.active == nil {
		return BackupCodes{}, ErrNotBound
	}
	d := *doc.active
	n := m.policy.BackupCodes
	codes := make([]string, n)
	hashes := make([][]byte, n)
	raw := make([]byte, BackupCodeLength)
	defer clear(raw)
	for i := range codes {
		if _, err := io.ReadFull(m.rand, raw); err != nil {
			return BackupCodes{}, reason.Store(fmt.Errorf("mfa: reading randomness: %w", err))
		}
		for j, r := range raw {
			raw[j] = backupAlphabet[r&31] // 256 is a multiple of 32: uniform
		}
		code := string(raw)
		hashes[i] = m.backupHash(accountID, d.ID, code)
		codes[i] = code[:5] + "-" + code[5:]
	}
	if err := m.replaceBackupCodes(ctx, doc, d.ID, hashes); err != nil {
		return BackupCodes{}, err // ErrNotBound when the device was unbound meanwhile
	}
	m.emit(ctx, event.BackupCodesRegenerated, accountID, d, map[string]string{"left": strconv.Itoa(n)})
	return BackupCodes{GeneratedAt: m.now(), codes: codes}, nil
}

// UseBackupCode accepts one of the account's backup codes instead of a TOTP
// code, and spends it: of concurrent uses of one code, exactly one succeeds.
// left is the number of codes still unused. Wrong codes count in the same
// limiter as TOTP codes.
//
// Errors: ErrNotBound, ErrBackupMalformed (not counted), ErrBackupMismatch
// (counted; joined with *limits.LockedError when it locked the account),
// *limits.LockedError, or a reason.StoreUnavailable error.
func (m *Manager) UseBackupCode(ctx context.Context, accountID, code string) (left int, err error) {
	if err := checkAccount(accountID); err != nil {
		return 0, err
	}
	doc, err := m.loadAccount(ctx, accountID)
	if err != nil {
		return 0, err
	}
	if doc.active == nil {
		return 0, ErrNotBound
	}
	d := *doc.active
	canon, ok := ParseBackupCode(code)
	if !ok {
		return 0, ErrBackupMalformed.With("length", BackupCodeLength)
	}
	a, err := m.limiter.Begin(ctx, LimiterScope, accountID)
	if err != nil {
		return 0, err
	}
	ok, left, err = m.consumeBackupCode(ctx, doc, d.ID, m.backupHash(accountID, d.ID, canon))
	if err != nil {
		_ = a.Succeed(ctx) // not the user's failure
		return 0, err
	}
	if ok {
		_ = a.Succeed(ctx) // the code is spent; see attempt
		m.emit(ctx, event.BackupCodeUsed, accountID, d, map[string]string{"left": strconv.Itoa(left)})
		return left, nil
	}
	lockErr := a.Fail(ctx)
	m.emit(ctx, event.BackupCodeFailed, accountID, d, nil)
	if lockErr != nil {
		return 0, errors.Join(ErrBackupMismatch.With("remaining", 0), lockErr)
	}
	return 0, ErrBackupMismatch.With("remaining", max(a.Remaining(), 0))
}

// BackupCodesLeft returns how many unused backup codes the account has.
func (m *Manager) BackupCodesLeft(ctx context.Context, accountID string) (int, error) {
	if err := checkAccount(accountID); err != nil {
		return 0, err
	}
	doc, err := m.loadAccount(ctx, accountID)
	if err != nil {
		return 0, err
	}
	return len(doc.codes), nil
}
