package lifecycle_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/accountsec/accountsec"
	"github.com/accountsec/accountsec/account"
	"github.com/accountsec/accountsec/event"
	"github.com/accountsec/accountsec/lifecycle"
	"github.com/accountsec/accountsec/limits"
	"github.com/accountsec/accountsec/notify"
	"github.com/accountsec/accountsec/protection"
	"github.com/accountsec/accountsec/reason"
	"github.com/accountsec/accountsec/vocab"
)

const day = 24 * time.Hour

// Unsettled postpaid resources put the account into the cancelling state
// for 15 days: only billing and the account centre work, logins still do;
// a revoke on day 14 makes the account active again.
func TestRevokeOnDay14RestoresTheAccount(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	u := w.register()
	w.proof(u.sess, "delete_bucket") // a step-up grant that would serve the host operation
	w.apply(u)
	w.res.set(u.acc.ID, lifecycle.Inventory{UnsettledPostpaid: true})

	rep, err := w.svc.Cancellation.Check(w.ctx, u.acc.ID)
	require.NoError(t, err)
	require.True(t, rep.Advanced)
	assert.Equal(t, lifecycle.StatusCoolingOff, rep.Cancellation.Status)
	assert.Equal(t, w.clock.Now().Add(15*day).UnixMilli(), rep.Cancellation.CoolingOffUntil.UnixMilli())
	assert.Equal(t, account.StateCancelling, w.state(u.acc.ID))

	_, err = w.svc.Protection.Authorize(w.ctx, u.sess, "delete_bucket")
	require.ErrorIs(t, err, protection.ErrAccountRestricted, "a host operation is refused while cancelling")
	assert.Equal(t, reason.ProtectionAccountRestricted, codeOf(err))
	assert.Contains(t, err.Error(), "cancelling")
	_, err = w.svc.Protection.Authorize(w.ctx, u.sess, "pay_bill")
	assert.NoError(t, err, "billing works")
	_, err = w.svc.Protection.Authorize(w.ctx, u.sess, protection.OpSignOutAll)
	assert.NoError(t, err, "the account centre works")
	res, err := w.svc.Protection.Login(w.ctx, protection.LoginRequest{Login: u.email, Password: pw, ClientIP: ip})
	require.NoError(t, err, "logins work")
	require.NotNil(t, res.Session)

	w.clock.Advance(14 * day)
	_, err = w.svc.Cancellation.Check(w.ctx, u.acc.ID)
	assert.ErrorIs(t, err, lifecycle.ErrCoolingOff, "day 14: still cooling off")
	c, err := w.svc.Cancellation.Revoke(w.ctx, u.acc.ID)
	require.NoError(t, err)
	assert.Equal(t, lifecycle.StatusRevoked, c.Status)
	assert.Equal(t, account.StateActive, w.state(u.acc.ID))
	assert.False(t, w.gone(u.acc.ID))
	_, err = w.svc.Protection.Authorize(w.ctx, *res.Session, "delete_bucket")
	assert.NoError(t, err, "active again: the host operation works")
	assert.Contains(t, w.events.Kinds(), event.CancellationRevoked)

	_, err = w.svc.Cancellation.Revoke(w.ctx, u.acc.ID)
	assert.NoError(t, err, "revoking again changes nothing")
	_, err = w.svc.Cancellation.Check(w.ctx, u.acc.ID)
	assert.ErrorIs(t, err, lifecycle.ErrWrongStatus)
	w.apply(u) // a revoked application can be replaced
}

