package pgstore_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/accountsec/accountsec/state"
	"github.com/accountsec/accountsec/store/storetest"
)

func TestState(t *testing.T) {
	pool := testPool(t)
	t.Run("Records", func(t *testing.T) {
		storetest.RunRecords(t, func(t *testing.T) state.Records { return newStore(t, pool) })
	})
	t.Run("Onces", func(t *testing.T) {
		storetest.RunOnces(t, func(t *testing.T) state.Onces { return newStore(t, pool) })
	})
	t.Run("Documents", func(t *testing.T) {
		storetest.RunDocuments(t, func(t *testing.T) state.Documents { return newStore(t, pool) })
	})
}

// TestStateSweep checks that Sweep removes exactly the state rows no method
// can see: expired records and onces, and records of ended generations.
func TestStateSweep(t *testing.T) {
	ctx := t.Context()
	s := newStore(t, testPool(t))
	rec := func(owner, id string, expires time.Duration) state.Record {
		return state.Record{Set: "session", Owner: owner, ID: id, Order: 1, ExpiresAt: at(expires)}
	}
	require.NoError(t, s.PutRecord(ctx, rec("a", "ended", time.Hour), 0, at(0)))
	require.NoError(t, s.PutRecord(ctx, rec("a", "kept", time.Hour), 0, at(0)))
	require.NoError(t, s.EndRecords(ctx, "session", "a", "kept", at(0)))
	require.NoError(t, s.PutRecord(ctx, rec("a", "after", time.Hour), 0, at(0)))
	require.NoError(t, s.PutRecord(ctx, rec("b", "expired", time.Minute), 0, at(0)))
	require.NoError(t, s.PutRecord(ctx, rec("b", "live", time.Hour), 0, at(0)))
	_, err := s.PutOnce(ctx, state.Once{ID: "once-expired", ExpiresAt: at(time.Minute)}, at(0))
	require.NoError(t, err)
	_, err = s.PutOnce(ctx, state.Once{ID: "once-live", ExpiresAt: at(time.Hour)}, at(0))
	require.NoError(t, err)
	ok, err := s.PutDocument(ctx, state.Document{ID: "doc", Version: 1})
	require.NoError(t, err)
	require.True(t, ok)

	n, err := s.Sweep(ctx, at(time.Minute))
	require.NoError(t, err)
	require.Equal(t, int64(3), n, "the ended record, the expired record and the expired once")
	n, err = s.Sweep(ctx, at(time.Minute))
	require.NoError(t, err)
	require.Zero(t, n)

	var left []string
	for _, owner := range []string{"a", "b"} {
		rs, err := s.ListRecords(ctx, "session", owner, at(0))
		require.NoError(t, err)
		for _, r := range rs {
			left = append(left, r.ID)
		}
	}
	require.ElementsMatch(t, []string{"kept", "after", "live"}, left)
	_, found, err := s.GetOnce(ctx, "once-live", at(0))
	require.NoError(t, err)
	require.True(t, found)
	_, found, err = s.GetDocument(ctx, "doc")
	require.NoError(t, err)
	require.True(t, found)
}

func BenchmarkRecordGet(b *testing.B) {
	storetest.BenchmarkRecordGet(b, newStore(b, testPool(b)), parallelism)
}

func BenchmarkEndRecords(b *testing.B) {
	pool := testPool(b)
	storetest.BenchmarkEndRecords(b, func(b *testing.B) state.Records { return newStore(b, pool) })
}

func BenchmarkOnce(b *testing.B) {
	storetest.BenchmarkOnce(b, newStore(b, testPool(b)), parallelism)
}
