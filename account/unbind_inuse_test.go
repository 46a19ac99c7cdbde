package account_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/accountsec/accountsec/account"
	"github.com/accountsec/accountsec/event"
	"github.com/accountsec/accountsec/reason"
)

// A WeChat that is not the registration method cannot be unbound while a
// protection verifies by WeChat scan: the refusal names the settings to turn
// off, and nothing changes until they are.
func TestUnbindNonRegistrationWeChatInUseIsRefused(t *testing.T) {
	t.Parallel()
	scan, on := account.VerifyWeChatScan, true
	for name, change := range map[string]account.SecurityChange{
		"login_protection":        {LoginProtection: &scan},
		"operation_protection":    {OperationProtection: &scan},
		"remote_login_protection": {RemoteLoginProtection: &on, RemoteLoginMethod: &scan},
		"mfa_binding":             {MFABindingMethod: &scan},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			a := e.register(t, account.MethodQQ, "q")
			e.bind(t, a.ID, account.MethodWeChat, "wx")
			_, err := e.svc.UpdateSecurity(t.Context(), allowSettings(a.ID), a.ID, change)
			require.NoError(t, err)
			before := e.get(t, a.ID)

			_, err = e.svc.UnbindLoginMethod(t.Context(), allow(a.ID, account.OpUnbindLoginMethod), a.ID, account.MethodWeChat)
			var blocked *account.UnbindBlockedError
			require.ErrorAs(t, err, &blocked)
			require.ErrorIs(t, err, account.ErrMethodInUse)
			assert.Equal(t, []reason.Code{reason.AccountMethodInUse}, reason.Codes(blocked),
				"no security phone is asked of a method that is not the registration one")
			assert.Equal(t, name, blocked.Unmet[0].Params["settings"], "the setting to turn off first")
			assert.Equal(t, before, e.get(t, a.ID), "nothing was unbound or downgraded")
			refused := e.events.Count(event.LoginMethodUnbindRefused)
			assert.Equal(t, 1, refused)
			assert.Zero(t, e.events.Count(event.LoginMethodUnbound))
		})
	}
}

// Once the WeChat-scan setting is turned off, the same unbind goes through.
func TestUnbindNonRegistrationWeChatAfterTurningScanOff(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	a := e.register(t, account.MethodQQ, "q")
	e.bind(t, a.ID, account.MethodWeChat, "wx")
	scan, none := account.VerifyWeChatScan, account.VerifyNone
	_, err := e.svc.UpdateSecurity(t.Context(), allowSettings(a.ID), a.ID, account.SecurityChange{LoginProtection: &scan})
	require.NoError(t, err)
	_, err = e.svc.UnbindLoginMethod(t.Context(), allow(a.ID, account.OpUnbindLoginMethod), a.ID, account.MethodWeChat)
	require.ErrorIs(t, err, account.ErrMethodInUse)

	_, err = e.svc.UpdateSecurity(t.Context(), allowSettings(a.ID), a.ID, account.SecurityChange{LoginProtection: &none})
	require.NoError(t, err)
	got, err := e.svc.UnbindLoginMethod(t.Context(), allow(a.ID, account.OpUnbindLoginMethod), a.ID, account.MethodWeChat)
	require.NoError(t, err)
	assert.False(t, got.HasLoginMethod(account.MethodWeChat))
	assert.Equal(t, account.VerifyNone, got.Security.LoginProtection)
}

// A method no verification relies on is not held back by the settings.
func TestUnbindQQIgnoresWeChatScanSettings(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	a := e.register(t, account.MethodWeChat, "wx")
	e.bind(t, a.ID, account.MethodQQ, "q")
	scan := account.VerifyWeChatScan
	_, err := e.svc.UpdateSecurity(t.Context(), allowSettings(a.ID), a.ID, account.SecurityChange{LoginProtection: &scan})
	require.NoError(t, err)
	_, err = e.svc.UnbindLoginMethod(t.Context(), allow(a.ID, account.OpUnbindLoginMethod), a.ID, account.MethodQQ)
	require.NoError(t, err)
}
