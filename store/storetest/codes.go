package storetest

import (
	"bytes"
	"fmt"
	"slices"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/accountsec/accountsec/notify"
)

// codeSuite is what a code subtest works on: the store, the subtest's
// keyspace and the key of its calls. Its methods fail the test on an error.
type codeSuite struct {
	t   *testing.T
	s   notify.CodeStore
	k   keyspace
	key string
}

// on returns c working on the key called name instead.
func (c codeSuite) on(name string) codeSuite { c.key = c.k.key(name); return c }

// put stores a code with hash, expiring at base+exp, at time base.
func (c codeSuite) put(hash []byte, exp time.Duration, maxWrong int) {
	c.t.Helper()
	require.NoError(c.t, c.s.PutCode(c.t.Context(), c.key, notify.CodeRecord{Hash: hash, ExpiresAt: at(exp), MaxWrong: maxWrong}, at(0)))
}

// answer is a ConsumeCode call of hash, with the outcome and remaining count
// it must return.
type answer struct {
	hash      []byte
	out       notify.Outcome
	remaining int
}

// answer requires each ConsumeCode call at now, in turn, to return what it
// must.
func (c codeSuite) answer(now time.Time, answers ...answer) {
	c.t.Helper()
	for i, a := range answers {
		out, remaining, err := c.s.ConsumeCode(c.t.Context(), c.key, a.hash, now)
		require.NoError(c.t, err)
		require.Equal(c.t, outcomeName(a.out), outcomeName(out), "answer %d: outcome", i+1)
		require.Equal(c.t, a.remaining, remaining, "answer %d: remaining wrong answers", i+1)
	}
}

// outcomeName makes failure messages readable.
func outcomeName(o notify.Outcome) string {
	if name, ok := map[notify.Outcome]string{notify.Missing: "Missing", notify.Matched: "Matched", notify.Mismatched: "Mismatched"}[o]; ok {
		return name
	}
	return "Outcome(" + strconv.Itoa(int(o)) + ")"
}

var right, wrong = hashOf("123456"), hashOf("654321")

// raceAnswers puts a code of maxWrong and races answers to it at base+1m,
// right ones or at least maxWrong wrong ones (or both). No call may fail,
// and the outcomes must be ones a serial order could give: k wrong answers
// Mismatched, with remaining counts maxWrong-1, …, maxWrong-k, then a right
// one Matched if k < maxWrong, and every other answer Missing, the code
// being gone (as it is for the right answer afterwards).
func (c codeSuite) raceAnswers(maxWrong int, hashes [][]byte) {
	c.t.Helper()
	c.put(right, 10*time.Minute, maxWrong)
	results := raceAll(c.t, len(hashes), func(i int) (answer, error) {
		out, remaining, err := c.s.ConsumeCode(c.t.Context(), c.key, hashes[i], at(time.Minute))
		return answer{hashes[i], out, remaining}, err
	})
	var remaining []int
	matched := 0
	for i, r := range results {
		switch isRight := bytes.Equal(r.hash, right); {
		case r.out == notify.Mismatched && !isRight:
			remaining = append(remaining, r.remaining)
			continue
		case r.out == notify.Matched && isRight:
			matched++
		case r.out != notify.Missing:
			c.t.Fatalf("goroutine %d: answer right %v: outcome %s", i, isRight, outcomeName(r.out))
		}
		require.Zero(c.t, r.remaining, "goroutine %d: remaining with outcome %s", i, outcomeName(r.out))
	}
	slices.Sort(remaining)
	for i, r := range remaining { // maxWrong-k, …, maxWrong-1
		require.Equal(c.t, maxWrong-len(remaining)+i, r, "remaining counts of the Mismatched answers: %v", remaining)
	}
	k := len(remaining)
	require.True(c.t, matched == 0 && k == maxWrong || matched == 1 && k < maxWrong,
		"%d Matched after %d Mismatched of %d answers to a code of MaxWrong %d", matched, k, len(hashes), maxWrong)
	c.answer(at(time.Minute), answer{right, notify.Missing, 0})
}

