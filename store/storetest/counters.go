package storetest

import (
	"context"
	"fmt"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/accountsec/accountsec/limits"
)

// counterTest is one subtest of RunCounterStore.
type counterTest struct {
	name string
	run  func(t *testing.T, s limits.CounterStore, k keyspace)
}

// RunCounterStore runs the conformance suite for [limits.CounterStore]
// against the stores that newStore returns, one per subtest.
func RunCounterStore(t *testing.T, newStore func(t *testing.T) limits.CounterStore) {
	t.Helper()
	tests := []counterTest{
		{"ReserveCreates", testReserveCreates},
		{"ReserveCountsUpToLimit", testReserveCountsUpToLimit},
		{"ReserveKeepsExpiryOfExistingCounter", testReserveKeepsExpiry},
		{"RefusedReserveChangesNothing", testRefusedReserveChangesNothing},
		{"LimitMayDifferBetweenCalls", testLimitMayDiffer},
		{"ExpiredCounterIsAbsent", testExpiredCounterIsAbsent},
		{"ExpiredCounterIsRecreated", testExpiredCounterIsRecreated},
		{"FullExpiresAtOnLastSlot", testFullExpiresAtOnLastSlot},
		{"FullExpiresAtReplacesExpiry", testFullExpiresAtReplacesExpiry},
		{"FullExpiresAtWithLimitOne", testFullExpiresAtWithLimitOne},
		{"FullExpiresAtAfterRelease", testFullExpiresAtAfterRelease},
		{"ReleaseDecrements", testReleaseDecrements},
		{"ReleaseNeverBelowZero", testReleaseNeverBelowZero},
		{"ReleaseAbsentStaysAbsent", testReleaseAbsent},
		{"ReleaseExpiredStaysAbsent", testReleaseExpired},
		{"ReleaseFreesSlot", testReleaseFreesSlot},
		{"WindowIsCreationExpiry", testWindowIsCreationExpiry},
		{"ReleaseOfExpiredWindowDoesNothing", testReleaseOfExpiredWindow},
		{"ReleaseOfOtherWindowDoesNothing", testReleaseOfOtherWindow},
		{"ReleaseAfterFullExpiresAt", testReleaseAfterFullExpiresAt},
		{"GetAbsent", testGetAbsent},
		{"Delete", testDelete},
		{"DeleteAbsent", testDeleteAbsent},
		{"KeysAreIndependent", testCounterKeysIndependent},
		{"InvalidReservationRefused", testInvalidReservationRefused},
		{"ConcurrentReserve", testConcurrentReserve},
		{"ConcurrentReserveManyKeys", testConcurrentReserveManyKeys},
		{"ConcurrentReserveRelease", testConcurrentReserveRelease},
		{"ConcurrentReleaseMix", testConcurrentReleaseMix},
		{"ConcurrentStaleRelease", testConcurrentStaleRelease},
		{"CancelledContext", testCounterCancelledContext},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := newStore(t)
			require.NotNil(t, s, "newStore returned nil")
			tc.run(t, s, newKeys())
		})
	}
}

// requireCounter fails the test unless got equals want. Times are compared
// with time.Equal.
func requireCounter(t *testing.T, want, got limits.Counter, msgAndArgs ...any) {
	t.Helper()
	require.Equal(t, want.Count, got.Count, msgAndArgs...)
	require.Truef(t, want.ExpiresAt.Equal(got.ExpiresAt),
		"ExpiresAt: want %v, got %v %v", want.ExpiresAt, got.ExpiresAt, msgAndArgs)
}

// reserve calls s.Reserve and fails the test on an error or when ok is not
// wantOK. It returns the counter.
func reserve(t *testing.T, s limits.CounterStore, key string, r limits.Reservation, wantOK bool) limits.Counter {
	t.Helper()
	c, ok, err := s.Reserve(t.Context(), key, r)
	require.NoError(t, err)
	require.Equal(t, wantOK, ok, "Reserve ok (counter %+v)", c)
	return c
}

// get calls s.Get and fails the test on an error.
func get(t *testing.T, s limits.CounterStore, key string, now time.Time) limits.Counter {
	t.Helper()
	c, err := s.Get(t.Context(), key, now)
	require.NoError(t, err)
	return c
}

// release calls s.Release and fails the test on an error.
func release(t *testing.T, s limits.CounterStore, key string, window, now time.Time) {
	t.Helper()
	require.NoError(t, s.Release(t.Context(), key, window, now))
}

// absent is the zero Counter that Get returns for an absent key.
var absent = limits.Counter{}

func testReserveCreates(t *testing.T, s limits.CounterStore, k keyspace) {
	key := k.key("c")
	r := limits.Reservation{Limit: 3, Now: at(0), ExpiresAt: at(10 * time.Minute)}
	want := limits.Counter{Count: 1, ExpiresAt: at(10 * time.Minute)}

	requireCounter(t, want, reserve(t, s, key, r, true), "Reserve result")
	requireCounter(t, want, get(t, s, key, at(0)), "Get at creation")
	requireCounter(t, want, get(t, s, key, at(10*time.Minute-time.Millisecond)), "Get just before expiry")
}

