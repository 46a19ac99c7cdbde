package protection_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/accountsec/accountsec/event"
	"github.com/accountsec/accountsec/protection"
	"github.com/accountsec/accountsec/reason"
)

func ptr[T any](v T) *T { return &v }

func TestSettingsValidation(t *testing.T) {
	t.Parallel()
	require.NoError(t, protection.Settings{}.Validate(), "zero means defaults")
	require.NoError(t, protection.Settings{
		LoginProtection: protection.WeChatScan, OperationProtection: protection.MFA,
		RemoteLoginMethod: protection.Face, MFABindingMethod: protection.None,
		SessionMaxLifetime: time.Hour, SessionIdleTimeout: 720 * time.Minute,
	}.Validate())
	r := protection.Settings{}.Resolved()
	assert.Equal(t, protection.None, r.LoginProtection)
	assert.Equal(t, 48*time.Hour, r.SessionMaxLifetime)
	assert.Equal(t, 120*time.Minute, r.SessionIdleTimeout)

	for name, tc := range map[string]struct {
		s     protection.Settings
		field string
	}{
		"email login protection":    {protection.Settings{LoginProtection: protection.Email}, "LoginProtection"},
		"face operation protection": {protection.Settings{OperationProtection: protection.Face}, "OperationProtection"},
		"unknown remote method":     {protection.Settings{RemoteLoginMethod: "carrier_pigeon"}, "RemoteLoginMethod"},
		"lifetime 49 h":             {protection.Settings{SessionMaxLifetime: 49 * time.Hour}, "SessionMaxLifetime"},
		"lifetime 59 min":           {protection.Settings{SessionMaxLifetime: 59 * time.Minute}, "SessionMaxLifetime"},
		"negative lifetime":         {protection.Settings{SessionMaxLifetime: -time.Hour}, "SessionMaxLifetime"},
		"idle 14 min":               {protection.Settings{SessionIdleTimeout: 14 * time.Minute}, "SessionIdleTimeout"},
		"idle 721 min":              {protection.Settings{SessionIdleTimeout: 721 * time.Minute}, "SessionIdleTimeout"},
	} {
		err := tc.s.Validate()
		require.ErrorIs(t, err, protection.ErrSettingInvalid, name)
		var e *reason.Error
		require.ErrorAs(t, err, &e, name)
		assert.Contains(t, e.Params["field"], tc.field, name)
		assert.NotEmpty(t, e.Params["allowed"], name)
	}
	err := protection.Settings{SessionMaxLifetime: 49 * time.Hour, SessionIdleTimeout: time.Minute}.Validate()
	assert.Len(t, reason.Codes(err), 2, "every bad field is reported")
	assert.Contains(t, err.Error(), "1h..48h")
}

func TestChangeSettingsIsSensitiveAndValidated(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	s, _ := e.session(t)
	change := protection.SettingsChange{LoginProtection: ptr(protection.MFA), TrustDevices: ptr(true)}

	_, err := e.m.ChangeSettings(t.Context(), s, change)
	vr := requireVerificationRequired(t, err)
	assert.Equal(t, protection.OpChangeLoginProtection, vr.Purpose)

	e.stepUp(t, s, protection.OpChangeLoginProtection)
	got, err := e.m.ChangeSettings(t.Context(), s, change)
	require.NoError(t, err)
	assert.Equal(t, protection.MFA, got.LoginProtection)
	assert.True(t, got.TrustDevices)
	changed := eventsOf(e, event.ProtectionSettingsChanged)
	require.Len(t, changed, 1)
	assert.Equal(t, "mfa", changed[0].Attrs["login_protection"])

	_, err = e.m.ChangeSettings(t.Context(), s, protection.SettingsChange{SessionMaxLifetime: ptr(49 * time.Hour)})
	require.ErrorIs(t, err, protection.ErrSettingInvalid)
	_, err = e.m.ChangeSettings(t.Context(), s, protection.SettingsChange{OperationProtection: ptr(protection.Email)})
	require.ErrorIs(t, err, protection.ErrSettingInvalid)
	_, err = e.m.ChangeSettings(t.Context(), s, protection.SettingsChange{})
	require.Error(t, err, "nothing to change")

	got, err = e.m.ChangeSettings(t.Context(), s, protection.SettingsChange{SessionMaxLifetime: ptr(time.Hour), RemoteLoginProtection: ptr(true)})
	require.NoError(t, err)
	assert.Equal(t, time.Hour, got.SessionMaxLifetime)
	assert.True(t, got.RemoteLoginProtection)
	assert.Equal(t, protection.MFA, got.LoginProtection, "unchanged fields stay")
}

func TestChangeSettingsRefusesAMethodTheAccountLacks(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	res, err := e.m.LoginWith(t.Context(), protection.ThirdPartyLogin{AccountID: bobID, Method: "qq"})
	require.NoError(t, err)
	bob := *res.Session
	c, err := e.m.StartVerification(t.Context(), protection.StartRequest{AccountID: bobID, Binding: bob.Binding(), Purpose: protection.OpChangeLoginProtection})
	require.NoError(t, err)
	_, err = e.m.AnswerVerification(t.Context(), protection.AnswerRequest{AccountID: bobID, Binding: bob.Binding(), Purpose: protection.OpChangeLoginProtection, Challenge: c.ID, Answer: e.outbox.LastCode("+8613900139000")})
	require.NoError(t, err)
	for _, m := range []protection.Method{protection.MFA, protection.WeChatScan} {
		_, err = e.m.ChangeSettings(t.Context(), bob, protection.SettingsChange{LoginProtection: ptr(m)})
		require.ErrorIs(t, err, protection.ErrMethodUnavailable, "%s", m)
	}
	_, err = e.m.ChangeSettings(t.Context(), bob, protection.SettingsChange{LoginProtection: ptr(protection.SMS)})
	require.NoError(t, err)
}
