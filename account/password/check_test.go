package password

import (
	"errors"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/accountsec/accountsec/reason"
)

// Short names for the expected codes.
const (
	cShort   = reason.PasswordTooShort
	cLong    = reason.PasswordTooLong
	cLarge   = reason.PasswordTooLarge
	cUTF8    = reason.PasswordInvalidUTF8
	cUpper   = reason.PasswordMissingUpper
	cLower   = reason.PasswordMissingLower
	cDigit   = reason.PasswordMissingDigit
	cPunct   = reason.PasswordMissingPunct
	cSpace   = reason.PasswordHasSpace
	cControl = reason.PasswordControlChar
	cCommon  = reason.PasswordCommon
	cRepeat  = reason.PasswordRepetitive
)

type checkCase struct {
	name string
	pw   string
	want []reason.Code // nil: valid
}

func runCheckCases(t *testing.T, p Policy, tests []checkCase) {
	t.Helper()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := p.Check(tt.pw)
			if tt.want == nil {
				require.NoError(t, err)
				return
			}
			require.Error(t, err)
			assert.Equal(t, tt.want, codes(err))
			var list reason.List
			require.ErrorAs(t, err, &list, "Check always returns a reason.List")
			for _, c := range tt.want {
				assert.ErrorIs(t, err, reason.New(c))
			}
			assert.False(t, leaks(p, tt.pw, err), "the message shows the password")
		})
	}
}

func TestCheckConsole(t *testing.T) {
	t.Parallel()
	runCheckCases(t, Console(), []checkCase{
		{"valid minimum", "Abcdef1!", nil},
		{"valid maximum", "Abcdefghijklmnopqr1!", nil},
		{"too short", "Abc1!", []reason.Code{cShort}},
		{"too long", "Abcdefghijklmnopqrs1!", []reason.Code{cLong}},
		{"missing upper", "abcdef1!", []reason.Code{cUpper}},
		{"missing lower", "ABCDEF1!", []reason.Code{cLower}},
		{"missing digit", "Abcdefg!", []reason.Code{cDigit}},
		{"missing punct", "Abcdefg1", []reason.Code{cPunct}},
		{"space", "Abcd ef1!", []reason.Code{cSpace}},
		{"ideographic space", "Abcd\u3000ef1!", []reason.Code{cSpace}},
		{"no-break space", "Abcd\u00a0ef1!", []reason.Code{cSpace}},
		{"tab is space and control", "Abcd\tef1!", []reason.Code{cControl, cSpace}},
		{"newline is space and control", "Abcdef1!\n", []reason.Code{cControl, cSpace}},
		{"NUL", "Abc\x00def1!", []reason.Code{cControl}},
		{"DEL", "Abcdef1\x7f!", []reason.Code{cControl}},
		{"C1 control", "Abcdef1!\u0090", []reason.Code{cControl}},
		{"every ASCII symbol counts", "Abcdef1$", nil},
		{"ASCII plus", "Abcdef1+", nil},
		{"ASCII backquote", "Abcdef1`", nil},
		{"ASCII tilde", "Abcdef1~", nil},
		{"full-width comma", "Abcdef1，", nil},
		{"Chinese full stop", "Abcdef1。", nil},
		{"euro sign is not punctuation", "Abcdef1€", []reason.Code{cPunct}},
		{"emoji is not punctuation", "Abcdef1😀", []reason.Code{cPunct}},
		{"non-ASCII upper", "Ébcdef1!", nil},
		{"full-width digit", "Abcdef１!", nil},
		{"common password that passes composition", "P@ssw0rd", []reason.Code{cCommon}},
		{"common ignores case", "aDMIN@123", []reason.Code{cCommon}},
		{"repetitive", "Ab1!Ab1!", []reason.Code{cRepeat}},
		{"empty: every rule at once", "", []reason.Code{cShort, cUpper, cLower, cDigit, cPunct}},
		{"many violations at once", "ab\tc", []reason.Code{cShort, cControl, cSpace, cUpper, cDigit, cPunct}},
		{"long and weak", strings.Repeat("a", 21), []reason.Code{cLong, cUpper, cDigit, cPunct, cRepeat}},
	})
}

