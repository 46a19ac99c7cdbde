package storetest

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/accountsec/accountsec/recovery"
)

// resetTest is one subtest of RunResetStore.
type resetTest struct {
	name string
	run  func(t *testing.T, s recovery.ResetStore, k keyspace)
}

// RunResetStore runs the conformance suite for [recovery.ResetStore]
// against the stores that newStore returns, one per subtest. Token IDs and
// account IDs are keys of the subtest's keyspace.
func RunResetStore(t *testing.T, newStore func(t *testing.T) recovery.ResetStore) {
	t.Helper()
	tests := []resetTest{
		{"PutThenFind", testResetPutThenFind},
		{"FindAbsent", testResetFindAbsent},
		{"FindChangesNothing", testResetFindChangesNothing},
		{"ValidUntilExpiry", testResetValidUntilExpiry},
		{"NewerReplacesOlder", testResetNewerReplacesOlder},
		{"AccountsAreIndependent", testResetAccountsIndependent},
		{"ConsumeOnce", testResetConsumeOnce},
		{"ConsumeExpired", testResetConsumeExpired},
		{"ConsumeThenPutAgain", testResetConsumeThenPutAgain},
		{"Delete", testResetDelete},
		{"DeleteAbsent", testResetDeleteAbsent},
		{"InvalidRecordRefused", testResetInvalidRecordRefused},
		{"ConcurrentConsume", testResetConcurrentConsume},
		{"ConcurrentPuts", testResetConcurrentPuts},
		{"CancelledContext", testResetCancelledContext},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := newStore(t)
			require.NotNil(t, s, "newStore returned nil")
			tc.run(t, s, newKeys())
		})
	}
}

// putReset stores a reset and fails the test on an error.
func putReset(t *testing.T, s recovery.ResetStore, r recovery.ResetRecord) {
	t.Helper()
	require.NoError(t, s.PutReset(t.Context(), r))
}

// findReset calls s.Reset, fails the test on an error and returns what it
// found.
func findReset(t *testing.T, s recovery.ResetStore, id string, now time.Time) (recovery.ResetRecord, bool) {
	t.Helper()
	r, found, err := s.Reset(t.Context(), id, now)
	require.NoError(t, err)
	return r, found
}

// consumeReset calls s.ConsumeReset, fails the test on an error and returns
// what it found.
func consumeReset(t *testing.T, s recovery.ResetStore, id string, now time.Time) (recovery.ResetRecord, bool) {
	t.Helper()
	r, found, err := s.ConsumeReset(t.Context(), id, now)
	require.NoError(t, err)
	return r, found
}

// requireReset fails unless got is want (times compared with Equal).
func requireReset(t *testing.T, want, got recovery.ResetRecord) {
	t.Helper()
	require.Equal(t, want.ID, got.ID, "ID")
	require.Equal(t, want.AccountID, got.AccountID, "AccountID")
	require.True(t, want.ExpiresAt.Equal(got.ExpiresAt), "ExpiresAt: want %s, got %s", want.ExpiresAt, got.ExpiresAt)
}

func testResetPutThenFind(t *testing.T, s recovery.ResetStore, k keyspace) {
	r := recovery.ResetRecord{ID: k.key("tok"), AccountID: k.key("acct"), ExpiresAt: at(30 * time.Minute)}
	putReset(t, s, r)
	got, found := findReset(t, s, r.ID, at(0))
	require.True(t, found)
	requireReset(t, r, got)
}

func testResetFindAbsent(t *testing.T, s recovery.ResetStore, k keyspace) {
	_, found := findReset(t, s, k.key("never"), at(0))
	require.False(t, found)
	_, found = consumeReset(t, s, k.key("never"), at(0))
	require.False(t, found)
}

func testResetFindChangesNothing(t *testing.T, s recovery.ResetStore, k keyspace) {
	r := recovery.ResetRecord{ID: k.key("tok"), AccountID: k.key("acct"), ExpiresAt: at(time.Minute)}
	putReset(t, s, r)
	for range 3 {
		_, found := findReset(t, s, r.ID, at(0))
		require.True(t, found)
	}
	got, found := consumeReset(t, s, r.ID, at(0))
	require.True(t, found)
	requireReset(t, r, got)
}

