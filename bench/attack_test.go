package bench

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/accountsec/accountsec"
	"github.com/accountsec/accountsec/account"
	"github.com/accountsec/accountsec/limits"
	"github.com/accountsec/accountsec/mfa"
	"github.com/accountsec/accountsec/protection"
	"github.com/accountsec/accountsec/reason"
	"github.com/accountsec/accountsec/recovery"
	"github.com/accountsec/accountsec/store/memstore"
	"github.com/accountsec/accountsec/store/pgstore"
	"github.com/accountsec/accountsec/store/redisstore"
)

// The attack harness: bounded bursts from many goroutines against one
// account, through two facade instances sharing their stores as two
// replicas of a service would, on memstore and on PostgreSQL with Redis for
// hot state (loopback only; never skipped under CI=true).

const (
	attackers   = 40 // goroutines per replica
	maxFailures = 10 // the lockout limit of every attack
	newPassword = "N3w!Passw0rd"
)

// replicas are two facades over the same stores, with one clock and outbox.
type replicas [2]*world

// deployments returns the two deployments an attack runs on.
func deployments() map[string]func(t *testing.T) replicas {
	cfg := config(limits.Lockout{MaxFailures: maxFailures})
	return map[string]func(t *testing.T) replicas{
		"memstore": func(t *testing.T) replicas {
			st := memstore.New()
			a := newWorld(t, cfg, accountsec.Deps{Store: st})
			return replicas{a, a.with(t, cfg, accountsec.Deps{Store: st})}
		},
		"postgres+redis": func(t *testing.T) replicas {
			ctx := context.Background()
			pool, schema := pgPool(t)
			pg1, err := pgstore.New(ctx, pool, pgstore.WithSchema(schema))
			require.NoError(t, err)
			require.NoError(t, pg1.Migrate(ctx))
			pool2, _ := pgPool(t)
			pg2, err := pgstore.New(ctx, pool2, pgstore.WithSchema(schema))
			require.NoError(t, err)
			prefix := "attack-" + suffix(t) + ":"
			rd1 := redisstore.New(redisClient(t, prefix), redisstore.WithKeyPrefix(prefix))
			rd2 := redisstore.New(redisClient(t, prefix), redisstore.WithKeyPrefix(prefix))
			deps := func(pg *pgstore.Store, rd *redisstore.Store) accountsec.Deps {
				return accountsec.Deps{Store: pg, Counters: rd, Codes: rd, Sessions: rd, Resets: rd}
			}
			a := newWorld(t, cfg, deps(pg1, rd1))
			return replicas{a, a.with(t, cfg, deps(pg2, rd2))}
		},
	}
}

// burst runs attack from attackers goroutines on each replica at once.
func (r replicas) burst(attack func(w *world)) {
	var wg sync.WaitGroup
	start := make(chan struct{})
	for _, w := range r {
		for range attackers {
			wg.Go(func() {
				<-start
				attack(w)
			})
		}
	}
	close(start)
	wg.Wait()
}

// hashes is the number of key derivations both replicas have run.
func (r replicas) hashes() uint64 {
	return r[0].svc.Passwords.Computed() + r[1].svc.Passwords.Computed()
}

func TestAttacks(t *testing.T) {
	for name, deploy := range deployments() {
		t.Run(name, func(t *testing.T) {
			t.Run("CredentialStuffing", func(t *testing.T) { credentialStuffing(t, deploy(t)) })
			t.Run("TOTPBruteForce", func(t *testing.T) { totpBruteForce(t, deploy(t)) })
			t.Run("TOTPCodeRace", func(t *testing.T) { totpCodeRace(t, deploy(t)) })
			t.Run("ResetTokenRace", func(t *testing.T) { resetTokenRace(t, deploy(t)) })
			t.Run("RegistrationCodeRace", func(t *testing.T) { registrationCodeRace(t, deploy(t)) })
		})
	}
}

