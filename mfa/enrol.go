package mfa

import (
	"context"
	"encoding/base32"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/accountsec/accountsec/event"
	"github.com/accountsec/accountsec/reason"
	"github.com/accountsec/accountsec/vocab"
)

// Enrolment is a virtual device waiting for its first code. It carries the
// secret in the three forms the user may need: the otpauth URI, its QR code
// and the text key. Show them once, over a channel the user alone sees, and
// drop them; they are never stored in the clear and cannot be fetched again
// (enrol again instead).
//
// The secret forms are reached only through methods, and String, GoString,
// Format, LogValue and encoding/json show only the exported fields, so an
// Enrolment that ends up in a log does not leak the secret.
type Enrolment struct {
	// DeviceID identifies the pending device; pass it to Confirm.
	DeviceID string
	// AccountID is the account enrolling.
	AccountID string
	// Issuer and Label are what the authenticator app shows.
	Issuer string
	// Label names the account in the app.
	Label string
	// Algorithm, Digits and Period are the TOTP parameters.
	Algorithm Algorithm
	// Digits is the code length.
	Digits int
	// Period is the time step.
	Period time.Duration
	// ExpiresAt is the deadline for Confirm.
	ExpiresAt time.Time

	uri string
	key string
	qr  []byte
}

// URI returns the otpauth://totp/ URI (Key URI format) holding the secret.
func (e Enrolment) URI() string { return e.uri }

// Key returns the secret in base32 without padding, in groups of four
// characters separated by spaces, for typing into an app by hand.
func (e Enrolment) Key() string { return e.key }

// QRCode returns the URI as a QR code image (a PNG with the default
// renderer). The slice is the Enrolment's own; do not change it.
func (e Enrolment) QRCode() []byte { return e.qr }

// String describes the enrolment without its secret.
func (e Enrolment) String() string {
	return fmt.Sprintf("mfa.Enrolment{DeviceID:%s Account:%s Issuer:%q Label:%q %s/%d/%s ExpiresAt:%s}",
		e.DeviceID, e.AccountID, e.Issuer, e.Label, e.Algorithm, e.Digits, e.Period, e.ExpiresAt.Format(time.RFC3339))
}

// GoString is String.
func (e Enrolment) GoString() string { return e.String() }

// Format prints String for every verb, so no verb prints the secret.
func (e Enrolment) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte(e.String())) }

// LogValue keeps the secret out of structured logs.
func (e Enrolment) LogValue() slog.Value { return slog.StringValue(e.String()) }

// Enrol starts binding a virtual device: it draws a new secret, stores the
// device sealed and inactive as the account's pending enrolment (replacing
// an earlier one), and returns the URI, QR code and text key to show. The
// host must have verified the user's identity first (operation protection).
//
// label names the account in the authenticator app (for example its login
// email or account ID); empty means the account ID. It must not contain a
// colon. Enrol returns ErrAlreadyBound when the account already has a
// device.
//
// proof must prove vocab.OpBindMFA for the account (protection.Manager.Authorize
// mints it for the signed-in session); without it Enrol returns
// *vocab.VerificationRequiredError and changes nothing.
func (m *Manager) Enrol(ctx context.Context, proof vocab.Proof, accountID, label string) (*Enrolment, error) {
	if err := checkAccount(accountID); err != nil {
		return nil, err
	}
	if err := vocab.Require(proof, accountID, vocab.OpBindMFA, m.now()); err != nil {
		return nil, err
	}
	if label == "" {
		label = accountID
	}
	if err := checkLabel("label", label); err != nil {
		return nil, err
	}
	doc, err := m.loadAccount(ctx, accountID)
	if err != nil {
		return nil, err
	}
	if doc.active != nil {
		return nil, ErrAlreadyBound
	}

	p := m.policy
	secret := make([]byte, p.SecretBytes)
	defer clear(secret)
	if _, err := io.ReadFull(m.rand, secret); err != nil {
		return nil, reason.Store(fmt.Errorf("mfa: reading randomness: %w", err))
	}
	id, err := m.newID()
	if err != nil {
		return nil, err
	}
	sealed, err := seal(m.keyring, m.rand, secret, deviceAD(id))
	if err != nil {
		return nil, err
	}
	now := m.now()
	e := &Enrolment{
		DeviceID: id, AccountID: accountID, Issuer: m.issuer, Label: label,
		Algorithm: p.Algorithm, Digits: p.Digits, Period: p.Period,
		ExpiresAt: now.Add(p.EnrolTTL),
		uri:       KeyURI(m.issuer, label, secret, p.Algorithm, p.Digits, p.Period),
		key:       TextKey(secret),
	}
	if e.qr, err = m.qr.Render(e.uri); err != nil {
		return nil, fmt.Errorf("mfa: rendering the QR code: %w", err)
	}
	rec := deviceRecord{
		ID: id, AccountID: accountID, Kind: Virtual,
		Algorithm: p.Algorithm, Digits: p.Digits, Period: p.Period,
		Secret: sealed, CreatedAt: now, LastStep: -1,
	}
	if err := m.putPending(ctx, doc, rec); err != nil {
		return nil, err
	}
	return e, nil
}

