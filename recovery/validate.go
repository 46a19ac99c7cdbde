package recovery

import (
	"net/netip"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/accountsec/accountsec/account"
	"github.com/accountsec/accountsec/reason"
)

// Input validation of the ways to find an account (docs/RULES.md §8). Every
// Validate function takes the text as the user typed it and returns its
// normal form, the form under which it is looked up, or a reason-coded
// error: input.empty, input.too_long, input.invalid_utf8, input.malformed
// (with a "detail" parameter where there is more to say: the
// account.Detail* values), find.check_character or find.not_public, each
// with the field. They never panic and change nothing.
//
// The rules shared by every function: at most MaxInputBytes bytes are looked
// at (longer input is input.too_long before it is scanned); surrounding
// ASCII white space (space, tab, line feed, vertical tab, form feed,
// carriage return) is removed and nothing else is repaired; control
// characters (account.DetailControl) and invisible characters
// (account.DetailInvisible) are refused anywhere.

// MaxInputBytes is the most raw input a Validate function looks at.
const MaxInputBytes = 1024

// The fields the Validate functions name in their errors.
const (
	FieldCreditCode = "credit_code"
	FieldIDNumber   = "id_number"
	FieldICPNumber  = "icp_number"
	FieldIP         = "ip"
	FieldDomain     = "domain"
	FieldAccountID  = "account_id"
	FieldName       = "name"
)

// Lengths of the validated identifiers.
const (
	// CreditCodeLen is the length of a unified social credit code
	// (GB 32100-2015).
	CreditCodeLen = 18
	// ResidentIDLen is the length of a resident identity card number
	// (GB 11643-1999).
	ResidentIDLen = 18
	// MaxDomainBytes is the longest domain name (RFC 1035, without the
	// root's trailing dot).
	MaxDomainBytes = 253
	// MaxLabelBytes is the longest label of a domain name.
	MaxLabelBytes = 63
	// MaxICPDigits is the most digits of an ICP filing number.
	MaxICPDigits = 12
	// MaxICPSite is the largest site suffix "-N" of an ICP filing number.
	MaxICPSite = 9999
	// MaxAccountIDBytes is the longest account ID accepted.
	MaxAccountIDBytes = 32
	// MaxNameLen is the longest person's name, in Unicode characters
	// (account.MaxPersonNameLen).
	MaxNameLen = account.MaxPersonNameLen
)

// inputSpace is the white space removed around an input.
const inputSpace = " \t\n\v\f\r"

// prepare applies the shared rules and returns the trimmed input.
func prepare(field, raw string) (string, error) {
	if len(raw) > MaxInputBytes {
		return "", reason.New(reason.InputTooLong).With("field", field).With("max", MaxInputBytes)
	}
	if !utf8.ValidString(raw) {
		return "", reason.New(reason.InputInvalidUTF8).With("field", field)
	}
	s := strings.Trim(raw, inputSpace)
	if s == "" {
		return "", reason.New(reason.InputEmpty).With("field", field)
	}
	for _, r := range s {
		switch {
		case r < 0x20 || (r >= 0x7f && r < 0xa0) || r == '\u2028' || r == '\u2029':
			return "", malformedBecause(field, account.DetailControl)
		case r == '\u115f' || r == '\u1160' || r == '\u3164' || r == '\uffa0' || (r >= 0xad && unicode.Is(unicode.Cf, r)):
			return "", malformedBecause(field, account.DetailInvisible)
		}
	}
	return s, nil
}

func malformedField(field string) *reason.Error {
	return reason.New(reason.InputMalformed).With("field", field)
}

func malformedBecause(field, detail string) *reason.Error {
	return malformedField(field).With("detail", detail)
}

// asciiUpper upper-cases the ASCII letters of s and refuses any other byte
// outside ASCII (account.DetailNonASCII).
func asciiUpper(field, s string) (string, error) {
	b := []byte(s)
	for i, c := range b {
		switch {
		case c >= 0x80:
			return "", malformedBecause(field, account.DetailNonASCII)
		case c >= 'a' && c <= 'z':
			b[i] = c - 'a' + 'A'
		}
	}
	return string(b), nil
}

// creditAlphabet is the alphabet of GB 32100: digits and the upper-case
// letters but I, O, S, V and Z; a character's value is its index.
const creditAlphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"

// creditWeights are the weights of the first 17 characters (3^i mod 31).
var creditWeights = [17]int{1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28}

