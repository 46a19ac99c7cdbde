package bench

import (
	"context"
	"crypto/hmac"
	"crypto/sha1"
	"crypto/subtle"
	"encoding/base32"
	"encoding/binary"
	"errors"
	"hash"
	"testing"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"
	"github.com/stretchr/testify/require"

	"github.com/accountsec/accountsec"
	"github.com/accountsec/accountsec/limits"
	"github.com/accountsec/accountsec/mfa"
)

// hotp is the zero-allocation floor: HMAC-SHA-1 keyed once, reset for
// every step, the digits written into a fixed buffer.
type hotp struct {
	mac hash.Hash
	sum []byte
	buf [8]byte
}

func newHOTP(key []byte) *hotp {
	return &hotp{mac: hmac.New(sha1.New, key), sum: make([]byte, 0, sha1.Size)}
}

// code writes the 6-digit code of counter into dst.
func (h *hotp) code(counter int64, dst *[6]byte) {
	binary.BigEndian.PutUint64(h.buf[:], uint64(counter))
	h.mac.Reset()
	h.mac.Write(h.buf[:])
	h.sum = h.mac.Sum(h.sum[:0])
	off := h.sum[len(h.sum)-1] & 0x0f
	bin := binary.BigEndian.Uint32(h.sum[off:off+4]) & 0x7fffffff
	for i := 5; i >= 0; i-- {
		dst[i] = byte('0' + bin%10)
		bin /= 10
	}
}

// match checks code against the three steps around step in constant time.
func (h *hotp) match(code string, step int64) bool {
	var c [6]byte
	ok := 0
	for s := step - 1; s <= step+1; s++ {
		h.code(s, &c)
		ok |= subtle.ConstantTimeCompare(c[:], []byte(code))
	}
	return ok == 1
}

func (h *hotp) text(counter int64) string {
	var c [6]byte
	h.code(counter, &c)
	return string(c[:])
}

// totpFixture is an account with an active virtual MFA device on memstore.
type totpFixture struct {
	w      *world
	id     string
	secret string // base32, as an authenticator app holds it
	key    []byte
	start  time.Time
}

func newTOTPFixture(b *testing.B) *totpFixture {
	w := newWorld(b, config(limits.Lockout{MaxFailures: 1000, Window: time.Minute, LockDuration: time.Minute}), accountsec.Deps{})
	a := w.register(b, userEmail)
	s, _ := w.login(b, userEmail)
	secret := w.enrolMFA(b, s, userEmail)
	key, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(secret)
	require.NoError(b, err)
	w.clock.Advance(time.Minute) // past the confirming code's step
	return &totpFixture{w: w, id: a.ID, secret: secret, key: key, start: w.clock.Now()}
}

// BenchmarkTOTP compares a whole TOTP verification (device document read,
// lockout reserve and refund, the sealed secret's HMAC key states (opened
// with AES-GCM on the first verification of the device, cached after), the
// ±1 step window in constant time, the step advance that refuses a replay)
// with pquerna/otp's
// ValidateCustom at the same parameters (the arithmetic alone: secret in
// the clear, no replay protection, no attempt limit) and with a floor that
// computes the three HMAC-SHA-1 steps without allocating.
//
// current: the code of the current step; previous: the code of the step
// before (accepted within the skew); wrong: a code of no step in the
// window (a counted failure).
func BenchmarkTOTP(b *testing.B) {
	for _, tc := range []string{"current", "previous", "wrong"} {
		b.Run(tc, func(b *testing.B) {
			f := newTOTPFixture(b)
			ctx := context.Background()
			gen := newHOTP(f.key)
			floor := newHOTP(f.key)
			opts := totp.ValidateOpts{Period: 30, Skew: 1, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1}
			var times []time.Time
			var codes []string
			prepare := func(n int) {
				times, codes = make([]time.Time, n), make([]string, n)
				for i := range n {
					at := f.start.Add(time.Duration(i+1) * 30 * time.Second)
					step := at.Unix() / 30
					times[i] = at
					switch tc {
					case "current":
						codes[i] = gen.text(step)
					case "previous":
						codes[i] = gen.text(step - 1)
					default:
						codes[i] = wrongCode(gen, step)
					}
				}
			}
			want := tc != "wrong"
			compare(b, prepare,
				side{"accountsec", func(i int) {
					f.w.clock.Set(times[i])
					_, err := f.w.svc.MFA.Verify(ctx, f.id, codes[i])
					if want && err != nil || !want && !errors.Is(err, mfa.ErrMismatch) {
						b.Fatal(i, err)
					}
				}},
				side{"pquerna", func(i int) {
					ok, err := totp.ValidateCustom(codes[i], f.secret, times[i], opts)
					if err != nil || ok != want {
						b.Fatal(ok, err)
					}
				}},
				side{"floor", func(i int) {
					if floor.match(codes[i], times[i].Unix()/30) != want {
						b.Fatal("floor disagrees")
					}
				}},
			)
		})
	}
}

// wrongCode returns a code that matches none of the steps around step.
func wrongCode(h *hotp, step int64) string {
	for n := 0; ; n++ {
		c := []byte("000000")
		c[5], c[4] = byte('0'+n%10), byte('0'+n/10)
		if !h.match(string(c), step) {
			return string(c)
		}
	}
}
