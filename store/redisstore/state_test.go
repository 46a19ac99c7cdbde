package redisstore_test

import (
	"context"
	"fmt"
	"math"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/stretchr/testify/require"

	"github.com/accountsec/accountsec/limits"
	"github.com/accountsec/accountsec/state"
	"github.com/accountsec/accountsec/store/redisstore"
	"github.com/accountsec/accountsec/store/storetest"
)

func TestStateConformance(t *testing.T) {
	onEveryPath(t, func(t *testing.T, newStore func(*testing.T) *redisstore.Store) {
		t.Run("Records", func(t *testing.T) {
			storetest.RunRecords(t, func(t *testing.T) state.Records { return newStore(t) })
		})
		t.Run("Onces", func(t *testing.T) {
			storetest.RunOnces(t, func(t *testing.T) state.Onces { return newStore(t) })
		})
		t.Run("Documents", func(t *testing.T) {
			storetest.RunDocuments(t, func(t *testing.T) state.Documents { return newStore(t) })
		})
	})
}

// rec returns a record of set s, owner o.
func rec(s, o, id string, order int64, exp time.Duration) state.Record {
	return state.Record{Set: s, Owner: o, ID: id, Data: []byte(id), Order: order, ExpiresAt: at(exp)}
}

// listIDs returns the IDs of the owner's live records, in order.
func listIDs(t *testing.T, s *redisstore.Store, set, owner string, now time.Time) []string {
	t.Helper()
	rs, err := s.ListRecords(t.Context(), set, owner, now)
	require.NoError(t, err)
	ids := []string{}
	for _, r := range rs {
		ids = append(ids, r.ID)
	}
	return ids
}

// TestRecordKeysShareOneSlot: every key of one set and owner has the same,
// non-empty hash tag, whatever bytes the set and owner hold, and sets and
// owners that concatenate alike stay apart.
func TestRecordKeysShareOneSlot(t *testing.T) {
	t.Parallel()
	client := testClient(t)
	s, ctx := newStore(t, client), t.Context()
	pairs := [][2]string{{"}", "{"}, {"a/b", "c"}, {"a", "b/c"}, {"}}", "x}h"}, {"a{b", "}"}}
	for i, p := range pairs {
		require.NoError(t, s.PutRecord(ctx, rec(p[0], p[1], "id", int64(i), time.Hour), 0, at(0)))
	}
	for i, p := range pairs {
		rs, err := s.ListRecords(ctx, p[0], p[1], at(0))
		require.NoError(t, err)
		require.Len(t, rs, 1, "%q", p)
		require.Equal(t, int64(i), rs[0].Order, "%q", p)
	}
	keys, err := scanKeys(ctx, client, s.KeyPrefix())
	require.NoError(t, err)
	require.Len(t, keys, 3*len(pairs))
	tags := map[string]int{}
	for _, k := range keys {
		tag := hashTag(k)
		require.NotEqual(t, k, tag, "%q has no hash tag", k)
		tags[tag]++
	}
	require.Len(t, tags, len(pairs))
	for tag, n := range tags {
		require.Equal(t, 3, n, "keys with tag %q", tag)
	}
}

// TestRecordIndexesShrink: a long-lived owner's keys hold only the records
// live at the last put, and ending the owner leaves no key at all.
func TestRecordIndexesShrink(t *testing.T) {
	t.Parallel()
	client := testClient(t)
	s, ctx := newStore(t, client), t.Context()
	for i := range 100 {
		now := at(time.Duration(i) * time.Minute)
		require.NoError(t, s.PutRecord(ctx, state.Record{Set: "s", Owner: "o", ID: fmt.Sprint("r", i), Order: int64(i),
			ExpiresAt: now.Add(5 * time.Minute)}, 0, now))
		if i%10 == 0 { // a touch moves the order index entry, adding none
			live, err := s.TouchRecord(ctx, "s", "o", fmt.Sprint("r", i), int64(i)+1, now)
			require.NoError(t, err)
			require.True(t, live)
		}
	}
	keys, err := scanKeys(ctx, client, s.KeyPrefix())
	require.NoError(t, err)
	require.Len(t, keys, 3)
	for _, k := range keys {
		var n int64
		switch k[len(k)-1] {
		case 'h':
			n, err = client.HLen(ctx, k).Result()
		default:
			n, err = client.ZCard(ctx, k).Result()
		}
		require.NoError(t, err)
		require.Equal(t, int64(5), n, "entries of %s", k)
	}
	require.Equal(t, []string{"r95", "r96", "r97", "r98", "r99"}, listIDs(t, s, "s", "o", at(99*time.Minute)))

	require.NoError(t, s.EndRecords(ctx, "s", "o", "", at(99*time.Minute)))
	keys, err = scanKeys(ctx, client, s.KeyPrefix())
	require.NoError(t, err)
	require.Empty(t, keys, "EndRecords leaves nothing behind")
}

