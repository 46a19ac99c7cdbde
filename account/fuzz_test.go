package account_test

import (
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/accountsec/accountsec/account"
	"github.com/accountsec/accountsec/reason"
)

var (
	e164      = regexp.MustCompile(`^\+[1-9][0-9]{7,14}$`)
	idNumber  = regexp.MustCompile(`^[0-9A-Z]{6,32}$`)
	subjectRe = regexp.MustCompile(`^[\x21-\x7e]{1,128}$`)
)

// FuzzNormalize checks, for every kind, that Normalize either refuses with
// an input.* reason code or returns a value of the documented shape that is
// its own normal form.
func FuzzNormalize(f *testing.F) {
	for _, s := range []string{
		"alice@example.com", " Alice@Example.COM ", "a@b", "a..b@x.cn", "+86 138-0013-8000",
		"+8613800138000", "13800138000", "oAbC_12", "11010519491231002x", "", " ", "\xff", "用户@x.cn",
	} {
		f.Add(s)
	}
	kinds := []account.Kind{
		account.KindEmail, account.KindPhone, account.KindWeChat, account.KindQQ, account.KindWeCom,
		account.KindWeChatOA, account.KindPersonalID, account.KindEnterpriseID, account.KindLegalPerson,
	}
	f.Fuzz(func(t *testing.T, raw string) {
		for _, kind := range kinds {
			got, err := account.Normalize(kind, raw)
			if err != nil {
				switch c := reason.CodeOf(err); c {
				case reason.InputEmpty, reason.InputMalformed, reason.InputTooLong, reason.InputInvalidUTF8:
				default:
					t.Fatalf("Normalize(%s, %q): code %q", kind, raw, c)
				}
				if got != "" {
					t.Fatalf("Normalize(%s, %q) returned %q with an error", kind, raw, got)
				}
				continue
			}
			again, err := account.Normalize(kind, got)
			if err != nil || again != got {
				t.Fatalf("Normalize(%s) is not idempotent: %q → %q → %q, %v", kind, raw, got, again, err)
			}
			if !utf8.ValidString(got) {
				t.Fatalf("Normalize(%s, %q) = invalid UTF-8", kind, raw)
			}
			switch kind {
			case account.KindEmail:
				if len(got) > account.MaxEmailBytes || strings.Count(got, "@") != 1 || strings.ToLower(got) != got || !printableASCII(got) {
					t.Fatalf("Normalize(email, %q) = %q", raw, got)
				}
			case account.KindPhone:
				if !e164.MatchString(got) {
					t.Fatalf("Normalize(phone, %q) = %q", raw, got)
				}
			case account.KindPersonalID, account.KindEnterpriseID, account.KindLegalPerson:
				if !idNumber.MatchString(got) {
					t.Fatalf("Normalize(%s, %q) = %q", kind, raw, got)
				}
			default:
				if !subjectRe.MatchString(got) || got != strings.TrimSpace(raw) {
					t.Fatalf("Normalize(%s, %q) = %q", kind, raw, got)
				}
			}
		}
	})
}

// FuzzMask checks that masking never panics, keeps UTF-8 valid and never
// leaves a value of more than two characters without a star.
func FuzzMask(f *testing.F) {
	for _, s := range []string{"+8613800138000", "alice@example.com", "张三", "深圳市腾讯计算机系统有限公司", "11010519491231002X", "", "a", "@", "\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if !utf8.ValidString(s) {
			return
		}
		for name, mask := range map[string]func(string) string{
			"phone": account.MaskPhone, "email": account.MaskEmail, "name": account.MaskName,
			"enterprise": account.MaskEnterpriseName, "id": account.MaskIDNumber,
		} {
			m := mask(s)
			if !utf8.ValidString(m) {
				t.Fatalf("%s mask of %q is not UTF-8: %q", name, s, m)
			}
			if name == "email" && strings.HasPrefix(s, "@") {
				continue // nothing before the domain to hide
			}
			if utf8.RuneCountInString(s) > 2 && !strings.Contains(m, "*") {
				t.Fatalf("%s mask of %q reveals it all: %q", name, s, m)
			}
		}
	})
}

func printableASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] <= ' ' || s[i] >= 0x7f {
			return false
		}
	}
	return true
}
