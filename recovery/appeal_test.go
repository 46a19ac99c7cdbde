package recovery_test

import (
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/accountsec/accountsec"
	"github.com/accountsec/accountsec/account"
	"github.com/accountsec/accountsec/event"
	"github.com/accountsec/accountsec/reason"
	"github.com/accountsec/accountsec/recovery"
)

const contactPhone = "+8613700137000"

// startAppeal runs step 1 of an appeal for the account.
func (e *flowEnv) startAppeal(t testing.TB, acc string) (recovery.FlowState, error) {
	t.Helper()
	e.tick()
	_, err := e.svc.Appeals.SendContactCode(bg, contactPhone, "")
	require.NoError(t, err)
	return e.svc.Appeals.Start(bg, recovery.AppealStart{
		Account: acc, Name: personName, IDNumber: personID, Reason: recovery.AppealPhoneLost,
		ContactPhone: contactPhone, Code: e.outbox.LastCode(contactPhone),
	})
}

// appealEmail runs step 2 with a new login email.
func (e *flowEnv) appealEmail(t testing.TB, ref, email string) recovery.FlowState {
	t.Helper()
	e.tick()
	_, err := e.svc.Appeals.SendEmailCode(bg, ref, email, "")
	require.NoError(t, err)
	st, err := e.svc.Appeals.SetLoginEmail(bg, ref, recovery.AppealLoginEmail{Email: email, Password: pw2, Confirm: pw2, Code: e.outbox.LastCode(email)})
	require.NoError(t, err)
	return st
}

// appealFace passes step 4.
func (e *flowEnv) appealFace(t testing.TB, ref string) recovery.FlowState {
	t.Helper()
	ch, err := e.svc.Appeals.StartFace(bg, ref)
	require.NoError(t, err)
	e.face.Confirm(ch.Ticket)
	st, err := e.svc.Appeals.FaceResult(bg, ref)
	require.NoError(t, err)
	return st
}

func TestAppealWithNewPhoneApproved(t *testing.T) {
	e := newFlowEnv(t, nil)
	acc := e.personal(t, "lost@example.com")
	old := e.signIn(t, "lost@example.com", pw1)
	e.loginMFA(t, acc.ID)

	st, err := e.startAppeal(t, acc.ID)
	require.NoError(t, err)
	assert.Equal(t, recovery.StepLoginEmail, st.Step)
	assert.Equal(t, e.clock.Now().Add(recovery.DefaultStepTTL), st.ExpiresAt)
	st = e.appealEmail(t, st.Ref, "found@example.com")
	assert.Equal(t, recovery.StepProtection, st.Step)
	e.tick()
	_, err = e.svc.Appeals.SendPhoneCode(bg, st.Ref, "+8613600136000", "")
	require.NoError(t, err)
	_, err = e.svc.Appeals.SetSecurityPhone(bg, st.Ref, "+8613600136000", e.outbox.LastCode("+8613600136000"))
	require.NoError(t, err)
	st = e.appealFace(t, st.Ref)
	assert.Equal(t, recovery.StepSubmitted, st.Step)

	// Nothing changed before the approval.
	a, err := e.svc.Accounts.Account(bg, acc.ID)
	require.NoError(t, err)
	assert.Equal(t, "lost@example.com", a.LoginEmail())

	items, err := e.svc.Review.Pending(bg)
	require.NoError(t, err)
	require.Len(t, items, 1)
	assert.Equal(t, recovery.KindAppeal, items[0].Kind)
	assert.False(t, items[0].Manual, "a new phone turns MFA login off by itself")
	_, err = e.svc.Review.Decide(bg, recovery.Decision{ID: items[0].ID, Reviewer: "carol", Approve: true, Note: "face matched"})
	require.NoError(t, err)

	a, err = e.svc.Accounts.Account(bg, acc.ID)
	require.NoError(t, err)
	assert.Equal(t, "found@example.com", a.LoginEmail())
	assert.Equal(t, "+8613600136000", a.SecurityPhone)
	assert.Equal(t, account.VerifySMS, a.Security.LoginProtection)
	assert.Equal(t, account.VerifySMS, a.Security.OperationProtection)
	_, err = e.svc.Protection.ValidateSession(bg, old.Token)
	assert.Error(t, err, "every other session ended")
	res, err := e.svc.Protection.Login(bg, protectionLogin("found@example.com", pw2))
	require.NoError(t, err)
	assert.NotNil(t, res.Pending, "the new login email signs in (SMS login protection asks its second step)")
	last, _ := e.outbox.Last(contactPhone)
	assert.Equal(t, "approved", last.Params["decision"])
	assert.Equal(t, 1, e.events.Count(event.RecoveryApplied))
	st, note, err := e.svc.Appeals.Status(bg, st.Ref)
	require.NoError(t, err)
	assert.Equal(t, recovery.StepApproved, st.Step)
	assert.Equal(t, "face matched", note)
}

