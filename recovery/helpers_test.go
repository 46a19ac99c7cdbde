package recovery_test

import (
	"context"
	"errors"
	"github.com/accountsec/accountsec/internal/proof"
	"github.com/accountsec/accountsec/vocab"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/accountsec/accountsec/account"
	"github.com/accountsec/accountsec/account/password"
	"github.com/accountsec/accountsec/fakes"
	"github.com/accountsec/accountsec/limits"
	"github.com/accountsec/accountsec/notify"
	"github.com/accountsec/accountsec/recovery"
	"github.com/accountsec/accountsec/state"
	"github.com/accountsec/accountsec/store/memstore"
)

var testSecret = []byte("0123456789abcdef0123456789abcdef")

// Passwords that meet the console policy.
const (
	pw1 = "Passw0rd!one"
	pw2 = "Passw0rd!two"
	pw3 = "Passw0rd!three"
)

var (
	hasherOnce sync.Once
	hasher     *password.Hasher
)

// testHasher is shared: it is safe for concurrent use.
func testHasher() *password.Hasher {
	hasherOnce.Do(func() {
		h, err := password.NewHasher(password.HasherConfig{Params: password.InsecureTestParams()})
		if err != nil {
			panic(err)
		}
		hasher = h
	})
	return hasher
}

// errNotVerified stands for the typed error a real Verifier returns
// (protection's *VerificationRequiredError); it has no reason code.
type errNotVerified struct{ purpose string }

func (e *errNotVerified) Error() string { return "verify first: " + e.purpose }

// verifier refuses until verify marks (account, binding) verified, and
// records what it was asked.
type verifier struct {
	mu       sync.Mutex
	verified map[[2]string]bool
	asked    [][3]string
	fail     error
}

func (v *verifier) VerifiedFor(_ context.Context, accountID, binding, purpose string) (vocab.Proof, error) {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.asked = append(v.asked, [3]string{accountID, binding, purpose})
	switch {
	case v.fail != nil:
		return vocab.Proof{}, v.fail
	case purpose == recovery.PurposeResetPassword && v.verified[[2]string{accountID, binding}]:
		return proof.Mint(accountID, binding, purpose, farFuture), nil
	}
	return vocab.Proof{}, &errNotVerified{purpose: purpose}
}

// farFuture is the end of the proofs the test verifier mints: after any
// time of the tests' clocks.
var farFuture = time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC)

// verify marks the reset p as verified, as a passed identity verification
// bound to p.Binding does.
func (v *verifier) verify(p recovery.PendingReset) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.verified == nil {
		v.verified = map[[2]string]bool{}
	}
	v.verified[[2]string{p.AccountID, p.Binding}] = true
}

func (v *verifier) questions() [][3]string {
	v.mu.Lock()
	defer v.mu.Unlock()
	return append([][3]string(nil), v.asked...)
}

// sessions records the calls of EndOtherSessions.
type sessions struct {
	mu    sync.Mutex
	calls [][3]string
	fail  error
}

func (s *sessions) EndOtherSessions(_ context.Context, accountID, keep, cause string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls = append(s.calls, [3]string{accountID, keep, cause})
	return s.fail
}

func (s *sessions) ended() [][3]string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([][3]string(nil), s.calls...)
}

// faultyResets fails the store operations named in fail: "PutReset"
// (PutRecord), "Reset" (GetRecord) and "ConsumeReset" (DeleteRecord).
type faultyResets struct {
	recovery.Store
	mu   sync.Mutex
	fail map[string]bool
}

var errStoreDown = errors.New("connection reset")

func (f *faultyResets) set(op string, on bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.fail == nil {
		f.fail = map[string]bool{}
	}
	f.fail[op] = on
}

func (f *faultyResets) failing(op string) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.fail[op]
}

func (f *faultyResets) PutRecord(ctx context.Context, r state.Record, keep int, now time.Time) error {
	if f.failing("PutReset") {
		return errStoreDown
	}
	return f.Store.PutRecord(ctx, r, keep, now)
}

func (f *faultyResets) GetRecord(ctx context.Context, set, owner, id string, now time.Time) (state.Record, bool, error) {
	if f.failing("Reset") {
		return state.Record{}, false, errStoreDown
	}
	return f.Store.GetRecord(ctx, set, owner, id, now)
}

