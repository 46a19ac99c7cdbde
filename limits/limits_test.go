package limits_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/accountsec/accountsec/event"
	"github.com/accountsec/accountsec/fakes"
	"github.com/accountsec/accountsec/limits"
	"github.com/accountsec/accountsec/reason"
	"github.com/accountsec/accountsec/store/memstore"
)

var secret = []byte("0123456789abcdef0123456789abcdef")

type fixture struct {
	clock  *fakes.Clock
	events *fakes.Events
	lim    *limits.Limiter
}

func newLimiter(t *testing.T, store limits.CounterStore, p limits.Lockout) fixture {
	t.Helper()
	f := fixture{clock: fakes.NewClock(fakes.Epoch), events: &fakes.Events{}}
	lim, err := limits.NewLimiter(limits.Config{Store: store, Secret: secret, Now: f.clock.Now, Events: f.events.Hook}, p)
	require.NoError(t, err)
	f.lim = lim
	return f
}

func fail(t *testing.T, lim *limits.Limiter, subject string) error {
	t.Helper()
	_, err := lim.Do(context.Background(), "login", subject, func(context.Context) (bool, error) { return false, nil })
	return err
}

func TestConcurrentWrongAttemptsEvaluateExactlyTheLimit(t *testing.T) {
	t.Parallel()
	f := newLimiter(t, memstore.New(), limits.Lockout{})
	var evaluated atomic.Int64
	var locked atomic.Int64
	start := make(chan struct{})
	var wg sync.WaitGroup
	for range 100 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			_, err := f.lim.Do(context.Background(), "login", "alice@example.com", func(context.Context) (bool, error) {
				evaluated.Add(1)
				return false, nil
			})
			if errors.Is(err, limits.ErrLocked) {
				locked.Add(1)
			}
		}()
	}
	close(start)
	wg.Wait()
	assert.Equal(t, int64(10), evaluated.Load(), "hashes computed")
	// The 10th evaluated failure reports the lock too, so 91 callers hear it.
	assert.Equal(t, int64(91), locked.Load())
	assert.Equal(t, 1, f.events.Count(event.Locked))
}

func TestLockExpiresOnItsOwn(t *testing.T) {
	t.Parallel()
	f := newLimiter(t, memstore.New(), limits.Lockout{})
	for i := range 9 {
		require.NoError(t, fail(t, f.lim, "bob"), "failure %d", i+1)
	}
	err := fail(t, f.lim, "bob")
	var le *limits.LockedError
	require.ErrorAs(t, err, &le)
	assert.True(t, le.Until.Equal(fakes.Epoch.Add(30*time.Minute)), "until %v", le.Until)

	f.clock.Advance(30*time.Minute - time.Second)
	require.ErrorIs(t, fail(t, f.lim, "bob"), limits.ErrLocked)

	f.clock.Advance(time.Second)
	st, err := f.lim.Status(context.Background(), "login", "bob")
	require.NoError(t, err)
	assert.Zero(t, st.Failures)
	assert.True(t, st.LockedUntil.IsZero())
	require.NoError(t, fail(t, f.lim, "bob"), "a new window starts after the lock")
}

func TestLockedRefusesEvenTheRightPasswordWithoutChecking(t *testing.T) {
	t.Parallel()
	f := newLimiter(t, memstore.New(), limits.Lockout{MaxFailures: 3})
	for range 3 {
		_ = fail(t, f.lim, "carol")
	}
	called := false
	ok, err := f.lim.Do(context.Background(), "login", "carol", func(context.Context) (bool, error) {
		called = true
		return true, nil
	})
	assert.False(t, ok)
	assert.False(t, called, "the check must not run while locked")
	wrongErr := fail(t, f.lim, "carol")
	assert.Equal(t, err.Error(), wrongErr.Error(), "right and wrong passwords get the same error")
	assert.Equal(t, reason.LimitsLocked, reason.CodeOf(err))
}

