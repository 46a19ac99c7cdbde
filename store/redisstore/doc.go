// Package redisstore keeps accountsec's hot, short-lived state in Redis,
// through go-redis v9. One *Store serves:
//
//   - limits.CounterStore: attempt limits, lockouts and send-rate limits;
//   - notify.CodeStore: one-time codes, as keyed hashes;
//   - protection.Store: sessions (validated on every request), step-up
//     grants, pending logins, challenges, trusted devices and login cities;
//   - recovery.ResetStore: pending password resets, one per account, as
//     keyed hashes of their tokens.
//
// Typical use:
//
//	client := redis.NewClient(&redis.Options{Addr: "127.0.0.1:6379"})
//	store := redisstore.New(client, redisstore.WithKeyPrefix("myapp:accountsec:"))
//	lim, err := limits.NewLimiter(limits.Config{Store: store, Secret: secret}, limits.Lockout{})
//	if err != nil {
//		return err
//	}
//	codes, err := notify.NewCodes(notify.CodesConfig{Store: store, SMS: sms, Secret: secret})
//
// Every check-then-act operation is one Lua script (EVALSHA, falling back to
// EVAL when Redis has not cached the script), so it runs atomically and costs
// one round trip. Counters and codes touch a single key each. Protection
// and password resets keep what an account owns under keys that share the
// account's hash tag ({account ID}), so each of their scripts stays in one
// Redis Cluster slot; ending every session of an account is one write of a
// per-account generation, whatever the number of sessions.
//
// The exception is finding a session or a password reset by its ID alone
// (Session, TouchSession, and CreateSession's duplicate check; every
// ResetStore method): the ID's index key cannot share the account's slot,
// because the account is not known before it is read. With a *redis.Client
// (one server, or a Sentinel-managed primary) each of those is still one
// script; with a *redis.ClusterClient or *redis.Ring it is two round trips
// (read or write the index, then one script on the account's slot). Both
// paths run the same conformance suite. Session reads always go to the
// primary: a replica could still show a session that was just ended.
//
// The store never reads a clock. Each key stores its expiry, in Unix
// milliseconds, as a field, and scripts compare it with the time the caller
// passes, so a fake clock in tests behaves exactly as with the memory store.
// Redis's own expiry is only garbage collection: keys get a relative TTL
// (the remaining lifetime by the caller's clock plus WithExpiryMargin),
// never an absolute time from the caller's clock. PutCode and PutReset are
// given no current time, so codes live for WithCodeTTL and password resets
// for recovery.MaxResetTTL plus the margin. Times keep millisecond
// precision; returned times are in UTC.
//
// Keys reach the store already hashed (see limits.CounterStore), and codes
// are stored only as the keyed hashes the caller computes. Session,
// pending-login, device and password-reset records are found by the hashes
// of their tokens; Redis strings are binary-safe, so any ID is stored
// exactly.
//
// Protection needs Redis 6.0 or later (SET … KEEPTTL). Run Redis with
// maxmemory-policy noeviction, or with enough memory that nothing is
// evicted: a lost session generation fails closed (every session and grant
// of the account ends), but a lost counter restarts its window and lets
// more attempts through.
package redisstore
