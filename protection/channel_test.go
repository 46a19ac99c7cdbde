package protection_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/accountsec/accountsec/event"
	"github.com/accountsec/accountsec/protection"
)

// The rules of docs/SECURITY.md, "Methods and channels", one by one.

func TestStrengthOrderAndChannels(t *testing.T) {
	t.Parallel()
	assert.Equal(t, []protection.Method{protection.MFA, protection.WeChatScan, protection.Face, protection.SMS, protection.Email}, protection.StrengthOrder())
	seen := map[protection.Channel]bool{}
	prev := 6
	for _, m := range protection.StrengthOrder() {
		c := protection.ChannelOf(m)
		require.NotEmpty(t, c, "%s", m)
		assert.False(t, seen[c], "one channel per method: %s", c)
		seen[c] = true
		assert.Less(t, protection.Strength(m), prev, "%s", m)
		prev = protection.Strength(m)
	}
	assert.Equal(t, protection.ChannelMailbox, protection.ChannelOf(protection.Email))
	assert.Equal(t, protection.ChannelPhone, protection.ChannelOf(protection.SMS))
	assert.Zero(t, protection.Strength(protection.None))
	assert.Empty(t, protection.ChannelOf(protection.None))
	assert.True(t, protection.AtLeastAsStrong(protection.MFA, protection.SMS))
	assert.False(t, protection.AtLeastAsStrong(protection.Email, protection.SMS))
	assert.False(t, protection.AtLeastAsStrong(protection.None, protection.None), "none never verifies")
}

func TestLoginProtectionAcceptsOnlyItsMethod(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.settings(aliceID, func(s *protection.Settings) { s.LoginProtection = protection.MFA })
	p := e.login(t, "203.0.113.1", "").Pending
	require.NotNil(t, p)
	assert.Equal(t, []protection.Method{protection.MFA}, p.Options.Methods())
	assert.Equal(t, protection.MFA, p.Options.Configured)
	assert.Zero(t, e.events.Count(event.AlternativeOffered))

	for _, m := range []protection.Method{protection.Email, protection.SMS, protection.WeChatScan} {
		_, err := e.m.StartLoginChallenge(t.Context(), p.Token, m, "")
		require.ErrorIs(t, err, protection.ErrMethodUnavailable, "%s", m)
	}
	assert.Equal(t, 3, e.events.Count(event.MethodRefused))
	assert.Empty(t, e.outbox.Messages(), "no code was sent")

	c, err := e.m.StartLoginChallenge(t.Context(), p.Token, "", "")
	require.NoError(t, err)
	res, err := e.m.CompleteLogin(t.Context(), protection.CompleteRequest{PendingToken: p.Token, Challenge: c.ID, Answer: aliceMFA})
	require.NoError(t, err)
	require.NotNil(t, res.Session)
	assert.Zero(t, e.events.Count(event.AlternativeUsed))
}

func TestLoginProtectionFallsBackOnlyToAsStrongAMethod(t *testing.T) {
	t.Parallel()
	e := newEnv(t, func(c *protection.Config) { c.WeChat = nil })
	e.settings(aliceID, func(s *protection.Settings) { s.LoginProtection = protection.WeChatScan })
	p := e.login(t, "203.0.113.1", "").Pending
	require.NotNil(t, p)
	assert.Equal(t, []protection.Method{protection.MFA}, p.Options.Methods(), "no SMS, no email: weaker than a WeChat scan")
	offers := eventsOf(e, event.AlternativeOffered)
	require.Len(t, offers, 1)
	assert.Equal(t, map[string]string{"purpose": protection.PurposeLogin, "configured": "wechat_scan", "methods": "mfa", "reason": "verifier_missing"}, offers[0].Attrs)

	_, err := e.m.StartLoginChallenge(t.Context(), p.Token, protection.SMS, "")
	require.ErrorIs(t, err, protection.ErrMethodUnavailable)
	c, err := e.m.StartLoginChallenge(t.Context(), p.Token, protection.MFA, "")
	require.NoError(t, err)
	res, err := e.m.CompleteLogin(t.Context(), protection.CompleteRequest{PendingToken: p.Token, Challenge: c.ID, Answer: aliceMFA})
	require.NoError(t, err)
	require.NotNil(t, res.Session)
	used := eventsOf(e, event.AlternativeUsed)
	require.Len(t, used, 1)
	assert.Equal(t, "mfa", used[0].Attrs["method"])
	assert.Equal(t, "wechat_scan", used[0].Attrs["configured"])

	// Without MFA nothing is as strong: the login cannot be completed.
	e.accounts.update(aliceID, func(p *protection.Profile) { p.HasMFA = false })
	_, err = e.m.Login(t.Context(), protection.LoginRequest{Login: aliceLogin, Password: alicePW})
	require.ErrorIs(t, err, protection.ErrNoMethod)
	assert.Equal(t, 1, e.events.Count(event.NoAcceptableMethod))
}

