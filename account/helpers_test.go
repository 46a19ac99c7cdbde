package account_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/accountsec/accountsec/account"
	"github.com/accountsec/accountsec/account/password"
	"github.com/accountsec/accountsec/fakes"
	"github.com/accountsec/accountsec/internal/proof"
	"github.com/accountsec/accountsec/limits"
	"github.com/accountsec/accountsec/notify"
	"github.com/accountsec/accountsec/reason"
	"github.com/accountsec/accountsec/store/memstore"
	"github.com/accountsec/accountsec/vocab"
)

var testSecret = []byte("0123456789abcdef0123456789abcdef")

// Passwords that meet the console policy.
const (
	pw1 = "Passw0rd!one"
	pw2 = "Passw0rd!two"
	pw3 = "Passw0rd!three"
	pw4 = "Passw0rd!four"
)

// farFuture is when the test proofs expire: after any fake-clock advance.
var farFuture = time.Date(3000, 1, 1, 0, 0, 0, 0, time.UTC)

// allow returns a proof of op for account id, as protection would mint it.
func allow(id, op string) vocab.Proof { return proof.Mint(id, "session:test", op, farFuture) }

// allowSettings returns proofs of every settings operation for account id.
func allowSettings(id string) []vocab.Proof {
	return []vocab.Proof{
		allow(id, vocab.OpChangeLoginProtection), allow(id, vocab.OpChangeOperationProtection),
		allow(id, vocab.OpChangeRemoteLogin), allow(id, vocab.OpChangeSessionSettings),
		allow(id, vocab.OpChangeProtection),
	}
}

// loginEmailProof returns the proof SendLoginEmailCode needs for account
// id: of OpChangeLoginEmail when it has an email login method, else of
// OpBindLoginMethod.
func loginEmailProof(s *account.Service, id string) vocab.Proof {
	if a, err := s.Account(context.Background(), id); err == nil && a.HasLoginMethod(account.MethodEmail) {
		return allow(id, account.OpChangeLoginEmail)
	}
	return allow(id, account.OpBindLoginMethod)
}

// fakeWeCom authorises the subjects in allow.
type fakeWeCom struct {
	mu    sync.Mutex
	allow map[string]bool
	asked []string
}

func (w *fakeWeCom) AuthorizeWeCom(_ context.Context, accountID, subject string) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.asked = append(w.asked, accountID+"/"+subject)
	if w.allow[subject] || w.allow["*"] {
		return nil
	}
	return errors.New("administrator declined")
}

// countingStore counts the writes that changed something, so a test can
// assert that a refused request wrote nothing.
type countingStore struct {
	account.Store
	writes atomic.Int64
}

func (c *countingStore) CreateAccount(ctx context.Context, a account.Account, take []account.Take) (account.WriteResult, error) {
	res, err := c.Store.CreateAccount(ctx, a, take)
	if err == nil && res.Status == account.WriteOK {
		c.writes.Add(1)
	}
	return res, err
}

func (c *countingStore) UpdateAccount(ctx context.Context, a account.Account, take []account.Take, release []account.Slot) (account.WriteResult, error) {
	res, err := c.Store.UpdateAccount(ctx, a, take, release)
	if err == nil && res.Status == account.WriteOK {
		c.writes.Add(1)
	}
	return res, err
}

func (c *countingStore) DeleteAccount(ctx context.Context, id string) (bool, error) {
	ok, err := c.Store.DeleteAccount(ctx, id)
	if err == nil && ok {
		c.writes.Add(1)
	}
	return ok, err
}

// env is a service over memory stores, a fake clock and recording fakes.
type env struct {
	svc     *account.Service
	store   *countingStore
	clock   *fakes.Clock
	outbox  *fakes.Outbox
	events  *fakes.Events
	wecom   *fakeWeCom
	lockout *limits.Limiter
	hasher  *password.Hasher
}

var (
	hasherOnce sync.Once
	hasher     *password.Hasher
)

// testHasher is shared: it is safe for concurrent use and costs a hash to
// build.
func testHasher(t testing.TB) *password.Hasher {
	hasherOnce.Do(func() {
		h, err := password.NewHasher(password.HasherConfig{Params: password.InsecureTestParams()})
		if err != nil {
			panic(err)
		}
		hasher = h
	})
	return hasher
}

