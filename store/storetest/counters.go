package storetest

import (
	"errors"
	"fmt"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/accountsec/accountsec/limits"
)

// counterSuite is what a counter subtest works on: the store, the subtest's
// keyspace and the key of its calls; for a seq of steps, also the
// reservation of its Reserve steps, what its last call returned and the
// windows it keeps. Its methods fail the test on an error.
type counterSuite struct {
	t    *testing.T
	s    limits.CounterStore
	k    keyspace
	key  string
	r    limits.Reservation
	last limits.Counter
	kept []time.Time
}

// on returns c working on the key called name instead.
func (c counterSuite) on(name string) counterSuite { c.key = c.k.key(name); return c }

// rsv is a reservation of limit slots made at base+now; a counter it creates
// expires at base+exp, or at base+full (unless full is 0) once it is full.
func rsv(limit int64, now, exp, full time.Duration) limits.Reservation {
	r := limits.Reservation{Limit: limit, Now: at(now), ExpiresAt: at(exp)}
	if full != 0 {
		r.FullExpiresAt = at(full)
	}
	return r
}

// cnt is a counter of n slots expiring at base+exp; absent is the zero
// Counter that Get returns for an absent key.
func cnt(n int64, exp time.Duration) limits.Counter {
	return limits.Counter{Count: n, ExpiresAt: at(exp)}
}

var absent = limits.Counter{}

// requireCounter fails the test unless got equals want. Times are compared
// with time.Equal.
func requireCounter(t *testing.T, want, got limits.Counter, msgAndArgs ...any) {
	t.Helper()
	require.Equal(t, want.Count, got.Count, msgAndArgs...)
	require.Truef(t, want.ExpiresAt.Equal(got.ExpiresAt), "ExpiresAt: want %v, got %v %v", want.ExpiresAt, got.ExpiresAt, msgAndArgs)
}

// requireWindow fails the test unless c's Window is want.
func requireWindow(t *testing.T, want time.Time, c limits.Counter, msgAndArgs ...any) {
	t.Helper()
	require.Truef(t, want.Equal(c.Window), "Window: want %v, got %v %v", want, c.Window, msgAndArgs)
}

// reserved is what one Reserve call returned; try makes the call.
type reserved struct {
	c  limits.Counter
	ok bool
}

func (c counterSuite) try(r limits.Reservation) (reserved, error) {
	got, ok, err := c.s.Reserve(c.t.Context(), c.key, r)
	return reserved{got, ok}, err
}

// reserve requires Reserve to return ok == wantOK and the counter want, and
// returns the counter.
func (c counterSuite) reserve(r limits.Reservation, wantOK bool, want limits.Counter) limits.Counter {
	c.t.Helper()
	got, err := c.try(r)
	require.NoError(c.t, err)
	require.Equal(c.t, wantOK, got.ok, "Reserve %+v: ok (counter %+v)", r, got.c)
	requireCounter(c.t, want, got.c, "Reserve %+v", r)
	return got.c
}

// get returns what Get at base+now returns, requiring it to be want if want
// is given.
func (c counterSuite) get(now time.Duration, want ...limits.Counter) limits.Counter {
	c.t.Helper()
	got, err := c.s.Get(c.t.Context(), c.key, at(now))
	require.NoError(c.t, err)
	for _, w := range want {
		requireCounter(c.t, w, got, "Get at +%v", now)
	}
	return got
}

// release calls Release of window at base+now.
func (c counterSuite) release(window time.Time, now time.Duration) {
	c.t.Helper()
	require.NoError(c.t, c.s.Release(c.t.Context(), c.key, window, at(now)))
}

