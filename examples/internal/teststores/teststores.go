// Package teststores opens the PostgreSQL and Redis stores that the
// examples' tests run on: each test gets its own schema or key prefix,
// removed when it ends.
package teststores

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/redis/go-redis/v9"

	"github.com/accountsec/accountsec/store/pgstore"
	"github.com/accountsec/accountsec/store/redisstore"
)

// Addresses returns the PostgreSQL DSN and the Redis address from
// ACCOUNTSEC_PG_DSN and ACCOUNTSEC_REDIS_ADDR. Without them the test is
// skipped, except under CI=true, where it fails: CI never skips the stores.
func Addresses(tb testing.TB) (dsn, addr string) {
	tb.Helper()
	dsn, addr = os.Getenv("ACCOUNTSEC_PG_DSN"), os.Getenv("ACCOUNTSEC_REDIS_ADDR")
	if dsn == "" || addr == "" {
		if os.Getenv("CI") == "true" {
			tb.Fatal("ACCOUNTSEC_PG_DSN and ACCOUNTSEC_REDIS_ADDR must be set in CI")
		}
		tb.Skip("set ACCOUNTSEC_PG_DSN and ACCOUNTSEC_REDIS_ADDR to run on PostgreSQL and Redis")
	}
	return dsn, addr
}

// Suffix returns 12 random hex digits, to name a test's schema or prefix.
func Suffix(tb testing.TB) string {
	b := make([]byte, 6)
	if _, err := rand.Read(b); err != nil {
		tb.Fatal(err)
	}
	return hex.EncodeToString(b)
}

// Postgres returns a migrated store in a fresh schema named name + "_" and
// a suffix, dropped when the test ends.
func Postgres(tb testing.TB, dsn, name string) *pgstore.Store {
	tb.Helper()
	ctx := context.Background()
	pool, err := pgxpool.New(ctx, dsn)
	if err != nil {
		tb.Fatal(err)
	}
	schema := name + "_" + Suffix(tb)
	tb.Cleanup(func() {
		_, _ = pool.Exec(context.Background(), "DROP SCHEMA IF EXISTS "+pgx.Identifier{schema}.Sanitize()+" CASCADE")
		pool.Close()
	})
	st, err := pgstore.New(ctx, pool, pgstore.WithSchema(schema))
	if err != nil {
		tb.Fatal(err)
	}
	if err := st.Migrate(ctx); err != nil {
		tb.Fatal(err)
	}
	return st
}

// Redis returns a store under a fresh key prefix name + "-" and a suffix,
// whose keys are deleted when the test ends.
func Redis(tb testing.TB, addr, name string) *redisstore.Store {
	tb.Helper()
	client := redis.NewClient(&redis.Options{Addr: addr})
	prefix := name + "-" + Suffix(tb) + ":"
	tb.Cleanup(func() {
		ctx := context.Background()
		iter := client.Scan(ctx, 0, prefix+"*", 1000).Iterator()
		for iter.Next(ctx) {
			client.Del(ctx, iter.Val())
		}
		_ = client.Close()
	})
	return redisstore.New(client, redisstore.WithKeyPrefix(prefix))
}
