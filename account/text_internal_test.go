package account

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/accountsec/accountsec/reason"
)

// TestFreeTextRefusesControlAndInvisibleCharacters covers the check behind
// nicknames, industries and names.
func TestFreeTextRefusesControlAndInvisibleCharacters(t *testing.T) {
	t.Parallel()
	bad := map[string]string{
		"RLO": "\u202E", "LRO": "\u202D", "LRE": "\u202A", "RLE": "\u202B", "PDF": "\u202C",
		"LRI": "\u2066", "RLI": "\u2067", "FSI": "\u2068", "PDI": "\u2069", "LRM": "\u200E", "RLM": "\u200F", "ALM": "\u061C",
		"ZWSP": "\u200B", "ZWNJ": "\u200C", "ZWJ": "\u200D", "BOM": "\uFEFF", "WORD JOINER": "\u2060",
		"SOFT HYPHEN": "\u00AD", "MONGOLIAN VOWEL SEPARATOR": "\u180E", "TAG": "\U000E0041",
		"HANGUL FILLER": "\u3164", "HALFWIDTH HANGUL FILLER": "\uFFA0", "HANGUL CHOSEONG FILLER": "\u115F",
	}
	for name, c := range bad {
		for _, in := range []string{c, "小明" + c, c + "小明", "小" + c + "明", "admin" + c + "nimda"} {
			got, err := checkText("nickname", in, MaxNicknameLen, false)
			assert.Empty(t, got)
			assertDetail(t, err, DetailInvisible, name)
		}
	}
	for name, c := range map[string]string{"NUL": "\x00", "CR": "\r", "LF": "\n", "TAB": "\t", "ESC": "\x1b", "DEL": "\x7f", "C1": "\u009b", "LS": "\u2028", "PS": "\u2029"} {
		got, err := checkText("nickname", "小"+c+"明", MaxNicknameLen, false)
		assert.Empty(t, got)
		assertDetail(t, err, DetailControl, name)
	}
}

func assertDetail(t *testing.T, err error, detail, name string) {
	t.Helper()
	var re *reason.Error
	require.ErrorAs(t, err, &re, name)
	assert.Equal(t, reason.InputMalformed, re.Code, name)
	assert.Equal(t, "nickname", re.Params["field"], name)
	assert.Equal(t, detail, re.Params["detail"], name)
}

func TestFreeTextKeepsOrdinaryText(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		" 小明 ": "小明", "\u3000欧阳·娜娜\u3000": "欧阳·娜娜", "Zoë O'Neil": "Zoë O'Neil", "😀 gamer": "😀 gamer",
		"❤\uFE0F": "❤\uFE0F", "김민준": "김민준", "": "",
	} {
		got, err := checkText("nickname", in, MaxNicknameLen, false)
		require.NoError(t, err, "%q", in)
		assert.Equal(t, want, got)
	}
}

// FuzzCheckText checks the nickname rule on any input: no panic, a
// reason-coded refusal or trimmed text of at most the maximum characters
// with no control, format or filler character in it.
func FuzzCheckText(f *testing.F) {
	for _, s := range []string{"小明", " 小明 ", "a\u202Eb", "\u200B", "\uFEFFx", "\u3164", "a\nb", "\xff", "", strings.Repeat("字", 65)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		got, err := checkText("nickname", raw, MaxNicknameLen, false)
		if err != nil {
			switch c := reason.CodeOf(err); c {
			case reason.InputMalformed, reason.InputTooLong, reason.InputInvalidUTF8:
			default:
				t.Fatalf("checkText(%q): code %q", raw, c)
			}
			if got != "" {
				t.Fatalf("checkText(%q) returned %q with an error", raw, got)
			}
			return
		}
		if !utf8.ValidString(got) || utf8.RuneCountInString(got) > MaxNicknameLen || got != strings.TrimSpace(raw) {
			t.Fatalf("checkText(%q) = %q", raw, got)
		}
		for _, r := range got {
			if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) || r == '\u2028' || r == '\u2029' || r == '\u3164' || r == '\uFFA0' || r == '\u115F' || r == '\u1160' {
				t.Fatalf("checkText(%q) kept %U", raw, r)
			}
		}
		if again, err := checkText("nickname", got, MaxNicknameLen, false); err != nil || again != got {
			t.Fatalf("checkText is not stable on %q: %q, %v", got, again, err)
		}
	})
}
