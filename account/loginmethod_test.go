package account_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/accountsec/accountsec/account"
	"github.com/accountsec/accountsec/event"
	"github.com/accountsec/accountsec/fakes"
	"github.com/accountsec/accountsec/reason"
	"github.com/accountsec/accountsec/vocab"
)

// fillBindings binds identifier ident of method m to limit fresh accounts
// (each registered with its own QQ, or WeChat when m is QQ) and returns the
// error of binding it to one more.
func fillBindings(t *testing.T, e *env, m account.Method, ident string, limit int) error {
	t.Helper()
	reg := account.MethodQQ
	if m == account.MethodQQ {
		reg = account.MethodWeChat
	}
	for i := range limit {
		a := e.register(t, reg, sub("reg", i))
		if m == account.MethodEmail {
			_, err := e.bindEmail(t, a.ID, ident, pw1)
			require.NoError(t, err)
		} else {
			e.bind(t, a.ID, m, ident)
		}
	}
	extra := e.register(t, reg, "extra")
	var err error
	if m == account.MethodEmail {
		_, err = e.bindEmail(t, extra.ID, ident, pw1)
	} else {
		_, err = e.svc.BindLoginMethod(t.Context(), allow(extra.ID, account.OpBindLoginMethod), extra.ID, account.Binding{Method: m, Identifier: ident})
	}
	assert.False(t, e.get(t, extra.ID).HasLoginMethod(m), "the refused binding was written")
	return err
}

func TestBindingQuotasPerIdentifier(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		method account.Method
		limit  int
	}{
		{"2nd account on a QQ refused", account.MethodQQ, 1},
		{"51st account on a WeChat refused", account.MethodWeChat, 50},
		{"21st account on a WeCom refused", account.MethodWeCom, 20},
		{"2nd account on an email refused", account.MethodEmail, 1},
		{"2nd account on an Official Account refused", account.MethodWeChatOA, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			e.wecom.allow["*"] = true
			err := fillBindings(t, e, tc.method, "shared@example.com", tc.limit)
			requireCode(t, err, reason.LimitsQuotaExceeded)
			var re *reason.Error
			require.ErrorAs(t, err, &re)
			assert.Equal(t, tc.limit, re.Params["limit"])
			assert.Equal(t, "bind", re.Params["scope"])
			assert.Len(t, e.holders(t, account.ScopeBind, account.KindOf(tc.method), "shared@example.com"), tc.limit)
		})
	}
}

func TestBindingQuotaIsAPolicyValue(t *testing.T) {
	t.Parallel()
	e := newEnv(t, func(c *account.Config) { c.Limits.Quotas.BindPerQQ = 3 })
	err := fillBindings(t, e, account.MethodQQ, "q", 3)
	requireCode(t, err, reason.LimitsQuotaExceeded)
}

func TestBindTheSameMethodTwiceRefused(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	a := e.register(t, account.MethodWeChat, "wx")
	e.bind(t, a.ID, account.MethodQQ, "q1")
	_, err := e.svc.BindLoginMethod(t.Context(), allow(a.ID, account.OpBindLoginMethod), a.ID, account.Binding{Method: account.MethodQQ, Identifier: "q2"})
	require.ErrorIs(t, err, account.ErrMethodAlreadyBound)
	_, err = e.svc.BindLoginMethod(t.Context(), allow(a.ID, account.OpBindLoginMethod), a.ID, account.Binding{Method: account.MethodWeChat, Identifier: "wx2"})
	require.ErrorIs(t, err, account.ErrMethodAlreadyBound)
	assert.Empty(t, e.holders(t, account.ScopeBind, account.KindQQ, "q2"))
}

