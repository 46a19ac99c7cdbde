package recovery_test

import (
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/accountsec/accountsec"
	"github.com/accountsec/accountsec/account"
	"github.com/accountsec/accountsec/event"
	"github.com/accountsec/accountsec/limits"
	"github.com/accountsec/accountsec/reason"
	"github.com/accountsec/accountsec/recovery"
)

func TestEnterpriseRecoveryListsTheCompanysAccounts(t *testing.T) {
	e := newFlowEnv(t, nil)
	a1 := e.enterprise(t, "ops@example.com", creditCode)
	a2 := e.enterprise(t, "it@example.com", creditCode)
	e.enterprise(t, "other@example.com", otherCode)

	query, phone := e.submitted(t, creditCode)
	assert.Len(t, query, recovery.QueryCodeLength)
	items, err := e.svc.Review.Pending(bg)
	require.NoError(t, err)
	require.Len(t, items, 1)
	assert.Equal(t, recovery.KindEnterprise, items[0].Kind)
	assert.ElementsMatch(t, []string{a1.ID, a2.ID}, items[0].Matches)
	assert.Equal(t, company, items[0].Company)
	assert.NotContains(t, items[0].ContactPhone, phone[3:])

	res := e.lookup(t, query, phone)
	assert.Equal(t, recovery.StepSubmitted, res.Status, "still in review")
	assert.Empty(t, res.Accounts)

	_, err = e.svc.Review.Decide(bg, recovery.Decision{ID: items[0].ID, Reviewer: "alice", Approve: true, Note: "documents checked"})
	require.NoError(t, err)
	assert.Equal(t, 1, e.events.Count(event.RecoveryDecided))
	last, _ := e.outbox.Last(phone)
	assert.Equal(t, "approved", last.Params["decision"], "the result went to the contact phone")

	res = e.lookup(t, query, phone)
	assert.Equal(t, recovery.StepApproved, res.Status)
	assert.Equal(t, "documents checked", res.Note)
	require.Len(t, res.Accounts, 2)
	assert.NotEmpty(t, res.Grant)
	for _, ra := range res.Accounts {
		assert.Contains(t, []string{a1.ID, a2.ID}, ra.AccountID)
		assert.Equal(t, []account.Method{account.MethodEmail}, ra.LoginMethods)
		assert.NotEqual(t, company, ra.Enterprise, "masked")
		assert.NotContains(t, ra.CreditCode, creditCode[4:12], "masked")
		assert.Contains(t, ra.LoginEmail, "*")
		assert.NotContains(t, []string{"ops@example.com", "it@example.com"}, ra.LoginEmail)
	}
	again := e.lookup(t, lowerDash(query), phone)
	assert.Equal(t, res.Accounts, again.Accounts)
	assert.Empty(t, again.Grant, "only the first look-up opens the allowances")

	_, err = e.svc.Review.Decide(bg, recovery.Decision{ID: items[0].ID, Reviewer: "bob", Approve: false})
	assert.ErrorIs(t, err, reason.New(reason.RecoveryAlreadyDecided))
}

// lowerDash writes a query code as a user may type it.
func lowerDash(q string) string {
	b := []byte(q)
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b[:5]) + "-" + string(b[5:10]) + " " + string(b[10:])
}

// step records what a public step answered, for comparison.
type step struct {
	name string
	out  string
	err  string
}

