package storetest

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/accountsec/accountsec/notify"
)

// codeTest is one subtest of RunCodeStore.
type codeTest struct {
	name string
	run  func(t *testing.T, s notify.CodeStore, k keyspace)
}

// RunCodeStore runs the conformance suite for [notify.CodeStore] against the
// stores that newStore returns, one per subtest.
func RunCodeStore(t *testing.T, newStore func(t *testing.T) notify.CodeStore) {
	t.Helper()
	tests := []codeTest{
		{"ConsumeMatches", testConsumeMatches},
		{"ConsumeAbsent", testConsumeAbsent},
		{"WrongAnswersCountDown", testWrongAnswersCountDown},
		{"WrongThenRight", testWrongThenRight},
		{"MaxWrongOne", testMaxWrongOne},
		{"HashOfOtherLength", testHashOfOtherLength},
		{"PutReplaces", testPutReplaces},
		{"PutCopiesHash", testPutCopiesHash},
		{"Expired", testCodeExpired},
		{"ValidUntilExpiry", testCodeValidUntilExpiry},
		{"ExpiresByCallersClock", testCodeExpiresByCallersClock},
		{"PutRefusesExpiryNotAfterNow", testPutRefusesExpiryNotAfterNow},
		{"DeleteCode", testDeleteCode},
		{"DeleteCodeAbsent", testDeleteCodeAbsent},
		{"KeysAreIndependent", testCodeKeysIndependent},
		{"InvalidRecordRefused", testInvalidRecordRefused},
		{"ConcurrentRightAnswers", testConcurrentRightAnswers},
		{"ConcurrentWrongAnswers", testConcurrentWrongAnswers},
		{"ConcurrentExactlyMaxWrong", testConcurrentExactlyMaxWrong},
		{"ConcurrentMixedAnswers", testConcurrentMixedAnswers},
		{"ConcurrentAnswersAndPut", testConcurrentAnswersAndPut},
		{"CancelledContext", testCodeCancelledContext},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := newStore(t)
			require.NotNil(t, s, "newStore returned nil")
			tc.run(t, s, newKeys())
		})
	}
}

// putCode stores a code with the given hash, expiry and MaxWrong at time
// at(0), and fails the test on an error.
func putCode(t *testing.T, s notify.CodeStore, key string, hash []byte, expiresAt time.Time, maxWrong int) {
	t.Helper()
	require.NoError(t, s.PutCode(t.Context(), key, notify.CodeRecord{Hash: hash, ExpiresAt: expiresAt, MaxWrong: maxWrong}, at(0)))
}

// consume calls s.ConsumeCode and fails the test on an error or when the
// outcome or remaining count differs from the wanted ones.
func consume(t *testing.T, s notify.CodeStore, key string, hash []byte, now time.Time, want notify.Outcome, wantRemaining int) {
	t.Helper()
	out, remaining, err := s.ConsumeCode(t.Context(), key, hash, now)
	require.NoError(t, err)
	require.Equal(t, outcomeName(want), outcomeName(out), "outcome")
	require.Equal(t, wantRemaining, remaining, "remaining wrong answers")
}

// outcomeName makes failure messages readable.
func outcomeName(o notify.Outcome) string {
	switch o {
	case notify.Missing:
		return "Missing"
	case notify.Matched:
		return "Matched"
	case notify.Mismatched:
		return "Mismatched"
	}
	return "Outcome(" + strconv.Itoa(int(o)) + ")"
}

var (
	right = hashOf("123456")
	wrong = hashOf("654321")
)

func testConsumeMatches(t *testing.T, s notify.CodeStore, k keyspace) {
	key := k.key("code")
	putCode(t, s, key, right, at(10*time.Minute), 3)
	consume(t, s, key, right, at(time.Minute), notify.Matched, 0)
	consume(t, s, key, right, at(time.Minute), notify.Missing, 0)
	consume(t, s, key, wrong, at(time.Minute), notify.Missing, 0)
}

func testConsumeAbsent(t *testing.T, s notify.CodeStore, k keyspace) {
	key := k.key("code")
	consume(t, s, key, right, at(0), notify.Missing, 0)
	consume(t, s, key, nil, at(0), notify.Missing, 0)
}

func testWrongAnswersCountDown(t *testing.T, s notify.CodeStore, k keyspace) {
	key := k.key("code")
	putCode(t, s, key, right, at(10*time.Minute), 3)
	consume(t, s, key, wrong, at(time.Minute), notify.Mismatched, 2)
	consume(t, s, key, wrong, at(time.Minute), notify.Mismatched, 1)
	consume(t, s, key, wrong, at(time.Minute), notify.Mismatched, 0)
	// The code is gone: even the right answer no longer matches.
	consume(t, s, key, right, at(time.Minute), notify.Missing, 0)
	consume(t, s, key, wrong, at(time.Minute), notify.Missing, 0)
}

