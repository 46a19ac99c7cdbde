// Package pgstore keeps accountsec's counters (limits.CounterStore) and
// one-time codes (notify.CodeStore) in PostgreSQL, through a pgx v5 pool.
//
// Typical use:
//
//	pool, err := pgxpool.New(ctx, os.Getenv("DATABASE_URL"))
//	if err != nil {
//		return err
//	}
//	store, err := pgstore.New(ctx, pool, pgstore.WithSchema("accountsec"))
//	if err != nil {
//		return err
//	}
//	if err := store.Migrate(ctx); err != nil { // idempotent; safe from many replicas at once
//		return err
//	}
//	lim, err := limits.NewLimiter(limits.Config{Store: store, Secret: secret}, limits.Lockout{})
//	// ...
//	// Now and then (expired rows are invisible, this only reclaims space):
//	n, err := store.Sweep(ctx, time.Now())
//
// Every check-then-act operation is a single SQL statement whose row lock
// serialises concurrent calls on one key, so no interleaving lets more
// calls through than a limit allows or matches a code twice. Each method
// is one round trip.
//
// The store never reads a clock, neither its own nor the server's: expiry is
// always compared with the time the caller passes, so a fake clock in tests
// works exactly as with the memory store. Times are stored as timestamptz,
// which keeps microseconds; returned times are in UTC.
//
// Keys reach the store already hashed (see limits.CounterStore), and codes
// are stored only as the keyed hashes the caller computes. Keys are stored as
// text (the contracts limit them to printable ASCII); counters and codes live
// in separate tables, so their keys never meet.
//
// The statements rely on PostgreSQL's default READ COMMITTED isolation.
package pgstore
