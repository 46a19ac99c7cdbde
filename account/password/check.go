package password

import (
	"unicode"
	"unicode/utf8"

	"github.com/accountsec/accountsec/reason"
)

// Sentinel errors, for errors.Is. Each matches any error of its reason code,
// whatever parameters the error carries.
var (
	// ErrTooShort is reason.PasswordTooShort: fewer code points than
	// Policy.MinLength. Param: min.
	ErrTooShort = reason.New(reason.PasswordTooShort)
	// ErrTooLong is reason.PasswordTooLong: more code points than
	// Policy.MaxLength. Param: max.
	ErrTooLong = reason.New(reason.PasswordTooLong)
	// ErrTooLarge is reason.PasswordTooLarge: more bytes than the byte cap;
	// nothing else was checked or hashed. Param: max_bytes.
	ErrTooLarge = reason.New(reason.PasswordTooLarge)
	// ErrInvalidUTF8 is reason.PasswordInvalidUTF8: the password is not
	// valid UTF-8; nothing else was checked.
	ErrInvalidUTF8 = reason.New(reason.PasswordInvalidUTF8)
	// ErrMissingUpper is reason.PasswordMissingUpper: no uppercase letter.
	ErrMissingUpper = reason.New(reason.PasswordMissingUpper)
	// ErrMissingLower is reason.PasswordMissingLower: no lowercase letter.
	ErrMissingLower = reason.New(reason.PasswordMissingLower)
	// ErrMissingDigit is reason.PasswordMissingDigit: no digit.
	ErrMissingDigit = reason.New(reason.PasswordMissingDigit)
	// ErrMissingPunct is reason.PasswordMissingPunct: no punctuation mark.
	ErrMissingPunct = reason.New(reason.PasswordMissingPunct)
	// ErrHasSpace is reason.PasswordHasSpace: contains white space.
	ErrHasSpace = reason.New(reason.PasswordHasSpace)
	// ErrControlChar is reason.PasswordControlChar: contains a control
	// character.
	ErrControlChar = reason.New(reason.PasswordControlChar)
	// ErrCommon is reason.PasswordCommon: on the list of common passwords.
	ErrCommon = reason.New(reason.PasswordCommon)
	// ErrRepetitive is reason.PasswordRepetitive: one short unit repeated.
	ErrRepetitive = reason.New(reason.PasswordRepetitive)
	// ErrReused is reason.PasswordReused: equal to one of the recent
	// passwords. The caller that ran [Hasher.InHistory] reports it, with the
	// policy's History as parameter:
	//
	//	return password.ErrReused.With("history", p.History)
	ErrReused = reason.New(reason.PasswordReused)
	// ErrHashMalformed is reason.PasswordHashMalformed: a stored hash is not
	// in a known format.
	ErrHashMalformed = reason.New(reason.PasswordHashMalformed)
)

// Check reports every rule of p that pw breaks, all at once: it returns nil
// or a reason.List. Zero fields of p mean the values of [Console], and the
// console rules apply unless a field of p switches them off.
//
// Two failures stop the checks, because nothing else is meaningful after
// them: input longer than MaxBytes bytes (only reason.PasswordTooLarge is
// returned, and the input is not even scanned) and input that is not valid
// UTF-8 (only reason.PasswordInvalidUTF8). Length counts Unicode code points,
// so "密码" is 2 characters and "😀" is 1. Control characters are always
// refused.
//
// Error messages carry only the policy's limits, never the password.
func (p Policy) Check(pw string) error {
	p = p.Resolved()
	if len(pw) > p.MaxBytes {
		return reason.List{ErrTooLarge.With("max_bytes", p.MaxBytes)}
	}
	if !utf8.ValidString(pw) {
		return reason.List{ErrInvalidUTF8}
	}

	var upper, lower, digit, punct, space, control bool
	n := 0
	for _, r := range pw {
		n++
		switch {
		case unicode.IsUpper(r):
			upper = true
		case unicode.IsLower(r):
			lower = true
		case unicode.IsDigit(r):
			digit = true
		case isPunct(r):
			punct = true
		}
		// White space and control are not exclusive: a tab is both.
		if unicode.IsSpace(r) {
			space = true
		}
		if unicode.IsControl(r) {
			control = true
		}
	}

	var out reason.List
	if n < p.MinLength {
		out = append(out, ErrTooShort.With("min", p.MinLength))
	}
	if n > p.MaxLength {
		out = append(out, ErrTooLong.With("max", p.MaxLength))
	}
	if control {
		out = append(out, ErrControlChar)
	}
	if space && !p.AllowWhitespace {
		out = append(out, ErrHasSpace)
	}
	if !upper && !p.UpperOptional {
		out = append(out, ErrMissingUpper)
	}
	if !lower && !p.LowerOptional {
		out = append(out, ErrMissingLower)
	}
	if !digit && !p.DigitOptional {
		out = append(out, ErrMissingDigit)
	}
	if !punct && !p.PunctOptional {
		out = append(out, ErrMissingPunct)
	}
	if !p.NoBlocklist {
		if isCommon(pw) {
			out = append(out, ErrCommon)
		}
		if isRepetitive(pw) {
			out = append(out, ErrRepetitive)
		}
	}
	return out.Err()
}

// isPunct reports whether r counts as a punctuation mark: ASCII punctuation
// and symbols (the printable ASCII characters that are neither letters,
// digits nor space), or Unicode punctuation. Non-ASCII symbols such as "€"
// or emoji are not punctuation.
func isPunct(r rune) bool {
	if r < utf8.RuneSelf {
		return r > ' ' && r < 0x7f && !isASCIIAlnum(r)
	}
	return unicode.IsPunct(r)
}

func isASCIIAlnum(r rune) bool {
	return ('0' <= r && r <= '9') || ('a' <= r && r <= 'z') || ('A' <= r && r <= 'Z')
}

// maxRepeatUnit is the longest unit (in code points) whose repetition counts
// as repetitive.
const maxRepeatUnit = 4

// isRepetitive reports whether pw, ignoring case, is one unit of at most
// maxRepeatUnit code points repeated at least twice, possibly ending in a
// partial unit ("abcabcab"). pw is valid UTF-8.
func isRepetitive(pw string) bool {
	var buf [64]rune
	rs := buf[:0]
	for _, r := range pw {
		rs = append(rs, unicode.ToLower(r))
	}
	for unit := 1; unit <= maxRepeatUnit && 2*unit <= len(rs); unit++ {
		if periodic(rs, unit) {
			return true
		}
	}
	return false
}

func periodic(rs []rune, unit int) bool {
	for i := unit; i < len(rs); i++ {
		if rs[i] != rs[i-unit] {
			return false
		}
	}
	return true
}