func TestBindNeedsTheProofOfItsOperation(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	a := e.register(t, account.MethodWeChat, "wx")
	b := e.register(t, account.MethodWeChat, "wx-b")
	writes := e.store.writes.Load()

	for name, p := range map[string]vocab.Proof{
		"zero":          {},
		"other op":      allow(a.ID, account.OpUnbindLoginMethod),
		"other account": allow(b.ID, account.OpBindLoginMethod),
	} {
		_, err := e.svc.BindLoginMethod(t.Context(), p, a.ID, account.Binding{Method: account.MethodQQ, Identifier: "q"})
		var vr *vocab.VerificationRequiredError
		require.ErrorAs(t, err, &vr, name)
		assert.Equal(t, account.OpBindLoginMethod, vr.Purpose, name)
		require.ErrorIs(t, err, account.ErrVerificationRequired, name)
	}
	assert.Equal(t, writes, e.store.writes.Load())
	assert.False(t, e.get(t, a.ID).HasLoginMethod(account.MethodQQ))
}

func TestBindWeComAsksTheAdministrator(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	a := e.register(t, account.MethodWeChat, "wx")
	_, err := e.svc.BindLoginMethod(t.Context(), allow(a.ID, account.OpBindLoginMethod), a.ID, account.Binding{Method: account.MethodWeCom, Identifier: "wc"})
	require.ErrorIs(t, err, account.ErrWeComNotAuthorized)
	assert.Equal(t, []string{a.ID + "/wc"}, e.wecom.asked)
	assert.False(t, e.get(t, a.ID).HasLoginMethod(account.MethodWeCom))

	e.wecom.allow["wc"] = true
	e.bind(t, a.ID, account.MethodWeCom, "wc")
}

func TestBindEmailNeedsCodeAndPassword(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	a := e.register(t, account.MethodWeChat, "wx")
	b := account.Binding{Method: account.MethodEmail, Identifier: "f@example.com", Password: pw1, Confirm: pw1}
	_, err := e.svc.BindLoginMethod(t.Context(), allow(a.ID, account.OpBindLoginMethod), a.ID, b)
	requireCode(t, err, reason.InputEmpty)

	_, err = e.svc.SendLoginEmailCode(t.Context(), loginEmailProof(e.svc, a.ID), a.ID, "f@example.com", "")
	require.NoError(t, err)
	b.Code = e.code("f@example.com")
	b.Password = "weak"
	_, err = e.svc.BindLoginMethod(t.Context(), allow(a.ID, account.OpBindLoginMethod), a.ID, b)
	requireCode(t, err, reason.PasswordTooShort)

	b.Password = pw1
	got, err := e.svc.BindLoginMethod(t.Context(), allow(a.ID, account.OpBindLoginMethod), a.ID, b)
	require.NoError(t, err)
	assert.Equal(t, "f@example.com", got.LoginEmail())
	assert.NotEmpty(t, got.Password.Hash)
	assert.Equal(t, fakes.Epoch, got.Password.ChangedAt)
}

func TestBindEmailRefusesARecentPassword(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	a := e.registerEmail(t, "g@example.com", pw1)
	e.bind(t, a.ID, account.MethodWeChat, "wx")
	_, err := e.svc.UnbindLoginMethod(t.Context(), allow(a.ID, account.OpUnbindLoginMethod), a.ID, account.MethodEmail)
	requireCode(t, err, reason.AccountSecurityPhoneRequired)
	e.setSecurityPhone(t, a.ID, "+8613800138000")
	_, err = e.svc.UnbindLoginMethod(t.Context(), allow(a.ID, account.OpUnbindLoginMethod), a.ID, account.MethodEmail)
	require.NoError(t, err)

	_, err = e.bindEmail(t, a.ID, "g2@example.com", pw1)
	requireCode(t, err, reason.PasswordReused)
	_, err = e.bindEmail(t, a.ID, "g2@example.com", pw2)
	require.NoError(t, err)
}

func TestUnbindReleasesTheSlot(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	a := e.register(t, account.MethodWeChat, "wx-a")
	b := e.register(t, account.MethodWeChat, "wx-b")
	e.bind(t, a.ID, account.MethodQQ, "q")
	_, err := e.svc.BindLoginMethod(t.Context(), allow(b.ID, account.OpBindLoginMethod), b.ID, account.Binding{Method: account.MethodQQ, Identifier: "q"})
	requireCode(t, err, reason.LimitsQuotaExceeded)

	got, err := e.svc.UnbindLoginMethod(t.Context(), allow(a.ID, account.OpUnbindLoginMethod), a.ID, account.MethodQQ)
	require.NoError(t, err)
	assert.Equal(t, []account.Method{account.MethodWeChat}, methods(got))
	assert.Empty(t, e.holders(t, account.ScopeBind, account.KindQQ, "q"))
	e.bind(t, b.ID, account.MethodQQ, "q")

	ev := e.events.All()
	var unbound []string
	for _, x := range ev {
		if x.Kind == event.LoginMethodUnbound {
			unbound = append(unbound, x.Attrs["method"]+"/"+x.Attrs["registration"])
		}
	}
	assert.Equal(t, []string{"qq/false"}, unbound)
}

