package mfa

import (
	"context"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/accountsec/accountsec/internal/codec"
	"github.com/accountsec/accountsec/reason"
	"github.com/accountsec/accountsec/state"
)

// How the Manager lays its state out on documents (see [Store]).
const (
	accountDocPrefix = "mfa/account/"
	tokenDocPrefix   = "mfa/token/"
	// accountTagScope keys the tags of account IDs.
	accountTagScope = "mfa-account"

	accountDocV1 byte = 1
	tokenDocV1   byte = 1

	// maxWrites bounds the compare-and-set rounds of one change. A round
	// is lost only to a write that landed in between, and most changes
	// then find nothing left to do, so this is only reached under a flood
	// of writes to one account or token.
	maxWrites = 16
	// maxBackupHashes is more than any Policy.BackupCodes; a document
	// claiming more is corrupt.
	maxBackupHashes = 64
)

// errContended is the store failure of a change that lost maxWrites rounds.
var errContended = errors.New("mfa: the document kept changing under concurrent writes")

// errNoBackupCode is consumeBackupCode's verdict when the hash is not in
// the set.
var errNoBackupCode = errors.New("no such backup code")

// deviceRecord is an MFA device as stored. Its secret is sealed (see
// [Keyring]); the record's String, GoString, Format and LogValue never show
// the sealed bytes either.
type deviceRecord struct {
	// ID identifies the device; it is random and never reused.
	ID string
	// AccountID is the account the device belongs to. It is not stored:
	// the document's ID is a tag of it.
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
	// LastStep is the last accepted time step of a virtual device: a code
	// is accepted only for a later step. Set when the device is activated
	// (to the step of the confirming code). A hardware device's step lives
	// on its token (tokenDoc.lastStep), so that it survives the binding;
	// the device keeps the step it was bound with.
	LastStep int64
}

// String describes the record without its secret.
func (d deviceRecord) String() string {
	return fmt.Sprintf("mfa.deviceRecord{ID:%s Account:%s Kind:%s Serial:%s %s/%d/%s Secret:%s LastStep:%d}",
		d.ID, d.AccountID, d.Kind, d.Serial, d.Algorithm, d.Digits, d.Period, d.Secret, d.LastStep)
}

// GoString is String, so %#v does not print the sealed secret.
func (d deviceRecord) GoString() string { return d.String() }

// Format prints String for every verb, so no verb prints the secret.
func (d deviceRecord) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte(d.String())) }

// LogValue keeps the secret out of structured logs.
func (d deviceRecord) LogValue() slog.Value { return slog.StringValue(d.String()) }

// tokenRecord is an imported hardware token as stored.
type tokenRecord struct {
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
	// ImportedAt is when the host imported the token.
	ImportedAt time.Time
}

// String describes the record without its seed.
func (t tokenRecord) String() string {
	return fmt.Sprintf("mfa.tokenRecord{Serial:%s %s/%d/%s Seed:%s}", t.Serial, t.Algorithm, t.Digits, t.Period, t.Seed)
}

// GoString is String, so %#v does not print the sealed seed.
func (t tokenRecord) GoString() string { return t.String() }

// Format prints String for every verb.
func (t tokenRecord) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte(t.String())) }

// LogValue keeps the seed out of structured logs.
func (t tokenRecord) LogValue() slog.Value { return slog.StringValue(t.String()) }

// ---- account documents ----

// accountDoc is an account's MFA document as read at version.
//
// A change works on a copy (see changeAccount) and must replace, never
// modify, what the copy shares with the original: the devices pointed to
// and the codes slice.
type accountDoc struct {
	id        string
	accountID string
	version   int64 // 0: no document yet
	pending   *deviceRecord
	active    *deviceRecord
	codes     [][]byte // keyed hashes of the backup codes
}

// accountTag is the keyed tag of an account ID that the store sees instead
// of the ID.
func (m *Manager) accountTag(accountID string) string {
	return base64.RawURLEncoding.EncodeToString(m.keys.Sum(accountTagScope, accountID))
}

// loadAccount reads the account's document; an absent one is empty.
func (m *Manager) loadAccount(ctx context.Context, accountID string) (accountDoc, error) {
	id := m.accountDocID(accountID)
	doc, found, err := m.store.GetDocument(ctx, id)
	if err != nil {
		return accountDoc{}, reason.Store(err)
	}
	if !found {
		return accountDoc{id: id, accountID: accountID}, nil
	}
	return m.decodeAccount(id, accountID, doc)
}

