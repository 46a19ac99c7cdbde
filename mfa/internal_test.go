package mfa

import (
	"bytes"
	"crypto/rand"
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