// newEnv returns a fresh environment; edit changes the Config before New.
func newEnv(t testing.TB, edit ...func(*account.Config)) *env {
	t.Helper()
	e := &env{
		store:  &countingStore{Store: memstore.NewAccountStore()},
		clock:  fakes.NewClock(fakes.Epoch),
		outbox: &fakes.Outbox{},
		events: &fakes.Events{},
		wecom:  &fakeWeCom{allow: map[string]bool{}},
		hasher: testHasher(t),
	}
	shared := memstore.New()
	codes, err := notify.NewCodes(notify.CodesConfig{
		Store: shared, SMS: e.outbox, Email: e.outbox, Secret: testSecret, Now: e.clock.Now,
	})
	require.NoError(t, err)
	e.lockout, err = limits.NewLimiter(limits.Config{Store: shared, Secret: testSecret, Now: e.clock.Now, Events: e.events.Hook}, limits.Lockout{})
	require.NoError(t, err)
	cfg := account.Config{
		Store: e.store, Hasher: e.hasher, Lockout: e.lockout, Codes: codes,
		WeCom: e.wecom, Secret: testSecret,
		Now: e.clock.Now, Events: e.events.Hook,
	}
	for _, f := range edit {
		f(&cfg)
	}
	e.svc, err = account.New(cfg)
	require.NoError(t, err)
	return e
}

func (e *env) register(t testing.TB, m account.Method, ident string) account.Account {
	t.Helper()
	a, err := e.svc.Register(context.Background(), account.Registration{Method: m, Identifier: ident})
	require.NoError(t, err)
	return a
}

func (e *env) registerEmail(t testing.TB, email, pw string) account.Account {
	t.Helper()
	ctx := context.Background()
	_, err := e.svc.SendRegistrationCode(ctx, email, "")
	require.NoError(t, err)
	a, err := e.svc.Register(ctx, account.Registration{Method: account.MethodEmail, Identifier: email, Password: pw, Code: e.code(email)})
	require.NoError(t, err)
	return a
}

func (e *env) setSecurityPhone(t testing.TB, id, phone string) account.Account {
	t.Helper()
	ctx := context.Background()
	_, err := e.svc.SendSecurityPhoneCode(ctx, allow(id, account.OpChangeSecurityPhone), id, phone, "")
	require.NoError(t, err)
	a, err := e.svc.ChangeSecurityPhone(ctx, allow(id, account.OpChangeSecurityPhone), id, phone, e.code(phone))
	require.NoError(t, err)
	return a
}

func (e *env) bind(t testing.TB, id string, m account.Method, ident string) account.Account {
	t.Helper()
	a, err := e.svc.BindLoginMethod(context.Background(), allow(id, account.OpBindLoginMethod), id, account.Binding{Method: m, Identifier: ident})
	require.NoError(t, err)
	return a
}

func (e *env) bindEmail(t testing.TB, id, email, pw string) (account.Account, error) {
	t.Helper()
	ctx := context.Background()
	_, err := e.svc.SendLoginEmailCode(ctx, loginEmailProof(e.svc, id), id, email, "")
	require.NoError(t, err)
	return e.svc.BindLoginMethod(ctx, allow(id, account.OpBindLoginMethod), id, account.Binding{Method: account.MethodEmail, Identifier: email, Password: pw, Confirm: pw, Code: e.code(email)})
}

// code returns the last code sent to the address raw (email or phone, in
// any spelling).
func (e *env) code(raw string) string {
	kind := account.KindEmail
	if strings.HasPrefix(strings.TrimSpace(raw), "+") {
		kind = account.KindPhone
	}
	n, err := account.Normalize(kind, raw)
	if err != nil {
		return ""
	}
	return e.outbox.LastCode(n)
}

func (e *env) get(t testing.TB, id string) account.Account {
	t.Helper()
	a, err := e.svc.Account(context.Background(), id)
	require.NoError(t, err)
	return a
}

func (e *env) holders(t testing.TB, scope account.Scope, kind account.Kind, v string) []string {
	t.Helper()
	h, err := e.svc.Holders(context.Background(), scope, kind, v)
	require.NoError(t, err)
	return h
}

// requireCode fails unless err carries reason code c.
func requireCode(t testing.TB, err error, c reason.Code) {
	t.Helper()
	require.Error(t, err)
	require.Containsf(t, reason.Codes(err), c, "error %v", err)
}

// methods returns the names of a's login methods.
func methods(a account.Account) []account.Method {
	out := make([]account.Method, len(a.LoginMethods))
	for i, lm := range a.LoginMethods {
		out[i] = lm.Method
	}
	return out
}

func sub(prefix string, i int) string { return fmt.Sprintf("%s%03d", prefix, i) }
