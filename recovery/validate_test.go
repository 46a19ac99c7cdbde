package recovery_test

import (
	"errors"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/accountsec/accountsec/account"
	"github.com/accountsec/accountsec/reason"
	"github.com/accountsec/accountsec/recovery"
)

// code returns the reason code of err and its "detail" parameter.
func codeAndDetail(err error) (reason.Code, any) {
	var re *reason.Error
	if !errors.As(err, &re) {
		return "", nil
	}
	return re.Code, re.Params["detail"]
}

func TestValidateCreditCode(t *testing.T) {
	t.Parallel()
	for _, ok := range []string{"91350100M000100Y43", " 91350100m000100y43\t", "91110000802100433B", "911100007109288314"} {
		got, err := recovery.ValidateCreditCode(ok)
		require.NoError(t, err, ok)
		assert.Equal(t, strings.ToUpper(strings.TrimSpace(ok)), got)
	}
	cases := map[string]reason.Code{
		"":                         reason.InputEmpty,
		"   ":                      reason.InputEmpty,
		"91350100M000100Y44":       reason.FindCheckCharacter, // check character changed
		"91350100M000100Y4":        reason.InputMalformed,     // 17
		"91350100M000100Y433":      reason.InputTooLong,       // 19
		"9135O100M000100Y43":       reason.InputMalformed,     // letter O
		"91I50100M000100Y43":       reason.InputMalformed,     // I not in the alphabet
		"913501A0M000100Y43":       reason.InputMalformed,     // a letter in the division code
		"91350100M000100Y4\u0663":  reason.InputMalformed,
		"91350100\u200bM000100Y43": reason.InputMalformed,
		"\xff1350100M000100Y43":    reason.InputInvalidUTF8,
		strings.Repeat("9", 2000):  reason.InputTooLong,
	}
	for in, want := range cases {
		_, err := recovery.ValidateCreditCode(in)
		assert.Equal(t, want, reason.CodeOf(err), "%q", in)
	}
}

func TestValidateIDNumber(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"11010519491231002X":   "11010519491231002X",
		"11010519491231002x":   "11010519491231002X",
		" 440524188001010014 ": "", // 1880: before 1900
		"110101199003074477":   "110101199003074477",
	} {
		got, err := recovery.ValidateIDNumber(in)
		if want == "" {
			assert.Error(t, err, in)
			continue
		}
		require.NoError(t, err, in)
		assert.Equal(t, want, got)
	}
	cases := map[string]reason.Code{
		"110105194912310021":   reason.FindCheckCharacter,
		"110105194913310021":   reason.InputMalformed, // month 13
		"110105194902300021":   reason.InputMalformed, // 30 February
		"11010519491231002":    reason.InputMalformed,
		"11010519491231002XX":  reason.InputTooLong,
		"E12345678":            reason.InputMalformed, // a passport without a validator
		"":                     reason.InputEmpty,
		"1101051949123\n1002X": reason.InputMalformed,
	}
	for in, want := range cases {
		_, err := recovery.ValidateIDNumber(in)
		assert.Equal(t, want, reason.CodeOf(err), "%q", in)
	}
}

func TestValidateIDNumberWithOtherDocuments(t *testing.T) {
	t.Parallel()
	passports := func(raw string) (string, error) {
		if len(raw) == 9 && (raw[0] == 'E' || raw[0] == 'e') {
			return strings.ToUpper(raw), nil
		}
		return "", errors.New("not a passport")
	}
	got, err := recovery.ValidateIDNumberWith(" e12345678 ", passports)
	require.NoError(t, err)
	assert.Equal(t, "E12345678", got)

	_, err = recovery.ValidateIDNumberWith("Z1", passports)
	code, detail := codeAndDetail(err)
	assert.Equal(t, reason.InputMalformed, code)
	assert.Equal(t, "document", detail)

	// A resident number is always checked as one, whatever the hook says.
	_, err = recovery.ValidateIDNumberWith("110105194912310021", func(string) (string, error) { return "110105194912310021", nil })
	assert.Equal(t, reason.FindCheckCharacter, reason.CodeOf(err))

	// The hook's result must be in account's normal form.
	_, err = recovery.ValidateIDNumberWith("e12345678", func(raw string) (string, error) { return raw, nil })
	assert.Equal(t, reason.InputMalformed, reason.CodeOf(err))

	// A reason-coded refusal of the hook is returned as it is.
	_, err = recovery.ValidateIDNumberWith("e12345678", func(string) (string, error) {
		return "", reason.New(reason.InputTooLong).With("field", "id_number").With("max", 8)
	})
	assert.Equal(t, reason.InputTooLong, reason.CodeOf(err))
}

