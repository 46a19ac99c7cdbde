package redisstore_test

import (
	"context"
	"crypto/rand"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/accountsec/accountsec/protection"
	"github.com/accountsec/accountsec/store/redisstore"
	"github.com/accountsec/accountsec/store/storetest"
)

// clusterAddrsVar optionally names the nodes of a Redis Cluster (comma
// separated) to run the protection suite against as well.
const clusterAddrsVar = "ACCOUNTSEC_REDIS_CLUSTER_ADDRS"

// slotBySlot hides the *redis.Client type from the store, which then takes
// the path it takes with a cluster client: every script on one slot, and
// the session lookup in two round trips. The single test server thus
// exercises both paths.
type slotBySlot struct{ *redis.Client }

// protStore returns a store under a fresh key prefix; with slots true it
// takes the Redis Cluster path.
func protStore(tb testing.TB, client *redis.Client, slots bool, opts ...redisstore.Option) *redisstore.Store {
	tb.Helper()
	opts = append([]redisstore.Option{redisstore.WithKeyPrefix(testPrefix(tb, client))}, opts...)
	if slots {
		return redisstore.New(slotBySlot{client}, opts...)
	}
	return redisstore.New(client, opts...)
}

func TestProtectionConformance(t *testing.T) {
	onEveryPath(t, func(t *testing.T, newStore func(*testing.T) *redisstore.Store) {
		storetest.RunProtectionStore(t, func(t *testing.T) protection.Store { return newStore(t) })
	})
}

// onEveryPath runs suite on each way the store reaches Redis: one server
// (one script per operation), slot by slot (the cluster code path on one
// server), and a real Redis Cluster when clusterAddrsVar names one.
func onEveryPath(t *testing.T, suite func(t *testing.T, newStore func(*testing.T) *redisstore.Store)) {
	client := testClient(t)
	t.Run("OneServer", func(t *testing.T) {
		suite(t, func(t *testing.T) *redisstore.Store { return protStore(t, client, false) })
	})
	t.Run("SlotBySlot", func(t *testing.T) {
		suite(t, func(t *testing.T) *redisstore.Store { return protStore(t, client, true) })
	})
	t.Run("Cluster", func(t *testing.T) {
		addrs := os.Getenv(clusterAddrsVar)
		if addrs == "" {
			t.Skipf("%s is not set; set it (for example 127.0.0.1:7000,127.0.0.1:7001,127.0.0.1:7002) to run the suite on Redis Cluster", clusterAddrsVar)
		}
		cluster := redis.NewClusterClient(&redis.ClusterOptions{Addrs: strings.Split(addrs, ","), PoolSize: 32})
		t.Cleanup(func() { _ = cluster.Close() })
		require.NoError(t, cluster.Ping(t.Context()).Err())
		suite(t, func(t *testing.T) *redisstore.Store {
			prefix := "accountsec-test:" + rand.Text() + ":"
			t.Cleanup(func() { cleanCluster(t, cluster, prefix) })
			return redisstore.New(cluster, redisstore.WithKeyPrefix(prefix))
		})
	})
}

// cleanCluster deletes the keys under prefix on every primary.
func cleanCluster(tb testing.TB, cluster *redis.ClusterClient, prefix string) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	err := cluster.ForEachMaster(ctx, func(ctx context.Context, node *redis.Client) error {
		keys, err := scanKeys(ctx, node, prefix)
		for _, k := range keys {
			if err == nil {
				err = node.Del(ctx, k).Err()
			}
		}
		return err
	})
	if err != nil {
		tb.Errorf("clean up keys under %s: %v", prefix, err)
	}
}

// bothPaths runs f with a store on each path.
func bothPaths(t *testing.T, f func(t *testing.T, client *redis.Client, s *redisstore.Store)) {
	client := testClient(t)
	for name, slots := range map[string]bool{"OneServer": false, "SlotBySlot": true} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			f(t, client, protStore(t, client, slots))
		})
	}
}

