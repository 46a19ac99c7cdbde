package limits_test

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/accountsec/accountsec/event"
	"github.com/accountsec/accountsec/limits"
	"github.com/accountsec/accountsec/reason"
	"github.com/accountsec/accountsec/store/memstore"
)

// netStore behaves like a network store: every call on a context that is
// done fails with the context's error and changes nothing. It records the
// deadline each call had, and whether the call kept the caller's values.
type netStore struct {
	limits.CounterStore
	mu        sync.Mutex
	deadlines []time.Duration // time left when each Release was called; 0: none
	values    []any           // ctx.Value(ctxKey{}) seen by each Release
}

type ctxKey struct{}

func newNetStore() *netStore { return &netStore{CounterStore: memstore.New()} }

func (s *netStore) Reserve(ctx context.Context, key string, r limits.Reservation) (limits.Counter, bool, error) {
	if err := ctx.Err(); err != nil {
		return limits.Counter{}, false, err
	}
	return s.CounterStore.Reserve(ctx, key, r)
}

func (s *netStore) Release(ctx context.Context, key string, window, now time.Time) error {
	s.mu.Lock()
	var left time.Duration
	if d, ok := ctx.Deadline(); ok {
		left = time.Until(d)
	}
	s.deadlines = append(s.deadlines, left)
	s.values = append(s.values, ctx.Value(ctxKey{}))
	s.mu.Unlock()
	if err := ctx.Err(); err != nil {
		return err
	}
	return s.CounterStore.Release(ctx, key, window, now)
}

func (s *netStore) Get(ctx context.Context, key string, now time.Time) (limits.Counter, error) {
	if err := ctx.Err(); err != nil {
		return limits.Counter{}, err
	}
	return s.CounterStore.Get(ctx, key, now)
}

func (s *netStore) Delete(ctx context.Context, key string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return s.CounterStore.Delete(ctx, key)
}

// dyingCtx is a request context that the test ends at a chosen moment, with
// context.Canceled or context.DeadlineExceeded, without waiting for a
// real deadline.
type dyingCtx struct {
	context.Context
	done chan struct{}
	once sync.Once
	err  atomic.Pointer[error]
}

func newDyingCtx() *dyingCtx {
	return &dyingCtx{Context: context.WithValue(context.Background(), ctxKey{}, "request-id"), done: make(chan struct{})}
}

func (c *dyingCtx) Done() <-chan struct{} { return c.done }

func (c *dyingCtx) Err() error {
	if p := c.err.Load(); p != nil {
		return *p
	}
	return nil
}

func (c *dyingCtx) die(err error) {
	c.once.Do(func() {
		c.err.Store(&err)
		close(c.done)
	})
}

func failures(t *testing.T, lim *limits.Limiter, subject string) limits.Status {
	t.Helper()
	st, err := lim.Status(context.Background(), "login", subject)
	require.NoError(t, err)
	return st
}

func TestRightPasswordsThatTimeOutLeaveNoFailure(t *testing.T) {
	t.Parallel()
	for name, dead := range map[string]error{"cancelled": context.Canceled, "deadline": context.DeadlineExceeded} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			store := newNetStore()
			f := newLimiter(t, store, limits.Lockout{})
			for i := range 10 {
				ctx := newDyingCtx()
				ok, err := f.lim.Do(ctx, "login", "alice", func(context.Context) (bool, error) {
					ctx.die(dead) // the client gives up while the hash runs
					return true, nil
				})
				require.NoError(t, err, "attempt %d: the slot is given back", i+1)
				assert.True(t, ok)
			}
			st := failures(t, f.lim, "alice")
			assert.Zero(t, st.Failures)
			assert.True(t, st.LockedUntil.IsZero(), "not locked")
			assert.Zero(t, f.events.Count(event.Locked))
		})
	}
}

func TestCheckKilledByADeadContextIsNoAnswer(t *testing.T) {
	t.Parallel()
	for name, dead := range map[string]error{"cancelled": context.Canceled, "deadline": context.DeadlineExceeded} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			f := newLimiter(t, newNetStore(), limits.Lockout{})
			for range 10 {
				ctx := newDyingCtx()
				ok, err := f.lim.Do(ctx, "login", "bob", func(ctx context.Context) (bool, error) {
					ctx.(*dyingCtx).die(dead)
					// As the hasher does when its slot wait is cut short.
					return false, ctx.Err()
				})
				assert.False(t, ok)
				require.ErrorIs(t, err, dead)
				assert.NotErrorIs(t, err, reason.ErrStoreUnavailable, "the give-back itself worked")
				assert.NotErrorIs(t, err, limits.ErrLocked)
			}
			st := failures(t, f.lim, "bob")
			assert.Zero(t, st.Failures)
			assert.True(t, st.LockedUntil.IsZero())
			// The budget is whole: nine wrong answers still do not lock.
			for range 9 {
				require.NoError(t, fail(t, f.lim, "bob"))
			}
		})
	}
}

func TestSucceedAfterTheContextDiedGivesTheSlotBack(t *testing.T) {
	t.Parallel()
	store := newNetStore()
	f := newLimiter(t, store, limits.Lockout{MaxFailures: 1})
	ctx := newDyingCtx()
	a, err := f.lim.Begin(ctx, "login", "carol")
	require.NoError(t, err)
	ctx.die(context.Canceled)
	require.NoError(t, a.Succeed(ctx))
	assert.Zero(t, failures(t, f.lim, "carol").Failures)

	store.mu.Lock()
	defer store.mu.Unlock()
	require.Len(t, store.deadlines, 1)
	assert.Positive(t, store.deadlines[0], "the give-back has a deadline of its own")
	assert.LessOrEqual(t, store.deadlines[0], limits.EndTimeout)
	assert.Equal(t, "request-id", store.values[0], "the caller's values are kept")
}

