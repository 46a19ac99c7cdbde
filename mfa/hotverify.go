package mfa

import (
	"context"
	"encoding/binary"
	"math/bits"
	"strconv"
	"time"
	"unsafe"

	"github.com/accountsec/accountsec/event"
	"github.com/accountsec/accountsec/internal/codec"
	"github.com/accountsec/accountsec/reason"
	"github.com/accountsec/accountsec/state"
)

// The verification of a virtual device reads the account's document in
// place (no decoded copy of its devices or backup codes) and writes the
// advanced step as the same bytes with the step's varint replaced: one
// allocation for the new document, which the store may keep. Anything else
// (a hardware device, a document written some other way, a lost
// compare-and-set) takes the general path.

// rawAccount is an account document decoded in place: strings and the
// sealed ciphertext share the payload's memory, which is never modified.
type rawAccount struct {
	active deviceRecord
	// step is where the active device's LastStep varint starts in the
	// payload, stepLen its length.
	step, stepLen int
}

// uvarintLen is the length of the uvarint encoding of x.
func uvarintLen(x uint64) int { return (bits.Len64(x|1) + 6) / 7 }

// varintLen is the length of the varint encoding of x.
func varintLen(x int64) int {
	ux := uint64(x) << 1
	if x < 0 {
		ux = ^ux
	}
	return uvarintLen(ux)
}

func strLen(s string) int { return uvarintLen(uint64(len(s))) + len(s) }

// readRawDevice reads a device as writeDevice writes it into d (strings
// shared with the payload) and returns whether there is one, the shortest
// length its fields can be encoded in, and that length up to its LastStep.
func readRawDevice(r *codec.Reader, accountID string, d *deviceRecord) (present bool, n, upToStep int) {
	if !r.Bool() {
		return false, 1, 0
	}
	d.ID, d.AccountID = r.String(), accountID
	d.Kind, d.Serial, d.Algorithm = Kind(r.String()), r.String(), Algorithm(r.String())
	digits, period := r.Int(), r.Int()
	d.Digits, d.Period = int(digits), time.Duration(period)
	d.Secret.KeyID = r.String()
	ct := r.String()
	d.Secret.Ciphertext = unsafe.Slice(unsafe.StringData(ct), len(ct)) // read only
	d.Usage = Usage{Login: r.Bool(), Operation: r.Bool()}
	created, activated := r.Int(), r.Int()
	d.LastStep = r.Int()
	upToStep = 1 + strLen(d.ID) + strLen(string(d.Kind)) + strLen(d.Serial) + strLen(string(d.Algorithm)) +
		varintLen(digits) + varintLen(period) + strLen(d.Secret.KeyID) + strLen(ct) + 2 +
		varintLen(created) + varintLen(activated)
	return true, upToStep + varintLen(d.LastStep), upToStep
}

// readRaw decodes an account document in place. ok is false when the
// payload is not one that accountDoc.encode would write (corrupt, or
// encoded with longer varints than needed): the general path then decides.
func readRaw(data []byte, accountID string) (a rawAccount, hasActive, ok bool) {
	r, v := codec.Read(data)
	if v != accountDocV1 {
		return a, false, false
	}
	var pending deviceRecord
	hasPending, n, _ := readRawDevice(&r, accountID, &pending)
	hasActive, na, upTo := readRawDevice(&r, accountID, &a.active)
	a.step, a.stepLen = 1+n+upTo, varintLen(a.active.LastStep)
	n += 1 + na
	codes := r.Int()
	if codes < 0 || codes > maxBackupHashes {
		return a, false, false
	}
	n += varintLen(codes)
	for range codes {
		n += strLen(r.String())
	}
	if r.Err() != nil || n != len(data) ||
		hasPending && !pending.valid() || hasActive && !a.active.valid() {
		return a, false, false
	}
	return a, hasActive, true
}

// withStep returns data, a document readRaw read as a, with the active
// device's last step replaced by step.
func (a *rawAccount) withStep(data []byte, step int64) []byte {
	out := make([]byte, 0, len(data)+binary.MaxVarintLen64)
	out = append(out, data[:a.step]...)
	out = binary.AppendVarint(out, step)
	return append(out, data[a.step+a.stepLen:]...)
}

// verifyFast is Verify: for a virtual device on a document in the usual
// encoding it verifies in place; anything else goes the general way.
func (m *Manager) verifyFast(ctx context.Context, accountID, code string) (Verification, error) {
	id := m.accountDocID(accountID)
	doc, found, err := m.store.GetDocument(ctx, id)
	if err != nil {
		return Verification{}, reason.Store(err)
	}
	if !found {
		return Verification{}, ErrNotBound
	}
	raw, hasActive, ok := readRaw(doc.Data, accountID)
	switch {
	case ok && !hasActive:
		return Verification{}, ErrNotBound
	case !ok || raw.active.Kind != Virtual:
		d, err := m.decodeAccount(id, accountID, doc)
		if err != nil {
			return Verification{}, err
		}
		if d.active == nil {
			return Verification{}, ErrNotBound
		}
		v, _, err := m.verifyDevice(ctx, d, code)
		return v, err
	}
	dev := &raw.active
	c := candidateOf(*dev, dev.LastStep)
	step, err := m.attempt(ctx, c, code, func(step int64) error {
		return m.spendRaw(ctx, doc, &raw, step)
	})
	if err != nil {
		return Verification{}, err
	}
	if m.events != nil {
		m.emit(ctx, event.MFAVerified, accountID, *dev, map[string]string{"step": strconv.FormatInt(step, 10)})
	}
	return Verification{DeviceID: dev.ID, Kind: dev.Kind, Step: step, At: m.now()}, nil
}

// spendRaw is spendStep for the virtual device of doc, read in place as
// raw: one compare-and-set over the version read, which had an earlier
// last step (match checked it). When another write landed in between, it
// falls back to spendStep on the document as it now is.
func (m *Manager) spendRaw(ctx context.Context, doc state.Document, raw *rawAccount, step int64) error {
	if step <= raw.active.LastStep {
		return errReplayedCode
	}
	ok, err := m.store.PutDocument(ctx, state.Document{ID: doc.ID, Version: doc.Version + 1, Data: raw.withStep(doc.Data, step)})
	if err != nil {
		return reason.Store(err)
	}
	if ok {
		return nil
	}
	d, err := m.loadAccount(ctx, raw.active.AccountID)
	if err != nil {
		return err
	}
	if d.active == nil || d.active.ID != raw.active.ID {
		return errReplayedCode // unbound or replaced meanwhile
	}
	_, err = m.spendStep(ctx, d, tokenDoc{}, step)
	return err
}