// RunCounterStore runs the conformance suite for [limits.CounterStore]
// against the stores that newStore returns, one per subtest.
func RunCounterStore(t *testing.T, newStore func(t *testing.T) limits.CounterStore) {
	t.Helper()
	const ms, m, h = time.Millisecond, time.Minute, time.Hour
	// Most subtests are a seq of steps: res makes rsv(...) the reservation of
	// the Reserve steps that follow; ok and no are Reserve calls that must
	// succeed or be refused, returning a counter of n slots expiring at
	// base+exp, and fails one that must be an error; is and gone are Get
	// calls at base+now that must return such a counter, or none; win
	// requires the last of these calls to have returned Window w, and keep
	// keeps that Window; rel is a Release at base+now of the window ending at
	// base+w, relKept one of the earliest window kept and not yet released;
	// del is a Delete, and on moves the steps that follow to the key called
	// name.
	type step = func(*counterSuite)
	res := func(limit int64, now, exp, full time.Duration) step {
		return func(c *counterSuite) { c.r = rsv(limit, now, exp, full) }
	}
	ok := func(n int64, exp time.Duration) step {
		return func(c *counterSuite) { c.last = c.reserve(c.r, true, cnt(n, exp)) }
	}
	no := func(n int64, exp time.Duration) step {
		return func(c *counterSuite) { c.last = c.reserve(c.r, false, cnt(n, exp)) }
	}
	is := func(now time.Duration, n int64, exp time.Duration) step {
		return func(c *counterSuite) { c.last = c.get(now, cnt(n, exp)) }
	}
	fails := func() step {
		return func(c *counterSuite) {
			got, err := c.try(c.r)
			require.True(c.t, err != nil && !got.ok, "Reserve %+v: ok %v, error %v", c.r, got.ok, err)
		}
	}
	gone := func(now time.Duration) step { return func(c *counterSuite) { c.last = c.get(now, absent) } }
	win := func(w time.Time) step { return func(c *counterSuite) { requireWindow(c.t, w, c.last) } }
	keep := func() step { return func(c *counterSuite) { c.kept = append(c.kept, c.last.Window) } }
	rel := func(w, now time.Duration) step { return func(c *counterSuite) { c.release(at(w), now) } }
	relKept := func(now time.Duration) step {
		return func(c *counterSuite) { c.release(c.kept[0], now); c.kept = c.kept[1:] }
	}
	del := func() step { return func(c *counterSuite) { require.NoError(c.t, c.s.Delete(c.t.Context(), c.key)) } }
	on := func(name string) step { return func(c *counterSuite) { c.key = c.k.key(name) } }
	fixture := func(t *testing.T, s limits.CounterStore, k keyspace) counterSuite {
		return counterSuite{t: t, s: s, k: k, key: k.key("c")}
	}
	runSuite(t, newStore, fixture, []subtest[counterSuite]{
		{"ReserveCreates", seq(res(3, 0, 10*m, 0), ok(1, 10*m), is(0, 1, 10*m), is(10*m-ms, 1, 10*m))},
		{"ReserveCountsUpToLimit", seq(res(3, 0, 10*m, 0), ok(1, 10*m), ok(2, 10*m), ok(3, 10*m),
			no(3, 10*m), no(3, 10*m), no(3, 10*m), is(0, 3, 10*m))},
		// Later calls bring later expiries; only the one that creates the
		// counter sets it.
		{"ReserveKeepsExpiryOfExistingCounter", seq(res(5, 0, 10*m, 0), ok(1, 10*m),
			res(5, m, 11*m, 0), ok(2, 10*m), res(5, 2*m, 12*m, 0), ok(3, 10*m), is(9*m, 3, 10*m))},
		{"RefusedReserveChangesNothing", seq(res(2, 0, 10*m, 0), ok(1, 10*m), ok(2, 10*m), is(m, 2, 10*m),
			res(2, m, h, 0), no(2, 10*m), is(m, 2, 10*m), res(2, m, h, 2*h), no(2, 10*m), is(m, 2, 10*m),
			res(1, m, h, 2*h), no(2, 10*m), is(m, 2, 10*m))},
		// A smaller limit than the count refuses and changes nothing; a
		// larger one takes a slot, and taking its last applies FullExpiresAt.
		{"LimitMayDifferBetweenCalls", seq(res(5, 0, 10*m, 0), ok(1, 10*m), ok(2, 10*m), ok(3, 10*m),
			res(2, 0, 10*m, h), no(3, 10*m), res(4, 0, 10*m, h), ok(4, h))},
		{"ExpiredCounterIsAbsent", seq(res(1, 0, 10*m, 0), ok(1, 10*m), is(10*m-ms, 1, 10*m),
			res(1, 10*m-ms, h+10*m-ms, 0), no(1, 10*m), gone(10*m), gone(10*m+h))},
		// At ExpiresAt the old counter is gone and a new one starts; long
		// after, likewise.
		{"ExpiredCounterIsRecreated", seq(res(2, 0, 10*m, 0), ok(1, 10*m), ok(2, 10*m),
			res(2, 10*m, 25*m, 0), ok(1, 25*m), is(10*m, 1, 25*m), res(2, h, 2*h, 0), ok(1, 2*h), is(h, 1, 2*h))},
		// The counter outlives its first expiry; a refusal does not raise it
		// further.
		{"FullExpiresAtOnLastSlot", seq(res(3, 0, 10*m, h), ok(1, 10*m), ok(2, 10*m), ok(3, h), is(30*m, 3, h),
			res(3, 30*m, h, 2*h), no(3, h), gone(h))},
		// An earlier FullExpiresAt shortens the counter (a lock lasts exactly
		// its duration, however long the failure window is); an equal one
		// leaves it as it is.
		{"FullExpiresAtReplacesExpiry", seq(res(2, 0, 10*m, 5*m), ok(1, 10*m), ok(2, 5*m), is(0, 2, 5*m), gone(5*m),
			on("equal"), res(2, 0, 10*m, 10*m), ok(1, 10*m), ok(2, 10*m))},
		// The call that creates the counter also takes its last slot.
		{"FullExpiresAtWithLimitOne", seq(res(1, 0, 10*m, h), ok(1, h), is(30*m, 1, h))},
		// Taking the last slot again sets the expiry again.
		{"FullExpiresAtAfterRelease", seq(res(2, 0, 10*m, h), ok(1, 10*m), ok(2, h), rel(10*m, m), is(m, 1, h),
			res(2, m, 10*m, 2*h), ok(2, 2*h), rel(10*m, m), res(2, m, 10*m, 30*m), ok(2, 30*m))},
		{"ReleaseDecrements", seq(res(5, 0, 10*m, 0), ok(1, 10*m), ok(2, 10*m), ok(3, 10*m),
			rel(10*m, m), is(m, 2, 10*m), rel(10*m, m), is(m, 1, 10*m), rel(10*m, m), is(m, 0, 10*m))},
		// The counter stays, at zero, with its expiry: the next Reserve keeps
		// that expiry instead of starting a new window.
		{"ReleaseNeverBelowZero", seq(res(2, 0, 10*m, 0), ok(1, 10*m), rel(10*m, m), rel(10*m, m), rel(10*m, m),
			is(m, 0, 10*m), res(2, 2*m, h, 0), ok(1, 10*m), ok(2, 10*m), no(2, 10*m))},
		{"ReleaseAbsentStaysAbsent", seq(rel(10*m, 0), gone(0), res(1, m, 10*m, 0), ok(1, 10*m))},
		{"ReleaseExpiredStaysAbsent", seq(res(2, 0, 10*m, 0), ok(1, 10*m), rel(10*m, 10*m), gone(10*m),
			rel(10*m, 11*m), gone(11*m), res(2, 11*m, h, 0), ok(1, h))},
		{"ReleaseFreesSlot", seq(res(2, 0, 10*m, 0), ok(1, 10*m), ok(2, 10*m), no(2, 10*m), rel(10*m, 0), ok(2, 10*m), no(2, 10*m))},
		// A counter's Window is the ExpiresAt it was created with; later
		// reservations, FullExpiresAt and Release leave it as it is, and a
		// counter restarted after expiry gets the new ExpiresAt.
		{"WindowIsCreationExpiry", seq(res(3, 0, 10*m, 0), ok(1, 10*m), win(at(10*m)),
			res(3, m, 11*m, h), ok(2, 10*m), win(at(10*m)), ok(3, h), win(at(10*m)), no(3, h), win(at(10*m)),
			is(30*m, 3, h), win(at(10*m)), rel(10*m, 30*m), is(30*m, 2, h), win(at(10*m)),
			res(3, h, 70*m, 0), ok(1, 70*m), win(at(70*m)), is(h, 1, 70*m), win(at(70*m)),
			on("never"), gone(0), win(time.Time{}))},
		// A slot reserved in a window that expired and was followed by a new
		// one is not given back to the new window, which has one slot left,
		// not two; its own release still works.
		{"ReleaseOfExpiredWindowDoesNothing", seq(res(3, 0, 10*m, 0), ok(1, 10*m), keep(),
			res(3, 10*m, 20*m, 0), ok(1, 20*m), ok(2, 20*m), keep(), relKept(11*m), is(11*m, 2, 20*m),
			ok(3, 20*m), no(3, 20*m), relKept(11*m), is(11*m, 2, 20*m))},
		// A window that never was the counter's, or a zero one, releases
		// nothing.
		{"ReleaseOfOtherWindowDoesNothing", seq(res(3, 0, 10*m, 0), ok(1, 10*m),
			func(c *counterSuite) { c.release(time.Time{}, m) }, is(m, 1, 10*m),
			rel(10*m-ms, m), is(m, 1, 10*m), rel(10*m+ms, m), is(m, 1, 10*m), rel(h, m), is(m, 1, 10*m),
			rel(10*m, m), is(m, 0, 10*m))},
		// Taking the last slot moves the expiry but not the window, so the
		// slots taken before it and the locking slot itself are all given
		// back with the Window their Reserve returned.
		{"ReleaseAfterFullExpiresAt", seq(
			on("1h"), res(3, 0, 10*m, h), ok(1, 10*m), keep(), ok(2, 10*m), ok(3, h), keep(),
			relKept(m), is(m, 2, h), relKept(m), is(m, 1, h),
			on("5m"), res(3, 0, 10*m, 5*m), ok(1, 10*m), keep(), ok(2, 10*m), ok(3, 5*m), keep(),
			relKept(m), is(m, 2, 5*m), relKept(m), is(m, 1, 5*m),
			// With Limit 1 the creating call takes the last slot at once.
			on("one"), res(1, 0, 10*m, h), ok(1, h), keep(), relKept(m), is(m, 0, h))},
		// The zero Counter: Count 0, ExpiresAt the zero time.
		{"GetAbsent", seq(gone(0))},
		{"Delete", seq(res(1, 0, 10*m, 0), ok(1, 10*m), del(), gone(0), res(1, m, 20*m, 0), ok(1, 20*m))},
		// An absent key, and an expired counter.
		{"DeleteAbsent", seq(del(), del(), gone(0), res(1, 0, m, 0), ok(1, m), gone(h), del(), del())},
		// Keys that share a prefix are still different keys.
		{"KeysAreIndependent", seq(on("a"), res(1, 0, 10*m, 0), ok(1, 10*m), no(1, 10*m),
			on("b"), gone(0), res(3, 0, 20*m, 0), ok(1, 20*m), rel(20*m, 0), on("a"), is(0, 1, 10*m), del(),
			on("b"), is(0, 0, 20*m), on("ab"), res(1, 0, 10*m, 0), ok(1, 10*m), on("a"), ok(1, 10*m))},
		// A reservation that breaks the contract (Limit below 1, an expiry
		// or a full expiry not after Now) is an error, takes no slot and
		// creates no counter.
		{"InvalidReservationRefused", seq(res(0, 0, m, 0), fails(), res(1, 0, 0, 0), fails(), res(1, 0, -m, 0), fails(),
			res(1, 0, m, -m), fails(), res(1, m, 2*m, m), fails(), gone(0))},
		{"ConcurrentReserve", raceReserve(1, 100, 1, 10, 10*m, h)},
		// Over a few keys, round after round (each after the last one's
		// counters expired), creating a counter and taking a slot contend.
		{"ConcurrentReserveManyKeys", raceReserve(5, 60, 3, 4, m, 30*m)},
		{"ConcurrentReserveRelease", raceReserveRelease(false)},
		// Reservations (each released after) race releases of slots nobody
		// took and Get calls.
		{"ConcurrentReleaseMix", raceReserveRelease(true)},
		// Releases of an expired window race reservations that start the
		// next one: the stale releases free nothing, so exactly the limit of
		// reservations succeeds in the new window, and its own releases
		// (racing too) each free one slot.
		{"ConcurrentStaleRelease", func(t *testing.T, c counterSuite) {
			const goroutines, limit = 90, 10
			old := rsv(limit, 0, 10*m, 15*m)
			for i := range int64(limit - 1) {
				c.reserve(old, true, cnt(i+1, 10*m))
			}
			stale := c.reserve(old, true, cnt(limit, 15*m)).Window
			r := rsv(limit, 20*m, 30*m, 0)
			results := raceAll(t, goroutines, func(i int) (reserved, error) {
				if i%3 == 0 {
					return reserved{}, c.s.Release(t.Context(), c.key, stale, r.Now)
				}
				return c.try(r)
			})
			took := 0
			for i, res := range results {
				if res.ok {
					took++
					requireWindow(t, r.ExpiresAt, res.c, "goroutine %d", i)
				}
			}
			require.Equal(t, limit, took, "reservations that succeeded in the new window")
			c.get(20*m, cnt(limit, 30*m))
			// Stale and current releases race; only the current ones count.
			raceErrs(t, goroutines, func(i int) error {
				if i < limit/2 {
					return c.s.Release(t.Context(), c.key, r.ExpiresAt, r.Now)
				}
				return c.s.Release(t.Context(), c.key, stale, r.Now)
			})
			c.get(20*m, cnt(limit-limit/2, 30*m))
		}},
		// A store may fail or succeed on a cancelled context, but what it
		// reports must match what it did.
		{"CancelledContext", func(t *testing.T, c counterSuite) {
			r, ctx := rsv(3, 0, 10*m, 0), cancelled()
			c.reserve(r, true, cnt(1, 10*m))
			if got, err := c.s.Get(ctx, c.key, at(0)); err == nil {
				requireCounter(t, cnt(1, 10*m), got, "Get on a cancelled context")
			}
			got, ok, err := c.s.Reserve(ctx, c.key, r)
			after := c.get(0)
			require.Contains(t, []int64{1, 2}, after.Count, "count after Reserve on a cancelled context (error %v)", err)
			requireCounter(t, cnt(after.Count, 10*m), after)
			if err == nil {
				require.True(t, ok, "Reserve on a cancelled context refused with a free slot")
				requireCounter(t, cnt(2, 10*m), got)
				requireCounter(t, got, after)
			}
			if err := c.s.Release(ctx, c.key, at(10*m), at(0)); err == nil {
				c.get(0, cnt(after.Count-1, 10*m))
			} else {
				require.Contains(t, []int64{after.Count - 1, after.Count}, c.get(0).Count, "count after a failed Release")
			}
			if err := c.s.Delete(ctx, c.key); err == nil {
				c.get(0, absent)
			}
			// The store still works.
			require.NoError(t, c.s.Delete(t.Context(), c.key))
			c.reserve(r, true, cnt(1, 10*m))
		}},
	})
}

