package recovery_test

import (
	"context"
	"encoding/binary"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/accountsec/accountsec"
	"github.com/accountsec/accountsec/account"
	"github.com/accountsec/accountsec/account/password"
	"github.com/accountsec/accountsec/fakes"
	"github.com/accountsec/accountsec/internal/proof"
	"github.com/accountsec/accountsec/protection"
	"github.com/accountsec/accountsec/recovery"
	"github.com/accountsec/accountsec/vocab"
)

// Real-name data that the validators accept.
const (
	personName = "张三"
	personID   = "11010519491231002X"
	otherID    = "110101199003074477"
	company    = "杭州示例科技有限公司"
	creditCode = "91350100M000100Y43"
	otherCode  = "91110000802100433B"
	legalName  = "李四"
	legalID    = "110101199003074477"
)

// flowEnv is the facade on memstore with a fake clock, an outbox, an event
// recorder and a fake face verifier.
type flowEnv struct {
	svc    *accountsec.Service
	clock  *fakes.Clock
	outbox *fakes.Outbox
	events *fakes.Events
	face   *fakes.HostVerifier
	phones int
}

// seqRand is a deterministic randomness source, so two environments draw
// the same references, codes and IDs.
type seqRand struct {
	mu sync.Mutex
	n  uint64
}

func (r *seqRand) Read(p []byte) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for i := range p {
		if i%8 == 0 {
			r.n = r.n*6364136223846793005 + 1442695040888963407
		}
		var b [8]byte
		binary.LittleEndian.PutUint64(b[:], r.n)
		p[i] = b[i%8]
	}
	return len(p), nil
}

func newFlowEnv(t testing.TB, change func(*accountsec.Config, *accountsec.Deps)) *flowEnv {
	t.Helper()
	e := &flowEnv{
		clock:  fakes.NewClock(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)),
		outbox: &fakes.Outbox{}, events: &fakes.Events{}, face: &fakes.HostVerifier{},
	}
	cfg := accountsec.Config{
		Secret:  []byte("0123456789abcdef0123456789abcdef"),
		Hashing: password.HasherConfig{Params: password.InsecureTestParams()},
	}
	deps := accountsec.Deps{SMS: e.outbox, Email: e.outbox, Now: e.clock.Now, Events: e.events.Hook, Face: e.face}
	if change != nil {
		change(&cfg, &deps)
	}
	svc, err := accountsec.New(cfg, deps)
	require.NoError(t, err)
	e.svc = svc
	return e
}

var bg = context.Background()

// tick moves the clock past the send interval of one destination.
func (e *flowEnv) tick() { e.clock.Advance(61 * time.Second) }

// register creates an account by email.
func (e *flowEnv) register(t testing.TB, email string) account.Account {
	t.Helper()
	e.tick()
	_, err := e.svc.Accounts.SendRegistrationCode(bg, email, "")
	require.NoError(t, err)
	a, err := e.svc.Accounts.Register(bg, account.Registration{Method: account.MethodEmail, Identifier: email, Password: pw1, Code: e.outbox.LastCode(email)})
	require.NoError(t, err)
	return a
}

// personal registers a personally verified account.
func (e *flowEnv) personal(t testing.TB, email string) account.Account {
	t.Helper()
	a := e.register(t, email)
	a, err := e.svc.Accounts.RecordPersonal(bg, a.ID, account.PersonalIdentity{Name: personName, IDNumber: personID})
	require.NoError(t, err)
	return a
}

// enterprise registers an account verified as the company.
func (e *flowEnv) enterprise(t testing.TB, email, code string) account.Account {
	t.Helper()
	a := e.register(t, email)
	a, err := e.svc.Accounts.RecordEnterprise(bg, a.ID, account.EnterpriseIdentity{Name: company, CreditCode: code, LegalPersonName: legalName, LegalPersonID: legalID})
	require.NoError(t, err)
	return a
}

// loginMFA turns login and operation protection to MFA (as an enabled
// device does).
func (e *flowEnv) loginMFA(t testing.TB, id string) {
	t.Helper()
	p := proof.Mint(id, "test", vocab.OpBindMFA, e.clock.Now().Add(time.Hour))
	on := account.VerifyMFA
	_, err := e.svc.Accounts.UpdateSecurity(bg, []vocab.Proof{p}, id, account.SecurityChange{LoginProtection: &on, OperationProtection: &on})
	require.NoError(t, err)
}

// signIn opens a session with the login email and password.
func (e *flowEnv) signIn(t testing.TB, email, pw string) protection.LoginResult {
	t.Helper()
	res, err := e.svc.Protection.Login(bg, protection.LoginRequest{Login: email, Password: pw, ClientIP: "198.51.100.1"})
	require.NoError(t, err)
	return res
}

// newPhone returns a phone number not used before in the environment.
func (e *flowEnv) newPhone() string {
	e.phones++
	return "+861380013" + string(rune('0'+e.phones/10%10)) + string(rune('0'+e.phones%10)) + "00"
}

// submitted runs an enterprise recovery up to its submission and returns
// the query code and contact phone.
func (e *flowEnv) submitted(t testing.TB, code string) (query, phone string) {
	t.Helper()
	ent := e.svc.Enterprise
	st, err := ent.Start(bg, recovery.EnterpriseStart{Company: company, CreditCode: code, Reason: recovery.ReasonEmployeeLeft})
	require.NoError(t, err)
	st, err = ent.LegalPerson(bg, st.Ref, legalName, legalID)
	require.NoError(t, err)
	ch, err := ent.StartFace(bg, st.Ref)
	require.NoError(t, err)
	e.face.Confirm(ch.Ticket)
	st, err = ent.FaceResult(bg, st.Ref)
	require.NoError(t, err)
	phone = e.newPhone()
	e.tick()
	_, err = ent.SendContactCode(bg, st.Ref, phone, "")
	require.NoError(t, err)
	query, err = ent.Submit(bg, st.Ref, phone, e.outbox.LastCode(phone))
	require.NoError(t, err)
	return query, phone
}

// pendingID returns the ID of the only pending review item.
func (e *flowEnv) pendingID(t testing.TB) string {
	t.Helper()
	items, err := e.svc.Review.Pending(bg)
	require.NoError(t, err)
	require.Len(t, items, 1)
	return items[0].ID
}

// lookup sends a query code to the phone and looks the result up.
func (e *flowEnv) lookup(t testing.TB, query, phone string) recovery.EnterpriseResult {
	t.Helper()
	e.tick()
	_, err := e.svc.Enterprise.SendQueryCode(bg, query, phone, "")
	require.NoError(t, err)
	res, err := e.svc.Enterprise.Result(bg, recovery.EnterpriseQuery{QueryCode: query, Phone: phone, Code: e.outbox.LastCode(phone)})
	require.NoError(t, err)
	return res
}

// approved runs an enterprise recovery to its approved first look-up.
func (e *flowEnv) approved(t testing.TB) recovery.EnterpriseResult {
	t.Helper()
	query, phone := e.submitted(t, creditCode)
	_, err := e.svc.Review.Decide(bg, recovery.Decision{ID: e.pendingID(t), Reviewer: "alice", Approve: true, Note: "ok"})
	require.NoError(t, err)
	return e.lookup(t, query, phone)
}

func protectionLogin(email, pw string) protection.LoginRequest {
	return protection.LoginRequest{Login: email, Password: pw, ClientIP: "198.51.100.1"}
}
