package account

import (
	"strings"
	"unicode/utf8"

	"github.com/accountsec/accountsec/reason"
)

// Kind is the kind of an identifier: what a quota counts accounts per.
type Kind string

// The kinds of identifiers.
const (
	// KindEmail is an email address.
	KindEmail Kind = "email"
	// KindPhone is a phone number in E.164 form.
	KindPhone Kind = "phone"
	// KindWeChat is a WeChat user's subject ID (as the host's OAuth login
	// returns it).
	KindWeChat Kind = "wechat"
	// KindQQ is a QQ user's subject ID.
	KindQQ Kind = "qq"
	// KindWeCom is an enterprise WeChat (WeCom) user's subject ID.
	KindWeCom Kind = "wecom"
	// KindWeChatOA is a WeChat Official Account / mini-program user's
	// subject ID.
	KindWeChatOA Kind = "wechat_oa"
	// KindPersonalID is a personal identity number (resident ID, passport
	// number). It is stored only as a keyed hash.
	KindPersonalID Kind = "personal_id"
	// KindEnterpriseID is an enterprise identity number (unified social
	// credit code). It is stored only as a keyed hash.
	KindEnterpriseID Kind = "enterprise_id"
	// KindLegalPerson is the personal identity number of an enterprise's
	// legal person, counted separately from KindPersonalID. It is stored only
	// as a keyed hash.
	KindLegalPerson Kind = "legal_person"
)

// Limits of identifiers, in bytes after normalisation.
const (
	// MaxEmailBytes is the longest email address (RFC 5321 path limit
	// minus the angle brackets).
	MaxEmailBytes = 254
	// MaxEmailLocalBytes is the longest local part of an email address.
	MaxEmailLocalBytes = 64
	// MaxSubjectBytes is the longest provider subject ID.
	MaxSubjectBytes = 128
	// MinPhoneDigits and MaxPhoneDigits bound the digits of an E.164 number
	// after the "+".
	MinPhoneDigits = 8
	// MaxPhoneDigits is the E.164 maximum.
	MaxPhoneDigits = 15
	// MinIDNumberLen and MaxIDNumberLen bound an identity number.
	MinIDNumberLen = 6
	// MaxIDNumberLen is the longest identity number.
	MaxIDNumberLen = 32
	// maxRawBytes is the most raw input looked at: anything longer is
	// refused before it is scanned.
	maxRawBytes = 1024
)

// Method is a login method. The method an account was created with is its
// registration method.
type Method string

// The login methods.
const (
	// MethodEmail is email address + password.
	MethodEmail Method = "email"
	// MethodWeChat is a WeChat login.
	MethodWeChat Method = "wechat"
	// MethodQQ is a QQ login.
	MethodQQ Method = "qq"
	// MethodWeCom is an enterprise WeChat (WeCom) login.
	MethodWeCom Method = "wecom"
	// MethodWeChatOA is a WeChat Official Account / mini-program login.
	MethodWeChatOA Method = "wechat_oa"
)

// Methods lists every login method, in the order the console shows them.
func Methods() []Method {
	return []Method{MethodEmail, MethodWeChat, MethodQQ, MethodWeCom, MethodWeChatOA}
}

const allowedMethods = "email, wechat, qq, wecom, wechat_oa"

// ErrUnknownMethod matches an unknown login method name.
var ErrUnknownMethod = reason.New(reason.AccountUnknownMethod)

// ParseMethod returns the login method named s (exactly, case-sensitive), or
// ErrUnknownMethod.
func ParseMethod(s string) (Method, error) {
	m := Method(s)
	if !m.Valid() {
		return "", ErrUnknownMethod.With("allowed", allowedMethods)
	}
	return m, nil
}

// Valid reports whether m is one of the login methods.
func (m Method) Valid() bool {
	switch m {
	case MethodEmail, MethodWeChat, MethodQQ, MethodWeCom, MethodWeChatOA:
		return true
	}
	return false
}

// Kind returns the kind of identifier the method is keyed by.
func (m Method) Kind() Kind { return Kind(m) }

// Normalize returns the normal form of raw as an identifier of kind, the
// form under which it is stored, compared and counted. Bad input is a
// reason-coded error: input.empty, input.too_long, input.invalid_utf8 or
// input.malformed, with the kind as the field. The rules:
//
//   - Email: surrounding white space removed, then the whole address
//     lower-cased. The local part is case-sensitive in RFC 5321, but no
//     mainstream provider treats it so, and counting "Alice@x.com" and
//     "alice@x.com" as two addresses would let one mailbox take two quota
//     slots and let a user miss their own account by typing a capital.
//     Only printable ASCII is accepted (internationalised addresses are
//     refused, which also shuts out look-alike characters): exactly one
//     "@", a local part of 1–64 bytes of RFC 5322 atext and dots (no
//     leading, trailing or double dot, no quoting), a domain of two or more
//     dot-separated labels of letters, digits and hyphens (no label starts
//     or ends with a hyphen, each at most 63 bytes), at most 254 bytes in
//     all.
//   - Phone: E.164. Surrounding white space removed; then a "+", and 8 to
//     15 digits, the first not 0. Spaces and hyphens between the digits are
//     accepted and removed, so "+86 138-0013-8000" is "+8613800138000";
//     nothing else is repaired (no national numbers without a country
//     code: the country cannot be guessed; no brackets, dots or full-width
//     digits).
//   - WeChat, QQ, WeCom, Official Account: the provider's subject ID,
//     opaque. Surrounding white space removed; 1–128 bytes of printable
//     ASCII without spaces; case is kept, because providers' IDs are
//     case-sensitive.
//   - Personal, enterprise and legal-person identity numbers: surrounding
//     white space removed, ASCII letters upper-cased ("x" check digits
//     become "X"); 6–32 ASCII letters and digits. The service keeps them
//     only as keyed hashes.
func Normalize(kind Kind, raw string) (string, error) {
	field := string(kind)
	if len(raw) > maxRawBytes {
		return "", tooLong(field, maxRawBytes)
	}
	if !utf8.ValidString(raw) {
		return "", reason.New(reason.InputInvalidUTF8).With("field", field)
	}
	s := strings.TrimSpace(raw)
	if s == "" {
		return "", reason.New(reason.InputEmpty).With("field", field)
	}
	switch kind {
	case KindEmail:
		return normalizeEmail(s)
	case KindPhone:
		return normalizePhone(s)
	case KindWeChat, KindQQ, KindWeCom, KindWeChatOA:
		return normalizeSubject(field, s)
	case KindPersonalID, KindEnterpriseID, KindLegalPerson:
		return normalizeIDNumber(field, s)
	default:
		return "", malformed("kind")
	}
}

