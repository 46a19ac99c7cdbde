package pgstore_test

import (
	"context"
	"fmt"
	"sync/atomic"
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
			require.Equal(t, time.UTC, r.ExpiresAt.Location(), "times are returned in UTC, as by the other methods")
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

// TestStateEndRacingPut races ends that keep one record with puts of
// others: the kept record survives every end, nothing fails (no deadlock),
// and a record put once every end has returned is live.
func TestStateEndRacingPut(t *testing.T) {
	ctx := t.Context()
	s := newStore(t, testPool(t))
	rec := func(id string) state.Record {
		return state.Record{Set: "session", Owner: "a", ID: id, Order: 1, ExpiresAt: at(time.Hour)}
	}
	kept := rec("kept")
	kept.Order = 2 // always among the newest, so no trim drops it
	require.NoError(t, s.PutRecord(ctx, kept, 0, at(0)))
	var errs atomic.Int32
	race(32, func(i int) {
		var err error
		switch i % 3 {
		case 0:
			err = s.EndRecords(context.Background(), "session", "a", "kept", at(0))
		case 1:
			err = s.PutRecord(context.Background(), rec(fmt.Sprint("r", i)), 0, at(0))
		default:
			err = s.PutRecord(context.Background(), rec(fmt.Sprint("r", i)), 4, at(0))
		}
		if err != nil {
			errs.Add(1)
		}
	})
	require.Zero(t, errs.Load())
	_, found, err := s.GetRecord(ctx, "session", "a", "kept", at(0))
	require.NoError(t, err)
	require.True(t, found, "an end lost the kept record")
	require.NoError(t, s.PutRecord(ctx, rec("after"), 0, at(0)))
	_, found, err = s.GetRecord(ctx, "session", "a", "after", at(0))
	require.NoError(t, err)
	require.True(t, found, "a record put after the ends is live")
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
