package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/redis/go-redis/v9"

	"github.com/accountsec/accountsec"
	"github.com/accountsec/accountsec/store/pgstore"
	"github.com/accountsec/accountsec/store/redisstore"
)

// PostgreSQL serves every store interface of the facade.
var _ accountsec.Store = (*pgstore.Store)(nil)

// The same walk-through on the stores a fleet of machines would share:
// PostgreSQL for everything, or PostgreSQL for records and Redis for hot
// state. It reads the adapters' environment variables, and never skips in CI.
func TestQuickstartOnPostgresAndRedis(t *testing.T) {
	dsn, addr := os.Getenv("ACCOUNTSEC_PG_DSN"), os.Getenv("ACCOUNTSEC_REDIS_ADDR")
	if dsn == "" || addr == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("ACCOUNTSEC_PG_DSN and ACCOUNTSEC_REDIS_ADDR must be set in CI")
		}
		t.Skip("set ACCOUNTSEC_PG_DSN and ACCOUNTSEC_REDIS_ADDR to run the walk-through on PostgreSQL and Redis")
	}
	ctx := context.Background()
	for name, deps := range map[string]func(t *testing.T) accountsec.Deps{
		"postgres": func(t *testing.T) accountsec.Deps { return accountsec.Deps{Store: postgres(t, ctx, dsn)} },
		"postgres+redis": func(t *testing.T) accountsec.Deps {
			rd := redisStore(t, addr)
			return accountsec.Deps{Store: postgres(t, ctx, dsn), Counters: rd, Codes: rd, Sessions: rd, Resets: rd}
		},
	} {
		t.Run(name, func(t *testing.T) {
			var out strings.Builder
			if err := run(ctx, &out, deps(t)); err != nil {
				t.Fatalf("%v\n%s", err, out.String())
			}
			if !strings.Contains(out.String(), "the same link again: recovery.token_invalid") {
				t.Fatalf("the walk-through stopped early:\n%s", out.String())
			}
		})
	}
}

func suffix(t *testing.T) string {
	b := make([]byte, 6)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(b)
}

func postgres(t *testing.T, ctx context.Context, dsn string) *pgstore.Store {
	pool, err := pgxpool.New(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	schema := "quickstart_" + suffix(t)
	t.Cleanup(func() {
		_, _ = pool.Exec(context.Background(), "DROP SCHEMA IF EXISTS "+pgx.Identifier{schema}.Sanitize()+" CASCADE")
		pool.Close()
	})
	st, err := pgstore.New(ctx, pool, pgstore.WithSchema(schema))
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	return st
}

func redisStore(t *testing.T, addr string) *redisstore.Store {
	client := redis.NewClient(&redis.Options{Addr: addr})
	prefix := "quickstart-" + suffix(t) + ":"
	t.Cleanup(func() {
		ctx := context.Background()
		iter := client.Scan(ctx, 0, prefix+"*", 1000).Iterator()
		for iter.Next(ctx) {
			client.Del(ctx, iter.Val())
		}
		_ = client.Close()
	})
	return redisstore.New(client, redisstore.WithKeyPrefix(prefix))
}