func testReserveCountsUpToLimit(t *testing.T, s limits.CounterStore, k keyspace) {
	key := k.key("c")
	r := limits.Reservation{Limit: 3, Now: at(0), ExpiresAt: at(10 * time.Minute)}
	for i := int64(1); i <= 3; i++ {
		requireCounter(t, limits.Counter{Count: i, ExpiresAt: at(10 * time.Minute)},
			reserve(t, s, key, r, true), "Reserve %d", i)
	}
	full := limits.Counter{Count: 3, ExpiresAt: at(10 * time.Minute)}
	for i := range 3 {
		requireCounter(t, full, reserve(t, s, key, r, false), "refused Reserve %d", i)
	}
	requireCounter(t, full, get(t, s, key, at(0)))
}

func testReserveKeepsExpiry(t *testing.T, s limits.CounterStore, k keyspace) {
	key := k.key("c")
	// Later calls bring later expiries; only the one that creates the
	// counter sets it.
	for i := range int64(3) {
		now := at(time.Duration(i) * time.Minute)
		r := limits.Reservation{Limit: 5, Now: now, ExpiresAt: now.Add(10 * time.Minute)}
		requireCounter(t, limits.Counter{Count: i + 1, ExpiresAt: at(10 * time.Minute)},
			reserve(t, s, key, r, true), "Reserve at +%dm", i)
	}
	requireCounter(t, limits.Counter{Count: 3, ExpiresAt: at(10 * time.Minute)},
		get(t, s, key, at(9*time.Minute)))
}

func testRefusedReserveChangesNothing(t *testing.T, s limits.CounterStore, k keyspace) {
	key := k.key("c")
	fill := limits.Reservation{Limit: 2, Now: at(0), ExpiresAt: at(10 * time.Minute)}
	reserve(t, s, key, fill, true)
	reserve(t, s, key, fill, true)
	before := get(t, s, key, at(time.Minute))
	requireCounter(t, limits.Counter{Count: 2, ExpiresAt: at(10 * time.Minute)}, before)

	refusals := []limits.Reservation{
		{Limit: 2, Now: at(time.Minute), ExpiresAt: at(time.Hour)},
		{Limit: 2, Now: at(time.Minute), ExpiresAt: at(time.Hour), FullExpiresAt: at(2 * time.Hour)},
		{Limit: 1, Now: at(time.Minute), ExpiresAt: at(time.Hour), FullExpiresAt: at(2 * time.Hour)},
	}
	for i, r := range refusals {
		requireCounter(t, before, reserve(t, s, key, r, false), "refusal %d result", i)
		requireCounter(t, before, get(t, s, key, at(time.Minute)), "Get after refusal %d", i)
	}
}

func testLimitMayDiffer(t *testing.T, s limits.CounterStore, k keyspace) {
	key := k.key("c")
	exp := at(10 * time.Minute)
	for range 3 {
		reserve(t, s, key, limits.Reservation{Limit: 5, Now: at(0), ExpiresAt: exp}, true)
	}
	// A smaller limit than the count refuses and changes nothing.
	requireCounter(t, limits.Counter{Count: 3, ExpiresAt: exp},
		reserve(t, s, key, limits.Reservation{Limit: 2, Now: at(0), ExpiresAt: exp, FullExpiresAt: at(time.Hour)}, false))
	// A larger one takes a slot; taking its last slot applies FullExpiresAt.
	requireCounter(t, limits.Counter{Count: 4, ExpiresAt: at(time.Hour)},
		reserve(t, s, key, limits.Reservation{Limit: 4, Now: at(0), ExpiresAt: exp, FullExpiresAt: at(time.Hour)}, true))
}

func testExpiredCounterIsAbsent(t *testing.T, s limits.CounterStore, k keyspace) {
	key := k.key("c")
	exp := at(10 * time.Minute)
	reserve(t, s, key, limits.Reservation{Limit: 1, Now: at(0), ExpiresAt: exp}, true)

	justBefore := exp.Add(-time.Millisecond)
	requireCounter(t, limits.Counter{Count: 1, ExpiresAt: exp}, get(t, s, key, justBefore))
	reserve(t, s, key, limits.Reservation{Limit: 1, Now: justBefore, ExpiresAt: justBefore.Add(time.Hour)}, false)

	requireCounter(t, absent, get(t, s, key, exp), "Get at ExpiresAt")
	requireCounter(t, absent, get(t, s, key, exp.Add(time.Hour)), "Get after ExpiresAt")
}