// credentialStuffing: 80 wrong passwords at once against one account
// compute exactly maxFailures hashes; every other attempt is refused as
// locked before hashing, and the right password is refused too.
func credentialStuffing(t *testing.T, r replicas) {
	r[0].register(t, userEmail)
	ctx := context.Background()
	before := r.hashes()
	var wrong, locked, other atomic.Int64
	r.burst(func(w *world) {
		_, err := w.svc.Protection.Login(ctx, protection.LoginRequest{Login: userEmail, Password: "Wr0ng!guess", ClientIP: "198.51.100.9"})
		switch {
		case errors.Is(err, protection.ErrWrongCredentials):
			wrong.Add(1)
		case errors.Is(err, limits.ErrLocked):
			locked.Add(1)
		default:
			other.Add(1)
		}
	})
	assert.Equal(t, uint64(maxFailures), r.hashes()-before, "hashes computed")
	assert.Equal(t, int64(maxFailures), wrong.Load(), "wrong passwords evaluated")
	assert.Equal(t, int64(2*attackers-maxFailures), locked.Load(), "refused as locked")
	assert.Zero(t, other.Load())
	_, err := r[1].svc.Protection.Login(ctx, protection.LoginRequest{Login: userEmail, Password: userPW, ClientIP: userIP})
	assert.ErrorIs(t, err, limits.ErrLocked, "the right password waits for the lock too")
	assert.Equal(t, uint64(maxFailures), r.hashes()-before, "and computes no hash")
}

// mfaAccount registers the user with an MFA device and returns the
// account ID and the TOTP secret.
func mfaAccount(t *testing.T, w *world) (string, string) {
	a := w.register(t, userEmail)
	s, _ := w.login(t, userEmail)
	secret := w.enrolMFA(t, s, userEmail)
	w.clock.Advance(time.Minute)
	return a.ID, secret
}

// code is the authenticator's code now.
func code(t *testing.T, w *world, secret string) string {
	c, err := totp.GenerateCode(secret, w.clock.Now())
	require.NoError(t, err)
	return c
}

// totpBruteForce: 80 wrong codes at once: exactly maxFailures are checked,
// the rest are refused as locked, and then the right code is refused too.
func totpBruteForce(t *testing.T, r replicas) {
	id, secret := mfaAccount(t, r[0])
	ctx := context.Background()
	right := code(t, r[0], secret)
	var guess atomic.Int64
	var evaluated, locked, other atomic.Int64
	r.burst(func(w *world) {
		var g string
		for {
			g = fmt.Sprintf("%06d", guess.Add(1))
			if g != right && !matchesWindow(secret, g, w.clock.Now()) {
				break
			}
		}
		_, err := w.svc.MFA.Verify(ctx, id, g)
		switch {
		case errors.Is(err, mfa.ErrMismatch):
			evaluated.Add(1)
		case errors.Is(err, limits.ErrLocked):
			locked.Add(1)
		default:
			other.Add(1)
		}
	})
	assert.Equal(t, int64(maxFailures), evaluated.Load(), "guesses evaluated before the lock")
	assert.Equal(t, int64(2*attackers-maxFailures), locked.Load())
	assert.Zero(t, other.Load())
	_, err := r[1].svc.MFA.Verify(ctx, id, right)
	assert.ErrorIs(t, err, limits.ErrLocked, "the right code waits for the lock too")
}

// matchesWindow reports whether guess is the code of a step within the
// default skew of now.
func matchesWindow(secret, guess string, now time.Time) bool {
	for _, d := range []time.Duration{-30 * time.Second, 0, 30 * time.Second} {
		if c, err := totp.GenerateCode(secret, now.Add(d)); err == nil && c == guess {
			return true
		}
	}
	return false
}

