package mfa

import (
	"bytes"
	"crypto/rand"
	"encoding/binary"
	"fmt"
	"hash"
	"log/slog"
	"reflect"
	"strings"
	"testing"
	"time"
)

// These benchmarks split BenchmarkVerify's cost into its parts.

// BenchmarkMatchWindow is the HMAC arithmetic of one verification: three
// HOTP values (±1 step) compared in constant time.
func BenchmarkMatchWindow(b *testing.B) {
	key := []byte("12345678901234567890")
	now := stepAt(time.Unix(1234567890, 0), 30*time.Second)
	var buf [8]byte
	code := string(newOTP(SHA1, key, 6).code(uint64(now), buf[:]))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		o := newOTP(SHA1, key, 6)
		if s, _ := o.match(code, now, 1, -1); s != now {
			b.Fatal(s)
		}
	}
}

// BenchmarkOpenSealed is opening an AES-256-GCM sealed 20-byte secret.
func BenchmarkOpenSealed(b *testing.B) {
	ring, err := NewStaticKeyring("k", map[string][]byte{"k": bytes.Repeat([]byte{1}, 32)})
	if err != nil {
		b.Fatal(err)
	}
	s, err := seal(ring, rand.Reader, make([]byte, 20), deviceAD("dev"))
	if err != nil {
		b.Fatal(err)
	}
	ad := deviceAD("dev")
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := open(ring, s, ad); err != nil {
			b.Fatal(err)
		}
	}
}

func TestStepAt(t *testing.T) {
	for _, tc := range []struct {
		unix int64
		want int64
	}{{0, 0}, {29, 0}, {30, 1}, {59, 1}, {-1, -1}, {-30, -1}, {-31, -2}} {
		if got := stepAt(time.Unix(tc.unix, 0), 30*time.Second); got != tc.want {
			t.Errorf("stepAt(%d) = %d, want %d", tc.unix, got, tc.want)
		}
	}
}

func TestMatch(t *testing.T) {
	o := newOTP(SHA1, []byte("12345678901234567890"), 6)
	var buf [8]byte
	code := string(o.code(100, buf[:]))
	// The code of step 100, checked at 101 with skew 1.
	if s, r := o.match(code, 101, 1, 99); s != 100 || r {
		t.Fatalf("match = %d, %v", s, r)
	}
	if s, r := o.match(code, 101, 1, 100); s != -1 || !r {
		t.Fatalf("at last step: match = %d, %v; want replayed", s, r)
	}
	if s, r := o.match(code, 101, 1, 101); s != -1 || !r {
		t.Fatalf("after a later step: match = %d, %v; want replayed", s, r)
	}
	if s, r := o.match(code, 102, 1, -1); s != -1 || r {
		t.Fatalf("outside the window: match = %d, %v; want wrong", s, r)
	}
	// Steps below zero are never computed.
	if s, _ := o.match(string(o.code(0, buf[:])), 0, 3, -1); s != 0 {
		t.Fatalf("step 0: %d", s)
	}
}

// TestMatchTakesTheEarliestNewStep uses one-digit codes, which repeat
// often, to check what happens when a code matches two steps of the window.
func TestMatchTakesTheEarliestNewStep(t *testing.T) {
	o := newOTP(SHA1, []byte("12345678901234567890"), 1)
	var a, b [8]byte
	s := int64(1000)
	for string(o.code(uint64(s), a[:])) != string(o.code(uint64(s+1), b[:])) {
		s++
	}
	code := string(o.code(uint64(s), a[:]))
	// Checked at s+1 after step s-1 was used: both s and s+1 match.
	got, replayed := o.match(code, s+1, 1, s-1)
	if got != s || replayed {
		t.Fatalf("match = %d, %v; want %d", got, replayed, s)
	}
	// After s was used, the same digit is the code of s+1, and is accepted.
	got, replayed = o.match(code, s+1, 1, s)
	if got != s+1 || replayed {
		t.Fatalf("match = %d, %v; want %d", got, replayed, s+1)
	}
}