// After the cooling-off period the resource check runs again, and the flow
// goes on only when it passes with nothing left unsettled.
func TestRecheckAtDay15(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	u := w.register()
	w.apply(u)
	w.res.set(u.acc.ID, lifecycle.Inventory{UnsettledPostpaid: true})
	_, err := w.svc.Cancellation.Check(w.ctx, u.acc.ID)
	require.NoError(t, err)

	w.clock.Advance(15*day - time.Millisecond)
	_, err = w.svc.Cancellation.Check(w.ctx, u.acc.ID)
	require.ErrorIs(t, err, lifecycle.ErrCoolingOff)
	w.clock.Advance(time.Millisecond)

	rep, err := w.svc.Cancellation.Check(w.ctx, u.acc.ID)
	require.NoError(t, err, "day 15: the check runs again")
	assert.False(t, rep.Advanced, "still unsettled")
	assert.True(t, rep.UnsettledPostpaid)
	assert.Equal(t, lifecycle.StatusCoolingOff, w.status(u.acc.ID))

	w.res.set(u.acc.ID, lifecycle.Inventory{Resources: []lifecycle.Resource{{ID: "cvm-1", Abandonable: false}}})
	rep, err = w.svc.Cancellation.Check(w.ctx, u.acc.ID)
	require.NoError(t, err)
	assert.False(t, rep.Advanced, "a new resource to handle")
	require.Len(t, rep.MustHandle, 1)

	w.res.set(u.acc.ID, lifecycle.Inventory{})
	rep, err = w.svc.Cancellation.Check(w.ctx, u.acc.ID)
	require.NoError(t, err)
	assert.True(t, rep.Advanced)
	assert.Equal(t, lifecycle.StatusIdentity, rep.Cancellation.Status)
	assert.Equal(t, account.StateCancelling, w.state(u.acc.ID), "still cancelling until the end")
	_, err = w.svc.Protection.Authorize(w.ctx, u.sess, "delete_bucket")
	assert.ErrorIs(t, err, protection.ErrAccountRestricted)

	c, err := w.svc.Cancellation.Revoke(w.ctx, u.acc.ID)
	require.NoError(t, err, "revoke after the cooling-off period")
	assert.Equal(t, lifecycle.StatusRevoked, c.Status)
	assert.Equal(t, account.StateActive, w.state(u.acc.ID))
}

// The flow stops until every resource to handle is gone and every
// abandonable one is explicitly abandoned; the abandon list is recorded.
func TestResourcesMustBeHandledOrAbandoned(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	u := w.register()
	w.apply(u)
	w.res.set(u.acc.ID, lifecycle.Inventory{Resources: []lifecycle.Resource{
		{ID: "cvm-1", Kind: "cvm", Name: "web"},
		{ID: "cos-1", Kind: "cos_bucket", Name: "logs", Abandonable: true},
		{ID: "cos-2", Kind: "cos_bucket", Name: "tmp", Abandonable: true},
	}})
	rep, err := w.svc.Cancellation.Check(w.ctx, u.acc.ID)
	require.NoError(t, err)
	assert.False(t, rep.Advanced)
	assert.Len(t, rep.MustHandle, 1)
	assert.Len(t, rep.NotAbandoned, 2)

	_, err = w.svc.Cancellation.Abandon(w.ctx, u.acc.ID, []string{"cvm-1"})
	assert.Equal(t, reason.CancellationResourceMustBeHandled, codeOf(err))
	_, err = w.svc.Cancellation.Abandon(w.ctx, u.acc.ID, []string{"nope"})
	assert.Equal(t, reason.CancellationResourceUnknown, codeOf(err))
	_, err = w.svc.Cancellation.Abandon(w.ctx, u.acc.ID, []string{"bad id"})
	assert.Equal(t, reason.InputMalformed, codeOf(err))
	c, err := w.svc.Cancellation.Abandon(w.ctx, u.acc.ID, []string{"cos-2", "cos-1", "cos-1"})
	require.NoError(t, err)
	assert.Equal(t, []string{"cos-1", "cos-2"}, c.Abandoned)

	rep, err = w.svc.Cancellation.Check(w.ctx, u.acc.ID)
	require.NoError(t, err)
	assert.False(t, rep.Advanced, "cvm-1 still to handle")
	assert.Empty(t, rep.NotAbandoned)

	w.res.set(u.acc.ID, lifecycle.Inventory{Resources: []lifecycle.Resource{
		{ID: "cos-1", Abandonable: true}, {ID: "cos-2", Abandonable: true},
	}})
	rep, err = w.svc.Cancellation.Check(w.ctx, u.acc.ID)
	require.NoError(t, err)
	assert.True(t, rep.Advanced)
	assert.Equal(t, lifecycle.StatusIdentity, rep.Cancellation.Status)
	assert.Equal(t, account.StateActive, w.state(u.acc.ID), "no postpaid: no cooling-off")

	w.res.fail = assert.AnError
	_, err = w.svc.Cancellation.Abandon(w.ctx, u.acc.ID, []string{"cos-1"})
	assert.Error(t, err)
	st, _, err := w.svc.Cancellation.Status(w.ctx, u.acc.ID)
	require.NoError(t, err)
	assert.Equal(t, []string{"cos-1", "cos-2"}, st.Abandoned)
}

