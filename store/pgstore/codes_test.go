package pgstore_test

import (
	"bytes"
	"crypto/sha256"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/accountsec/accountsec/notify"
)

func hashOf(s string) []byte {
	h := sha256.Sum256([]byte(s))
	return h[:]
}

func TestPutCodeRejectsInvalidRecords(t *testing.T) {
	t.Parallel()
	s := newStore(t, testPool(t))
	ctx := t.Context()
	require.Error(t, s.PutCode(ctx, "k", notify.CodeRecord{Hash: hashOf("1"), ExpiresAt: at(time.Minute), MaxWrong: 0}))
	require.Error(t, s.PutCode(ctx, "k", notify.CodeRecord{Hash: nil, ExpiresAt: at(time.Minute), MaxWrong: 3}))
	out, _, err := s.ConsumeCode(ctx, "k", nil, at(0))
	require.NoError(t, err)
	require.Equal(t, notify.Missing, out)
}

// TestConsumeCodeRaceIsExact repeats a race of wrong and right answers many
// times: every round, the wrong answers counted before the code went away
// must be exactly what MaxWrong allows, with distinct remaining counts, and
// at most one right answer may match.
func TestConsumeCodeRaceIsExact(t *testing.T) {
	t.Parallel()
	s := newStore(t, testPool(t))
	ctx := t.Context()
	right, wrong := hashOf("123456"), hashOf("654321")
	const rounds, goroutines, maxWrong = 20, 40, 5
	for round := range rounds {
		require.NoError(t, s.PutCode(ctx, "k", notify.CodeRecord{Hash: right, ExpiresAt: at(time.Hour), MaxWrong: maxWrong}))
		outs := make([]notify.Outcome, goroutines)
		rems := make([]int, goroutines)
		errs := make([]error, goroutines)
		withRight := round%2 == 1
		race(goroutines, func(i int) {
			h := wrong
			if withRight && i%8 == 0 {
				h = right
			}
			outs[i], rems[i], errs[i] = s.ConsumeCode(ctx, "k", h, at(time.Minute))
		})
		matched, seen := 0, map[int]bool{}
		for i := range goroutines {
			require.NoError(t, errs[i])
			switch outs[i] {
			case notify.Matched:
				matched++
			case notify.Mismatched:
				require.False(t, seen[rems[i]], "round %d: remaining %d reported twice", round, rems[i])
				seen[rems[i]] = true
			}
		}
		require.LessOrEqual(t, matched, 1, "round %d", round)
		if matched == 0 {
			require.Len(t, seen, maxWrong, "round %d", round)
		}
		// Whatever happened, the code is gone now.
		out, _, err := s.ConsumeCode(ctx, "k", right, at(time.Minute))
		require.NoError(t, err)
		require.Equal(t, notify.Missing, out, "round %d", round)
	}
}

// TestConsumeCodeExactlyMaxWrongRacers races exactly MaxWrong wrong answers:
// every one of them must be counted (none may come back Missing while the
// code still exists), and together they destroy the code. A statement that
// decided on a stale row version, rather than the one it locked, would let
// some answers through uncounted and leave the code alive for more guesses.
func TestConsumeCodeExactlyMaxWrongRacers(t *testing.T) {
	t.Parallel()
	s := newStore(t, testPool(t))
	ctx := t.Context()
	right, wrong := hashOf("123456"), hashOf("654321")
	const rounds, maxWrong = 20, 8
	for round := range rounds {
		require.NoError(t, s.PutCode(ctx, "k", notify.CodeRecord{Hash: right, ExpiresAt: at(time.Hour), MaxWrong: maxWrong}))
		outs := make([]notify.Outcome, maxWrong)
		rems := make([]int, maxWrong)
		errs := make([]error, maxWrong)
		race(maxWrong, func(i int) {
			outs[i], rems[i], errs[i] = s.ConsumeCode(ctx, "k", wrong, at(time.Minute))
		})
		seen := map[int]bool{}
		for i := range maxWrong {
			require.NoError(t, errs[i])
			require.Equal(t, notify.Mismatched, outs[i], "round %d goroutine %d", round, i)
			seen[rems[i]] = true
		}
		require.Len(t, seen, maxWrong, "round %d: remaining counts %v", round, rems)
		out, _, err := s.ConsumeCode(ctx, "k", right, at(time.Minute))
		require.NoError(t, err)
		require.Equal(t, notify.Missing, out, "round %d: the code outlived its wrong answers", round)
	}
}

// TestConsumeCodeRacesPutCode replaces the code while answers race against
// it. No call may fail, and every outcome must be one a serial order could
// give: a right answer for the new code matches at most once.
func TestConsumeCodeRacesPutCode(t *testing.T) {
	t.Parallel()
	s := newStore(t, testPool(t))
	ctx := t.Context()
	oldHash, newHash := hashOf("111111"), hashOf("222222")
	const rounds, goroutines = 10, 30
	for round := range rounds {
		require.NoError(t, s.PutCode(ctx, "k", notify.CodeRecord{Hash: oldHash, ExpiresAt: at(time.Hour), MaxWrong: 3}))
		errs := make([]error, goroutines)
		outs := make([]notify.Outcome, goroutines)
		hashes := make([][]byte, goroutines)
		race(goroutines, func(i int) {
			if i == 0 {
				errs[i] = s.PutCode(ctx, "k", notify.CodeRecord{Hash: newHash, ExpiresAt: at(time.Hour), MaxWrong: 3})
				return
			}
			hashes[i] = newHash
			if i%2 == 0 {
				hashes[i] = oldHash
			}
			outs[i], _, errs[i] = s.ConsumeCode(ctx, "k", hashes[i], at(time.Minute))
		})
		newMatches := 0
		for i := range goroutines {
			require.NoError(t, errs[i], "round %d goroutine %d", round, i)
			if outs[i] == notify.Matched && bytes.Equal(hashes[i], newHash) {
				newMatches++
			}
		}
		require.LessOrEqual(t, newMatches, 1, "round %d", round)
		require.NoError(t, s.DeleteCode(ctx, "k"))
	}
}

func TestSweepCodes(t *testing.T) {
	t.Parallel()
	s := newStore(t, testPool(t))
	ctx := t.Context()
	require.NoError(t, s.PutCode(ctx, "old", notify.CodeRecord{Hash: hashOf("1"), ExpiresAt: at(time.Minute), MaxWrong: 3}))
	require.NoError(t, s.PutCode(ctx, "new", notify.CodeRecord{Hash: hashOf("2"), ExpiresAt: at(time.Hour), MaxWrong: 3}))
	n, err := s.Sweep(ctx, at(10*time.Minute))
	require.NoError(t, err)
	require.Equal(t, int64(1), n)
	out, _, err := s.ConsumeCode(ctx, "new", hashOf("2"), at(0))
	require.NoError(t, err)
	require.Equal(t, notify.Matched, out)
}