// ValidateCreditCode checks a unified social credit code (GB 32100-2015)
// and returns it upper-cased. It must be exactly 18 characters of the
// code's alphabet (digits and A–Y without I, O, S, V, Z; lower-case letters
// are upper-cased), with the administrative division code (characters 3 to
// 8) all digits, and its 18th character must be the check character:
// 31 − (Σ value·weight mod 31), the weights being 3^i mod 31. A wrong
// length or alphabet is input.malformed; a wrong check character is
// find.check_character.
func ValidateCreditCode(raw string) (string, error) {
	s, err := prepare(FieldCreditCode, raw)
	if err != nil {
		return "", err
	}
	if len(s) != CreditCodeLen {
		if len(s) > CreditCodeLen && utf8.RuneCountInString(s) > CreditCodeLen {
			return "", reason.New(reason.InputTooLong).With("field", FieldCreditCode).With("max", CreditCodeLen)
		}
		return "", malformedField(FieldCreditCode)
	}
	if s, err = asciiUpper(FieldCreditCode, s); err != nil {
		return "", err
	}
	sum := 0
	for i := 0; i < CreditCodeLen; i++ {
		v := strings.IndexByte(creditAlphabet, s[i])
		if v < 0 || (i >= 2 && i < 8 && v > 9) {
			return "", malformedField(FieldCreditCode)
		}
		if i < CreditCodeLen-1 {
			sum += v * creditWeights[i]
		}
	}
	check := (31 - sum%31) % 31
	if s[CreditCodeLen-1] != creditAlphabet[check] {
		return "", reason.New(reason.FindCheckCharacter).With("field", FieldCreditCode)
	}
	return s, nil
}

// residentWeights are the GB 11643 weights of the first 17 digits
// (2^(17−i) mod 11).
var residentWeights = [17]int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}

// residentCheck maps Σ digit·weight mod 11 to the check character
// (ISO 7064 MOD 11-2).
const residentCheck = "10X98765432"

// DocumentValidator validates an identity number that is not a resident
// identity card number (a passport, a travel permit for Hong Kong, Macao or
// Taiwan residents, a foreigner's permanent residence card, …). The host
// implements it for the documents it accepts. raw has been trimmed and is
// free of control and invisible characters. It returns the number's normal
// form, which must be account's normal form of a personal identity number
// (6 to 32 ASCII upper-case letters and digits; see account.Normalize) or the
// number is refused, or an error (a reason-coded one is returned as it is,
// any other is wrapped in input.malformed).
type DocumentValidator func(raw string) (normalized string, err error)

// ValidateIDNumber checks a resident identity card number (GB 11643-1999)
// and returns it with a lower-case "x" upper-cased: exactly 18 characters,
// 17 digits and a check character (a digit or X) equal to
// ISO 7064 MOD 11-2 of the 17 digits, the digits 7 to 14 a real calendar
// date from 1900-01-01 on. Anything else is input.malformed, a wrong check
// character find.check_character. It is ValidateIDNumberWith(raw, nil).
func ValidateIDNumber(raw string) (string, error) {
	return ValidateIDNumberWith(raw, nil)
}

// ValidateIDNumberWith is ValidateIDNumber accepting other documents
// through other: input that does not look like a resident identity number
// (18 characters, 17 digits and a digit or X) goes to other when it is not
// nil. Input that looks like one is always checked as one, so a resident
// identity number with a wrong check character is refused whatever other
// says.
func ValidateIDNumberWith(raw string, other DocumentValidator) (string, error) {
	s, err := prepare(FieldIDNumber, raw)
	if err != nil {
		return "", err
	}
	if !looksResident(s) {
		if other == nil {
			if utf8.RuneCountInString(s) > ResidentIDLen {
				return "", reason.New(reason.InputTooLong).With("field", FieldIDNumber).With("max", ResidentIDLen)
			}
			return "", malformedField(FieldIDNumber)
		}
		return otherDocument(s, other)
	}
	s = strings.ToUpper(s)
	sum := 0
	for i := 0; i < ResidentIDLen-1; i++ {
		sum += int(s[i]-'0') * residentWeights[i]
	}
	if _, err := time.Parse("20060102", s[6:14]); err != nil || s[6:8] < "19" {
		return "", malformedBecause(FieldIDNumber, "birth_date")
	}
	if s[ResidentIDLen-1] != residentCheck[sum%11] {
		return "", reason.New(reason.FindCheckCharacter).With("field", FieldIDNumber)
	}
	return s, nil
}