func testWrongThenRight(t *testing.T, s notify.CodeStore, k keyspace) {
	key := k.key("code")
	putCode(t, s, key, right, at(10*time.Minute), 3)
	consume(t, s, key, wrong, at(time.Minute), notify.Mismatched, 2)
	consume(t, s, key, wrong, at(time.Minute), notify.Mismatched, 1)
	consume(t, s, key, right, at(time.Minute), notify.Matched, 0)
	consume(t, s, key, right, at(time.Minute), notify.Missing, 0)
}

func testMaxWrongOne(t *testing.T, s notify.CodeStore, k keyspace) {
	key := k.key("code")
	putCode(t, s, key, right, at(10*time.Minute), 1)
	consume(t, s, key, wrong, at(time.Minute), notify.Mismatched, 0)
	consume(t, s, key, right, at(time.Minute), notify.Missing, 0)
}

func testHashOfOtherLength(t *testing.T, s notify.CodeStore, k keyspace) {
	key := k.key("code")
	putCode(t, s, key, right, at(10*time.Minute), 4)
	consume(t, s, key, right[:16], at(0), notify.Mismatched, 3)
	consume(t, s, key, append(slices.Clone(right), 0), at(0), notify.Mismatched, 2)
	consume(t, s, key, nil, at(0), notify.Mismatched, 1)
	consume(t, s, key, right, at(0), notify.Matched, 0)
}

func testPutReplaces(t *testing.T, s notify.CodeStore, k keyspace) {
	key := k.key("code")
	newer := hashOf("111111")
	putCode(t, s, key, right, at(5*time.Minute), 3)
	consume(t, s, key, wrong, at(time.Minute), notify.Mismatched, 2)
	consume(t, s, key, wrong, at(time.Minute), notify.Mismatched, 1)

	// The new code comes with a fresh wrong-answer count and its own expiry
	// and MaxWrong; the old hash is just a wrong answer now.
	putCode(t, s, key, newer, at(20*time.Minute), 4)
	consume(t, s, key, right, at(10*time.Minute), notify.Mismatched, 3)
	consume(t, s, key, wrong, at(10*time.Minute), notify.Mismatched, 2)
	consume(t, s, key, newer, at(10*time.Minute), notify.Matched, 0)
	consume(t, s, key, newer, at(10*time.Minute), notify.Missing, 0)

	// Replacing with a shorter expiry shortens it.
	putCode(t, s, key, right, at(time.Hour), 3)
	putCode(t, s, key, right, at(2*time.Minute), 3)
	consume(t, s, key, right, at(2*time.Minute), notify.Missing, 0)
}

func testPutCopiesHash(t *testing.T, s notify.CodeStore, k keyspace) {
	key := k.key("code")
	h := slices.Clone(right)
	putCode(t, s, key, h, at(10*time.Minute), 3)
	clear(h) // the caller reuses its buffer
	consume(t, s, key, h, at(0), notify.Mismatched, 2)
	consume(t, s, key, right, at(0), notify.Matched, 0)
}

func testCodeExpired(t *testing.T, s notify.CodeStore, k keyspace) {
	key := k.key("code")
	exp := at(10 * time.Minute)
	putCode(t, s, key, right, exp, 1)
	// An expired code takes no wrong answers either.
	consume(t, s, key, wrong, exp, notify.Missing, 0)
	consume(t, s, key, right, exp, notify.Missing, 0)
	consume(t, s, key, right, exp.Add(time.Hour), notify.Missing, 0)

	// Putting a new code after expiry works as usual.
	putCode(t, s, key, right, at(time.Hour), 1)
	consume(t, s, key, right, exp, notify.Matched, 0)
}

func testCodeValidUntilExpiry(t *testing.T, s notify.CodeStore, k keyspace) {
	key := k.key("code")
	exp := at(10 * time.Minute)
	putCode(t, s, key, right, exp, 2)
	consume(t, s, key, wrong, exp.Add(-time.Millisecond), notify.Mismatched, 1)
	consume(t, s, key, right, exp.Add(-time.Millisecond), notify.Matched, 0)
}