func TestAppealStepsInOrderOnly(t *testing.T) {
	e := newFlowEnv(t, nil)
	acc := e.personal(t, "lost@example.com")
	st, err := e.startAppeal(t, acc.ID)
	require.NoError(t, err)
	ap := e.svc.Appeals
	_, err = ap.SkipSecurityPhone(bg, st.Ref)
	assert.Equal(t, reason.RecoveryStepOrder, reason.CodeOf(err))
	_, err = ap.StartFace(bg, st.Ref)
	assert.Equal(t, reason.RecoveryStepOrder, reason.CodeOf(err))
	_, err = ap.SetSecurityPhone(bg, st.Ref, "+8613600136000", "123456")
	assert.Equal(t, reason.RecoveryStepOrder, reason.CodeOf(err))
	st = e.appealEmail(t, st.Ref, "found@example.com")
	_, err = ap.SetLoginEmail(bg, st.Ref, recovery.AppealLoginEmail{Email: "x@example.com", Password: pw2, Confirm: pw2, Code: "123456"})
	assert.Equal(t, reason.RecoveryStepOrder, reason.CodeOf(err), "no step twice")
	_, err = ap.FaceResult(bg, st.Ref)
	assert.Equal(t, reason.RecoveryStepOrder, reason.CodeOf(err))
	_, err = ap.SkipSecurityPhone(bg, st.Ref)
	require.NoError(t, err)
	_, err = ap.FaceResult(bg, st.Ref)
	assert.Equal(t, reason.RecoveryStepOrder, reason.CodeOf(err), "no face check started")
	items, err := e.svc.Review.Pending(bg)
	require.NoError(t, err)
	assert.Empty(t, items, "nothing to review before the face check")

	// Left a day at a step, the appeal expires and the account may appeal again.
	e.clock.Advance(recovery.DefaultStepTTL)
	_, err = ap.StartFace(bg, st.Ref)
	assert.Equal(t, reason.RecoveryFlowExpired, reason.CodeOf(err))
	_, err = e.startAppeal(t, acc.ID)
	assert.NoError(t, err)
}

func TestAppealOnePerAccountAndOnlyPersonal(t *testing.T) {
	e := newFlowEnv(t, nil)
	acc := e.personal(t, "lost@example.com")
	ent := e.enterprise(t, "corp@example.com", creditCode)
	plain := e.register(t, "plain@example.com")

	st, err := e.startAppeal(t, acc.ID)
	require.NoError(t, err)
	_, err = e.startAppeal(t, "lost@example.com")
	assert.Equal(t, reason.RecoveryAppealOpen, reason.CodeOf(err), "a second appeal while one is open")
	_, err = e.startAppeal(t, ent.ID)
	assert.Equal(t, reason.RecoveryEnterpriseAccount, reason.CodeOf(err))
	_, err = e.startAppeal(t, plain.ID)
	assert.Equal(t, reason.RecoveryNotPersonal, reason.CodeOf(err))
	_, err = e.startAppeal(t, "100000000009")
	assert.Equal(t, reason.RecoveryIdentityMismatch, reason.CodeOf(err), "unknown account")
	e.tick()
	_, err = e.svc.Appeals.SendContactCode(bg, contactPhone, "")
	require.NoError(t, err)
	_, err = e.svc.Appeals.Start(bg, recovery.AppealStart{Account: acc.ID, Name: personName, IDNumber: otherID, Reason: recovery.AppealEmailLost, ContactPhone: contactPhone, Code: e.outbox.LastCode(contactPhone)})
	assert.Equal(t, reason.RecoveryIdentityMismatch, reason.CodeOf(err), "another person's number")
	_, err = e.svc.Appeals.Start(bg, recovery.AppealStart{Account: acc.ID, Name: personName, IDNumber: personID, Reason: "whatever", ContactPhone: contactPhone, Code: "123456"})
	assert.Equal(t, reason.RecoveryReasonUnknown, reason.CodeOf(err))

	// Rejected, the account may appeal again.
	e.appealEmail(t, st.Ref, "found@example.com")
	_, err = e.svc.Appeals.SkipSecurityPhone(bg, st.Ref)
	require.NoError(t, err)
	e.appealFace(t, st.Ref)
	_, err = e.svc.Review.Decide(bg, recovery.Decision{ID: e.pendingID(t), Reviewer: "carol", Approve: false, Note: "no"})
	require.NoError(t, err)
	_, err = e.startAppeal(t, acc.ID)
	assert.NoError(t, err)
}

