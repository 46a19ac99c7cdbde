package account_test

import (
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
	})
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
	})
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
		assert.Equal(t, account.Kind(m), m.Kind())
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