// Confirm activates the pending virtual device deviceID of the account with
// a current code from the app, and records where it applies. The code's time
// step becomes the device's last-used step, so the same code cannot then be
// used to log in.
//
// Errors: ErrUsageRequired, ErrEnrolmentInvalid (no such pending device, or
// it expired), ErrAlreadyBound, and the errors of Verify (a wrong code counts
// in the limiter; the enrolment stays pending until it expires, so the user
// can try again).
//
// proof must prove vocab.OpBindMFA for the account (protection.Manager.Authorize
// mints it for the signed-in session); without it Confirm returns
// *vocab.VerificationRequiredError and changes nothing.
func (m *Manager) Confirm(ctx context.Context, proof vocab.Proof, accountID, deviceID, code string, usage Usage) (Device, error) {
	if err := checkAccount(accountID); err != nil {
		return Device{}, err
	}
	if err := vocab.Require(proof, accountID, vocab.OpBindMFA, m.now()); err != nil {
		return Device{}, err
	}
	if !usage.Login && !usage.Operation {
		return Device{}, ErrUsageRequired
	}
	doc, err := m.loadAccount(ctx, accountID)
	if err != nil {
		return Device{}, err
	}
	now := m.now()
	if doc.pending == nil || doc.pending.ID != deviceID || !now.Before(doc.pending.CreatedAt.Add(m.policy.EnrolTTL)) {
		return Device{}, ErrEnrolmentInvalid
	}
	if doc.active != nil {
		return Device{}, ErrAlreadyBound
	}
	p := *doc.pending
	rec := p
	c := candidateOf(p, -1)
	_, err = m.attempt(ctx, &c, code, func(step int64) error {
		rec.Usage, rec.ActivatedAt, rec.LastStep = usage, m.now(), step
		return m.activate(ctx, doc, rec)
	})
	if err != nil {
		return Device{}, err
	}
	m.emit(ctx, event.MFABound, accountID, rec, usageAttrs(usage))
	return deviceOf(rec), nil
}

func usageAttrs(u Usage) map[string]string {
	return map[string]string{"login": strconv.FormatBool(u.Login), "operation": strconv.FormatBool(u.Operation)}
}

// b32 is base32 without padding, as the Key URI format wants.
var b32 = base32.StdEncoding.WithPadding(base32.NoPadding)

// KeyURI returns the otpauth URI of a TOTP secret in the Key URI format
// that authenticator apps read:
//
//	otpauth://totp/ISSUER:LABEL?secret=…&issuer=ISSUER&algorithm=SHA1&digits=6&period=30
//
// The issuer prefix of the label and the issuer parameter are escaped the
// same way (spaces as %20), so they are equal strings; the secret is base32
// without padding.
func KeyURI(issuer, label string, secret []byte, alg Algorithm, digits int, period time.Duration) string {
	iss := escape(issuer)
	var b strings.Builder
	b.WriteString("otpauth://totp/")
	b.WriteString(iss)
	b.WriteByte(':')
	b.WriteString(escape(label))
	b.WriteString("?secret=")
	b.WriteString(b32.EncodeToString(secret))
	b.WriteString("&issuer=")
	b.WriteString(iss)
	b.WriteString("&algorithm=")
	b.WriteString(string(alg))
	b.WriteString("&digits=")
	b.WriteString(strconv.Itoa(digits))
	b.WriteString("&period=")
	b.WriteString(strconv.FormatInt(int64(period/time.Second), 10))
	return b.String()
}

// escape percent-encodes s for both the label and a query value. Spaces
// become %20, which every app reads, rather than '+', which some show as is.
func escape(s string) string { return strings.ReplaceAll(url.QueryEscape(s), "+", "%20") }

// TextKey returns secret in base32 without padding, in groups of four
// characters separated by spaces ("JBSW Y3DP EHPK 3PXP"). Apps ignore the
// spaces when the key is typed in.
func TextKey(secret []byte) string {
	s := b32.EncodeToString(secret)
	var b strings.Builder
	for i := 0; i < len(s); i += 4 {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(s[i:min(i+4, len(s))])
	}
	return b.String()
}
