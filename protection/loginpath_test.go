package protection_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/accountsec/accountsec/account"
	"github.com/accountsec/accountsec/fakes"
	"github.com/accountsec/accountsec/internal/proof"
	"github.com/accountsec/accountsec/limits"
	"github.com/accountsec/accountsec/protection"
	"github.com/accountsec/accountsec/store/memstore"
	"github.com/accountsec/accountsec/vocab"
)

var pathSecret = []byte("0123456789abcdef0123456789abcdef")

// lazyAccounts is one account that says whether it has an MFA device only
// when asked (through protection.LazyAccounts), counting the asks; Profile
// is never called. It is the credentials and the hasher too.
type lazyAccounts struct {
	settings protection.Settings
	mfaReads atomic.Int32
	// during runs inside the password check, when set.
	during func()
}

func (a *lazyAccounts) Profile(context.Context, string) (protection.Profile, bool, error) {
	return protection.Profile{}, false, errors.New("the whole profile was read")
}

func (a *lazyAccounts) UpdateSettings(context.Context, []vocab.Proof, string, protection.SettingsChange) (bool, error) {
	return false, errors.New("not used")
}

func (a *lazyAccounts) profileWithoutMFA(_ context.Context, id string) (protection.Profile, bool, error) {
	return protection.Profile{AccountID: id, Settings: a.settings}, true, nil
}

func (a *lazyAccounts) hasMFA(context.Context, string) (bool, error) {
	a.mfaReads.Add(1)
	return true, nil
}

func (a *lazyAccounts) PasswordCredential(_ context.Context, login string) (account.Credential, bool, error) {
	if login != "alice@example.com" {
		return account.Credential{}, false, nil
	}
	return account.Credential{AccountID: "acct-alice", Hash: "right"}, true, nil
}

func (a *lazyAccounts) UpgradePasswordHash(context.Context, proof.Proof, account.Credential, string) (bool, error) {
	return false, nil
}

func (a *lazyAccounts) Verify(_ context.Context, pw, encoded string) (bool, bool, error) {
	if a.during != nil {
		a.during()
	}
	return pw == encoded, false, nil
}

func (a *lazyAccounts) VerifyDummy(context.Context, string) (bool, error) { return false, nil }

func (a *lazyAccounts) Hash(_ context.Context, pw string) (string, error) { return pw, nil }

func newPathManager(t *testing.T, counters limits.CounterStore, a *lazyAccounts) (*protection.Manager, *limits.Limiter, *fakes.Clock) {
	t.Helper()
	clock := fakes.NewClock(fakes.Epoch)
	lim, err := limits.NewLimiter(limits.Config{Store: counters, Secret: pathSecret, Now: clock.Now}, limits.Lockout{})
	require.NoError(t, err)
	lazy := protection.LazyAccounts{Accounts: a, WithoutMFA: a.profileWithoutMFA, MFARead: a.hasMFA}
	m, err := protection.New(protection.Config{
		Store: memstore.New(), Accounts: lazy, Limiter: lim, Credentials: a, Passwords: a,
		MFA: protection.MFAFunc(func(context.Context, string, string) error { return nil }), Secret: pathSecret, Now: clock.Now,
	})
	require.NoError(t, err)
	return m, lim, clock
}

// wrapped is a counter store that is not CallScoped.
type wrapped struct{ limits.CounterStore }

// The in-memory counter store is recognised as one that never waits, so a
// right password's attempt is ended in line; any other store keeps the
// concurrent end.
func TestAttemptEndsInLineOnlyOnTheMemoryStore(t *testing.T) {
	t.Parallel()
	m, _, _ := newPathManager(t, memstore.New(), &lazyAccounts{})
	assert.True(t, protection.EndsInline(m))
	m, _, _ = newPathManager(t, wrapped{memstore.New()}, &lazyAccounts{})
	assert.False(t, protection.EndsInline(m))
}

// On either path a right password gives the slot back, and an account
// locked while its password was being checked gets the lock and no
// session.
func TestRightPasswordOnEitherEndPath(t *testing.T) {
	t.Parallel()
	for name, counters := range map[string]func() limits.CounterStore{
		"in line":    func() limits.CounterStore { return memstore.New() },
		"concurrent": func() limits.CounterStore { return wrapped{memstore.New()} },
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			a := &lazyAccounts{}
			m, lim, clock := newPathManager(t, counters(), a)
			ctx := t.Context()
			res, err := m.Login(ctx, protection.LoginRequest{Login: "alice@example.com", Password: "right"})
			require.NoError(t, err)
			require.NotNil(t, res.Session)
			st, err := lim.Status(ctx, protection.AccountLockScope, "acct-alice")
			require.NoError(t, err)
			assert.Zero(t, st.Failures, "the slot was given back")

			// The check outlasts the lockout window, and wrong passwords
			// elsewhere fill the next one: the account is locked when the
			// right password is known, and this login's slot, of the old
			// window, is not given back to the new one.
			a.during = func() {
				a.during = nil
				clock.Advance(lim.Policy().Window + time.Second)
				for range lim.Policy().MaxFailures {
					at, err := lim.Begin(ctx, protection.AccountLockScope, "acct-alice")
					if err != nil {
						break
					}
					_ = at.Fail(ctx)
				}
			}
			_, err = m.Login(ctx, protection.LoginRequest{Login: "alice@example.com", Password: "right"})
			var lock *limits.LockedError
			require.ErrorAs(t, err, &lock)
			sessions, err := m.Sessions(ctx, "acct-alice")
			require.NoError(t, err)
			assert.Len(t, sessions, 1, "only the first login's session")
		})
	}
}

// A login that ends in a session at once never reads whether the account
// has an MFA device; one that asks for a second step does, and offers MFA.
func TestLoginReadsMFADeviceOnlyForASecondStep(t *testing.T) {
	t.Parallel()
	a := &lazyAccounts{}
	m, _, _ := newPathManager(t, memstore.New(), a)
	ctx := t.Context()
	res, err := m.Login(ctx, protection.LoginRequest{Login: "alice@example.com", Password: "right"})
	require.NoError(t, err)
	require.NotNil(t, res.Session)
	assert.Zero(t, a.mfaReads.Load())

	a.settings.LoginProtection = protection.MFA
	res, err = m.Login(ctx, protection.LoginRequest{Login: "alice@example.com", Password: "right"})
	require.NoError(t, err)
	require.NotNil(t, res.Pending)
	assert.Equal(t, int32(1), a.mfaReads.Load())
	assert.Equal(t, []protection.Method{protection.MFA}, res.Pending.Options.Methods())
}