func TestCheckNIST(t *testing.T) {
	t.Parallel()
	runCheckCases(t, NIST(), []checkCase{
		{"valid passphrase with spaces", "tr0ub4dor and three horses", nil},
		{"valid lower case only", "correcthorsebatterystapler", nil},
		{"valid CJK", "我的密码是一匹正确的马和电池订书钉", nil},
		{"too short", "Abcdef1!", []reason.Code{cShort}},
		{"128 characters", strings.Repeat("the quick brown fox jumps over the lazy dog ", 3)[:128], nil},
		{"129 characters", strings.Repeat("the quick brown fox jumps over the lazy dog ", 3)[:129], []reason.Code{cLong}},
		{"common", "123456789012345", []reason.Code{cCommon}},
		{"common 16 digits", "1234567890123456", []reason.Code{cCommon}},
		{"common doubled word", "passwordpassword", []reason.Code{cCommon}},
		{"common keyboard walk", "qwertyuiopasdfghjkl", []reason.Code{cCommon}},
		{"common ignores case", "QwertyUiopAsdfghjkl", []reason.Code{cCommon}},
		{"common phrase", "Correct Horse Battery Staple", []reason.Code{cCommon}},
		{"common and short", "password", []reason.Code{cShort, cCommon}},
		{"common and repetitive", "aaaaaaaaaaaaaaa", []reason.Code{cCommon, cRepeat}},
		{"one letter repeated", "bbbbbbbbbbbbbbbb", []reason.Code{cRepeat}},
		{"three letters repeated", "abcabcabcabcabc", []reason.Code{cRepeat}},
		{"four letters repeated", "wxyzwxyzwxyzwxyz", []reason.Code{cRepeat}},
		{"partial last unit", "xyzxyzxyzxyzxyzxy", []reason.Code{cRepeat}},
		{"repetition ignores case", "ABabAbabABabAbab", []reason.Code{cRepeat}},
		{"emoji repeated", strings.Repeat("😀", 15), []reason.Code{cRepeat}},
		{"five-letter unit is not short", "vwxyzvwxyzvwxyz", nil},
		{"nearly repeated", "aaaaaaaaaaaaaab", nil},
		{"control refused", "a long passphrase\x00", []reason.Code{cControl}},
		{"tab refused as control only", "a long\tpassphrase", []reason.Code{cControl}},
	})
}

func TestCheckCountsCodePoints(t *testing.T) {
	t.Parallel()
	exact8 := Policy{MinLength: 8, MaxLength: 8, UpperOptional: true, LowerOptional: true, DigitOptional: true, PunctOptional: true, NoBlocklist: true}
	require.NoError(t, exact8.Validate())
	tests := []struct {
		name string
		pw   string
		n    int
		want []reason.Code
	}{
		{"CJK 8", "密码密码密码密码", 8, nil},
		{"CJK 7", "密码密码密码密", 7, []reason.Code{cShort}},
		{"CJK 9", "密码密码密码密码码", 9, []reason.Code{cLong}},
		{"emoji 8", strings.Repeat("😀", 8), 8, nil},
		{"emoji 1", "😀", 1, []reason.Code{cShort}},
		{"emoji 9", strings.Repeat("😀", 9), 9, []reason.Code{cLong}},
		// A family emoji is 5 code points (3 people joined by 2 ZWJ).
		{"ZWJ sequence counts code points", "👨\u200d👩\u200d👧abc", 8, nil},
		{"combining accent is its own code point", "e\u0301e\u0301e\u0301e\u0301", 8, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, tt.n, utf8.RuneCountInString(tt.pw))
			err := exact8.Check(tt.pw)
			if tt.want == nil {
				require.NoError(t, err)
			} else {
				require.Equal(t, tt.want, codes(err))
			}
		})
	}
	t.Run("CJK is 8 characters, not 24 bytes", func(t *testing.T) {
		t.Parallel()
		pw := "密码密码密码密码"
		require.Len(t, pw, 24)
		assert.Equal(t, []reason.Code{cShort, cRepeat}, codes(NIST().Check(pw)))
		assert.Equal(t, []reason.Code{cUpper, cLower, cDigit, cPunct, cRepeat}, codes(Console().Check(pw)))
	})
}

