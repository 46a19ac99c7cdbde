package account

import (
	"strings"
	"unicode/utf8"
)

// MaskPhone masks an E.164 phone number (see "Masking" in the package
// documentation for every rule).
func MaskPhone(phone string) string {
	r := []rune(phone)
	n := len(r)
	if n < 9 {
		return strings.Repeat("*", n)
	}
	return string(r[:n-8]) + "****" + string(r[n-4:])
}

// MaskEmail masks an email address.
func MaskEmail(email string) string {
	local, domain, ok := strings.Cut(email, "@")
	if !ok {
		return strings.Repeat("*", utf8.RuneCountInString(email))
	}
	r := []rune(local)
	if len(r) <= 2 {
		return strings.Repeat("*", len(r)) + "@" + domain
	}
	return string(r[0]) + "***" + string(r[len(r)-1]) + "@" + domain
}

// MaskName masks a person's name.
func MaskName(name string) string {
	r := []rune(name)
	if len(r) <= 1 {
		return strings.Repeat("*", len(r))
	}
	return strings.Repeat("*", len(r)-1) + string(r[len(r)-1])
}

// MaskEnterpriseName masks an enterprise's name.
func MaskEnterpriseName(name string) string {
	r := []rune(name)
	keep := 2
	if len(r) <= 5 {
		keep = 1
	}
	if len(r) <= 2*keep {
		return strings.Repeat("*", len(r))
	}
	return string(r[:keep]) + strings.Repeat("*", len(r)-2*keep) + string(r[len(r)-keep:])
}

// MaskIDNumber masks an identity number.
func MaskIDNumber(id string) string {
	r := []rune(id)
	if len(r) <= 2 {
		return strings.Repeat("*", len(r))
	}
	return string(r[0]) + strings.Repeat("*", len(r)-2) + string(r[len(r)-1])
}

// maskIdentifier masks an identifier of kind for events. Provider subject
// IDs keep their first and last 2 bytes.
func maskIdentifier(kind Kind, v string) string {
	switch kind {
	case KindEmail:
		return MaskEmail(v)
	case KindPhone:
		return MaskPhone(v)
	case KindPersonalID, KindEnterpriseID, KindLegalPerson:
		return MaskIDNumber(v)
	default:
		if len(v) <= 6 {
			return strings.Repeat("*", len(v))
		}
		return v[:2] + "***" + v[len(v)-2:]
	}
}