// walk runs every public step of the enterprise way and records the
// answers, the messages sent and the events.
func walk(t *testing.T, e *flowEnv) []step {
	ent := e.svc.Enterprise
	var out []step
	rec := func(name string, v any, err error) {
		out = append(out, step{name, fmt.Sprintf("%#v|%+v", v, v), fmt.Sprint(err)})
	}
	st, err := ent.Start(bg, recovery.EnterpriseStart{Company: company, CreditCode: creditCode, Reason: recovery.ReasonAdministratorChanged})
	rec("start", st.Ref+st.Step+st.ExpiresAt.String(), err)
	st, err = ent.LegalPerson(bg, st.Ref, legalName, legalID)
	rec("legal", st.Ref+st.Step+st.ExpiresAt.String(), err)
	ch, err := ent.StartFace(bg, st.Ref)
	rec("face", ch.Ticket+ch.URL, err)
	_, err = ent.FaceResult(bg, st.Ref)
	rec("face pending", nil, err)
	e.face.Reject(ch.Ticket)
	_, err = ent.FaceResult(bg, st.Ref)
	rec("face rejected", nil, err)
	ch, _ = ent.StartFace(bg, st.Ref)
	e.face.Confirm(ch.Ticket)
	st, err = ent.FaceResult(bg, st.Ref)
	rec("face confirmed", st.Ref+st.Step+st.ExpiresAt.String(), err)
	e.tick()
	sent, err := ent.SendContactCode(bg, st.Ref, "+8613800138000", "203.0.113.9")
	rec("contact code", sent, err)
	_, err = ent.Submit(bg, st.Ref, "+8613800138000", "000000")
	rec("wrong code", nil, err)
	q, err := ent.Submit(bg, st.Ref, "+8613800138000", e.outbox.LastCode("+8613800138000"))
	rec("submit", q, err)
	e.tick()
	sent, err = ent.SendQueryCode(bg, q, "+8613800138000", "203.0.113.9")
	rec("query code", sent, err)
	e.tick()
	sent, err = ent.SendQueryCode(bg, "ABCDEFGHJK0123456789", "+8613800138000", "203.0.113.9")
	rec("unknown query code", sent, err)
	_, err = ent.Result(bg, recovery.EnterpriseQuery{QueryCode: "ABCDEFGHJK0123456789", Phone: "+8613800138000", Code: e.outbox.LastCode("+8613800138000")})
	rec("unknown query", nil, err)
	for _, m := range e.outbox.Messages() {
		if m.Purpose != "register" {
			rec("message", fmt.Sprint(m.Channel, m.To, m.Purpose, m.AccountID, m.Code, m.ExpiresAt, m.Params), nil)
		}
	}
	for _, ev := range e.events.All() {
		if ev.Scope == "enterprise_recovery" || ev.Scope == "review" {
			rec("event", fmt.Sprint(ev.Kind, ev.At, ev.AccountID, ev.Subject, ev.Attrs), nil)
		}
	}
	return out
}

// The enterprise way answers byte for byte the same whether the company,
// its credit code and its legal person match accounts or not: the public
// steps, the codes sent and the events are identical.
func TestEnterpriseUnknownAndKnownAnswerAlike(t *testing.T) {
	mk := func(code string) *flowEnv {
		e := newFlowEnv(t, func(_ *accountsec.Config, d *accountsec.Deps) { d.Rand = &seqRand{} })
		e.enterprise(t, "ops@example.com", code)
		return e
	}
	known, unknown := mk(creditCode), mk(otherCode)
	kw, uw := walk(t, known), walk(t, unknown)
	require.Equal(t, len(kw), len(uw))
	for i := range kw {
		assert.Equal(t, kw[i], uw[i], "step %s", kw[i].name)
	}
	// The difference is only for the reviewer.
	ki, err := known.svc.Review.Pending(bg)
	require.NoError(t, err)
	ui, err := unknown.svc.Review.Pending(bg)
	require.NoError(t, err)
	require.Len(t, ki, 1)
	require.Len(t, ui, 1)
	assert.Len(t, ki[0].Matches, 1)
	assert.Empty(t, ui[0].Matches)
}

func TestEnterpriseStepsInOrderOnly(t *testing.T) {
	e := newFlowEnv(t, nil)
	ent := e.svc.Enterprise
	st, err := ent.Start(bg, recovery.EnterpriseStart{Company: company, CreditCode: creditCode, Reason: recovery.ReasonEmployeeLeft})
	require.NoError(t, err)
	_, err = ent.StartFace(bg, st.Ref)
	assert.Equal(t, reason.RecoveryStepOrder, reason.CodeOf(err))
	_, err = ent.Submit(bg, st.Ref, "+8613800138000", "123456")
	assert.Equal(t, reason.RecoveryStepOrder, reason.CodeOf(err))
	_, err = ent.FaceResult(bg, st.Ref)
	assert.Equal(t, reason.RecoveryStepOrder, reason.CodeOf(err))
	st2, err := ent.LegalPerson(bg, st.Ref, legalName, legalID)
	require.NoError(t, err)
	_, err = ent.LegalPerson(bg, st.Ref, legalName, legalID)
	assert.Equal(t, reason.RecoveryStepOrder, reason.CodeOf(err), "a step is not taken twice")
	_, err = ent.FaceResult(bg, st2.Ref)
	assert.Equal(t, reason.RecoveryStepOrder, reason.CodeOf(err), "no face check started")

	// Bad input is a reason code and changes nothing.
	for _, s := range []recovery.EnterpriseStart{
		{Company: "", CreditCode: creditCode, Reason: recovery.ReasonEmployeeLeft},
		{Company: company, CreditCode: "91350100M000100Y44", Reason: recovery.ReasonEmployeeLeft},
		{Company: company, CreditCode: creditCode, Reason: "bored"},
		{Company: "a\u202eb", CreditCode: creditCode, Reason: recovery.ReasonEmployeeLeft},
	} {
		_, err := ent.Start(bg, s)
		assert.NotEmpty(t, reason.CodeOf(err), "%v", s)
	}
	_, err = ent.LegalPerson(bg, "short", legalName, legalID)
	assert.Equal(t, reason.InputMalformed, reason.CodeOf(err))

	// A flow left a day between steps expires.
	e.clock.Advance(recovery.DefaultStepTTL)
	_, err = ent.StartFace(bg, st2.Ref)
	assert.Equal(t, reason.RecoveryFlowExpired, reason.CodeOf(err))
}

