package account_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/accountsec/accountsec/account"
	"github.com/accountsec/accountsec/reason"
)

// The host's phone rule (Config.Phones) is the one the service applies: a
// national number the built-in rule refuses reaches the same slot as its
// E.164 form.
func TestServiceNormalisesPhonesWithTheHostRule(t *testing.T) {
	t.Parallel()
	national := func(raw string) (string, error) {
		if strings.HasPrefix(raw, "1") && len(raw) == 11 {
			return "+86" + raw, nil
		}
		return raw, nil
	}
	plain := newEnv(t)
	_, err := plain.svc.Holders(t.Context(), account.ScopeBind, account.KindPhone, "13800138000")
	require.Equal(t, reason.InputMalformed, reason.CodeOf(err), "the built-in rule needs the country code")

	e := newEnv(t, func(c *account.Config) { c.Phones = national })
	a := e.register(t, account.MethodWeChat, "wx-phone-owner")
	p := allow(a.ID, account.OpChangeSecurityPhone)
	_, err = e.svc.SendSecurityPhoneCode(t.Context(), p, a.ID, "13800138000", "")
	require.NoError(t, err)
	_, err = e.svc.ChangeSecurityPhone(t.Context(), p, a.ID, "13800138000", e.code("+8613800138000"))
	require.NoError(t, err)
	got, err := e.svc.Account(t.Context(), a.ID)
	require.NoError(t, err)
	assert.Equal(t, "+8613800138000", got.SecurityPhone)
	holders, err := e.svc.Holders(t.Context(), account.ScopeSecurityPhone, account.KindPhone, "+8613800138000")
	require.NoError(t, err)
	byNational, err := e.svc.Holders(t.Context(), account.ScopeSecurityPhone, account.KindPhone, "13800138000")
	require.NoError(t, err)
	assert.Equal(t, []string{a.ID}, holders)
	assert.Equal(t, holders, byNational)
}