// TestScanUvarintIsBinaryUvarint checks the in-place reader against
// encoding/binary on every length, truncated input and the overflows
// binary.Uvarint refuses.
func TestScanUvarintIsBinaryUvarint(t *testing.T) {
	inputs := [][]byte{
		{}, {0x80}, {0xff, 0xff}, {0x7f}, {0x80, 0x01},
		{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01},
		{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02},
		{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01},
		{0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00},
	}
	for _, v := range []uint64{0, 1, 127, 128, 300, 1<<21 - 1, 1 << 35, 30e9, 1<<63 + 5, ^uint64(0)} {
		b := binary.AppendUvarint(nil, v)
		inputs = append(inputs, b, append(b, 0x05), b[:len(b)-1])
	}
	for _, in := range inputs {
		x, k := binary.Uvarint(in)
		s := scan{b: in}
		got := s.uvarint()
		if k <= 0 {
			if !s.bad || got != 0 {
				t.Errorf("% x: read %d (bad %v), binary.Uvarint refuses it", in, got, s.bad)
			}
			continue
		}
		if s.bad || got != x || s.off != k {
			t.Errorf("% x: read %d up to %d (bad %v), binary.Uvarint %d up to %d", in, got, s.off, s.bad, x, k)
		}
	}
}

// BenchmarkCachedWindow is the HMAC arithmetic of a verification whose key
// states are cached: a pooled HMAC keyed with them, three HOTP values (±1
// step) compared in constant time, the HMAC wiped and given back.
func BenchmarkCachedWindow(b *testing.B) {
	key := []byte("12345678901234567890")
	now := stepAt(time.Unix(1234567890, 0), 30*time.Second)
	var buf [8]byte
	code := string(newOTP(SHA1, key, 6).code(uint64(now), buf[:]))
	f := newFastHMAC(SHA1.newHash())
	f.setKey(key)
	inner, outer := bytes.Clone(f.innerSaved), bytes.Clone(f.outSaved)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		o := getOTP(SHA1, 6)
		o.mac.(*fastHMAC).useStates(inner, outer)
		s, _ := o.match(code, now, 1, -1)
		putOTP(SHA1, o)
		if s != now {
			b.Fatal(s)
		}
	}
}

// TestMatchAgreesWithTheCodes checks the numeric comparison of match
// against the codes as text, on the pooled HMAC and on crypto/hmac, for 6
// and 8 digits: every code of the window matches its step, and codes that
// are not digits never match, even where their digit values would.
func TestMatchAgreesWithTheCodes(t *testing.T) {
	key := []byte("12345678901234567890")
	for _, digits := range []int{6, 8} {
		pooled := getOTP(SHA1, digits)
		pooled.mac.(*fastHMAC).setKey(key)
		for _, o := range []*otp{newOTP(SHA1, key, digits), pooled} {
			var buf [8]byte
			for now := int64(1000); now < 1100; now++ {
				for s := now - 1; s <= now+1; s++ {
					code := string(o.code(uint64(s), buf[:]))
					if got, replayed := o.match(code, now, 1, -1); got > s || got < now-1 || replayed {
						t.Fatalf("%d digits: code %s of step %d at %d: match = %d, %v", digits, code, s, now, got, replayed)
					}
				}
				// ':' is '0'+10: "…0:" read as digits would be the value of "…10".
				code := []byte(o.code(uint64(now), buf[:]))
				if code[digits-2] == '1' && code[digits-1] == '0' {
					code[digits-2], code[digits-1] = '0', ':'
					if got, _ := o.match(string(code), now, 1, -1); got != -1 {
						t.Fatalf("%q matched step %d", code, got)
					}
				}
				for _, bad := range []string{"", "1", string(code[:digits-1]) + "/", string(code) + "0"} {
					if got, replayed := o.match(bad, now, 1, -1); got != -1 || replayed {
						t.Fatalf("%q: match = %d, %v", bad, got, replayed)
					}
				}
			}
		}
		putOTP(SHA1, pooled)
	}
	// RFC 4226 appendix D through the pooled HMAC.
	o := getOTP(SHA1, 6)
	defer putOTP(SHA1, o)
	o.mac.(*fastHMAC).setKey(key)
	for i, want := range []string{"755224", "287082", "359152", "969429", "338314", "254676", "287922", "162583", "399871", "520489"} {
		var buf [8]byte
		if got := string(o.code(uint64(i), buf[:])); got != want {
			t.Errorf("HOTP(%d) = %s, want %s", i, got, want)
		}
		if got, _ := o.match(want, int64(i), 0, -1); got != int64(i) {
			t.Errorf("match(%s, %d) = %d", want, i, got)
		}
	}
}