func TestAppealLoginEmailMustBeFreeEverywhere(t *testing.T) {
	e := newFlowEnv(t, nil)
	acc := e.personal(t, "lost@example.com")
	e.register(t, "registered@example.com")
	st, err := e.startAppeal(t, acc.ID)
	require.NoError(t, err)
	for _, email := range []string{"registered@example.com", "lost@example.com"} {
		_, err = e.svc.Appeals.SendEmailCode(bg, st.Ref, email, "")
		assert.Equal(t, reason.RecoveryEmailTaken, reason.CodeOf(err), email)
	}
	// Taken between the code and the step.
	e.tick()
	_, err = e.svc.Appeals.SendEmailCode(bg, st.Ref, "late@example.com", "")
	require.NoError(t, err)
	code := e.outbox.LastCode("late@example.com")
	e.register(t, "late@example.com")
	_, err = e.svc.Appeals.SetLoginEmail(bg, st.Ref, recovery.AppealLoginEmail{Email: "late@example.com", Password: pw2, Confirm: pw2, Code: code})
	assert.Equal(t, reason.RecoveryEmailTaken, reason.CodeOf(err))
}

func TestAppealMFAWithLostPhoneNeedsManualRemoval(t *testing.T) {
	e := newFlowEnv(t, func(c *accountsec.Config, _ *accountsec.Deps) { c.Flows.AutoApprove = true })
	acc := e.personal(t, "lost@example.com")
	e.loginMFA(t, acc.ID)
	st, err := e.startAppeal(t, acc.ID)
	require.NoError(t, err)
	e.appealEmail(t, st.Ref, "found@example.com")
	_, err = e.svc.Appeals.SkipSecurityPhone(bg, st.Ref)
	require.NoError(t, err)
	st = e.appealFace(t, st.Ref)
	assert.Equal(t, recovery.StepSubmitted, st.Step, "not approved automatically")

	items, err := e.svc.Review.Pending(bg)
	require.NoError(t, err)
	require.Len(t, items, 1)
	assert.True(t, items[0].Manual)
	assert.Equal(t, recovery.ManualMFAPhoneLost, items[0].ManualReason)
	_, err = e.svc.Review.Decide(bg, recovery.Decision{ID: items[0].ID, Reviewer: "carol", Approve: true})
	assert.Equal(t, reason.RecoveryRemoveMFARequired, reason.CodeOf(err))
	a, err := e.svc.Accounts.Account(bg, acc.ID)
	require.NoError(t, err)
	assert.Equal(t, "lost@example.com", a.LoginEmail(), "nothing applied")

	_, err = e.svc.Review.Decide(bg, recovery.Decision{ID: items[0].ID, Reviewer: "carol", Approve: true, RemoveMFA: true})
	require.NoError(t, err)
	a, err = e.svc.Accounts.Account(bg, acc.ID)
	require.NoError(t, err)
	assert.Equal(t, "found@example.com", a.LoginEmail())
	assert.Equal(t, account.VerifyNone, a.Security.LoginProtection, "MFA login off, no phone to fall back to")
	var decided event.Event
	for _, ev := range e.events.All() {
		if ev.Kind == event.RecoveryDecided {
			decided = ev
		}
	}
	assert.Equal(t, "carol", decided.Attrs["reviewer"])
	assert.Equal(t, "true", decided.Attrs["remove_mfa"])
	res, err := e.svc.Protection.Login(bg, protectionLogin("found@example.com", pw2))
	require.NoError(t, err)
	assert.NotNil(t, res.Session, "signed in with the new login email")
}

