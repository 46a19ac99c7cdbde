package codec

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestRoundTrip(t *testing.T) {
	at := time.Date(2026, 3, 1, 9, 0, 0, 123_000_000, time.UTC)
	w := NewWriter(2, 16)
	w.String("alice")
	w.String("")
	w.Bytes([]byte{0, 1, 2})
	w.Int(-42)
	w.Bool(true)
	w.Time(at)
	w.Time(time.Time{})
	w.Strings([]string{"mfa", "sms"})
	w.Strings(nil)
	p := w.Done()

	r, v := NewReader(p)
	assert.Equal(t, byte(2), v)
	assert.Equal(t, "alice", r.String())
	assert.Equal(t, "", r.String())
	assert.Equal(t, []byte{0, 1, 2}, r.Bytes())
	assert.Equal(t, int64(-42), r.Int())
	assert.True(t, r.Bool())
	assert.True(t, at.Equal(r.Time()))
	assert.True(t, r.Time().IsZero())
	assert.Equal(t, []string{"mfa", "sms"}, r.Strings())
	assert.Nil(t, r.Strings())
	require.NoError(t, r.Err())
}

func TestCorruptPayloadsFail(t *testing.T) {
	w := NewWriter(1, 8)
	w.String("session")
	w.Int(7)
	good := w.Done()
	for name, p := range map[string][]byte{
		"empty":     nil,
		"truncated": good[:len(good)-1],
		"trailing":  append(append([]byte(nil), good...), 0),
		"long":      {1, 0xff, 0xff, 0xff, 0xff, 0x0f},
	} {
		r, _ := NewReader(p)
		_ = r.String()
		_ = r.Int()
		assert.ErrorIs(t, r.Err(), ErrCorrupt, name)
	}
	r, _ := Read([]byte{1, 2})
	assert.False(t, r.Bool(), "2 is not a boolean")
	assert.ErrorIs(t, r.Err(), ErrCorrupt)
}

// FuzzReader reads arbitrary payloads field by field: never a panic, and a
// payload that decodes re-encodes to the same bytes.
func FuzzReader(f *testing.F) {
	w := NewWriter(1, 8)
	w.String("s/abc")
	w.Int(1 << 40)
	w.Bool(false)
	w.Strings([]string{"x"})
	f.Add(w.Done())
	f.Add([]byte{})
	f.Add([]byte{1, 0x80})
	f.Fuzz(func(t *testing.T, p []byte) {
		r, v := NewReader(p)
		s := r.String()
		n := r.Int()
		b := r.Bool()
		ss := r.Strings()
		if r.Err() != nil {
			return
		}
		w := NewWriter(v, len(p))
		w.String(s)
		w.Int(n)
		w.Bool(b)
		w.Strings(ss)
		if got := w.Done(); string(got) != string(p) {
			// Varints have one shortest form; a payload that used a longer
			// one decodes but re-encodes shorter. Only the values must agree.
			r2, _ := NewReader(got)
			if r2.String() != s || r2.Int() != n || r2.Bool() != b {
				t.Fatalf("re-encoding changed the values of %x", p)
			}
		}
	})
}