// totpCodeRace: one right code submitted 80 times at once is accepted once;
// the others are replays.
func totpCodeRace(t *testing.T, r replicas) {
	id, secret := mfaAccount(t, r[0])
	ctx := context.Background()
	right := code(t, r[0], secret)
	var ok, replayed, other atomic.Int64
	r.burst(func(w *world) {
		_, err := w.svc.MFA.Verify(ctx, id, right)
		switch {
		case err == nil:
			ok.Add(1)
		case errors.Is(err, mfa.ErrReplayed):
			replayed.Add(1)
		default:
			other.Add(1)
		}
	})
	assert.Equal(t, int64(1), ok.Load(), "accepted once")
	// Each replay counts as a failure: past the limit, locked.
	assert.Equal(t, int64(2*attackers-1), replayed.Load()+other.Load())
	assert.LessOrEqual(t, replayed.Load(), int64(maxFailures))
}

// resetTokenRace: one verified reset link completed 80 times at once sets
// the password once.
func resetTokenRace(t *testing.T, r replicas) {
	id, secret := mfaAccount(t, r[0])
	ctx := context.Background()
	w := r[0]
	require.NoError(t, w.svc.Resets.Request(ctx, userEmail, userIP))
	token := w.outbox.LastCode(userEmail)
	pending, err := w.svc.Resets.Lookup(ctx, token)
	require.NoError(t, err)
	ch, err := w.svc.Protection.StartVerification(ctx, protection.StartRequest{AccountID: id, Binding: pending.Binding, Purpose: protection.OpResetPassword})
	require.NoError(t, err)
	w.clock.Advance(30 * time.Second)
	_, err = w.svc.Protection.AnswerVerification(ctx, protection.AnswerRequest{AccountID: id, Binding: pending.Binding, Purpose: protection.OpResetPassword, Challenge: ch.ID, Answer: code(t, w, secret)})
	require.NoError(t, err)
	var ok, invalid, other atomic.Int64
	r.burst(func(w *world) {
		_, err := w.svc.Resets.Complete(ctx, recovery.Completion{Token: token, New: newPassword, Confirm: newPassword})
		switch {
		case err == nil:
			ok.Add(1)
		case errors.Is(err, recovery.ErrTokenInvalid), reason.CodeOf(err) == reason.PasswordReused,
			errors.As(err, new(*protection.VerificationRequiredError)):
			// A completion that reads the account after the winner's
			// write finds the new password in the history before it
			// finds the token spent, and one that comes after the
			// winner ended every session and grant finds the reset's
			// verification gone; either way it writes nothing.
			invalid.Add(1)
		default:
			other.Add(1)
			t.Log(err)
		}
	})
	assert.Equal(t, int64(1), ok.Load(), "completed once")
	assert.Equal(t, int64(2*attackers-1), invalid.Load())
	assert.Zero(t, other.Load())
	_, err = r[1].svc.Protection.Login(ctx, protection.LoginRequest{Login: userEmail, Password: newPassword, ClientIP: userIP})
	assert.NoError(t, err, "the new password signs in")
}

// registrationCodeRace: one registration code used 80 times at once (other
// passwords, one email) creates one account.
func registrationCodeRace(t *testing.T, r replicas) {
	ctx := context.Background()
	w := r[0]
	_, err := w.svc.Accounts.SendRegistrationCode(ctx, userEmail, userIP)
	require.NoError(t, err)
	c := w.outbox.LastCode(userEmail)
	var ok atomic.Int64
	r.burst(func(w *world) {
		if _, err := w.svc.Accounts.Register(ctx, account.Registration{Method: account.MethodEmail, Identifier: userEmail, Password: userPW, Code: c}); err == nil {
			ok.Add(1)
		}
	})
	assert.Equal(t, int64(1), ok.Load(), "registered once")
	holders, err := r[1].svc.Accounts.Holders(ctx, account.ScopeBind, account.KindEmail, userEmail)
	require.NoError(t, err)
	assert.Len(t, holders, 1)
}