func testResetValidUntilExpiry(t *testing.T, s recovery.ResetStore, k keyspace) {
	r := recovery.ResetRecord{ID: k.key("tok"), AccountID: k.key("acct"), ExpiresAt: at(time.Minute)}
	putReset(t, s, r)
	_, found := findReset(t, s, r.ID, at(time.Minute-time.Millisecond))
	require.True(t, found, "alive just before its expiry")
	_, found = findReset(t, s, r.ID, at(time.Minute))
	require.False(t, found, "gone at its expiry")
	_, found = findReset(t, s, r.ID, at(0))
	require.False(t, found, "an expired reset may be removed, never revived")
}

func testResetNewerReplacesOlder(t *testing.T, s recovery.ResetStore, k keyspace) {
	acct := k.key("acct")
	old := recovery.ResetRecord{ID: k.key("old"), AccountID: acct, ExpiresAt: at(time.Hour)}
	cur := recovery.ResetRecord{ID: k.key("new"), AccountID: acct, ExpiresAt: at(30 * time.Minute)}
	putReset(t, s, old)
	putReset(t, s, cur)
	_, found := findReset(t, s, old.ID, at(0))
	require.False(t, found, "the older reset of the account is gone")
	_, found = consumeReset(t, s, old.ID, at(0))
	require.False(t, found)
	got, found := consumeReset(t, s, cur.ID, at(0))
	require.True(t, found)
	requireReset(t, cur, got)
}

func testResetAccountsIndependent(t *testing.T, s recovery.ResetStore, k keyspace) {
	a := recovery.ResetRecord{ID: k.key("a"), AccountID: k.key("acct-a"), ExpiresAt: at(time.Hour)}
	b := recovery.ResetRecord{ID: k.key("b"), AccountID: k.key("acct-b"), ExpiresAt: at(time.Hour)}
	putReset(t, s, a)
	putReset(t, s, b)
	_, found := consumeReset(t, s, a.ID, at(0))
	require.True(t, found)
	got, found := findReset(t, s, b.ID, at(0))
	require.True(t, found, "consuming one account's reset leaves another's")
	requireReset(t, b, got)
	require.NoError(t, s.DeleteReset(t.Context(), b.ID))
	putReset(t, s, a)
	_, found = findReset(t, s, a.ID, at(0))
	require.True(t, found)
}

func testResetConsumeOnce(t *testing.T, s recovery.ResetStore, k keyspace) {
	r := recovery.ResetRecord{ID: k.key("tok"), AccountID: k.key("acct"), ExpiresAt: at(time.Hour)}
	putReset(t, s, r)
	got, found := consumeReset(t, s, r.ID, at(0))
	require.True(t, found)
	requireReset(t, r, got)
	_, found = consumeReset(t, s, r.ID, at(0))
	require.False(t, found, "second consume")
	_, found = findReset(t, s, r.ID, at(0))
	require.False(t, found, "find after consume")
}

func testResetConsumeExpired(t *testing.T, s recovery.ResetStore, k keyspace) {
	r := recovery.ResetRecord{ID: k.key("tok"), AccountID: k.key("acct"), ExpiresAt: at(time.Minute)}
	putReset(t, s, r)
	_, found := consumeReset(t, s, r.ID, at(time.Minute))
	require.False(t, found)
	_, found = consumeReset(t, s, r.ID, at(0))
	require.False(t, found, "an expired reset may be removed, never revived")
}

func testResetConsumeThenPutAgain(t *testing.T, s recovery.ResetStore, k keyspace) {
	acct := k.key("acct")
	first := recovery.ResetRecord{ID: k.key("first"), AccountID: acct, ExpiresAt: at(time.Hour)}
	putReset(t, s, first)
	_, found := consumeReset(t, s, first.ID, at(0))
	require.True(t, found)
	second := recovery.ResetRecord{ID: k.key("second"), AccountID: acct, ExpiresAt: at(time.Hour)}
	putReset(t, s, second)
	got, found := consumeReset(t, s, second.ID, at(0))
	require.True(t, found)
	requireReset(t, second, got)
}