// decodeAccount decodes the account's document doc, read from id.
func (m *Manager) decodeAccount(id, accountID string, doc state.Document) (accountDoc, error) {
	d := accountDoc{id: id, accountID: accountID}
	r, v := codec.Read(doc.Data)
	if v != accountDocV1 {
		return accountDoc{}, corrupt(d.id)
	}
	d.version = doc.Version
	d.pending = readDevice(&r, accountID)
	d.active = readDevice(&r, accountID)
	n := r.Int()
	if n < 0 || n > maxBackupHashes {
		return accountDoc{}, corrupt(d.id)
	}
	if n > 0 {
		d.codes = make([][]byte, n)
		for i := range d.codes {
			d.codes[i] = r.Bytes()
		}
	}
	if r.Err() != nil || !d.pending.valid() || !d.active.valid() {
		return accountDoc{}, corrupt(d.id)
	}
	return d, nil
}

func (d accountDoc) encode() []byte {
	w := codec.NewWriter(accountDocV1, 320+34*len(d.codes))
	writeDevice(w, d.pending)
	writeDevice(w, d.active)
	w.Int(int64(len(d.codes)))
	for _, h := range d.codes {
		w.Bytes(h)
	}
	return w.Done()
}

func writeDevice(w *codec.Writer, d *deviceRecord) {
	w.Bool(d != nil)
	if d == nil {
		return
	}
	w.String(d.ID)
	w.String(string(d.Kind))
	w.String(d.Serial)
	w.String(string(d.Algorithm))
	w.Int(int64(d.Digits))
	w.Int(int64(d.Period))
	w.String(d.Secret.KeyID)
	w.Bytes(d.Secret.Ciphertext)
	w.Bool(d.Usage.Login)
	w.Bool(d.Usage.Operation)
	w.Time(d.CreatedAt)
	w.Time(d.ActivatedAt)
	w.Int(d.LastStep)
}

func readDevice(r *codec.Reader, accountID string) *deviceRecord {
	if !r.Bool() {
		return nil
	}
	return &deviceRecord{
		ID: r.String(), AccountID: accountID, Kind: Kind(r.String()), Serial: r.String(),
		Algorithm: Algorithm(r.String()), Digits: int(r.Int()), Period: time.Duration(r.Int()),
		Secret:    Sealed{KeyID: r.String(), Ciphertext: r.Bytes()},
		Usage:     Usage{Login: r.Bool(), Operation: r.Bool()},
		CreatedAt: r.Time(), ActivatedAt: r.Time(), LastStep: r.Int(),
	}
}

// valid reports whether a decoded device (or none) can be used without
// dividing by zero or reading out of range.
func (d *deviceRecord) valid() bool {
	return d == nil || d.ID != "" && validParams(d.Digits, d.Period)
}

func validParams(digits int, period time.Duration) bool {
	return (digits == 6 || digits == 8) && period >= time.Second
}

func corrupt(id string) error {
	return reason.Store(fmt.Errorf("mfa: document %s: %w", id, codec.ErrCorrupt))
}

// changeAccount applies change to d and writes the result over d's
// version. On a version conflict it reads the document again and applies
// change to that, so change must decide from its argument alone; an error
// from change is returned as is and nothing is written. It returns the
// document as written.
func (m *Manager) changeAccount(ctx context.Context, d accountDoc, change func(*accountDoc) error) (accountDoc, error) {
	for range maxWrites {
		next := d
		if err := change(&next); err != nil {
			return d, err
		}
		next.version = d.version + 1
		ok, err := m.store.PutDocument(ctx, state.Document{ID: d.id, Version: next.version, Data: next.encode()})
		if err != nil {
			return d, reason.Store(err)
		}
		if ok {
			return next, nil
		}
		if d, err = m.loadAccount(ctx, d.accountID); err != nil {
			return d, err
		}
	}
	return d, reason.Store(errContended)
}

// putPending makes rec the account's pending enrolment, replacing any
// earlier one, unless the account has an active device (ErrAlreadyBound).
func (m *Manager) putPending(ctx context.Context, d accountDoc, rec deviceRecord) error {
	_, err := m.changeAccount(ctx, d, func(n *accountDoc) error {
		if n.active != nil {
			return ErrAlreadyBound
		}
		n.pending = &rec
		return nil
	})
	return err
}

