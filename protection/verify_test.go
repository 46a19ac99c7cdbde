package protection_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/accountsec/accountsec/event"
	"github.com/accountsec/accountsec/limits"
	"github.com/accountsec/accountsec/notify"
	"github.com/accountsec/accountsec/protection"
	"github.com/accountsec/accountsec/reason"
)

func TestOptionsOfferOnlyMethodsTheAccountHas(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	o, err := e.m.Options(t.Context(), aliceID, protection.OpChangeSecurityPhone)
	require.NoError(t, err)
	assert.Equal(t, protection.MFA, o.Preferred)
	assert.Equal(t, []protection.Method{protection.SMS, protection.Email, protection.WeChatScan}, o.Alternatives, "no face: alice has no real-name person")

	o, err = e.m.Options(t.Context(), bobID, protection.OpChangeSecurityPhone)
	require.NoError(t, err)
	assert.Equal(t, []protection.Method{protection.SMS}, o.Methods())

	e.settings(bobID, func(s *protection.Settings) { s.OperationProtection = protection.MFA })
	_, err = e.m.Options(t.Context(), bobID, protection.OpViewAPIKey)
	require.ErrorIs(t, err, protection.ErrNoMethod, "a setting naming a method the account lacks falls back only to one at least as strong")
	e.settings(bobID, func(s *protection.Settings) { s.OperationProtection = protection.None })

	e.accounts.update(aliceID, func(p *protection.Profile) { p.HasFace = true })
	e.settings(aliceID, func(s *protection.Settings) { s.MFABindingMethod = protection.Face })
	o, err = e.m.Options(t.Context(), aliceID, protection.OpBindMFA)
	require.NoError(t, err)
	assert.Equal(t, protection.Face, o.Preferred, "the MFA binding method")

	e.accounts.update(bobID, func(p *protection.Profile) { p.SecurityPhone = "" })
	_, err = e.m.Options(t.Context(), bobID, protection.OpViewAPIKey)
	require.ErrorIs(t, err, protection.ErrNoMethod)
	_, err = e.m.Options(t.Context(), "nobody", protection.OpViewAPIKey)
	require.ErrorIs(t, err, protection.ErrAccountUnknown)
}

func TestAMethodTheAccountDoesNotHaveCanNeverBeChosen(t *testing.T) {
	t.Parallel()
	e := newEnv(t, func(c *protection.Config) { c.WeChat = nil })
	s, _ := e.session(t)
	for _, m := range []protection.Method{protection.Face, protection.WeChatScan, protection.None, "carrier_pigeon"} {
		_, err := e.m.StartVerification(t.Context(), protection.StartRequest{AccountID: aliceID, Binding: s.Binding(), Purpose: protection.OpSignOutAll, Method: m})
		require.ErrorIs(t, err, protection.ErrMethodUnavailable, "%s", m)
	}
	o, err := e.m.Options(t.Context(), aliceID, protection.OpSignOutAll)
	require.NoError(t, err)
	assert.NotContains(t, o.Methods(), protection.WeChatScan, "no verifier wired")

	// A method removed between start and answer is refused.
	c, err := e.m.StartVerification(t.Context(), protection.StartRequest{AccountID: aliceID, Binding: s.Binding(), Purpose: protection.OpSignOutAll, Method: protection.MFA})
	require.NoError(t, err)
	e.accounts.update(aliceID, func(p *protection.Profile) { p.HasMFA = false })
	_, err = e.m.AnswerVerification(t.Context(), protection.AnswerRequest{AccountID: aliceID, Binding: s.Binding(), Purpose: protection.OpSignOutAll, Challenge: c.ID, Answer: aliceMFA})
	require.ErrorIs(t, err, protection.ErrMethodUnavailable)

	// So is a code sent to a security phone that has changed since.
	c, err = e.m.StartVerification(t.Context(), protection.StartRequest{AccountID: aliceID, Binding: s.Binding(), Purpose: protection.OpSignOutAll, Method: protection.SMS})
	require.NoError(t, err)
	code := e.outbox.LastCode(alicePhone)
	e.accounts.update(aliceID, func(p *protection.Profile) { p.SecurityPhone = "+8613700137000" })
	_, err = e.m.AnswerVerification(t.Context(), protection.AnswerRequest{AccountID: aliceID, Binding: s.Binding(), Purpose: protection.OpSignOutAll, Challenge: c.ID, Answer: code})
	require.ErrorIs(t, err, protection.ErrChallengeInvalid)
}