func TestSuccessGivesBackItsSlotButForgivesNothing(t *testing.T) {
	t.Parallel()
	f := newLimiter(t, memstore.New(), limits.Lockout{MaxFailures: 3})
	ctx := context.Background()
	require.NoError(t, fail(t, f.lim, "dave"))
	require.NoError(t, fail(t, f.lim, "dave"))
	ok, err := f.lim.Do(ctx, "login", "dave", func(context.Context) (bool, error) { return true, nil })
	require.NoError(t, err)
	assert.True(t, ok)
	st, err := f.lim.Status(ctx, "login", "dave")
	require.NoError(t, err)
	assert.Equal(t, 2, st.Failures)
	require.ErrorIs(t, fail(t, f.lim, "dave"), limits.ErrLocked)
}

func TestFailuresAreForgottenAfterTheWindow(t *testing.T) {
	t.Parallel()
	f := newLimiter(t, memstore.New(), limits.Lockout{})
	for range 9 {
		require.NoError(t, fail(t, f.lim, "erin"))
	}
	f.clock.Advance(time.Hour)
	for range 9 {
		require.NoError(t, fail(t, f.lim, "erin"))
	}
}

func TestAttemptNeverEndedCountsAsFailure(t *testing.T) {
	t.Parallel()
	f := newLimiter(t, memstore.New(), limits.Lockout{MaxFailures: 2})
	ctx := context.Background()
	_, err := f.lim.Begin(ctx, "login", "frank")
	require.NoError(t, err)
	a, err := f.lim.Begin(ctx, "login", "frank")
	require.NoError(t, err)
	assert.Equal(t, 0, a.Remaining())
	_, err = f.lim.Begin(ctx, "login", "frank")
	require.ErrorIs(t, err, limits.ErrLocked)
	require.NoError(t, a.Succeed(ctx))
	require.NoError(t, a.Succeed(ctx), "ending twice is harmless")
	_, err = f.lim.Begin(ctx, "login", "frank")
	require.NoError(t, err)
}

func TestSubjectsAreNormalisedAndHashed(t *testing.T) {
	t.Parallel()
	f := newLimiter(t, memstore.New(), limits.Lockout{MaxFailures: 2})
	require.NoError(t, fail(t, f.lim, " Alice@Example.COM "))
	require.ErrorIs(t, fail(t, f.lim, "alice@example.com"), limits.ErrLocked)
	require.ErrorIs(t, fail(t, f.lim, "ALICE@example.com"), limits.ErrLocked)
	evs := f.events.All()
	require.Len(t, evs, 1)
	assert.NotContains(t, strings.ToLower(evs[0].Subject), "alice")
	assert.Equal(t, "login", evs[0].Scope)
	// Other scopes have their own budget.
	_, err := f.lim.Begin(context.Background(), "reset", "alice@example.com")
	require.NoError(t, err)
}

func TestUnlockIsForOperatorsAndEmitsAnEvent(t *testing.T) {
	t.Parallel()
	f := newLimiter(t, memstore.New(), limits.Lockout{MaxFailures: 1})
	require.ErrorIs(t, fail(t, f.lim, "gina"), limits.ErrLocked)
	require.NoError(t, f.lim.Unlock(context.Background(), "login", "gina"))
	assert.Equal(t, []event.Kind{event.Locked, event.Unlocked}, f.events.Kinds())
	require.ErrorIs(t, fail(t, f.lim, "gina"), limits.ErrLocked, "a fresh budget of one")
}

func TestBadSubjectsAreRefusedAndChangeNothing(t *testing.T) {
	t.Parallel()
	store := &countingStore{CounterStore: memstore.New()}
	f := newLimiter(t, store, limits.Lockout{})
	cases := map[string]struct {
		scope, subject string
		code           reason.Code
	}{
		"empty subject":  {"login", "", reason.InputEmpty},
		"blank subject":  {"login", " \t", reason.InputEmpty},
		"empty scope":    {"", "x", reason.InputEmpty},
		"huge subject":   {"login", strings.Repeat("a", 1<<20), reason.InputTooLong},
		"invalid UTF-8":  {"login", "a\xffb", reason.InputInvalidUTF8},
		"just too long":  {"login", strings.Repeat("a", limits.MaxSubjectBytes+1), reason.InputTooLong},
		"emoji is fine?": {"login", "😀", ""},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			before := store.calls.Load()
			_, err := f.lim.Begin(context.Background(), c.scope, c.subject)
			if c.code == "" {
				require.NoError(t, err)
				return
			}
			assert.Equal(t, c.code, reason.CodeOf(err))
			assert.Equal(t, before, store.calls.Load(), "no store call")
		})
	}
}

