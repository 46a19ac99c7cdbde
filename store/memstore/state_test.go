package memstore_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/accountsec/accountsec/state"
	"github.com/accountsec/accountsec/store/memstore"
	"github.com/accountsec/accountsec/store/storetest"
)

func TestRecords(t *testing.T) {
	t.Parallel()
	storetest.RunRecords(t, func(*testing.T) state.Records { return memstore.New() })
}

func TestOnces(t *testing.T) {
	t.Parallel()
	storetest.RunOnces(t, func(*testing.T) state.Onces { return memstore.New() })
}

func TestDocuments(t *testing.T) {
	t.Parallel()
	storetest.RunDocuments(t, func(*testing.T) state.Documents { return new(memstore.Store) })
}

func BenchmarkRecordGet(b *testing.B) {
	storetest.BenchmarkRecordGet(b, memstore.New(), 1)
}

func BenchmarkEndRecords(b *testing.B) {
	storetest.BenchmarkEndRecords(b, func(*testing.B) state.Records { return memstore.New() })
}

func BenchmarkOnce(b *testing.B) {
	storetest.BenchmarkOnce(b, memstore.New(), 1)
}

// BenchmarkRecordDelete deletes a record and puts it back in a set of 8
// records (the slice) and of 10,000 (the map): a delete costs the same
// whatever the set's size.
func BenchmarkRecordDelete(b *testing.B) {
	for _, n := range []int{8, 10_000} {
		b.Run(fmt.Sprint("records=", n), func(b *testing.B) {
			s, ctx, now := memstore.New(), context.Background(), time.Unix(1_700_000_000, 0)
			put := func(id string) {
				r := state.Record{Set: "s", Owner: "o", ID: id, ExpiresAt: now.Add(time.Hour)}
				if err := s.PutRecord(ctx, r, 0, now); err != nil {
					b.Fatal(err)
				}
			}
			for i := range n {
				put(fmt.Sprint("r", i))
			}
			b.ReportAllocs()
			for b.Loop() {
				if ok, err := s.DeleteRecord(ctx, "s", "o", "r1", now); err != nil || !ok {
					b.Fatal(ok, err)
				}
				put("r1")
			}
		})
	}
}

func TestStateSweep(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	s := memstore.New()
	put := func(owner, id string, exp time.Duration) {
		require.NoError(t, s.PutRecord(ctx, state.Record{Set: "s", Owner: owner, ID: id, ExpiresAt: epoch.Add(exp)}, 0, epoch))
	}
	put("a", "r1", time.Minute)
	put("a", "r2", 2*time.Minute)
	for _, id := range []string{"x", "y", "z"} {
		put("b", id, time.Hour)
		put("c", id, time.Hour)
	}
	require.NoError(t, s.EndRecords(ctx, "s", "b", "", epoch))
	require.NoError(t, s.EndRecords(ctx, "s", "c", "y", epoch))
	for i, exp := range []time.Duration{time.Minute, 2 * time.Minute} {
		_, err := s.PutOnce(ctx, state.Once{ID: fmt.Sprint("o", i), ExpiresAt: epoch.Add(exp)}, epoch)
		require.NoError(t, err)
	}
	_, err := s.PutDocument(ctx, state.Document{ID: "d", Version: 1})
	require.NoError(t, err)

	assert.Zero(t, s.Sweep(epoch.Add(time.Minute-time.Millisecond)), "nothing expired yet")
	assert.Equal(t, 2, s.Sweep(epoch.Add(time.Minute)), "a record and a single-use record")
	assert.Equal(t, 2, s.Sweep(epoch.Add(2*time.Minute)))
	_, found, err := s.GetRecord(ctx, "s", "c", "y", epoch)
	require.NoError(t, err)
	assert.True(t, found, "the kept record stays")
	// Ended records went with the end: only the kept one is left to expire.
	assert.Equal(t, 1, s.Sweep(epoch.Add(time.Hour)))
	assert.Zero(t, s.Sweep(epoch.Add(time.Hour)))
	_, found, err = s.GetDocument(ctx, "d")
	require.NoError(t, err)
	assert.True(t, found, "documents do not expire")
}

// GetRecord runs on every request; it returns the stored data and
// allocates nothing.
func TestGetRecordDoesNotAllocate(t *testing.T) {
	ctx := context.Background()
	s := memstore.New()
	r := state.Record{Set: "session", Owner: "owner", ID: strings.Repeat("i", 64), Data: make([]byte, 100), ExpiresAt: epoch.Add(time.Hour)}
	require.NoError(t, s.PutRecord(ctx, r, 0, epoch))
	allocs := testing.AllocsPerRun(100, func() {
		if _, found, err := s.GetRecord(ctx, r.Set, r.Owner, r.ID, epoch); err != nil || !found {
			panic("record not found")
		}
	})
	assert.Zero(t, allocs)
}

// TestKeyBytes checks the key rule (printable ASCII, 0x21–0x7E) byte by
// byte, in keys whose length puts the byte in a whole word or past the
// last one, on the calls that check keys only when no record answers: a
// key with any other byte is a contract violation, a printable one absence.
func TestKeyBytes(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	s := memstore.New()
	require.NoError(t, s.PutRecord(ctx, state.Record{Set: "set", Owner: "owner", ID: "id", ExpiresAt: epoch.Add(time.Hour)}, 0, epoch))
	for _, n := range []int{1, 7, 8, 9, 16, 23} {
		for pos := range n {
			for c := range 256 {
				b := []byte(strings.Repeat("k", n))
				b[pos] = byte(c)
				key := string(b)
				want := c >= 0x21 && c <= 0x7e
				err := state.CheckKey("id", key)
				require.Equal(t, want, err == nil, "CheckKey of byte %#x at %d of %d: %v", c, pos, n, err)
				_, found, err := s.GetRecord(ctx, "set", "owner", key, epoch)
				require.False(t, found)
				require.Equal(t, want, err == nil, "GetRecord of byte %#x at %d of %d: %v", c, pos, n, err)
				if !want {
					require.ErrorIs(t, err, state.ErrContract)
				}
				_, err = s.TouchRecord(ctx, "set", key, "id", 1, epoch)
				require.Equal(t, want, err == nil, "TouchRecord of byte %#x at %d of %d: %v", c, pos, n, err)
				_, err = s.DeleteRecord(ctx, key, "owner", "id", epoch)
				require.Equal(t, want, err == nil, "DeleteRecord of byte %#x at %d of %d: %v", c, pos, n, err)
			}
		}
	}
	_, found, err := s.GetRecord(ctx, "set", "owner", "id", epoch)
	require.NoError(t, err)
	require.True(t, found, "no call with another key touched the record")
}