func TestValidateICPNumber(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"粤ICP备12345678号":      "粤ICP备12345678号",
		" 京icp备05002571号 ":    "京ICP备05002571号",
		"沪ICP备12345678号-1":    "沪ICP备12345678号-1",
		"蜀ICP备2021000001号-12": "蜀ICP备2021000001号-12",
	} {
		got, err := recovery.ValidateICPNumber(in)
		require.NoError(t, err, in)
		assert.Equal(t, want, got)
	}
	for _, bad := range []string{
		"ICP备12345678号", "美ICP备12345678号", "粤ICP证12345678号", "粤ICP备号", "粤ICP备12345678",
		"粤ICP备12345678号-", "粤ICP备12345678号-0", "粤ICP备12345678号-01", "粤ICP备12345678号-10000",
		"粤ICP备１２３４５６７８号", "粤 ICP备12345678号", "粤ICP备1234567890123号", "粤ICP备12345678号－1",
		"粤ICP备12345678号-1x",
	} {
		_, err := recovery.ValidateICPNumber(bad)
		assert.Equal(t, reason.InputMalformed, reason.CodeOf(err), "%q", bad)
	}
}

func TestValidateIP(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"203.0.113.7":           "203.0.113.7",
		" 8.8.8.8\n":            "8.8.8.8",
		"2001:DB8::0:1":         "2001:db8::1",
		"::ffff:203.0.113.7":    "203.0.113.7",
		"2400:cb00:0:0:0:0:0:1": "2400:cb00::1",
	} {
		got, err := recovery.ValidateIP(in)
		require.NoError(t, err, in)
		assert.Equal(t, want, got)
	}
	for in, want := range map[string]reason.Code{
		"0.0.0.0": reason.FindNotPublic, "::": reason.FindNotPublic, "127.0.0.1": reason.FindNotPublic,
		"::1": reason.FindNotPublic, "10.1.2.3": reason.FindNotPublic, "192.168.1.1": reason.FindNotPublic,
		"172.16.0.1": reason.FindNotPublic, "fd00::1": reason.FindNotPublic, "169.254.1.1": reason.FindNotPublic,
		"fe80::1": reason.FindNotPublic, "224.0.0.1": reason.FindNotPublic, "ff02::1": reason.FindNotPublic,
		"255.255.255.255": reason.FindNotPublic, "0.1.2.3": reason.FindNotPublic,
		"fe80::1%eth0": reason.InputMalformed, "203.0.113.07": reason.InputMalformed, "203.0.113": reason.InputMalformed,
		"203.0.113.7:80": reason.InputMalformed, "example.com": reason.InputMalformed, "": reason.InputEmpty,
	} {
		_, err := recovery.ValidateIP(in)
		assert.Equal(t, want, reason.CodeOf(err), "%q", in)
	}
}

func TestValidateDomain(t *testing.T) {
	t.Parallel()
	got, err := recovery.ValidateDomain(" WWW.Example.COM ")
	require.NoError(t, err)
	assert.Equal(t, "www.example.com", got)
	for in, detail := range map[string]any{
		"example":                        nil,
		"example.com.":                   nil,
		"-a.com":                         nil,
		"a-.com":                         nil,
		"a_b.com":                        nil,
		"*.example.com":                  nil,
		"example.com:80":                 nil,
		"xn--fiqs8s.cn":                  account.DetailIDN,
		"ab--c.com":                      account.DetailIDN,
		"例子.cn":                          account.DetailNonASCII,
		"1.2.3.4":                        account.DetailAddressLiteral,
		"[1.2.3.4]":                      account.DetailAddressLiteral,
		strings.Repeat("a", 64) + ".com": nil,
	} {
		_, err := recovery.ValidateDomain(in)
		code, d := codeAndDetail(err)
		assert.Equal(t, reason.InputMalformed, code, "%q", in)
		assert.Equal(t, detail, d, "%q", in)
	}
	long := strings.Repeat(strings.Repeat("a", 63)+".", 4) + "com"
	_, err = recovery.ValidateDomain(long)
	assert.Equal(t, reason.InputTooLong, reason.CodeOf(err))
}

