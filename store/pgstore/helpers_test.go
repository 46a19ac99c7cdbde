package pgstore_test

import (
	"context"
	"crypto/rand"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"

	"github.com/accountsec/accountsec/store/pgstore"
)

// dsnVar names the environment variable that points the tests at a server.
const dsnVar = "ACCOUNTSEC_PG_DSN"

// testPool connects to the server named by ACCOUNTSEC_PG_DSN. Without it the
// test is skipped, except in CI (CI=true), where it fails: CI must never
// silently skip the store it is meant to check.
func testPool(tb testing.TB) *pgxpool.Pool {
	tb.Helper()
	dsn := os.Getenv(dsnVar)
	if dsn == "" {
		if os.Getenv("CI") == "true" {
			tb.Fatalf("%s is not set, but CI=true: CI must run the PostgreSQL store tests", dsnVar)
		}
		tb.Skipf("%s is not set; set it (for example postgres://postgres@127.0.0.1:5432/test?sslmode=disable) to run the PostgreSQL store tests", dsnVar)
	}
	cfg, err := pgxpool.ParseConfig(dsn)
	require.NoError(tb, err)
	// The concurrency tests race many goroutines on one key; more
	// connections than the default make the races real.
	cfg.MaxConns = 32
	pool, err := pgxpool.NewWithConfig(context.Background(), cfg)
	require.NoError(tb, err)
	tb.Cleanup(pool.Close)
	return pool
}

// testSchema returns a fresh schema name and drops the schema when the test
// ends, so every store starts empty and leaves nothing behind.
func testSchema(tb testing.TB, pool *pgxpool.Pool) string {
	tb.Helper()
	schema := "accountsec_test_" + strings.ToLower(rand.Text())
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		_, err := pool.Exec(ctx, "DROP SCHEMA IF EXISTS "+pgx.Identifier{schema}.Sanitize()+" CASCADE")
		if err != nil {
			tb.Errorf("drop schema %s: %v", schema, err)
		}
	})
	return schema
}

// newStore returns a migrated store in a fresh schema.
func newStore(tb testing.TB, pool *pgxpool.Pool) *pgstore.Store {
	tb.Helper()
	ctx := context.Background()
	s, err := pgstore.New(ctx, pool, pgstore.WithSchema(testSchema(tb, pool)))
	require.NoError(tb, err)
	require.NoError(tb, s.Migrate(ctx))
	return s
}

// base is the fake "now" the focused tests start from.
var base = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

func at(d time.Duration) time.Time { return base.Add(d) }

// race runs f(i) for i in [0, n) on n goroutines released at once.
func race(n int, f func(i int)) {
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			f(i)
		}()
	}
	close(start)
	wg.Wait()
}
