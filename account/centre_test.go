package account_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/accountsec/accountsec/account"
	"github.com/accountsec/accountsec/event"
	"github.com/accountsec/accountsec/reason"
	"github.com/accountsec/accountsec/store/memstore"
	"github.com/accountsec/accountsec/vocab"
)

func TestIndustryIsChosenFromTheList(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	a := e.register(t, account.MethodQQ, "q-ind")
	assert.Equal(t, account.DefaultIndustries(), e.svc.Industries())

	_, err := e.svc.UpdateProfile(t.Context(), a.ID, account.ProfileChange{Industry: ptr("cloud computing and more")})
	requireCode(t, err, reason.AccountIndustryUnknown)
	assert.Empty(t, e.get(t, a.ID).Industry, "a refused industry changes nothing")

	got, err := e.svc.UpdateProfile(t.Context(), a.ID, account.ProfileChange{Industry: ptr("gaming")})
	require.NoError(t, err)
	assert.Equal(t, "gaming", got.Industry)
	got, err = e.svc.UpdateProfile(t.Context(), a.ID, account.ProfileChange{Industry: ptr("")})
	require.NoError(t, err)
	assert.Empty(t, got.Industry, "an empty industry clears it")

	_, err = e.svc.Register(t.Context(), account.Registration{Method: account.MethodQQ, Identifier: "q-ind-2", Industry: "astrology"})
	requireCode(t, err, reason.AccountIndustryUnknown)
}

func TestHostSuppliesTheIndustries(t *testing.T) {
	t.Parallel()
	e := newEnv(t, func(c *account.Config) { c.Industries = []string{"游戏", "金融"} })
	a := e.register(t, account.MethodQQ, "q-ind")
	got, err := e.svc.UpdateProfile(t.Context(), a.ID, account.ProfileChange{Industry: ptr("游戏")})
	require.NoError(t, err)
	assert.Equal(t, "游戏", got.Industry)
	_, err = e.svc.UpdateProfile(t.Context(), a.ID, account.ProfileChange{Industry: ptr("gaming")})
	requireCode(t, err, reason.AccountIndustryUnknown)

	for _, bad := range [][]string{{"a", "a"}, {""}, {" padded "}} {
		_, err := account.New(account.Config{
			Store: memstore.NewAccountStore(), Hasher: e.hasher, Lockout: e.lockout, Codes: nopCodes{},
			Secret: testSecret, Industries: bad,
		})
		requireCode(t, err, reason.PolicyInvalid)
	}
}

func TestLoginEmailNeedsThePasswordConfirmation(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	a := e.register(t, account.MethodQQ, "q-conf")
	_, err := e.svc.SendLoginEmailCode(t.Context(), allow(a.ID, account.OpBindLoginMethod), a.ID, "c@example.com", "")
	require.NoError(t, err)
	b := account.Binding{Method: account.MethodEmail, Identifier: "c@example.com", Password: pw1, Confirm: pw2, Code: e.code("c@example.com")}
	_, err = e.svc.BindLoginMethod(t.Context(), allow(a.ID, account.OpBindLoginMethod), a.ID, b)
	requireCode(t, err, reason.PasswordConfirmMismatch)
	assert.False(t, e.get(t, a.ID).HasLoginMethod(account.MethodEmail))
	b.Confirm = ""
	_, err = e.svc.BindLoginMethod(t.Context(), allow(a.ID, account.OpBindLoginMethod), a.ID, b)
	requireCode(t, err, reason.PasswordConfirmMismatch)
	b.Confirm = pw1
	_, err = e.svc.BindLoginMethod(t.Context(), allow(a.ID, account.OpBindLoginMethod), a.ID, b)
	require.NoError(t, err, "the refusals left the code usable")

	_, err = e.svc.SendLoginEmailCode(t.Context(), allow(a.ID, account.OpChangeLoginEmail), a.ID, "d@example.com", "")
	require.NoError(t, err)
	c := account.LoginEmailChange{Email: "d@example.com", Password: pw2, Confirm: pw3, Code: e.code("d@example.com")}
	_, err = e.svc.ChangeLoginEmail(t.Context(), allow(a.ID, account.OpChangeLoginEmail), a.ID, c)
	requireCode(t, err, reason.PasswordConfirmMismatch)
	_, err = e.svc.ChangeLoginMethod(t.Context(), allow(a.ID, account.OpChangeLoginEmail), a.ID,
		account.Binding{Method: account.MethodEmail, Identifier: "d@example.com", Password: pw2, Code: c.Code})
	requireCode(t, err, reason.PasswordConfirmMismatch)
	assert.Equal(t, "c@example.com", e.get(t, a.ID).LoginEmail())
	c.Confirm = pw2
	got, err := e.svc.ChangeLoginEmail(t.Context(), allow(a.ID, account.OpChangeLoginEmail), a.ID, c)
	require.NoError(t, err)
	assert.Equal(t, "d@example.com", got.LoginEmail())

	_, err = e.svc.BindLoginMethod(t.Context(), allow(a.ID, account.OpBindLoginMethod), a.ID,
		account.Binding{Method: account.MethodWeChat, Identifier: "wx", Confirm: pw1})
	requireCode(t, err, reason.InputMalformed)
}