func TestStrictMethodsOfferNoAlternatives(t *testing.T) {
	t.Parallel()
	e := newEnv(t, func(c *protection.Config) { c.Policy.StrictMethods = true })
	e.settings(aliceID, func(s *protection.Settings) { s.OperationProtection = protection.SMS })
	s, _ := e.session(t)
	vr := requireVerificationRequired(t, errOf(e.m.Authorize(t.Context(), s, protection.OpViewAPIKey)))
	assert.Equal(t, []protection.Method{protection.SMS}, vr.Methods)
	assert.Empty(t, vr.Alternatives)
	_, err := e.m.StartVerification(t.Context(), protection.StartRequest{AccountID: aliceID, Binding: s.Binding(), Purpose: protection.OpViewAPIKey, Method: protection.MFA})
	require.ErrorIs(t, err, protection.ErrMethodUnavailable)
}

func TestAVerificationIsBoundToItsAccountBindingAndPurpose(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	s, _ := e.session(t)
	start := protection.StartRequest{AccountID: aliceID, Binding: s.Binding(), Purpose: protection.OpSignOutAll, Method: protection.MFA}
	c, err := e.m.StartVerification(t.Context(), start)
	require.NoError(t, err)
	answer := protection.AnswerRequest{AccountID: aliceID, Binding: s.Binding(), Purpose: protection.OpSignOutAll, Challenge: c.ID, Answer: aliceMFA}

	for name, change := range map[string]func(*protection.AnswerRequest){
		"account":   func(a *protection.AnswerRequest) { a.AccountID = bobID },
		"binding":   func(a *protection.AnswerRequest) { a.Binding = protection.SessionBinding("other") },
		"purpose":   func(a *protection.AnswerRequest) { a.Purpose = protection.OpViewAPIKey },
		"challenge": func(a *protection.AnswerRequest) { a.Challenge = otherFirst(a.Challenge) + a.Challenge[1:] },
	} {
		a := answer
		change(&a)
		_, err := e.m.AnswerVerification(t.Context(), a)
		require.ErrorIs(t, err, protection.ErrChallengeInvalid, name)
	}
	v, err := e.m.AnswerVerification(t.Context(), answer)
	require.NoError(t, err)
	assert.Equal(t, protection.MFA, v.Method)
	assert.Equal(t, s.Binding(), v.Binding)
	_, err = e.m.AnswerVerification(t.Context(), answer)
	require.ErrorIs(t, err, protection.ErrChallengeInvalid, "answered once")

	e.clock.Advance(10 * time.Minute)
	c, err = e.m.StartVerification(t.Context(), start)
	require.NoError(t, err)
	e.clock.Advance(10 * time.Minute)
	answer.Challenge = c.ID
	_, err = e.m.AnswerVerification(t.Context(), answer)
	require.ErrorIs(t, err, protection.ErrChallengeInvalid, "expired")
}

func TestVerifiedIsTheIdentityGate(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	s, _ := e.session(t)
	ctx := protection.WithSession(t.Context(), s)

	require.ErrorIs(t, errOf(e.m.Verified(t.Context(), aliceID, protection.OpChangeSecurityPhone)), reason.New(reason.InputEmpty), "no binding in the context")
	vr := requireVerificationRequired(t, errOf(e.m.Verified(ctx, aliceID, protection.OpChangeSecurityPhone)))
	assert.Equal(t, protection.OpChangeSecurityPhone, vr.Purpose)
	require.NoError(t, errOf(e.m.Verified(ctx, aliceID, protection.OpViewAPIKey)), "not protected under operation protection none")

	e.stepUp(t, s, protection.OpChangeSecurityPhone)
	require.NoError(t, errOf(e.m.Verified(ctx, aliceID, protection.OpChangeSecurityPhone)))
	require.NoError(t, errOf(e.m.Verified(ctx, aliceID, protection.OpBindLoginMethod)), "the step-up covers the catalog")
	requireVerificationRequired(t, errOf(e.m.Verified(ctx, bobID, protection.OpChangeSecurityPhone)))

	// A purpose outside the catalog needs its own verification.
	requireVerificationRequired(t, errOf(e.m.Verified(ctx, aliceID, "export_data")))
	c, err := e.m.StartVerification(t.Context(), protection.StartRequest{AccountID: aliceID, Binding: s.Binding(), Purpose: "export_data", Method: protection.Email})
	require.NoError(t, err)
	assert.Equal(t, "a***@example.com", c.SentTo)
	_, err = e.m.AnswerVerification(t.Context(), protection.AnswerRequest{AccountID: aliceID, Binding: s.Binding(), Purpose: "export_data", Challenge: c.ID, Answer: e.outbox.LastCode(aliceEmail)})
	require.NoError(t, err)
	require.NoError(t, errOf(e.m.Verified(ctx, aliceID, "export_data")))
	requireVerificationRequired(t, errOf(e.m.Verified(ctx, aliceID, "import_data")))

	// A flow without a session binds to its own value.
	reset := protection.WithBinding(t.Context(), "reset:r1")
	requireVerificationRequired(t, errOf(e.m.Verified(reset, aliceID, protection.OpResetPassword)))
	c, err = e.m.StartVerification(t.Context(), protection.StartRequest{AccountID: aliceID, Binding: "reset:r1", Purpose: protection.OpResetPassword, Method: protection.MFA})
	require.NoError(t, err)
	_, err = e.m.AnswerVerification(t.Context(), protection.AnswerRequest{AccountID: aliceID, Binding: "reset:r1", Purpose: protection.OpResetPassword, Challenge: c.ID, Answer: aliceMFA})
	require.NoError(t, err)
	require.NoError(t, errOf(e.m.Verified(reset, aliceID, protection.OpResetPassword)))
}