// A personal account is cancelled at once after the face check of its
// real-name person: sessions end, the account and its identity slot go,
// and the result reaches the security phone and email.
func TestPersonalCompletesRightAfterTheFaceCheck(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	u := w.register()
	require.NoError(t, w.setPhone(u, "+8613800138000"))
	_, err := w.svc.Accounts.RecordPersonal(w.ctx, u.acc.ID, account.PersonalIdentity{Name: "张三", IDNumber: idZhang})
	require.NoError(t, err)
	w.apply(u)
	rep, err := w.svc.Cancellation.Check(w.ctx, u.acc.ID)
	require.NoError(t, err)
	require.Equal(t, lifecycle.StatusIdentity, rep.Cancellation.Status)

	_, err = w.svc.Cancellation.FinishIdentityCheck(w.ctx, u.acc.ID)
	assert.ErrorIs(t, err, protection.ErrChallengeInvalid, "no face check started")
	ic, err := w.svc.Cancellation.StartIdentityCheck(w.ctx, u.acc.ID)
	require.NoError(t, err)
	require.True(t, ic.Face)
	_, err = w.svc.Cancellation.FinishIdentityCheck(w.ctx, u.acc.ID)
	assert.ErrorIs(t, err, protection.ErrNotConfirmed)
	w.face.Reject(ic.Challenge.Ticket)
	_, err = w.svc.Cancellation.FinishIdentityCheck(w.ctx, u.acc.ID)
	assert.ErrorIs(t, err, protection.ErrRejected)
	assert.False(t, w.gone(u.acc.ID))

	ic, err = w.svc.Cancellation.StartIdentityCheck(w.ctx, u.acc.ID)
	require.NoError(t, err)
	w.face.Confirm(ic.Challenge.Ticket)
	c, err := w.svc.Cancellation.FinishIdentityCheck(w.ctx, u.acc.ID)
	require.NoError(t, err)
	assert.Equal(t, lifecycle.StatusCompleted, c.Status)
	assert.True(t, w.gone(u.acc.ID))
	_, err = w.svc.Protection.ValidateSession(w.ctx, u.token)
	assert.ErrorIs(t, err, protection.ErrSessionInvalid, "every session ended")
	holders, err := w.svc.Accounts.Holders(w.ctx, account.ScopeRealName, account.KindPersonalID, idZhang)
	require.NoError(t, err)
	assert.Empty(t, holders, "the identity slot is free")
	sms, ok := w.outbox.Last("+8613800138000")
	require.True(t, ok)
	assert.Equal(t, lifecycle.PurposeCancelled, sms.Purpose)
	mail, ok := w.outbox.Last(u.acc.SecurityEmail)
	require.True(t, ok)
	assert.Equal(t, lifecycle.PurposeCancelled, mail.Purpose)
	assert.Equal(t, notify.Email, mail.Channel)
	assert.Contains(t, w.events.Kinds(), event.CancellationCompleted)

	_, err = w.svc.Cancellation.Revoke(w.ctx, u.acc.ID)
	assert.ErrorIs(t, err, lifecycle.ErrIrreversible)
	_, err = w.svc.Protection.Login(w.ctx, protection.LoginRequest{Login: u.email, Password: pw, ClientIP: ip})
	assert.Error(t, err, "no login to a cancelled account")
}

// An unverified account is cancelled as soon as its identity check
// starts: there is no one to check.
func TestUnverifiedCompletesAtOnce(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	u := w.register()
	w.apply(u)
	_, err := w.svc.Cancellation.Check(w.ctx, u.acc.ID)
	require.NoError(t, err)
	ic, err := w.svc.Cancellation.StartIdentityCheck(w.ctx, u.acc.ID)
	require.NoError(t, err)
	assert.False(t, ic.Face)
	assert.Equal(t, lifecycle.StatusCompleted, ic.Cancellation.Status)
	assert.True(t, w.gone(u.acc.ID))
	st, found, err := w.svc.Cancellation.Status(w.ctx, u.acc.ID)
	require.NoError(t, err)
	require.True(t, found)
	assert.Equal(t, lifecycle.StatusCompleted, st.Status)
	assert.False(t, st.EndedAt.IsZero())
}

