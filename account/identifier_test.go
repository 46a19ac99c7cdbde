package account_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/accountsec/accountsec/account"
	"github.com/accountsec/accountsec/reason"
)

type normCase struct {
	name string
	in   string
	want string      // when code is ""
	code reason.Code // the expected refusal
}

func runNormalize(t *testing.T, kind account.Kind, cases []normCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := account.Normalize(kind, tc.in)
			if tc.code != "" {
				requireCode(t, err, tc.code)
				assert.Empty(t, got)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
		})
	}
}

func TestEmailNormalizedByTrimmingAndLowerCasing(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("a", 64) + "@" + strings.Repeat("b", 63) + "." + strings.Repeat("c", 63) + "." + strings.Repeat("d", 58) + ".cn"
	require.Len(t, long, 254)
	runNormalize(t, account.KindEmail, []normCase{
		{"plain", "alice@example.com", "alice@example.com", ""},
		{"case folded", "Alice.Smith@Example.COM", "alice.smith@example.com", ""},
		{"trimmed", " \talice@example.com\n", "alice@example.com", ""},
		{"atext", "a+tag!#$%&'*/=?^_`{|}~-@x.cn", "a+tag!#$%&'*/=?^_`{|}~-@x.cn", ""},
		{"subdomains and hyphens", "bob@mail.my-host.example.org", "bob@mail.my-host.example.org", ""},
		{"254 bytes", long, long, ""},
		{"255 bytes", "a" + long, "", reason.InputTooLong},
		{"local part of 65", strings.Repeat("a", 65) + "@x.cn", "", reason.InputMalformed},
		{"empty", "", "", reason.InputEmpty},
		{"blank", "   ", "", reason.InputEmpty},
		{"no at", "alice.example.com", "", reason.InputMalformed},
		{"two ats", "a@b@example.com", "", reason.InputMalformed},
		{"empty local", "@example.com", "", reason.InputMalformed},
		{"empty domain", "alice@", "", reason.InputMalformed},
		{"leading dot", ".alice@x.cn", "", reason.InputMalformed},
		{"trailing dot", "alice.@x.cn", "", reason.InputMalformed},
		{"double dot", "al..ice@x.cn", "", reason.InputMalformed},
		{"single-label domain", "alice@localhost", "", reason.InputMalformed},
		{"empty label", "alice@x..cn", "", reason.InputMalformed},
		{"hyphen at label start", "alice@-x.cn", "", reason.InputMalformed},
		{"hyphen at label end", "alice@x-.cn", "", reason.InputMalformed},
		{"label of 64", "alice@" + strings.Repeat("x", 64) + ".cn", "", reason.InputMalformed},
		{"inner space", "ali ce@x.cn", "", reason.InputMalformed},
		{"quoted local", `"alice"@x.cn`, "", reason.InputMalformed},
		{"control char", "ali\x00ce@x.cn", "", reason.InputMalformed},
		{"non-ASCII local", "用户@x.cn", "", reason.InputMalformed},
		{"non-ASCII domain", "alice@例子.cn", "", reason.InputMalformed},
		{"look-alike", "аlice@x.cn", "", reason.InputMalformed}, // Cyrillic а
		{"invalid UTF-8", "ali\xffce@x.cn", "", reason.InputInvalidUTF8},
		{"huge", strings.Repeat("a", 5000), "", reason.InputTooLong},
		{"KELVIN SIGN is not k", "\u212Aate@x.com", "", reason.InputMalformed},
		{"dotless i upper-cases to I", "\u0131nfo@x.com", "", reason.InputMalformed},
		{"LONG S is not s", "\u017Fam@x.com", "", reason.InputMalformed},
		{"KELVIN SIGN in the domain", "kate@\u212Ax.com", "", reason.InputMalformed},
		{"A-label", "alice@xn--fsqu00a.cn", "", reason.InputMalformed},
		{"A-label upper-case", "alice@XN--fsqu00a.cn", "", reason.InputMalformed},
		{"A-label TLD", "alice@x.xn--fiqs8s", "", reason.InputMalformed},
		{"reserved label", "alice@ab--cd.cn", "", reason.InputMalformed},
		{"hyphens elsewhere are fine", "alice@a-b--c.cn", "alice@a-b--c.cn", ""},
		{"IPv4 address", "alice@1.2.3.4", "", reason.InputMalformed},
		{"address literal", "alice@[1.2.3.4]", "", reason.InputMalformed},
		{"numeric TLD", "alice@x.123", "", reason.InputMalformed},
		{"digits in TLD", "alice@x.c0m", "", reason.InputMalformed},
		{"digits in other labels", "alice@123.example.com", "alice@123.example.com", ""},
		{"trailing root dot", "alice@x.cn.", "", reason.InputMalformed},
		{"ideographic space not trimmed", "\u3000alice@x.cn", "", reason.InputMalformed},
		{"no-break space not trimmed", "alice@x.cn\u00a0", "", reason.InputMalformed},
		{"CRLF header injection", "victim@x.com\r\nBcc: evil@x.com", "", reason.InputMalformed},
	})
}

