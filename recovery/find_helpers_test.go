package recovery_test

import (
	"context"
	"encoding/json"
	mrand "math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/accountsec/accountsec/account"
	"github.com/accountsec/accountsec/fakes"
	"github.com/accountsec/accountsec/internal/proof"
	"github.com/accountsec/accountsec/limits"
	"github.com/accountsec/accountsec/notify"
	"github.com/accountsec/accountsec/protection"
	"github.com/accountsec/accountsec/recovery"
	"github.com/accountsec/accountsec/state"
	"github.com/accountsec/accountsec/store/memstore"
)

// Identifiers of the find tests.
const (
	phoneA   = "+8613800138000"
	phoneB   = "+8613900139000"
	domain   = "shop.example.com"
	icpNo    = "粤ICP备12345678号"
	icpSite  = "shop-icp.example.cn"
	cloudIP  = "203.0.113.7"
	lightIP  = "2001:db8::7"
	idNumber = "11010519491231002X"
	person   = "张三"
	clientIP = "198.51.100.7"
)

// counting counts what a Finder does: account reads, holder look-ups,
// gate calls and session writes, so tests can compare the work of two
// paths.
type counting struct {
	mu     sync.Mutex
	counts map[string]int
}

func (c *counting) add(op string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.counts == nil {
		c.counts = map[string]int{}
	}
	c.counts[op]++
}

func (c *counting) snapshot() map[string]int {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := map[string]int{}
	for k, v := range c.counts {
		out[k] = v
	}
	return out
}

type countedAccounts struct {
	*account.Service
	c *counting
}

func (a countedAccounts) Account(ctx context.Context, id string) (account.Account, error) {
	a.c.add("account")
	return a.Service.Account(ctx, id)
}

func (a countedAccounts) Holders(ctx context.Context, scope account.Scope, kind account.Kind, raw string) ([]string, error) {
	a.c.add("holders")
	return a.Service.Holders(ctx, scope, kind, raw)
}

type countedGate struct {
	notify.Gate
	c *counting
}

func (g countedGate) Allow(ctx context.Context, channel, destination, ip string) error {
	g.c.add("gate:" + channel)
	return g.Gate.Allow(ctx, channel, destination, ip)
}

type countedOnces struct {
	state.Onces
	c *counting
}

func (o countedOnces) PutOnce(ctx context.Context, r state.Once, now time.Time) (bool, error) {
	o.c.add("put")
	return o.Onces.PutOnce(ctx, r, now)
}

func (o countedOnces) GetOnce(ctx context.Context, id string, now time.Time) (state.Once, bool, error) {
	o.c.add("get")
	return o.Onces.GetOnce(ctx, id, now)
}

func (o countedOnces) TakeOnce(ctx context.Context, id string, now time.Time) (state.Once, bool, error) {
	o.c.add("take")
	return o.Onces.TakeOnce(ctx, id, now)
}

// findEnv is a Finder over memory stores, a fake clock, recording fakes
// and a seeded random source: two findEnvs built alike draw the same
// tokens, so their answers can be compared byte for byte.
type findEnv struct {
	finder     *recovery.Finder
	accounts   *account.Service
	store      *memstore.Store
	clock      *fakes.Clock
	outbox     *fakes.Outbox
	events     *fakes.Events
	assets     *fakes.Assets
	faces      *fakes.HostVerifier
	identities *fakes.IdentityFaces
	lockout    *limits.Limiter
	work       *counting
}

func newFindEnv(t testing.TB, edit ...func(*recovery.FindConfig)) *findEnv {
	t.Helper()
	e := &findEnv{
		store: memstore.New(), clock: fakes.NewClock(fakes.Epoch), outbox: &fakes.Outbox{},
		events: &fakes.Events{}, assets: &fakes.Assets{}, faces: &fakes.HostVerifier{},
		identities: &fakes.IdentityFaces{}, work: &counting{},
	}
	lc := limits.Config{Store: e.store, Secret: testSecret, Now: e.clock.Now, Events: e.events.Hook}
	var err error
	e.lockout, err = limits.NewLimiter(lc, limits.Lockout{})
	require.NoError(t, err)
	gate, err := limits.NewSendLimiter(lc, limits.Send{})
	require.NoError(t, err)
	codes, err := notify.NewCodes(notify.CodesConfig{Store: e.store, SMS: e.outbox, Email: e.outbox, Secret: testSecret, Now: e.clock.Now})
	require.NoError(t, err)
	e.accounts, err = account.New(account.Config{
		Store: e.store, Hasher: testHasher(), Lockout: e.lockout, Codes: codes,
		Secret: testSecret, Now: e.clock.Now, Events: e.events.Hook,
	})
	require.NoError(t, err)
	cfg := recovery.FindConfig{
		Store: countedOnces{e.store, e.work}, Accounts: countedAccounts{e.accounts, e.work}, SMS: e.outbox,
		Gate: gate, Limiter: e.lockout, Assets: e.assets, Faces: e.faces,
		Identities: e.identities, Secret: testSecret, Now: e.clock.Now,
		Rand: mrand.NewChaCha8([32]byte{7}), Events: e.events.Hook,
	}
	for _, f := range edit {
		f(&cfg)
	}
	cfg.Gate = countedGate{cfg.Gate, e.work}
	e.finder, err = recovery.NewFinder(cfg)
	require.NoError(t, err)
	return e
}

// register registers an account by QQ (no code needed) with a security
// phone when phone is not empty.
func (e *findEnv) register(t testing.TB, subject, phone string) account.Account {
	t.Helper()
	ctx := context.Background()
	a, err := e.accounts.Register(ctx, account.Registration{Method: account.MethodQQ, Identifier: subject})
	require.NoError(t, err)
	if phone == "" {
		return a
	}
	p := proof.Mint(a.ID, "session:test", account.OpChangeSecurityPhone, farFuture)
	_, err = e.accounts.SendSecurityPhoneCode(ctx, p, a.ID, phone, "")
	require.NoError(t, err)
	a, err = e.accounts.ChangeSecurityPhone(ctx, p, a.ID, phone, e.outbox.LastCode(phone))
	require.NoError(t, err)
	e.clock.Advance(2 * time.Minute) // past the send interval of the code
	return a
}

// verifyPerson records a personal real-name verification.
func (e *findEnv) verifyPerson(t testing.TB, id, name, number string) {
	t.Helper()
	_, err := e.accounts.RecordPersonal(context.Background(), id, account.PersonalIdentity{Name: name, IDNumber: number})
	require.NoError(t, err)
}

// infos returns the SMS messages that carried account information.
func (e *findEnv) infos() []notify.Message {
	var out []notify.Message
	for _, m := range e.outbox.Messages() {
		if m.Purpose == notify.PurposeRecoverAccount {
			out = append(out, m)
		}
	}
	return out
}

// jsonOf encodes a public answer (or an error's code and message) as the
// host would send it.
func jsonOf(t testing.TB, v any, err error) string {
	t.Helper()
	if err != nil {
		return "error: " + err.Error()
	}
	b, jerr := json.Marshal(v)
	require.NoError(t, jerr)
	return string(b)
}

// confirmFace confirms the newest face check of either kind.
func (e *findEnv) confirmFace(identity bool) {
	if identity {
		e.identities.Confirm(e.identities.LastTicket())
		return
	}
	e.faces.Confirm(e.faces.LastTicket())
}

func (e *findEnv) rejectFace(identity bool) {
	if identity {
		e.identities.Reject(e.identities.LastTicket())
		return
	}
	e.faces.Reject(e.faces.LastTicket())
}

var _ protection.FaceVerifier = (*fakes.HostVerifier)(nil)
