package password

import (
	"errors"
	"strconv"
	"time"

	"github.com/accountsec/accountsec/internal/policycheck"
	"github.com/accountsec/accountsec/reason"
)

// DefaultMaxBytes is the byte cap used when Policy.MaxBytes or
// HasherConfig.MaxBytes is zero. Input longer than this is refused before
// any other work, hashing included.
const DefaultMaxBytes = 1024

// maxRuneBytes is the longest UTF-8 encoding of one code point. A byte cap
// below MaxLength*maxRuneBytes could refuse a password the length rule
// accepts, so Validate forbids it.
const maxRuneBytes = 4

// Policy is the password policy. The zero Policy means [Console] (the
// defaults of the specification). Any other value is used exactly as given,
// except that a zero MaxBytes means [DefaultMaxBytes]; to customise, start
// from a preset and change the fields you need:
//
//	p := password.Console()
//	p.MinLength = 12
//	if err := p.Validate(); err != nil { ... }
//
// Validate a customised policy once, when it is configured; [Policy.Check]
// assumes a valid policy.
type Policy struct {
	// MinLength is the minimum length in Unicode code points.
	MinLength int `validate:"min=1,max=1024"`
	// MaxLength is the maximum length in Unicode code points.
	MaxLength int `validate:"min=1,max=4096,gtefield=MinLength"`

	// RequireUpper requires an uppercase letter (Unicode category Lu).
	RequireUpper bool
	// RequireLower requires a lowercase letter (Unicode category Ll).
	RequireLower bool
	// RequireDigit requires a decimal digit (Unicode category Nd).
	RequireDigit bool
	// RequirePunct requires a punctuation mark: an ASCII punctuation or
	// symbol character (such as ! $ + < = > ^ ` | ~) or any Unicode
	// punctuation (categories P*, such as the full-width "，" or "！").
	RequirePunct bool
	// ForbidWhitespace refuses any white space (unicode.IsSpace), not only
	// the ASCII space.
	ForbidWhitespace bool

	// History is how many recent passwords a new one must differ from,
	// counting the current one; 0 turns the rule off. The check itself
	// needs the stored hashes: see [Hasher.InHistory] and [PushHistory].
	History int `validate:"min=0,max=24"`
	// RotateAfter is the age after which [RotationDue] reports that a change
	// is recommended; 0 means never. Rotation is advice: nothing is locked.
	RotateAfter time.Duration `validate:"omitempty,min=1h,max=87600h"`

	// Blocklist refuses passwords on the embedded list of common passwords
	// (compared case-insensitively) and passwords that are one short unit
	// repeated, such as "aaaaaaaa" or "abcabcabc".
	Blocklist bool

	// MaxBytes caps the input size in bytes; longer input is refused with
	// reason.PasswordTooLarge before anything else is looked at. Zero means
	// DefaultMaxBytes. It must be at least 4×MaxLength so that the cap never
	// refuses a password the length rule accepts.
	MaxBytes int `validate:"omitempty,min=64,max=65536"`
}

// Console returns the policy of the specification (the console account
// centre): 8–20 characters, an uppercase letter, a lowercase letter, a digit
// and a punctuation mark, no white space, different from the last 3
// passwords, rotation recommended every 90 days. It is what the zero Policy
// means.
func Console() Policy {
	return Policy{
		MinLength:        8,
		MaxLength:        20,
		RequireUpper:     true,
		RequireLower:     true,
		RequireDigit:     true,
		RequirePunct:     true,
		ForbidWhitespace: true,
		History:          3,
		RotateAfter:      90 * 24 * time.Hour,
		MaxBytes:         DefaultMaxBytes,
	}
}

// NIST returns a policy following NIST SP 800-63B for passwords used as a
// single factor: at least 15 characters and at most 128 (the whole password
// is always hashed, never truncated), no composition rules, no white-space
// rule, no periodic rotation, and common or repetitive passwords refused.
// History is off; set it if the host wants it.
func NIST() Policy {
	return Policy{
		MinLength: 15,
		MaxLength: 128,
		Blocklist: true,
		MaxBytes:  DefaultMaxBytes,
	}
}

// effective resolves the documented zero values.
func (p Policy) effective() Policy {
	if p == (Policy{}) {
		return Console()
	}
	if p.MaxBytes == 0 {
		p.MaxBytes = DefaultMaxBytes
	}
	return p
}

// Validate reports whether p is usable. It returns nil or a reason.List of
// reason.PolicyInvalid errors, each naming the field, its value and the
// allowed range.
func (p Policy) Validate() error {
	p = p.effective()
	var out reason.List
	if err := policycheck.Check("password.Policy", p); err != nil {
		out = appendReasons(out, err)
	}
	if need := maxRuneBytes * p.MaxLength; p.MaxBytes < need && len(out) == 0 {
		out = append(out, reason.New(reason.PolicyInvalid).
			With("field", "password.Policy.MaxBytes").
			With("value", strconv.Itoa(p.MaxBytes)).
			With("allowed", ">= 4×MaxLength ("+strconv.Itoa(need)+"), <= 65536"))
	}
	return out.Err()
}

// appendReasons adds the reason-coded errors of err to l. An error that is
// not reason-coded (which policycheck never returns) is kept as the cause of
// a PolicyInvalid so that it is not lost.
func appendReasons(l reason.List, err error) reason.List {
	var list reason.List
	var one *reason.Error
	switch {
	case errors.As(err, &list):
		return append(l, list...)
	case errors.As(err, &one):
		return append(l, one)
	default:
		return append(l, reason.New(reason.PolicyInvalid).Wrap(err))
	}
}

// RotationDue reports whether a password last changed at changedAt should be
// changed at now under p. It is false when p.RotateAfter is 0. A zero
// changedAt (never recorded) counts as due. The zero Policy means [Console].
func RotationDue(p Policy, changedAt, now time.Time) bool {
	p = p.effective()
	if p.RotateAfter <= 0 {
		return false
	}
	if changedAt.IsZero() {
		return true
	}
	return !now.Before(changedAt.Add(p.RotateAfter))
}