// activate makes rec the account's active device unless it has one
// (ErrAlreadyBound), and drops the pending enrolment if it is rec.
func (m *Manager) activate(ctx context.Context, d accountDoc, rec deviceRecord) error {
	_, err := m.changeAccount(ctx, d, func(n *accountDoc) error {
		if n.active != nil {
			return ErrAlreadyBound
		}
		n.active = &rec
		if n.pending != nil && n.pending.ID == rec.ID {
			n.pending = nil
		}
		return nil
	})
	return err
}

// spendStep records step as the last accepted step of the active device
// of d, if it still is the active device and step is later than its last
// accepted step; otherwise it returns errReplayedCode. Of concurrent calls
// with one step, one wins: the others find the step taken when they read
// again. A hardware device's step is kept on its token (tok); the account's
// document is read again afterwards, so that a device unbound meanwhile
// accepts nothing. It returns the account's document as last read.
func (m *Manager) spendStep(ctx context.Context, d accountDoc, tok tokenDoc, step int64) (accountDoc, error) {
	dev := d.active
	if dev.Kind != Hardware {
		return m.changeAccount(ctx, d, func(n *accountDoc) error {
			if n.active == nil || n.active.ID != dev.ID || step <= n.active.LastStep {
				return errReplayedCode
			}
			a := *n.active
			a.LastStep = step
			n.active = &a
			return nil
		})
	}
	holder := m.accountTag(d.accountID)
	if _, err := m.changeToken(ctx, tok, func(n *tokenDoc) error {
		if n.holder != holder || step <= n.lastStep {
			return errReplayedCode
		}
		n.lastStep = step
		return nil
	}); err != nil {
		return d, err
	}
	d, err := m.loadAccount(ctx, d.accountID)
	if err != nil {
		return d, err
	}
	if d.active == nil || d.active.ID != dev.ID {
		return d, errReplayedCode // unbound meanwhile; the step stays spent
	}
	return d, nil
}

// deleteDevice removes the account's active device if it is deviceID,
// with the backup codes, in one write. ok reports whether it did.
func (m *Manager) deleteDevice(ctx context.Context, d accountDoc, deviceID string) (ok bool, err error) {
	var gone Sealed
	_, err = m.changeAccount(ctx, d, func(n *accountDoc) error {
		if n.active == nil || n.active.ID != deviceID {
			return ErrNotBound
		}
		gone = n.active.Secret
		n.active, n.codes = nil, nil
		return nil
	})
	if err == nil {
		m.hmacs.evict(gone)
	}
	if errors.Is(err, ErrNotBound) {
		return false, nil
	}
	return err == nil, err
}

// replaceBackupCodes replaces the account's whole set of backup-code
// hashes, made for the device deviceID; ErrNotBound when that device is no
// longer the active one.
func (m *Manager) replaceBackupCodes(ctx context.Context, d accountDoc, deviceID string, hashes [][]byte) error {
	_, err := m.changeAccount(ctx, d, func(n *accountDoc) error {
		if n.active == nil || n.active.ID != deviceID {
			return ErrNotBound
		}
		n.codes = hashes
		return nil
	})
	return err
}

// consumeBackupCode removes hash from the account's set if it is there,
// comparing in constant time, while deviceID is the active device. ok
// reports whether it was; left is the number of hashes left. Of concurrent
// calls with one hash, at most one gets ok.
func (m *Manager) consumeBackupCode(ctx context.Context, d accountDoc, deviceID string, hash []byte) (ok bool, left int, err error) {
	d, err = m.changeAccount(ctx, d, func(n *accountDoc) error {
		if n.active == nil || n.active.ID != deviceID {
			return errNoBackupCode
		}
		at := -1
		for i, h := range n.codes {
			if subtle.ConstantTimeCompare(h, hash) == 1 {
				at = i
			}
		}
		if at < 0 {
			return errNoBackupCode
		}
		rest := make([][]byte, 0, len(n.codes)-1)
		rest = append(rest, n.codes[:at]...)
		n.codes = append(rest, n.codes[at+1:]...)
		return nil
	})
	switch {
	case errors.Is(err, errNoBackupCode):
		return false, 0, nil
	case err != nil:
		return false, 0, err
	}
	return true, len(d.codes), nil
}

// ---- token documents ----

// tokenDoc is a hardware token's document as read at version.
type tokenDoc struct {
	id      string
	version int64
	rec     tokenRecord
	// holder is the tag (accountTag) of the account the token is bound
	// to; empty when unbound.
	holder string
	// lastStep is the last step accepted from the token, for whichever
	// account (-1 when none): it outlives bindings, so that a code spent
	// by one account cannot bind the token to another.
	lastStep int64
}