func TestStoreErrorFailsClosed(t *testing.T) {
	t.Parallel()
	f := newLimiter(t, brokenStore{}, limits.Lockout{})
	called := false
	ok, err := f.lim.Do(context.Background(), "login", "hank", func(context.Context) (bool, error) {
		called = true
		return true, nil
	})
	assert.False(t, ok)
	assert.False(t, called)
	require.ErrorIs(t, err, reason.ErrStoreUnavailable)
	assert.NotErrorIs(t, err, limits.ErrLocked)
}

func TestCheckErrorGivesTheSlotBack(t *testing.T) {
	t.Parallel()
	f := newLimiter(t, memstore.New(), limits.Lockout{MaxFailures: 1})
	boom := errors.New("hasher down")
	_, err := f.lim.Do(context.Background(), "login", "ivan", func(context.Context) (bool, error) { return false, boom })
	require.ErrorIs(t, err, boom)
	_, err = f.lim.Begin(context.Background(), "login", "ivan")
	require.NoError(t, err, "an internal error is not the user's failure")
}

func TestNewLimiterRefusesMissingDependencies(t *testing.T) {
	t.Parallel()
	_, err := limits.NewLimiter(limits.Config{Secret: secret}, limits.Lockout{})
	assert.Equal(t, reason.PolicyInvalid, reason.CodeOf(err))
	_, err = limits.NewLimiter(limits.Config{Store: memstore.New(), Secret: []byte("short")}, limits.Lockout{})
	assert.Equal(t, reason.PolicyInvalid, reason.CodeOf(err))
	assert.NotContains(t, err.Error(), "short", "the secret is never echoed")
}

type countingStore struct {
	limits.CounterStore
	calls atomic.Int64
}

func (s *countingStore) Reserve(ctx context.Context, key string, r limits.Reservation) (limits.Counter, bool, error) {
	s.calls.Add(1)
	return s.CounterStore.Reserve(ctx, key, r)
}

var errBroken = errors.New("connection refused")

type brokenStore struct{}

func (brokenStore) Reserve(context.Context, string, limits.Reservation) (limits.Counter, bool, error) {
	return limits.Counter{}, false, errBroken
}
func (brokenStore) Release(context.Context, string, time.Time, time.Time) error { return errBroken }
func (brokenStore) Get(context.Context, string, time.Time) (limits.Counter, error) {
	return limits.Counter{}, errBroken
}
func (brokenStore) Delete(context.Context, string) error { return errBroken }

// Reservation.Check refuses exactly what the store contract forbids.
func TestReservationCheck(t *testing.T) {
	t.Parallel()
	now := time.Unix(1_700_000_000, 0)
	for name, tc := range map[string]struct {
		r  limits.Reservation
		ok bool
	}{
		"valid":           {limits.Reservation{Limit: 1, Now: now, ExpiresAt: now.Add(time.Millisecond)}, true},
		"limit zero":      {limits.Reservation{Limit: 0, Now: now, ExpiresAt: now.Add(time.Minute)}, false},
		"limit negative":  {limits.Reservation{Limit: -1, Now: now, ExpiresAt: now.Add(time.Minute)}, false},
		"expiry at now":   {limits.Reservation{Limit: 1, Now: now, ExpiresAt: now}, false},
		"expiry in past":  {limits.Reservation{Limit: 1, Now: now, ExpiresAt: now.Add(-time.Second)}, false},
		"no expiry given": {limits.Reservation{Limit: 1, Now: now}, false},
		"full expiry set": {limits.Reservation{Limit: 1, Now: now, ExpiresAt: now.Add(time.Minute), FullExpiresAt: now.Add(time.Millisecond)}, true},
		"full at now":     {limits.Reservation{Limit: 1, Now: now, ExpiresAt: now.Add(time.Minute), FullExpiresAt: now}, false},
		"full in past":    {limits.Reservation{Limit: 1, Now: now, ExpiresAt: now.Add(time.Minute), FullExpiresAt: now.Add(-time.Hour)}, false},
	} {
		if err := tc.r.Check(); (err == nil) != tc.ok {
			t.Errorf("%s: Check() = %v, want ok %v", name, err, tc.ok)
		}
	}
}
