// Package codec encodes the domain packages' records into the opaque
// payloads of the state primitives: a version byte, then fields in a fixed
// order, each a uvarint length or a varint. It is small and allocation-free
// on the read side, because sessions are decoded on every request.
package codec

import (
	"encoding/binary"
	"errors"
	"time"
	"unsafe"
)

// ErrCorrupt is returned for a payload that does not decode.
var ErrCorrupt = errors.New("codec: corrupt payload")

// Writer appends fields to a payload.
type Writer struct{ b []byte }

// NewWriter starts a payload of format version v with room for size bytes.
func NewWriter(v byte, size int) *Writer {
	w := &Writer{b: make([]byte, 0, size+1)}
	w.b = append(w.b, v)
	return w
}

// String appends s.
func (w *Writer) String(s string) {
	w.b = binary.AppendUvarint(w.b, uint64(len(s)))
	w.b = append(w.b, s...)
}

// Bytes appends p.
func (w *Writer) Bytes(p []byte) {
	w.b = binary.AppendUvarint(w.b, uint64(len(p)))
	w.b = append(w.b, p...)
}

// Int appends n.
func (w *Writer) Int(n int64) { w.b = binary.AppendVarint(w.b, n) }

// Bool appends b.
func (w *Writer) Bool(b bool) {
	if b {
		w.b = append(w.b, 1)
	} else {
		w.b = append(w.b, 0)
	}
}

// Time appends t at millisecond precision (the zero time stays zero).
func (w *Writer) Time(t time.Time) {
	if t.IsZero() {
		w.Int(0)
		return
	}
	w.Int(t.UnixMilli())
}

// Strings appends ss.
func (w *Writer) Strings(ss []string) {
	w.b = binary.AppendUvarint(w.b, uint64(len(ss)))
	for _, s := range ss {
		w.String(s)
	}
}

// Done returns the payload.
func (w *Writer) Done() []byte { return w.b }

// Reader reads fields from a payload in the order they were written. The
// first error sticks: later reads return zero values and Err reports it.
// Strings it returns share the payload's memory, so the payload must not be
// modified while they are in use (state payloads never are).
type Reader struct {
	b   []byte
	err error
}

// NewReader starts reading p and returns its format version.
func NewReader(p []byte) (*Reader, byte) {
	if len(p) == 0 {
		return &Reader{err: ErrCorrupt}, 0
	}
	return &Reader{b: p[1:]}, p[0]
}

// Read is NewReader returning the reader by value, for callers that keep
// it on the stack.
func Read(p []byte) (Reader, byte) {
	if len(p) == 0 {
		return Reader{err: ErrCorrupt}, 0
	}
	return Reader{b: p[1:]}, p[0]
}

func (r *Reader) fail() { r.err, r.b = ErrCorrupt, nil }

func (r *Reader) raw() []byte {
	if r.err != nil {
		return nil
	}
	if len(r.b) > 0 && r.b[0] < 0x80 {
		// A length below 128, one byte: every field of a session.
		n := int(r.b[0])
		if n > len(r.b)-1 {
			r.fail()
			return nil
		}
		p := r.b[1 : 1+n]
		r.b = r.b[1+n:]
		return p
	}
	n, k := binary.Uvarint(r.b)
	if k <= 0 || n > uint64(len(r.b)-k) {
		r.fail()
		return nil
	}
	p := r.b[k : k+int(n)]
	r.b = r.b[k+int(n):]
	return p
}

// String reads a string without copying it.
func (r *Reader) String() string {
	p := r.raw()
	if len(p) == 0 {
		return ""
	}
	return unsafe.String(&p[0], len(p))
}

// Bytes reads a byte slice (a copy).
func (r *Reader) Bytes() []byte {
	p := r.raw()
	if p == nil {
		return nil
	}
	return append([]byte(nil), p...)
}

// Int reads an integer.
func (r *Reader) Int() int64 {
	if r.err != nil {
		return 0
	}
	n, k := binary.Varint(r.b)
	if k <= 0 {
		r.fail()
		return 0
	}
	r.b = r.b[k:]
	return n
}

// Bool reads a boolean.
func (r *Reader) Bool() bool {
	if r.err != nil {
		return false
	}
	if len(r.b) == 0 || r.b[0] > 1 {
		r.fail()
		return false
	}
	v := r.b[0] == 1
	r.b = r.b[1:]
	return v
}

// Time reads a time written by Writer.Time, in UTC.
func (r *Reader) Time() time.Time {
	ms := r.Int()
	if ms == 0 {
		return time.Time{}
	}
	return time.UnixMilli(ms).UTC()
}

// Strings reads a string slice.
func (r *Reader) Strings() []string {
	if r.err != nil {
		return nil
	}
	n, k := binary.Uvarint(r.b)
	if k <= 0 || n > uint64(len(r.b)) {
		r.fail()
		return nil
	}
	r.b = r.b[k:]
	if n == 0 {
		return nil
	}
	out := make([]string, 0, n)
	for i := uint64(0); i < n && r.err == nil; i++ {
		out = append(out, r.String())
	}
	return out
}

// Err returns the first error, or ErrCorrupt when bytes are left over.
func (r *Reader) Err() error {
	if r.err == nil && len(r.b) != 0 {
		return ErrCorrupt
	}
	return r.err
}