func testExpiredCounterIsRecreated(t *testing.T, s limits.CounterStore, k keyspace) {
	key := k.key("c")
	exp := at(10 * time.Minute)
	fill := limits.Reservation{Limit: 2, Now: at(0), ExpiresAt: exp}
	reserve(t, s, key, fill, true)
	reserve(t, s, key, fill, true)

	// Now == ExpiresAt: the old counter is gone and a new one starts.
	again := limits.Reservation{Limit: 2, Now: exp, ExpiresAt: at(25 * time.Minute)}
	want := limits.Counter{Count: 1, ExpiresAt: at(25 * time.Minute)}
	requireCounter(t, want, reserve(t, s, key, again, true))
	requireCounter(t, want, get(t, s, key, exp))

	// Long after, likewise.
	late := limits.Reservation{Limit: 2, Now: at(time.Hour), ExpiresAt: at(2 * time.Hour)}
	want = limits.Counter{Count: 1, ExpiresAt: at(2 * time.Hour)}
	requireCounter(t, want, reserve(t, s, key, late, true))
	requireCounter(t, want, get(t, s, key, at(time.Hour)))
}

func testFullExpiresAtOnLastSlot(t *testing.T, s limits.CounterStore, k keyspace) {
	key := k.key("c")
	exp, full := at(10*time.Minute), at(time.Hour)
	r := limits.Reservation{Limit: 3, Now: at(0), ExpiresAt: exp, FullExpiresAt: full}
	requireCounter(t, limits.Counter{Count: 1, ExpiresAt: exp}, reserve(t, s, key, r, true))
	requireCounter(t, limits.Counter{Count: 2, ExpiresAt: exp}, reserve(t, s, key, r, true))
	requireCounter(t, limits.Counter{Count: 3, ExpiresAt: full}, reserve(t, s, key, r, true), "last slot")

	// The counter outlives its first expiry.
	requireCounter(t, limits.Counter{Count: 3, ExpiresAt: full}, get(t, s, key, at(30*time.Minute)))
	// A refused call does not raise it further.
	later := limits.Reservation{Limit: 3, Now: at(30 * time.Minute), ExpiresAt: at(time.Hour), FullExpiresAt: at(2 * time.Hour)}
	requireCounter(t, limits.Counter{Count: 3, ExpiresAt: full}, reserve(t, s, key, later, false))
	requireCounter(t, absent, get(t, s, key, full))
}

func testFullExpiresAtReplacesExpiry(t *testing.T, s limits.CounterStore, k keyspace) {
	key := k.key("c")
	exp := at(10 * time.Minute)
	// An earlier FullExpiresAt shortens the counter: a lock lasts exactly
	// its duration, however long the failure window is.
	r := limits.Reservation{Limit: 2, Now: at(0), ExpiresAt: exp, FullExpiresAt: at(5 * time.Minute)}
	requireCounter(t, limits.Counter{Count: 1, ExpiresAt: exp}, reserve(t, s, key, r, true))
	requireCounter(t, limits.Counter{Count: 2, ExpiresAt: at(5 * time.Minute)}, reserve(t, s, key, r, true))
	requireCounter(t, limits.Counter{Count: 2, ExpiresAt: at(5 * time.Minute)}, get(t, s, key, at(0)))
	requireCounter(t, absent, get(t, s, key, at(5*time.Minute)))

	// Equal leaves it as it is.
	key = k.key("equal")
	r.FullExpiresAt = exp
	reserve(t, s, key, r, true)
	requireCounter(t, limits.Counter{Count: 2, ExpiresAt: exp}, reserve(t, s, key, r, true))
}

func testFullExpiresAtWithLimitOne(t *testing.T, s limits.CounterStore, k keyspace) {
	key := k.key("c")
	// The call that creates the counter also takes its last slot.
	r := limits.Reservation{Limit: 1, Now: at(0), ExpiresAt: at(10 * time.Minute), FullExpiresAt: at(time.Hour)}
	want := limits.Counter{Count: 1, ExpiresAt: at(time.Hour)}
	requireCounter(t, want, reserve(t, s, key, r, true))
	requireCounter(t, want, get(t, s, key, at(30*time.Minute)))
}

func testFullExpiresAtAfterRelease(t *testing.T, s limits.CounterStore, k keyspace) {
	key := k.key("c")
	exp := at(10 * time.Minute)
	r := limits.Reservation{Limit: 2, Now: at(0), ExpiresAt: exp, FullExpiresAt: at(time.Hour)}
	reserve(t, s, key, r, true)
	requireCounter(t, limits.Counter{Count: 2, ExpiresAt: at(time.Hour)}, reserve(t, s, key, r, true))

	release(t, s, key, exp, at(time.Minute))
	requireCounter(t, limits.Counter{Count: 1, ExpiresAt: at(time.Hour)}, get(t, s, key, at(time.Minute)))

	// Taking the last slot again sets the expiry again.
	r = limits.Reservation{Limit: 2, Now: at(time.Minute), ExpiresAt: exp, FullExpiresAt: at(2 * time.Hour)}
	requireCounter(t, limits.Counter{Count: 2, ExpiresAt: at(2 * time.Hour)}, reserve(t, s, key, r, true))

	release(t, s, key, exp, at(time.Minute))
	r.FullExpiresAt = at(30 * time.Minute)
	requireCounter(t, limits.Counter{Count: 2, ExpiresAt: at(30 * time.Minute)}, reserve(t, s, key, r, true))
}

