package account_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/accountsec/accountsec/account"
	"github.com/accountsec/accountsec/reason"
)

var allKinds = []account.Kind{
	account.KindEmail, account.KindPhone, account.KindWeChat, account.KindQQ, account.KindWeCom,
	account.KindWeChatOA, account.KindPersonalID, account.KindEnterpriseID, account.KindLegalPerson,
}

// sameness is the documented meaning of "the same identifier", written
// without the implementation: the input with the surrounding ASCII white
// space removed and only the folding the documentation names for the kind.
// Two inputs are the same identifier exactly when their sameness is equal.
func sameness(kind account.Kind, raw string) string {
	s := strings.Trim(raw, " \t\n\v\f\r")
	switch kind {
	case account.KindEmail:
		return mapASCII(s, 'A', 'Z', 'a'-'A')
	case account.KindPersonalID, account.KindEnterpriseID, account.KindLegalPerson:
		return mapASCII(s, 'a', 'z', 'A'-'a')
	case account.KindPhone:
		s = strings.NewReplacer(" ", "", "-", "").Replace(s)
		if strings.HasPrefix(s, "+860") {
			s = "+86" + s[4:]
		}
		return s
	default:
		return s
	}
}

// mapASCII shifts the bytes from lo to hi by d, leaving every other byte.
func mapASCII(s string, lo, hi byte, d int) string {
	b := []byte(s)
	for i, c := range b {
		if c >= lo && c <= hi {
			b[i] = byte(int(c) + d)
		}
	}
	return string(b)
}

// FuzzNormalizeDoesNotAlias checks, for every kind, that two inputs with
// the same normal form are the same identifier by the documented rule, and
// that a normal form is the input's own sameness (which implies the first).
func FuzzNormalizeDoesNotAlias(f *testing.F) {
	for _, p := range [][2]string{
		{"\u212Aate@x.com", "kate@x.com"},
		{"Alice@Example.COM", " alice@example.com\t"},
		{"\u0131nfo@x.com", "info@x.com"},
		{"alice@xn--fsqu00a.cn", "alice@例子.cn"},
		{"alice@1.2.3.4", "alice@[1.2.3.4]"},
		{"ali\u200Bce@x.cn", "alice@x.cn"},
		{"+86 0138 0013 8000", "+8613800138000"},
		{"+86 138-0013-8000", "+860 138 0013 8000"},
		{"+86 00138 0013 8000", "+8613800138000"},
		{"\uFF0B8613800138000", "+8613800138000"},
		{"11010519491231002x", "11010519491231002X"},
		{"oAbC", "oabc"},
		{"\u3000oAbC", "oAbC"},
		{"oAbC\u202E", "oAbC"},
	} {
		f.Add(p[0], p[1])
	}
	f.Fuzz(func(t *testing.T, a, b string) {
		for _, kind := range allKinds {
			na, errA := account.Normalize(kind, a)
			nb, errB := account.Normalize(kind, b)
			if errA == nil && na != sameness(kind, a) {
				t.Fatalf("Normalize(%s, %q) = %q, not its sameness %q", kind, a, na, sameness(kind, a))
			}
			if errB == nil && nb != sameness(kind, b) {
				t.Fatalf("Normalize(%s, %q) = %q, not its sameness %q", kind, b, nb, sameness(kind, b))
			}
			if errA == nil && errB == nil && na == nb && sameness(kind, a) != sameness(kind, b) {
				t.Fatalf("Normalize(%s) aliases %q and %q as %q", kind, a, b, na)
			}
		}
	})
}

// FuzzNormalizeWith checks the hook path: no panic, refusals reason-coded,
// every result in the built-in normal form and stable.
func FuzzNormalizeWith(f *testing.F) {
	for _, s := range []string{"13800138000", "+8613800138000", "+86 0138 0013 8000", "０１３８", "\u202E138", "", " ", "\xff", "+"} {
		f.Add(s)
	}
	// A stand-in for a host's library: national numbers are Chinese, a
	// full-width plus and digits are folded, anything else is passed on.
	hook := func(raw string) (string, error) {
		var b strings.Builder
		for _, r := range raw {
			switch {
			case r == '\uFF0B':
				b.WriteByte('+')
			case r >= '\uFF10' && r <= '\uFF19':
				b.WriteByte(byte('0' + r - '\uFF10'))
			case r == ' ' || r == '-':
			default:
				b.WriteRune(r)
			}
		}
		s := b.String()
		if s == "" {
			return "", errors.New("empty")
		}
		if s[0] != '+' {
			s = "+86" + strings.TrimPrefix(s, "0")
		}
		return s, nil
	}
	f.Fuzz(func(t *testing.T, raw string) {
		for _, kind := range allKinds {
			got, err := account.NormalizeWith(kind, raw, hook)
			if err != nil {
				switch c := reason.CodeOf(err); c {
				case reason.InputEmpty, reason.InputMalformed, reason.InputTooLong, reason.InputInvalidUTF8:
				default:
					t.Fatalf("NormalizeWith(%s, %q): code %q", kind, raw, c)
				}
				if got != "" {
					t.Fatalf("NormalizeWith(%s, %q) returned %q with an error", kind, raw, got)
				}
				continue
			}
			if kind == account.KindPhone {
				if plain, err := account.Normalize(kind, got); err != nil || plain != got {
					t.Fatalf("NormalizeWith(phone, %q) = %q, not in the built-in normal form (%q, %v)", raw, got, plain, err)
				}
			} else if plain, err := account.Normalize(kind, raw); err != nil || plain != got {
				t.Fatalf("NormalizeWith(%s, %q) = %q, Normalize gives %q, %v", kind, raw, got, plain, err)
			}
			if again, err := account.NormalizeWith(kind, got, hook); err != nil || again != got {
				t.Fatalf("NormalizeWith(%s) is not stable: %q → %q → %q, %v", kind, raw, got, again, err)
			}
		}
	})
}
