package bench

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/pquerna/otp/totp"
	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/require"

	"github.com/accountsec/accountsec"
	"github.com/accountsec/accountsec/account"
	"github.com/accountsec/accountsec/account/password"
	"github.com/accountsec/accountsec/fakes"
	"github.com/accountsec/accountsec/limits"
	"github.com/accountsec/accountsec/mfa"
	"github.com/accountsec/accountsec/protection"
	"github.com/accountsec/accountsec/store/memstore"
	"github.com/accountsec/accountsec/store/pgstore"
	"github.com/accountsec/accountsec/store/redisstore"
)

var secret = []byte("bench-secret-0123456789abcdef-32")

const (
	userEmail = "bench@example.com"
	userPW    = "Sup3r!Secret"
	userIP    = "203.0.113.7"
)

// pgDSN and redisAddr return the test services' addresses. Without them a
// test fails under CI=true and skips otherwise; a benchmark skips.
func pgDSN(tb testing.TB) string     { return service(tb, "ACCOUNTSEC_PG_DSN") }
func redisAddr(tb testing.TB) string { return service(tb, "ACCOUNTSEC_REDIS_ADDR") }

func service(tb testing.TB, env string) string {
	tb.Helper()
	v := os.Getenv(env)
	if v == "" {
		if _, isTest := tb.(*testing.T); isTest && os.Getenv("CI") == "true" {
			tb.Fatalf("%s must be set under CI=true", env)
		}
		tb.Skipf("set %s to run this against the real service", env)
	}
	return v
}

func suffix(tb testing.TB) string {
	b := make([]byte, 6)
	_, err := rand.Read(b)
	require.NoError(tb, err)
	return hex.EncodeToString(b)
}

// pgPool opens a pool on a fresh schema, dropped at cleanup.
func pgPool(tb testing.TB) (*pgxpool.Pool, string) {
	ctx := context.Background()
	pool, err := pgxpool.New(ctx, pgDSN(tb))
	require.NoError(tb, err)
	schema := "bench_" + suffix(tb)
	tb.Cleanup(func() {
		_, _ = pool.Exec(context.Background(), "DROP SCHEMA IF EXISTS "+pgx.Identifier{schema}.Sanitize()+" CASCADE")
		pool.Close()
	})
	return pool, schema
}

// pgStore is a migrated pgstore on a fresh schema.
func pgStore(tb testing.TB) *pgstore.Store {
	pool, schema := pgPool(tb)
	st, err := pgstore.New(context.Background(), pool, pgstore.WithSchema(schema))
	require.NoError(tb, err)
	require.NoError(tb, st.Migrate(context.Background()))
	return st
}

// redisClient is a client of the test Redis whose keys under prefix are
// deleted at cleanup.
func redisClient(tb testing.TB, prefix string) *redis.Client {
	client := redis.NewClient(&redis.Options{Addr: redisAddr(tb), ContextTimeoutEnabled: true})
	tb.Cleanup(func() {
		ctx := context.Background()
		iter := client.Scan(ctx, 0, prefix+"*", 1000).Iterator()
		for iter.Next(ctx) {
			client.Del(ctx, iter.Val())
		}
		_ = client.Close()
	})
	return client
}

// redisStore is a redisstore under a fresh key prefix.
func redisStore(tb testing.TB) *redisstore.Store {
	prefix := "bench-" + suffix(tb) + ":"
	return redisstore.New(redisClient(tb, prefix), redisstore.WithKeyPrefix(prefix))
}

// world is the facade with a fake clock, an outbox and a cheap hasher.
type world struct {
	svc    *accountsec.Service
	clock  *fakes.Clock
	outbox *fakes.Outbox
}

// config is the facade configuration of every world: the cheapest hasher
// and a lockout limit high enough that a benchmark of wrong codes does not
// lock the account (lock tests set their own).
func config(lockout limits.Lockout) accountsec.Config {
	return accountsec.Config{
		Secret:  secret,
		Hashing: password.HasherConfig{Params: password.InsecureTestParams()},
		Limits:  limits.Policy{Lockout: lockout},
	}
}

func newWorld(tb testing.TB, cfg accountsec.Config, deps accountsec.Deps) *world {
	tb.Helper()
	w := &world{clock: fakes.NewClock(time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)), outbox: &fakes.Outbox{}}
	return w.with(tb, cfg, deps)
}

// with wires a facade on w's clock and outbox (a second instance of the
// same deployment shares them).
func (w *world) with(tb testing.TB, cfg accountsec.Config, deps accountsec.Deps) *world {
	tb.Helper()
	if deps.Store == nil && (deps.Counters == nil || deps.Sessions == nil) {
		deps.Store = memstore.New()
	}
	deps.SMS, deps.Email, deps.Now = w.outbox, w.outbox, w.clock.Now
	svc, err := accountsec.New(cfg, deps)
	require.NoError(tb, err)
	return &world{svc: svc, clock: w.clock, outbox: w.outbox}
}

// register creates the account of email with userPW.
func (w *world) register(tb testing.TB, email string) account.Account {
	tb.Helper()
	ctx := context.Background()
	_, err := w.svc.Accounts.SendRegistrationCode(ctx, email, userIP)
	require.NoError(tb, err)
	a, err := w.svc.Accounts.Register(ctx, account.Registration{Method: account.MethodEmail, Identifier: email, Password: userPW, Code: w.outbox.LastCode(email)})
	require.NoError(tb, err)
	return a
}

// login signs email in with userPW and returns the session and its token.
func (w *world) login(tb testing.TB, email string) (protection.Session, string) {
	tb.Helper()
	res, err := w.svc.Protection.Login(context.Background(), protection.LoginRequest{Login: email, Password: userPW, ClientIP: userIP, DeviceName: "laptop"})
	require.NoError(tb, err)
	require.NotNil(tb, res.Session)
	return *res.Session, res.Token
}

// enrolMFA binds a virtual MFA device (login and operation usage) to the
// session's account after an email step-up, and returns its secret.
func (w *world) enrolMFA(tb testing.TB, s protection.Session, email string) string {
	tb.Helper()
	ctx := context.Background()
	w.clock.Advance(time.Minute)
	ch, err := w.svc.Protection.StartVerification(ctx, protection.StartRequest{AccountID: s.AccountID, Binding: s.Binding(), Purpose: protection.OpBindMFA, Method: protection.Email, ClientIP: userIP})
	require.NoError(tb, err)
	_, err = w.svc.Protection.AnswerVerification(ctx, protection.AnswerRequest{AccountID: s.AccountID, Binding: s.Binding(), Purpose: protection.OpBindMFA, Challenge: ch.ID, Answer: w.outbox.LastCode(email)})
	require.NoError(tb, err)
	enr, err := w.svc.EnrolMFA(ctx, s, "bench")
	require.NoError(tb, err)
	key := strings.ReplaceAll(enr.Key(), " ", "")
	w.clock.Advance(30 * time.Second)
	code, err := totp.GenerateCode(key, w.clock.Now())
	require.NoError(tb, err)
	_, err = w.svc.EnableMFA(ctx, s, enr.DeviceID, code, mfa.Usage{Login: true, Operation: true})
	require.NoError(tb, err)
	return key
}