// protSession returns a session of account created at base+created, living
// 48 hours with a 2-hour idle timeout.
func protSession(account, id string, created time.Duration) protection.SessionRecord {
	return protection.SessionRecord{
		ID: id, AccountID: account, LoginMethod: "password",
		ClientIP: "203.0.113.7", City: "Hangzhou", DeviceName: "Firefox on Linux",
		CreatedAt: at(created), ExpiresAt: at(created + 48*time.Hour),
		IdleTimeout: 2 * time.Hour, LastSeenAt: at(created),
	}
}

// hashTag returns the part of key that Redis Cluster hashes: the text
// between the first "{" and the first "}" after it, if not empty.
func hashTag(key string) string {
	_, rest, ok := strings.Cut(key, "{")
	if !ok {
		return key
	}
	tag, _, ok := strings.Cut(rest, "}")
	if !ok || tag == "" {
		return key
	}
	return tag
}

// TestProtectionKeysShareTheAccountSlot checks the layout that makes every
// per-account script touch one Redis Cluster slot: each key the store writes
// for an account hashes by the account ID, except the ID-only keys (session
// index, pending logins, challenges).
func TestProtectionKeysShareTheAccountSlot(t *testing.T) {
	t.Parallel()
	client := testClient(t)
	s := protStore(t, client, false)
	ctx := t.Context()
	acct := "acct-42"
	require.NoError(t, s.CreateSession(ctx, protSession(acct, "sid", 0)))
	require.NoError(t, s.PutGrant(ctx, protection.GrantRecord{AccountID: acct, Binding: "session:sid", Scope: protection.ScopeStepUp,
		Method: protection.SMS, GrantedAt: at(0), ExpiresAt: at(time.Hour)}))
	require.NoError(t, s.PutTrustedDevice(ctx, protection.TrustedDevice{ID: "dev", AccountID: acct, CreatedAt: at(0), ExpiresAt: at(time.Hour)}))
	require.NoError(t, s.RecordLoginCity(ctx, acct, "Hangzhou", at(0), 3))
	require.NoError(t, s.PutPendingLogin(ctx, protection.PendingLogin{ID: "pid", AccountID: acct, CreatedAt: at(0), ExpiresAt: at(time.Hour)}))
	require.NoError(t, s.PutChallenge(ctx, protection.ChallengeRecord{ID: "cid", AccountID: acct, CreatedAt: at(0), ExpiresAt: at(time.Hour)}))

	keys, err := scanKeys(ctx, client, s.KeyPrefix())
	require.NoError(t, err)
	own := map[string]bool{
		s.KeyPrefix() + "prot:sid:sid":       true,
		s.KeyPrefix() + "prot:pending:pid":   true,
		s.KeyPrefix() + "prot:challenge:cid": true,
	}
	var tagged int
	for _, k := range keys {
		if own[k] {
			continue
		}
		tagged++
		assert.Equal(t, acct, hashTag(k), "key %s", k)
	}
	assert.Equal(t, 7, tagged, "gen, sess, sessions, grant, dev, devices, cities: %v", keys)
	assert.Len(t, keys, tagged+len(own))
}

// TestProtectionOddAccountIDs uses account and session IDs with braces, NUL
// bytes, invalid UTF-8 and multi-byte characters: the one-server lookup
// builds the account's key names in Lua, and they must match Go's.
func TestProtectionOddAccountIDs(t *testing.T) {
	bothPaths(t, func(t *testing.T, _ *redis.Client, s *redisstore.Store) {
		ctx := t.Context()
		for i, acct := range []string{"}{", "{x}", "a}:sess:b", "\x00\xff", "账户", "7:{a}"} {
			id := fmt.Sprint("\x00\xfe", i, acct)
			r := protSession(acct, id, 0)
			require.NoError(t, s.CreateSession(ctx, r))
			got, found, err := s.Session(ctx, id)
			require.NoError(t, err)
			require.True(t, found, "account %q", acct)
			assert.Equal(t, acct, got.AccountID)
			assert.Equal(t, id, got.ID)
			require.NoError(t, s.TouchSession(ctx, id, at(time.Minute)))
			got, _, err = s.Session(ctx, id)
			require.NoError(t, err)
			assert.True(t, got.LastSeenAt.Equal(at(time.Minute)), "touched, account %q", acct)
			rs, err := s.Sessions(ctx, acct, at(0))
			require.NoError(t, err)
			require.Len(t, rs, 1, "account %q", acct)
			assert.Equal(t, id, rs[0].ID)
		}
	})
}