// The working-day deadline of the manual review skips weekends and the
// host's holidays and counts its make-up working days.
func TestReviewDeadlineInWorkingDays(t *testing.T) {
	t.Parallel()
	zone := lifecycle.ChinaStandardTime
	friday := time.Date(2026, 9, 25, 10, 0, 0, 0, zone) // a Friday
	cases := []struct {
		name string
		cal  lifecycle.Calendar
		want time.Time
	}{
		{"weekend", lifecycle.Weekends{}, time.Date(2026, 9, 30, 10, 0, 0, 0, zone)},                                       // Mon, Tue, Wed
		{"weekend and a holiday", lifecycle.Dates{Off: []string{"2026-09-28"}}, time.Date(2026, 10, 1, 10, 0, 0, 0, zone)}, // Tue, Wed, Thu
		{"make-up Sunday", lifecycle.Dates{Work: []string{"2026-09-27"}}, time.Date(2026, 9, 29, 10, 0, 0, 0, zone)},       // Sun, Mon, Tue
		{"both", lifecycle.Dates{Off: []string{"2026-09-29", "2026-09-30"}, Work: []string{"2026-09-26"}}, time.Date(2026, 10, 1, 10, 0, 0, 0, zone)},
	}
	for _, tc := range cases {
		got, err := lifecycle.AddWorkingDays(t.Context(), tc.cal, zone, friday, 3)
		require.NoError(t, err, tc.name)
		assert.True(t, tc.want.Equal(got), "%s: %s, want %s", tc.name, got.In(zone), tc.want)
	}
	never := lifecycle.CalendarFunc(func(context.Context, time.Time) (bool, error) { return false, nil })
	_, err := lifecycle.AddWorkingDays(t.Context(), never, zone, friday, 3)
	assert.Equal(t, reason.PolicyInvalid, codeOf(err), "a calendar without working days ends the search")
}

// An enterprise account passes the legal person's face check, then waits
// for manual review, due in 3 working days of the host's calendar (here a
// weekend and a holiday away); the reviewer approves and the account is
// cancelled.
func TestEnterpriseGoesToReviewWithAWorkingDayDeadline(t *testing.T) {
	t.Parallel()
	w := newWorld(t, calendar(lifecycle.Dates{Off: []string{"2026-09-28"}}))
	w.clock.Set(time.Date(2026, 9, 25, 2, 0, 0, 0, time.UTC)) // Friday 10:00 in UTC+8
	u := w.register()
	_, err := w.svc.Accounts.RecordEnterprise(w.ctx, u.acc.ID, account.EnterpriseIdentity{
		Name: "深圳市示例科技有限公司", CreditCode: creditNo, LegalPersonName: "王五", LegalPersonID: idLegal,
	})
	require.NoError(t, err)
	w.apply(u)
	_, err = w.svc.Cancellation.Check(w.ctx, u.acc.ID)
	require.NoError(t, err)
	ic, err := w.svc.Cancellation.StartIdentityCheck(w.ctx, u.acc.ID)
	require.NoError(t, err)
	w.face.Confirm(ic.Challenge.Ticket)
	c, err := w.svc.Cancellation.FinishIdentityCheck(w.ctx, u.acc.ID)
	require.NoError(t, err)
	assert.Equal(t, lifecycle.StatusReview, c.Status)
	submitted := w.clock.Now().In(lifecycle.ChinaStandardTime)
	require.Equal(t, time.Friday, submitted.Weekday())
	// Monday is the host's holiday: Tuesday, Wednesday, Thursday.
	want := time.Date(2026, 10, 1, submitted.Hour(), submitted.Minute(), 0, 0, lifecycle.ChinaStandardTime)
	assert.True(t, want.Equal(c.ReviewDeadline), "deadline %s (submitted %s)", c.ReviewDeadline, submitted)
	assert.Equal(t, account.StateCancelling, w.state(u.acc.ID), "under review: cancelling")
	assert.False(t, w.gone(u.acc.ID))

	_, err = w.svc.Cancellation.Approve(w.ctx, u.acc.ID, "")
	assert.Equal(t, reason.InputEmpty, codeOf(err))
	w.clock.Advance(2 * day)
	c, err = w.svc.Cancellation.Approve(w.ctx, u.acc.ID, "reviewer-7")
	require.NoError(t, err)
	assert.Equal(t, lifecycle.StatusCompleted, c.Status)
	assert.Equal(t, "reviewer-7", c.Reviewer)
	assert.True(t, w.gone(u.acc.ID))
	holders, err := w.svc.Accounts.Holders(w.ctx, account.ScopeRealName, account.KindEnterpriseID, creditNo)
	require.NoError(t, err)
	assert.Empty(t, holders)
}