func (f *faultyResets) DeleteRecord(ctx context.Context, set, owner, id string, now time.Time) (bool, error) {
	if f.failing("ConsumeReset") {
		return false, errStoreDown
	}
	return f.Store.DeleteRecord(ctx, set, owner, id, now)
}

// env is a Resets over memory stores, a fake clock and recording fakes.
type env struct {
	resets   *recovery.Resets
	accounts *account.Service
	store    *memstore.Store
	resetDB  *faultyResets
	clock    *fakes.Clock
	outbox   *fakes.Outbox
	events   *fakes.Events
	verifier *verifier
	sessions *sessions
}

func newEnv(t testing.TB, edit ...func(*recovery.ResetConfig)) *env {
	t.Helper()
	e := &env{
		store:    memstore.New(),
		resetDB:  &faultyResets{Store: memstore.New()},
		clock:    fakes.NewClock(fakes.Epoch),
		outbox:   &fakes.Outbox{},
		events:   &fakes.Events{},
		verifier: &verifier{},
		sessions: &sessions{},
	}
	lc := limits.Config{Store: e.store, Secret: testSecret, Now: e.clock.Now, Events: e.events.Hook}
	lockout, err := limits.NewLimiter(lc, limits.Lockout{})
	require.NoError(t, err)
	gate, err := limits.NewSendLimiter(lc, limits.Send{})
	require.NoError(t, err)
	codes, err := notify.NewCodes(notify.CodesConfig{Store: e.store, Email: e.outbox, Secret: testSecret, Now: e.clock.Now})
	require.NoError(t, err)
	e.accounts, err = account.New(account.Config{
		Store: e.store, Hasher: testHasher(), Lockout: lockout, Codes: codes,
		Secret: testSecret, Now: e.clock.Now, Events: e.events.Hook,
	})
	require.NoError(t, err)
	cfg := recovery.ResetConfig{
		Store: e.resetDB, Accounts: e.accounts, Email: e.outbox, Gate: gate,
		Verifier: e.verifier, Sessions: e.sessions, Secret: testSecret,
		Now: e.clock.Now, Events: e.events.Hook,
	}
	for _, f := range edit {
		f(&cfg)
	}
	e.resets, err = recovery.NewResets(cfg)
	require.NoError(t, err)
	return e
}

// registerEmail registers an account with a login email and password.
func (e *env) registerEmail(t testing.TB, email, pw string) account.Account {
	t.Helper()
	ctx := context.Background()
	_, err := e.accounts.SendRegistrationCode(ctx, email, "")
	require.NoError(t, err)
	a, err := e.accounts.Register(ctx, account.Registration{Method: account.MethodEmail, Identifier: email, Password: pw, Code: e.outbox.LastCode(email)})
	require.NoError(t, err)
	return a
}

// request asks for a reset of email and returns the token it mailed.
func (e *env) request(t testing.TB, email string) string {
	t.Helper()
	require.NoError(t, e.resets.Request(context.Background(), email, "198.51.100.7"))
	m, ok := e.outbox.Last(email)
	require.True(t, ok, "a message was sent to %s", email)
	require.Equal(t, notify.PurposeResetPassword, m.Purpose)
	require.True(t, recovery.ParseToken(m.Code), "the message carries a token")
	return m.Code
}

// verified looks the token up and marks its reset verified.
func (e *env) verified(t testing.TB, token string) recovery.PendingReset {
	t.Helper()
	p, err := e.resets.Lookup(context.Background(), token)
	require.NoError(t, err)
	e.verifier.verify(p)
	return p
}

func (e *env) get(t testing.TB, id string) account.Account {
	t.Helper()
	a, err := e.accounts.Account(context.Background(), id)
	require.NoError(t, err)
	return a
}

// hasPassword reports whether pw is the account's password.
func (e *env) hasPassword(t testing.TB, id, pw string) bool {
	t.Helper()
	ok, _, err := testHasher().Verify(context.Background(), pw, e.get(t, id).Password.Hash)
	require.NoError(t, err)
	return ok
}

// resetMessages returns the reset messages sent.
func (e *env) resetMessages() []notify.Message {
	var out []notify.Message
	for _, m := range e.outbox.Messages() {
		if m.Purpose == notify.PurposeResetPassword {
			out = append(out, m)
		}
	}
	return out
}

func complete(token, pw string) recovery.Completion {
	return recovery.Completion{Token: token, New: pw, Confirm: pw}
}