func TestContactEmailChangeCanAlsoChangeTheSecurityEmail(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	a := e.register(t, account.MethodQQ, "q-contact")
	_, err := e.svc.ChangeContactEmail(t.Context(), a.ID, "both@example.com", "")
	require.NoError(t, err)
	code := e.code("both@example.com")

	// Without the security email's proof nothing changes, and the code
	// is not spent.
	for _, p := range []vocab.Proof{{}, allow(a.ID, account.OpChangeLoginEmail), allow("100000000009", account.OpChangeSecurityEmail)} {
		_, err = e.svc.ConfirmContactEmailAlsoSecurity(t.Context(), p, a.ID, code)
		require.ErrorIs(t, err, account.ErrVerificationRequired)
	}
	cur := e.get(t, a.ID)
	assert.Empty(t, cur.SecurityEmail)
	assert.Empty(t, cur.ContactEmail.Address)

	got, err := e.svc.ConfirmContactEmailAlsoSecurity(t.Context(), allow(a.ID, account.OpChangeSecurityEmail), a.ID, code)
	require.NoError(t, err)
	assert.Equal(t, "both@example.com", got.SecurityEmail)
	assert.Equal(t, account.Contact{Address: "both@example.com"}, got.ContactEmail)
	assert.Equal(t, 1, e.events.Count(event.SecurityEmailChanged))
	assert.Equal(t, 1, e.events.Count(event.ContactChanged))

	_, err = e.svc.ConfirmContactEmailAlsoSecurity(t.Context(), allow(a.ID, account.OpChangeSecurityEmail), a.ID, code)
	requireCode(t, err, reason.AccountNoPendingContact)
}

func TestQuotaExceptionsRaiseOneAccountOrOneIdentifier(t *testing.T) {
	t.Parallel()
	docs := memstore.New()
	e := newEnv(t, func(c *account.Config) { c.Exceptions = docs })
	ctx := t.Context()
	// One QQ may be bound to one account by default.
	first := e.register(t, account.MethodWeChat, "wx-1")
	e.bind(t, first.ID, account.MethodQQ, "shared-qq")
	second := e.register(t, account.MethodWeChat, "wx-2")
	_, err := e.svc.BindLoginMethod(ctx, allow(second.ID, account.OpBindLoginMethod), second.ID, account.Binding{Method: account.MethodQQ, Identifier: "shared-qq"})
	requireCode(t, err, reason.LimitsQuotaExceeded)

	// The account's exception lets this account, and no other, take it.
	require.NoError(t, e.svc.SetAccountException(ctx, second.ID, account.AccountException{
		Raises: []account.QuotaRaise{{Scope: account.ScopeBind, Kind: account.KindQQ, Limit: 2}}, Operator: "ops-7", Note: "工单 123",
	}))
	e.bind(t, second.ID, account.MethodQQ, "shared-qq")
	third := e.register(t, account.MethodWeChat, "wx-3")
	_, err = e.svc.BindLoginMethod(ctx, allow(third.ID, account.OpBindLoginMethod), third.ID, account.Binding{Method: account.MethodQQ, Identifier: "shared-qq"})
	requireCode(t, err, reason.LimitsQuotaExceeded)

	// The identifier's exception lets any account take it, up to its limit.
	require.NoError(t, e.svc.SetIdentifierException(ctx, account.IdentifierException{
		Scope: account.ScopeBind, Kind: account.KindQQ, Identifier: "shared-qq", Limit: 3, Operator: "ops-7",
	}))
	e.bind(t, third.ID, account.MethodQQ, "shared-qq")
	fourth := e.register(t, account.MethodWeChat, "wx-4")
	_, err = e.svc.BindLoginMethod(ctx, allow(fourth.ID, account.OpBindLoginMethod), fourth.ID, account.Binding{Method: account.MethodQQ, Identifier: "shared-qq"})
	requireCode(t, err, reason.LimitsQuotaExceeded)
	assert.Len(t, e.holders(t, account.ScopeBind, account.KindQQ, "shared-qq"), 3)

	// Cleared, the policy's quota holds again for new takers.
	require.NoError(t, e.svc.SetIdentifierException(ctx, account.IdentifierException{
		Scope: account.ScopeBind, Kind: account.KindQQ, Identifier: "shared-qq", Operator: "ops-7",
	}))
	evs := 0
	for _, ev := range e.events.All() {
		if ev.Kind == event.QuotaExceptionSet {
			evs++
			assert.Equal(t, "ops-7", ev.Attrs["operator"])
			assert.NotContains(t, ev.Subject+ev.Attrs["quotas"], "shared-qq", "the identifier appears only hashed")
		}
	}
	assert.Equal(t, 3, evs)
}

