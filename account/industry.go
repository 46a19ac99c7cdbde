package account

import (
	"slices"

	"github.com/accountsec/accountsec/reason"
)

// ErrIndustryUnknown: the industry is not one of the Service's industries.
var ErrIndustryUnknown = reason.New(reason.AccountIndustryUnknown)

// DefaultIndustries returns the industries the account centre offers when
// the host supplies none (docs/RULES.md §2), in the order a console shows
// them.
func DefaultIndustries() []string {
	return []string{
		"internet", "e_commerce", "gaming", "media", "education", "finance",
		"government", "healthcare", "manufacturing", "retail", "transport_logistics",
		"real_estate", "energy", "telecom", "tourism_hospitality", "agriculture",
		"nonprofit", "individual_developer", "other",
	}
}

// resolveIndustries returns the industry list of cfg (DefaultIndustries when
// empty), refusing an entry that is empty, too long, not text, or listed
// twice.
func resolveIndustries(list []string) ([]string, error) {
	if len(list) == 0 {
		return DefaultIndustries(), nil
	}
	out := make([]string, 0, len(list))
	for _, raw := range list {
		v, err := checkText("industry", raw, MaxIndustryLen, true)
		if err != nil || v != raw || slices.Contains(out, v) {
			return nil, reason.New(reason.PolicyInvalid).With("field", "account.Config.Industries").
				With("value", raw).With("allowed", "distinct, non-empty names of at most 64 characters")
		}
		out = append(out, v)
	}
	return out, nil
}

// Industries returns the industries UpdateProfile accepts.
func (s *Service) Industries() []string { return slices.Clone(s.industries) }

// checkIndustry refuses an industry that is not on the list; "" (no
// industry) is allowed.
func (s *Service) checkIndustry(v string) error {
	if v == "" || slices.Contains(s.industries, v) {
		return nil
	}
	return ErrIndustryUnknown
}