// testCodeExpiresByCallersClock: a code put at the caller's now, however
// far that is from the store's own clock, is valid until its ExpiresAt and
// gone exactly then.
func testCodeExpiresByCallersClock(t *testing.T, s notify.CodeStore, k keyspace) {
	for name, now := range map[string]time.Time{
		"past":   time.Date(1999, 12, 31, 23, 0, 0, 0, time.UTC),
		"future": time.Date(2200, 6, 1, 0, 0, 0, 0, time.UTC),
	} {
		exp := now.Add(5 * time.Minute)
		key := k.key(name)
		require.NoError(t, s.PutCode(t.Context(), key, notify.CodeRecord{Hash: right, ExpiresAt: exp, MaxWrong: 3}, now), name)
		consume(t, s, key, wrong, exp.Add(-time.Millisecond), notify.Mismatched, 2)

		require.NoError(t, s.PutCode(t.Context(), key, notify.CodeRecord{Hash: right, ExpiresAt: exp, MaxWrong: 3}, now), name)
		consume(t, s, key, right, exp.Add(-time.Millisecond), notify.Matched, 0)

		require.NoError(t, s.PutCode(t.Context(), key, notify.CodeRecord{Hash: right, ExpiresAt: exp, MaxWrong: 3}, now), name)
		consume(t, s, key, right, exp, notify.Missing, 0)
	}
}

// testPutRefusesExpiryNotAfterNow: a code whose ExpiresAt is not after the
// caller's now is an error and changes nothing, not even the code already
// at the key.
func testPutRefusesExpiryNotAfterNow(t *testing.T, s notify.CodeStore, k keyspace) {
	key := k.key("code")
	putCode(t, s, key, right, at(10*time.Minute), 3)
	now := at(time.Minute)
	for name, exp := range map[string]time.Time{
		"equal to now": now,
		"before now":   now.Add(-time.Minute),
		"zero":         {},
	} {
		require.Error(t, s.PutCode(t.Context(), key, notify.CodeRecord{Hash: wrong, ExpiresAt: exp, MaxWrong: 1}, now), name)
	}
	// The old code is still there, with its wrong-answer count.
	consume(t, s, key, wrong, now, notify.Mismatched, 2)
	consume(t, s, key, right, now, notify.Matched, 0)

	// Nothing is created at an empty key either; one millisecond later is
	// fine.
	empty := k.key("empty")
	require.Error(t, s.PutCode(t.Context(), empty, notify.CodeRecord{Hash: right, ExpiresAt: now, MaxWrong: 1}, now))
	consume(t, s, empty, right, at(0), notify.Missing, 0)
	require.NoError(t, s.PutCode(t.Context(), empty, notify.CodeRecord{Hash: right, ExpiresAt: now.Add(time.Millisecond), MaxWrong: 1}, now))
	consume(t, s, empty, right, now, notify.Matched, 0)
}

func testDeleteCode(t *testing.T, s notify.CodeStore, k keyspace) {
	key := k.key("code")
	putCode(t, s, key, right, at(10*time.Minute), 3)
	require.NoError(t, s.DeleteCode(t.Context(), key))
	consume(t, s, key, right, at(0), notify.Missing, 0)

	putCode(t, s, key, right, at(10*time.Minute), 3)
	consume(t, s, key, right, at(0), notify.Matched, 0)
}

func testDeleteCodeAbsent(t *testing.T, s notify.CodeStore, k keyspace) {
	key := k.key("code")
	require.NoError(t, s.DeleteCode(t.Context(), key))
	require.NoError(t, s.DeleteCode(t.Context(), key))
	consume(t, s, key, right, at(0), notify.Missing, 0)
}

func testCodeKeysIndependent(t *testing.T, s notify.CodeStore, k keyspace) {
	a, b, ab := k.key("a"), k.key("b"), k.key("ab")
	other := hashOf("222222")
	putCode(t, s, a, right, at(10*time.Minute), 2)
	putCode(t, s, b, other, at(10*time.Minute), 2)
	putCode(t, s, ab, right, at(10*time.Minute), 2)

	consume(t, s, a, other, at(0), notify.Mismatched, 1)
	consume(t, s, a, other, at(0), notify.Mismatched, 0)
	consume(t, s, ab, right, at(0), notify.Matched, 0)
	consume(t, s, b, right, at(0), notify.Mismatched, 1)
	require.NoError(t, s.DeleteCode(t.Context(), a))
	consume(t, s, b, other, at(0), notify.Matched, 0)
}