func TestAppealAutoApproved(t *testing.T) {
	e := newFlowEnv(t, func(c *accountsec.Config, _ *accountsec.Deps) { c.Flows.AutoApprove = true })
	acc := e.personal(t, "lost@example.com")
	st, err := e.startAppeal(t, acc.ID)
	require.NoError(t, err)
	e.appealEmail(t, st.Ref, "found@example.com")
	_, err = e.svc.Appeals.SkipSecurityPhone(bg, st.Ref)
	require.NoError(t, err)
	st = e.appealFace(t, st.Ref)
	assert.Equal(t, recovery.StepApproved, st.Step)
	a, err := e.svc.Accounts.Account(bg, acc.ID)
	require.NoError(t, err)
	assert.Equal(t, "found@example.com", a.LoginEmail())
	items, err := e.svc.Review.Pending(bg)
	require.NoError(t, err)
	assert.Empty(t, items)
}

func TestAppealWrongAnswersLock(t *testing.T) {
	e := newFlowEnv(t, nil)
	acc := e.personal(t, "lost@example.com")
	st, err := e.startAppeal(t, acc.ID)
	require.NoError(t, err)
	e.appealEmail(t, st.Ref, "found@example.com")
	_, err = e.svc.Appeals.SkipSecurityPhone(bg, st.Ref)
	require.NoError(t, err)
	max := e.svc.Lockout.Policy().MaxFailures
	for i := 1; i <= max; i++ {
		ch, err := e.svc.Appeals.StartFace(bg, st.Ref)
		require.NoError(t, err)
		e.face.Reject(ch.Ticket)
		_, err = e.svc.Appeals.FaceResult(bg, st.Ref)
		want := reason.RecoveryFaceRejected
		if i == max {
			want = reason.LimitsLocked
		}
		assert.Equal(t, want, reason.CodeOf(err), "try %d", i)
	}
	_, err = e.svc.Appeals.StartFace(bg, st.Ref)
	assert.Equal(t, reason.LimitsLocked, reason.CodeOf(err))
}

func TestAppealApprovalRaceAppliesOnce(t *testing.T) {
	e := newFlowEnv(t, nil)
	acc := e.personal(t, "lost@example.com")
	st, err := e.startAppeal(t, acc.ID)
	require.NoError(t, err)
	e.appealEmail(t, st.Ref, "found@example.com")
	_, err = e.svc.Appeals.SkipSecurityPhone(bg, st.Ref)
	require.NoError(t, err)
	e.appealFace(t, st.Ref)
	id := e.pendingID(t)
	var ok, decided atomic.Int32
	var wg sync.WaitGroup
	for i := range 20 {
		wg.Go(func() {
			_, err := e.svc.Review.Decide(bg, recovery.Decision{ID: id, Reviewer: "r" + string(rune('a'+i)), Approve: i%2 == 0})
			switch reason.CodeOf(err) {
			case "":
				ok.Add(1)
			case reason.RecoveryAlreadyDecided:
				decided.Add(1)
			}
		})
	}
	wg.Wait()
	assert.Equal(t, int32(1), ok.Load())
	assert.Equal(t, int32(19), decided.Load())
	assert.Equal(t, 1, e.events.Count(event.RecoveryDecided))
	assert.LessOrEqual(t, e.events.Count(event.RecoveryApplied), 1)
	e.clock.Advance(time.Minute)
	items, err := e.svc.Review.Pending(bg)
	require.NoError(t, err)
	assert.Empty(t, items)
}
