package limits

import (
	"time"

	"github.com/accountsec/accountsec/internal/policycheck"
)

// Day is 24 hours, the unit of the real-name change interval.
const Day = 24 * time.Hour

// Quotas is the quota table of the console: how many accounts one identifier
// may hold. A zero field means its default (the number in the comment).
type Quotas struct {
	// RegisterPerEmail: main accounts registered with one email (default 1).
	RegisterPerEmail int `validate:"min=0,max=10000"`
	// RegisterPerQQ: main accounts registered with one QQ (default 1).
	RegisterPerQQ int `validate:"min=0,max=10000"`
	// RegisterPerWeChat: main accounts registered with one WeChat (default 1).
	RegisterPerWeChat int `validate:"min=0,max=10000"`
	// RegisterPerWeChatOA: main accounts registered with one WeChat Official
	// Account (default 1).
	RegisterPerWeChatOA int `validate:"min=0,max=10000"`
	// RegisterPerWeCom: main accounts registered with one WeCom (default 1).
	RegisterPerWeCom int `validate:"min=0,max=10000"`
	// AccountsPerPhone: main accounts bound to one phone number (default 5).
	AccountsPerPhone int `validate:"min=0,max=10000"`
	// AccountsPerPersonalIdentity: main accounts verified with one personal
	// identity (default 3).
	AccountsPerPersonalIdentity int `validate:"min=0,max=10000"`
	// AccountsPerEnterpriseIdentity: main accounts verified with one
	// enterprise identity (default 10).
	AccountsPerEnterpriseIdentity int `validate:"min=0,max=10000"`
	// BindPerWeChat: accounts one WeChat may be bound to as a login method
	// (default 50).
	BindPerWeChat int `validate:"min=0,max=10000"`
	// BindPerWeCom: accounts one WeCom may be bound to (default 20).
	BindPerWeCom int `validate:"min=0,max=10000"`
	// BindPerQQ: accounts one QQ may be bound to (default 1).
	BindPerQQ int `validate:"min=0,max=10000"`
	// BindPerEmail: accounts one email may be bound to (default 1).
	BindPerEmail int `validate:"min=0,max=10000"`
	// BindPerWeChatOA: accounts one Official Account may be bound to
	// (default 1).
	BindPerWeChatOA int `validate:"min=0,max=10000"`
	// EnterpriseAccountsPerLegalPerson: enterprise-verified accounts per
	// legal person (default 20).
	EnterpriseAccountsPerLegalPerson int `validate:"min=0,max=10000"`
	// RealNameChangeInterval: minimum time between two real-name changes
	// (default 30 days; a personal → enterprise upgrade is exempt).
	RealNameChangeInterval time.Duration `validate:"min=0,max=8760h"`
	// MinEnterpriseNameLength: minimum enterprise name length in Unicode
	// characters (default 5).
	MinEnterpriseNameLength int `validate:"min=0,max=200"`
}

// Lockout is the failure-limit policy. A zero field means its default.
//
// The default lock lasts 30 minutes: long enough that online guessing gets
// at most 10 tries per half hour (under 500 a day, hopeless against a
// password that passes the policy), short enough that someone who locks a
// victim out on purpose costs the victim little, and the user cannot lift the
// lock early. Failures are counted in a fixed window of one hour that starts
// at the first failure; a successful attempt gives back its own reservation
// but does not forgive earlier failures in the window.
type Lockout struct {
	// MaxFailures: failures within Window that lock the subject (default 10).
	MaxFailures int `validate:"min=0,max=1000"`
	// Window: how long failures are remembered, from the first one
	// (default 1 hour; allowed 1 minute to 30 days).
	Window time.Duration `validate:"min=0,max=720h"`
	// LockDuration: how long a lock lasts from the failure that caused it
	// (default 30 minutes; allowed 1 minute to 30 days).
	LockDuration time.Duration `validate:"min=0,max=720h"`
}

// Send is the send-rate policy for verification codes. A zero field means
// its default.
type Send struct {
	// MinInterval: minimum time between two codes to one destination
	// (default 60 s; allowed 1 s to 1 hour).
	MinInterval time.Duration `validate:"min=0,max=1h"`
	// PerDestinationPerDay: codes one destination may receive in 24 hours
	// (default 10).
	PerDestinationPerDay int `validate:"min=0,max=1000"`
	// PerIPPerHour: codes one client IP may request in an hour (default 20).
	PerIPPerHour int `validate:"min=0,max=100000"`
}

// Policy gathers the limits of docs/RULES.md §1 and the send rates. The zero Policy
// means the console defaults; set only the fields you want to change.
type Policy struct {
	Quotas  Quotas
	Lockout Lockout
	Send    Send
}

// DefaultPolicy returns the console defaults with every field filled in.
func DefaultPolicy() Policy { return Policy{}.withDefaults() }

func (p Policy) withDefaults() Policy {
	q := &p.Quotas
	def(&q.RegisterPerEmail, 1)
	def(&q.RegisterPerQQ, 1)
	def(&q.RegisterPerWeChat, 1)
	def(&q.RegisterPerWeChatOA, 1)
	def(&q.RegisterPerWeCom, 1)
	def(&q.AccountsPerPhone, 5)
	def(&q.AccountsPerPersonalIdentity, 3)
	def(&q.AccountsPerEnterpriseIdentity, 10)
	def(&q.BindPerWeChat, 50)
	def(&q.BindPerWeCom, 20)
	def(&q.BindPerQQ, 1)
	def(&q.BindPerEmail, 1)
	def(&q.BindPerWeChatOA, 1)
	def(&q.EnterpriseAccountsPerLegalPerson, 20)
	def(&q.RealNameChangeInterval, 30*Day)
	def(&q.MinEnterpriseNameLength, 5)
	l := &p.Lockout
	def(&l.MaxFailures, 10)
	def(&l.Window, time.Hour)
	def(&l.LockDuration, 30*time.Minute)
	s := &p.Send
	def(&s.MinInterval, time.Minute)
	def(&s.PerDestinationPerDay, 10)
	def(&s.PerIPPerHour, 20)
	return p
}

// Resolve fills in defaults and validates the result. A bad value is a
// reason.List of reason.PolicyInvalid errors naming each field, its value and
// the allowed range.
func (p Policy) Resolve() (Policy, error) {
	if err := policycheck.Check("limits.Policy", p); err != nil {
		return Policy{}, err
	}
	r := p.withDefaults()
	if err := policycheck.Check("limits.Policy", lowerBounds(r)); err != nil {
		return Policy{}, err
	}
	return r, nil
}

// bounds repeats the fields whose resolved value needs a lower bound
// stricter than "not negative"; its field names match Policy's.
type bounds struct {
	Lockout struct {
		Window       time.Duration `validate:"min=1m,max=720h"`
		LockDuration time.Duration `validate:"min=1m,max=720h"`
	}
	Send struct {
		MinInterval time.Duration `validate:"min=1s,max=1h"`
	}
}

func lowerBounds(p Policy) bounds {
	var b bounds
	b.Lockout.Window = p.Lockout.Window
	b.Lockout.LockDuration = p.Lockout.LockDuration
	b.Send.MinInterval = p.Send.MinInterval
	return b
}

func def[T comparable](f *T, v T) {
	var zero T
	if *f == zero {
		*f = v
	}
}
