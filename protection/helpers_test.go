package protection_test

import (
	"context"
	"crypto/subtle"
	"errors"
	"github.com/accountsec/accountsec/account"
	"github.com/accountsec/accountsec/internal/proof"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/accountsec/accountsec/account/password"
	"github.com/accountsec/accountsec/event"
	"github.com/accountsec/accountsec/fakes"
	"github.com/accountsec/accountsec/limits"
	"github.com/accountsec/accountsec/notify"
	"github.com/accountsec/accountsec/protection"
	"github.com/accountsec/accountsec/reason"
	"github.com/accountsec/accountsec/store/memstore"
	"github.com/accountsec/accountsec/vocab"
)

var secret = []byte("0123456789abcdef0123456789abcdef")

// The test account.
const (
	aliceID    = "100000000001"
	aliceLogin = "alice@example.com"
	alicePW    = "Correct-horse1!"
	alicePhone = "+8613800138000"
	aliceEmail = "alice.security@example.com"
	aliceMFA   = "246810"
	bobID      = "100000000002"
	bobLogin   = "bob@example.com"
)

// accounts is an in-memory Accounts and Credentials.
type accounts struct {
	mu       sync.Mutex
	profiles map[string]protection.Profile
	logins   map[string][2]string // login → account ID, hash
	fail     error
	upgrades int
}

func (a *accounts) Profile(_ context.Context, id string) (protection.Profile, bool, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.fail != nil {
		return protection.Profile{}, false, a.fail
	}
	p, ok := a.profiles[id]
	return p, ok, nil
}

func (a *accounts) UpdateSettings(_ context.Context, _ []vocab.Proof, id string, c protection.SettingsChange) (bool, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.fail != nil {
		return false, a.fail
	}
	p, ok := a.profiles[id]
	if !ok {
		return false, nil
	}
	p.Settings = c.Apply(p.Settings)
	a.profiles[id] = p
	return true, nil
}

func (a *accounts) PasswordCredential(_ context.Context, login string) (account.Credential, bool, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.fail != nil {
		return account.Credential{}, false, a.fail
	}
	v, ok := a.logins[strings.ToLower(strings.TrimSpace(login))]
	return account.Credential{AccountID: v[0], Hash: v[1]}, ok, nil
}

// UpgradePasswordHash stores fresh as the login's hash when p proves the
// upgrade, and counts the upgrades.
func (a *accounts) UpgradePasswordHash(_ context.Context, p proof.Proof, c account.Credential, fresh string) (bool, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if !p.Valid(c.AccountID, account.OpUpgradePasswordHash, p.ExpiresAt().Add(-time.Second)) {
		return false, errors.New("upgrade without its proof")
	}
	for login, v := range a.logins {
		if v[0] == c.AccountID && v[1] == c.Hash {
			a.logins[login] = [2]string{v[0], fresh}
			a.upgrades++
			return true, nil
		}
	}
	return false, nil
}

// update changes an account's profile.
func (a *accounts) update(id string, f func(*protection.Profile)) {
	a.mu.Lock()
	defer a.mu.Unlock()
	p := a.profiles[id]
	f(&p)
	a.profiles[id] = p
}

func (a *accounts) failWith(err error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.fail = err
}

// hasher is a PasswordVerifier without hashing cost: a stored hash is
// "fake$" followed by the password. It counts the checks it makes.
type hasher struct {
	checks atomic.Int32
	hashes atomic.Int32
	rehash bool
}

func (h *hasher) Verify(_ context.Context, pw, encoded string) (bool, bool, error) {
	h.checks.Add(1)
	ok := subtle.ConstantTimeCompare([]byte("fake$"+pw), []byte(encoded)) == 1
	return ok, ok && h.rehash, nil
}

func (h *hasher) VerifyDummy(_ context.Context, _ string) (bool, error) {
	h.checks.Add(1)
	return false, nil
}

func (h *hasher) Hash(_ context.Context, pw string) (string, error) {
	h.hashes.Add(1)
	return "fake$" + pw, nil
}