// TestEmailRefusalsSayWhy checks the "detail" parameter of the refusals a
// host may want to explain.
func TestEmailRefusalsSayWhy(t *testing.T) {
	t.Parallel()
	for in, detail := range map[string]string{
		"\u212Aate@x.com":       account.DetailNonASCII,
		"alice@例子.cn":           account.DetailNonASCII,
		"alice@xn--fsqu00a.cn":  account.DetailIDN,
		"alice@1.2.3.4":         account.DetailAddressLiteral,
		"alice@[1.2.3.4]":       account.DetailAddressLiteral,
		"ali\u202Ece@x.cn":      account.DetailInvisible,
		"ali\u200Bce@x.cn":      account.DetailInvisible,
		"ali\x00ce@x.cn":        account.DetailControl,
		"a@x.cn\r\nBcc: b@x.cn": account.DetailControl,
	} {
		_, err := account.Normalize(account.KindEmail, in)
		assert.Equal(t, detail, detailOf(t, err, reason.InputMalformed), "%q", in)
	}
}

func detailOf(t *testing.T, err error, code reason.Code) any {
	t.Helper()
	var re *reason.Error
	require.ErrorAs(t, err, &re)
	require.Equal(t, code, re.Code, "%v", err)
	return re.Params["detail"]
}

// TestNoIdentifierKindAcceptsControlOrInvisibleCharacters puts each
// character at the start, inside and at the end of a value that is valid
// without it.
func TestNoIdentifierKindAcceptsControlOrInvisibleCharacters(t *testing.T) {
	t.Parallel()
	valid := map[account.Kind]string{
		account.KindEmail: "alice@example.com", account.KindPhone: "+8613800138000",
		account.KindWeChat: "oAbC12", account.KindQQ: "oAbC12", account.KindWeCom: "oAbC12", account.KindWeChatOA: "oAbC12",
		account.KindPersonalID: "11010519491231002X", account.KindEnterpriseID: "91440300708461136T", account.KindLegalPerson: "11010519491231002X",
	}
	bad := map[string]string{
		"NUL": "\x00", "BEL": "\a", "ESC": "\x1b", "DEL": "\x7f", "C1 NEL": "\u0085", "C1 CSI": "\u009b",
		"LINE SEPARATOR": "\u2028", "PARAGRAPH SEPARATOR": "\u2029",
		"LRE": "\u202A", "RLE": "\u202B", "PDF": "\u202C", "LRO": "\u202D", "RLO": "\u202E",
		"LRI": "\u2066", "RLI": "\u2067", "FSI": "\u2068", "PDI": "\u2069",
		"ZWSP": "\u200B", "ZWNJ": "\u200C", "ZWJ": "\u200D", "BOM": "\uFEFF",
		"LRM": "\u200E", "ALM": "\u061C", "WORD JOINER": "\u2060", "SOFT HYPHEN": "\u00AD", "TAG": "\U000E0041",
	}
	for kind, v := range valid {
		want, err := account.Normalize(kind, v)
		require.NoError(t, err)
		require.NotEmpty(t, want)
		for name, c := range bad {
			for _, in := range []string{c + v, v[:3] + c + v[3:], v + c} {
				got, err := account.Normalize(kind, in)
				requireCode(t, err, reason.InputMalformed)
				assert.Empty(t, got, "%s %s %q", kind, name, in)
				d := detailOf(t, err, reason.InputMalformed)
				assert.Contains(t, []any{account.DetailControl, account.DetailInvisible}, d, "%s %s %q", kind, name, in)
			}
		}
	}
}

func TestOnlyASCIIWhiteSpaceIsTrimmed(t *testing.T) {
	t.Parallel()
	for _, ws := range []string{" ", "\t", "\n", "\v", "\f", "\r", " \r\n\t"} {
		got, err := account.Normalize(account.KindQQ, ws+"oAbC"+ws)
		require.NoError(t, err, "%q", ws)
		assert.Equal(t, "oAbC", got)
	}
	for _, ws := range []string{"\u3000", "\u00a0", "\u2003", "\u0085", "\u200B", "\uFEFF"} {
		_, err := account.Normalize(account.KindQQ, ws+"oAbC")
		requireCode(t, err, reason.InputMalformed)
	}
}