// TestRecordOrdersAreExact: orders compare exactly over the whole int64
// range, beyond the 2^53 that a float64 score holds.
func TestRecordOrdersAreExact(t *testing.T) {
	t.Parallel()
	s, ctx := newStore(t, testClient(t)), t.Context()
	orders := map[string]int64{"min": math.MinInt64, "-big": -1<<53 - 1, "-1": -1, "0": 0, "big": 1<<53 + 1, "big1": 1<<53 + 2, "max": math.MaxInt64}
	for id, o := range orders {
		require.NoError(t, s.PutRecord(ctx, rec("s", "o", id, o, time.Hour), 0, at(0)))
	}
	require.Equal(t, []string{"min", "-big", "-1", "0", "big", "big1", "max"}, listIDs(t, s, "s", "o", at(0)))
	live, err := s.TouchRecord(ctx, "s", "o", "big", 1<<53+3, at(0))
	require.NoError(t, err)
	require.True(t, live)
	live, err = s.TouchRecord(ctx, "s", "o", "big1", 1<<53+1, at(0))
	require.NoError(t, err)
	require.True(t, live)
	r, found, err := s.GetRecord(ctx, "s", "o", "big1", at(0))
	require.NoError(t, err)
	require.True(t, found)
	require.Equal(t, int64(1<<53+2), r.Order, "a lower order does not lower it")
	require.NoError(t, s.PutRecord(ctx, rec("s", "o", "-max", -math.MaxInt64, time.Hour), 3, at(0)))
	require.Equal(t, []string{"big1", "big", "max"}, listIDs(t, s, "s", "o", at(0)))
}

// TestStateTTLs: with caller clocks far from the real one, every key lives
// for the remaining lifetime by the caller's clock plus the margin; the
// owner's keys follow the longest-lived record; documents do not expire.
func TestStateTTLs(t *testing.T) {
	t.Parallel()
	client := testClient(t)
	ctx := t.Context()
	const margin = 5 * time.Second
	s := newStore(t, client, redisstore.WithExpiryMargin(margin))
	pttls := func(pattern string) []time.Duration {
		t.Helper()
		keys, err := scanKeys(ctx, client, s.KeyPrefix()+pattern)
		require.NoError(t, err)
		var out []time.Duration
		for _, k := range keys {
			ttl, err := client.PTTL(ctx, k).Result()
			require.NoError(t, err)
			out = append(out, ttl)
		}
		return out
	}
	requireAll := func(pattern string, n int, want time.Duration) {
		t.Helper()
		got := pttls(pattern)
		require.Len(t, got, n, pattern)
		for _, ttl := range got {
			requirePTTL(t, ttl, want)
		}
	}
	for name, now := range map[string]time.Time{
		"past":   time.Date(1960, 12, 31, 23, 0, 0, 0, time.UTC),
		"future": time.Date(2200, 6, 1, 0, 0, 0, 0, time.UTC),
	} {
		r := state.Record{Set: name, Owner: "o", ID: "long", ExpiresAt: now.Add(time.Hour)}
		require.NoError(t, s.PutRecord(ctx, r, 0, now))
		r.ID, r.ExpiresAt = "short", now.Add(time.Minute)
		require.NoError(t, s.PutRecord(ctx, r, 0, now))
		requireAll("rec{*"+name+"/*", 3, time.Hour+margin)
		live, err := s.TouchRecord(ctx, name, "o", "short", 5, now)
		require.NoError(t, err)
		require.True(t, live)
		requireAll("rec{*"+name+"/*", 3, time.Hour+margin)
		// Ending keeps a record, whose keys then live as long as it does.
		require.NoError(t, s.EndRecords(ctx, name, "o", "short", now.Add(30*time.Second)))
		requireAll("rec{*"+name+"/*", 3, 30*time.Second+margin)
		got, found, err := s.GetRecord(ctx, name, "o", "short", now)
		require.NoError(t, err)
		require.True(t, found)
		require.True(t, got.ExpiresAt.Equal(r.ExpiresAt))

		created, err := s.PutOnce(ctx, state.Once{ID: name, ExpiresAt: now.Add(10 * time.Minute)}, now)
		require.NoError(t, err)
		require.True(t, created)
		requireAll("once:"+name, 1, 10*time.Minute+margin)
	}
	ok, err := s.PutDocument(ctx, state.Document{ID: "d", Version: 1})
	require.NoError(t, err)
	require.True(t, ok)
	require.Equal(t, []time.Duration{-1}, pttls("doc:d"))
}

