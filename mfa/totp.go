package mfa

import (
	"crypto/hmac"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/subtle"
	"encoding/binary"
	"hash"
	"time"
)

// Algorithm is the HMAC hash of a TOTP device. Its value is what the
// otpauth URI's algorithm parameter carries.
type Algorithm string

// The algorithms of RFC 6238. SHA1 is the default: it is what every
// authenticator app supports, and HMAC-SHA-1 is not weakened by SHA-1
// collisions.
const (
	SHA1   Algorithm = "SHA1"
	SHA256 Algorithm = "SHA256"
	SHA512 Algorithm = "SHA512"
)

// newHash returns the hash constructor of a (SHA-1 for an unknown value,
// which validation never lets through).
func (a Algorithm) newHash() func() hash.Hash {
	switch a {
	case SHA256:
		return sha256.New
	case SHA512:
		return sha512.New
	}
	return sha1.New
}

// Kind is the kind of an MFA device.
type Kind string

// The kinds of device.
const (
	// Virtual is an authenticator app on a phone, enrolled with a QR code.
	Virtual Kind = "virtual"
	// Hardware is a token with a serial number whose seed the host imported.
	Hardware Kind = "hardware"
)

// Usage says where an MFA device applies; the user chooses when binding it.
// At least one of the two must be set.
type Usage struct {
	// Login: MFA is the second step of login protection.
	Login bool
	// Operation: MFA verifies sensitive operations (operation protection).
	Operation bool
}

// ParseCode reports whether s is exactly digits ASCII digits ('0' to '9').
// Nothing is repaired: spaces, separators, signs, full-width or other
// Unicode digits and codes of another length are refused, so that what is
// verified is exactly what the user typed.
func ParseCode(s string, digits int) bool {
	if digits <= 0 || len(s) != digits {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// stepAt returns the RFC 6238 time step of t (T0 = Unix epoch) for period,
// rounding towards minus infinity.
func stepAt(t time.Time, period time.Duration) int64 {
	p := int64(period / time.Second)
	u := t.Unix()
	s := u / p
	if u%p != 0 && u < 0 {
		s--
	}
	return s
}

// otp computes HOTP values (RFC 4226) for one key. It is not safe for
// concurrent use.
type otp struct {
	mac    hash.Hash
	digits int
	sum    []byte
	buf    [8]byte
}

func newOTP(alg Algorithm, key []byte, digits int) *otp {
	return &otp{mac: hmac.New(alg.newHash(), key), digits: digits}
}

// code writes the HOTP value of counter, zero-padded to o.digits ASCII
// digits, into dst (which must have room for them) and returns it.
func (o *otp) code(counter uint64, dst []byte) []byte {
	binary.BigEndian.PutUint64(o.buf[:], counter)
	if f, ok := o.mac.(*fastHMAC); ok && f.direct {
		o.sum = f.sumShort(o.sum[:0], o.buf[:])
	} else {
		o.mac.Reset()
		o.mac.Write(o.buf[:])
		o.sum = o.mac.Sum(o.sum[:0])
	}
	// Dynamic truncation, RFC 4226 section 5.3.
	off := o.sum[len(o.sum)-1] & 0x0f
	bin := binary.BigEndian.Uint32(o.sum[off:off+4]) & 0x7fffffff
	dst = dst[:o.digits]
	for i := o.digits - 1; i >= 0; i-- {
		dst[i] = byte('0' + bin%10)
		bin /= 10
	}
	return dst
}

// match looks for code among the steps now-skew … now+skew (steps below
// zero excluded). It computes and compares every step of the window in
// constant time, whatever matches, so the time taken says nothing about
// which step matched.
//
// matched is the earliest matching step after last, or -1. Taking the
// earliest matters when a code happens to repeat in neighbouring steps (one
// chance in 10^digits): advancing to the later one would refuse the user's
// next, legitimate code as a replay. replayed reports that the code matches
// only steps at or before last, which means it was already used or is older
// than a code that was.
func (o *otp) match(code string, now int64, skew int, last int64) (matched int64, replayed bool) {
	matched = -1
	var buf [8]byte
	want := []byte(code)
	for s := now - int64(skew); s <= now+int64(skew); s++ {
		if s < 0 {
			continue
		}
		c := o.code(uint64(s), buf[:])
		if subtle.ConstantTimeCompare(c, want) == 1 {
			switch {
			case s <= last:
				replayed = true
			case matched < 0:
				matched = s
			}
		}
	}
	if matched >= 0 {
		replayed = false
	}
	return matched, replayed
}
