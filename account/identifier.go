package account

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/accountsec/accountsec/reason"
	"github.com/accountsec/accountsec/vocab"
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

// Method is a login method: [vocab.LoginMethod]. The method an account was
// created with is its registration method.
type Method = vocab.LoginMethod

// The login methods, under account's names.
const (
	// MethodEmail is email address + password.
	MethodEmail = vocab.LoginEmail
	// MethodWeChat is a WeChat login.
	MethodWeChat = vocab.LoginWeChat
	// MethodQQ is a QQ login.
	MethodQQ = vocab.LoginQQ
	// MethodWeCom is an enterprise WeChat (WeCom) login.
	MethodWeCom = vocab.LoginWeCom
	// MethodWeChatOA is a WeChat Official Account / mini-program login.
	MethodWeChatOA = vocab.LoginWeChatOA
)

// Methods lists every login method, in the order the console shows them.
func Methods() []Method { return vocab.LoginMethods() }

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

// KindOf returns the kind of identifier login method m is keyed by.
func KindOf(m Method) Kind { return Kind(m) }

// identifierSpace is the white space Normalize removes around an
// identifier: ASCII space, tab, line feed, vertical tab, form feed and
// carriage return. Nothing else is trimmed.
const identifierSpace = " \t\n\v\f\r"

// Values of the "detail" parameter of the input.malformed errors of
// Normalize, NormalizeWith and the free-text checks, for hosts that want to
// say more than "not valid".
const (
	// DetailControl: a control character (C0, DEL, C1) or a line or
	// paragraph separator (U+2028, U+2029).
	DetailControl = "control"
	// DetailInvisible: an invisible character: a Unicode format character
	// (category Cf, which holds the bidi controls U+202A–U+202E and
	// U+2066–U+2069, the zero-width characters U+200B–U+200D and U+FEFF,
	// the soft hyphen and the tag characters) or a Hangul filler.
	DetailInvisible = "invisible"
	// DetailNonASCII: a character outside ASCII in an identifier that is
	// ASCII only.
	DetailNonASCII = "non_ascii"
	// DetailIDN: an internationalised domain name, as an A-label
	// ("xn--…") or any other reserved label with "--" in its 3rd and 4th
	// places. U-labels are refused as DetailNonASCII.
	DetailIDN = "idn"
	// DetailAddressLiteral: an email domain that is an address literal
	// ("[1.2.3.4]") or whose top-level label is not all letters (such as
	// the IP address "1.2.3.4").
	DetailAddressLiteral = "address_literal"
	// DetailTrunkPrefix: a phone number with more than one national trunk
	// prefix "0" after the country code +86.
	DetailTrunkPrefix = "trunk_prefix"
	// DetailPhoneNormalizer: the host's PhoneNormalizer refused the number
	// (its error is wrapped) or returned something that is not in E.164
	// normal form.
	DetailPhoneNormalizer = "phone_normalizer"
)

// PhoneNormalizer turns a phone number as typed (surrounding white space
// already removed, free of control and invisible characters, at most 1024
// bytes) into E.164 ("+8613800138000"), for example with a libphonenumber
// port that knows every country's trunk prefixes and number lengths. It
// returns an error for a number it does not accept. It must be
// deterministic and must return an E.164 number unchanged, so that a stored
// number normalises to itself.
type PhoneNormalizer func(raw string) (e164 string, err error)

