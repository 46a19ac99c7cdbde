package mfa

import (
	"context"
	"encoding/base32"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/accountsec/accountsec/event"
	"github.com/accountsec/accountsec/internal/env"
	"github.com/accountsec/accountsec/internal/keyhash"
	"github.com/accountsec/accountsec/limits"
	"github.com/accountsec/accountsec/reason"
)

// LimiterScope is the scope under which wrong codes (TOTP and backup codes)
// count in the attempt limiter; the subject is the account ID, so the count
// survives the start of a new login.
const LimiterScope = "mfa"

// MaxAccountIDBytes is the longest account ID accepted.
const MaxAccountIDBytes = 128

// MaxLabelBytes is the longest issuer or account label accepted in an
// otpauth URI.
const MaxLabelBytes = 128

// DefaultIssuer is the issuer shown in authenticator apps when
// Config.Issuer is empty.
const DefaultIssuer = "accountsec"

// Sentinel errors, matched with errors.Is. Each carries a reason code.
var (
	// ErrMalformed: the code is not exactly the device's number of ASCII
	// digits. Nothing was counted.
	ErrMalformed = reason.New(reason.MFAMalformed)
	// ErrMismatch: the code is wrong; one failure was counted.
	ErrMismatch = reason.New(reason.MFAMismatch)
	// ErrReplayed: the code was already accepted, or belongs to a time step
	// before the last accepted code; one failure was counted.
	ErrReplayed = reason.New(reason.MFAReplayed)
	// ErrNotBound: the account has no MFA device.
	ErrNotBound = reason.New(reason.MFANotBound)
	// ErrAlreadyBound: the account already has an MFA device.
	ErrAlreadyBound = reason.New(reason.MFAAlreadyBound)
	// ErrEnrolmentInvalid: no pending enrolment with this ID (expired,
	// replaced by a newer one, already confirmed, or another account's).
	ErrEnrolmentInvalid = reason.New(reason.MFAEnrolmentInvalid)
	// ErrUsageRequired: neither Usage.Login nor Usage.Operation is set.
	ErrUsageRequired = reason.New(reason.MFAUsageRequired)
	// ErrTokenUnknown: no hardware token with this serial number.
	ErrTokenUnknown = reason.New(reason.MFATokenUnknown)
	// ErrTokenTaken: the hardware token is bound to another account.
	ErrTokenTaken = reason.New(reason.MFATokenTaken)
	// ErrTokenExists: a token with this serial number was already imported.
	ErrTokenExists = reason.New(reason.MFATokenExists)
	// ErrBackupMalformed: not of the form of a backup code. Nothing was
	// counted.
	ErrBackupMalformed = reason.New(reason.MFABackupMalformed)
	// ErrBackupMismatch: the backup code is wrong or spent; one failure was
	// counted.
	ErrBackupMismatch = reason.New(reason.MFABackupMismatch)
	// ErrKeyUnavailable: a sealed secret could not be opened or sealed
	// (key missing from the ring, key service down, record tampered with).
	// The operation was refused; no failure was counted.
	ErrKeyUnavailable = reason.New(reason.MFAKeyUnavailable)
)

// Config is what a Manager needs from the host.
type Config struct {
	// Store keeps devices, tokens and backup codes, as versioned documents
	// (see [Store]): any state.Documents, such as memstore.Store,
	// pgstore.Store or redisstore.Store. Required.
	Store Store
	// Keyring seals TOTP secrets and seeds at rest. Required.
	Keyring Keyring
	// Limiter counts wrong codes under LimiterScope per account. Required:
	// without it a 6-digit code falls to guessing.
	Limiter *limits.Limiter
	// Secret keys the hashes of backup codes. At least 16 bytes. Required.
	Secret []byte
	// Protection, when set, is told to turn MFA off in login and operation
	// protection when a device is unbound.
	Protection ProtectionSettings
	// QR renders enrolment QR codes; nil means PNGRenderer{}.
	QR QRRenderer
	// Issuer names the service in authenticator apps (default
	// DefaultIssuer). At most MaxLabelBytes bytes of UTF-8, no colon.
	Issuer string
	// Policy is the MFA policy; the zero Policy means the defaults.
	Policy Policy
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Rand is the randomness source for secrets, IDs, nonces and backup
	// codes; nil means crypto/rand.
	Rand io.Reader
	// Events receives security events; nil discards them.
	Events event.Hook
}

// Manager binds, verifies and unbinds MFA devices and backup codes. It is
// safe for concurrent use; all its state is in the Store.
type Manager struct {
	store      Store
	keyring    Keyring
	limiter    *limits.Limiter
	keys       *keyhash.Hasher
	protection ProtectionSettings
	qr         QRRenderer
	issuer     string
	policy     Policy
	now        func() time.Time
	rand       io.Reader
	events     event.Hook
	aeads      aeadCache  // opened AEADs by key ID (fast.go)
	hmacs      *hmacCache // HMAC states of recently verified keys (hmaccache.go)
}