func TestPhoneNormalizedToE164(t *testing.T) {
	t.Parallel()
	runNormalize(t, account.KindPhone, []normCase{
		{"E.164", "+8613800138000", "+8613800138000", ""},
		{"spaces and hyphens removed", "+86 138-0013-8000", "+8613800138000", ""},
		{"trimmed", "  +14155550123 ", "+14155550123", ""},
		{"8 digits", "+12345678", "+12345678", ""},
		{"15 digits", "+123456789012345", "+123456789012345", ""},
		{"7 digits", "+1234567", "", reason.InputMalformed},
		{"16 digits", "+1234567890123456", "", reason.InputMalformed},
		{"no plus (country unknown)", "13800138000", "", reason.InputMalformed},
		{"national trunk zero", "+0138001380000", "", reason.InputMalformed},
		{"separator after plus", "+ 8613800138000", "", reason.InputMalformed},
		{"double separator", "+86  13800138000", "", reason.InputMalformed},
		{"trailing separator", "+8613800138000-", "", reason.InputMalformed},
		{"brackets", "+86(138)00138000", "", reason.InputMalformed},
		{"dots", "+86.138.0013.8000", "", reason.InputMalformed},
		{"letters", "+86138abc38000", "", reason.InputMalformed},
		{"full-width digits", "+８６13800138000", "", reason.InputMalformed},
		{"two pluses", "++8613800138000", "", reason.InputMalformed},
		{"plus only", "+", "", reason.InputMalformed},
		{"empty", "", "", reason.InputEmpty},
		{"invalid UTF-8", "+86\xff", "", reason.InputInvalidUTF8},
		{"+86 trunk prefix dropped", "+86 0138 0013 8000", "+8613800138000", ""},
		{"+86 trunk prefix without separators", "+86013800138000", "+8613800138000", ""},
		{"+86 trunk prefix with hyphens", "+86-010-1234-5678", "+861012345678", ""},
		{"+86 15 digits after the trunk prefix", "+8601234567890123", "+861234567890123", ""},
		{"+86 16 digits after the trunk prefix", "+86012345678901234", "", reason.InputMalformed},
		{"+86 two trunk zeros", "+86 00138 0013 8000", "", reason.InputMalformed},
		{"+86 trunk zero only", "+860", "", reason.InputMalformed},
		{"+86 trunk zero, too short", "+86 012345", "", reason.InputMalformed},
		{"other countries keep their 0", "+39 06 1234 5678", "+390612345678", ""},
		{"+852 is not +86", "+852 0123 4567", "+85201234567", ""},
		{"parentheses", "+86 (0)138 0013 8000", "", reason.InputMalformed},
		{"separator before the trunk zero", "+86 0 138 0013 8000", "+8613800138000", ""},
	})
}

func TestPhoneTrunkPrefixRefusalSaysWhy(t *testing.T) {
	t.Parallel()
	_, err := account.Normalize(account.KindPhone, "+86 00138 0013 8000")
	assert.Equal(t, account.DetailTrunkPrefix, detailOf(t, err, reason.InputMalformed))
}

// TestOnePhoneIsOneIdentifier checks that the spellings of one Chinese
// number, with and without the trunk prefix, count as one identifier.
func TestOnePhoneIsOneIdentifier(t *testing.T) {
	t.Parallel()
	a, err := account.Normalize(account.KindPhone, "+86 0138 0013 8000")
	require.NoError(t, err)
	b, err := account.Normalize(account.KindPhone, "+8613800138000")
	require.NoError(t, err)
	assert.Equal(t, b, a)
}

func TestNormalizeWithUsesThePhoneNormalizer(t *testing.T) {
	t.Parallel()
	var seen []string
	national := func(raw string) (string, error) {
		seen = append(seen, raw)
		if raw == "+8613800138000" {
			return raw, nil
		}
		if strings.HasPrefix(raw, "138") {
			return "+86" + raw, nil
		}
		return "", errors.New("not a number")
	}
	got, err := account.NormalizeWith(account.KindPhone, " 13800138000\t", national)
	require.NoError(t, err)
	assert.Equal(t, "+8613800138000", got)
	assert.Equal(t, []string{"13800138000"}, seen, "the hook gets the trimmed input")
	again, err := account.NormalizeWith(account.KindPhone, got, national)
	require.NoError(t, err)
	assert.Equal(t, got, again)

	_, err = account.Normalize(account.KindPhone, "13800138000")
	requireCode(t, err, reason.InputMalformed) // without the hook, the country is unknown

	_, err = account.NormalizeWith(account.KindPhone, "12345", national)
	assert.Equal(t, account.DetailPhoneNormalizer, detailOf(t, err, reason.InputMalformed))
	assert.EqualError(t, errors.Unwrap(err), "not a number", "the hook's error is wrapped")

	seen = nil
	_, err = account.NormalizeWith(account.KindPhone, "138\u202E00138000", national)
	assert.Equal(t, account.DetailInvisible, detailOf(t, err, reason.InputMalformed))
	assert.Empty(t, seen, "invisible characters are refused before the hook")

	got, err = account.NormalizeWith(account.KindEmail, "Alice@X.cn", national)
	require.NoError(t, err)
	assert.Equal(t, "alice@x.cn", got, "other kinds ignore the hook")
}

