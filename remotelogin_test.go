package accountsec_test

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/accountsec/accountsec/protection"
)

// Remote-login protection is refused for an account whose only method is
// its email: email never completes a password login's protection, so every
// login from an unusual city would fail. With a security phone it is
// accepted, and such a login then verifies by SMS.
func TestRemoteLoginProtectionNeedsAMethodAPasswordLoginCanUse(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	const email, pw = "remo@example.com", "Str0ng!Pass"
	w.register(email, pw)
	sess := *w.login(email, pw).Session
	on := true
	change := func() error {
		_, err := w.svc.Protection.ChangeSettings(w.ctx, sess, protection.SettingsChange{RemoteLoginProtection: &on})
		var vr *protection.VerificationRequiredError
		if errors.As(err, &vr) {
			w.verify(sess, err, "")
			_, err = w.svc.Protection.ChangeSettings(w.ctx, sess, protection.SettingsChange{RemoteLoginProtection: &on})
		}
		return err
	}
	require.ErrorIs(t, change(), protection.ErrNoMethod)
	acc, err := w.svc.Accounts.Account(w.ctx, sess.AccountID)
	require.NoError(t, err)
	assert.False(t, acc.Security.RemoteLoginProtection, "nothing changed")

	// The step-up of the refused change still covers binding the phone.
	p, err := w.svc.Protection.Authorize(w.ctx, sess, protection.OpChangeSecurityPhone)
	require.NoError(t, err)
	_, err = w.svc.Accounts.SendSecurityPhoneCode(w.ctx, p, sess.AccountID, "+8613800138000", "")
	require.NoError(t, err)
	_, err = w.svc.Accounts.ChangeSecurityPhone(w.ctx, p, sess.AccountID, "+8613800138000", w.outbox.LastCode("+8613800138000"))
	require.NoError(t, err)
	require.NoError(t, change())
	res := w.login(email, pw)
	require.NotNil(t, res.Pending, "every city is unknown without a GeoIP: the login verifies")
	assert.Equal(t, protection.SMS, res.Pending.Options.Preferred)
}
