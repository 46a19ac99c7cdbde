package memstore

import (
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/accountsec/accountsec/limits"
	"github.com/accountsec/accountsec/notify"
	"github.com/accountsec/accountsec/state"
)

var epoch = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// Expired entries are removed by any call that touches them, so keys in use
// never pile up between sweeps.
func TestExpiredRemovedWhenTouched(t *testing.T) {
	t.Parallel()
	exp := epoch.Add(time.Minute)

	counterCalls := map[string]func(s *Store) error{
		"Get": func(s *Store) error {
			_, err := s.Get(t.Context(), "k", exp)
			return err
		},
		"Release": func(s *Store) error { return s.Release(t.Context(), "k", exp, exp) },
	}
	for name, call := range counterCalls {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			s := New()
			_, _, err := s.Reserve(t.Context(), "k", limits.Reservation{Limit: 1, Now: epoch, ExpiresAt: exp})
			require.NoError(t, err)
			require.Equal(t, 1, s.counters.len())
			require.NoError(t, call(s))
			assert.Zero(t, s.counters.len())
		})
	}

	t.Run("ConsumeCode", func(t *testing.T) {
		t.Parallel()
		s := New()
		require.NoError(t, s.PutCode(t.Context(), "k", notify.CodeRecord{Hash: []byte("h"), ExpiresAt: exp, MaxWrong: 1}, epoch))
		require.Equal(t, 1, s.codes.len())
		out, _, err := s.ConsumeCode(t.Context(), "k", []byte("h"), exp)
		require.NoError(t, err)
		assert.Equal(t, notify.Missing, out)
		assert.Zero(t, s.codes.len())
	})
}

// Codes that are matched or destroyed by wrong answers leave nothing behind.
func TestConsumedCodesRemoved(t *testing.T) {
	t.Parallel()
	s := New()
	rec := notify.CodeRecord{Hash: []byte("h"), ExpiresAt: epoch.Add(time.Minute), MaxWrong: 2}
	require.NoError(t, s.PutCode(t.Context(), "a", rec, epoch))
	require.NoError(t, s.PutCode(t.Context(), "b", rec, epoch))
	_, _, err := s.ConsumeCode(t.Context(), "a", []byte("h"), epoch)
	require.NoError(t, err)
	for range 2 {
		_, _, err = s.ConsumeCode(t.Context(), "b", []byte("x"), epoch)
		require.NoError(t, err)
	}
	assert.Zero(t, s.codes.len())
}

func TestKeysSpreadOverShards(t *testing.T) {
	t.Parallel()
	var s shards[int]
	for i := range 10 * shardCount {
		s.lock(nil, fmt.Sprint("key", i), time.Time{}).mu.Unlock()
	}
	for i := range s.parts {
		assert.NotNil(t, s.parts[i].m, "shard %d received no key", i)
	}
}

// The counters are stored by pointer and changed in place, but every call
// returns a copy: changing what a call returned changes nothing stored.
func TestCountersReturnCopies(t *testing.T) {
	t.Parallel()
	s := New()
	exp := epoch.Add(time.Minute)
	r := limits.Reservation{Limit: 3, Now: epoch, ExpiresAt: exp}
	c, ok, err := s.Reserve(t.Context(), "k", r)
	require.NoError(t, err)
	require.True(t, ok)
	c.Count = 100
	got, err := s.Get(t.Context(), "k", epoch)
	require.NoError(t, err)
	got.Count = 200
	c, ok, err = s.Reserve(t.Context(), "k", r)
	require.NoError(t, err)
	require.True(t, ok)
	assert.Equal(t, limits.Counter{Count: 2, ExpiresAt: exp, Window: exp}, c)
}

// Keys that end in a hash's text (limiter keys, owner tags) and plain keys
// both reach every shard through tagShard.
func TestTagKeysSpreadOverShards(t *testing.T) {
	t.Parallel()
	for name, key := range map[string]func(i int) string{
		"hashed": func(i int) string {
			sum := sha256.Sum256([]byte(fmt.Sprint(i)))
			return "lockout:" + base64.RawURLEncoding.EncodeToString(sum[:])
		},
		"plain": func(i int) string { return fmt.Sprint("key", i) },
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			var s shards[int]
			for i := range 10 * shardCount {
				s.lockTag(nil, key(i), time.Time{}).mu.Unlock()
			}
			for i := range s.parts {
				assert.NotNil(t, s.parts[i].m, "shard %d received no key", i)
			}
		})
	}
}