func TestEmailNeverCompletesAPasswordLogin(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.settings(aliceID, func(s *protection.Settings) {
		s.RemoteLoginProtection = true
		s.RemoteLoginMethod = protection.Email
	})
	e.session(t) // Hangzhou becomes a usual city
	p := e.login(t, "198.51.100.2", "").Pending
	require.NotNil(t, p)
	require.True(t, p.UnusualLocation)
	assert.NotContains(t, p.Options.Methods(), protection.Email, "the configured email is not accepted after a password")
	assert.Equal(t, []protection.Method{protection.MFA, protection.SMS, protection.WeChatScan}, p.Options.Methods())
	offers := eventsOf(e, event.AlternativeOffered)
	require.Len(t, offers, 1)
	assert.Equal(t, "excluded_channel", offers[0].Attrs["reason"])
	_, err := e.m.StartLoginChallenge(t.Context(), p.Token, protection.Email, "")
	require.ErrorIs(t, err, protection.ErrMethodUnavailable)
	assert.Empty(t, e.outbox.Messages())

	// Not even when nothing is configured, and not when email is all the
	// account has.
	e.settings(aliceID, func(s *protection.Settings) { s.RemoteLoginMethod = protection.None })
	e.accounts.update(aliceID, func(p *protection.Profile) {
		p.HasMFA, p.HasWeChat, p.SecurityPhone = false, false, ""
	})
	_, err = e.m.Login(t.Context(), protection.LoginRequest{Login: aliceLogin, Password: alicePW, ClientIP: "192.0.2.3"})
	require.ErrorIs(t, err, protection.ErrNoMethod)

	// After a third-party login the mailbox is an independent channel.
	res, err := e.m.LoginWith(t.Context(), protection.ThirdPartyLogin{AccountID: aliceID, Method: "qq", ClientIP: "192.0.2.3"})
	require.NoError(t, err)
	require.NotNil(t, res.Pending)
	assert.Equal(t, []protection.Method{protection.Email}, res.Pending.Options.Methods())
}

// A pending login is checked against the rules again at each step: the
// fallback it was offered stops being accepted once the configured method
// can be used, and the refusal counts nothing.
func TestAPendingLoginIsCheckedAgainstTheRulesNow(t *testing.T) {
	t.Parallel()
	e := newEnv(t, func(c *protection.Config) { c.WeChat = nil })
	e.settings(aliceID, func(s *protection.Settings) { s.LoginProtection = protection.WeChatScan })
	p := e.login(t, "203.0.113.1", "").Pending
	c, err := e.m.StartLoginChallenge(t.Context(), p.Token, protection.MFA, "")
	require.NoError(t, err)

	e.with(t, func(c *protection.Config) { c.WeChat = e.host })
	_, err = e.m.CompleteLogin(t.Context(), protection.CompleteRequest{PendingToken: p.Token, Challenge: c.ID, Answer: aliceMFA})
	require.ErrorIs(t, err, protection.ErrMethodUnavailable)
	st, err := e.limiter.Status(t.Context(), protection.VerifyScope, aliceID)
	require.NoError(t, err)
	assert.Zero(t, st.Failures)
	_, err = e.m.StartLoginChallenge(t.Context(), p.Token, protection.MFA, "")
	require.ErrorIs(t, err, protection.ErrNoMethod, "nothing it offered is accepted now")
}