// A rejected review ends the application and the account is active again.
func TestRejectedReviewRestoresTheAccount(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	u := w.register()
	_, err := w.svc.Accounts.RecordEnterprise(w.ctx, u.acc.ID, account.EnterpriseIdentity{
		Name: "深圳市示例科技有限公司", CreditCode: creditNo, LegalPersonName: "王五", LegalPersonID: idLegal,
	})
	require.NoError(t, err)
	w.apply(u)
	_, err = w.svc.Cancellation.Check(w.ctx, u.acc.ID)
	require.NoError(t, err)
	ic, err := w.svc.Cancellation.StartIdentityCheck(w.ctx, u.acc.ID)
	require.NoError(t, err)
	w.face.Confirm(ic.Challenge.Ticket)
	_, err = w.svc.Cancellation.FinishIdentityCheck(w.ctx, u.acc.ID)
	require.NoError(t, err)
	_, err = w.svc.Cancellation.Reject(w.ctx, u.acc.ID, "reviewer-7", "open complaint \u202e")
	assert.Equal(t, reason.InputMalformed, codeOf(err), "a bidi control in the note")
	c, err := w.svc.Cancellation.Reject(w.ctx, u.acc.ID, "reviewer-7", "open complaint")
	require.NoError(t, err)
	assert.Equal(t, lifecycle.StatusRejected, c.Status)
	assert.Equal(t, account.StateActive, w.state(u.acc.ID))
}

// The phone slot a completed cancellation frees binds another account at
// once; the email can register again, under a new account ID.
func TestFreedPhoneSlotBindsAnotherAccount(t *testing.T) {
	t.Parallel()
	q := limits.Quotas{AccountsPerPhone: 1}
	w := newWorld(t, quotas(q))
	const phone = "+8613900139000"
	a, b := w.register(), w.register()
	require.NoError(t, w.setPhone(a, phone))
	assert.ErrorIs(t, w.setPhone(b, phone), account.ErrQuotaExceeded, "the phone's one slot is a's")

	w.apply(a)
	_, err := w.svc.Cancellation.Check(w.ctx, a.acc.ID)
	require.NoError(t, err)
	_, err = w.svc.Cancellation.StartIdentityCheck(w.ctx, a.acc.ID)
	require.NoError(t, err)
	require.True(t, w.gone(a.acc.ID))

	w.clock.Advance(time.Minute)
	require.NoError(t, w.setPhone(b, phone), "the freed slot binds b")
	got, err := w.svc.Accounts.Account(w.ctx, b.acc.ID)
	require.NoError(t, err)
	assert.Equal(t, phone, got.SecurityPhone)

	w.clock.Advance(time.Minute)
	_, err = w.svc.Accounts.SendRegistrationCode(w.ctx, a.email, ip)
	require.NoError(t, err)
	again, err := w.svc.Accounts.Register(w.ctx, account.Registration{Method: account.MethodEmail, Identifier: a.email, Password: pw, Code: w.outbox.LastCode(a.email)})
	require.NoError(t, err, "the email registers again")
	assert.NotEqual(t, a.acc.ID, again.ID)
	assert.NotEqual(t, a.acc.APPID, again.APPID)
}