// TestRemainingParamIsTheInt checks that the shared boxes are the plain
// int values, inside and outside the boxed range, and that the boxed range
// does not allocate.
func TestRemainingParamIsTheInt(t *testing.T) {
	for _, n := range []int{0, 1, 255, 256, 999, len(boxedRemaining) - 1, len(boxedRemaining), 1 << 20} {
		v := remainingParam(n)
		if got, ok := v.(int); !ok || got != n || v != any(n) {
			t.Errorf("remainingParam(%d) = %#v", n, v)
		}
	}
	var sink any
	if a := testing.AllocsPerRun(100, func() { sink = remainingParam(777) }); a != 0 {
		t.Errorf("remainingParam allocates %v times", a)
	}
	_ = sink
}

// TestPooledHMACPrintsNoKeyState: a keyed HMAC and the otp holding it
// print none of their key states, whatever the verb or form.
func TestPooledHMACPrintsNoKeyState(t *testing.T) {
	o := getOTP(SHA1, 6)
	defer putOTP(SHA1, o)
	f := o.mac.(*fastHMAC)
	f.setKey([]byte("12345678901234567890"))
	var buf [8]byte
	o.code(1, buf[:])
	states := []string{fmt.Sprintf("%x", f.innerSaved[4:24]), fmt.Sprintf("%x", f.outSaved[4:24]), fmt.Sprintf("%x", f.state[4:24])}
	var logged bytes.Buffer
	log := slog.New(slog.NewTextHandler(&logged, nil))
	for _, v := range []any{o, *o, f, *f} {
		log.Info("x", "v", v)
		for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%x", "%q"} {
			out := fmt.Sprintf(verb, v) + logged.String()
			for _, st := range states {
				if strings.Contains(out, st) || strings.Contains(fmt.Sprintf("%x", out), st) {
					t.Fatalf("%s of %T shows a key state: %s", verb, v, out)
				}
			}
		}
	}
}

// TestLongKeyLeavesNoTailInTheDigest: a key longer than the hash's block is
// hashed first; the digest's buffer, which a Reset does not clear, keeps no
// part of it once the HMAC is keyed, nor once it is wiped.
func TestLongKeyLeavesNoTailInTheDigest(t *testing.T) {
	for _, alg := range []Algorithm{SHA1, SHA256, SHA512} {
		t.Run(string(alg), func(t *testing.T) {
			f := newFastHMAC(alg.newHash())
			key := bytes.Repeat([]byte("0123456789abcdef"), 12)[:len(f.pad)+37] // one block and a tail
			tail := key[len(f.pad):]
			buffers := func() []byte {
				var out []byte
				for _, d := range []hash.Hash{f.inner, f.outer} {
					x := reflect.ValueOf(d).Elem().FieldByName("x")
					if !x.IsValid() {
						t.Fatalf("%T has no buffer field x", d)
					}
					for i := range x.Len() {
						out = append(out, byte(x.Index(i).Uint()))
					}
				}
				return out
			}
			f.setKey(key)
			if bytes.Contains(buffers(), tail[:16]) {
				t.Fatal("the digest's buffer holds the key's tail after setKey")
			}
			f.wipe()
			if bytes.Contains(buffers(), tail[:16]) {
				t.Fatal("the digest's buffer holds the key's tail after wipe")
			}
		})
	}
}