func TestEnterpriseWrongCodesAndFacesLock(t *testing.T) {
	e := newFlowEnv(t, nil)
	ent := e.svc.Enterprise
	st, err := ent.Start(bg, recovery.EnterpriseStart{Company: company, CreditCode: creditCode, Reason: recovery.ReasonEmployeeLeft})
	require.NoError(t, err)
	st, err = ent.LegalPerson(bg, st.Ref, legalName, legalID)
	require.NoError(t, err)
	// Ten rejected faces lock the face step.
	max := e.svc.Lockout.Policy().MaxFailures
	for i := 1; i <= max; i++ {
		ch, err := ent.StartFace(bg, st.Ref)
		require.NoError(t, err, "try %d", i)
		e.face.Reject(ch.Ticket)
		_, err = ent.FaceResult(bg, st.Ref)
		if i < max {
			assert.Equal(t, reason.RecoveryFaceRejected, reason.CodeOf(err), "try %d", i)
		} else {
			var le *limits.LockedError
			assert.ErrorAs(t, err, &le, "the last rejection locks")
		}
	}
	_, err = ent.StartFace(bg, st.Ref)
	assert.Equal(t, reason.LimitsLocked, reason.CodeOf(err))
	e.clock.Advance(e.svc.Lockout.Policy().LockDuration)
	ch, err := ent.StartFace(bg, st.Ref)
	require.NoError(t, err, "the lock ends on its own")
	e.face.Confirm(ch.Ticket)
	st, err = ent.FaceResult(bg, st.Ref)
	require.NoError(t, err)

	// Wrong SMS codes count; the tenth locks and a right code then waits.
	phone := "+8613800138000"
	for i := 1; i <= max; i++ {
		if i%5 == 1 {
			e.tick()
			_, err := ent.SendContactCode(bg, st.Ref, phone, "")
			require.NoError(t, err)
		}
		_, err := ent.Submit(bg, st.Ref, phone, "000000")
		if i < max {
			assert.Contains(t, []reason.Code{reason.CodeMismatch, reason.CodeInvalid}, reason.CodeOf(err), "try %d", i)
		} else {
			assert.Equal(t, reason.LimitsLocked, reason.CodeOf(err))
		}
	}
	e.tick()
	_, err = ent.SendContactCode(bg, st.Ref, phone, "")
	require.NoError(t, err)
	_, err = ent.Submit(bg, st.Ref, phone, e.outbox.LastCode(phone))
	assert.Equal(t, reason.LimitsLocked, reason.CodeOf(err))
	assert.Positive(t, e.events.Count(event.RecoveryStepRefused))
}

func TestEnterpriseLookupRaceGrantsOnce(t *testing.T) {
	e := newFlowEnv(t, nil)
	e.enterprise(t, "ops@example.com", creditCode)
	query, phone := e.submitted(t, creditCode)
	_, err := e.svc.Review.Decide(bg, recovery.Decision{ID: e.pendingID(t), Reviewer: "alice", Approve: true})
	require.NoError(t, err)
	e.tick()
	_, err = e.svc.Enterprise.SendQueryCode(bg, query, phone, "")
	require.NoError(t, err)
	code := e.outbox.LastCode(phone)
	var ok, grants atomic.Int32
	var wg sync.WaitGroup
	for range 20 {
		wg.Go(func() {
			res, err := e.svc.Enterprise.Result(bg, recovery.EnterpriseQuery{QueryCode: query, Phone: phone, Code: code})
			if err == nil {
				ok.Add(1)
				if res.Grant != "" {
					grants.Add(1)
				}
			}
		})
	}
	wg.Wait()
	assert.Equal(t, int32(1), ok.Load(), "one SMS code, one look-up")
	assert.Equal(t, int32(1), grants.Load())
}