// loadToken reads the document of the token with the (normalised) serial.
func (m *Manager) loadToken(ctx context.Context, serial string) (tokenDoc, bool, error) {
	t := tokenDoc{id: tokenDocPrefix + serial}
	doc, found, err := m.store.GetDocument(ctx, t.id)
	if err != nil {
		return tokenDoc{}, false, reason.Store(err)
	}
	if !found {
		return tokenDoc{}, false, nil
	}
	r, v := codec.Read(doc.Data)
	if v != tokenDocV1 {
		return tokenDoc{}, false, corrupt(t.id)
	}
	t.version = doc.Version
	t.rec = tokenRecord{
		Serial: serial, Algorithm: Algorithm(r.String()), Digits: int(r.Int()), Period: time.Duration(r.Int()),
		Seed: Sealed{KeyID: r.String(), Ciphertext: r.Bytes()}, ImportedAt: r.Time(),
	}
	t.holder = r.String()
	t.lastStep = r.Int()
	if r.Err() != nil || !validParams(t.rec.Digits, t.rec.Period) {
		return tokenDoc{}, false, corrupt(t.id)
	}
	return t, true, nil
}

func (t tokenDoc) encode() []byte {
	w := codec.NewWriter(tokenDocV1, 160+len(t.rec.Seed.Ciphertext)+len(t.holder))
	w.String(string(t.rec.Algorithm))
	w.Int(int64(t.rec.Digits))
	w.Int(int64(t.rec.Period))
	w.String(t.rec.Seed.KeyID)
	w.Bytes(t.rec.Seed.Ciphertext)
	w.Time(t.rec.ImportedAt)
	w.String(t.holder)
	w.Int(t.lastStep)
	return w.Done()
}

// importToken stores a new token document; ok is false when the serial
// number exists.
func (m *Manager) importToken(ctx context.Context, rec tokenRecord) (ok bool, err error) {
	t := tokenDoc{id: tokenDocPrefix + rec.Serial, version: 1, rec: rec, lastStep: -1}
	ok, err = m.store.PutDocument(ctx, state.Document{ID: t.id, Version: 1, Data: t.encode()})
	if err != nil {
		return false, reason.Store(err)
	}
	return ok, nil
}

// changeToken is changeAccount for a token document.
func (m *Manager) changeToken(ctx context.Context, t tokenDoc, change func(*tokenDoc) error) (tokenDoc, error) {
	for range maxWrites {
		next := t
		if err := change(&next); err != nil {
			return t, err
		}
		next.version = t.version + 1
		ok, err := m.store.PutDocument(ctx, state.Document{ID: t.id, Version: next.version, Data: next.encode()})
		if err != nil {
			return t, reason.Store(err)
		}
		if ok {
			return next, nil
		}
		found := false
		if t, found, err = m.loadToken(ctx, t.rec.Serial); err != nil {
			return t, err
		} else if !found {
			return t, reason.Store(fmt.Errorf("mfa: hardware token %s: document vanished", next.rec.Serial))
		}
	}
	return t, reason.Store(errContended)
}

// claimToken binds the token to the account with the tag holder at step:
// it must be unbound, or, when held is true, already bound to holder (left
// over from a failed release). ErrTokenTaken otherwise; errReplayedCode
// when step is not after the token's last accepted step.
func (m *Manager) claimToken(ctx context.Context, t tokenDoc, holder string, held bool, step int64) (tokenDoc, error) {
	return m.changeToken(ctx, t, func(n *tokenDoc) error {
		if held && n.holder != holder || !held && n.holder != "" {
			return ErrTokenTaken
		}
		if step <= n.lastStep {
			return errReplayedCode
		}
		n.holder, n.lastStep = holder, step
		return nil
	})
}

// releaseToken unbinds the token if the account with the tag holder holds
// it. Its last accepted step stays.
func (m *Manager) releaseToken(ctx context.Context, t tokenDoc, holder string) error {
	_, err := m.changeToken(ctx, t, func(n *tokenDoc) error {
		if n.holder != holder {
			return errNotHeld
		}
		n.holder = ""
		return nil
	})
	if errors.Is(err, errNotHeld) {
		return nil
	}
	return err
}

// errNotHeld stops releaseToken when there is nothing to release.
var errNotHeld = errors.New("token not held by the account")