// raceReserve races goroutines Reserve calls of limit slots over keys keys,
// for rounds rounds an hour apart: on each key the successful calls saw the
// counts 1, 2, …, limit, expiring exp after the round's start (full after it
// from the last slot on), and the refused ones saw the full counter.
func raceReserve(rounds, goroutines, keys int, limit int64, exp, full time.Duration) func(*testing.T, counterSuite) {
	return func(t *testing.T, c counterSuite) {
		want := make([]int64, limit)
		for i := range want {
			want[i] = int64(i + 1)
		}
		for round := range rounds {
			now := time.Duration(round) * time.Hour
			r := rsv(limit, now, now+exp, now+full)
			results := raceAll(t, goroutines, func(i int) (reserved, error) { return c.on(fmt.Sprint("c", i%keys)).try(r) })
			counts := make([][]int64, keys)
			for i, res := range results {
				w := cnt(limit, now+full) // a refusal, or the last slot
				if res.ok {
					counts[i%keys] = append(counts[i%keys], res.c.Count)
					if res.c.Count != limit {
						w = cnt(res.c.Count, now+exp)
					}
				}
				requireCounter(t, w, res.c, "round %d goroutine %d (ok %v)", round, i, res.ok)
			}
			for key, got := range counts {
				slices.Sort(got)
				require.Equal(t, want, got, "round %d key %d: counts returned by successful Reserve calls", round, key)
				c.on(fmt.Sprint("c", key)).get(now, cnt(limit, now+full))
			}
		}
	}
}

