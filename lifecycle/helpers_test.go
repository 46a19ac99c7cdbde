package lifecycle_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/accountsec/accountsec"
	"github.com/accountsec/accountsec/account"
	"github.com/accountsec/accountsec/account/password"
	"github.com/accountsec/accountsec/fakes"
	"github.com/accountsec/accountsec/lifecycle"
	"github.com/accountsec/accountsec/limits"
	"github.com/accountsec/accountsec/protection"
	"github.com/accountsec/accountsec/reason"
	"github.com/accountsec/accountsec/store/memstore"
	"github.com/accountsec/accountsec/vocab"
)

var secret = []byte("0123456789abcdef0123456789abcdef")

const (
	ip       = "203.0.113.1"
	pw       = "Str0ng!Pass"
	idZhang  = "11010519491231002X"
	idLegal  = "440301198001010011"
	creditNo = "91440300708461136T"
)

// resources is the host's resource check: a settable inventory per
// account.
type resources struct {
	mu   sync.Mutex
	inv  map[string]lifecycle.Inventory
	fail error
}

func (r *resources) CheckResources(_ context.Context, accountID string) (lifecycle.Inventory, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.fail != nil {
		return lifecycle.Inventory{}, r.fail
	}
	return r.inv[accountID], nil
}

func (r *resources) set(accountID string, inv lifecycle.Inventory) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.inv == nil {
		r.inv = make(map[string]lifecycle.Inventory)
	}
	r.inv[accountID] = inv
}

// accountStore is the memory store whose DeleteAccount can be made to fail.
type accountStore struct {
	*memstore.Store
	mu         sync.Mutex
	failDelete error
}

func (s *accountStore) DeleteAccount(ctx context.Context, id string) (bool, error) {
	s.mu.Lock()
	err := s.failDelete
	s.mu.Unlock()
	if err != nil {
		return false, err
	}
	return s.Store.DeleteAccount(ctx, id)
}

// world is the facade on memory stores with the fakes, a host catalog
// (a host operation and a billing one) and the host's resource check.
type world struct {
	t      *testing.T
	ctx    context.Context
	clock  *fakes.Clock
	outbox *fakes.Outbox
	events *fakes.Events
	face   *fakes.HostVerifier
	res    *resources
	store  *accountStore
	svc    *accountsec.Service
	n      int
}

type option func(*accountsec.Config, *accountsec.Deps)

func newWorld(t *testing.T, opts ...option) *world {
	t.Helper()
	w := &world{
		t: t, ctx: t.Context(), clock: fakes.NewClock(fakes.Epoch), outbox: &fakes.Outbox{}, events: &fakes.Events{},
		face: &fakes.HostVerifier{}, res: &resources{}, store: &accountStore{Store: memstore.New()},
	}
	cat, err := protection.NewCatalog(
		protection.Operation{Name: "delete_bucket"},
		protection.Operation{Name: "pay_bill", Billing: true},
	)
	require.NoError(t, err)
	cfg := accountsec.Config{Secret: secret, Hashing: password.HasherConfig{Params: password.InsecureTestParams()}, Catalog: cat}
	cfg.Limits.Send.PerIPPerHour = 10000 // many accounts from one test IP
	deps := accountsec.Deps{
		Store: w.store, SMS: w.outbox, Email: w.outbox, Events: w.events.Hook, Now: w.clock.Now,
		Face: w.face, Resources: w.res,
	}
	for _, o := range opts {
		o(&cfg, &deps)
	}
	w.svc, err = accountsec.New(cfg, deps)
	require.NoError(t, err)
	require.NotNil(t, w.svc.Cancellation)
	return w
}

// user is a registered, signed-in account.
type user struct {
	acc   account.Account
	email string
	sess  protection.Session
	token string
}

// register registers an email account and signs it in.
func (w *world) register() user {
	w.t.Helper()
	w.n++
	email := fmt.Sprintf("user%d@example.com", w.n)
	w.clock.Advance(time.Minute)
	_, err := w.svc.Accounts.SendRegistrationCode(w.ctx, email, ip)
	require.NoError(w.t, err)
	acc, err := w.svc.Accounts.Register(w.ctx, account.Registration{Method: account.MethodEmail, Identifier: email, Password: pw, Code: w.outbox.LastCode(email)})
	require.NoError(w.t, err)
	res, err := w.svc.Protection.Login(w.ctx, protection.LoginRequest{Login: email, Password: pw, ClientIP: ip, DeviceName: "laptop"})
	require.NoError(w.t, err)
	require.NotNil(w.t, res.Session)
	return user{acc: acc, email: email, sess: *res.Session, token: res.Token}
}

