package mfa

import (
	"context"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/accountsec/accountsec/event"
	"github.com/accountsec/accountsec/internal/policycheck"
	"github.com/accountsec/accountsec/reason"
	"github.com/accountsec/accountsec/vocab"
)

// MaxSerialBytes is the longest hardware token serial number accepted.
const MaxSerialBytes = 64

// HardwareToken is a token the host imports from its vendor's seed file.
// Its String, GoString, Format and LogValue never show the seed.
type HardwareToken struct {
	// Serial is the number printed on the token (see NormalizeSerial).
	Serial string
	// Seed is the token's HMAC key, 16 to 64 bytes (RFC 4226 asks for at
	// least 128 bits). Import copies it into a sealed record; the caller
	// should clear its copy afterwards.
	Seed []byte
	// Algorithm is the token's hash (default SHA1).
	Algorithm Algorithm `validate:"omitempty,oneof=SHA1 SHA256 SHA512"`
	// Digits is the code length (default 6; 6 or 8).
	Digits int `validate:"omitempty,oneof=6 8"`
	// Period is the time step (default 30 s; 15 s to 5 min, whole seconds).
	Period time.Duration `validate:"omitempty,min=15s,max=5m"`
}

// String describes the token without its seed.
func (t HardwareToken) String() string {
	return fmt.Sprintf("mfa.HardwareToken{Serial:%s %s/%d/%s Seed:%d bytes}", t.Serial, t.Algorithm, t.Digits, t.Period, len(t.Seed))
}

// GoString is String.
func (t HardwareToken) GoString() string { return t.String() }

// Format prints String for every verb, so no verb prints the seed.
func (t HardwareToken) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte(t.String())) }

// LogValue keeps the seed out of structured logs.
func (t HardwareToken) LogValue() slog.Value { return slog.StringValue(t.String()) }

// NormalizeSerial returns the canonical form of a token serial number:
// surrounding white space removed and ASCII letters upper-cased. ok is false
// unless the result is 1 to MaxSerialBytes characters of A-Z, 0-9 and '-'.
func NormalizeSerial(s string) (serial string, ok bool) {
	s = strings.TrimSpace(s)
	if s == "" || len(s) > MaxSerialBytes {
		return "", false
	}
	b := []byte(s)
	for i, c := range b {
		switch {
		case c >= 'a' && c <= 'z':
			b[i] = c - 'a' + 'A'
		case c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '-':
		default:
			return "", false
		}
	}
	return string(b), true
}

// ImportToken adds a hardware token to the pool users can bind from. It is
// for the host's administrators, not for users. The seed is sealed under the
// key ring's current key before it reaches the store. It returns
// ErrTokenExists when the serial number was already imported.
func (m *Manager) ImportToken(ctx context.Context, t HardwareToken) error {
	serial, ok := NormalizeSerial(t.Serial)
	if !ok {
		return reason.New(reason.InputMalformed).With("field", "serial")
	}
	if t.Algorithm == "" {
		t.Algorithm = SHA1
	}
	if t.Digits == 0 {
		t.Digits = 6
	}
	if t.Period == 0 {
		t.Period = 30 * time.Second
	}
	if err := policycheck.Check("mfa.HardwareToken", t); err != nil {
		return err
	}
	if t.Period%time.Second != 0 {
		return reason.New(reason.PolicyInvalid).With("field", "mfa.HardwareToken.Period").With("value", t.Period.String()).With("allowed", "whole seconds")
	}
	if n := len(t.Seed); n < 16 || n > 64 {
		return reason.New(reason.PolicyInvalid).With("field", "mfa.HardwareToken.Seed").With("value", "a seed of "+strconv.Itoa(n)+" bytes").With("allowed", "16..64 bytes")
	}
	sealed, err := seal(m.keyring, m.rand, t.Seed, tokenAD(serial))
	if err != nil {
		return err
	}
	rec := tokenRecord{Serial: serial, Algorithm: t.Algorithm, Digits: t.Digits, Period: t.Period, Seed: sealed, ImportedAt: m.now()}
	ok, err = m.importToken(ctx, rec)
	if err != nil {
		return err
	}
	if !ok {
		return ErrTokenExists
	}
	m.emit(ctx, event.MFATokenImported, "", deviceRecord{}, map[string]string{"serial": serial})
	return nil
}

// BindHardware binds the imported hardware token with the serial number to
// the account, after checking a current code shown on it, and records where
// it applies. The code's step becomes the token's last-used step. A token is
// bound to at most one account: of concurrent binds of one token, one wins
// and the others get ErrTokenTaken. The last-used step stays with the token
// across bindings, so a code already accepted from it (for instance the one
// that unbound it from another account) is refused as ErrReplayed.
//
// Errors: ErrUsageRequired, ErrAlreadyBound, ErrTokenUnknown, ErrTokenTaken,
// and the errors of Verify (a wrong code counts in the account's limiter).
//
// proof must prove vocab.OpBindMFA for the account (protection.Manager.Authorize
// mints it for the signed-in session); without it BindHardware returns
// *vocab.VerificationRequiredError and changes nothing.
func (m *Manager) BindHardware(ctx context.Context, proof vocab.Proof, accountID, serial, code string, usage Usage) (Device, error) {
	if err := checkAccount(accountID); err != nil {
		return Device{}, err
	}
	if err := vocab.Require(proof, accountID, vocab.OpBindMFA, m.now()); err != nil {
		return Device{}, err
	}
	if !usage.Login && !usage.Operation {
		return Device{}, ErrUsageRequired
	}
	serial, ok := NormalizeSerial(serial)
	if !ok {
		return Device{}, reason.New(reason.InputMalformed).With("field", "serial")
	}
	doc, err := m.loadAccount(ctx, accountID)
	if err != nil {
		return Device{}, err
	}
	if doc.active != nil {
		return Device{}, ErrAlreadyBound
	}
	tdoc, found, err := m.loadToken(ctx, serial)
	if err != nil {
		return Device{}, err
	}
	if !found {
		return Device{}, ErrTokenUnknown
	}
	tok, holder := tdoc.rec, m.accountTag(accountID)
	// A token already bound to this account without a device is left over
	// from an unbind whose release failed: the account may bind it again.
	held := tdoc.holder == holder
	if tdoc.holder != "" && !held {
		return Device{}, ErrTokenTaken
	}
	id, err := m.newID()
	if err != nil {
		return Device{}, err
	}
	rec := deviceRecord{
		ID: id, AccountID: accountID, Kind: Hardware, Serial: serial,
		Algorithm: tok.Algorithm, Digits: tok.Digits, Period: tok.Period,
		Secret: tok.Seed, CreatedAt: m.now(), Usage: usage,
	}
	c := candidateOf(rec, tdoc.lastStep)
	_, err = m.attempt(ctx, &c, code, func(step int64) error {
		// The claim advances the token's last-used step: errReplayedCode
		// when the step is not after it.
		claimed, err := m.claimToken(ctx, tdoc, holder, held, step)
		if err != nil {
			return err
		}
		rec.ActivatedAt, rec.LastStep = m.now(), step
		if err := m.activate(ctx, doc, rec); err != nil {
			if !held {
				// Best effort: on failure the token stays held by this
				// account, which may bind it again later (see held).
				_ = m.releaseToken(ctx, claimed, holder)
			}
			return err
		}
		return nil
	})
	if err != nil {
		return Device{}, err
	}
	m.emit(ctx, event.MFABound, accountID, rec, usageAttrs(usage))
	return deviceOf(rec), nil
}