func testReleaseDecrements(t *testing.T, s limits.CounterStore, k keyspace) {
	key := k.key("c")
	exp := at(10 * time.Minute)
	r := limits.Reservation{Limit: 5, Now: at(0), ExpiresAt: exp}
	for range 3 {
		reserve(t, s, key, r, true)
	}
	for want := int64(2); want >= 0; want-- {
		release(t, s, key, exp, at(time.Minute))
		requireCounter(t, limits.Counter{Count: want, ExpiresAt: exp}, get(t, s, key, at(time.Minute)))
	}
}

func testReleaseNeverBelowZero(t *testing.T, s limits.CounterStore, k keyspace) {
	key := k.key("c")
	exp := at(10 * time.Minute)
	r := limits.Reservation{Limit: 2, Now: at(0), ExpiresAt: exp}
	reserve(t, s, key, r, true)
	for range 3 {
		release(t, s, key, exp, at(time.Minute))
	}
	// The counter still exists, at zero, with its expiry: the next Reserve
	// keeps that expiry instead of starting a new window.
	requireCounter(t, limits.Counter{Count: 0, ExpiresAt: exp}, get(t, s, key, at(time.Minute)))
	later := limits.Reservation{Limit: 2, Now: at(2 * time.Minute), ExpiresAt: at(time.Hour)}
	requireCounter(t, limits.Counter{Count: 1, ExpiresAt: exp}, reserve(t, s, key, later, true))
	requireCounter(t, limits.Counter{Count: 2, ExpiresAt: exp}, reserve(t, s, key, later, true))
	reserve(t, s, key, later, false)
}

func testReleaseAbsent(t *testing.T, s limits.CounterStore, k keyspace) {
	key := k.key("c")
	release(t, s, key, at(10*time.Minute), at(0))
	requireCounter(t, absent, get(t, s, key, at(0)))
	r := limits.Reservation{Limit: 1, Now: at(time.Minute), ExpiresAt: at(10 * time.Minute)}
	requireCounter(t, limits.Counter{Count: 1, ExpiresAt: at(10 * time.Minute)}, reserve(t, s, key, r, true))
}

func testReleaseExpired(t *testing.T, s limits.CounterStore, k keyspace) {
	key := k.key("c")
	exp := at(10 * time.Minute)
	reserve(t, s, key, limits.Reservation{Limit: 2, Now: at(0), ExpiresAt: exp}, true)

	release(t, s, key, exp, exp)
	requireCounter(t, absent, get(t, s, key, exp))
	release(t, s, key, exp, exp.Add(time.Minute))
	requireCounter(t, absent, get(t, s, key, exp.Add(time.Minute)))

	r := limits.Reservation{Limit: 2, Now: exp.Add(time.Minute), ExpiresAt: at(time.Hour)}
	requireCounter(t, limits.Counter{Count: 1, ExpiresAt: at(time.Hour)}, reserve(t, s, key, r, true))
}

func testReleaseFreesSlot(t *testing.T, s limits.CounterStore, k keyspace) {
	key := k.key("c")
	exp := at(10 * time.Minute)
	r := limits.Reservation{Limit: 2, Now: at(0), ExpiresAt: exp}
	reserve(t, s, key, r, true)
	reserve(t, s, key, r, true)
	reserve(t, s, key, r, false)
	release(t, s, key, exp, at(0))
	requireCounter(t, limits.Counter{Count: 2, ExpiresAt: exp}, reserve(t, s, key, r, true))
	reserve(t, s, key, r, false)
}

// requireWindow fails the test unless c's Window is want.
func requireWindow(t *testing.T, want time.Time, c limits.Counter, msgAndArgs ...any) {
	t.Helper()
	require.Truef(t, want.Equal(c.Window), "Window: want %v, got %v %v", want, c.Window, msgAndArgs)
}