func TestReservedBindingsAndPurposes(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	for _, req := range []protection.StartRequest{
		{AccountID: aliceID, Binding: "login:x", Purpose: protection.OpSignOutAll},
		{AccountID: aliceID, Binding: "", Purpose: protection.OpSignOutAll},
		{AccountID: aliceID, Binding: "b", Purpose: protection.PurposeLogin},
		{AccountID: aliceID, Binding: "b", Purpose: ""},
		{AccountID: aliceID, Binding: "b", Purpose: "Not Valid"},
		{AccountID: "", Binding: "b", Purpose: protection.OpSignOutAll},
	} {
		_, err := e.m.StartVerification(t.Context(), req)
		require.Error(t, err, "%+v", req)
	}
	assert.Empty(t, e.outbox.Messages())
}

func TestFailedAnswersCountTowardsTheLimit(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.lockout(t, limits.Lockout{MaxFailures: 3})
	s, _ := e.session(t)
	req := protection.StartRequest{AccountID: aliceID, Binding: s.Binding(), Purpose: protection.OpSignOutAll, Method: protection.SMS}
	c, err := e.m.StartVerification(t.Context(), req)
	require.NoError(t, err)
	code := e.outbox.LastCode(alicePhone)
	answer := func(code string) error {
		_, err := e.m.AnswerVerification(t.Context(), protection.AnswerRequest{AccountID: aliceID, Binding: s.Binding(), Purpose: protection.OpSignOutAll, Challenge: c.ID, Answer: code})
		return err
	}
	wrong := func(i int) string { return fmt.Sprintf("%06d", (mustAtoi(t, code)+i)%1000000) }
	require.ErrorIs(t, answer("12345"), notify.ErrMalformed, "malformed: not counted")
	require.ErrorIs(t, answer(wrong(1)), notify.ErrMismatch)
	require.ErrorIs(t, answer(wrong(2)), notify.ErrMismatch)
	err = answer(wrong(3))
	require.ErrorIs(t, err, notify.ErrMismatch)
	require.ErrorIs(t, err, limits.ErrLocked, "the third failure locks")
	require.ErrorIs(t, answer(code), limits.ErrLocked, "then even the right code is refused unchecked")
	assert.GreaterOrEqual(t, e.events.Count(event.VerificationFailed), 4)
	requireVerificationRequired(t, errOf(e.m.Authorize(t.Context(), s, protection.OpSignOutAll)))
}

