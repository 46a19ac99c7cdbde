package account

import (
	"strings"
	"unicode/utf8"
)

// The masking rules. Masked values are what the library puts in events and
// what a host may show back to a user (or to someone recovering an
// account); they keep enough to recognise one's own data and too little to
// learn someone else's. Each rule works on normalised input and degrades to
// all stars rather than reveal more on short or odd input.
//
//   - Phone (E.164): the last 4 digits are shown, the 4 before them are
//     starred, everything before that (the "+", the country code, the
//     start of the number) is shown: "+8613800138000" → "+86138****8000".
//   - Email: the domain is shown; of the local part the first and the last
//     character are shown around a fixed "***" (so its length is hidden);
//     a local part of one or two characters is all stars:
//     "alice@example.com" → "a***e@example.com", "al@x.cn" → "**@x.cn".
//   - Personal name: every character but the last is a star: "张三" → "*三",
//     "欧阳娜娜" → "***娜"; a single character becomes "*".
//   - Enterprise name: the first 2 and the last 2 characters are shown,
//     the rest starred; names of 5 characters or fewer show only the first
//     and last: "深圳市腾讯计算机系统有限公司" → "深圳**********公司".
//   - Identity number: only the first and the last character are shown,
//     every other character is a star (the length is kept, since it is
//     standard per kind): "11010519491231002X" → "1****************X".

// MaskPhone masks an E.164 phone number.
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