func TestNormalizeWithRefusesAPhoneNormalizerOutputThatIsNotNormal(t *testing.T) {
	t.Parallel()
	for _, out := range []string{"", "8613800138000", "+86 13800138000", "+8601380013800", "+0123456789", "+1234567", "+１２３４５６７８９", "+8613800138000\n"} {
		got, err := account.NormalizeWith(account.KindPhone, "x", func(string) (string, error) { return out, nil })
		assert.Empty(t, got)
		assert.Equal(t, account.DetailPhoneNormalizer, detailOf(t, err, reason.InputMalformed), "%q", out)
	}
}

func TestProviderSubjectsAreOpaqueAndCaseSensitive(t *testing.T) {
	t.Parallel()
	for _, kind := range []account.Kind{account.KindWeChat, account.KindQQ, account.KindWeCom, account.KindWeChatOA} {
		t.Run(string(kind), func(t *testing.T) {
			t.Parallel()
			runNormalize(t, kind, []normCase{
				{"kept as is", "oAbC_12-xYz=", "oAbC_12-xYz=", ""},
				{"trimmed", " oAbC ", "oAbC", ""},
				{"128 bytes", strings.Repeat("Z", 128), strings.Repeat("Z", 128), ""},
				{"129 bytes", strings.Repeat("Z", 129), "", reason.InputTooLong},
				{"inner space", "oAb C", "", reason.InputMalformed},
				{"non-ASCII", "微信", "", reason.InputMalformed},
				{"DEL", "oAb\x7f", "", reason.InputMalformed},
				{"empty", "", "", reason.InputEmpty},
			})
		})
	}
	a, _ := account.Normalize(account.KindWeChat, "oAbC")
	b, _ := account.Normalize(account.KindWeChat, "oabc")
	assert.NotEqual(t, a, b, "subjects differing in case are different users")
}

func TestIdentityNumbersUpperCasedAlphanumeric(t *testing.T) {
	t.Parallel()
	for _, kind := range []account.Kind{account.KindPersonalID, account.KindEnterpriseID, account.KindLegalPerson} {
		t.Run(string(kind), func(t *testing.T) {
			t.Parallel()
			runNormalize(t, kind, []normCase{
				{"resident ID", "11010519491231002x", "11010519491231002X", ""},
				{"credit code", " 91440300708461136t ", "91440300708461136T", ""},
				{"6 chars", "ab1234", "AB1234", ""},
				{"5 chars", "12345", "", reason.InputMalformed},
				{"32 chars", strings.Repeat("9", 32), strings.Repeat("9", 32), ""},
				{"33 chars", strings.Repeat("9", 33), "", reason.InputTooLong},
				{"hyphen", "110105-19491231", "", reason.InputMalformed},
				{"inner space", "110105 19491231", "", reason.InputMalformed},
				{"full-width", "１１０１０５19491231", "", reason.InputMalformed},
				{"empty", "", "", reason.InputEmpty},
			})
		})
	}
}

func TestNormalizeRefusesUnknownKind(t *testing.T) {
	t.Parallel()
	_, err := account.Normalize("fax", "+8613800138000")
	requireCode(t, err, reason.InputMalformed)
}

func TestParseMethodAcceptsOnlyTheFiveMethods(t *testing.T) {
	t.Parallel()
	for _, m := range account.Methods() {
		got, err := account.ParseMethod(string(m))
		require.NoError(t, err)
		assert.Equal(t, m, got)
		assert.Equal(t, account.Kind(m), account.KindOf(m))
	}
	for _, bad := range []string{"", "phone", "WeChat", "email ", "sms", "personal_id", "wechat\x00"} {
		_, err := account.ParseMethod(bad)
		requireCode(t, err, reason.AccountUnknownMethod)
	}
}

func TestParseVerifyMethod(t *testing.T) {
	t.Parallel()
	for _, m := range []string{"none", "mfa", "sms", "email", "wechat_scan", "face"} {
		got, err := account.ParseVerifyMethod(m)
		require.NoError(t, err)
		assert.Equal(t, account.VerifyMethod(m), got)
	}
	_, err := account.ParseVerifyMethod("SMS")
	requireCode(t, err, reason.AccountUnknownVerifyMethod)
}