// Normalize returns the normal form of raw as an identifier of kind, the
// form under which it is stored, compared and counted. It is
// NormalizeWith(kind, raw, nil): phones by the built-in rule.
//
// One rule governs every kind: two inputs have the same normal form only if
// they are the same identifier after removing surrounding ASCII white space
// (space, tab, line feed, vertical tab, form feed, carriage return) and the
// folding named below for the kind (ASCII lower-casing for emails, ASCII
// upper-casing for identity numbers, separators and the +86 trunk prefix
// for phones). No Unicode case mapping, compatibility mapping or provider
// folding happens, so no two different strings reach one account, one
// quota slot or one lockout counter.
//
// Bad input is a reason-coded error: input.empty, input.too_long,
// input.invalid_utf8 or input.malformed, with the kind as the field. Every
// kind refuses, anywhere after trimming, control characters (C0, DEL, C1,
// U+2028, U+2029: "detail" DetailControl) and invisible characters
// (category Cf, with the bidi controls U+202A–U+202E and U+2066–U+2069 and
// the zero-width characters U+200B–U+200D and U+FEFF; Hangul fillers:
// DetailInvisible). The rules of each kind:
//
//   - Email: ASCII only. Any byte outside ASCII is refused (DetailNonASCII)
//     before anything is case-mapped, which shuts out internationalised
//     addresses and look-alikes (the KELVIN SIGN U+212A is not "k"). Then
//     the address is lower-cased, ASCII letters only. The local part is
//     case-sensitive in RFC 5321, but no mainstream provider treats it so,
//     and counting "Alice@x.com" and "alice@x.com" as two addresses would
//     let one mailbox take two quota slots and let a user miss their own
//     account by typing a capital. No provider folding is done: "a.b@",
//     "ab@" and "ab+tag@" are three addresses. The form: exactly one "@",
//     a local part of 1–64 bytes of RFC 5322 atext and dots (no leading,
//     trailing or double dot, no quoting), a domain of two or more
//     dot-separated labels of letters, digits and hyphens (no label starts
//     or ends with a hyphen, each at most 63 bytes), at most 254 bytes in
//     all. Internationalised domains are refused in both spellings: as
//     U-labels (DetailNonASCII) and as A-labels "xn--…" (and any label
//     with "--" in its 3rd and 4th places, reserved for such encodings:
//     DetailIDN). The top-level label must be letters only, which refuses
//     IP addresses ("alice@1.2.3.4") and address literals
//     ("alice@[1.2.3.4]"): DetailAddressLiteral.
//   - Phone: E.164. A "+", then 8 to 15 digits, the first not 0. A single
//     space or hyphen between two digits is accepted and removed, so
//     "+86 138-0013-8000" is "+8613800138000". For China (+86) the national
//     trunk prefix is dropped: one "0" right after the country code is
//     removed, so "+86 0138 0013 8000" is "+8613800138000" too; a second
//     "0" is refused (DetailTrunkPrefix). No other country's trunk prefix
//     is known (Italy's numbers keep their 0): hosts that need full
//     normalisation pass a PhoneNormalizer to NormalizeWith. Nothing else is
//     repaired: no national numbers without a country code (the country
//     cannot be guessed), no brackets, dots, full-width digits or
//     separators next to the "+" or each other.
//   - WeChat, QQ, WeCom, Official Account: the provider's subject ID,
//     opaque. 1–128 bytes of printable ASCII without spaces; case is kept,
//     because providers' IDs are case-sensitive.
//   - Personal, enterprise and legal-person identity numbers: ASCII letters
//     upper-cased ("x" check digits become "X"); 6–32 ASCII letters and
//     digits. The service keeps them only as keyed hashes.
func Normalize(kind Kind, raw string) (string, error) {
	return NormalizeWith(kind, raw, nil)
}

// NormalizeWith is Normalize with phone numbers normalised by phone when it
// is not nil. The input is trimmed and checked for control and invisible
// characters first (as for every kind); then phone gets it. Its result must
// already be in the built-in E.164 normal form (a "+", 8 to 15 digits, no
// 0 after +86), or the number is refused with DetailPhoneNormalizer, as it
// is when phone returns an error (which the input.malformed error wraps).
// With phone nil, or for any other kind, it is Normalize.
func NormalizeWith(kind Kind, raw string, phone PhoneNormalizer) (string, error) {
	field := string(kind)
	if !kind.valid() {
		return "", malformed("kind")
	}
	if len(raw) > maxRawBytes {
		return "", tooLong(field, maxRawBytes)
	}
	if !utf8.ValidString(raw) {
		return "", reason.New(reason.InputInvalidUTF8).With("field", field)
	}
	s := strings.Trim(raw, identifierSpace)
	if s == "" {
		return "", reason.New(reason.InputEmpty).With("field", field)
	}
	if err := checkRunes(field, s); err != nil {
		return "", err
	}
	switch kind {
	case KindEmail:
		return normalizeEmail(s)
	case KindPhone:
		if phone != nil {
			return normalizePhoneWith(s, phone)
		}
		return normalizePhone(s)
	case KindPersonalID, KindEnterpriseID, KindLegalPerson:
		return normalizeIDNumber(field, s)
	default:
		return normalizeSubject(field, s)
	}
}

func (k Kind) valid() bool {
	switch k {
	case KindEmail, KindPhone, KindWeChat, KindQQ, KindWeCom, KindWeChatOA,
		KindPersonalID, KindEnterpriseID, KindLegalPerson:
		return true
	}
	return false
}

func malformed(field string) *reason.Error {
	return reason.New(reason.InputMalformed).With("field", field)
}

func malformedBecause(field, detail string) *reason.Error {
	return malformed(field).With("detail", detail)
}

func tooLong(field string, max int) *reason.Error {
	return reason.New(reason.InputTooLong).With("field", field).With("max", max)
}

// isControl reports a C0 or C1 control character, DEL, or a line or
// paragraph separator.
func isControl(r rune) bool {
	return r < 0x20 || (r >= 0x7f && r < 0xa0) || r == '\u2028' || r == '\u2029'
}

// isInvisible reports a format character (category Cf: bidi controls,
// zero-width characters, the byte order mark, the soft hyphen, tags, …) or
// a Hangul filler, which renders as nothing.
func isInvisible(r rune) bool {
	switch r {
	case '\u115f', '\u1160', '\u3164', '\uffa0':
		return true
	}
	return r >= 0xad && unicode.Is(unicode.Cf, r)
}

// checkRunes refuses control and invisible characters anywhere in s, which
// is valid UTF-8.
func checkRunes(field, s string) error {
	for _, r := range s {
		switch {
		case isControl(r):
			return malformedBecause(field, DetailControl)
		case isInvisible(r):
			return malformedBecause(field, DetailInvisible)
		}
	}
	return nil
}