// testInvalidRecordRefused: a record that breaks the contract (MaxWrong below
// 1, an empty hash) is an error and stores nothing.
func testInvalidRecordRefused(t *testing.T, s notify.CodeStore, k keyspace) {
	key := k.key("code")
	for _, tc := range []struct {
		name string
		rec  notify.CodeRecord
	}{
		{"MaxWrong 0", notify.CodeRecord{Hash: hashOf("1"), ExpiresAt: at(time.Minute), MaxWrong: 0}},
		{"nil hash", notify.CodeRecord{Hash: nil, ExpiresAt: at(time.Minute), MaxWrong: 3}},
		{"nil hash, MaxWrong 1", notify.CodeRecord{ExpiresAt: at(time.Minute), MaxWrong: 1}},
	} {
		require.Error(t, s.PutCode(t.Context(), key, tc.rec, at(0)), tc.name)
	}
	consume(t, s, key, nil, at(0), notify.Missing, 0)
}

// consumeResult is what one ConsumeCode call returned.
type consumeResult struct {
	out       notify.Outcome
	remaining int
	err       error
}

// consumeRace runs one ConsumeCode per hash, all at once, and returns the
// results in the same order. It fails the test on any error.
func consumeRace(t *testing.T, s notify.CodeStore, key string, hashes [][]byte) []consumeResult {
	t.Helper()
	results := make([]consumeResult, len(hashes))
	ctx := t.Context()
	race(len(hashes), func(i int) {
		out, remaining, err := s.ConsumeCode(ctx, key, hashes[i], at(time.Minute))
		results[i] = consumeResult{out, remaining, err}
	})
	for i, r := range results {
		require.NoError(t, r.err, "goroutine %d", i)
	}
	return results
}

// tally counts outcomes, and fails the test if a Missing or Matched outcome
// came with a remaining count other than 0.
func tally(t *testing.T, results []consumeResult) map[notify.Outcome]int {
	t.Helper()
	n := make(map[notify.Outcome]int)
	for i, r := range results {
		n[r.out]++
		if r.out != notify.Mismatched {
			require.Zero(t, r.remaining, "goroutine %d: remaining with outcome %s", i, outcomeName(r.out))
		}
	}
	return n
}

func testConcurrentRightAnswers(t *testing.T, s notify.CodeStore, k keyspace) {
	const goroutines = 20
	key := k.key("code")
	putCode(t, s, key, right, at(10*time.Minute), 3)
	n := tally(t, consumeRace(t, s, key, slices.Repeat([][]byte{right}, goroutines)))
	require.Equal(t, 1, n[notify.Matched], "Matched")
	require.Equal(t, goroutines-1, n[notify.Missing], "Missing")
	consume(t, s, key, right, at(time.Minute), notify.Missing, 0)
}

func testConcurrentWrongAnswers(t *testing.T, s notify.CodeStore, k keyspace) {
	const goroutines, maxWrong = 50, 5
	key := k.key("code")
	putCode(t, s, key, right, at(10*time.Minute), maxWrong)
	results := consumeRace(t, s, key, slices.Repeat([][]byte{wrong}, goroutines))
	n := tally(t, results)
	require.Equal(t, maxWrong, n[notify.Mismatched], "Mismatched")
	require.Equal(t, goroutines-maxWrong, n[notify.Missing], "Missing")

	// Each wrong answer saw a different remaining count: 4, 3, 2, 1, 0.
	var remaining []int
	for _, r := range results {
		if r.out == notify.Mismatched {
			remaining = append(remaining, r.remaining)
		}
	}
	slices.Sort(remaining)
	require.Equal(t, []int{0, 1, 2, 3, 4}, remaining, "remaining counts")
	consume(t, s, key, right, at(time.Minute), notify.Missing, 0)
}

// testConcurrentExactlyMaxWrong races exactly MaxWrong wrong answers, round
// after round, on fresh keys and on one key used again: every answer must
// be counted (Mismatched, each with a different remaining count), none lost
// as Missing while the code survives, or an attacker would get more guesses
// than MaxWrong; together they destroy the code. A store that decided on a
// stale version of the code, rather than the one it changes, would let some
// answers through uncounted and leave the code alive.
func testConcurrentExactlyMaxWrong(t *testing.T, s notify.CodeStore, k keyspace) {
	const rounds, maxWrong = 20, 8
	want := make([]int, maxWrong) // remaining counts 0, 1, …, maxWrong-1
	for i := range want {
		want[i] = i
	}
	for round := range rounds {
		key := k.key("code")
		if round%2 == 0 {
			key = k.key(fmt.Sprintf("code-%d", round))
		}
		putCode(t, s, key, right, at(10*time.Minute), maxWrong)
		results := consumeRace(t, s, key, slices.Repeat([][]byte{wrong}, maxWrong))
		remaining := make([]int, 0, maxWrong)
		for i, r := range results {
			require.Equal(t, "Mismatched", outcomeName(r.out), "round %d goroutine %d: every wrong answer is counted", round, i)
			remaining = append(remaining, r.remaining)
		}
		slices.Sort(remaining)
		require.Equal(t, want, remaining, "round %d: remaining counts", round)
		consume(t, s, key, right, at(time.Minute), notify.Missing, 0)
	}
}