func TestWrongAnswerJustBeforeTheDeadlineStillCounts(t *testing.T) {
	t.Parallel()
	f := newLimiter(t, newNetStore(), limits.Lockout{MaxFailures: 3})
	for i := range 3 {
		ctx := newDyingCtx()
		_, err := f.lim.Do(ctx, "login", "dave", func(context.Context) (bool, error) {
			ctx.die(context.DeadlineExceeded) // dies after the answer was computed
			return false, nil
		})
		if i < 2 {
			require.NoError(t, err)
		} else {
			require.ErrorIs(t, err, limits.ErrLocked, "a short deadline buys no free guesses")
		}
	}
	assert.Equal(t, 1, f.events.Count(event.Locked), "the lock is reported although ctx is dead")
	assert.False(t, failures(t, f.lim, "dave").LockedUntil.IsZero())
}

func TestBeginOnADeadContextReservesNothing(t *testing.T) {
	t.Parallel()
	f := newLimiter(t, newNetStore(), limits.Lockout{})
	ctx := newDyingCtx()
	ctx.die(context.Canceled)
	called := false
	_, err := f.lim.Do(ctx, "login", "erin", func(context.Context) (bool, error) {
		called = true
		return true, nil
	})
	require.ErrorIs(t, err, reason.ErrStoreUnavailable)
	assert.False(t, called, "no reservation, no check")
	assert.Zero(t, failures(t, f.lim, "erin").Failures)
}

// refusingIPStore refuses every reservation under one key, so that Allow
// has to refund the slots it took before.
type refusingIPStore struct {
	*netStore
	calls  atomic.Int64
	onLast func()
}

func (s *refusingIPStore) Reserve(ctx context.Context, key string, r limits.Reservation) (limits.Counter, bool, error) {
	if s.calls.Add(1) == 3 {
		s.onLast()
		return limits.Counter{}, false, errors.New("connection reset")
	}
	return s.netStore.Reserve(ctx, key, r)
}

func TestSendRefundSurvivesADeadContext(t *testing.T) {
	t.Parallel()
	ctx := newDyingCtx()
	store := &refusingIPStore{netStore: newNetStore(), onLast: func() { ctx.die(context.Canceled) }}
	s, err := limits.NewSendLimiter(limits.Config{Store: store, Secret: secret}, limits.Send{})
	require.NoError(t, err)
	require.ErrorIs(t, s.Allow(ctx, "sms", "+8613800000000", "203.0.113.7"), reason.ErrStoreUnavailable)
	// The interval slot was refunded, so the next send is allowed at once.
	require.NoError(t, s.Allow(context.Background(), "sms", "+8613800000000", ""))
}

// keepingStore keeps the context of every Release, as a store that hands
// it to work outliving the call would, and records its value of ctxKey
// when asked later.
type keepingStore struct {
	limits.CounterStore
	mu   sync.Mutex
	kept []context.Context
}

func (s *keepingStore) Release(ctx context.Context, key string, window, now time.Time) error {
	s.mu.Lock()
	s.kept = append(s.kept, ctx)
	s.mu.Unlock()
	return s.CounterStore.Release(ctx, key, window, now)
}

type requestKey struct{}

// A store that does not promise to keep no call's context (limits.CallScoped)
// never sees an end context again: each kept one still carries the values
// of its own request after later attempts ended.
func TestEndContextsAreReusedOnlyForCallScopedStores(t *testing.T) {
	t.Parallel()
	_, scoped := any(memstore.New()).(limits.CallScoped)
	require.True(t, scoped, "memstore promises it")
	st := &keepingStore{CounterStore: memstore.New()}
	_, scoped = any(st).(limits.CallScoped)
	require.False(t, scoped, "a wrapper does not inherit the promise")
	lim, err := limits.NewLimiter(limits.Config{Store: st, Secret: []byte("0123456789abcdef0123456789abcdef")}, limits.Lockout{})
	require.NoError(t, err)
	assert.False(t, lim.AnswersAtOnce())
	mem, err := limits.NewLimiter(limits.Config{Store: memstore.New(), Secret: []byte("0123456789abcdef0123456789abcdef")}, limits.Lockout{})
	require.NoError(t, err)
	assert.True(t, mem.AnswersAtOnce())
	const n = 50
	for i := range n {
		ctx := context.WithValue(t.Context(), requestKey{}, i)
		a, err := lim.Begin(ctx, "login", "alice@example.com")
		require.NoError(t, err)
		require.NoError(t, a.Succeed(ctx))
	}
	require.Len(t, st.kept, n)
	seen := map[context.Context]bool{}
	for i, ctx := range st.kept {
		assert.False(t, seen[ctx], "end context %d reused", i)
		seen[ctx] = true
		assert.Equal(t, i, ctx.Value(requestKey{}), "end context %d carries another request's values", i)
	}
}

// On the in-memory store ending an attempt allocates nothing: its end
// contexts are reused.
func TestCallScopedStoreEndsWithoutAllocating(t *testing.T) {
	lim, err := limits.NewLimiter(limits.Config{Store: memstore.New(), Secret: []byte("0123456789abcdef0123456789abcdef")}, limits.Lockout{})
	require.NoError(t, err)
	ctx := context.Background()
	a, err := lim.Begin(ctx, "login", "alice@example.com")
	require.NoError(t, err)
	require.NoError(t, a.Succeed(ctx))
	allocs := testing.AllocsPerRun(200, func() {
		a, err := lim.Begin(ctx, "login", "alice@example.com")
		if err != nil {
			t.Fatal(err)
		}
		if err := a.Succeed(ctx); err != nil {
			t.Fatal(err)
		}
	})
	assert.Less(t, allocs, 0.5)
}
