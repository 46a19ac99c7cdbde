package protection

import (
	"time"

	"github.com/accountsec/accountsec/internal/policycheck"
)

// Day is 24 hours.
const Day = 24 * time.Hour

// Policy is the protection policy. A zero field means its default (in the
// comment); the zero Policy is the console behaviour of docs/RULES.md.
type Policy struct {
	// StepUpTTL is how long a successful identity verification lets a
	// session perform sensitive operations without verifying again. It runs
	// from the verification and is not renewed by activity (default 30
	// minutes; allowed 1 minute to 24 hours).
	StepUpTTL time.Duration `validate:"omitempty,min=1m,max=24h"`
	// PendingLoginTTL is how long a login that waits for its second step
	// stays open (default 10 minutes; allowed 1 to 30 minutes).
	PendingLoginTTL time.Duration `validate:"omitempty,min=1m,max=30m"`
	// ChallengeTTL is how long a started verification can be answered
	// (default 10 minutes, the life of an SMS code; allowed 1 to 30
	// minutes).
	ChallengeTTL time.Duration `validate:"omitempty,min=1m,max=30m"`
	// TrustedDeviceTTL is how long "trust this device" skips login
	// protection (default 7 days; allowed 1 hour to 30 days).
	TrustedDeviceTTL time.Duration `validate:"omitempty,min=1h,max=720h"`
	// TouchInterval is the write throttle of session validation: a
	// session's last-seen time is written at most once per interval
	// (default 1 minute; allowed 1 second to 10 minutes). See [Session].
	TouchInterval time.Duration `validate:"omitempty,min=1s,max=10m"`
	// UsualCities is how many distinct cities of recent successful logins
	// count as usual (default 5; allowed 1 to 50).
	UsualCities int `validate:"omitempty,min=1,max=50"`
	// UsualCityWindow is how far back a successful login makes its city
	// usual (default 90 days; allowed 1 to 365 days).
	UsualCityWindow time.Duration `validate:"omitempty,min=24h,max=8760h"`
	// FirstMethodWindow is how long after its login a session of an account
	// that has no verification method at all may add its first one without
	// verifying (docs/SECURITY.md, "First verification method"; default 10
	// minutes; allowed 1 to 30 minutes).
	FirstMethodWindow time.Duration `validate:"omitempty,min=1m,max=30m"`
	// StrictMethods, when true, never lets the user choose a method: only
	// Options.Preferred is offered and accepted, never Alternatives. The
	// preferred method is the configured one while the account can use it;
	// otherwise (not bound, no verifier, or nothing configured) the first
	// method that qualifies under the rules of docs/SECURITY.md ("Methods
	// and channels"). The default (false) offers every method that
	// qualifies when the configured one cannot be used; a configured method
	// the account can use is the only one accepted either way.
	StrictMethods bool
}

// DefaultPolicy returns the defaults with every field filled in.
func DefaultPolicy() Policy { return Policy{}.withDefaults() }

func (p Policy) withDefaults() Policy {
	def(&p.StepUpTTL, 30*time.Minute)
	def(&p.PendingLoginTTL, 10*time.Minute)
	def(&p.ChallengeTTL, 10*time.Minute)
	def(&p.TrustedDeviceTTL, 7*Day)
	def(&p.TouchInterval, time.Minute)
	def(&p.UsualCities, 5)
	def(&p.UsualCityWindow, 90*Day)
	def(&p.FirstMethodWindow, 10*time.Minute)
	return p
}

// Resolve validates p and fills in the defaults. A bad value is a
// reason.List of reason.PolicyInvalid errors naming each field, its value
// and the allowed range.
func (p Policy) Resolve() (Policy, error) {
	if err := policycheck.Check("protection.Policy", p); err != nil {
		return Policy{}, err
	}
	return p.withDefaults(), nil
}

func def[T comparable](f *T, v T) {
	var zero T
	if *f == zero {
		*f = v
	}
}
