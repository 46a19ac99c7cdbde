package mfa

import (
	"bytes"
	"crypto/hmac"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/accountsec/accountsec/state"
)

// TestFastHMACMatchesCryptoHMAC: both ways of keying (the key itself, the
// cached states of another instance) and both ways of summing (generic,
// sumShort) give crypto/hmac's MAC, for every algorithm and for keys
// shorter and longer than a block.
func TestFastHMACMatchesCryptoHMAC(t *testing.T) {
	for _, alg := range []Algorithm{SHA1, SHA256, SHA512} {
		for _, n := range []int{1, 20, 32, 64, 65, 129} {
			key := bytes.Repeat([]byte{byte(n)}, n)
			keyed := newFastHMAC(alg.newHash())
			keyed.setKey(key)
			cached := newFastHMAC(alg.newHash())
			cached.useStates(append([]byte(nil), keyed.innerSaved...), append([]byte(nil), keyed.outSaved...))
			for _, msg := range [][]byte{{}, {1, 2, 3, 4, 5, 6, 7, 8}, bytes.Repeat([]byte{9}, 32)} {
				ref := hmac.New(alg.newHash(), key)
				ref.Write(msg)
				want := ref.Sum(nil)
				for name, f := range map[string]*fastHMAC{"keyed": keyed, "cached": cached} {
					f.Reset()
					f.Write(msg)
					assert.Equal(t, want, f.Sum(nil), "%s %s key %d msg %d: Sum", alg, name, n, len(msg))
					if f.direct {
						assert.Equal(t, want, f.sumShort(nil, msg), "%s %s key %d msg %d: sumShort", alg, name, n, len(msg))
					}
				}
			}
			assert.Equal(t, alg != SHA512, keyed.direct, alg)
		}
	}
}

// TestReadRawAndWithStepAgreeWithTheCodec: the in-place reading finds what
// loadAccount decodes, and the spliced document is what encode writes.
func TestReadRawAndWithStepAgreeWithTheCodec(t *testing.T) {
	sealed := Sealed{KeyID: "k1", Ciphertext: bytes.Repeat([]byte{0xc3}, 48)}
	at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	active := deviceRecord{
		ID: "dev1", AccountID: "acct", Kind: Virtual, Algorithm: SHA1, Digits: 6, Period: 30 * time.Second,
		Secret: sealed, Usage: Usage{Login: true}, CreatedAt: at, ActivatedAt: at, LastStep: -1,
	}
	d := accountDoc{id: "mfa/account/x", accountID: "acct", version: 3, active: &active}
	pending := *d.active
	pending.ID, pending.ActivatedAt = "dev2", time.Time{}
	for _, tc := range []struct {
		name    string
		pending *deviceRecord
		codes   [][]byte
		last    int64
	}{
		{"bare", nil, nil, -1},
		{"codes", nil, [][]byte{bytes.Repeat([]byte{1}, 32), bytes.Repeat([]byte{2}, 32)}, 5},
		{"pending", &pending, [][]byte{{3}}, 1 << 40},
	} {
		doc := d
		doc.pending, doc.codes = tc.pending, tc.codes
		a := *d.active
		a.LastStep = tc.last
		doc.active = &a
		data := doc.encode()
		var raw rawAccount
		hasActive, ok := readRaw(data, "acct", &raw)
		require.True(t, ok, tc.name)
		require.True(t, hasActive, tc.name)
		assert.Equal(t, a.String(), raw.active.String(), tc.name)
		for _, step := range []int64{tc.last + 1, 1 << 50} {
			a.LastStep = step
			assert.Equal(t, doc.encode(), raw.withStep(data, step), "%s step %d", tc.name, step)
		}
	}
	// A varint longer than needed (here the code count) reads as the codec
	// reads it, and the spliced document keeps it.
	data := d.encode()
	long := append(append([]byte(nil), data[:len(data)-1]...), 0x80, 0x00)
	var raw rawAccount
	hasActive, ok := readRaw(long, "acct", &raw)
	require.True(t, ok)
	require.True(t, hasActive)
	back, err := (&Manager{}).decodeAccount(d.id, "acct", state.Document{ID: d.id, Version: 1, Data: raw.withStep(long, 77)})
	require.NoError(t, err)
	assert.Equal(t, int64(77), back.active.LastStep)
	assert.Equal(t, d.active.Secret.Ciphertext, back.active.Secret.Ciphertext)

	// What the codec refuses, readRaw refuses.
	for name, bad := range map[string][]byte{
		"empty":         {},
		"version":       append([]byte{9}, data[1:]...),
		"truncated":     data[:len(data)-3],
		"trailing":      append(append([]byte(nil), data...), 0),
		"bool":          append([]byte{accountDocV1, 2}, data[2:]...),
		"string length": append([]byte{accountDocV1, 0, 1, 0x7f}, data[4:]...),
	} {
		_, ok := readRaw(bad, "acct", &raw)
		assert.False(t, ok, name)
		_, err := (&Manager{}).decodeAccount(d.id, "acct", state.Document{ID: d.id, Version: 1, Data: bad})
		assert.Error(t, err, name)
	}
}