func TestShorterEnterpriseNameAfterAManualCheck(t *testing.T) {
	t.Parallel()
	docs := memstore.New()
	e := newEnv(t, func(c *account.Config) { c.Exceptions = docs })
	a := e.register(t, account.MethodQQ, "q-ent")
	other := e.register(t, account.MethodQQ, "q-ent-2")
	_, err := e.svc.RecordEnterprise(t.Context(), a.ID, enterprise("腾讯云", "91440300708461136T"))
	requireCode(t, err, reason.AccountEnterpriseNameTooShort)

	require.NoError(t, e.svc.SetAccountException(t.Context(), a.ID, account.AccountException{MinEnterpriseNameLength: 2, Operator: "ops-7"}))
	got, err := e.svc.RecordEnterprise(t.Context(), a.ID, enterprise("腾讯云", "91440300708461136T"))
	require.NoError(t, err)
	assert.Equal(t, account.RealNameEnterprise, got.RealName.Status)
	_, err = e.svc.RecordEnterprise(t.Context(), other.ID, enterprise("腾讯云", "91440300708461136T"))
	requireCode(t, err, reason.AccountEnterpriseNameTooShort)
}

func TestBadQuotaExceptionsAreRefused(t *testing.T) {
	t.Parallel()
	docs := memstore.New()
	e := newEnv(t, func(c *account.Config) { c.Exceptions = docs })
	a := e.register(t, account.MethodQQ, "q-bad")
	ctx := t.Context()
	cases := map[string]error{
		"unknown scope":         e.svc.SetAccountException(ctx, a.ID, account.AccountException{Raises: []account.QuotaRaise{{Scope: "x", Kind: account.KindQQ, Limit: 2}}, Operator: "o"}),
		"kind of another scope": e.svc.SetAccountException(ctx, a.ID, account.AccountException{Raises: []account.QuotaRaise{{Scope: account.ScopeSecurityPhone, Kind: account.KindQQ, Limit: 2}}, Operator: "o"}),
		"limit too high":        e.svc.SetIdentifierException(ctx, account.IdentifierException{Scope: account.ScopeBind, Kind: account.KindQQ, Identifier: "q", Limit: 10001, Operator: "o"}),
		"zero raise":            e.svc.SetAccountException(ctx, a.ID, account.AccountException{Raises: []account.QuotaRaise{{Scope: account.ScopeBind, Kind: account.KindQQ}}, Operator: "o"}),
		"twice": e.svc.SetAccountException(ctx, a.ID, account.AccountException{Raises: []account.QuotaRaise{
			{Scope: account.ScopeBind, Kind: account.KindQQ, Limit: 2}, {Scope: account.ScopeBind, Kind: account.KindQQ, Limit: 3}}, Operator: "o"}),
		"name length": e.svc.SetAccountException(ctx, a.ID, account.AccountException{MinEnterpriseNameLength: -1, Operator: "o"}),
	}
	for name, err := range cases {
		assert.Equal(t, reason.AccountQuotaExceptionInvalid, reason.CodeOf(err), name)
	}
	requireCode(t, e.svc.SetAccountException(ctx, a.ID, account.AccountException{}), reason.InputEmpty)
	requireCode(t, e.svc.SetAccountException(ctx, "100000000009", account.AccountException{Operator: "o"}), reason.AccountNotFound)
	assert.Zero(t, e.events.Count(event.QuotaExceptionSet))

	plain := newEnv(t)
	requireCode(t, plain.svc.SetAccountException(ctx, a.ID, account.AccountException{Operator: "o"}), reason.PolicyInvalid)
}