// testWindowIsCreationExpiry: a counter's Window is the ExpiresAt it was
// created with; later reservations, FullExpiresAt and Release leave it as it
// is, and a counter restarted after expiry gets the new ExpiresAt.
func testWindowIsCreationExpiry(t *testing.T, s limits.CounterStore, k keyspace) {
	key := k.key("c")
	exp := at(10 * time.Minute)
	requireWindow(t, exp, reserve(t, s, key, limits.Reservation{Limit: 3, Now: at(0), ExpiresAt: exp}, true), "creating Reserve")
	later := limits.Reservation{Limit: 3, Now: at(time.Minute), ExpiresAt: at(11 * time.Minute), FullExpiresAt: at(time.Hour)}
	requireWindow(t, exp, reserve(t, s, key, later, true), "second Reserve")
	c := reserve(t, s, key, later, true)
	requireCounter(t, limits.Counter{Count: 3, ExpiresAt: at(time.Hour)}, c, "last slot")
	requireWindow(t, exp, c, "Reserve that moved the expiry")
	requireWindow(t, exp, reserve(t, s, key, later, false), "refused Reserve")
	requireWindow(t, exp, get(t, s, key, at(30*time.Minute)), "Get after the expiry moved")
	release(t, s, key, exp, at(30*time.Minute))
	requireWindow(t, exp, get(t, s, key, at(30*time.Minute)), "Get after Release")

	again := limits.Reservation{Limit: 3, Now: at(time.Hour), ExpiresAt: at(70 * time.Minute)}
	requireWindow(t, at(70*time.Minute), reserve(t, s, key, again, true), "Reserve that restarted the counter")
	requireWindow(t, at(70*time.Minute), get(t, s, key, at(time.Hour)), "Get after the restart")
	requireWindow(t, time.Time{}, get(t, s, k.key("never"), at(0)), "absent counter")
}

// testReleaseOfExpiredWindow: a slot reserved in a window that expired and
// was followed by a new one is not given back to the new window.
func testReleaseOfExpiredWindow(t *testing.T, s limits.CounterStore, k keyspace) {
	key := k.key("c")
	w1 := reserve(t, s, key, limits.Reservation{Limit: 3, Now: at(0), ExpiresAt: at(10 * time.Minute)}, true)

	// Window 1 expires; window 2 starts with two slots taken.
	r2 := limits.Reservation{Limit: 3, Now: at(10 * time.Minute), ExpiresAt: at(20 * time.Minute)}
	reserve(t, s, key, r2, true)
	w2 := reserve(t, s, key, r2, true)
	requireCounter(t, limits.Counter{Count: 2, ExpiresAt: at(20 * time.Minute)}, w2)

	release(t, s, key, w1.Window, at(11*time.Minute))
	requireCounter(t, limits.Counter{Count: 2, ExpiresAt: at(20 * time.Minute)}, get(t, s, key, at(11*time.Minute)),
		"window 2 after a release of window 1")
	// Window 2 has one slot left, not two.
	reserve(t, s, key, r2, true)
	reserve(t, s, key, r2, false)

	// Window 2's own release still works.
	release(t, s, key, w2.Window, at(11*time.Minute))
	requireCounter(t, limits.Counter{Count: 2, ExpiresAt: at(20 * time.Minute)}, get(t, s, key, at(11*time.Minute)))
}

// testReleaseOfOtherWindow: a window that never was the counter's, or a
// zero one, releases nothing.
func testReleaseOfOtherWindow(t *testing.T, s limits.CounterStore, k keyspace) {
	key := k.key("c")
	exp := at(10 * time.Minute)
	reserve(t, s, key, limits.Reservation{Limit: 3, Now: at(0), ExpiresAt: exp}, true)
	for _, w := range []time.Time{{}, exp.Add(-time.Millisecond), exp.Add(time.Millisecond), at(time.Hour)} {
		release(t, s, key, w, at(time.Minute))
		requireCounter(t, limits.Counter{Count: 1, ExpiresAt: exp}, get(t, s, key, at(time.Minute)), "after a release of window %v", w)
	}
	release(t, s, key, exp, at(time.Minute))
	requireCounter(t, limits.Counter{Count: 0, ExpiresAt: exp}, get(t, s, key, at(time.Minute)))
}

// testReleaseAfterFullExpiresAt: taking the last slot moves the expiry but
// not the window, so the slots taken before it and the locking slot itself
// are all given back with the Window their Reserve returned.
func testReleaseAfterFullExpiresAt(t *testing.T, s limits.CounterStore, k keyspace) {
	for _, full := range []time.Time{at(time.Hour), at(5 * time.Minute)} {
		key := k.key(fmt.Sprint("c", full.Sub(at(0))))
		exp := at(10 * time.Minute)
		r := limits.Reservation{Limit: 3, Now: at(0), ExpiresAt: exp, FullExpiresAt: full}
		first := reserve(t, s, key, r, true)
		reserve(t, s, key, r, true)
		locking := reserve(t, s, key, r, true)
		requireCounter(t, limits.Counter{Count: 3, ExpiresAt: full}, locking, "locking Reserve")

		release(t, s, key, first.Window, at(time.Minute))
		requireCounter(t, limits.Counter{Count: 2, ExpiresAt: full}, get(t, s, key, at(time.Minute)), "after the first slot's release")
		release(t, s, key, locking.Window, at(time.Minute))
		requireCounter(t, limits.Counter{Count: 1, ExpiresAt: full}, get(t, s, key, at(time.Minute)), "after the locking slot's release")
	}

	// With Limit 1 the creating call takes the last slot at once.
	key := k.key("one")
	c := reserve(t, s, key, limits.Reservation{Limit: 1, Now: at(0), ExpiresAt: at(10 * time.Minute), FullExpiresAt: at(time.Hour)}, true)
	release(t, s, key, c.Window, at(time.Minute))
	requireCounter(t, limits.Counter{Count: 0, ExpiresAt: at(time.Hour)}, get(t, s, key, at(time.Minute)))
}

