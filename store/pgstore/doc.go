// Package pgstore keeps accountsec's state in PostgreSQL, through a pgx v5
// pool. One *Store serves:
//
//   - limits.CounterStore: expiring counters (lockouts, rate limits);
//   - notify.CodeStore: one-time codes, as keyed hashes;
//   - account.Store: accounts and the quota slots they hold;
//   - state.Records, state.Onces and state.Documents: the hot, expiring
//     state (sessions, step-up grants, pending logins, challenges, trusted
//     devices, login cities, password resets: protection.Store and
//     recovery.Store) and durable documents (MFA devices, hardware tokens
//     and backup codes: mfa.Store).
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
// The host runs Sweep now and then (for example every few minutes, with the
// library's clock, and a ctx deadline: Sweep is not bounded by the op
// timeout): it is the only thing that removes expired counters,
// codes, records and single-use records, and records ended by
// state.Records.EndRecords. Nothing else needs to run; documents never
// expire, and the per-owner generation rows of state.Records stay (a
// generation must never go back), one small row per set and owner ever
// ended.
//
// Every check-then-act operation is atomic across connections and
// processes. Almost all are a single SQL statement whose row lock
// serialises concurrent calls on one key, so no interleaving lets more
// calls through than a limit allows, matches a code twice or consumes a
// password reset twice; each of those is one round trip.
//
// Account writes that take quota slots count the accounts holding each
// slot, which a row lock cannot protect (the slot may have no rows yet).
// They run as one short READ COMMITTED transaction of three round trips:
// the account's row is locked first, then one transaction-level advisory
// lock per slot, always in the same order so that writes never deadlock,
// and only then are the holders counted and the new one added. Account
// records carry a version, and a write based on a stale read is refused
// (account.WriteConflict). A deleted account stays as a tombstone of its ID
// and APPID, without its record, so that neither is ever used again.
//
// The state primitives follow the same design: GetRecord, the session lookup
// of every request, is one primary-key statement that reads the record and
// its owner's generation in one snapshot; EndRecords increments the
// generation (one row); PutRecord with keep and EndRecords with keep are one
// implicit transaction each, in one round trip, the first serialised per
// set and owner by a transaction-level advisory lock. Every other method is
// one statement whose row lock decides concurrent calls: one DeleteRecord
// or TakeOnce finds the row, one PutOnce inserts it, one PutDocument finds
// the version it expects. Their times are stored at millisecond precision.
//
// The store never reads a clock to decide anything, neither its own nor the
// server's: expiry is always compared with the time the caller passes, so a
// fake clock in tests works exactly as with the memory store. (It reads the
// process clock only to bound its waits.)
//
// Every method waits at most WithOpTimeout (DefaultOpTimeout, 2 s) for the
// server when the caller's ctx allows longer, including the wait for a
// pooled connection, so a stalled or unreachable server makes calls fail
// (closed) instead of holding logins; pgx alone would wait as long as ctx
// does, forever without a deadline. Migrate's transaction and Sweep are
// bounded only by their ctx. Times are stored as timestamptz,
// which keeps microseconds, except in account records, which are JSONB
// documents and keep nanoseconds; returned times are in UTC.
//
// Keys reach the store already hashed (see limits.CounterStore), and codes
// are stored only as the keyed hashes the caller computes. Keys are stored as
// text (the contracts limit them to printable ASCII); counters and codes live
// in separate tables, so their keys never meet.
//
// The single statements rely on PostgreSQL's default READ COMMITTED
// isolation; the account transactions set it themselves.
package pgstore
