package flows

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/accountsec/accountsec"
	"github.com/accountsec/accountsec/account"
	"github.com/accountsec/accountsec/account/password"
	"github.com/accountsec/accountsec/examples/internal/teststores"
	"github.com/accountsec/accountsec/fakes"
	"github.com/accountsec/accountsec/reason"
	"github.com/accountsec/accountsec/recovery"
)

// TestRecoveryRacesOnPostgresAndRedis races the single-use steps of the
// enterprise recovery and the appeal on PostgreSQL, and on PostgreSQL with
// Redis for the hot state and the flows: one SMS code serves one result
// look-up, twenty uses of one allowance change the account once, twenty
// decisions on one appeal apply it once. It never skips in CI.
func TestRecoveryRacesOnPostgresAndRedis(t *testing.T) {
	dsn, addr := teststores.Addresses(t)
	for name, deps := range map[string]func(t *testing.T) accountsec.Deps{
		"postgres": func(t *testing.T) accountsec.Deps {
			return accountsec.Deps{Store: teststores.Postgres(t, dsn, "flows")}
		},
		"postgres+redis": func(t *testing.T) accountsec.Deps {
			rd := teststores.Redis(t, addr, "flows")
			return accountsec.Deps{Store: teststores.Postgres(t, dsn, "flows"), Counters: rd, Codes: rd, Sessions: rd, Resets: rd, Flows: rd}
		},
	} {
		t.Run(name, func(t *testing.T) {
			r := newRace(t, deps(t))
			t.Run("lookup", r.lookupOnce)
			t.Run("allowance", r.allowanceOnce)
			t.Run("approval", r.approvalOnce)
		})
	}
}

type race struct {
	svc    *accountsec.Service
	clock  *fakes.Clock
	outbox *fakes.Outbox
	face   *fakes.HostVerifier
	acc    account.Account
	query  string
	phone  string
	grant  string
}

var bg = context.Background()

const (
	raceCompany = "杭州示例科技有限公司"
	raceCode    = "91350100M000100Y43"
	racePw      = "Passw0rd!one"
)

func newRace(t *testing.T, d accountsec.Deps) *race {
	r := &race{clock: fakes.NewClock(time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)), outbox: &fakes.Outbox{}, face: &fakes.HostVerifier{}}
	d.SMS, d.Email, d.Now, d.Face = r.outbox, r.outbox, r.clock.Now, r.face
	svc, err := accountsec.New(accountsec.Config{
		Secret:  []byte("flows-test-secret-of-32-bytes.."),
		Hashing: password.HasherConfig{Params: password.InsecureTestParams()},
	}, d)
	must(t, err)
	r.svc = svc
	r.acc = r.register(t, "ops-"+teststores.Suffix(t)+"@example.com")
	_, err = svc.Accounts.RecordEnterprise(bg, r.acc.ID, account.EnterpriseIdentity{Name: raceCompany, CreditCode: raceCode, LegalPersonName: "李四", LegalPersonID: "110101199003074477"})
	must(t, err)
	ent := svc.Enterprise
	st, err := ent.Start(bg, recovery.EnterpriseStart{Company: raceCompany, CreditCode: raceCode, Reason: recovery.ReasonEmployeeLeft})
	must(t, err)
	st, err = ent.LegalPerson(bg, st.Ref, "李四", "110101199003074477")
	must(t, err)
	ch, err := ent.StartFace(bg, st.Ref)
	must(t, err)
	r.face.Confirm(ch.Ticket)
	st, err = ent.FaceResult(bg, st.Ref)
	must(t, err)
	r.phone = "+8613800138000"
	_, err = ent.SendContactCode(bg, st.Ref, r.phone, "")
	must(t, err)
	r.query, err = ent.Submit(bg, st.Ref, r.phone, r.outbox.LastCode(r.phone))
	must(t, err)
	items, err := svc.Review.Pending(bg)
	must(t, err)
	if len(items) != 1 || len(items[0].Matches) != 1 {
		t.Fatalf("pending: %+v", items)
	}
	_, err = svc.Review.Decide(bg, recovery.Decision{ID: items[0].ID, Reviewer: "alice", Approve: true})
	must(t, err)
	return r
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func (r *race) register(t *testing.T, email string) account.Account {
	r.clock.Advance(time.Minute)
	_, err := r.svc.Accounts.SendRegistrationCode(bg, email, "")
	must(t, err)
	a, err := r.svc.Accounts.Register(bg, account.Registration{Method: account.MethodEmail, Identifier: email, Password: racePw, Code: r.outbox.LastCode(email)})
	must(t, err)
	return a
}