// The account ID and APPID of a cancelled account are never given out
// again, even when the generator offers them.
func TestCancelledIDsAreNeverReused(t *testing.T) {
	t.Parallel()
	ids := &fixedIDs{}
	w := newWorld(t, func(_ *accountsec.Config, d *accountsec.Deps) { d.IDs = ids })
	u := w.register()
	w.apply(u)
	_, err := w.svc.Cancellation.Check(w.ctx, u.acc.ID)
	require.NoError(t, err)
	_, err = w.svc.Cancellation.StartIdentityCheck(w.ctx, u.acc.ID)
	require.NoError(t, err)
	require.True(t, w.gone(u.acc.ID))

	ids.reset() // offers the cancelled pair first
	v := w.register()
	assert.NotEqual(t, u.acc.ID, v.acc.ID)
	assert.NotEqual(t, u.acc.APPID, v.acc.APPID)
}

// fixedIDs hands out 100000000001, 100000000002, … and starts again on
// reset.
type fixedIDs struct {
	mu sync.Mutex
	n  int
}

func (f *fixedIDs) NewIDs() (string, string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.n++
	return fmt.Sprintf("1%011d", f.n), fmt.Sprintf("1%09d", f.n), nil
}

func (f *fixedIDs) reset() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.n = 0
}

// A revoke and a completion racing have exactly one outcome: either the
// application is revoked and the account active, or it is completed and
// the account gone.
func TestRevokeRacingCompletionHasOneOutcome(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	const n = 16
	users := make([]user, n)
	for i := range users {
		users[i] = w.register()
		w.apply(users[i])
		_, err := w.svc.Cancellation.Check(w.ctx, users[i].acc.ID)
		require.NoError(t, err)
	}
	outcomes := map[lifecycle.Status]int{}
	for _, u := range users {
		var wg sync.WaitGroup
		var revokeErr, completeErr error
		start := make(chan struct{})
		wg.Add(2)
		go func() { defer wg.Done(); <-start; _, revokeErr = w.svc.Cancellation.Revoke(w.ctx, u.acc.ID) }()
		go func() {
			defer wg.Done()
			<-start
			_, completeErr = w.svc.Cancellation.StartIdentityCheck(w.ctx, u.acc.ID)
		}()
		close(start)
		wg.Wait()
		st := w.status(u.acc.ID)
		outcomes[st]++
		switch st {
		case lifecycle.StatusRevoked:
			assert.NoError(t, revokeErr)
			assert.ErrorIs(t, completeErr, lifecycle.ErrWrongStatus)
			assert.False(t, w.gone(u.acc.ID))
			assert.Equal(t, account.StateActive, w.state(u.acc.ID))
		case lifecycle.StatusCompleted:
			assert.NoError(t, completeErr)
			assert.ErrorIs(t, revokeErr, lifecycle.ErrIrreversible)
			assert.True(t, w.gone(u.acc.ID))
		default:
			t.Fatalf("status %s after the race (revoke %v, complete %v)", st, revokeErr, completeErr)
		}
	}
	assert.Equal(t, n, outcomes[lifecycle.StatusRevoked]+outcomes[lifecycle.StatusCompleted])
}