// TestEndAllSessionsWritesOneKey checks the cost promised by the contract:
// ending a thousand sessions rewrites no session record; it writes the
// generation and drops the list.
func TestEndAllSessionsWritesOneKey(t *testing.T) {
	t.Parallel()
	client := testClient(t)
	s := protStore(t, client, false)
	ctx := t.Context()
	const n = 1000
	for i := range n {
		require.NoError(t, s.CreateSession(ctx, protSession("acct", fmt.Sprint("s", i), time.Duration(i)*time.Millisecond)))
	}
	base := s.KeyPrefix() + "prot:4:{acct}:"
	before, err := client.Get(ctx, base+"gen").Result()
	require.NoError(t, err)
	require.NoError(t, s.EndAllSessions(ctx, "acct", ""))
	after, err := client.Get(ctx, base+"gen").Result()
	require.NoError(t, err)
	assert.NotEqual(t, before, after, "a new generation")
	for _, i := range []int{0, n / 2, n - 1} {
		g, err := client.HGet(ctx, fmt.Sprint(base, "sess:s", i), "g").Result()
		require.NoError(t, err)
		assert.Equal(t, before, g, "session %d was not rewritten", i)
	}
	exists, err := client.Exists(ctx, base+"sessions").Result()
	require.NoError(t, err)
	assert.Zero(t, exists, "the list is dropped")
	rs, err := s.Sessions(ctx, "acct", at(0))
	require.NoError(t, err)
	assert.Empty(t, rs)
}

// TestLostGenerationFailsClosed simulates an evicted generation key: every
// session and grant of the account is then ended, and none of the sessions
// ended before comes back when a new session starts a new generation.
func TestLostGenerationFailsClosed(t *testing.T) {
	bothPaths(t, func(t *testing.T, client *redis.Client, s *redisstore.Store) {
		ctx := t.Context()
		old := protSession("acct", "old", 0)
		require.NoError(t, s.CreateSession(ctx, old))
		require.NoError(t, s.EndAllSessions(ctx, "acct", ""))
		live := protSession("acct", "live", time.Minute)
		require.NoError(t, s.CreateSession(ctx, live))
		g := protection.GrantRecord{AccountID: "acct", Binding: "session:live", Scope: protection.ScopeStepUp,
			Method: protection.SMS, GrantedAt: at(0), ExpiresAt: at(time.Hour)}
		require.NoError(t, s.PutGrant(ctx, g))

		require.NoError(t, client.Del(ctx, s.KeyPrefix()+"prot:4:{acct}:gen").Err())
		for _, id := range []string{"old", "live"} {
			_, found, err := s.Session(ctx, id)
			require.NoError(t, err)
			assert.False(t, found, id)
		}
		_, found, err := s.Grant(ctx, "acct", g.Binding, g.Scope, at(0))
		require.NoError(t, err)
		assert.False(t, found, "grant")

		fresh := protSession("acct", "fresh", 2*time.Minute)
		require.NoError(t, s.CreateSession(ctx, fresh))
		for id, want := range map[string]bool{"old": false, "live": false, "fresh": true} {
			_, found, err := s.Session(ctx, id)
			require.NoError(t, err)
			assert.Equal(t, want, found, id)
		}
		_, found, err = s.Grant(ctx, "acct", g.Binding, g.Scope, at(0))
		require.NoError(t, err)
		assert.False(t, found, "the grant stays ended")
	})
}

// requireTTL checks that key's TTL is want, give or take the real time the
// test has taken so far.
func requireTTL(t *testing.T, client *redis.Client, key string, want time.Duration) {
	t.Helper()
	got, err := client.PTTL(t.Context(), key).Result()
	require.NoError(t, err)
	requirePTTL(t, got, want)
}