// New returns a Manager for cfg, or a reason.PolicyInvalid error naming the
// first missing dependency or every bad policy field.
func New(cfg Config) (*Manager, error) {
	switch {
	case cfg.Store == nil:
		return nil, missing("Store", "a state.Documents")
	case cfg.Keyring == nil:
		return nil, missing("Keyring", "an mfa.Keyring")
	case cfg.Limiter == nil:
		return nil, missing("Limiter", "a *limits.Limiter")
	}
	pol, err := cfg.Policy.Resolve()
	if err != nil {
		return nil, err
	}
	keys, err := keyhash.New(cfg.Secret)
	if err != nil {
		return nil, err
	}
	issuer := cfg.Issuer
	if issuer == "" {
		issuer = DefaultIssuer
	}
	if err := checkLabel("mfa.Config.Issuer", issuer); err != nil {
		return nil, reason.New(reason.PolicyInvalid).With("field", "mfa.Config.Issuer").With("value", strconv.Quote(issuer)).With("allowed", "1.."+strconv.Itoa(MaxLabelBytes)+" bytes of UTF-8 text without a colon")
	}
	m := &Manager{
		store: cfg.Store, keyring: cfg.Keyring, limiter: cfg.Limiter, keys: keys,
		protection: cfg.Protection, qr: cfg.QR, issuer: issuer, policy: pol,
		now: env.Clock(cfg.Now), rand: env.Rand(cfg.Rand), events: cfg.Events,
		hmacs: newHMACCache(),
	}
	if m.qr == nil {
		m.qr = PNGRenderer{}
	}
	return m, nil
}

func missing(field, allowed string) error { return env.Missing("mfa.Config."+field, allowed) }

// Policy returns the resolved policy.
func (m *Manager) Policy() Policy { return m.policy }

// Device is what the host may know and show about an MFA device. It holds
// no secret.
type Device struct {
	// ID identifies the device.
	ID string
	// AccountID is the account it is bound to.
	AccountID string
	// Kind is Virtual or Hardware.
	Kind Kind
	// Serial is the hardware token's serial number; empty for a virtual
	// device.
	Serial string
	// Algorithm, Digits and Period are the TOTP parameters.
	Algorithm Algorithm
	// Digits is the code length.
	Digits int
	// Period is the time step.
	Period time.Duration
	// Usage is where the device applies.
	Usage Usage
	// BoundAt is when the device was activated.
	BoundAt time.Time
}

func deviceOf(r deviceRecord) Device {
	return Device{
		ID: r.ID, AccountID: r.AccountID, Kind: r.Kind, Serial: r.Serial,
		Algorithm: r.Algorithm, Digits: r.Digits, Period: r.Period,
		Usage: r.Usage, BoundAt: r.ActivatedAt,
	}
}

// Device returns the account's active device; found is false when it has
// none.
func (m *Manager) Device(ctx context.Context, accountID string) (d Device, found bool, err error) {
	if err := checkAccount(accountID); err != nil {
		return Device{}, false, err
	}
	doc, err := m.loadAccount(ctx, accountID)
	if err != nil {
		return Device{}, false, err
	}
	if doc.active == nil {
		return Device{}, false, nil
	}
	return deviceOf(*doc.active), true, nil
}

// checkAccount validates an account ID passed by the host.
func checkAccount(id string) error {
	switch {
	case id == "":
		return reason.New(reason.InputEmpty).With("field", "account_id")
	case len(id) > MaxAccountIDBytes:
		return reason.New(reason.InputTooLong).With("field", "account_id").With("max", MaxAccountIDBytes)
	case !utf8.ValidString(id):
		return reason.New(reason.InputInvalidUTF8).With("field", "account_id")
	}
	return nil
}

// checkLabel validates an issuer or account label of an otpauth URI. The
// Key URI format forbids a colon in either, since the colon separates them.
func checkLabel(field, s string) error {
	switch {
	case strings.TrimSpace(s) == "":
		return reason.New(reason.InputEmpty).With("field", field)
	case len(s) > MaxLabelBytes:
		return reason.New(reason.InputTooLong).With("field", field).With("max", MaxLabelBytes)
	case !utf8.ValidString(s):
		return reason.New(reason.InputInvalidUTF8).With("field", field)
	case strings.ContainsAny(s, ":\x00"):
		return reason.New(reason.InputMalformed).With("field", field)
	}
	return nil
}

// newID returns a random 128-bit identifier in lower-case base32.
func (m *Manager) newID() (string, error) {
	var b [16]byte
	if _, err := io.ReadFull(m.rand, b[:]); err != nil {
		return "", reason.Store(fmt.Errorf("mfa: reading randomness: %w", err))
	}
	return strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b[:])), nil
}

// emit sends an event about a device. It adds the device's ID and kind to
// attrs (which it takes over; nil is fine).
func (m *Manager) emit(ctx context.Context, kind event.Kind, accountID string, d deviceRecord, attrs map[string]string) {
	if m.events == nil {
		return
	}
	if attrs == nil {
		attrs = make(map[string]string, 2)
	}
	if d.ID != "" {
		attrs["device"] = d.ID
		attrs["kind"] = string(d.Kind)
	}
	m.events.Emit(ctx, event.Event{Kind: kind, At: m.now(), AccountID: accountID, Scope: LimiterScope, Attrs: attrs})
}