// looksResident reports 17 ASCII digits and a digit or X (either case).
func looksResident(s string) bool {
	if len(s) != ResidentIDLen {
		return false
	}
	for i := 0; i < ResidentIDLen-1; i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	c := s[ResidentIDLen-1]
	return c >= '0' && c <= '9' || c == 'X' || c == 'x'
}

func otherDocument(s string, other DocumentValidator) (string, error) {
	out, err := other(s)
	if err != nil {
		if reason.CodeOf(err) != "" {
			return "", err
		}
		return "", malformedBecause(FieldIDNumber, "document").Wrap(err)
	}
	norm, nerr := account.Normalize(account.KindPersonalID, out)
	if nerr != nil || norm != out {
		return "", malformedBecause(FieldIDNumber, "document")
	}
	return out, nil
}

// icpProvinces are the one-character abbreviations that start an ICP filing
// number: the 31 provinces, autonomous regions and municipalities of the
// mainland, with the second abbreviation some of them use (蜀 for 川, 黔 for
// 贵, 滇 for 云, 秦 for 陕, 陇 for 甘).
const icpProvinces = "京津冀晋蒙辽吉黑沪苏浙皖闽赣鲁豫鄂湘粤桂琼渝川蜀贵黔云滇藏陕秦甘陇青宁新"

// ValidateICPNumber checks an ICP filing number such as "粤ICP备12345678号"
// or, for one site of the filing, "粤ICP备12345678号-3", and returns it
// with "ICP" upper-cased: a province abbreviation (see the list in the
// source: 京, 沪, 粤, …, including 蜀, 黔, 滇, 秦 and 陇), "ICP" (any case),
// "备", 1 to MaxICPDigits ASCII digits, "号", and optionally "-" and a site
// number from 1 to MaxICPSite without leading zeros. Nothing else is
// accepted: no spaces inside, no full-width digits or hyphens, no "证"
// (an ICP licence, which is not a filing).
func ValidateICPNumber(raw string) (string, error) {
	s, err := prepare(FieldICPNumber, raw)
	if err != nil {
		return "", err
	}
	bad := malformedField(FieldICPNumber)
	p, size := utf8.DecodeRuneInString(s)
	if !strings.ContainsRune(icpProvinces, p) {
		return "", bad
	}
	rest := s[size:]
	if len(rest) < 3 || !strings.EqualFold(rest[:3], "ICP") {
		return "", bad
	}
	rest, ok := strings.CutPrefix(rest[3:], "备")
	if !ok {
		return "", bad
	}
	n := 0
	for n < len(rest) && rest[n] >= '0' && rest[n] <= '9' {
		n++
	}
	if n == 0 || n > MaxICPDigits {
		return "", bad
	}
	digits := rest[:n]
	rest, ok = strings.CutPrefix(rest[n:], "号")
	if !ok {
		return "", bad
	}
	out := string(p) + "ICP备" + digits + "号"
	if rest == "" {
		return out, nil
	}
	site, ok := strings.CutPrefix(rest, "-")
	if !ok || site == "" || len(site) > 4 || site[0] == '0' {
		return "", bad
	}
	for i := 0; i < len(site); i++ {
		if site[i] < '0' || site[i] > '9' {
			return "", bad
		}
	}
	return out + "-" + site, nil
}

// ValidateIP checks a server's public IP address and returns its canonical
// text (net/netip: dotted decimal for IPv4, RFC 5952 for IPv6; an
// IPv4-mapped IPv6 address is returned as the IPv4 address, so one server
// has one text). The syntax is net/netip's: IPv4 with exactly four decimal
// parts and no leading zeros, IPv6 in any RFC 4291 spelling. A zone
// ("fe80::1%eth0") is input.malformed (detail "zone"): a zone only means
// something on one host. Addresses that no cloud server can have as its
// public address are find.not_public: unspecified (0.0.0.0, ::), loopback,
// private (10/8, 172.16/12, 192.168/16, fc00::/7), link-local, multicast,
// the broadcast address and 0.0.0.0/8. Other special-purpose ranges
// (documentation, shared address space, …) are accepted: the directory will
// not know them, and refusing them would add nothing.
func ValidateIP(raw string) (string, error) {
	s, err := prepare(FieldIP, raw)
	if err != nil {
		return "", err
	}
	if strings.ContainsRune(s, '%') {
		return "", malformedBecause(FieldIP, "zone")
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return "", malformedField(FieldIP)
	}
	a = a.Unmap()
	if !a.IsGlobalUnicast() || a.IsPrivate() || (a.Is4() && a.As4()[0] == 0) {
		return "", reason.New(reason.FindNotPublic).With("field", FieldIP)
	}
	return a.String(), nil
}

