package lifecycle

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/accountsec/accountsec/reason"
)

// checkText returns raw with surrounding white space removed, or a
// reason-coded error: longer than max characters (input.too_long), not
// UTF-8 (input.invalid_utf8), or holding a control, bidi or other
// invisible format character (input.malformed, detail "control" or
// "invisible").
func checkText(field, raw string, max int) (string, error) {
	if len(raw) > 4*max {
		return "", reason.New(reason.InputTooLong).With("field", field).With("max", max)
	}
	if !utf8.ValidString(raw) {
		return "", reason.New(reason.InputInvalidUTF8).With("field", field)
	}
	s := strings.TrimSpace(raw)
	if utf8.RuneCountInString(s) > max {
		return "", reason.New(reason.InputTooLong).With("field", field).With("max", max)
	}
	for _, r := range s {
		switch {
		case r < 0x20 || (r >= 0x7f && r < 0xa0) || r == '\u2028' || r == '\u2029':
			return "", reason.New(reason.InputMalformed).With("field", field).With("detail", "control")
		case r == '\u115f' || r == '\u1160' || r == '\u3164' || r == '\uffa0' || (r >= 0xad && unicode.Is(unicode.Cf, r)):
			return "", reason.New(reason.InputMalformed).With("field", field).With("detail", "invisible")
		}
	}
	return s, nil
}

// checkKey refuses a resource ID that is empty, too long or not printable
// ASCII.
func checkKey(field, s string, max int) error {
	switch {
	case s == "":
		return reason.New(reason.InputEmpty).With("field", field)
	case len(s) > max:
		return reason.New(reason.InputTooLong).With("field", field).With("max", max)
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x21 || c > 0x7e {
			return reason.New(reason.InputMalformed).With("field", field)
		}
	}
	return nil
}
