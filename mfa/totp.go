package mfa

import (
	"crypto/hmac"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/subtle"
	"encoding/binary"
	"fmt"
	"hash"
	"log/slog"
	"strconv"
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

// String describes o without its HMAC's key states.
func (o otp) String() string { return "mfa.otp{digits:" + strconv.Itoa(o.digits) + "}" }

// GoString is String.
func (o otp) GoString() string { return o.String() }

// Format prints String for every verb.
func (o otp) Format(s fmt.State, _ rune) { _, _ = s.Write([]byte(o.String())) }

// LogValue keeps the key states out of structured logs.
func (o otp) LogValue() slog.Value { return slog.StringValue(o.String()) }

func newOTP(alg Algorithm, key []byte, digits int) *otp {
	return &otp{mac: hmac.New(alg.newHash(), key), digits: digits}
}

// code writes the HOTP value of counter, zero-padded to o.digits ASCII
// digits, into dst (which must have room for them) and returns it.
func (o *otp) code(counter uint64, dst []byte) []byte {
	bin := o.truncated(counter)
	dst = dst[:o.digits]
	for i := o.digits - 1; i >= 0; i-- {
		dst[i] = byte('0' + bin%10)
		bin /= 10
	}
	return dst
}

// truncated returns the 31-bit dynamic truncation (RFC 4226 section 5.3)
// of the HMAC of counter, whose last o.digits decimal digits are the HOTP
// value.
func (o *otp) truncated(counter uint64) uint32 {
	binary.BigEndian.PutUint64(o.buf[:], counter)
	var sum []byte
	if f, ok := o.mac.(*fastHMAC); ok && f.direct {
		sum = f.macShort(o.buf[:]) // wiped with f
	} else {
		o.mac.Reset()
		o.mac.Write(o.buf[:])
		o.sum = o.mac.Sum(o.sum[:0])
		sum = o.sum
	}
	off := sum[len(sum)-1] & 0x0f
	return binary.BigEndian.Uint32(sum[off:off+4]) & 0x7fffffff
}

// value returns the HOTP value of counter as a number (the code's digits
// read in base 10). Its divisions are by constants, which compile to
// multiplications: the time taken does not depend on the HMAC.
func (o *otp) value(counter uint64) uint32 {
	bin := o.truncated(counter)
	switch o.digits {
	case 6:
		return bin % 1_000_000
	case 8:
		return bin % 100_000_000
	}
	var v, p uint32 = 0, 1
	for range o.digits {
		v += bin % 10 * p
		bin /= 10
		p *= 10
	}
	return v
}

// codeValue reads code, o.digits ASCII digits, as a number, in time that
// depends only on its length. ok is false for a code of another length or
// with anything but ASCII digits.
func (o *otp) codeValue(code string) (v uint32, ok bool) {
	if len(code) != o.digits {
		return 0, false
	}
	var bad int32
	for i := 0; i < len(code); i++ {
		d := int32(code[i]) - '0'
		bad |= d | (9 - d) // negative unless 0 <= d <= 9
		v = v*10 + uint32(d)
	}
	return v, bad >= 0
}

// match looks for code, which must be o.digits ASCII digits (see
// ParseCode), among the steps now-skew … now+skew (steps below zero
// excluded). It computes and compares every step of the window, and
// records the outcome without branching on it, so the time taken says
// nothing about whether or which step matched.
//
// matched is the earliest matching step after last, or -1. Taking the
// earliest matters when a code happens to repeat in neighbouring steps (one
// chance in 10^digits): advancing to the later one would refuse the user's
// next, legitimate code as a replay. replayed reports that the code matches
// only steps at or before last, which means it was already used or is older
// than a code that was.
func (o *otp) match(code string, now int64, skew int, last int64) (matched int64, replayed bool) {
	want, ok := o.codeValue(code)
	if !ok {
		return -1, false
	}
	matched = -1
	var old int64 // 1 when a step at or before last matched
	for s := now - int64(skew); s <= now+int64(skew); s++ {
		if s < 0 {
			continue
		}
		eq := int64(subtle.ConstantTimeEq(int32(o.value(uint64(s))), int32(want)))
		var early int64 // s <= last: steps are public, the branch is not on the code
		if s <= last {
			early = 1
		}
		old |= eq & early
		// take s when it matches, is after last and nothing was taken yet
		unset := int64(uint64(matched) >> 63) // 1 while matched is -1
		take := -(eq & (1 - early) & unset)   // all ones or zero
		matched = matched&^take | s&take
	}
	return matched, old == 1 && matched < 0
}