func testGetAbsent(t *testing.T, s limits.CounterStore, k keyspace) {
	c, err := s.Get(t.Context(), k.key("never"), at(0))
	require.NoError(t, err)
	requireCounter(t, absent, c)
	assert.True(t, c.ExpiresAt.IsZero(), "ExpiresAt of an absent counter is %v, want the zero time", c.ExpiresAt)
}

func testDelete(t *testing.T, s limits.CounterStore, k keyspace) {
	key := k.key("c")
	r := limits.Reservation{Limit: 1, Now: at(0), ExpiresAt: at(10 * time.Minute)}
	reserve(t, s, key, r, true)
	require.NoError(t, s.Delete(t.Context(), key))
	requireCounter(t, absent, get(t, s, key, at(0)))

	r = limits.Reservation{Limit: 1, Now: at(time.Minute), ExpiresAt: at(20 * time.Minute)}
	requireCounter(t, limits.Counter{Count: 1, ExpiresAt: at(20 * time.Minute)}, reserve(t, s, key, r, true))
}

func testDeleteAbsent(t *testing.T, s limits.CounterStore, k keyspace) {
	key := k.key("c")
	require.NoError(t, s.Delete(t.Context(), key))
	require.NoError(t, s.Delete(t.Context(), key))
	requireCounter(t, absent, get(t, s, key, at(0)))

	// An expired counter too.
	reserve(t, s, key, limits.Reservation{Limit: 1, Now: at(0), ExpiresAt: at(time.Minute)}, true)
	get(t, s, key, at(time.Hour))
	require.NoError(t, s.Delete(t.Context(), key))
	require.NoError(t, s.Delete(t.Context(), key))
}

func testCounterKeysIndependent(t *testing.T, s limits.CounterStore, k keyspace) {
	a, b := k.key("a"), k.key("b")
	r := limits.Reservation{Limit: 1, Now: at(0), ExpiresAt: at(10 * time.Minute)}
	reserve(t, s, a, r, true)
	reserve(t, s, a, r, false)
	requireCounter(t, absent, get(t, s, b, at(0)))
	reserve(t, s, b, limits.Reservation{Limit: 3, Now: at(0), ExpiresAt: at(20 * time.Minute)}, true)

	release(t, s, b, at(20*time.Minute), at(0))
	requireCounter(t, limits.Counter{Count: 1, ExpiresAt: at(10 * time.Minute)}, get(t, s, a, at(0)))

	require.NoError(t, s.Delete(t.Context(), a))
	requireCounter(t, limits.Counter{Count: 0, ExpiresAt: at(20 * time.Minute)}, get(t, s, b, at(0)))

	// Keys that share a prefix are still different keys.
	reserve(t, s, k.key("ab"), r, true)
	reserve(t, s, k.key("a"), r, true)
}

// testInvalidReservationRefused: a reservation that breaks the contract
// (Limit below 1, an expiry not after Now) is an error, takes no slot and
// creates no counter.
func testInvalidReservationRefused(t *testing.T, s limits.CounterStore, k keyspace) {
	key := k.key("c")
	for _, tc := range []struct {
		name string
		r    limits.Reservation
	}{
		{"limit 0", limits.Reservation{Limit: 0, Now: at(0), ExpiresAt: at(time.Minute)}},
		{"expiry equal to now", limits.Reservation{Limit: 1, Now: at(0), ExpiresAt: at(0)}},
		{"expiry before now", limits.Reservation{Limit: 1, Now: at(0), ExpiresAt: at(-time.Minute)}},
	} {
		_, ok, err := s.Reserve(t.Context(), key, tc.r)
		require.Error(t, err, tc.name)
		require.False(t, ok, tc.name)
	}
	requireCounter(t, absent, get(t, s, key, at(0)))
}

// callResult is what one Reserve call returned.
type callResult struct {
	c   limits.Counter
	ok  bool
	err error
}

func testConcurrentReserve(t *testing.T, s limits.CounterStore, k keyspace) {
	const goroutines, limit = 100, 10
	key := k.key("c")
	exp, full := at(10*time.Minute), at(time.Hour)
	r := limits.Reservation{Limit: limit, Now: at(0), ExpiresAt: exp, FullExpiresAt: full}

	results := make([]callResult, goroutines)
	ctx := t.Context()
	race(goroutines, func(i int) {
		c, ok, err := s.Reserve(ctx, key, r)
		results[i] = callResult{c, ok, err}
	})

	var counts []int64
	for i, res := range results {
		require.NoError(t, res.err, "goroutine %d", i)
		if !res.ok {
			requireCounter(t, limits.Counter{Count: limit, ExpiresAt: full}, res.c, "refused goroutine %d", i)
			continue
		}
		counts = append(counts, res.c.Count)
		wantExp := exp
		if res.c.Count == limit {
			wantExp = full
		}
		requireCounter(t, limits.Counter{Count: res.c.Count, ExpiresAt: wantExp}, res.c, "goroutine %d", i)
	}
	// Each successful call saw a different count: 1, 2, …, limit.
	slices.Sort(counts)
	require.Equal(t, []int64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, counts, "counts returned by successful Reserve calls")
	requireCounter(t, limits.Counter{Count: limit, ExpiresAt: full}, get(t, s, key, at(0)))
}

