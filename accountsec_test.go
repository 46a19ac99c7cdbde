package accountsec_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/crypto/bcrypt"

	"github.com/accountsec/accountsec"
	"github.com/accountsec/accountsec/account/password"
	"github.com/accountsec/accountsec/fakes"
	"github.com/accountsec/accountsec/limits"
	"github.com/accountsec/accountsec/notify"
	"github.com/accountsec/accountsec/reason"
	"github.com/accountsec/accountsec/store/memstore"
)

var secret = []byte("0123456789abcdef0123456789abcdef")

func newService(t *testing.T, deps accountsec.Deps) (*accountsec.Service, *fakes.Clock) {
	t.Helper()
	clock := fakes.NewClock(fakes.Epoch)
	if deps.Now == nil {
		deps.Now = clock.Now
	}
	svc, err := accountsec.New(accountsec.Config{Secret: secret, Hashing: password.HasherConfig{Params: password.InsecureTestParams()}}, deps)
	require.NoError(t, err)
	return svc, clock
}

func TestNewRefusesBadPolicy(t *testing.T) {
	t.Parallel()
	_, err := accountsec.New(accountsec.Config{Secret: secret, Limits: limits.Policy{Lockout: limits.Lockout{MaxFailures: -3}}}, accountsec.Deps{})
	require.ErrorIs(t, err, reason.New(reason.PolicyInvalid))
	assert.Contains(t, err.Error(), "limits.Policy.Lockout.MaxFailures")
	_, err = accountsec.New(accountsec.Config{}, accountsec.Deps{})
	require.ErrorIs(t, err, reason.New(reason.PolicyInvalid), "a secret is required")
}

func TestCheckPassword(t *testing.T) {
	t.Parallel()
	svc, clock := newService(t, accountsec.Deps{})
	ctx := context.Background()
	hash, err := svc.Passwords.Hash(ctx, "Str0ng!Pass")
	require.NoError(t, err)

	_, err = svc.CheckPassword(ctx, "alice", "Str0ng!Pass", hash)
	require.NoError(t, err)
	_, err = svc.CheckPassword(ctx, "alice", "nope", hash)
	require.ErrorIs(t, err, accountsec.ErrWrongPassword)
	_, err = svc.CheckPassword(ctx, "nobody", "Str0ng!Pass", "")
	require.ErrorIs(t, err, accountsec.ErrWrongPassword, "an unknown login looks like a wrong password")

	for range 9 {
		_, _ = svc.CheckPassword(ctx, "alice", "nope", hash)
	}
	_, err = svc.CheckPassword(ctx, "alice", "Str0ng!Pass", hash)
	var le *limits.LockedError
	require.ErrorAs(t, err, &le)
	assert.Equal(t, fakes.Epoch.Add(30*time.Minute), le.Until)
	clock.Advance(30 * time.Minute)
	_, err = svc.CheckPassword(ctx, "alice", "Str0ng!Pass", hash)
	require.NoError(t, err)
}

func TestCheckPasswordUpgradesBcrypt(t *testing.T) {
	t.Parallel()
	svc, _ := newService(t, accountsec.Deps{})
	old, err := bcrypt.GenerateFromPassword([]byte("Str0ng!Pass"), bcrypt.MinCost)
	require.NoError(t, err)
	res, err := svc.CheckPassword(context.Background(), "bob", "Str0ng!Pass", string(old))
	require.NoError(t, err)
	require.NotEmpty(t, res.Rehash)
	ok, rehash, err := svc.Passwords.Verify(context.Background(), "Str0ng!Pass", res.Rehash)
	require.NoError(t, err)
	assert.True(t, ok)
	assert.False(t, rehash)
}

func TestParallelWrongPasswordsHashAtMostTheLimit(t *testing.T) {
	t.Parallel()
	store := &countingCodes{Store: memstore.New()}
	svc, _ := newService(t, accountsec.Deps{Store: store})
	ctx := context.Background()
	hash, err := svc.Passwords.Hash(ctx, "Str0ng!Pass")
	require.NoError(t, err)
	var wrong, locked atomic.Int64
	var wg sync.WaitGroup
	start := make(chan struct{})
	for range 50 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			_, err := svc.CheckPassword(ctx, "carol", "guess", hash)
			switch {
			case errors.Is(err, accountsec.ErrWrongPassword):
				wrong.Add(1)
			case errors.Is(err, limits.ErrLocked):
				locked.Add(1)
			}
		}()
	}
	close(start)
	wg.Wait()
	assert.Equal(t, int64(9), wrong.Load(), "the 10th failure reports the lock")
	assert.Equal(t, int64(41), locked.Load())
}

func TestStoreFailureFailsClosed(t *testing.T) {
	t.Parallel()
	svc, _ := newService(t, accountsec.Deps{Store: failingStore{memstore.New()}})
	_, err := svc.CheckPassword(context.Background(), "dave", "Str0ng!Pass", "")
	require.ErrorIs(t, err, reason.ErrStoreUnavailable)
	assert.NotErrorIs(t, err, accountsec.ErrWrongPassword)
}

type countingCodes struct{ *memstore.Store }

type failingStore struct{ *memstore.Store }

func (failingStore) Reserve(context.Context, string, limits.Reservation) (limits.Counter, bool, error) {
	return limits.Counter{}, false, errors.New("connection reset")
}

func Example() {
	ctx := context.Background()
	clock := fakes.NewClock(time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC))
	outbox := &fakes.Outbox{}
	svc, err := accountsec.New(
		accountsec.Config{Secret: []byte("example-secret-of-32-bytes-long!")},
		accountsec.Deps{SMS: outbox, Now: clock.Now},
	)
	if err != nil {
		panic(err)
	}

	fmt.Println(reason.Codes(svc.PasswordPolicy.Check("short")))

	t := notify.Target{Purpose: notify.PurposeBindPhone, Channel: notify.SMS, Destination: "+8613800138000", AccountID: "100012345678"}
	if _, err := svc.Codes.Send(ctx, t, "203.0.113.7"); err != nil {
		panic(err)
	}
	code := outbox.LastCode("+8613800138000")
	fmt.Println(svc.Codes.Verify(ctx, t, code))
	fmt.Println(reason.CodeOf(svc.Codes.Verify(ctx, t, code)))
	// Output:
	// [password.too_short password.missing_upper password.missing_digit password.missing_punct]
	// <nil>
	// code.invalid
}

func TestStoresCanBeOverriddenByArea(t *testing.T) {
	t.Parallel()
	// Counters elsewhere (here: a broken one) while the rest stays in memory.
	svc, _ := newService(t, accountsec.Deps{Counters: failingStore{memstore.New()}})
	_, err := svc.CheckPassword(context.Background(), "erin", "x", "")
	require.ErrorIs(t, err, reason.ErrStoreUnavailable)

	// Every area given: no Store needed.
	m := memstore.New()
	svc, _ = newService(t, accountsec.Deps{Counters: m, Codes: m, Accounts: m, Devices: m, Sessions: m})
	_, err = svc.CheckPassword(context.Background(), "erin", "x", "")
	require.ErrorIs(t, err, accountsec.ErrWrongPassword)
}