func TestUnbindTheLastLoginMethodRefused(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	// Registered with WeChat, which is then replaced by email as the only
	// method: the last method is not the registration method.
	a := e.register(t, account.MethodWeChat, "wx")
	_, err := e.bindEmail(t, a.ID, "h@example.com", pw1)
	require.NoError(t, err)
	e.setSecurityPhone(t, a.ID, "+8613800138000")
	_, err = e.svc.UnbindLoginMethod(t.Context(), allow(a.ID, account.OpUnbindLoginMethod), a.ID, account.MethodWeChat)
	require.NoError(t, err)
	before := e.get(t, a.ID)

	_, err = e.svc.UnbindLoginMethod(t.Context(), allow(a.ID, account.OpUnbindLoginMethod), a.ID, account.MethodEmail)
	var blocked *account.UnbindBlockedError
	require.ErrorAs(t, err, &blocked)
	assert.Equal(t, []reason.Code{reason.AccountLastLoginMethod}, reason.Codes(blocked)[:1])
	assert.Len(t, blocked.Unmet, 1)
	require.ErrorIs(t, err, account.ErrLastLoginMethod)
	assert.Equal(t, before, e.get(t, a.ID))
}

func TestUnbindUnboundMethodRefused(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	a := e.register(t, account.MethodWeChat, "wx")
	_, err := e.svc.UnbindLoginMethod(t.Context(), allow(a.ID, account.OpUnbindLoginMethod), a.ID, account.MethodQQ)
	require.ErrorIs(t, err, account.ErrMethodNotBound)
}

func TestUnbindRegistrationMethodReportsEveryUnmetCondition(t *testing.T) {
	t.Parallel()
	var (
		c1 = reason.AccountLastLoginMethod
		c2 = reason.AccountMethodInUse
		c3 = reason.AccountSecurityPhoneRequired
	)
	tests := []struct {
		name          string
		secondMethod  bool // condition 1 met
		scanOff       bool // condition 2 met
		securityPhone bool // condition 3 met
		want          []reason.Code
	}{
		{"0 unmet", true, true, true, nil},
		{"1 unmet: only method", false, true, true, []reason.Code{c1}},
		{"1 unmet: in use", true, false, true, []reason.Code{c2}},
		{"1 unmet: no phone", true, true, false, []reason.Code{c3}},
		{"2 unmet: only method, in use", false, false, true, []reason.Code{c1, c2}},
		{"2 unmet: only method, no phone", false, true, false, []reason.Code{c1, c3}},
		{"2 unmet: in use, no phone", true, false, false, []reason.Code{c2, c3}},
		{"3 unmet", false, false, false, []reason.Code{c1, c2, c3}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			a := e.register(t, account.MethodWeChat, "wx")
			if tc.secondMethod {
				e.bind(t, a.ID, account.MethodQQ, "q")
			}
			if tc.securityPhone {
				e.setSecurityPhone(t, a.ID, "+8613800138000")
			}
			if !tc.scanOff {
				scan := account.VerifyWeChatScan
				_, err := e.svc.UpdateSecurity(t.Context(), allowSettings(a.ID), a.ID, account.SecurityChange{LoginProtection: &scan})
				require.NoError(t, err)
			}
			before := e.get(t, a.ID)
			assert.Equal(t, tc.want, reason.Codes(errOrNil(before.UnbindBlockers(account.MethodWeChat))), "UnbindBlockers")

			got, err := e.svc.UnbindLoginMethod(t.Context(), allow(a.ID, account.OpUnbindLoginMethod), a.ID, account.MethodWeChat)
			if tc.want == nil {
				require.NoError(t, err)
				assert.False(t, got.HasLoginMethod(account.MethodWeChat))
				assert.Empty(t, e.holders(t, account.ScopeBind, account.KindWeChat, "wx"))
				return
			}
			var blocked *account.UnbindBlockedError
			require.ErrorAs(t, err, &blocked)
			assert.Equal(t, account.MethodWeChat, blocked.Method)
			assert.Equal(t, tc.want, reason.Codes(blocked))
			for _, c := range tc.want {
				assert.ErrorIs(t, err, reason.New(c))
			}
			assert.Equal(t, before, e.get(t, a.ID), "a refused unbind changed the account")
		})
	}
}