// RunCodeStore runs the conformance suite for [notify.CodeStore] against the
// stores that newStore returns, one per subtest.
func RunCodeStore(t *testing.T, newStore func(t *testing.T) notify.CodeStore) {
	t.Helper()
	const ms, m, h = time.Millisecond, time.Minute, time.Hour
	newer, other, buf := hashOf("111111"), hashOf("222222"), slices.Clone(right)
	// Most subtests are a seq of steps: put stores a code at time base, and
	// putAt puts rec at base+now, which must succeed only if ok; ans gives
	// answers at base+now, each of which must be a mismatch (with remaining
	// wrong answers left), a match or missing; del is a DeleteCode, and on
	// moves the steps that follow to the key called name.
	type step = func(*codeSuite)
	put := func(hash []byte, exp time.Duration, maxWrong int) step {
		return func(c *codeSuite) { c.put(hash, exp, maxWrong) }
	}
	putAt := func(rec notify.CodeRecord, now time.Duration, ok bool) step {
		return func(c *codeSuite) {
			err := c.s.PutCode(c.t.Context(), c.key, rec, at(now))
			require.Equal(c.t, ok, err == nil, "PutCode %+v at +%v: error %v", rec, now, err)
		}
	}
	ans := func(now time.Duration, answers ...answer) step {
		return func(c *codeSuite) { c.answer(at(now), answers...) }
	}
	del := func() step { return func(c *codeSuite) { require.NoError(c.t, c.s.DeleteCode(c.t.Context(), c.key)) } }
	on := func(name string) step { return func(c *codeSuite) { c.key = c.k.key(name) } }
	mismatch := func(hash []byte, remaining int) answer { return answer{hash, notify.Mismatched, remaining} }
	match := func(hash []byte) answer { return answer{hash, notify.Matched, 0} }
	missing := func(hash []byte) answer { return answer{hash, notify.Missing, 0} }
	fixture := func(t *testing.T, s notify.CodeStore, k keyspace) codeSuite {
		return codeSuite{t: t, s: s, k: k, key: k.key("code")}
	}
	runSuite(t, newStore, fixture, []subtest[codeSuite]{
		{"ConsumeMatches", seq(put(right, 10*m, 3), ans(m, match(right), missing(right), missing(wrong)))},
		{"ConsumeAbsent", seq(ans(0, missing(right), missing(nil)))},
		// The last wrong answer destroys the code: even the right one no
		// longer matches.
		{"WrongAnswersCountDown", seq(put(right, 10*m, 3),
			ans(m, mismatch(wrong, 2), mismatch(wrong, 1), mismatch(wrong, 0), missing(right), missing(wrong)))},
		{"WrongThenRight", seq(put(right, 10*m, 3), ans(m, mismatch(wrong, 2), mismatch(wrong, 1), match(right), missing(right)))},
		{"MaxWrongOne", seq(put(right, 10*m, 1), ans(m, mismatch(wrong, 0), missing(right)))},
		{"HashOfOtherLength", seq(put(right, 10*m, 4),
			ans(0, mismatch(right[:16], 3), mismatch(append(slices.Clone(right), 0), 2), mismatch(nil, 1), match(right)))},
		// The new code comes with a fresh wrong-answer count and its own
		// expiry and MaxWrong; the old hash is just a wrong answer now.
		// Replacing with a shorter expiry shortens it.
		{"PutReplaces", seq(put(right, 5*m, 3), ans(m, mismatch(wrong, 2), mismatch(wrong, 1)),
			put(newer, 20*m, 4), ans(10*m, mismatch(right, 3), mismatch(wrong, 2), match(newer), missing(newer)),
			put(right, h, 3), put(right, 2*m, 3), ans(2*m, missing(right)))},
		// The caller reuses its buffer.
		{"PutCopiesHash", seq(put(buf, 10*m, 3), func(*codeSuite) { clear(buf) }, ans(0, mismatch(buf, 2), match(right)))},
		// An expired code takes no wrong answers either; putting a new code
		// after expiry works as usual.
		{"Expired", seq(put(right, 10*m, 1), ans(10*m, missing(wrong), missing(right)), ans(10*m+h, missing(right)),
			put(right, h, 1), ans(10*m, match(right)))},
		{"ValidUntilExpiry", seq(put(right, 10*m, 2), ans(10*m-ms, mismatch(wrong, 1), match(right)))},
		// A code put at the caller's now, however far that is from the
		// store's own clock, is valid until its ExpiresAt and gone exactly
		// then.
		{"ExpiresByCallersClock", func(t *testing.T, c codeSuite) {
			for _, now := range []time.Time{time.Date(1999, 12, 31, 23, 0, 0, 0, time.UTC), time.Date(2200, 6, 1, 0, 0, 0, 0, time.UTC)} {
				c, exp := c.on(now.Format(time.DateOnly)), now.Add(5*m)
				for i, a := range []answer{mismatch(wrong, 2), match(right), missing(right)} { // just before ExpiresAt, twice, and at it
					require.NoError(t, c.s.PutCode(t.Context(), c.key, notify.CodeRecord{Hash: right, ExpiresAt: exp, MaxWrong: 3}, now))
					c.answer([]time.Time{exp.Add(-ms), exp.Add(-ms), exp}[i], a)
				}
			}
		}},
		// A code whose ExpiresAt is not after the caller's now is an error
		// and changes nothing, not even the code already at the key (which
		// keeps its wrong-answer count); nothing is created at an empty key
		// either, and one millisecond later is fine.
		{"PutRefusesExpiryNotAfterNow", seq(put(right, 10*m, 3), putAt(notify.CodeRecord{Hash: wrong, ExpiresAt: at(m), MaxWrong: 1}, m, false),
			putAt(notify.CodeRecord{Hash: wrong, ExpiresAt: at(0), MaxWrong: 1}, m, false), putAt(notify.CodeRecord{Hash: wrong, MaxWrong: 1}, m, false),
			ans(m, mismatch(wrong, 2), match(right)),
			on("empty"), putAt(notify.CodeRecord{Hash: right, ExpiresAt: at(m), MaxWrong: 1}, m, false), ans(0, missing(right)),
			putAt(notify.CodeRecord{Hash: right, ExpiresAt: at(m + ms), MaxWrong: 1}, m, true), ans(m, match(right)))},
		{"DeleteCode", seq(put(right, 10*m, 3), del(), ans(0, missing(right)), put(right, 10*m, 3), ans(0, match(right)))},
		{"DeleteCodeAbsent", seq(del(), del(), ans(0, missing(right)))},
		{"KeysAreIndependent", seq(on("a"), put(right, 10*m, 2), on("b"), put(other, 10*m, 2), on("ab"), put(right, 10*m, 2),
			on("a"), ans(0, mismatch(other, 1), mismatch(other, 0)), on("ab"), ans(0, match(right)),
			on("b"), ans(0, mismatch(right, 1)), on("a"), del(), on("b"), ans(0, match(other)))},
		// A record that breaks the contract (MaxWrong below 1, an empty
		// hash) is an error and stores nothing.
		{"InvalidRecordRefused", seq(putAt(notify.CodeRecord{Hash: hashOf("1"), ExpiresAt: at(m), MaxWrong: 0}, 0, false),
			putAt(notify.CodeRecord{Hash: nil, ExpiresAt: at(m), MaxWrong: 3}, 0, false),
			putAt(notify.CodeRecord{ExpiresAt: at(m), MaxWrong: 1}, 0, false), ans(0, missing(nil)))},
		// Answers race: right ones, more wrong ones than MaxWrong, both, and
		// round after round (on fresh keys and on one used again) exactly
		// MaxWrong wrong ones. None may be lost as Missing while the code
		// survives, or an attacker gets more guesses than MaxWrong, as from a
		// store deciding on a stale version of the code.
		{"ConcurrentRightAnswers", func(t *testing.T, c codeSuite) { c.raceAnswers(3, slices.Repeat([][]byte{right}, 20)) }},
		{"ConcurrentWrongAnswers", func(t *testing.T, c codeSuite) { c.raceAnswers(5, slices.Repeat([][]byte{wrong}, 50)) }},
		{"ConcurrentExactlyMaxWrong", func(t *testing.T, c codeSuite) {
			for round := range 20 {
				c.on([]string{"code", fmt.Sprint("code-", round)}[round%2]).raceAnswers(8, slices.Repeat([][]byte{wrong}, 8))
			}
		}},
		{"ConcurrentMixedAnswers", func(t *testing.T, c codeSuite) { c.raceAnswers(5, slices.Repeat([][]byte{right, wrong}, 10)) }},
		// The code is replaced while right and wrong answers for the old and
		// the new code race against it, round after round. No call may
		// fail, and every outcome must be one a serial order could give:
		// the new code's right answer matches at most once.
		{"ConcurrentAnswersAndPut", func(t *testing.T, c codeSuite) {
			const rounds, goroutines = 10, 30
			oldHash, newHash := newer, other
			for round := range rounds {
				c.put(oldHash, h, 3)
				var newMatches atomic.Int32
				raceErrs(t, goroutines, func(i int) error {
					if i == 0 {
						return c.s.PutCode(t.Context(), c.key, notify.CodeRecord{Hash: newHash, ExpiresAt: at(h), MaxWrong: 3}, at(m))
					}
					out, _, err := c.s.ConsumeCode(t.Context(), c.key, [][]byte{oldHash, newHash}[i%2], at(m))
					if out == notify.Matched && i%2 == 1 {
						newMatches.Add(1)
					}
					return err
				})
				require.LessOrEqual(t, newMatches.Load(), int32(1), "round %d: matches of the new code", round)
				require.NoError(t, c.s.DeleteCode(t.Context(), c.key))
			}
		}},
		// A store may fail or succeed on a cancelled context, but what it
		// reports must match what it did.
		{"CancelledContext", func(t *testing.T, c codeSuite) {
			ctx := cancelled()
			c.put(right, 10*m, 3)
			if out, _, err := c.s.ConsumeCode(ctx, c.key, right, at(0)); err == nil {
				require.Equal(t, "Matched", outcomeName(out), "ConsumeCode on a cancelled context")
				c.answer(at(0), missing(right))
			} else {
				after, _, err := c.s.ConsumeCode(t.Context(), c.key, right, at(0))
				require.NoError(t, err)
				require.Contains(t, []string{"Matched", "Missing"}, outcomeName(after))
			}
			if err := c.s.PutCode(ctx, c.key, notify.CodeRecord{Hash: right, ExpiresAt: at(10 * m), MaxWrong: 3}, at(0)); err == nil {
				c.answer(at(0), match(right))
			}
			c.put(right, 10*m, 3)
			if err := c.s.DeleteCode(ctx, c.key); err == nil {
				c.answer(at(0), missing(right))
			}
			// The store still works.
			c.put(right, 10*m, 3)
			c.answer(at(0), mismatch(wrong, 2), match(right))
		}},
	})
}
