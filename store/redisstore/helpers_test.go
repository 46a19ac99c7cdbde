package redisstore_test

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/require"

	"github.com/accountsec/accountsec/store/redisstore"
)

// addrVar names the environment variable that points the tests at a server.
const addrVar = "ACCOUNTSEC_REDIS_ADDR"

// testClient connects to the server named by ACCOUNTSEC_REDIS_ADDR. Without
// it the test is skipped, except in CI (CI=true), where it fails: CI must
// never silently skip the store it is meant to check.
func testClient(tb testing.TB) *redis.Client {
	tb.Helper()
	addr := os.Getenv(addrVar)
	if addr == "" {
		if os.Getenv("CI") == "true" {
			tb.Fatalf("%s is not set, but CI=true: CI must run the Redis store tests", addrVar)
		}
		tb.Skipf("%s is not set; set it (for example 127.0.0.1:6379) to run the Redis store tests", addrVar)
	}
	client := redis.NewClient(&redis.Options{Addr: addr, PoolSize: 32})
	tb.Cleanup(func() { _ = client.Close() })
	require.NoError(tb, client.Ping(context.Background()).Err(), "Redis at %s", addr)
	return client
}

// testPrefix returns a fresh key prefix and deletes every key under it when
// the test ends, so every store starts empty and leaves nothing behind.
func testPrefix(tb testing.TB, client *redis.Client) string {
	tb.Helper()
	prefix := "accountsec-test:" + rand.Text() + ":"
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		keys, err := scanKeys(ctx, client, prefix)
		if err == nil && len(keys) > 0 {
			err = client.Del(ctx, keys...).Err()
		}
		if err != nil {
			tb.Errorf("clean up keys under %s: %v", prefix, err)
		}
	})
	return prefix
}

// scanKeys lists the keys under prefix.
func scanKeys(ctx context.Context, client *redis.Client, prefix string) ([]string, error) {
	var keys []string
	iter := client.Scan(ctx, 0, prefix+"*", 1000).Iterator()
	for iter.Next(ctx) {
		keys = append(keys, iter.Val())
	}
	return keys, iter.Err()
}

// newStore returns a store under a fresh key prefix.
func newStore(tb testing.TB, client *redis.Client, opts ...redisstore.Option) *redisstore.Store {
	tb.Helper()
	return redisstore.New(client, append([]redisstore.Option{redisstore.WithKeyPrefix(testPrefix(tb, client))}, opts...)...)
}

// base is the fake "now" the focused tests start from.
var base = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

func at(d time.Duration) time.Time { return base.Add(d) }

func hashOf(s string) []byte {
	h := sha256.Sum256([]byte(s))
	return h[:]
}

// clusterAddrsVar optionally names the nodes of a Redis Cluster (comma
// separated) to run the suites against as well.
const clusterAddrsVar = "ACCOUNTSEC_REDIS_CLUSTER_ADDRS"

// slotBySlot hides the *redis.Client type from the store, which then takes
// the path it takes with a cluster client: every script on one slot, and
// the session lookup in two round trips. The single test server thus
// exercises both paths.
type slotBySlot struct{ *redis.Client }

// storeOnPath returns a store under a fresh key prefix; with slots true it
// takes the Redis Cluster path.
func storeOnPath(tb testing.TB, client *redis.Client, slots bool, opts ...redisstore.Option) *redisstore.Store {
	tb.Helper()
	opts = append([]redisstore.Option{redisstore.WithKeyPrefix(testPrefix(tb, client))}, opts...)
	if slots {
		return redisstore.New(slotBySlot{client}, opts...)
	}
	return redisstore.New(client, opts...)
}

// onEveryPath runs suite on each way the store reaches Redis: one server
// (one script per operation), slot by slot (the cluster code path on one
// server), and a real Redis Cluster when clusterAddrsVar names one.
func onEveryPath(t *testing.T, suite func(t *testing.T, newStore func(*testing.T) *redisstore.Store)) {
	client := testClient(t)
	t.Run("OneServer", func(t *testing.T) {
		suite(t, func(t *testing.T) *redisstore.Store { return storeOnPath(t, client, false) })
	})
	t.Run("SlotBySlot", func(t *testing.T) {
		suite(t, func(t *testing.T) *redisstore.Store { return storeOnPath(t, client, true) })
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