func testResetDelete(t *testing.T, s recovery.ResetStore, k keyspace) {
	acct := k.key("acct")
	r := recovery.ResetRecord{ID: k.key("tok"), AccountID: acct, ExpiresAt: at(time.Hour)}
	putReset(t, s, r)
	require.NoError(t, s.DeleteReset(t.Context(), r.ID))
	_, found := findReset(t, s, r.ID, at(0))
	require.False(t, found)
	// The account can hold a new reset.
	next := recovery.ResetRecord{ID: k.key("next"), AccountID: acct, ExpiresAt: at(time.Hour)}
	putReset(t, s, next)
	_, found = findReset(t, s, next.ID, at(0))
	require.True(t, found)
}

func testResetDeleteAbsent(t *testing.T, s recovery.ResetStore, k keyspace) {
	require.NoError(t, s.DeleteReset(t.Context(), k.key("never")))
}

func testResetInvalidRecordRefused(t *testing.T, s recovery.ResetStore, k keyspace) {
	for name, r := range map[string]recovery.ResetRecord{
		"empty ID":         {AccountID: k.key("acct"), ExpiresAt: at(time.Hour)},
		"empty account ID": {ID: k.key("tok"), ExpiresAt: at(time.Hour)},
	} {
		assert.Error(t, s.PutReset(t.Context(), r), name)
	}
	_, found := findReset(t, s, k.key("tok"), at(0))
	require.False(t, found, "a refused record is not stored")
}

func testResetConcurrentConsume(t *testing.T, s recovery.ResetStore, k keyspace) {
	r := recovery.ResetRecord{ID: k.key("tok"), AccountID: k.key("acct"), ExpiresAt: at(time.Hour)}
	putReset(t, s, r)
	var wins, errs atomic.Int32
	race(20, func(int) {
		_, found, err := s.ConsumeReset(context.Background(), r.ID, at(0))
		if err != nil {
			errs.Add(1)
		}
		if found {
			wins.Add(1)
		}
	})
	assert.Zero(t, errs.Load(), "calls that failed")
	assert.Equal(t, int32(1), wins.Load(), "consumes that found the reset")
}

// testResetConcurrentPuts races requests of one account: afterwards exactly
// one of their resets is found.
func testResetConcurrentPuts(t *testing.T, s recovery.ResetStore, k keyspace) {
	const n = 20
	acct := k.key("acct")
	ids := make([]string, n)
	for i := range ids {
		ids[i] = k.key("tok" + string(rune('a'+i)))
	}
	var errs atomic.Int32
	race(n, func(i int) {
		if err := s.PutReset(context.Background(), recovery.ResetRecord{ID: ids[i], AccountID: acct, ExpiresAt: at(time.Hour)}); err != nil {
			errs.Add(1)
		}
	})
	require.Zero(t, errs.Load(), "calls that failed")
	alive := 0
	for _, id := range ids {
		if _, found := findReset(t, s, id, at(0)); found {
			alive++
		}
	}
	assert.Equal(t, 1, alive, "resets of the account left")
}

func testResetCancelledContext(t *testing.T, s recovery.ResetStore, k keyspace) {
	r := recovery.ResetRecord{ID: k.key("tok"), AccountID: k.key("acct"), ExpiresAt: at(time.Hour)}
	ctx := cancelled()
	require.Error(t, s.PutReset(ctx, r), "PutReset")
	_, found := findReset(t, s, r.ID, at(0))
	require.False(t, found, "nothing stored by a cancelled put")

	putReset(t, s, r)
	_, _, err := s.Reset(ctx, r.ID, at(0))
	require.Error(t, err, "Reset")
	_, _, err = s.ConsumeReset(ctx, r.ID, at(0))
	require.Error(t, err, "ConsumeReset")
	require.Error(t, s.DeleteReset(ctx, r.ID), "DeleteReset")
	_, found = findReset(t, s, r.ID, at(0))
	require.True(t, found, "cancelled calls changed nothing")
}