func TestRegistrationMethodInUseNamesEverySetting(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	a := e.register(t, account.MethodWeChat, "wx")
	e.bind(t, a.ID, account.MethodQQ, "q")
	e.setSecurityPhone(t, a.ID, "+8613800138000")
	scan, on := account.VerifyWeChatScan, true
	_, err := e.svc.UpdateSecurity(t.Context(), allowSettings(a.ID), a.ID, account.SecurityChange{
		LoginProtection: &scan, OperationProtection: &scan, RemoteLoginProtection: &on,
		RemoteLoginMethod: &scan, MFABindingMethod: &scan,
	})
	require.NoError(t, err)
	_, err = e.svc.UnbindLoginMethod(t.Context(), allow(a.ID, account.OpUnbindLoginMethod), a.ID, account.MethodWeChat)
	var blocked *account.UnbindBlockedError
	require.ErrorAs(t, err, &blocked)
	require.Len(t, blocked.Unmet, 1)
	assert.Equal(t, "login_protection, operation_protection, remote_login_protection, mfa_binding", blocked.Unmet[0].Params["settings"])
	assert.Contains(t, err.Error(), "login_protection")

	// Turning WeChat-scan off everywhere lets the unbind through.
	none, off := account.VerifyNone, false
	_, err = e.svc.UpdateSecurity(t.Context(), allowSettings(a.ID), a.ID, account.SecurityChange{
		LoginProtection: &none, OperationProtection: &none, RemoteLoginProtection: &off, MFABindingMethod: &none,
	})
	require.NoError(t, err)
	_, err = e.svc.UnbindLoginMethod(t.Context(), allow(a.ID, account.OpUnbindLoginMethod), a.ID, account.MethodWeChat)
	require.NoError(t, err, "remote-login method only counts while remote-login protection is on")
}

func TestUnbindNonRegistrationMethodNeedsOnlyAnotherMethod(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	a := e.register(t, account.MethodQQ, "q")
	e.bind(t, a.ID, account.MethodWeChat, "wx")
	// No security phone; docs/RULES.md §5 asks conditions 2 and 3 only of the
	// registration method.
	got, err := e.svc.UnbindLoginMethod(t.Context(), allow(a.ID, account.OpUnbindLoginMethod), a.ID, account.MethodWeChat)
	require.NoError(t, err)
	assert.Equal(t, []account.Method{account.MethodQQ}, methods(got))
}

func TestUnbindEmailRemovesThePassword(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	a := e.register(t, account.MethodWeChat, "wx")
	_, err := e.bindEmail(t, a.ID, "i@example.com", pw1)
	require.NoError(t, err)
	got, err := e.svc.UnbindLoginMethod(t.Context(), allow(a.ID, account.OpUnbindLoginMethod), a.ID, account.MethodEmail)
	require.NoError(t, err)
	assert.Empty(t, got.Password.Hash)
	assert.NotEmpty(t, got.Password.History, "history is kept against reuse")
	_, err = e.svc.ChangePassword(t.Context(), allow(a.ID, account.OpChangePassword), a.ID, account.PasswordChange{Old: pw1, New: pw2, Confirm: pw2})
	require.ErrorIs(t, err, account.ErrNoPassword)
	assert.Empty(t, e.holders(t, account.ScopeBind, account.KindEmail, "i@example.com"))
}