func normalizeEmail(s string) (string, error) {
	if len(s) > MaxEmailBytes {
		return "", tooLong("email", MaxEmailBytes)
	}
	// ASCII only, checked before any case mapping: Unicode lower-casing
	// would turn U+212A KELVIN SIGN into "k". An address already in lower
	// case (what a login usually types) is kept as it is, without a copy.
	upper := false
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= 0x80:
			return "", malformedBecause("email", DetailNonASCII)
		case c >= 'A' && c <= 'Z':
			upper = true
		}
	}
	if upper {
		b := []byte(s)
		for i, c := range b {
			if c >= 'A' && c <= 'Z' {
				b[i] = c - 'A' + 'a'
			}
		}
		s = string(b)
	}
	local, domain, ok := strings.Cut(s, "@")
	if !ok || strings.Contains(domain, "@") {
		return "", malformed("email")
	}
	if local == "" || len(local) > MaxEmailLocalBytes || !validLocal(local) {
		return "", malformed("email")
	}
	if detail, ok := validDomain(domain); !ok {
		if detail != "" {
			return "", malformedBecause("email", detail)
		}
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

// validDomain checks a lower-case host name of at least two labels whose
// top-level label is letters only, with no reserved ("??--") label. When it
// is not valid, detail says why if there is more to say than "malformed".
func validDomain(d string) (detail string, ok bool) {
	if strings.HasPrefix(d, "[") {
		return DetailAddressLiteral, false
	}
	if !strings.Contains(d, ".") {
		return "", false
	}
	// The labels, walked without splitting (no allocation).
	var tld string
	for rest := d; ; {
		l, after, more := strings.Cut(rest, ".")
		rest = after
		if l == "" || len(l) > 63 || l[0] == '-' || l[len(l)-1] == '-' {
			return "", false
		}
		for i := 0; i < len(l); i++ {
			if !isAlnum(l[i]) && l[i] != '-' {
				return "", false
			}
		}
		if len(l) >= 4 && l[2] == '-' && l[3] == '-' {
			return DetailIDN, false // A-label "xn--…" or another reserved prefix (RFC 5890 §2.3.1)
		}
		if !more {
			tld = l
			break
		}
	}
	for i := 0; i < len(tld); i++ {
		if tld[i] < 'a' || tld[i] > 'z' {
			return DetailAddressLiteral, false
		}
	}
	return "", true
}

func normalizePhone(s string) (string, error) {
	if s[0] != '+' {
		return "", malformed("phone")
	}
	// Room for the digits and one trunk prefix, dropped below.
	digits := make([]byte, 0, MaxPhoneDigits+2)
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
	if prevSep || digits[0] == '0' {
		return "", malformed("phone")
	}
	if len(digits) >= 3 && digits[0] == '8' && digits[1] == '6' && digits[2] == '0' {
		// China: the national trunk prefix "0" is not part of the number.
		digits = append(digits[:2], digits[3:]...)
		if len(digits) >= 3 && digits[2] == '0' {
			return "", malformedBecause("phone", DetailTrunkPrefix)
		}
	}
	if n := len(digits); n < MinPhoneDigits || n > MaxPhoneDigits {
		return "", malformed("phone")
	}
	return "+" + string(digits), nil
}

func normalizePhoneWith(s string, phone PhoneNormalizer) (string, error) {
	out, err := phone(s)
	if err != nil {
		return "", malformedBecause("phone", DetailPhoneNormalizer).Wrap(err)
	}
	if out == "" {
		return "", malformedBecause("phone", DetailPhoneNormalizer)
	}
	if got, err := normalizePhone(out); err != nil || got != out {
		return "", malformedBecause("phone", DetailPhoneNormalizer)
	}
	return out, nil
}

func normalizeSubject(field, s string) (string, error) {
	if len(s) > MaxSubjectBytes {
		return "", tooLong(field, MaxSubjectBytes)
	}
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return "", malformedBecause(field, DetailNonASCII)
		}
		if s[i] <= ' ' || s[i] == 0x7f {
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

// checkText validates free text (a nickname, an industry, a person's or an
// enterprise's name): valid UTF-8, at most max Unicode characters, (when
// required) not empty after trimming Unicode white space, and, inside the
// trimmed text, no control characters (C0, DEL, C1, U+2028, U+2029:
// input.malformed with "detail" DetailControl) and no invisible characters
// (DetailInvisible): no format characters (category Cf: the bidi controls
// U+202A–U+202E and U+2066–U+2069, which can make a name display as another
// one, the zero-width characters U+200B–U+200D and U+FEFF, the soft hyphen,
// tags) and no Hangul fillers, which let a name look empty or like another
// one. (This refuses the zero-width joiner of emoji sequences too.) It
// returns the trimmed text.
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
	if err := checkRunes(field, s); err != nil {
		return "", err
	}
	return s, nil
}
