// Package pgstore keeps accountsec's state in PostgreSQL, through a pgx v5
// pool. One *Store serves:
//
//   - limits.CounterStore: expiring counters (lockouts, rate limits);
//   - notify.CodeStore: one-time codes, as keyed hashes;
//   - account.Store: accounts and the quota slots they hold;
//   - mfa.Store: MFA devices and pending enrolments, imported hardware
//     tokens, and backup codes as keyed hashes;
//   - protection.Store: sessions, step-up grants, pending logins,
//     challenges, trusted devices and login cities;
//   - recovery.ResetStore: pending password resets, one per account, as
//     keyed hashes of their tokens.
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
//	n, err = store.SweepProtection(ctx, time.Now())
//
// Every check-then-act operation is atomic across connections and
// processes. Almost all are a single SQL statement whose row lock
// serialises concurrent calls on one key, so no interleaving lets more
// calls through than a limit allows, matches a code or a backup code twice,
// consumes a password reset twice, accepts a TOTP step twice or activates
// two devices; each of those is one round trip.
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
// Protection ends every session of an account with one write, whatever the
// number of sessions: each account has a session generation, every session
// and grant row carries the generation it was written in, and only rows of
// the current one are live. EndAllSessions increments the generation (and
// moves a kept session to the new one) in one transaction and one round
// trip; the rows it ends stay, invisible, until SweepProtection. The login
// city trim is serialised per account by a transaction-level advisory lock,
// also in one round trip. Session, pending-login, challenge and device IDs
// and grant bindings are bytea, so any byte string round-trips exactly.
//
// The store never reads a clock, neither its own nor the server's: expiry is
// always compared with the time the caller passes, so a fake clock in tests
// works exactly as with the memory store. Times are stored as timestamptz,
// which keeps microseconds, except in account records, which are JSONB
// documents and keep nanoseconds; returned times are in UTC.
//
// Keys reach the store already hashed (see limits.CounterStore), and codes
// are stored only as the keyed hashes the caller computes. Keys are stored as
// text (the contracts limit them to printable ASCII); counters and codes live
// in separate tables, so their keys never meet.
//
// The single statements, and the one-round-trip batches of protection
// (EndAllSessions keeping a session, RecordLoginCity), rely on PostgreSQL's
// default READ COMMITTED isolation; the account transactions set it
// themselves.
package pgstore