// TestHMACCachePrintsNoKeyMaterial: neither the cache nor an entry prints
// its key or states.
func TestHMACCachePrintsNoKeyMaterial(t *testing.T) {
	e := &hmacEntry{keyID: "k1", key: []byte("KEYKEYKEY"), inner: []byte("INNERSTATE"), outer: []byte("OUTERSTATE"), adKind: Virtual, adName: "dev1", alg: SHA1}
	kc := newHMACCache()
	kc.slots[0].Store(e)
	for _, v := range []any{e, *e, kc} {
		for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%x", "%q"} {
			out := fmt.Sprintf(verb, v)
			for _, secret := range []string{"KEYKEYKEY", "INNERSTATE", "OUTERSTATE", "4b45594b4559"} {
				assert.NotContains(t, out, secret, verb)
			}
		}
	}
}

// FuzzReadRawAgreesWithTheCodec: on any payload, readRaw accepts exactly
// what decodeAccount accepts, and reads the same active device.
func FuzzReadRawAgreesWithTheCodec(f *testing.F) {
	active := deviceRecord{
		ID: "dev1", AccountID: "acct", Kind: Virtual, Algorithm: SHA1, Digits: 6, Period: 30 * time.Second,
		Secret: Sealed{KeyID: "k1", Ciphertext: bytes.Repeat([]byte{7}, 200)}, Usage: Usage{Login: true},
		CreatedAt: time.Unix(1700000000, 5), ActivatedAt: time.Unix(1700000100, 0), LastStep: 56666666,
	}
	pending := active
	pending.ID = "dev2"
	for _, d := range []accountDoc{
		{active: &active},
		{pending: &pending, active: &active, codes: [][]byte{{1, 2}, bytes.Repeat([]byte{3}, 130)}},
		{pending: &pending},
	} {
		f.Add(d.encode())
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var raw rawAccount
		hasActive, ok := readRaw(data, "acct", &raw)
		d, err := (&Manager{}).decodeAccount("mfa/account/x", "acct", state.Document{ID: "mfa/account/x", Version: 1, Data: data})
		if ok != (err == nil) {
			t.Fatalf("readRaw ok %v, decodeAccount %v", ok, err)
		}
		if !ok {
			return
		}
		if hasActive != (d.active != nil) {
			t.Fatalf("readRaw active %v, decodeAccount %v", hasActive, d.active != nil)
		}
		if hasActive && (raw.active.String() != d.active.String() || raw.active.LastStep != d.active.LastStep ||
			!bytes.Equal(raw.active.Secret.Ciphertext, d.active.Secret.Ciphertext)) {
			t.Fatalf("readRaw read %v, decodeAccount %v", raw.active, *d.active)
		}
	})
}
