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

// Policy is the password policy. Set only the fields you want to change:
// every zero field means the value of [Console], field by field, so a
// partial policy never loses a console rule it does not mention:
//
//	p := password.Policy{MinLength: 12, MaxLength: 64}
//	// still an uppercase letter, a lowercase letter, a digit and a
//	// punctuation mark, no white space, the blocklist, history 3, rotation
//	// advised after 90 days
//	if err := p.Validate(); err != nil { ... }
//
// A console rule is switched off only by a field that says so, whose zero
// value keeps the rule: UpperOptional, LowerOptional, DigitOptional,
// PunctOptional, AllowWhitespace, NoBlocklist, NoHistory and NoRotation.
// The zero Policy is therefore exactly [Console].
//
// Validate a policy once, when it is configured; [Policy.Check] assumes a
// valid policy. Code that reads the numeric fields itself (History to keep
// the password history, for example) reads them from [Policy.Resolved] (or
// [Policy.Resolve]), where the defaults are filled in.
type Policy struct {
	// MinLength is the minimum length in Unicode code points (0 means 8;
	// allowed 1 to 1024).
	MinLength int `validate:"min=1,max=1024"`
	// MaxLength is the maximum length in Unicode code points (0 means 20;
	// allowed 1 to 4096, and at least MinLength).
	MaxLength int `validate:"min=1,max=4096,gtefield=MinLength"`

	// UpperOptional drops the console rule that a password must contain an
	// uppercase letter (Unicode category Lu).
	UpperOptional bool
	// LowerOptional drops the console rule that a password must contain a
	// lowercase letter (Unicode category Ll).
	LowerOptional bool
	// DigitOptional drops the console rule that a password must contain a
	// decimal digit (Unicode category Nd).
	DigitOptional bool
	// PunctOptional drops the console rule that a password must contain a
	// punctuation mark: an ASCII punctuation or symbol character (such as
	// ! $ + < = > ^ ` | ~) or any Unicode punctuation (categories P*, such
	// as the full-width "，" or "！").
	PunctOptional bool
	// AllowWhitespace drops the console rule that refuses any white space
	// (unicode.IsSpace), not only the ASCII space.
	AllowWhitespace bool

	// NoBlocklist drops the console rule that refuses passwords on the
	// embedded list of common passwords (compared case-insensitively) and
	// passwords that are one short unit repeated, such as "aaaaaaaa" or
	// "Ab1!Ab1!".
	NoBlocklist bool

	// History is how many recent passwords a new one must differ from,
	// counting the current one (0 means 3; allowed 1 to 24). The check
	// itself needs the stored hashes: see [Hasher.InHistory] and
	// [PushHistory], which take the resolved value.
	History int `validate:"min=0,max=24"`
	// NoHistory drops the history rule (a resolved History is then 0). It
	// cannot be combined with a non-zero History.
	NoHistory bool

	// RotateAfter is the age after which [RotationDue] reports that a change
	// is recommended (0 means 90 days; allowed 1 hour to 10 years).
	// Rotation is advice: nothing is locked.
	RotateAfter time.Duration `validate:"omitempty,min=1h,max=87600h"`
	// NoRotation turns the rotation advice off (a resolved RotateAfter is
	// then 0). It cannot be combined with a non-zero RotateAfter.
	NoRotation bool

	// MaxBytes caps the input size in bytes; longer input is refused with
	// reason.PasswordTooLarge before anything else is looked at. Zero means
	// DefaultMaxBytes. It must be at least 4×MaxLength so that the cap never
	// refuses a password the length rule accepts.
	MaxBytes int `validate:"min=64,max=65536"`
}

// Console returns the policy of docs/RULES.md §3 (the console account
// centre), with every field filled in: 8–20 characters, an uppercase
// letter, a lowercase letter, a digit and a punctuation mark, no white
// space, not a common password nor a short unit repeated, different from
// the last 3 passwords, rotation recommended every 90 days. It is what the
// zero Policy means, and what each zero field of a Policy means.
func Console() Policy {
	return Policy{
		MinLength:   8,
		MaxLength:   20,
		History:     3,
		RotateAfter: 90 * 24 * time.Hour,
		MaxBytes:    DefaultMaxBytes,
	}
}

// NIST returns a policy following NIST SP 800-63B for passwords used as a
// single factor: at least 15 characters and at most 128 (the whole password
// is always hashed, never truncated), no composition rules, no white-space
// rule, no periodic rotation, and common or repetitive passwords refused.
// History is off; to keep it, clear NoHistory (and set History, or leave it
// 0 for 3).
func NIST() Policy {
	return Policy{
		MinLength:       15,
		MaxLength:       128,
		UpperOptional:   true,
		LowerOptional:   true,
		DigitOptional:   true,
		PunctOptional:   true,
		AllowWhitespace: true,
		NoHistory:       true,
		NoRotation:      true,
		MaxBytes:        DefaultMaxBytes,
	}
}

// Resolved returns p with every zero field replaced by the value of
// [Console] (History and RotateAfter stay 0 when NoHistory or NoRotation is
// set). It does not validate: see [Policy.Validate] and [Policy.Resolve].
// Resolving a resolved policy changes nothing.
func (p Policy) Resolved() Policy {
	c := Console()
	def(&p.MinLength, c.MinLength)
	def(&p.MaxLength, c.MaxLength)
	if !p.NoHistory {
		def(&p.History, c.History)
	}
	if !p.NoRotation {
		def(&p.RotateAfter, c.RotateAfter)
	}
	def(&p.MaxBytes, c.MaxBytes)
	return p
}

// Resolve validates p and returns it with the defaults filled in (see
// [Policy.Resolved] and [Policy.Validate]).
func (p Policy) Resolve() (Policy, error) {
	if err := p.Validate(); err != nil {
		return Policy{}, err
	}
	return p.Resolved(), nil
}

func def[T comparable](f *T, v T) {
	var zero T
	if *f == zero {
		*f = v
	}
}

// Validate reports whether p is usable once its zero fields are resolved.
// It returns nil or a reason.List of reason.PolicyInvalid errors, each
// naming the field, its value and the allowed range. A value set together
// with the switch that turns its rule off (History with NoHistory,
// RotateAfter with NoRotation) is an error too.
func (p Policy) Validate() error {
	var out reason.List
	if p.NoHistory && p.History != 0 {
		out = append(out, exclusive("History", strconv.Itoa(p.History), "NoHistory"))
	}
	if p.NoRotation && p.RotateAfter != 0 {
		out = append(out, exclusive("RotateAfter", p.RotateAfter.String(), "NoRotation"))
	}
	p = p.Resolved()
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

// exclusive is the error for a value set together with the switch that
// turns its rule off.
func exclusive(field, value, off string) *reason.Error {
	return reason.New(reason.PolicyInvalid).
		With("field", "password.Policy."+field).
		With("value", value).
		With("allowed", "0 when "+off+" is set")
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
// changed at now under p. It is false when p.NoRotation is set. A zero
// changedAt (never recorded) counts as due. Zero fields of p mean the
// values of [Console].
func RotationDue(p Policy, changedAt, now time.Time) bool {
	p = p.Resolved()
	if p.RotateAfter <= 0 {
		return false
	}
	if changedAt.IsZero() {
		return true
	}
	return !now.Before(changedAt.Add(p.RotateAfter))
}