func testConcurrentMixedAnswers(t *testing.T, s notify.CodeStore, k keyspace) {
	const each, maxWrong = 10, 5
	key := k.key("code")
	putCode(t, s, key, right, at(10*time.Minute), maxWrong)
	hashes := make([][]byte, 0, 2*each)
	for range each {
		hashes = append(hashes, right, wrong)
	}
	n := tally(t, consumeRace(t, s, key, hashes))
	// Either a right answer came before the fifth wrong one and matched, or
	// five wrong answers destroyed the code first.
	if n[notify.Matched] == 1 {
		require.LessOrEqual(t, n[notify.Mismatched], maxWrong-1, "Mismatched before the match")
	} else {
		require.Zero(t, n[notify.Matched], "Matched")
		require.Equal(t, maxWrong, n[notify.Mismatched], "Mismatched")
	}
	consume(t, s, key, right, at(time.Minute), notify.Missing, 0)
}

// testConcurrentAnswersAndPut replaces the code while right and wrong
// answers for the old and the new code race against it, round after round.
// No call may fail, and every outcome must be one a serial order could
// give: the new code's right answer matches at most once.
func testConcurrentAnswersAndPut(t *testing.T, s notify.CodeStore, k keyspace) {
	const rounds, goroutines = 10, 30
	key := k.key("code")
	oldHash, newHash := hashOf("111111"), hashOf("222222")
	ctx := t.Context()
	for round := range rounds {
		putCode(t, s, key, oldHash, at(time.Hour), 3)
		errs := make([]error, goroutines)
		outs := make([]notify.Outcome, goroutines)
		hashes := make([][]byte, goroutines)
		race(goroutines, func(i int) {
			if i == 0 {
				errs[i] = s.PutCode(ctx, key, notify.CodeRecord{Hash: newHash, ExpiresAt: at(time.Hour), MaxWrong: 3}, at(time.Minute))
				return
			}
			hashes[i] = newHash
			if i%2 == 0 {
				hashes[i] = oldHash
			}
			outs[i], _, errs[i] = s.ConsumeCode(ctx, key, hashes[i], at(time.Minute))
		})
		newMatches := 0
		for i := range goroutines {
			require.NoError(t, errs[i], "round %d goroutine %d", round, i)
			if outs[i] == notify.Matched && bytes.Equal(hashes[i], newHash) {
				newMatches++
			}
		}
		require.LessOrEqual(t, newMatches, 1, "round %d: matches of the new code", round)
		require.NoError(t, s.DeleteCode(ctx, key))
	}
}

func testCodeCancelledContext(t *testing.T, s notify.CodeStore, k keyspace) {
	// A store may fail or succeed on a cancelled context, but what it
	// reports must match what it did.
	key := k.key("code")
	ctx := cancelled()
	bg := context.Background()
	putCode(t, s, key, right, at(10*time.Minute), 3)

	out, _, err := s.ConsumeCode(ctx, key, right, at(0))
	if err == nil {
		require.Equal(t, "Matched", outcomeName(out), "ConsumeCode on a cancelled context")
		consume(t, s, key, right, at(0), notify.Missing, 0)
	} else {
		after, _, err := s.ConsumeCode(bg, key, right, at(0))
		require.NoError(t, err)
		require.Contains(t, []string{"Matched", "Missing"}, outcomeName(after))
	}

	err = s.PutCode(ctx, key, notify.CodeRecord{Hash: right, ExpiresAt: at(10 * time.Minute), MaxWrong: 3}, at(0))
	if err == nil {
		consume(t, s, key, right, at(0), notify.Matched, 0)
	}

	putCode(t, s, key, right, at(10*time.Minute), 3)
	if err := s.DeleteCode(ctx, key); err == nil {
		consume(t, s, key, right, at(0), notify.Missing, 0)
	}

	// The store still works.
	putCode(t, s, key, right, at(10*time.Minute), 3)
	consume(t, s, key, wrong, at(0), notify.Mismatched, 2)
	consume(t, s, key, right, at(0), notify.Matched, 0)
}