// A set that grows beyond the records its slice holds moves them to a map
// and answers the same: every record found, the list in order, keep-newest-N,
// deletion and ending all but one.
func TestRecordSetBeyondFew(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	s := New()
	exp := epoch.Add(time.Hour)
	const n = 3 * fewRecords
	for i := range n {
		r := state.Record{Set: "s", Owner: "o", ID: fmt.Sprintf("r%02d", i), Data: []byte{byte(i)}, Order: int64(n - i), ExpiresAt: exp}
		require.NoError(t, s.PutRecord(ctx, r, 0, epoch))
		if i == fewRecords-1 {
			sh, recs := s.lockSet("s", "o", false, epoch)
			sh.mu.Unlock()
			require.Nil(t, recs.m, "at most fewRecords: the slice")
		}
	}
	sh, recs := s.lockSet("s", "o", false, epoch)
	sh.mu.Unlock()
	require.NotNil(t, recs.m, "beyond fewRecords: the map")
	for i := range n {
		r, ok, err := s.GetRecord(ctx, "s", "o", fmt.Sprintf("r%02d", i), epoch)
		require.NoError(t, err)
		require.True(t, ok)
		assert.Equal(t, []byte{byte(i)}, r.Data)
	}
	list, err := s.ListRecords(ctx, "s", "o", epoch)
	require.NoError(t, err)
	require.Len(t, list, n)
	for i, r := range list {
		assert.Equal(t, fmt.Sprintf("r%02d", n-1-i), r.ID, "ordered by Order")
	}
	// keep-newest-N keeps the highest orders: the first IDs.
	require.NoError(t, s.PutRecord(ctx, state.Record{Set: "s", Owner: "o", ID: "new", Order: 1000, ExpiresAt: exp}, 4, epoch))
	list, err = s.ListRecords(ctx, "s", "o", epoch)
	require.NoError(t, err)
	ids := make([]string, len(list))
	for i, r := range list {
		ids[i] = r.ID
	}
	assert.Equal(t, []string{"r02", "r01", "r00", "new"}, ids)
	live, err := s.DeleteRecord(ctx, "s", "o", "r01", epoch)
	require.NoError(t, err)
	assert.True(t, live)
	require.NoError(t, s.EndRecords(ctx, "s", "o", "r00", epoch))
	list, err = s.ListRecords(ctx, "s", "o", epoch)
	require.NoError(t, err)
	require.Len(t, list, 1)
	assert.Equal(t, "r00", list[0].ID)
	require.NoError(t, s.EndRecords(ctx, "s", "o", "", epoch))
	assert.Zero(t, s.records.len(), "the owner is gone with its last set")
}

// The shard memo answers only for the very key string it holds, and every
// way an entry leaves the map (Delete, an expired counter met by Release or
// Get, Sweep, the shard's own reclaim, the last record of an owner ending)
// clears it: a later call with the same string never sees the old entry.
func TestShardMemoForgetsRemovedEntries(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	key := "login:" + base64.RawURLEncoding.EncodeToString(make([]byte, 32))
	r := limits.Reservation{Limit: 5, Now: epoch, ExpiresAt: epoch.Add(time.Minute)}
	reserve := func(t *testing.T, s *Store, r limits.Reservation) limits.Counter {
		t.Helper()
		c, ok, err := s.Reserve(ctx, key, r)
		require.NoError(t, err)
		require.True(t, ok)
		return c
	}
	removals := map[string]func(t *testing.T, s *Store){
		"Delete": func(t *testing.T, s *Store) { require.NoError(t, s.Delete(ctx, key)) },
		"Release expired": func(t *testing.T, s *Store) {
			require.NoError(t, s.Release(ctx, key, r.ExpiresAt, r.ExpiresAt))
		},
		"Get expired": func(t *testing.T, s *Store) {
			_, err := s.Get(ctx, key, r.ExpiresAt)
			require.NoError(t, err)
		},
		"Sweep": func(t *testing.T, s *Store) { s.Sweep(r.ExpiresAt) },
		"reclaim": func(t *testing.T, s *Store) {
			sh := &s.counters.parts[tagShard(key)]
			sh.mu.Lock()
			defer sh.mu.Unlock()
			// The first sweep uses the reservations' earlier time
			// and keeps the counter; the next one removes it.
			for range 2 * minSweepCalls {
				sh.tick(&s.hint, r.ExpiresAt)
			}
		},
	}
	for name, remove := range removals {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			s := New()
			reserve(t, s, r)
			require.Equal(t, int64(2), reserve(t, s, r).Count, "the memo holds the live counter")
			remove(t, s)
			require.Zero(t, s.counters.len(), "the counter is gone")
			later := limits.Reservation{Limit: 5, Now: r.ExpiresAt, ExpiresAt: r.ExpiresAt.Add(time.Minute)}
			c := reserve(t, s, later)
			assert.Equal(t, int64(1), c.Count, "a fresh counter, not the removed one")
			assert.Equal(t, later.ExpiresAt, c.Window)
			got, err := s.Get(ctx, key, later.Now)
			require.NoError(t, err)
			assert.Equal(t, int64(1), got.Count, "the reservation reached the counter in the map")
			reserve(t, s, later)
			require.NoError(t, s.Release(ctx, key, c.Window, later.Now))
			got, err = s.Get(ctx, key, later.Now)
			require.NoError(t, err)
			assert.Equal(t, int64(1), got.Count, "the release reached the counter in the map")
		})
	}

	t.Run("records", func(t *testing.T) {
		t.Parallel()
		s := New()
		owner := base64.RawURLEncoding.EncodeToString(make([]byte, 32))
		rec := state.Record{Set: "s", Owner: owner, ID: "a", Data: []byte("x"), ExpiresAt: epoch.Add(time.Hour)}
		require.NoError(t, s.PutRecord(ctx, rec, 0, epoch))
		_, ok, err := s.GetRecord(ctx, "s", owner, "a", epoch)
		require.NoError(t, err)
		require.True(t, ok)
		require.NoError(t, s.EndRecords(ctx, "s", owner, "", epoch))
		_, ok, err = s.GetRecord(ctx, "s", owner, "a", epoch)
		require.NoError(t, err)
		assert.False(t, ok, "an ended owner's record is not read through the memo")
		require.NoError(t, s.PutRecord(ctx, rec, 0, epoch))
		_, ok, err = s.GetRecord(ctx, "s", owner, "a", epoch)
		require.NoError(t, err)
		assert.True(t, ok, "the owner written again is found")
		_, ok, err = s.GetRecord(ctx, "s", strings.Clone(owner), "a", epoch)
		require.NoError(t, err)
		assert.True(t, ok, "the record written again is in the map, not only in the memo")
	})
}