// codeStore wraps a notify.CodeStore and fails the operations named in
// failing.
type codeStore struct {
	notify.CodeStore
	mu      sync.Mutex
	failing map[string]bool
}

func (s *codeStore) failOn(op string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.failing == nil {
		s.failing = make(map[string]bool)
	}
	s.failing[op] = true
}

func (s *codeStore) injected(op string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.failing[op] {
		return fakes.ErrInjected
	}
	return nil
}

func (s *codeStore) ConsumeCode(ctx context.Context, key string, hash []byte, now time.Time) (notify.Outcome, int, error) {
	if err := s.injected("ConsumeCode"); err != nil {
		return notify.Missing, 0, err
	}
	return s.CodeStore.ConsumeCode(ctx, key, hash, now)
}

func (s *codeStore) PutCode(ctx context.Context, key string, rec notify.CodeRecord, now time.Time) error {
	if err := s.injected("PutCode"); err != nil {
		return err
	}
	return s.CodeStore.PutCode(ctx, key, rec, now)
}

// env is a Manager with every dependency faked and reachable.
type env struct {
	clock    *fakes.Clock
	store    *fakes.StateStore
	mem      *memstore.Store
	counters *fakes.CounterStore
	codes    *codeStore
	accounts *accounts
	hasher   *hasher
	outbox   *fakes.Outbox
	mfa      *fakes.MFA
	host     *fakes.HostVerifier
	geo      *fakes.Geo
	events   *fakes.Events
	limiter  *limits.Limiter
	cfg      protection.Config
	m        *protection.Manager
}

// option changes the Config before New.
type option func(*protection.Config)

// newEnv returns an env with alice (every method but face, no protection
// on) and bob (SMS only).
func newEnv(t testing.TB, opts ...option) *env {
	t.Helper()
	e := &env{
		clock:    fakes.NewClock(fakes.Epoch),
		mem:      memstore.New(),
		counters: &fakes.CounterStore{Store: memstore.New()},
		codes:    &codeStore{CodeStore: memstore.New()},
		hasher:   &hasher{},
		outbox:   &fakes.Outbox{},
		mfa:      &fakes.MFA{},
		host:     &fakes.HostVerifier{},
		geo:      fakes.NewGeo(map[string]string{"203.0.113.1": "Hangzhou", "198.51.100.2": "Beijing", "192.0.2.3": "Shenzhen"}),
		events:   &fakes.Events{},
	}
	e.store = &fakes.StateStore{Store: e.mem}
	e.accounts = &accounts{
		profiles: map[string]protection.Profile{
			aliceID: {SecurityPhone: alicePhone, SecurityEmail: aliceEmail, HasMFA: true, HasWeChat: true},
			bobID:   {SecurityPhone: "+8613900139000"},
		},
		logins: map[string][2]string{
			aliceLogin: {aliceID, "fake$" + alicePW},
			bobLogin:   {bobID, "fake$bob-Password1"},
		},
	}
	e.mfa.SetCode(aliceID, aliceMFA)
	lim, err := limits.NewLimiter(limits.Config{Store: e.counters, Secret: secret, Now: e.clock.Now}, limits.Lockout{})
	require.NoError(t, err)
	e.limiter = lim
	codes, err := notify.NewCodes(notify.CodesConfig{Store: e.codes, SMS: e.outbox, Email: e.outbox, Secret: secret, Now: e.clock.Now})
	require.NoError(t, err)
	cfg := protection.Config{
		Store: e.store, Accounts: e.accounts, Limiter: lim,
		Credentials: e.accounts, Passwords: e.hasher, Codes: codes,
		MFA: e.mfa, WeChat: e.host, Face: e.host, Geo: e.geo,
		Secret: secret, Events: e.events.Hook, Now: e.clock.Now,
	}
	e.cfg = cfg
	e.with(t, opts...)
	return e
}

// with changes the Config and builds a new Manager on the same state.
func (e *env) with(t testing.TB, opts ...option) {
	t.Helper()
	for _, o := range opts {
		o(&e.cfg)
	}
	m, err := protection.New(e.cfg)
	require.NoError(t, err)
	e.m = m
}

