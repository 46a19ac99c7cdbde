package redisstore_test

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"os"
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
