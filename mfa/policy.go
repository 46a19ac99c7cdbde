package mfa

import (
	"strconv"
	"time"

	"github.com/accountsec/accountsec/internal/policycheck"
	"github.com/accountsec/accountsec/reason"
)

// Policy is the MFA policy. The zero Policy means the defaults of docs/RULES.md §6;
// set only the fields you want to change. New validates it: a bad value is a
// reason.List of reason.PolicyInvalid errors naming the field, the value and
// the allowed range.
type Policy struct {
	// Skew is how many time steps of clock drift are tolerated on each
	// side of the current one: 0 means the default, 1 (±30 s); allowed 1
	// to 3. A wider window lets a guessed code live longer. To accept the
	// current step only, set NoSkew instead.
	Skew int `validate:"min=0,max=3"`
	// NoSkew accepts codes of the current time step only (no drift at
	// all). It cannot be combined with a non-zero Skew.
	NoSkew bool
	// Algorithm of new virtual devices (default SHA1, which every
	// authenticator app supports; allowed SHA1, SHA256, SHA512).
	Algorithm Algorithm `validate:"omitempty,oneof=SHA1 SHA256 SHA512"`
	// Digits of new virtual devices' codes (default 6; allowed 6 or 8).
	Digits int `validate:"omitempty,oneof=6 8"`
	// Period is the time step of new virtual devices (default 30 s;
	// allowed 15 s to 5 min, whole seconds). Most apps support only 30 s.
	Period time.Duration `validate:"min=0,max=5m"`
	// SecretBytes is the size of new virtual devices' secrets (default 20,
	// that is 160 bits as RFC 4226 recommends; allowed 20 to 64).
	SecretBytes int `validate:"min=0,max=64"`
	// EnrolTTL is how long an enrolment may wait for its first code
	// (default 10 minutes; allowed 1 minute to 1 hour).
	EnrolTTL time.Duration `validate:"min=0,max=1h"`
	// BackupCodes is how many backup codes a set has (default 10; allowed 5
	// to 20).
	BackupCodes int `validate:"min=0,max=20"`
}

// DefaultPolicy returns the defaults with every field filled in.
func DefaultPolicy() Policy { return Policy{}.withDefaults() }

// SkewSteps is the tolerated drift in steps on each side of the current
// one: 0 with NoSkew, 1 when Skew is 0, Skew otherwise.
func (p Policy) SkewSteps() int {
	switch {
	case p.NoSkew:
		return 0
	case p.Skew == 0:
		return 1
	}
	return p.Skew
}

func (p Policy) withDefaults() Policy {
	if !p.NoSkew {
		def(&p.Skew, 1)
	}
	def(&p.Algorithm, SHA1)
	def(&p.Digits, 6)
	def(&p.Period, 30*time.Second)
	def(&p.SecretBytes, 20)
	def(&p.EnrolTTL, 10*time.Minute)
	def(&p.BackupCodes, 10)
	return p
}

// Resolve fills in the defaults and validates the result. Resolving a
// resolved policy changes nothing.
func (p Policy) Resolve() (Policy, error) {
	if err := policycheck.Check("mfa.Policy", p); err != nil {
		return Policy{}, err
	}
	if p.NoSkew && p.Skew != 0 {
		return Policy{}, reason.List{reason.New(reason.PolicyInvalid).With("field", "mfa.Policy.Skew").With("value", strconv.Itoa(p.Skew)).With("allowed", "0 when NoSkew is set")}
	}
	r := p.withDefaults()
	if err := policycheck.Check("mfa.Policy", bounds{r.Period, r.SecretBytes, r.EnrolTTL, r.BackupCodes}); err != nil {
		return Policy{}, err
	}
	if r.Period%time.Second != 0 {
		return Policy{}, reason.List{reason.New(reason.PolicyInvalid).With("field", "mfa.Policy.Period").With("value", r.Period.String()).With("allowed", "whole seconds")}
	}
	return r, nil
}

// bounds repeats the fields whose resolved value needs a lower bound
// stricter than "not negative"; its field names match Policy's.
type bounds struct {
	Period      time.Duration `validate:"min=15s,max=5m"`
	SecretBytes int           `validate:"min=20,max=64"`
	EnrolTTL    time.Duration `validate:"min=1m,max=1h"`
	BackupCodes int           `validate:"min=5,max=20"`
}

func def[T comparable](f *T, v T) {
	var zero T
	if *f == zero {
		*f = v
	}
}