// TestValidateDomainAgreesWithEmail: a domain is valid exactly when an
// email address at it is (account's rule).
func TestValidateDomainAgreesWithEmail(t *testing.T) {
	t.Parallel()
	for _, d := range []string{"example.com", "xn--fiqs8s.cn", "例子.cn", "1.2.3.4", "a.b.c.d.org", "a-b.io", "x.y1"} {
		_, derr := recovery.ValidateDomain(d)
		_, eerr := account.Normalize(account.KindEmail, "user@"+d)
		assert.Equal(t, eerr == nil, derr == nil, d)
	}
}

func TestValidateAccountIDAndName(t *testing.T) {
	t.Parallel()
	got, err := recovery.ValidateAccountID(" 100012345678 ")
	require.NoError(t, err)
	assert.Equal(t, "100012345678", got)
	for _, bad := range []string{"10001234567a", "１０００", "-1"} {
		_, err := recovery.ValidateAccountID(bad)
		assert.Equal(t, reason.InputMalformed, reason.CodeOf(err), bad)
	}
	_, err = recovery.ValidateAccountID(strings.Repeat("1", 33))
	assert.Equal(t, reason.InputTooLong, reason.CodeOf(err))

	got, err = recovery.ValidateName(" 张三 ")
	require.NoError(t, err)
	assert.Equal(t, "张三", got)
	_, err = recovery.ValidateName("张\u202e三")
	assert.Equal(t, reason.InputMalformed, reason.CodeOf(err))
	_, err = recovery.ValidateName(strings.Repeat("张", 65))
	assert.Equal(t, reason.InputTooLong, reason.CodeOf(err))
	_, err = recovery.ValidateName("\u3000")
	assert.Equal(t, reason.InputEmpty, reason.CodeOf(err))
}

// checkValidated is what every Validate function promises for any input:
// a reason-coded error, or a normal form that validates to itself.
func checkValidated(t *testing.T, f func(string) (string, error), in string) {
	out, err := f(in)
	if err != nil {
		assert.NotEmpty(t, reason.CodeOf(err), "%q: %v", in, err)
		assert.Empty(t, out)
		return
	}
	assert.True(t, utf8.ValidString(out))
	again, err := f(out)
	assert.NoError(t, err, "%q → %q", in, out)
	assert.Equal(t, out, again, "the normal form is stable")
}

func FuzzValidateCreditCode(f *testing.F) {
	for _, s := range []string{"91350100M000100Y43", "91350100m000100y44", "", "\xff", "9135010"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) { checkValidated(t, recovery.ValidateCreditCode, s) })
}

func FuzzValidateIDNumber(f *testing.F) {
	for _, s := range []string{"11010519491231002X", "11010519491231002x", "110105194902300021", "E1234"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) { checkValidated(t, recovery.ValidateIDNumber, s) })
}

func FuzzValidateICPNumber(f *testing.F) {
	for _, s := range []string{"粤ICP备12345678号", "京icp备1号-9999", "粤ICP备号-", "蜀"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) { checkValidated(t, recovery.ValidateICPNumber, s) })
}

func FuzzValidateIP(f *testing.F) {
	for _, s := range []string{"203.0.113.7", "::ffff:1.2.3.4", "fe80::1%eth0", "2001:db8::1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) { checkValidated(t, recovery.ValidateIP, s) })
}

func FuzzValidateDomain(f *testing.F) {
	for _, s := range []string{"example.com", "XN--fiqs8s.cn", "a..b", "例子.cn"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		checkValidated(t, recovery.ValidateDomain, s)
		if d, err := recovery.ValidateDomain(s); err == nil {
			_, eerr := account.Normalize(account.KindEmail, "user@"+d)
			assert.NoError(t, eerr, "an email address at a valid domain is valid")
		}
	})
}

func FuzzValidateAccountIDAndName(f *testing.F) {
	for _, s := range []string{"100012345678", " 张三 ", "\u200b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		checkValidated(t, recovery.ValidateAccountID, s)
		checkValidated(t, recovery.ValidateName, s)
	})
}