// raceReserveRelease races goroutines that reserve a slot and release it
// again, round after round; with mix, a third of them instead release slots
// nobody took and another third call Get. Every call returns a counter in
// bounds with its expiry, and in the end every slot is free again.
func raceReserveRelease(mix bool) func(*testing.T, counterSuite) {
	return func(t *testing.T, c counterSuite) {
		const goroutines, rounds, limit = 100, 10, 5
		r, exp := rsv(limit, 0, 10*time.Minute, 0), at(10*time.Minute)
		if mix {
			c.reserve(r, true, cnt(1, 10*time.Minute)) // so Get always finds the counter
		}
		var held atomic.Int64
		taken := raceAll(t, goroutines, func(i int) (n int, err error) {
			for range rounds {
				if role := i % 3; mix && role == 2 {
					got, err := c.s.Get(t.Context(), c.key, at(time.Second))
					if err != nil || got.Count < 0 || got.Count > limit || !got.ExpiresAt.Equal(exp) {
						return n, fmt.Errorf("get returned %+v, %v", got, err)
					}
					continue
				} else if !mix || role == 0 { // else release a slot nobody took
					res, err := c.try(r)
					if err != nil || res.c.Count < 1 || res.c.Count > limit || !res.ok && res.c.Count != limit || !res.c.ExpiresAt.Equal(exp) {
						return n, fmt.Errorf("reserve returned %+v, %v: a count out of bounds or another expiry", res, err)
					} else if !res.ok {
						continue
					}
					n++
					// Slots held between Reserve and Release never outnumber
					// the limit (unless others release slots nobody took).
					if held.Add(1) > limit && !mix {
						return n, errors.New("more slots held at once than the limit")
					}
					held.Add(-1)
				}
				if err := c.s.Release(t.Context(), c.key, exp, at(time.Second)); err != nil {
					return n, err
				}
			}
			return n, nil
		})
		require.Positive(t, slices.Max(taken), "slots taken")
		// Every slot taken was given back, and extra releases stop at zero.
		c.get(time.Second, cnt(0, 10*time.Minute))
		for i := range int64(limit + 1) {
			c.reserve(r, i < limit, cnt(min(i+1, limit), 10*time.Minute))
		}
	}
}
