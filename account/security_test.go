package account_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/accountsec/accountsec/account"
	"github.com/accountsec/accountsec/event"
	"github.com/accountsec/accountsec/reason"
)

func ptr[T any](v T) *T { return &v }

func TestSecuritySettingsAreValidatedAndStored(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	a := e.register(t, account.MethodQQ, "q")
	tests := []struct {
		name   string
		change account.SecurityChange
		code   reason.Code
	}{
		{"unknown method", account.SecurityChange{LoginProtection: ptr(account.VerifyMethod("sms2"))}, reason.AccountUnknownVerifyMethod},
		{"email is no login protection", account.SecurityChange{LoginProtection: ptr(account.VerifyEmail)}, reason.AccountVerifyMethodNotAllowed},
		{"face is no operation protection", account.SecurityChange{OperationProtection: ptr(account.VerifyFace)}, reason.AccountVerifyMethodNotAllowed},
		{"sms needs a security phone", account.SecurityChange{LoginProtection: ptr(account.VerifySMS)}, reason.AccountVerifyMethodUnavailable},
		{"wechat_scan needs WeChat", account.SecurityChange{OperationProtection: ptr(account.VerifyWeChatScan)}, reason.AccountVerifyMethodUnavailable},
		{"email needs a security email", account.SecurityChange{MFABindingMethod: ptr(account.VerifyEmail)}, reason.AccountVerifyMethodUnavailable},
		{"face needs a real name", account.SecurityChange{RemoteLoginMethod: ptr(account.VerifyFace)}, reason.AccountVerifyMethodUnavailable},
		{"lifetime below 1h", account.SecurityChange{SessionMaxLifetime: ptr(59 * time.Minute)}, reason.AccountSettingOutOfRange},
		{"lifetime above 48h", account.SecurityChange{SessionMaxLifetime: ptr(49 * time.Hour)}, reason.AccountSettingOutOfRange},
		{"idle below 15m", account.SecurityChange{SessionIdleTimeout: ptr(14 * time.Minute)}, reason.AccountSettingOutOfRange},
		{"idle above 720m", account.SecurityChange{SessionIdleTimeout: ptr(721 * time.Minute)}, reason.AccountSettingOutOfRange},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := e.svc.UpdateSecurity(t.Context(), allowSettings(a.ID), a.ID, tc.change)
			requireCode(t, err, tc.code)
			assert.Equal(t, a, e.get(t, a.ID))
		})
	}

	got, err := e.svc.UpdateSecurity(t.Context(), allowSettings(a.ID), a.ID, account.SecurityChange{
		LoginProtection:       ptr(account.VerifyMFA),
		TrustDevices:          ptr(true),
		RemoteLoginProtection: ptr(true),
		SessionMaxLifetime:    ptr(time.Hour),
		SessionIdleTimeout:    ptr(720 * time.Minute),
	})
	require.NoError(t, err)
	assert.Equal(t, account.SecuritySettings{
		LoginProtection: account.VerifyMFA, TrustDevices: true, OperationProtection: account.VerifyNone,
		RemoteLoginProtection: true, RemoteLoginMethod: account.VerifyNone, MFABindingMethod: account.VerifyNone,
		SessionMaxLifetime: time.Hour, SessionIdleTimeout: 720 * time.Minute,
	}, got.Security)
	assert.Empty(t, e.events.All()[1:], "protection emits the settings event")

	// Setting what is already set writes nothing.
	again, err := e.svc.UpdateSecurity(t.Context(), allowSettings(a.ID), a.ID, account.SecurityChange{LoginProtection: ptr(account.VerifyMFA)})
	require.NoError(t, err)
	assert.Equal(t, got.Version, again.Version)
}

func TestDisableMFAFallsBack(t *testing.T) {
	t.Parallel()
	t.Run("to sms with a security phone", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t)
		a := e.register(t, account.MethodQQ, "q")
		e.setSecurityPhone(t, a.ID, "+8613800138000")
		_, err := e.svc.UpdateSecurity(t.Context(), allowSettings(a.ID), a.ID, account.SecurityChange{
			LoginProtection: ptr(account.VerifyMFA), OperationProtection: ptr(account.VerifyMFA), MFABindingMethod: ptr(account.VerifyMFA),
		})
		require.NoError(t, err)
		fb, err := e.svc.DisableMFA(t.Context(), allow(a.ID, account.OpUnbindMFA), a.ID)
		require.NoError(t, err)
		assert.Equal(t, account.MFAFallback{Login: "sms", Operation: "sms"}, fb)
		got := e.get(t, a.ID)
		assert.Equal(t, account.VerifySMS, got.Security.LoginProtection)
		assert.Equal(t, account.VerifyNone, got.Security.MFABindingMethod)
	})
	t.Run("to none without one", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t)
		a := e.register(t, account.MethodQQ, "q")
		_, err := e.svc.UpdateSecurity(t.Context(), allowSettings(a.ID), a.ID, account.SecurityChange{OperationProtection: ptr(account.VerifyMFA)})
		require.NoError(t, err)
		fb, err := e.svc.DisableMFA(t.Context(), allow(a.ID, account.OpUnbindMFA), a.ID)
		require.NoError(t, err)
		assert.Equal(t, account.MFAFallback{Operation: "none"}, fb)
	})
	t.Run("nothing to do", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t)
		a := e.register(t, account.MethodQQ, "q")
		fb, err := e.svc.DisableMFA(t.Context(), allow(a.ID, account.OpUnbindMFA), a.ID)
		require.NoError(t, err)
		assert.Equal(t, account.MFAFallback{}, fb)
		assert.Equal(t, a.Version, e.get(t, a.ID).Version)
		_, err = e.svc.DisableMFA(t.Context(), allow("100000000000", account.OpUnbindMFA), "100000000000")
		require.ErrorIs(t, err, account.ErrNotFound)
	})
}