// TestProtectionTTLs uses a caller's clock far from the real one: every TTL
// is the record's remaining lifetime by that clock plus the margin, and
// activity never extends a session.
func TestProtectionTTLs(t *testing.T) {
	t.Parallel()
	client := testClient(t)
	ctx := t.Context()
	const margin = 5 * time.Second
	for name, now := range map[string]time.Time{
		"past":   time.Date(1999, 12, 31, 23, 0, 0, 0, time.UTC),
		"future": time.Date(2200, 6, 1, 0, 0, 0, 0, time.UTC),
	} {
		s := protStore(t, client, false, redisstore.WithExpiryMargin(margin))
		p := s.KeyPrefix() + "prot:"
		base := p + "4:{acct}:"
		r := protection.SessionRecord{ID: "s", AccountID: "acct", CreatedAt: now, ExpiresAt: now.Add(48 * time.Hour),
			IdleTimeout: time.Hour, LastSeenAt: now}
		require.NoError(t, s.CreateSession(ctx, r), name)
		requireTTL(t, client, p+"sid:s", 48*time.Hour+margin)
		requireTTL(t, client, base+"sess:s", 48*time.Hour+margin)
		requireTTL(t, client, base+"sessions", 48*time.Hour+margin)
		requireTTL(t, client, base+"gen", 48*time.Hour+margin)

		require.NoError(t, s.TouchSession(ctx, "s", now.Add(time.Hour)), name)
		requireTTL(t, client, base+"sess:s", 48*time.Hour+margin)

		// A shorter grant leaves the generation's TTL alone.
		require.NoError(t, s.PutGrant(ctx, protection.GrantRecord{AccountID: "acct", Binding: "session:s", Scope: "x",
			GrantedAt: now, ExpiresAt: now.Add(15 * time.Minute)}), name)
		requireTTL(t, client, base+"grant:session:s", 15*time.Minute+margin)
		requireTTL(t, client, base+"gen", 48*time.Hour+margin)

		// Ending all keeps the generation's TTL, and the kept session's.
		require.NoError(t, s.EndAllSessions(ctx, "acct", "s"), name)
		requireTTL(t, client, base+"gen", 48*time.Hour+margin)
		requireTTL(t, client, base+"sessions", 48*time.Hour+margin)

		require.NoError(t, s.PutPendingLogin(ctx, protection.PendingLogin{ID: "p", CreatedAt: now, ExpiresAt: now.Add(10 * time.Minute)}), name)
		requireTTL(t, client, p+"pending:p", 10*time.Minute+margin)
		require.NoError(t, s.PutChallenge(ctx, protection.ChallengeRecord{ID: "c", CreatedAt: now, ExpiresAt: now.Add(5 * time.Minute)}), name)
		requireTTL(t, client, p+"challenge:c", 5*time.Minute+margin)
		require.NoError(t, s.PutTrustedDevice(ctx, protection.TrustedDevice{ID: "d", AccountID: "acct", CreatedAt: now, ExpiresAt: now.Add(30 * 24 * time.Hour)}), name)
		requireTTL(t, client, base+"dev:d", 30*24*time.Hour+margin)
		requireTTL(t, client, base+"devices", 30*24*time.Hour+margin)
	}
}

// TestProtectionScriptCacheFlushed checks the EVAL fallback of the
// protection scripts.
func TestProtectionScriptCacheFlushed(t *testing.T) {
	t.Parallel()
	client := testClient(t)
	s := protStore(t, client, false)
	ctx := t.Context()
	require.NoError(t, client.ScriptFlush(ctx).Err())
	require.NoError(t, s.CreateSession(ctx, protSession("acct", "s", 0)))
	require.NoError(t, client.ScriptFlush(ctx).Err())
	_, found, err := s.Session(ctx, "s")
	require.NoError(t, err)
	require.True(t, found)
	require.NoError(t, client.ScriptFlush(ctx).Err())
	require.NoError(t, s.EndAllSessions(ctx, "acct", ""))
	_, found, err = s.Session(ctx, "s")
	require.NoError(t, err)
	require.False(t, found)
}