func TestCheckParams(t *testing.T) {
	t.Parallel()
	param := func(err error, c reason.Code, key string) any {
		for _, e := range reasons(t, err) {
			if e.Code == c {
				return e.Params[key]
			}
		}
		t.Fatalf("no %s in %v", c, err)
		return nil
	}
	assert.Equal(t, 8, param(Console().Check("A1!"), cShort, "min"))
	assert.Equal(t, 20, param(Console().Check(strings.Repeat("A1!a", 6)), cLong, "max"))
	assert.Equal(t, 15, param(NIST().Check("short"), cShort, "min"))
	assert.Equal(t, 1024, param(NIST().Check(strings.Repeat("x", 1025)), cLarge, "max_bytes"))

	err := Console().Check("A1!")
	assert.True(t, errors.Is(err, ErrTooShort))
	assert.Equal(t, "the password must have at least 8 characters [password.too_short]", reasons(t, err)[0].Error())
	assert.Equal(t, "密码长度至少为 8 个字符", reason.Message(cShort, reason.SimplifiedChinese, reasons(t, err)[0].Params))
}

func TestCheckByteCapComesFirst(t *testing.T) {
	t.Parallel()
	// 1 MiB of everything wrong at once: invalid UTF-8, controls, spaces.
	huge := strings.Repeat("\xff\x00 \t", 1<<18)
	require.Len(t, huge, 1<<20)
	for name, p := range map[string]Policy{"Console": Console(), "NIST": NIST()} {
		err := p.Check(huge)
		assert.Equal(t, []reason.Code{cLarge}, codes(err), name)
		assert.ErrorIs(t, err, ErrTooLarge, name)
	}
	// The cap is in bytes, not characters: 1024 bytes pass, 1025 do not.
	big := Console()
	big.MaxLength = 256
	require.NoError(t, big.Validate())
	assert.NotContains(t, codes(big.Check(strings.Repeat("密", 340)+"A1!a")), cLarge)           // 1024 bytes
	assert.Equal(t, []reason.Code{cLarge}, codes(big.Check(strings.Repeat("密", 340)+"A1!ab"))) // 1025 bytes
	custom := Console()
	custom.MaxBytes = 100
	assert.Equal(t, []reason.Code{cLarge}, codes(custom.Check(strings.Repeat("a", 101))))
	assert.Equal(t, 100, reasons(t, custom.Check(strings.Repeat("a", 101)))[0].Params["max_bytes"])
}

func TestCheckInvalidUTF8Alone(t *testing.T) {
	t.Parallel()
	for _, pw := range []string{"\xff", "Abcdef1!\xff", "\xc3\x28", "\xed\xa0\x80 surrogate", strings.Repeat("\x80", 30)} {
		for name, p := range map[string]Policy{"Console": Console(), "NIST": NIST()} {
			err := p.Check(pw)
			assert.Equal(t, []reason.Code{cUTF8}, codes(err), "%s %q", name, pw)
			assert.ErrorIs(t, err, ErrInvalidUTF8)
		}
	}
}

func TestBlocklistIsLoaded(t *testing.T) {
	t.Parallel()
	list := blocklist()
	assert.Greater(t, len(list), 300)
	long := 0
	for pw := range list {
		assert.Equal(t, strings.ToLower(pw), pw, "entries are lower-cased")
		assert.Equal(t, strings.TrimSpace(pw), pw)
		if utf8.RuneCountInString(pw) >= 15 {
			long++
		}
	}
	assert.Greater(t, long, 50, "the list must bite on a 15-character minimum")
}
