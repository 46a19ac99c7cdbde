package main

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/redis/go-redis/v9"

	"github.com/accountsec/accountsec"
	"github.com/accountsec/accountsec/store/pgstore"
	"github.com/accountsec/accountsec/store/redisstore"
)

// openStores returns the store fields of the facade's Deps: PostgreSQL for
// everything when dsn is set (migrated here, in schema when not empty),
// Redis for the hot state (counters, codes, sessions, resets) when addr is
// set (its keys under prefix when not empty), and the in-memory store for
// whatever is left. The function it returns closes the connections.
func openStores(ctx context.Context, dsn, addr, schema, prefix string) (accountsec.Deps, func(), error) {
	var deps accountsec.Deps
	var closers []func()
	closeAll := func() {
		for i := len(closers) - 1; i >= 0; i-- {
			closers[i]()
		}
	}
	if dsn != "" {
		pool, err := pgxpool.New(ctx, dsn)
		if err != nil {
			return deps, closeAll, fmt.Errorf("postgres: %w", err)
		}
		closers = append(closers, pool.Close)
		var opts []pgstore.Option
		if schema != "" {
			opts = append(opts, pgstore.WithSchema(schema))
		}
		pg, err := pgstore.New(ctx, pool, opts...)
		if err != nil {
			closeAll()
			return deps, func() {}, fmt.Errorf("postgres: %w", err)
		}
		if err := pg.Migrate(ctx); err != nil {
			closeAll()
			return deps, func() {}, fmt.Errorf("postgres migrations: %w", err)
		}
		deps.Store = pg
	}
	if addr != "" {
		client := redis.NewClient(&redis.Options{Addr: addr, ContextTimeoutEnabled: true})
		closers = append(closers, func() { _ = client.Close() })
		if err := client.Ping(ctx).Err(); err != nil {
			closeAll()
			return deps, func() {}, fmt.Errorf("redis: %w", err)
		}
		var opts []redisstore.Option
		if prefix != "" {
			opts = append(opts, redisstore.WithKeyPrefix(prefix))
		}
		rd := redisstore.New(client, opts...)
		deps.Counters, deps.Codes, deps.Sessions, deps.Resets = rd, rd, rd, rd
	}
	return deps, closeAll, nil
}
