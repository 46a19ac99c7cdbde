package accountsec_test

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/accountsec/accountsec/account"
	"github.com/accountsec/accountsec/event"
	"github.com/accountsec/accountsec/mfa"
	"github.com/accountsec/accountsec/protection"
	"github.com/accountsec/accountsec/recovery"
	"github.com/accountsec/accountsec/vocab"
)

// One channel never defeats another (docs/SECURITY.md, "Methods and
// channels"): an attacker who holds one channel of an account with MFA login
// protection, MFA operation protection and a security phone gets nothing.

const (
	victimEmail = "vera@example.com" // login email and security email: the mailbox
	victimPW    = "Str0ng!Vera"
	victimPhone = "+8613800138000"
	newPW       = "N3w!Passw0rd"
)

// zeroProof proves nothing.
var zeroProof vocab.Proof

// bindPhone makes phone the security phone of the session's account,
// verifying the session first with the first method offered.
func (w *world) bindPhone(s protection.Session, phone string) {
	w.t.Helper()
	_, err := w.svc.Protection.Authorize(w.ctx, s, protection.OpChangeSecurityPhone)
	w.verify(s, err, "")
	p, err := w.svc.Protection.Authorize(w.ctx, s, protection.OpChangeSecurityPhone)
	require.NoError(w.t, err)
	_, err = w.svc.Accounts.SendSecurityPhoneCode(w.ctx, p, s.AccountID, phone, "203.0.113.1")
	require.NoError(w.t, err)
	_, err = w.svc.Accounts.ChangeSecurityPhone(w.ctx, p, s.AccountID, phone, w.outbox.LastCode(phone))
	require.NoError(w.t, err)
}

// victim registers by email, binds a security phone and an MFA device for
// login and operation protection, and returns the account, a session of
// hers and the TOTP secret.
func (w *world) victim() (account.Account, protection.Session, string) {
	w.t.Helper()
	a := w.register(victimEmail, victimPW)
	sess := *w.login(victimEmail, victimPW).Session
	w.bindPhone(sess, victimPhone) // its step-up covers binding MFA too
	enr, err := w.svc.EnrolMFA(w.ctx, sess, "vera")
	require.NoError(w.t, err)
	secret := strings.ReplaceAll(enr.Key(), " ", "")
	_, err = w.svc.EnableMFA(w.ctx, sess, enr.DeviceID, w.totp(secret), mfa.Usage{Login: true, Operation: true})
	require.NoError(w.t, err)
	a, err = w.svc.Accounts.Account(w.ctx, a.ID)
	require.NoError(w.t, err)
	require.Equal(w.t, account.VerifyMFA, a.Security.LoginProtection)
	require.Equal(w.t, account.VerifyMFA, a.Security.OperationProtection)
	require.Equal(w.t, victimPhone, a.SecurityPhone)
	require.Equal(w.t, victimEmail, a.SecurityEmail)
	w.clock.Advance(time.Minute)
	return a, sess, secret
}

// attacker is someone who reads the messages of one channel only.
type attacker struct {
	w       *world
	channel protection.Method // SMS or Email
	inbox   string            // the phone number or the mailbox
}

// code is the last code sent to the channel the attacker holds.
func (x attacker) code() string { return x.w.outbox.LastCode(x.inbox) }

// tryStepUp tries to verify binding for purpose by the attacker's channel
// and by every other method, and requires each to be refused before any
// code is sent to the attacker.
func (x attacker) tryStepUp(t *testing.T, accountID, binding, purpose string) {
	t.Helper()
	sent := len(x.w.outbox.Messages())
	for _, m := range []protection.Method{x.channel, protection.SMS, protection.Email, protection.WeChatScan, protection.Face} {
		_, err := x.w.svc.Protection.StartVerification(x.w.ctx, protection.StartRequest{AccountID: accountID, Binding: binding, Purpose: purpose, Method: m})
		require.ErrorIs(t, err, protection.ErrMethodUnavailable, "%s for %s", m, purpose)
	}
	assert.Len(t, x.w.outbox.Messages(), sent, "no code was sent")
}

// unchanged requires the account's contacts, protection and password to be
// what the victim set.
func unchanged(t *testing.T, w *world, before account.Account) {
	t.Helper()
	after, err := w.svc.Accounts.Account(w.ctx, before.ID)
	require.NoError(t, err)
	assert.Equal(t, before.SecurityPhone, after.SecurityPhone)
	assert.Equal(t, before.SecurityEmail, after.SecurityEmail)
	assert.Equal(t, before.LoginEmail(), after.LoginEmail())
	assert.Equal(t, before.Security, after.Security)
	assert.Equal(t, before.Password.Hash, after.Password.Hash, "the password was not reset")
}