// proof returns the proof of op for the session, verifying by the first
// offered method (a code from the outbox) when Authorize asks for it.
func (w *world) proof(s protection.Session, op string) vocab.Proof {
	w.t.Helper()
	p, err := w.svc.Protection.Authorize(w.ctx, s, op)
	var vr *vocab.VerificationRequiredError
	if errors.As(err, &vr) {
		w.clock.Advance(time.Minute)
		ch, serr := w.svc.Protection.StartVerification(w.ctx, protection.StartRequest{AccountID: s.AccountID, Binding: s.Binding(), Purpose: op, Method: vr.Methods[0], ClientIP: ip})
		require.NoError(w.t, serr)
		_, serr = w.svc.Protection.AnswerVerification(w.ctx, protection.AnswerRequest{AccountID: s.AccountID, Binding: s.Binding(), Purpose: op, Challenge: ch.ID, Answer: lastCode(w.outbox)})
		require.NoError(w.t, serr)
		p, err = w.svc.Protection.Authorize(w.ctx, s, op)
	}
	require.NoError(w.t, err)
	return p
}

// setPhone gives the account a security phone.
func (w *world) setPhone(u user, phone string) error {
	w.t.Helper()
	p := w.proof(u.sess, vocab.OpChangeSecurityPhone)
	if _, err := w.svc.Accounts.SendSecurityPhoneCode(w.ctx, p, u.acc.ID, phone, ip); err != nil {
		return err
	}
	_, err := w.svc.Accounts.ChangeSecurityPhone(w.ctx, p, u.acc.ID, phone, w.outbox.LastCode(phone))
	return err
}

// application confirms every condition and gives a reason.
func application() lifecycle.Application {
	return lifecycle.Application{
		Confirmed:   lifecycle.Conditions(),
		Reasons:     []lifecycle.Reason{lifecycle.ReasonNoLongerUsing, lifecycle.ReasonOther},
		OtherReason: "moving to another provider",
		Remark:      "thanks",
	}
}

// apply applies to cancel u's account.
func (w *world) apply(u user) lifecycle.Cancellation {
	w.t.Helper()
	w.proof(u.sess, vocab.OpApplyCancellation) // step up first
	c, err := w.svc.ApplyCancellation(w.ctx, u.sess, application())
	require.NoError(w.t, err)
	require.Equal(w.t, lifecycle.StatusChecking, c.Status)
	return c
}

// state returns the account's lifecycle state.
func (w *world) state(id string) account.State {
	w.t.Helper()
	a, err := w.svc.Accounts.Account(w.ctx, id)
	require.NoError(w.t, err)
	return a.State
}

// status returns the application's status.
func (w *world) status(id string) lifecycle.Status {
	w.t.Helper()
	c, found, err := w.svc.Cancellation.Status(w.ctx, id)
	require.NoError(w.t, err)
	require.True(w.t, found)
	return c.Status
}

// gone reports whether the account was deleted.
func (w *world) gone(id string) bool {
	w.t.Helper()
	_, err := w.svc.Accounts.Account(w.ctx, id)
	if errors.Is(err, account.ErrNotFound) {
		return true
	}
	require.NoError(w.t, err)
	return false
}

// codeOf returns the reason code of err.
func codeOf(err error) reason.Code { return reason.CodeOf(err) }

// quotas sets the quota table.
func quotas(q limits.Quotas) option {
	return func(c *accountsec.Config, _ *accountsec.Deps) { c.Limits.Quotas = q }
}

// calendar sets the host calendar.
func calendar(cal lifecycle.Calendar) option {
	return func(_ *accountsec.Config, d *accountsec.Deps) { d.Calendar = cal }
}

// lastCode is the code of the newest message.
func lastCode(o *fakes.Outbox) string {
	msgs := o.Messages()
	if len(msgs) == 0 {
		return ""
	}
	return msgs[len(msgs)-1].Code
}