// TestStateScriptCacheFlushed checks the EVAL fallback of the state
// scripts.
func TestStateScriptCacheFlushed(t *testing.T) {
	t.Parallel()
	client := testClient(t)
	s, ctx := newStore(t, client), t.Context()
	steps := []func() (bool, error){
		func() (bool, error) { return true, s.PutRecord(ctx, rec("s", "o", "a", 1, time.Hour), 1, at(0)) },
		func() (bool, error) { return s.TouchRecord(ctx, "s", "o", "a", 2, at(0)) },
		func() (bool, error) { return true, s.EndRecords(ctx, "s", "o", "a", at(0)) },
		func() (bool, error) { return s.DeleteRecord(ctx, "s", "o", "a", at(0)) },
		func() (bool, error) { return s.PutOnce(ctx, state.Once{ID: "x", ExpiresAt: at(time.Hour)}, at(0)) },
		func() (bool, error) { return s.PutDocument(ctx, state.Document{ID: "x", Version: 1}) },
	}
	for i, step := range steps {
		require.NoError(t, client.ScriptFlush(ctx).Err())
		ok, err := step()
		require.NoError(t, err, "step %d", i)
		require.True(t, ok, "step %d", i)
	}
}

// TestStateCorruptValue: a value the store did not write is an error, not
// a record.
func TestStateCorruptValue(t *testing.T) {
	t.Parallel()
	client := testClient(t)
	s, ctx := newStore(t, client), t.Context()
	require.NoError(t, client.Set(ctx, s.KeyPrefix()+"once:x", "short", 0).Err())
	require.NoError(t, client.Set(ctx, s.KeyPrefix()+"doc:x", "zzzzzzzzzzzzzzzzdata", 0).Err())
	_, _, err := s.GetOnce(ctx, "x", at(0))
	require.Error(t, err)
	_, _, err = s.GetDocument(ctx, "x")
	require.Error(t, err)
	require.NoError(t, s.PutRecord(ctx, rec("s", "o", "a", 1, time.Hour), 0, at(0)))
	keys, err := scanKeys(ctx, client, s.KeyPrefix()+"rec{*h")
	require.NoError(t, err)
	require.Len(t, keys, 1)
	require.NoError(t, client.HSet(ctx, keys[0], "a", "bad").Err())
	_, _, err = s.GetRecord(ctx, "s", "o", "a", at(0))
	require.Error(t, err)
	_, err = s.ListRecords(ctx, "s", "o", at(0))
	require.Error(t, err)
}

// commandNames records the names of the commands a client sends.
type commandNames struct {
	mu    sync.Mutex
	names []string
}

func (*commandNames) DialHook(next redis.DialHook) redis.DialHook { return next }

func (*commandNames) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return next
}

func (c *commandNames) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		c.mu.Lock()
		c.names = append(c.names, cmd.Name())
		c.mu.Unlock()
		return next(ctx, cmd)
	}
}