func TestChangeLoginMethodMovesTheSlot(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	a := e.register(t, account.MethodWeChat, "wx")
	e.bind(t, a.ID, account.MethodQQ, "q1")
	other := e.register(t, account.MethodWeChat, "wx-other")
	e.bind(t, other.ID, account.MethodQQ, "taken")

	ch := func(ident string) error {
		_, err := e.svc.ChangeLoginMethod(t.Context(), allow(a.ID, account.OpChangeLoginMethod), a.ID, account.Binding{Method: account.MethodQQ, Identifier: ident})
		return err
	}
	require.ErrorIs(t, ch("q1"), account.ErrSameIdentifier)
	requireCode(t, ch("taken"), reason.LimitsQuotaExceeded)
	require.NoError(t, ch("q2"))
	lm, _ := e.get(t, a.ID).LoginMethod(account.MethodQQ)
	assert.Equal(t, "q2", lm.Identifier)
	assert.Empty(t, e.holders(t, account.ScopeBind, account.KindQQ, "q1"))
	assert.Equal(t, []string{a.ID}, e.holders(t, account.ScopeBind, account.KindQQ, "q2"))

	_, err := e.svc.ChangeLoginMethod(t.Context(), allow(a.ID, account.OpChangeLoginMethod), a.ID, account.Binding{Method: account.MethodWeChatOA, Identifier: "oa"})
	require.ErrorIs(t, err, account.ErrMethodNotBound)
	assert.Equal(t, 1, e.events.Count(event.LoginMethodChanged))
}

func TestChangeRegistrationMethodKeepsTheRegistrationSlot(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	a := e.register(t, account.MethodWeChat, "wx1")
	_, err := e.svc.ChangeLoginMethod(t.Context(), allow(a.ID, account.OpChangeLoginMethod), a.ID, account.Binding{Method: account.MethodWeChat, Identifier: "wx2"})
	require.NoError(t, err)
	assert.Equal(t, []string{a.ID}, e.holders(t, account.ScopeRegister, account.KindWeChat, "wx1"))
	assert.Empty(t, e.holders(t, account.ScopeBind, account.KindWeChat, "wx1"))
	assert.Equal(t, "wx1", e.get(t, a.ID).RegistrationIdentifier)
}

func TestChangeWeComAsksTheAdministrator(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.wecom.allow["wc1"] = true
	a := e.register(t, account.MethodWeChat, "wx")
	e.bind(t, a.ID, account.MethodWeCom, "wc1")
	_, err := e.svc.ChangeLoginMethod(t.Context(), allow(a.ID, account.OpChangeLoginMethod), a.ID, account.Binding{Method: account.MethodWeCom, Identifier: "wc2"})
	require.ErrorIs(t, err, account.ErrWeComNotAuthorized)
	lm, _ := e.get(t, a.ID).LoginMethod(account.MethodWeCom)
	assert.Equal(t, "wc1", lm.Identifier)
}

func errOrNil(l []*reason.Error) error {
	if len(l) == 0 {
		return nil
	}
	return reason.List(l)
}

func TestAccountsByLoginFindsTheHolders(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	a := e.registerEmail(t, "x@example.com", pw1)
	b := e.register(t, account.MethodQQ, "q")
	e.bind(t, a.ID, account.MethodWeChat, "wx")
	e.bind(t, b.ID, account.MethodWeChat, "wx")

	got, err := e.svc.AccountsByLogin(t.Context(), account.MethodEmail, " X@Example.com")
	require.NoError(t, err)
	require.Len(t, got, 1)
	assert.Equal(t, a.ID, got[0].ID)

	got, err = e.svc.AccountsByLogin(t.Context(), account.MethodWeChat, "wx")
	require.NoError(t, err)
	assert.ElementsMatch(t, []string{a.ID, b.ID}, []string{got[0].ID, got[1].ID})

	got, err = e.svc.AccountsByLogin(t.Context(), account.MethodQQ, "nobody")
	require.NoError(t, err)
	assert.Empty(t, got)
	_, err = e.svc.AccountsByLogin(t.Context(), "phone", "+8613800138000")
	require.ErrorIs(t, err, account.ErrUnknownMethod)
}