// testConcurrentReserveManyKeys races Reserve calls spread over a few keys,
// round after round on the same keys (each round after the last one's
// counters expired), so that creating a counter and taking a slot of an
// existing one are both contended.
func testConcurrentReserveManyKeys(t *testing.T, s limits.CounterStore, k keyspace) {
	const rounds, goroutines, keys, limit = 5, 60, 3, 4
	ctx := t.Context()
	for round := range rounds {
		now := at(time.Duration(round) * time.Hour)
		r := limits.Reservation{Limit: limit, Now: now, ExpiresAt: now.Add(time.Minute), FullExpiresAt: now.Add(30 * time.Minute)}
		results := make([]callResult, goroutines)
		race(goroutines, func(i int) {
			c, ok, err := s.Reserve(ctx, k.key(fmt.Sprint("c", i%keys)), r)
			results[i] = callResult{c, ok, err}
		})
		taken := make([]int, keys)
		for i, res := range results {
			require.NoError(t, res.err, "round %d goroutine %d", round, i)
			if res.ok {
				taken[i%keys]++
				continue
			}
			// A refused call reports the full counter it was refused by.
			requireCounter(t, limits.Counter{Count: limit, ExpiresAt: r.FullExpiresAt}, res.c, "round %d goroutine %d", round, i)
		}
		for key, n := range taken {
			require.Equal(t, limit, n, "round %d key %d: slots taken", round, key)
		}
	}
}

func testConcurrentReserveRelease(t *testing.T, s limits.CounterStore, k keyspace) {
	const goroutines, rounds, limit = 100, 10, 5
	key := k.key("c")
	exp := at(10 * time.Minute)
	r := limits.Reservation{Limit: limit, Now: at(0), ExpiresAt: exp}

	var (
		held, maxHeld, taken atomic.Int64
		bad                  atomic.Value // first problem seen, as a string
	)
	fail := func(msg string) { bad.CompareAndSwap(nil, msg) }
	ctx := t.Context()
	race(goroutines, func(int) {
		for range rounds {
			c, ok, err := s.Reserve(ctx, key, r)
			switch {
			case err != nil:
				fail("Reserve: " + err.Error())
				return
			case !ok && c.Count != limit:
				fail("refused Reserve returned a count other than the limit")
			case ok && (c.Count < 1 || c.Count > limit):
				fail("Reserve returned a count out of bounds")
			case !c.ExpiresAt.Equal(exp):
				fail("Reserve changed the expiry")
			}
			if !ok {
				continue
			}
			taken.Add(1)
			// Slots held by callers between Reserve and Release can never
			// outnumber the limit.
			raise(&maxHeld, held.Add(1))
			held.Add(-1)
			if err := s.Release(ctx, key, exp, at(time.Second)); err != nil {
				fail("Release: " + err.Error())
				return
			}
		}
	})
	if msg := bad.Load(); msg != nil {
		t.Fatal(msg)
	}
	require.LessOrEqual(t, maxHeld.Load(), int64(limit), "slots held at once")
	require.Positive(t, taken.Load())
	requireCounter(t, limits.Counter{Count: 0, ExpiresAt: exp}, get(t, s, key, at(time.Second)))
}

// raise sets m to n if n is greater.
func raise(m *atomic.Int64, n int64) {
	for {
		old := m.Load()
		if n <= old || m.CompareAndSwap(old, n) {
			return
		}
	}
}

func testConcurrentReleaseMix(t *testing.T, s limits.CounterStore, k keyspace) {
	const goroutines, rounds, limit = 100, 10, 5
	key := k.key("c")
	exp := at(10 * time.Minute)
	r := limits.Reservation{Limit: limit, Now: at(0), ExpiresAt: exp}
	reserve(t, s, key, r, true) // so Get always finds the counter

	var bad atomic.Value
	fail := func(msg string) { bad.CompareAndSwap(nil, msg) }
	ctx := t.Context()
	race(goroutines, func(i int) {
		for range rounds {
			switch i % 3 {
			case 0: // reserve, then release what was taken
				c, ok, err := s.Reserve(ctx, key, r)
				if err != nil {
					fail("Reserve: " + err.Error())
					return
				}
				if c.Count < 1 || c.Count > limit || (!ok && c.Count != limit) {
					fail("Reserve returned a count out of bounds")
				}
				if ok {
					if err := s.Release(ctx, key, exp, at(time.Second)); err != nil {
						fail("Release: " + err.Error())
						return
					}
				}
			case 1: // release slots nobody took
				if err := s.Release(ctx, key, exp, at(time.Second)); err != nil {
					fail("Release: " + err.Error())
					return
				}
			case 2:
				c, err := s.Get(ctx, key, at(time.Second))
				if err != nil {
					fail("Get: " + err.Error())
					return
				}
				if c.Count < 0 || c.Count > limit || !c.ExpiresAt.Equal(exp) {
					fail("Get returned a counter out of bounds")
				}
			}
		}
	})
	if msg := bad.Load(); msg != nil {
		t.Fatal(msg)
	}
	// Every slot taken was given back, and extra releases stop at zero.
	requireCounter(t, limits.Counter{Count: 0, ExpiresAt: exp}, get(t, s, key, at(time.Second)))
	for range limit {
		reserve(t, s, key, r, true)
	}
	reserve(t, s, key, r, false)
}