// TestStateReadsGoToThePrimary: through a client that may send read-only
// commands to replicas, every read is a script (or GETDEL), which it still
// sends to the primary, so a replica's lag can never show an ended session;
// through a client that sends everything to one server, reads are plain.
func TestStateReadsGoToThePrimary(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		replica bool
		want    []string
	}{
		{"one server", false, []string{"hget", "evalsha", "eval", "get", "getdel", "hmget"}},
		{"replica reads", true, []string{"evalsha", "eval", "getdel"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			client := testClient(t)
			hooked := redis.NewClient(&redis.Options{Addr: os.Getenv(addrVar)})
			t.Cleanup(func() { _ = hooked.Close() })
			names := &commandNames{}
			hooked.AddHook(names)
			s := redisstore.New(hooked, redisstore.WithKeyPrefix(testPrefix(t, client)))
			if tc.replica {
				redisstore.ReadLikeReplicaClient(s)
			}
			ctx := t.Context()
			require.NoError(t, s.PutRecord(ctx, rec("s", "o", "a", 1, time.Hour), 0, at(0)))
			_, err := s.PutOnce(ctx, state.Once{ID: "x", ExpiresAt: at(time.Hour)}, at(0))
			require.NoError(t, err)
			_, err = s.PutDocument(ctx, state.Document{ID: "x", Version: 1})
			require.NoError(t, err)
			_, _, err = s.Reserve(ctx, "c", limits.Reservation{Limit: 3, Now: at(0), ExpiresAt: at(time.Hour)})
			require.NoError(t, err)
			names.names = nil
			c, err := s.Get(ctx, "c", at(0))
			require.NoError(t, err)
			require.Equal(t, limits.Counter{Count: 1, ExpiresAt: at(time.Hour), Window: at(time.Hour)}, c)
			c, err = s.Get(ctx, "absent", at(0))
			require.NoError(t, err)
			require.Zero(t, c)
			_, found, err := s.GetRecord(ctx, "s", "o", "a", at(0))
			require.NoError(t, err)
			require.True(t, found)
			_, found, err = s.GetRecord(ctx, "s", "o", "b", at(0))
			require.NoError(t, err)
			require.False(t, found)
			rs, err := s.ListRecords(ctx, "s", "o", at(0))
			require.NoError(t, err)
			require.Len(t, rs, 1)
			_, found, err = s.GetOnce(ctx, "x", at(0))
			require.NoError(t, err)
			require.True(t, found)
			_, found, err = s.GetDocument(ctx, "x")
			require.NoError(t, err)
			require.True(t, found)
			_, found, err = s.TakeOnce(ctx, "x", at(0))
			require.NoError(t, err)
			require.True(t, found)
			_, found, err = s.GetOnce(ctx, "x", at(0))
			require.NoError(t, err)
			require.False(t, found)
			require.NotEmpty(t, names.names)
			for _, name := range names.names {
				require.Contains(t, tc.want, name)
			}
			if !tc.replica {
				require.Contains(t, names.names, "hget")
				require.Contains(t, names.names, "get")
				require.Contains(t, names.names, "hmget")
			}
		})
	}
}

// TestPrimaryReads: plain reads only through clients that never send a
// read to a replica.
func TestPrimaryReads(t *testing.T) {
	t.Parallel()
	addrs := []string{"127.0.0.1:1"} // never dialled: no command is sent
	for _, tc := range []struct {
		name   string
		client redis.UniversalClient
		want   bool
	}{
		{"client", redis.NewClient(&redis.Options{Addr: addrs[0]}), true},
		{"ring", redis.NewRing(&redis.RingOptions{Addrs: map[string]string{"a": addrs[0]}}), true},
		{"cluster", redis.NewClusterClient(&redis.ClusterOptions{Addrs: addrs}), true},
		{"cluster read-only", redis.NewClusterClient(&redis.ClusterOptions{Addrs: addrs, ReadOnly: true}), false},
		{"cluster by latency", redis.NewClusterClient(&redis.ClusterOptions{Addrs: addrs, RouteByLatency: true}), false},
		{"cluster randomly", redis.NewClusterClient(&redis.ClusterOptions{Addrs: addrs, RouteRandomly: true}), false},
		{"other", otherClient{redis.NewClient(&redis.Options{Addr: addrs[0]})}, false},
	} {
		t.Cleanup(func() { _ = tc.client.Close() })
		require.Equal(t, tc.want, redisstore.PrimaryReads(tc.client), tc.name)
	}
}

// otherClient is a client the store does not know.
type otherClient struct{ redis.UniversalClient }

func BenchmarkRecordGet(b *testing.B) {
	storetest.BenchmarkRecordGet(b, newStore(b, testClient(b)), parallelism)
}

func BenchmarkEndRecords(b *testing.B) {
	client := testClient(b)
	storetest.BenchmarkEndRecords(b, func(b *testing.B) state.Records { return newStore(b, client) })
}

func BenchmarkOnce(b *testing.B) {
	storetest.BenchmarkOnce(b, newStore(b, testClient(b)), parallelism)
}