// alternativesUsed counts the verifications by an alternative method for a
// login or an operation of the catalog (not for a host purpose).
func alternativesUsed(w *world) int {
	n := 0
	for _, e := range w.events.All() {
		if e.Kind == event.AlternativeUsed && e.Attrs["purpose"] != "export_data" {
			n++
		}
	}
	return n
}

func TestTheMailboxAloneTakesNothing(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	a, victimSession, _ := w.victim()
	x := attacker{w: w, channel: protection.Email, inbox: victimEmail}
	grants, alternatives := w.events.Count(event.StepUpGranted), alternativesUsed(w)

	// 1. The forgotten-password reset: the link comes to the mailbox, but
	// the mailbox cannot verify it.
	require.NoError(t, w.svc.Resets.Request(w.ctx, victimEmail, "198.51.100.9"))
	token := x.code()
	require.NotEmpty(t, token)
	pending, err := w.svc.Resets.Lookup(w.ctx, token)
	require.NoError(t, err)
	opts, err := w.svc.Protection.Options(w.ctx, a.ID, protection.OpResetPassword)
	require.NoError(t, err)
	assert.Equal(t, []protection.Method{protection.MFA}, opts.Methods(), "operation protection's MFA, nothing else")
	x.tryStepUp(t, a.ID, pending.Binding, protection.OpResetPassword)
	x.tryStepUp(t, a.ID, pending.Binding, protection.OpSignOutAll)

	// A host purpose outside the catalog may be verified by email, but it
	// does not verify the reset.
	w.clock.Advance(time.Minute)
	ch, err := w.svc.Protection.StartVerification(w.ctx, protection.StartRequest{AccountID: a.ID, Binding: pending.Binding, Purpose: "export_data", Method: protection.Email})
	require.NoError(t, err)
	_, err = w.svc.Protection.AnswerVerification(w.ctx, protection.AnswerRequest{AccountID: a.ID, Binding: pending.Binding, Purpose: "export_data", Challenge: ch.ID, Answer: x.code()})
	require.NoError(t, err)
	_, err = w.svc.Resets.Complete(w.ctx, recovery.Completion{Token: token, New: newPW, Confirm: newPW})
	var vr *protection.VerificationRequiredError
	require.ErrorAs(t, err, &vr)
	assert.Equal(t, []protection.Method{protection.MFA}, vr.Methods)
	assert.Empty(t, vr.Alternatives)

	// 2. The login, even with the password (phished, say): the second step
	// is MFA only.
	res := w.login(victimEmail, victimPW)
	require.Nil(t, res.Session)
	require.NotNil(t, res.Pending)
	assert.Equal(t, []protection.Method{protection.MFA}, res.Pending.Options.Methods())
	for _, m := range []protection.Method{protection.Email, protection.SMS} {
		_, err := w.svc.Protection.StartLoginChallenge(w.ctx, res.Pending.Token, m, "198.51.100.9")
		require.ErrorIs(t, err, protection.ErrMethodUnavailable, "%s", m)
	}

	// 3. A session of the victim's (left open on a shared machine): no
	// step-up by the mailbox, so no change of contacts or protection.
	x.tryStepUp(t, a.ID, victimSession.Binding(), protection.OpChangeSecurityPhone)
	x.tryStepUp(t, a.ID, victimSession.Binding(), protection.OpChangeSecurityEmail)
	x.tryStepUp(t, a.ID, victimSession.Binding(), protection.OpChangeOperationProtection)
	_, err = w.svc.Protection.Authorize(w.ctx, victimSession, protection.OpChangeSecurityPhone)
	require.ErrorIs(t, err, protection.ErrVerificationRequired)
	sms := protection.SMS
	_, err = w.svc.Protection.ChangeSettings(w.ctx, victimSession, protection.SettingsChange{OperationProtection: &sms, LoginProtection: &sms})
	require.ErrorIs(t, err, protection.ErrVerificationRequired)
	_, err = w.svc.UnbindMFA(w.ctx, victimSession, "000000")
	require.ErrorIs(t, err, protection.ErrVerificationRequired)

	assert.Equal(t, grants+1, w.events.Count(event.StepUpGranted), "only the host purpose's grant")
	assert.Positive(t, w.events.Count(event.MethodRefused))
	assert.Equal(t, alternatives, alternativesUsed(w), "no alternative method verified anything")
	unchanged(t, w, a)
}