func TestNicknameAndIndustryAreEditable(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	a := e.register(t, account.MethodQQ, "q")
	got, err := e.svc.UpdateProfile(t.Context(), a.ID, account.ProfileChange{Nickname: ptr(" 小明 "), Industry: ptr("gaming")})
	require.NoError(t, err)
	assert.Equal(t, "小明", got.Nickname)
	assert.Equal(t, "gaming", got.Industry)
	got, err = e.svc.UpdateProfile(t.Context(), a.ID, account.ProfileChange{Nickname: ptr("")})
	require.NoError(t, err)
	assert.Empty(t, got.Nickname)
	assert.Equal(t, "gaming", got.Industry, "a nil field is left alone")
	// The immutable fields did not move.
	assert.Equal(t, a.ID, got.ID)
	assert.Equal(t, a.APPID, got.APPID)
	assert.Equal(t, a.RegisteredAt, got.RegisteredAt)
	assert.Equal(t, a.RegistrationMethod, got.RegistrationMethod)
}

func TestDeleteReleasesEveryQuotaSlot(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	a := e.register(t, account.MethodQQ, "q")
	e.bind(t, a.ID, account.MethodWeChat, "wx")
	e.setSecurityPhone(t, a.ID, "+8613800138000")
	_, err := e.svc.RecordPersonal(t.Context(), a.ID, person("张三", idZhang))
	require.NoError(t, err)

	require.NoError(t, e.svc.Delete(t.Context(), allow(a.ID, account.OpApplyCancellation), a.ID))
	assert.Equal(t, 1, e.events.Count(event.AccountDeleted))
	for _, s := range []struct {
		scope account.Scope
		kind  account.Kind
		v     string
	}{
		{account.ScopeRegister, account.KindQQ, "q"},
		{account.ScopeBind, account.KindQQ, "q"},
		{account.ScopeBind, account.KindWeChat, "wx"},
		{account.ScopeSecurityPhone, account.KindPhone, "+8613800138000"},
		{account.ScopeRealName, account.KindPersonalID, idZhang},
	} {
		assert.Empty(t, e.holders(t, s.scope, s.kind, s.v), "%s/%s", s.scope, s.kind)
	}
	_, err = e.svc.Account(t.Context(), a.ID)
	require.ErrorIs(t, err, account.ErrNotFound)
	_, err = e.svc.AccountByAPPID(t.Context(), a.APPID)
	require.ErrorIs(t, err, account.ErrNotFound)
	require.ErrorIs(t, e.svc.Delete(t.Context(), allow(a.ID, account.OpApplyCancellation), a.ID), account.ErrNotFound)

	// The identifiers serve a new account at once.
	b := e.register(t, account.MethodQQ, "q")
	e.setSecurityPhone(t, b.ID, "+8613800138000")
	assert.NotEqual(t, a.ID, b.ID)
}

func TestOperationsOnAMissingAccount(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	const id = "100000000000"
	_, err := e.svc.Account(t.Context(), id)
	require.ErrorIs(t, err, account.ErrNotFound)
	_, err = e.svc.UpdateProfile(t.Context(), id, account.ProfileChange{Nickname: ptr("x")})
	require.ErrorIs(t, err, account.ErrNotFound)
	_, err = e.svc.BindLoginMethod(t.Context(), allow(id, account.OpBindLoginMethod), id, account.Binding{Method: account.MethodQQ, Identifier: "q"})
	require.ErrorIs(t, err, account.ErrNotFound)
	_, err = e.svc.UnbindLoginMethod(t.Context(), allow(id, account.OpUnbindLoginMethod), id, account.MethodQQ)
	require.ErrorIs(t, err, account.ErrNotFound)
	_, err = e.svc.RecordPersonal(t.Context(), id, person("张三", idZhang))
	require.ErrorIs(t, err, account.ErrNotFound)
	assert.Empty(t, e.holders(t, account.ScopeBind, account.KindQQ, "q"))
}