// ValidateDomain checks a domain name and returns it lower-cased. The rule
// is account's rule for the domain of an email address (account.Normalize):
// ASCII only (anything else is input.malformed with detail
// account.DetailNonASCII, which shuts out U-labels and look-alikes), two or
// more dot-separated labels of 1 to 63 letters, digits and hyphens, no label
// starting or ending with a hyphen, at most MaxDomainBytes bytes, and a
// top-level label of letters only (an IP address is
// account.DetailAddressLiteral). Internationalised names are refused in
// both spellings, as for email: A-labels ("xn--…", and any label with "--"
// in its 3rd and 4th places) are account.DetailIDN, so that a domain is
// found exactly when an email address at it could be registered. No
// trailing root dot, wildcard or port is accepted.
func ValidateDomain(raw string) (string, error) {
	s, err := prepare(FieldDomain, raw)
	if err != nil {
		return "", err
	}
	if len(s) > MaxDomainBytes {
		return "", reason.New(reason.InputTooLong).With("field", FieldDomain).With("max", MaxDomainBytes)
	}
	b := []byte(s)
	for i, c := range b {
		switch {
		case c >= 0x80:
			return "", malformedBecause(FieldDomain, account.DetailNonASCII)
		case c >= 'A' && c <= 'Z':
			b[i] = c - 'A' + 'a'
		}
	}
	s = string(b)
	if strings.HasPrefix(s, "[") {
		return "", malformedBecause(FieldDomain, account.DetailAddressLiteral)
	}
	labels := strings.Split(s, ".")
	if len(labels) < 2 {
		return "", malformedField(FieldDomain)
	}
	for _, l := range labels {
		if l == "" || len(l) > MaxLabelBytes || l[0] == '-' || l[len(l)-1] == '-' {
			return "", malformedField(FieldDomain)
		}
		for i := 0; i < len(l); i++ {
			if !isAlnumByte(l[i]) && l[i] != '-' {
				return "", malformedField(FieldDomain)
			}
		}
		if len(l) >= 4 && l[2] == '-' && l[3] == '-' {
			return "", malformedBecause(FieldDomain, account.DetailIDN)
		}
	}
	tld := labels[len(labels)-1]
	for i := 0; i < len(tld); i++ {
		if tld[i] < 'a' || tld[i] > 'z' {
			return "", malformedBecause(FieldDomain, account.DetailAddressLiteral)
		}
	}
	return s, nil
}

// ValidateAccountID checks an account ID as typed: 1 to MaxAccountIDBytes
// ASCII digits (the form account.RandomIDs issues, and a host generator
// should keep). It returns it trimmed.
func ValidateAccountID(raw string) (string, error) {
	s, err := prepare(FieldAccountID, raw)
	if err != nil {
		return "", err
	}
	if len(s) > MaxAccountIDBytes {
		return "", reason.New(reason.InputTooLong).With("field", FieldAccountID).With("max", MaxAccountIDBytes)
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return "", malformedField(FieldAccountID)
		}
	}
	return s, nil
}

// ValidateName checks a person's name as typed: 1 to MaxNameLen Unicode
// characters after trimming Unicode white space, with no control or
// invisible character. It returns it trimmed.
func ValidateName(raw string) (string, error) {
	if len(raw) > 4*MaxNameLen {
		return "", reason.New(reason.InputTooLong).With("field", FieldName).With("max", MaxNameLen)
	}
	s, err := prepare(FieldName, raw)
	if err != nil {
		return "", err
	}
	s = strings.TrimSpace(s)
	switch {
	case s == "":
		return "", reason.New(reason.InputEmpty).With("field", FieldName)
	case utf8.RuneCountInString(s) > MaxNameLen:
		return "", reason.New(reason.InputTooLong).With("field", FieldName).With("max", MaxNameLen)
	}
	return s, nil
}

func isAlnumByte(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}