// testConcurrentStaleRelease races releases of an expired window against
// reservations that start the next one: the stale releases free nothing,
// so exactly the limit of reservations succeeds in the new window, and its
// own releases (racing too) each free one slot.
func testConcurrentStaleRelease(t *testing.T, s limits.CounterStore, k keyspace) {
	const goroutines, limit = 90, 10
	key := k.key("c")
	old := limits.Reservation{Limit: limit, Now: at(0), ExpiresAt: at(10 * time.Minute), FullExpiresAt: at(15 * time.Minute)}
	var stale time.Time
	for range limit {
		stale = reserve(t, s, key, old, true).Window
	}
	r := limits.Reservation{Limit: limit, Now: at(20 * time.Minute), ExpiresAt: at(30 * time.Minute)}

	results := make([]callResult, goroutines)
	ctx := t.Context()
	race(goroutines, func(i int) {
		if i%3 == 0 {
			results[i] = callResult{err: s.Release(ctx, key, stale, r.Now)}
			return
		}
		c, ok, err := s.Reserve(ctx, key, r)
		results[i] = callResult{c, ok, err}
	})
	took := 0
	for i, res := range results {
		require.NoError(t, res.err, "goroutine %d", i)
		if res.ok {
			took++
			requireWindow(t, r.ExpiresAt, res.c, "goroutine %d", i)
		}
	}
	require.Equal(t, limit, took, "reservations that succeeded in the new window")
	requireCounter(t, limits.Counter{Count: limit, ExpiresAt: r.ExpiresAt}, get(t, s, key, r.Now))

	// Stale and current releases race; only the current ones count.
	race(goroutines, func(i int) {
		w := stale
		if i < limit/2 {
			w = r.ExpiresAt
		}
		results[i] = callResult{err: s.Release(ctx, key, w, r.Now)}
	})
	for i, res := range results {
		require.NoError(t, res.err, "goroutine %d", i)
	}
	requireCounter(t, limits.Counter{Count: limit - limit/2, ExpiresAt: r.ExpiresAt}, get(t, s, key, r.Now))
}

func testCounterCancelledContext(t *testing.T, s limits.CounterStore, k keyspace) {
	// A store may fail or succeed on a cancelled context, but what it
	// reports must match what it did.
	key := k.key("c")
	exp := at(10 * time.Minute)
	r := limits.Reservation{Limit: 3, Now: at(0), ExpiresAt: exp}
	reserve(t, s, key, r, true)
	ctx := cancelled()
	bg := context.Background()

	if c, err := s.Get(ctx, key, at(0)); err == nil {
		requireCounter(t, limits.Counter{Count: 1, ExpiresAt: exp}, c, "Get on a cancelled context")
	}

	c, ok, err := s.Reserve(ctx, key, r)
	got, gerr := s.Get(bg, key, at(0))
	require.NoError(t, gerr)
	if err == nil {
		require.True(t, ok, "Reserve on a cancelled context refused with a free slot")
		requireCounter(t, limits.Counter{Count: 2, ExpiresAt: exp}, c)
		requireCounter(t, c, got)
	} else {
		require.Contains(t, []int64{1, 2}, got.Count, "count after a failed Reserve")
		require.True(t, got.ExpiresAt.Equal(exp))
	}
	count := got.Count

	err = s.Release(ctx, key, exp, at(0))
	got, gerr = s.Get(bg, key, at(0))
	require.NoError(t, gerr)
	if err == nil {
		requireCounter(t, limits.Counter{Count: count - 1, ExpiresAt: exp}, got)
	} else {
		require.Contains(t, []int64{count - 1, count}, got.Count, "count after a failed Release")
	}

	err = s.Delete(ctx, key)
	got, gerr = s.Get(bg, key, at(0))
	require.NoError(t, gerr)
	if err == nil {
		requireCounter(t, absent, got)
	}

	// The store still works.
	require.NoError(t, s.Delete(bg, key))
	requireCounter(t, limits.Counter{Count: 1, ExpiresAt: exp}, reserve(t, s, key, r, true))
}