func malformed(field string) *reason.Error {
	return reason.New(reason.InputMalformed).With("field", field)
}

func tooLong(field string, max int) *reason.Error {
	return reason.New(reason.InputTooLong).With("field", field).With("max", max)
}

func normalizeEmail(s string) (string, error) {
	if len(s) > MaxEmailBytes {
		return "", tooLong("email", MaxEmailBytes)
	}
	s = strings.ToLower(s) // ASCII only is accepted below, so this is ASCII folding
	local, domain, ok := strings.Cut(s, "@")
	if !ok || strings.Contains(domain, "@") {
		return "", malformed("email")
	}
	if local == "" || len(local) > MaxEmailLocalBytes || !validLocal(local) || !validDomain(domain) {
		return "", malformed("email")
	}
	return s, nil
}

// validLocal checks a dot-atom local part (RFC 5322 §3.2.3).
func validLocal(l string) bool {
	if l[0] == '.' || l[len(l)-1] == '.' || strings.Contains(l, "..") {
		return false
	}
	for i := 0; i < len(l); i++ {
		c := l[i]
		if isAlnum(c) || c == '.' || strings.IndexByte("!#$%&'*+/=?^_`{|}~-", c) >= 0 {
			continue
		}
		return false
	}
	return true
}

// validDomain checks a host name of at least two labels.
func validDomain(d string) bool {
	labels := strings.Split(d, ".")
	if len(labels) < 2 {
		return false
	}
	for _, l := range labels {
		if l == "" || len(l) > 63 || l[0] == '-' || l[len(l)-1] == '-' {
			return false
		}
		for i := 0; i < len(l); i++ {
			if !isAlnum(l[i]) && l[i] != '-' {
				return false
			}
		}
	}
	return true
}

func normalizePhone(s string) (string, error) {
	if s[0] != '+' {
		return "", malformed("phone")
	}
	digits := make([]byte, 0, MaxPhoneDigits+1)
	digits = append(digits, '+')
	prevSep := true // no separator right after the "+"
	for i := 1; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			digits = append(digits, c)
			prevSep = false
		case (c == ' ' || c == '-') && !prevSep:
			prevSep = true
		default:
			return "", malformed("phone")
		}
		if len(digits) > MaxPhoneDigits+1 {
			return "", malformed("phone")
		}
	}
	n := len(digits) - 1
	if prevSep || n < MinPhoneDigits || digits[1] == '0' {
		return "", malformed("phone")
	}
	return string(digits), nil
}

func normalizeSubject(field, s string) (string, error) {
	if len(s) > MaxSubjectBytes {
		return "", tooLong(field, MaxSubjectBytes)
	}
	for i := 0; i < len(s); i++ {
		if s[i] <= ' ' || s[i] >= 0x7f {
			return "", malformed(field)
		}
	}
	return s, nil
}

func normalizeIDNumber(field, s string) (string, error) {
	if len(s) > MaxIDNumberLen {
		return "", tooLong(field, MaxIDNumberLen)
	}
	if len(s) < MinIDNumberLen {
		return "", malformed(field)
	}
	b := []byte(s)
	for i, c := range b {
		switch {
		case c >= 'a' && c <= 'z':
			b[i] = c - 'a' + 'A'
		case c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		default:
			return "", malformed(field)
		}
	}
	return string(b), nil
}

func isAlnum(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

// checkText validates free text (a nickname, an industry, a person's name):
// valid UTF-8, no control characters, at most max Unicode characters, and
// (when required) not empty after trimming. It returns the trimmed text.
func checkText(field, raw string, max int, required bool) (string, error) {
	if len(raw) > 4*max {
		return "", tooLong(field, max)
	}
	if !utf8.ValidString(raw) {
		return "", reason.New(reason.InputInvalidUTF8).With("field", field)
	}
	s := strings.TrimSpace(raw)
	if required && s == "" {
		return "", reason.New(reason.InputEmpty).With("field", field)
	}
	if utf8.RuneCountInString(s) > max {
		return "", tooLong(field, max)
	}
	for _, r := range s {
		if r < ' ' || r == 0x7f || (r >= 0x80 && r < 0xa0) || r == '\u2028' || r == '\u2029' {
			return "", malformed(field)
		}
	}
	return s, nil
}