// lockout rebuilds the Manager with a limiter of lockout policy p.
func (e *env) lockout(t testing.TB, p limits.Lockout) {
	t.Helper()
	lim, err := limits.NewLimiter(limits.Config{Store: e.counters, Secret: secret, Now: e.clock.Now}, p)
	require.NoError(t, err)
	e.limiter = lim
	e.with(t, func(c *protection.Config) { c.Limiter = lim })
}

// settings sets an account's protection settings.
func (e *env) settings(id string, f func(*protection.Settings)) {
	e.accounts.update(id, func(p *protection.Profile) { f(&p.Settings) })
}

// login logs alice in from ip with the password and returns the result.
func (e *env) login(t testing.TB, ip, deviceToken string) protection.LoginResult {
	t.Helper()
	res, err := e.m.Login(t.Context(), protection.LoginRequest{Login: aliceLogin, Password: alicePW, ClientIP: ip, DeviceToken: deviceToken, DeviceName: "Firefox on Linux"})
	require.NoError(t, err)
	return res
}

// session logs alice in (no protection asks for more) and returns the
// session and its token.
func (e *env) session(t testing.TB) (protection.Session, string) {
	t.Helper()
	res := e.login(t, "203.0.113.1", "")
	require.NotNil(t, res.Session, "the login needs no second step")
	return *res.Session, res.Token
}

// complete answers a pending login by SMS.
func (e *env) completeBySMS(t testing.TB, p *protection.Pending, trust bool) protection.LoginResult {
	t.Helper()
	require.NotNil(t, p, "the login is pending")
	c, err := e.m.StartLoginChallenge(t.Context(), p.Token, protection.SMS, "203.0.113.1")
	require.NoError(t, err)
	res, err := e.m.CompleteLogin(t.Context(), protection.CompleteRequest{PendingToken: p.Token, Challenge: c.ID, Answer: e.outbox.LastCode(alicePhone), TrustDevice: trust})
	require.NoError(t, err)
	require.NotNil(t, res.Session)
	return res
}

// stepUp verifies alice in session s for op by SMS.
func (e *env) stepUp(t testing.TB, s protection.Session, op string) protection.Verification {
	t.Helper()
	c, err := e.m.StartVerification(t.Context(), protection.StartRequest{AccountID: s.AccountID, Binding: s.Binding(), Purpose: op, Method: protection.SMS})
	require.NoError(t, err)
	v, err := e.m.AnswerVerification(t.Context(), protection.AnswerRequest{
		AccountID: s.AccountID, Binding: s.Binding(), Purpose: op, Challenge: c.ID, Answer: e.outbox.LastCode(alicePhone),
	})
	require.NoError(t, err)
	return v
}

// requireVerificationRequired fails unless err is a
// *VerificationRequiredError and returns it.
func requireVerificationRequired(t testing.TB, err error) *protection.VerificationRequiredError {
	t.Helper()
	var vr *protection.VerificationRequiredError
	require.ErrorAs(t, err, &vr)
	require.ErrorIs(t, err, protection.ErrVerificationRequired)
	return vr
}

// requireStoreError fails unless err is a store failure and not a
// credentials error.
func requireStoreError(t testing.TB, err error) {
	t.Helper()
	require.Error(t, err)
	require.ErrorIs(t, err, reason.ErrStoreUnavailable)
	require.NotErrorIs(t, err, protection.ErrWrongCredentials)
	require.False(t, errors.Is(err, protection.ErrSessionInvalid))
}

// eventsOf returns the recorded events of kind k, oldest first.
func eventsOf(e *env, k event.Kind) []event.Event {
	var out []event.Event
	for _, ev := range e.events.All() {
		if ev.Kind == k {
			out = append(out, ev)
		}
	}
	return out
}

// The library's own types implement the consumer interfaces directly.
var (
	_ protection.CodeSender       = (*notify.Codes)(nil)
	_ protection.PasswordVerifier = (*password.Hasher)(nil)
)