// Bad input is a reason-coded error, never a panic, and stores nothing.
func TestBadApplicationsAreRefusedWithoutAChange(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	u := w.register()
	p := w.proof(u.sess, "apply_cancellation")
	long := make([]rune, 201)
	for i := range long {
		long[i] = '长'
	}
	missing := lifecycle.Conditions()[1:]
	cases := []struct {
		name string
		edit func(a *lifecycle.Application)
		code reason.Code
	}{
		{"other reason too long", func(a *lifecycle.Application) { a.OtherReason = string(long) }, reason.InputTooLong},
		{"control character", func(a *lifecycle.Application) { a.OtherReason = "a\x00b" }, reason.InputMalformed},
		{"bidi control in the remark", func(a *lifecycle.Application) { a.Remark = "abc\u202edef" }, reason.InputMalformed},
		{"zero-width space", func(a *lifecycle.Application) { a.Remark = "a\u200bb" }, reason.InputMalformed},
		{"not UTF-8", func(a *lifecycle.Application) { a.Remark = "\xff" }, reason.InputInvalidUTF8},
		{"huge remark", func(a *lifecycle.Application) { a.Remark = string(make([]byte, 1<<20)) }, reason.InputTooLong},
		{"condition missing", func(a *lifecycle.Application) { a.Confirmed = missing }, reason.CancellationConditionUnconfirmed},
		{"condition unknown", func(a *lifecycle.Application) { a.Confirmed = append(a.Confirmed, "\x01bad") }, reason.CancellationConditionUnknown},
		{"no reason", func(a *lifecycle.Application) { a.Reasons = nil }, reason.CancellationReasonRequired},
		{"unknown reason", func(a *lifecycle.Application) { a.Reasons = []lifecycle.Reason{"bored"} }, reason.CancellationReasonUnknown},
		{"repeated reason", func(a *lifecycle.Application) {
			a.Reasons = []lifecycle.Reason{lifecycle.ReasonOther, lifecycle.ReasonOther}
		}, reason.InputMalformed},
		{"other without text", func(a *lifecycle.Application) { a.OtherReason = "  " }, reason.InputEmpty},
		{"text without other", func(a *lifecycle.Application) { a.Reasons = []lifecycle.Reason{lifecycle.ReasonReRegistering} }, reason.InputMalformed},
	}
	before := len(w.events.Kinds())
	for _, tc := range cases {
		a := application()
		tc.edit(&a)
		var err error
		require.NotPanics(t, func() { _, err = w.svc.Cancellation.Apply(w.ctx, p, u.acc.ID, a) }, tc.name)
		assert.Equal(t, tc.code, codeOf(err), tc.name)
	}
	_, found, err := w.svc.Cancellation.Status(w.ctx, u.acc.ID)
	require.NoError(t, err)
	assert.False(t, found, "nothing stored")
	assert.Equal(t, before, len(w.events.Kinds()), "no event")

	_, err = w.svc.Cancellation.Apply(w.ctx, p, u.acc.ID+"0", application())
	assert.ErrorIs(t, err, vocab.ErrVerificationRequired)
	_, err = w.svc.Cancellation.Apply(w.ctx, w.proof(u.sess, "pay_bill"), u.acc.ID, application())
	assert.ErrorIs(t, err, vocab.ErrVerificationRequired, "a proof of another operation")
	_, err = w.svc.Cancellation.Check(w.ctx, "1\x00")
	assert.Equal(t, reason.InputMalformed, codeOf(err))
	_, err = w.svc.Cancellation.Check(w.ctx, u.acc.ID)
	assert.ErrorIs(t, err, lifecycle.ErrNotFound)

	w.apply(u)
	_, err = w.svc.Cancellation.Apply(w.ctx, w.proof(u.sess, "apply_cancellation"), u.acc.ID, application())
	assert.Equal(t, reason.CancellationInProgress, codeOf(err))
}

// A completion that fails half-way is left completing, irreversible; a
// retry finishes it.
func TestCompletionFailingHalfWayIsFinishedByARetry(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	u := w.register()
	w.apply(u)
	_, err := w.svc.Cancellation.Check(w.ctx, u.acc.ID)
	require.NoError(t, err)

	w.store.mu.Lock()
	w.store.failDelete = assert.AnError
	w.store.mu.Unlock()
	_, err = w.svc.Cancellation.StartIdentityCheck(w.ctx, u.acc.ID)
	assert.ErrorIs(t, err, reason.ErrStoreUnavailable)
	assert.Equal(t, lifecycle.StatusCompleting, w.status(u.acc.ID))
	assert.False(t, w.gone(u.acc.ID))
	_, err = w.svc.Protection.ValidateSession(w.ctx, u.token)
	assert.ErrorIs(t, err, protection.ErrSessionInvalid, "the sessions ended first")
	_, err = w.svc.Cancellation.Revoke(w.ctx, u.acc.ID)
	assert.ErrorIs(t, err, lifecycle.ErrIrreversible)

	w.store.mu.Lock()
	w.store.failDelete = nil
	w.store.mu.Unlock()
	c, err := w.svc.Cancellation.Resume(w.ctx, u.acc.ID)
	require.NoError(t, err)
	assert.Equal(t, lifecycle.StatusCompleted, c.Status)
	assert.True(t, w.gone(u.acc.ID))
	c, err = w.svc.Cancellation.Resume(w.ctx, u.acc.ID)
	require.NoError(t, err, "resuming a completed cancellation changes nothing")
	assert.Equal(t, lifecycle.StatusCompleted, c.Status)
}
