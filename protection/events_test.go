package protection_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/accountsec/accountsec/event"
	"github.com/accountsec/accountsec/protection"
	"github.com/accountsec/accountsec/reason"
)

// TestEventsCarryNoSecrets runs every flow and checks that no event holds a
// password, a code, a token or a host ticket.
func TestEventsCarryNoSecrets(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.settings(aliceID, func(s *protection.Settings) {
		s.LoginProtection = protection.SMS
		s.TrustDevices = true
		s.RemoteLoginProtection = true
	})
	var secrets []string
	_, err := e.m.Login(t.Context(), protection.LoginRequest{Login: aliceLogin, Password: "Wrong-password1"})
	require.Error(t, err)
	secrets = append(secrets, "Wrong-password1", alicePW)

	p := e.login(t, "203.0.113.1", "").Pending
	c, err := e.m.StartLoginChallenge(t.Context(), p.Token, protection.SMS, "")
	require.NoError(t, err)
	code := e.outbox.LastCode(alicePhone)
	_, err = e.m.CompleteLogin(t.Context(), protection.CompleteRequest{PendingToken: p.Token, Challenge: c.ID, Answer: wrongCode(code)})
	require.Error(t, err)
	res, err := e.m.CompleteLogin(t.Context(), protection.CompleteRequest{PendingToken: p.Token, Challenge: c.ID, Answer: code, TrustDevice: true})
	require.NoError(t, err)
	secrets = append(secrets, p.Token, c.ID, code, res.Token, res.DeviceToken)

	s := *res.Session
	sc, err := e.m.StartVerification(t.Context(), protection.StartRequest{AccountID: aliceID, Binding: s.Binding(), Purpose: protection.OpSignOutAll, Method: protection.WeChatScan})
	require.NoError(t, err)
	ticket := e.host.LastTicket()
	e.host.Confirm(ticket)
	_, err = e.m.AnswerVerification(t.Context(), protection.AnswerRequest{AccountID: aliceID, Binding: s.Binding(), Purpose: protection.OpSignOutAll, Challenge: sc.ID})
	require.NoError(t, err)
	secrets = append(secrets, sc.ID, ticket)
	require.NoError(t, e.m.SignOutAll(t.Context(), s))

	kinds := map[event.Kind]bool{}
	for _, ev := range e.events.All() {
		kinds[ev.Kind] = true
		text := fmt.Sprintf("%+v", ev)
		for _, secret := range secrets {
			require.NotEmpty(t, secret)
			assert.False(t, strings.Contains(text, secret), "event %s holds a secret", ev.Kind)
		}
	}
	for _, k := range []event.Kind{
		event.LoginFailed, event.SecondFactorRequired, event.VerificationStarted, event.VerificationFailed,
		event.VerificationSucceeded, event.LoginSucceeded, event.DeviceTrusted, event.StepUpGranted,
		event.OperationAuthorized, event.AllSessionsEnded,
	} {
		assert.True(t, kinds[k], "no %s event", k)
	}
}

func TestNewChecksItsConfig(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	base := e.cfg
	for name, change := range map[string]func(*protection.Config){
		"store":    func(c *protection.Config) { c.Store = nil },
		"accounts": func(c *protection.Config) { c.Accounts = nil },
		"limiter":  func(c *protection.Config) { c.Limiter = nil },
		"secret":   func(c *protection.Config) { c.Secret = []byte("short") },
		"policy":   func(c *protection.Config) { c.Policy.StepUpTTL = 48 * 3600e9 },
		"cities":   func(c *protection.Config) { c.Policy.UsualCities = 51 },
	} {
		cfg := base
		change(&cfg)
		_, err := protection.New(cfg)
		require.ErrorIs(t, err, reason.New(reason.PolicyInvalid), name)
	}
	p, err := protection.Policy{}.Resolve()
	require.NoError(t, err)
	assert.Equal(t, protection.DefaultPolicy(), p)
	assert.Equal(t, 5, p.UsualCities)

	cfg := base
	cfg.Credentials = nil
	m, err := protection.New(cfg)
	require.NoError(t, err)
	_, err = m.Login(t.Context(), protection.LoginRequest{Login: aliceLogin, Password: alicePW})
	require.ErrorIs(t, err, reason.New(reason.PolicyInvalid), "no password logins without Credentials")
}

func TestReasonCodesHaveMessages(t *testing.T) {
	t.Parallel()
	for _, err := range []*reason.Error{
		protection.ErrVerificationRequired, protection.ErrMethodUnavailable, protection.ErrNoMethod,
		protection.ErrChallengeInvalid, protection.ErrNotConfirmed, protection.ErrRejected,
		protection.ErrVerifierUnavailable, protection.ErrLoginInvalid, protection.ErrSessionInvalid,
		protection.ErrOperationUnknown, protection.ErrOperationExists, protection.ErrSettingInvalid,
		protection.ErrAccountUnknown,
	} {
		assert.NotEqual(t, string(err.Code), reason.Message(err.Code, reason.English, nil))
		assert.NotEqual(t, string(err.Code), reason.Message(err.Code, reason.SimplifiedChinese, nil))
	}
	vr := &protection.VerificationRequiredError{Purpose: protection.OpSignOutAll, Methods: []protection.Method{protection.SMS}}
	assert.Equal(t, "verify your identity before sign_out_all [protection.verification_required]", vr.Error())
	assert.Equal(t, reason.ProtectionVerificationRequired, reason.CodeOf(vr))
}