func TestOperationProtectionAcceptsOnlyItsMethod(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.settings(aliceID, func(s *protection.Settings) { s.OperationProtection = protection.MFA })
	s, _ := e.session(t)
	vr := requireVerificationRequired(t, errOf(e.m.Authorize(t.Context(), s, protection.OpChangeSecurityPhone)))
	assert.Equal(t, []protection.Method{protection.MFA}, vr.Methods)
	assert.Empty(t, vr.Alternatives)
	for _, m := range []protection.Method{protection.Email, protection.SMS, protection.WeChatScan} {
		_, err := e.m.StartVerification(t.Context(), protection.StartRequest{AccountID: aliceID, Binding: s.Binding(), Purpose: protection.OpChangeSecurityPhone, Method: m})
		require.ErrorIs(t, err, protection.ErrMethodUnavailable, "%s", m)
	}
	refused := eventsOf(e, event.MethodRefused)
	require.Len(t, refused, 3)
	assert.Equal(t, "email", refused[0].Attrs["method"])
	assert.Empty(t, e.outbox.Messages())
	assert.Zero(t, e.events.Count(event.AlternativeOffered))
}

func TestOperationProtectionFallsBackOnlyWhenItsMethodIsUnavailable(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.settings(aliceID, func(s *protection.Settings) { s.OperationProtection = protection.SMS })
	s, _ := e.session(t)
	e.accounts.update(aliceID, func(p *protection.Profile) { p.SecurityPhone = "" })
	vr := requireVerificationRequired(t, errOf(e.m.Authorize(t.Context(), s, protection.OpSignOutAll)))
	assert.Equal(t, []protection.Method{protection.MFA}, vr.Methods)
	assert.Equal(t, []protection.Method{protection.WeChatScan}, vr.Alternatives, "at least as strong as SMS: never email")
	offers := eventsOf(e, event.AlternativeOffered)
	require.Len(t, offers, 1)
	assert.Equal(t, map[string]string{"purpose": protection.OpSignOutAll, "configured": "sms", "methods": "mfa,wechat_scan", "reason": "not_bound"}, offers[0].Attrs)
	_, err := e.m.StartVerification(t.Context(), protection.StartRequest{AccountID: aliceID, Binding: s.Binding(), Purpose: protection.OpSignOutAll, Method: protection.Email})
	require.ErrorIs(t, err, protection.ErrMethodUnavailable)

	c, err := e.m.StartVerification(t.Context(), protection.StartRequest{AccountID: aliceID, Binding: s.Binding(), Purpose: protection.OpSignOutAll, Method: protection.MFA})
	require.NoError(t, err)
	_, err = e.m.AnswerVerification(t.Context(), protection.AnswerRequest{AccountID: aliceID, Binding: s.Binding(), Purpose: protection.OpSignOutAll, Challenge: c.ID, Answer: aliceMFA})
	require.NoError(t, err)
	used := eventsOf(e, event.AlternativeUsed)
	require.Len(t, used, 1)
	assert.Equal(t, map[string]string{"method": "mfa", "configured": "sms", "purpose": protection.OpSignOutAll}, used[0].Attrs)

	// With nothing as strong, no step-up at all.
	e.accounts.update(aliceID, func(p *protection.Profile) { p.HasMFA, p.HasWeChat = false, false })
	s2, _ := e.session(t)
	_, err = e.m.Authorize(t.Context(), s2, protection.OpSignOutAll)
	require.ErrorIs(t, err, protection.ErrNoMethod)
}

// A challenge started while a weaker method was allowed is refused once the
// settings name a method: the answer is checked against the rules now.
func TestAnAnswerIsCheckedAgainstTheRulesNow(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	s, _ := e.session(t)
	c, err := e.m.StartVerification(t.Context(), protection.StartRequest{AccountID: aliceID, Binding: s.Binding(), Purpose: protection.OpSignOutAll, Method: protection.Email})
	require.NoError(t, err)
	e.settings(aliceID, func(s *protection.Settings) { s.OperationProtection = protection.MFA })
	_, err = e.m.AnswerVerification(t.Context(), protection.AnswerRequest{AccountID: aliceID, Binding: s.Binding(), Purpose: protection.OpSignOutAll, Challenge: c.ID, Answer: e.outbox.LastCode(aliceEmail)})
	require.ErrorIs(t, err, protection.ErrMethodUnavailable)
	requireVerificationRequired(t, errOf(e.m.Authorize(t.Context(), s, protection.OpSignOutAll)))
	assert.Zero(t, e.events.Count(event.StepUpGranted))
}

