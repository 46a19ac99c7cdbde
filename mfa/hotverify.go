package mfa

import (
	"context"
	"encoding/binary"
	"strconv"
	"time"
	"unsafe"

	"github.com/accountsec/accountsec/event"
	"github.com/accountsec/accountsec/reason"
	"github.com/accountsec/accountsec/state"
)

// The verification of a virtual device reads the account's document in
// place (no decoded copy of its devices or backup codes) and writes the
// advanced step as the same bytes with the step's varint replaced: one
// allocation for the new document, which the store may keep. Anything else
// (a hardware device, a document that does not decode, a lost
// compare-and-set) takes the general path.

// rawAccount is an account document decoded in place: strings and the
// sealed ciphertext share the payload's memory, which is never modified.
type rawAccount struct {
	active deviceRecord
	// step is where the active device's LastStep varint starts in the
	// payload, stepLen its length.
	step, stepLen int
}

// scan reads the fields of a payload the way codec.Reader does (a uvarint
// length before a string, varints, one byte 0 or 1 for a bool) and knows
// where it is, so that a field can be replaced in place. The first error
// sticks: later reads return zero values.
type scan struct {
	b   []byte
	off int
	bad bool
}

func (s *scan) fail() { s.bad, s.off = true, len(s.b) }

// uvarint reads a uvarint; one byte, the usual case, is read inline.
func (s *scan) uvarint() uint64 {
	if s.off < len(s.b) {
		if c := s.b[s.off]; c < 0x80 {
			s.off++
			return uint64(c)
		}
	}
	return s.uvarintLong()
}

// uvarintLong reads a uvarint of any length as binary.Uvarint does: at
// most binary.MaxVarintLen64 bytes, the last of them at most 1.
func (s *scan) uvarintLong() uint64 {
	var x uint64
	b := s.b[s.off:]
	for i := 0; i < len(b) && i < binary.MaxVarintLen64; i++ {
		c := b[i]
		if c < 0x80 {
			if i == binary.MaxVarintLen64-1 && c > 1 {
				break // overflow
			}
			s.off += i + 1
			return x | uint64(c)<<(7*i)
		}
		x |= uint64(c&0x7f) << (7 * i)
	}
	s.fail()
	return 0
}

// int reads a varint; one byte is read inline.
func (s *scan) int() int64 {
	if s.off < len(s.b) {
		if c := s.b[s.off]; c < 0x80 {
			s.off++
			return unzigzag(uint64(c))
		}
	}
	return unzigzag(s.uvarintLong())
}

// unzigzag decodes a varint's zig-zag encoding.
func unzigzag(ux uint64) int64 { return int64(ux>>1) ^ -int64(ux&1) }

// str reads a string, sharing the payload's memory. A length of one byte
// (1 to 127) is read inline.
func (s *scan) str() string {
	i := s.off
	if i < len(s.b) {
		if n := uint(s.b[i]); n-1 < 0x7f && n < uint(len(s.b)-i) { // 1 <= n <= 127, in the payload
			s.off = i + 1 + int(n)
			return unsafe.String(&s.b[i+1], int(n))
		}
	}
	return s.strLong()
}

// strLong is str for a longer, empty or overlong string.
func (s *scan) strLong() string {
	n := s.uvarint()
	if n == 0 || n > uint64(len(s.b)-s.off) {
		return s.badStr(n)
	}
	p := s.b[s.off : s.off+int(n)]
	s.off += int(n)
	return unsafe.String(&p[0], len(p))
}

// badStr is str for an empty or overlong string.
func (s *scan) badStr(n uint64) string {
	if n != 0 {
		s.fail()
	}
	return ""
}

// flag reads a bool.
func (s *scan) flag() bool {
	if s.off >= len(s.b) || s.b[s.off] > 1 {
		s.fail()
		return false
	}
	s.off++
	return s.b[s.off-1] == 1
}

// device reads a device as writeDevice writes it into d (strings shared
// with the payload) and returns whether there is one and where its
// LastStep starts.
func (s *scan) device(accountID string, d *deviceRecord) (present bool, step int) {
	if !s.flag() {
		return false, 0
	}
	d.ID, d.AccountID = s.str(), accountID
	d.Kind, d.Serial, d.Algorithm = Kind(s.str()), s.str(), Algorithm(s.str())
	d.Digits, d.Period = int(s.int()), time.Duration(s.int())
	d.Secret.KeyID = s.str()
	ct := s.str()
	d.Secret.Ciphertext = unsafe.Slice(unsafe.StringData(ct), len(ct)) // read only
	d.Usage.Login, d.Usage.Operation = s.flag(), s.flag()
	s.int() // CreatedAt
	s.int() // ActivatedAt
	step = s.off
	d.LastStep = s.int()
	return true, step
}

// readRaw decodes an account document in place. ok is false when it does
// not decode (loadAccount then reports it corrupt); it checks what
// loadAccount checks.
func readRaw(data []byte, accountID string, a *rawAccount) (hasActive, ok bool) {
	if len(data) == 0 || data[0] != accountDocV1 {
		return false, false
	}
	s := scan{b: data, off: 1}
	var pending deviceRecord
	hasPending, _ := s.device(accountID, &pending)
	hasActive, a.step = s.device(accountID, &a.active)
	a.stepLen = s.off - a.step
	codes := s.int()
	if codes < 0 || codes > maxBackupHashes {
		return false, false
	}
	for range codes {
		s.str()
	}
	if s.bad || s.off != len(data) ||
		hasPending && !pending.valid() || hasActive && !a.active.valid() {
		return false, false
	}
	return hasActive, true
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
	var raw rawAccount
	hasActive, ok := readRaw(doc.Data, accountID, &raw)
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
	c := candidateOf(raw.active, raw.active.LastStep)
	dev := &c.dev
	step, err := m.attempt(ctx, &c, code, func(step int64) error {
		return m.spendRaw(ctx, doc, &raw, step)
	})
	if err != nil {
		return Verification{}, err
	}
	if m.events != nil {
		m.emit(ctx, event.MFAVerified, accountID, *dev, map[string]string{"step": strconv.FormatInt(step, 10)})
	}
	return Verification{DeviceID: dev.ID, Kind: dev.Kind, Step: step, At: c.at}, nil
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
