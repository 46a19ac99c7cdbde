package lifecycle

import (
	"fmt"
	"time"

	"github.com/accountsec/accountsec/internal/policycheck"
	"github.com/accountsec/accountsec/reason"
)

// Limits of the inputs.
const (
	// MaxResources is the most resources a check may report.
	MaxResources = 200
	// MaxResourceIDBytes is the longest resource ID.
	MaxResourceIDBytes = 128
	// MaxReviewerLen is the longest reviewer name, in characters.
	MaxReviewerLen = 64
	// MaxReviewNoteLen is the longest review note, in characters.
	MaxReviewNoteLen = 500
	// MaxExtraConditions is the most conditions a host may add.
	MaxExtraConditions = 32
	// MaxConditionBytes is the longest condition name.
	MaxConditionBytes = 64
)

// Policy is the cancellation policy. A zero field means its default (in
// the comment); the zero Policy is docs/RULES.md §9.
type Policy struct {
	// CoolingOff is how long an account with unsettled postpaid resources
	// stays cancelling before the resource check runs again (default 15
	// days; allowed 1 to 90 days).
	CoolingOff time.Duration `validate:"omitempty,min=24h,max=2160h"`
	// ReviewWorkingDays is the deadline of the manual review of an
	// enterprise account, in working days of the Calendar (default 3;
	// allowed 1 to 30).
	ReviewWorkingDays int `validate:"omitempty,min=1,max=30"`
	// MaxOtherReasonLen bounds the free text of ReasonOther, in characters
	// (default 200; allowed 1 to 1000).
	MaxOtherReasonLen int `validate:"omitempty,min=1,max=1000"`
	// MaxRemarkLen bounds the remark, in characters (default 500; allowed
	// 1 to 2000).
	MaxRemarkLen int `validate:"omitempty,min=1,max=2000"`
	// ExtraConditions are the host's own conditions of cancellation,
	// confirmed like the console's: at most MaxExtraConditions names of 1
	// to MaxConditionBytes bytes of lower-case ASCII letters, digits and
	// '_', none repeating a console condition.
	ExtraConditions []Condition
}

// DefaultPolicy returns the defaults with every field filled in.
func DefaultPolicy() Policy { return Policy{}.withDefaults() }

func (p Policy) withDefaults() Policy {
	if p.CoolingOff == 0 {
		p.CoolingOff = 15 * 24 * time.Hour
	}
	if p.ReviewWorkingDays == 0 {
		p.ReviewWorkingDays = 3
	}
	if p.MaxOtherReasonLen == 0 {
		p.MaxOtherReasonLen = 200
	}
	if p.MaxRemarkLen == 0 {
		p.MaxRemarkLen = 500
	}
	return p
}

// Resolve validates p and fills in the defaults. A bad value is a
// reason.List of reason.PolicyInvalid errors naming each field, its value
// and the allowed range.
func (p Policy) Resolve() (Policy, error) {
	if err := policycheck.Check("lifecycle.Policy", p); err != nil {
		return Policy{}, err
	}
	if len(p.ExtraConditions) > MaxExtraConditions {
		return Policy{}, invalid("ExtraConditions", fmt.Sprint(len(p.ExtraConditions)), fmt.Sprintf("at most %d conditions", MaxExtraConditions))
	}
	seen := make(map[Condition]bool)
	for _, c := range Conditions() {
		seen[c] = true
	}
	for _, c := range p.ExtraConditions {
		if !validName(string(c), MaxConditionBytes) || seen[c] {
			return Policy{}, invalid("ExtraConditions", string(c), "new names of lower-case letters, digits and '_'")
		}
		seen[c] = true
	}
	p.ExtraConditions = append([]Condition(nil), p.ExtraConditions...)
	return p.withDefaults(), nil
}

func invalid(field, value, allowed string) error {
	return reason.List{reason.New(reason.PolicyInvalid).With("field", "lifecycle.Policy."+field).With("value", value).With("allowed", allowed)}
}

func validName(s string, max int) bool {
	if s == "" || len(s) > max {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}