func TestHostVerifications(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.accounts.update(aliceID, func(p *protection.Profile) { p.HasFace = true })
	s, _ := e.session(t)
	for _, method := range []protection.Method{protection.WeChatScan, protection.Face} {
		start := protection.StartRequest{AccountID: aliceID, Binding: s.Binding(), Purpose: protection.OpApplyCancellation, Method: method}
		c, err := e.m.StartVerification(t.Context(), start)
		require.NoError(t, err)
		assert.NotEmpty(t, c.URL)
		ans := protection.AnswerRequest{AccountID: aliceID, Binding: s.Binding(), Purpose: protection.OpApplyCancellation, Challenge: c.ID}
		_, err = e.m.AnswerVerification(t.Context(), ans)
		require.ErrorIs(t, err, protection.ErrNotConfirmed)
		e.host.Reject(e.host.LastTicket())
		_, err = e.m.AnswerVerification(t.Context(), ans)
		require.ErrorIs(t, err, protection.ErrRejected)

		c, err = e.m.StartVerification(t.Context(), start)
		require.NoError(t, err)
		e.host.Confirm(e.host.LastTicket())
		ans.Challenge = c.ID
		v, err := e.m.AnswerVerification(t.Context(), ans)
		require.NoError(t, err)
		assert.Equal(t, method, v.Method)
	}
	st, err := e.limiter.Status(t.Context(), protection.VerifyScope, aliceID)
	require.NoError(t, err)
	assert.Equal(t, 2, st.Failures, "two rejections; pending answers do not count")

	e.host.FailWith(errors.New("host down"))
	_, err = e.m.StartVerification(t.Context(), protection.StartRequest{AccountID: aliceID, Binding: s.Binding(), Purpose: protection.OpApplyCancellation, Method: protection.Face})
	require.ErrorIs(t, err, protection.ErrVerifierUnavailable)
}

func TestMFAVerifierFailureIsNotAWrongCode(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	s, _ := e.session(t)
	c, err := e.m.StartVerification(t.Context(), protection.StartRequest{AccountID: aliceID, Binding: s.Binding(), Purpose: protection.OpSignOutAll, Method: protection.MFA})
	require.NoError(t, err)
	e.mfa.FailWith(errors.New("boom"))
	_, err = e.m.AnswerVerification(t.Context(), protection.AnswerRequest{AccountID: aliceID, Binding: s.Binding(), Purpose: protection.OpSignOutAll, Challenge: c.ID, Answer: aliceMFA})
	require.ErrorIs(t, err, protection.ErrVerifierUnavailable)
	st, err := e.limiter.Status(t.Context(), protection.VerifyScope, aliceID)
	require.NoError(t, err)
	assert.Zero(t, st.Failures)
}

func TestMFAFuncAdapts(t *testing.T) {
	t.Parallel()
	var got string
	var v protection.MFAVerifier = protection.MFAFunc(func(_ context.Context, id, code string) error {
		got = id + ":" + code
		return nil
	})
	require.NoError(t, v.Verify(t.Context(), "a", "123456"))
	assert.Equal(t, "a:123456", got)
}

func TestSMSCodesForLoginAndForVerificationAreSeparate(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	sess, _ := e.session(t)
	e.settings(aliceID, func(s *protection.Settings) { s.LoginProtection = protection.SMS })
	p := e.login(t, "", "").Pending
	lc, err := e.m.StartLoginChallenge(t.Context(), p.Token, protection.SMS, "")
	require.NoError(t, err)
	msgs := e.outbox.Messages()
	assert.Equal(t, notify.PurposeLogin, msgs[len(msgs)-1].Purpose)
	loginCode := e.outbox.LastCode(alicePhone)

	c, err := e.m.StartVerification(t.Context(), protection.StartRequest{AccountID: aliceID, Binding: sess.Binding(), Purpose: protection.OpSignOutAll, Method: protection.SMS})
	require.NoError(t, err)
	msgs = e.outbox.Messages()
	assert.Equal(t, notify.PurposeVerifyIdentity, msgs[len(msgs)-1].Purpose)
	verifyCode := e.outbox.LastCode(alicePhone)
	if verifyCode == loginCode {
		t.Skip("the two random codes are equal (one chance in a million)")
	}
	ans := protection.AnswerRequest{AccountID: aliceID, Binding: sess.Binding(), Purpose: protection.OpSignOutAll, Challenge: c.ID, Answer: loginCode}
	_, err = e.m.AnswerVerification(t.Context(), ans)
	require.ErrorIs(t, err, notify.ErrMismatch, "the login code does not verify an operation")
	ans.Answer = verifyCode
	_, err = e.m.AnswerVerification(t.Context(), ans)
	require.NoError(t, err)
	res, err := e.m.CompleteLogin(t.Context(), protection.CompleteRequest{PendingToken: p.Token, Challenge: lc.ID, Answer: loginCode})
	require.NoError(t, err, "and the verification code did not replace the login code")
	assert.NotNil(t, res.Session)
}

// otherFirst returns a first character other than s's own, so that the
// changed token is always another one.
func otherFirst(s string) string {
	if s[0] == 'A' {
		return "B"
	}
	return "A"
}