// parallel runs f 20 times at once and counts the calls that succeeded
// and those refused with one of codes.
func parallel(f func(i int) error, codes ...reason.Code) (ok, refused int32) {
	var okN, refN atomic.Int32
	var wg sync.WaitGroup
	for i := range 20 {
		wg.Go(func() {
			switch c := reason.CodeOf(f(i)); {
			case c == "":
				okN.Add(1)
			case slices.Contains(codes, c):
				refN.Add(1)
			}
		})
	}
	wg.Wait()
	return okN.Load(), refN.Load()
}

func (r *race) lookupOnce(t *testing.T) {
	r.clock.Advance(time.Minute)
	_, err := r.svc.Enterprise.SendQueryCode(bg, r.query, r.phone, "")
	must(t, err)
	code := r.outbox.LastCode(r.phone)
	var grants atomic.Int32
	var mu sync.Mutex
	ok, _ := parallel(func(int) error {
		res, err := r.svc.Enterprise.Result(bg, recovery.EnterpriseQuery{QueryCode: r.query, Phone: r.phone, Code: code})
		if res.Grant != "" {
			grants.Add(1)
			mu.Lock()
			r.grant = res.Grant
			mu.Unlock()
		}
		return err
	}, "")
	if ok != 1 || grants.Load() != 1 {
		t.Fatalf("one SMS code: %d look-ups succeeded, %d grants", ok, grants.Load())
	}
}

func (r *race) allowanceOnce(t *testing.T) {
	if r.grant == "" {
		t.Fatal("no grant")
	}
	uses := make([]recovery.SMSAllowance, 20)
	for i := range uses {
		phone := fmt.Sprintf("+86139001%02d000", i)
		_, err := r.svc.Enterprise.SendSecurityPhoneCode(bg, r.grant, r.acc.ID, phone, fmt.Sprintf("203.0.113.%d", i))
		must(t, err)
		uses[i] = recovery.SMSAllowance{Grant: r.grant, AccountID: r.acc.ID, Phone: phone, Code: r.outbox.LastCode(phone)}
	}
	ok, used := parallel(func(i int) error {
		_, err := r.svc.Enterprise.SwitchToSMS(bg, uses[i])
		return err
		// More checks in flight than the lockout allows are refused as
		// locked before their codes are looked at.
	}, reason.RecoveryAllowanceUsed, reason.LimitsLocked)
	if ok != 1 || used != 19 {
		t.Fatalf("20 uses of one allowance: %d succeeded, %d refused as used or locked", ok, used)
	}
	a, err := r.svc.Accounts.Account(bg, r.acc.ID)
	must(t, err)
	if a.Security.LoginProtection != account.VerifySMS || a.Security.OperationProtection != account.VerifySMS {
		t.Fatalf("protection after the allowance: %+v", a.Security)
	}
}

func (r *race) approvalOnce(t *testing.T) {
	lost := r.register(t, "lost-"+teststores.Suffix(t)+"@example.com")
	_, err := r.svc.Accounts.RecordPersonal(bg, lost.ID, account.PersonalIdentity{Name: "张三", IDNumber: "11010519491231002X"})
	must(t, err)
	ap := r.svc.Appeals
	contact := "+8613700137000"
	_, err = ap.SendContactCode(bg, contact, "")
	must(t, err)
	st, err := ap.Start(bg, recovery.AppealStart{Account: lost.ID, Name: "张三", IDNumber: "11010519491231002X", Reason: recovery.AppealEmailLost, ContactPhone: contact, Code: r.outbox.LastCode(contact)})
	must(t, err)
	found := "found-" + teststores.Suffix(t) + "@example.com"
	_, err = ap.SendEmailCode(bg, st.Ref, found, "")
	must(t, err)
	_, err = ap.SetLoginEmail(bg, st.Ref, recovery.AppealLoginEmail{Email: found, Password: "Passw0rd!two", Confirm: "Passw0rd!two", Code: r.outbox.LastCode(found)})
	must(t, err)
	_, err = ap.SkipSecurityPhone(bg, st.Ref)
	must(t, err)
	ch, err := ap.StartFace(bg, st.Ref)
	must(t, err)
	r.face.Confirm(ch.Ticket)
	_, err = ap.FaceResult(bg, st.Ref)
	must(t, err)
	items, err := r.svc.Review.Pending(bg)
	must(t, err)
	if len(items) != 1 || items[0].Kind != recovery.KindAppeal {
		t.Fatalf("pending: %+v", items)
	}
	ok, decided := parallel(func(i int) error {
		_, err := r.svc.Review.Decide(bg, recovery.Decision{ID: items[0].ID, Reviewer: fmt.Sprint("reviewer-", i), Approve: true})
		return err
	}, reason.RecoveryAlreadyDecided)
	if ok != 1 || decided != 19 {
		t.Fatalf("20 approvals: %d took effect, %d refused as decided", ok, decided)
	}
	a, err := r.svc.Accounts.Account(bg, lost.ID)
	must(t, err)
	if a.LoginEmail() != found {
		t.Fatalf("login email after the approval: %q", a.LoginEmail())
	}
}