func TestEmailNeverVerifiesAPasswordReset(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	const binding = "reset:r1"
	o, err := e.m.Options(t.Context(), aliceID, protection.OpResetPassword)
	require.NoError(t, err)
	assert.Equal(t, []protection.Method{protection.MFA, protection.SMS, protection.WeChatScan}, o.Methods())
	_, err = e.m.StartVerification(t.Context(), protection.StartRequest{AccountID: aliceID, Binding: binding, Purpose: protection.OpResetPassword, Method: protection.Email})
	require.ErrorIs(t, err, protection.ErrMethodUnavailable)
	assert.Empty(t, e.outbox.Messages())

	// A step-up earned by email on the reset's binding, for another
	// operation, does not verify the reset.
	c, err := e.m.StartVerification(t.Context(), protection.StartRequest{AccountID: aliceID, Binding: binding, Purpose: protection.OpSignOutAll, Method: protection.Email})
	require.NoError(t, err)
	_, err = e.m.AnswerVerification(t.Context(), protection.AnswerRequest{AccountID: aliceID, Binding: binding, Purpose: protection.OpSignOutAll, Challenge: c.ID, Answer: e.outbox.LastCode(aliceEmail)})
	require.NoError(t, err)
	vr := requireVerificationRequired(t, errOf(e.m.VerifiedFor(t.Context(), aliceID, binding, protection.OpResetPassword)))
	assert.NotContains(t, append(vr.Methods, vr.Alternatives...), protection.Email)

	// By SMS it is verified.
	c, err = e.m.StartVerification(t.Context(), protection.StartRequest{AccountID: aliceID, Binding: binding, Purpose: protection.OpResetPassword, Method: protection.SMS})
	require.NoError(t, err)
	_, err = e.m.AnswerVerification(t.Context(), protection.AnswerRequest{AccountID: aliceID, Binding: binding, Purpose: protection.OpResetPassword, Challenge: c.ID, Answer: e.outbox.LastCode(alicePhone)})
	require.NoError(t, err)
	require.NoError(t, errOf(e.m.VerifiedFor(t.Context(), aliceID, binding, protection.OpResetPassword)))

	// An account with only a mailbox cannot be reset self-service.
	e.accounts.update(bobID, func(p *protection.Profile) { p.SecurityPhone, p.SecurityEmail = "", "bob.security@example.com" })
	_, err = e.m.VerifiedFor(t.Context(), bobID, "reset:r2", protection.OpResetPassword)
	require.ErrorIs(t, err, protection.ErrNoMethod)
	_, err = e.m.Options(t.Context(), bobID, protection.OpResetPassword)
	require.ErrorIs(t, err, protection.ErrNoMethod)
	assert.Equal(t, 2, e.events.Count(event.NoAcceptableMethod))
}

func TestStrictMethodsNeverLetTheUserChoose(t *testing.T) {
	t.Parallel()
	e := newEnv(t, func(c *protection.Config) { c.Policy.StrictMethods = true })
	s, _ := e.session(t)
	vr := requireVerificationRequired(t, errOf(e.m.Authorize(t.Context(), s, protection.OpSignOutAll)))
	assert.Equal(t, []protection.Method{protection.MFA}, vr.Methods, "nothing configured: the first that qualifies")
	assert.Empty(t, vr.Alternatives)
	_, err := e.m.StartVerification(t.Context(), protection.StartRequest{AccountID: aliceID, Binding: s.Binding(), Purpose: protection.OpSignOutAll, Method: protection.SMS})
	require.ErrorIs(t, err, protection.ErrMethodUnavailable)

	// Without strict methods the same account may choose.
	e.with(t, func(c *protection.Config) { c.Policy.StrictMethods = false })
	vr = requireVerificationRequired(t, errOf(e.m.Authorize(t.Context(), s, protection.OpSignOutAll)))
	assert.Equal(t, []protection.Method{protection.SMS, protection.Email, protection.WeChatScan}, vr.Alternatives)
}
