package mfa_test

import (
	"context"
	"crypto/rand"
	"encoding/base32"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"
	"github.com/stretchr/testify/require"

	"github.com/accountsec/accountsec/fakes"
	"github.com/accountsec/accountsec/internal/proof"
	"github.com/accountsec/accountsec/limits"
	"github.com/accountsec/accountsec/mfa"
	"github.com/accountsec/accountsec/store/memstore"
	"github.com/accountsec/accountsec/vocab"
)

var hostSecret = []byte("0123456789abcdef0123456789abcdef")

const account = "100012345678"

// fixture is a Manager on memstore with a fake clock, recorded events and a
// fake protection-settings owner. store reads the Manager's documents record
// by record.
type fixture struct {
	m       *mfa.Manager
	clock   *fakes.Clock
	store   mfa.StoreView
	events  *fakes.Events
	limiter *limits.Limiter
	prot    *fakeProtection
	ring    *mfa.StaticKeyring
}

// option changes the Config of a fixture before New.
type option func(*mfa.Config)

func withPolicy(p mfa.Policy) option   { return func(c *mfa.Config) { c.Policy = p } }
func withStore(s mfa.Store) option     { return func(c *mfa.Config) { c.Store = s } }
func withKeyring(k mfa.Keyring) option { return func(c *mfa.Config) { c.Keyring = k } }
func withRand(r func() []byte) option {
	return func(c *mfa.Config) { c.Rand = &prefixReader{prefix: r()} }
}
func withRealQR() option        { return func(c *mfa.Config) { c.QR = nil } }
func withoutProtection() option { return func(c *mfa.Config) { c.Protection = nil } }

func newFixture(t testing.TB, opts ...option) *fixture {
	t.Helper()
	return newFixtureAt(t, fakes.Epoch, limits.Lockout{MaxFailures: 5}, opts...)
}

func newFixtureAt(t testing.TB, start time.Time, lo limits.Lockout, opts ...option) *fixture {
	t.Helper()
	f := &fixture{clock: fakes.NewClock(start), events: &fakes.Events{}, prot: &fakeProtection{}}
	lim, err := limits.NewLimiter(limits.Config{Store: memstore.New(), Secret: hostSecret, Now: f.clock.Now, Events: f.events.Hook}, lo)
	require.NoError(t, err)
	f.limiter = lim
	f.ring, err = mfa.NewStaticKeyring("k1", map[string][]byte{"k1": []byte("0123456789abcdef0123456789abcdef")})
	require.NoError(t, err)
	cfg := mfa.Config{
		Store: memstore.New(), Keyring: f.ring, Limiter: lim, Secret: hostSecret,
		Protection: f.prot, Issuer: "Example Cloud", QR: stubQR{},
		Now: f.clock.Now, Events: f.events.Hook,
	}
	for _, o := range opts {
		o(&cfg)
	}
	f.m, err = mfa.New(cfg)
	require.NoError(t, err)
	f.store = mfa.ViewOf(f.m)
	return f
}

// stubQR keeps tests fast: rendering a real QR code takes milliseconds
// (much more under the race detector). TestEnrol and TestQRRenderer use the
// real one.
type stubQR struct{}

func (stubQR) Render(content string) ([]byte, error) { return []byte("qr:" + content), nil }

// prefixReader returns prefix first, then crypto/rand: it makes the secret
// of the next enrolment a chosen one (the RFC seeds) while IDs and nonces
// stay random.
type prefixReader struct {
	mu     sync.Mutex
	prefix []byte
}

func (r *prefixReader) Read(p []byte) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.prefix) > 0 {
		n := copy(p, r.prefix)
		r.prefix = r.prefix[n:]
		return n, nil
	}
	return rand.Read(p)
}

// farFuture is when the test proofs expire: after any fake-clock advance.
var farFuture = time.Date(3000, 1, 1, 0, 0, 0, 0, time.UTC)

// allow returns a proof of op for account id, as protection would mint it.
func allow(id, op string) vocab.Proof { return proof.Mint(id, "session:test", op, farFuture) }

// fakeProtection records DisableMFA calls.
type fakeProtection struct {
	mu    sync.Mutex
	calls []string
	fb    mfa.Fallback
	err   error
}

func (p *fakeProtection) DisableMFA(_ context.Context, _ vocab.Proof, accountID string) (mfa.Fallback, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.err != nil {
		return mfa.Fallback{}, p.err
	}
	p.calls = append(p.calls, accountID)
	return p.fb, nil
}

func (p *fakeProtection) Calls() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.calls...)
}

// phone is what an authenticator app knows after scanning an enrolment:
// it computes codes with pquerna/otp, independently of the library.
type phone struct {
	secret string // base32, no spaces
	opts   totp.ValidateOpts
}

func phoneOf(t testing.TB, e *mfa.Enrolment) phone {
	t.Helper()
	key, err := otp.NewKeyFromURL(e.URI())
	require.NoError(t, err)
	require.Equal(t, strings.ReplaceAll(e.Key(), " ", ""), key.Secret(), "the text key is the URI's secret")
	return phone{secret: key.Secret(), opts: totp.ValidateOpts{
		Period: uint(key.Period()), Digits: key.Digits(), Algorithm: algOf(e.Algorithm),
	}}
}

func phoneWithSeed(seed []byte, alg mfa.Algorithm, digits int, period time.Duration) phone {
	return phone{
		secret: base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(seed),
		opts:   totp.ValidateOpts{Period: uint(period / time.Second), Digits: otp.Digits(digits), Algorithm: algOf(alg)},
	}
}

func algOf(a mfa.Algorithm) otp.Algorithm {
	switch a {
	case mfa.SHA256:
		return otp.AlgorithmSHA256
	case mfa.SHA512:
		return otp.AlgorithmSHA512
	}
	return otp.AlgorithmSHA1
}

// code returns the phone's code at time at.
func (p phone) code(t testing.TB, at time.Time) string {
	t.Helper()
	c, err := totp.GenerateCodeCustom(p.secret, at, p.opts)
	require.NoError(t, err)
	return c
}

// bound enrols and confirms a virtual device for account at the clock's
// current time and returns the phone.
func (f *fixture) bound(t testing.TB, accountID string) phone {
	t.Helper()
	ctx := context.Background()
	e, err := f.m.Enrol(ctx, allow(accountID, vocab.OpBindMFA), accountID, "")
	require.NoError(t, err)
	p := phoneOf(t, e)
	_, err = f.m.Confirm(ctx, allow(accountID, vocab.OpBindMFA), accountID, e.DeviceID, p.code(t, f.clock.Now()), mfa.Usage{Login: true, Operation: true})
	require.NoError(t, err)
	return p
}

// failures returns the account's counted MFA failures.
func (f *fixture) failures(t testing.TB, accountID string) int {
	t.Helper()
	st, err := f.limiter.Status(context.Background(), mfa.LimiterScope, accountID)
	require.NoError(t, err)
	return st.Failures
}

// step is the 30-second time step of at.
func step(at time.Time) int64 { return at.Unix() / 30 }
