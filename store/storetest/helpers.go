package storetest

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// subtest is one named subtest of a suite whose tests work on a fixture F.
type subtest[F any] struct {
	name string
	run  func(t *testing.T, f F)
}

// runSuite runs each test as a subtest of its own, on the fixture that fixture
// builds from a fresh store (from newStore) and a fresh keyspace.
func runSuite[S, F any](t *testing.T, newStore func(t *testing.T) S, fixture func(*testing.T, S, keyspace) F, tests []subtest[F]) {
	t.Helper()
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := newStore(t)
			require.NotNil(t, s, "newStore returned nil")
			tc.run(t, fixture(t, s, newKeys()))
		})
	}
}

// raceAll runs f(i) for i in [0, n) on goroutines that all start at once
// (see race), fails the test unless every call returned a nil error, and
// returns the results in order.
func raceAll[T any](t *testing.T, n int, f func(i int) (T, error)) []T {
	t.Helper()
	results, errs := make([]T, n), make([]error, n)
	race(n, func(i int) { results[i], errs[i] = f(i) })
	for i, err := range errs {
		require.NoError(t, err, "goroutine %d", i)
	}
	return results
}

// raceErrs is raceAll for calls that return only an error.
func raceErrs(t *testing.T, n int, f func(i int) error) {
	t.Helper()
	raceAll(t, n, func(i int) (struct{}, error) { return struct{}{}, f(i) })
}

// seq is a subtest that takes steps in turn on its fixture; a failure is
// reported with the step it happened in.
func seq[F any](steps ...func(*F)) func(*testing.T, F) {
	return func(t *testing.T, f F) {
		i := 0
		defer func() {
			if t.Failed() {
				t.Logf("failed in step %d of %d", i+1, len(steps))
			}
		}()
		for ; i < len(steps); i++ {
			steps[i](&f)
		}
	}
}

// countOf returns how many of xs are x.
func countOf[T comparable](xs []T, x T) int {
	n := 0
	for _, v := range xs {
		if v == x {
			n++
		}
	}
	return n
}

// errOf returns the error of a call that returns a value and an error.
func errOf[A any](_ A, err error) error { return err }

// errOf2 returns the error of a call that returns two values and an error.
func errOf2[A, B any](_ A, _ B, err error) error { return err }

// must returns a function that fails the test on a non-nil error and
// returns the value.
func must[A any](t *testing.T) func(A, error) A {
	return func(v A, err error) A {
		t.Helper()
		require.NoError(t, err)
		return v
	}
}

// lookup returns a function that fails the test on a non-nil error and
// returns view of the value, or nil when it was not found.
func lookup[A, V any](t *testing.T, view func(A) *V) func(A, bool, error) *V {
	return func(v A, found bool, err error) *V {
		t.Helper()
		require.NoError(t, err)
		if !found {
			return nil
		}
		return view(v)
	}
}

// ptr returns a pointer to a copy of v, the view of a value as it is.
func ptr[A any](v A) *A { return &v }