func TestEnterpriseAllowancesOnceEachForADay(t *testing.T) {
	e := newFlowEnv(t, nil)
	acc := e.enterprise(t, "ops@example.com", creditCode)
	s := e.signIn(t, "ops@example.com", pw1)
	e.register(t, "taken@example.com")
	res := e.approved(t)
	require.NotEmpty(t, res.Grant)
	ent := e.svc.Enterprise

	// (a) A new login email: never registered nor bound anywhere.
	_, err := ent.SendLoginEmailCode(bg, res.Grant, acc.ID, "taken@example.com", "")
	assert.Equal(t, reason.RecoveryEmailTaken, reason.CodeOf(err))
	_, err = ent.SendLoginEmailCode(bg, res.Grant, acc.ID, "ops@example.com", "")
	assert.Equal(t, reason.RecoveryEmailTaken, reason.CodeOf(err), "bound to the account itself")
	_, err = ent.SendLoginEmailCode(bg, res.Grant, "100000000001", "new@example.com", "")
	assert.Equal(t, reason.RecoveryGrantInvalid, reason.CodeOf(err), "not a recovered account")
	e.tick()
	_, err = ent.SendLoginEmailCode(bg, res.Grant, acc.ID, "new@example.com", "")
	require.NoError(t, err)
	use := recovery.LoginEmailAllowance{Grant: res.Grant, AccountID: acc.ID, Email: "new@example.com", Password: pw2, Confirm: pw2, Code: e.outbox.LastCode("new@example.com")}
	bad := use
	bad.Confirm = pw3
	_, err = ent.AddLoginEmail(bg, bad)
	assert.ErrorIs(t, err, account.ErrConfirmMismatch)
	got, err := ent.AddLoginEmail(bg, use)
	require.NoError(t, err)
	assert.Equal(t, "new@example.com", got.LoginEmail())
	_, err = e.svc.Protection.ValidateSession(bg, s.Token)
	assert.Error(t, err, "the account's sessions ended")
	e.signIn(t, "new@example.com", pw2)
	e.tick()
	_, err = ent.SendLoginEmailCode(bg, res.Grant, acc.ID, "newer@example.com", "")
	assert.Equal(t, reason.RecoveryAllowanceUsed, reason.CodeOf(err), "once only")
	assert.Equal(t, 1, e.events.Count(event.RecoveryAllowanceUsed))

	// (b) SMS protection on a new security phone, until exactly 24 hours.
	e.loginMFA(t, acc.ID)
	until := res.GrantExpiresAt
	e.clock.Set(until.Add(-time.Millisecond))
	_, err = ent.SendSecurityPhoneCode(bg, res.Grant, acc.ID, "+8613900139000", "")
	require.NoError(t, err, "still open just before 24 hours")
	e.clock.Set(until)
	_, err = ent.SwitchToSMS(bg, recovery.SMSAllowance{Grant: res.Grant, AccountID: acc.ID, Phone: "+8613900139000", Code: e.outbox.LastCode("+8613900139000")})
	assert.Equal(t, reason.RecoveryGrantInvalid, reason.CodeOf(err), "gone at 24 hours exactly")
	a, err := e.svc.Accounts.Account(bg, acc.ID)
	require.NoError(t, err)
	assert.Equal(t, account.VerifyMFA, a.Security.LoginProtection, "nothing changed")
}

func TestEnterpriseSMSAllowanceSwitchesOnceUnderRace(t *testing.T) {
	e := newFlowEnv(t, nil)
	acc := e.enterprise(t, "ops@example.com", creditCode)
	e.loginMFA(t, acc.ID)
	res := e.approved(t)
	ent := e.svc.Enterprise
	uses := make([]recovery.SMSAllowance, 20)
	for i := range uses {
		phone := fmt.Sprintf("+86139001%02d000", i)
		_, err := ent.SendSecurityPhoneCode(bg, res.Grant, acc.ID, phone, fmt.Sprintf("203.0.113.%d", i))
		require.NoError(t, err)
		uses[i] = recovery.SMSAllowance{Grant: res.Grant, AccountID: acc.ID, Phone: phone, Code: e.outbox.LastCode(phone)}
	}
	var ok, used atomic.Int32
	var wg sync.WaitGroup
	for _, u := range uses {
		wg.Go(func() {
			_, err := ent.SwitchToSMS(bg, u)
			switch reason.CodeOf(err) {
			case "":
				ok.Add(1)
			case reason.RecoveryAllowanceUsed, reason.LimitsLocked:
				// More code checks in flight than the lockout allows
				// are refused as locked before they are looked at.
				used.Add(1)
			}
		})
	}
	wg.Wait()
	assert.Equal(t, int32(1), ok.Load())
	assert.Equal(t, int32(19), used.Load())
	a, err := e.svc.Accounts.Account(bg, acc.ID)
	require.NoError(t, err)
	assert.Equal(t, account.VerifySMS, a.Security.LoginProtection)
	assert.Equal(t, account.VerifySMS, a.Security.OperationProtection)
	assert.Equal(t, 1, e.events.Count(event.RecoveryAllowanceUsed))
}