func TestThePhoneAloneTakesNothing(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	a, victimSession, _ := w.victim()
	x := attacker{w: w, channel: protection.SMS, inbox: victimPhone}
	grants, alternatives := w.events.Count(event.StepUpGranted), alternativesUsed(w)

	// 1. A reset sends nothing to the phone; and were the reset's binding
	// known, the phone could not verify it.
	before := len(w.outbox.Messages())
	require.NoError(t, w.svc.Resets.Request(w.ctx, victimEmail, "198.51.100.9"))
	for _, m := range w.outbox.Messages()[before:] {
		assert.NotEqual(t, victimPhone, m.To)
	}
	pending, err := w.svc.Resets.Lookup(w.ctx, w.outbox.LastCode(victimEmail))
	require.NoError(t, err)
	x.tryStepUp(t, a.ID, pending.Binding, protection.OpResetPassword)

	// 2. The login with the password: SMS does not replace MFA.
	res := w.login(victimEmail, victimPW)
	require.NotNil(t, res.Pending)
	_, err = w.svc.Protection.StartLoginChallenge(w.ctx, res.Pending.Token, protection.SMS, "198.51.100.9")
	require.ErrorIs(t, err, protection.ErrMethodUnavailable)

	// 3. The victim's open session: no step-up by SMS.
	x.tryStepUp(t, a.ID, victimSession.Binding(), protection.OpChangeSecurityPhone)
	x.tryStepUp(t, a.ID, victimSession.Binding(), protection.OpChangeLoginProtection)
	_, err = w.svc.Accounts.ChangeSecurityPhone(w.ctx, zeroProof, a.ID, "+8613900139000", "123456")
	require.ErrorIs(t, err, protection.ErrVerificationRequired)

	assert.Equal(t, grants, w.events.Count(event.StepUpGranted))
	assert.Equal(t, alternatives, alternativesUsed(w), "no alternative method verified anything")
	unchanged(t, w, a)
}

// The owner, who holds the MFA device, still gets through every door.
func TestTheOwnerWithHerMFADeviceStillResets(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	a, _, secret := w.victim()
	require.NoError(t, w.svc.Resets.Request(w.ctx, victimEmail, "203.0.113.1"))
	token := w.outbox.LastCode(victimEmail)
	pending, err := w.svc.Resets.Lookup(w.ctx, token)
	require.NoError(t, err)
	ch, err := w.svc.Protection.StartVerification(w.ctx, protection.StartRequest{AccountID: a.ID, Binding: pending.Binding, Purpose: protection.OpResetPassword})
	require.NoError(t, err)
	require.Equal(t, protection.MFA, ch.Method)
	_, err = w.svc.Protection.AnswerVerification(w.ctx, protection.AnswerRequest{AccountID: a.ID, Binding: pending.Binding, Purpose: protection.OpResetPassword, Challenge: ch.ID, Answer: w.totp(secret)})
	require.NoError(t, err)
	_, err = w.svc.Resets.Complete(w.ctx, recovery.Completion{Token: token, New: newPW, Confirm: newPW})
	require.NoError(t, err)
	assert.NotNil(t, w.login(victimEmail, newPW).Pending, "and signs in with MFA")
}

// An account whose only channel is its mailbox cannot be reset
// self-service: the reset answers ErrNoMethod and changes nothing.
func TestAMailboxOnlyAccountCannotBeResetSelfService(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	a := w.register(victimEmail, victimPW)
	w.clock.Advance(time.Minute)
	require.NoError(t, w.svc.Resets.Request(w.ctx, victimEmail, "203.0.113.1"))
	token := w.outbox.LastCode(victimEmail)
	pending, err := w.svc.Resets.Lookup(w.ctx, token)
	require.NoError(t, err)
	_, err = w.svc.Protection.Options(w.ctx, a.ID, protection.OpResetPassword)
	require.ErrorIs(t, err, protection.ErrNoMethod)
	_, err = w.svc.Protection.StartVerification(w.ctx, protection.StartRequest{AccountID: a.ID, Binding: pending.Binding, Purpose: protection.OpResetPassword, Method: protection.Email})
	require.ErrorIs(t, err, protection.ErrNoMethod)
	_, err = w.svc.Resets.Complete(w.ctx, recovery.Completion{Token: token, New: newPW, Confirm: newPW})
	require.ErrorIs(t, err, protection.ErrNoMethod)
	assert.Positive(t, w.events.Count(event.NoAcceptableMethod))
	after, err := w.svc.Accounts.Account(w.ctx, a.ID)
	require.NoError(t, err)
	assert.Equal(t, a.Password.Hash, after.Password.Hash)
}
