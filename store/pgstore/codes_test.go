package pgstore_test

import (
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
		require.NoError(t, s.PutCode(ctx, "k", notify.CodeRecord{Hash: right, ExpiresAt: at(time.Hour), MaxWrong: maxWrong}, at(0)))
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

func TestSweepCodes(t *testing.T) {
	t.Parallel()
	s := newStore(t, testPool(t))
	ctx := t.Context()
	require.NoError(t, s.PutCode(ctx, "old", notify.CodeRecord{Hash: hashOf("1"), ExpiresAt: at(time.Minute), MaxWrong: 3}, at(0)))
	require.NoError(t, s.PutCode(ctx, "new", notify.CodeRecord{Hash: hashOf("2"), ExpiresAt: at(time.Hour), MaxWrong: 3}, at(0)))
	n, err := s.Sweep(ctx, at(10*time.Minute))
	require.NoError(t, err)
	require.Equal(t, int64(1), n)
	out, _, err := s.ConsumeCode(ctx, "new", hashOf("2"), at(0))
	require.NoError(t, err)
	require.Equal(t, notify.Matched, out)
}
