// Package redisstore keeps accountsec's hot, short-lived state in Redis,
// through go-redis v9. One *Store serves:
//
//   - limits.CounterStore: attempt limits, lockouts and send-rate limits;
//   - notify.CodeStore: one-time codes, as keyed hashes;
//   - state.Records, state.Onces and state.Documents: sessions (validated
//     on every request), step-up grants, pending logins, challenges,
//     trusted devices, login cities and password resets (protection.Store
//     and recovery.Store), and flow documents.
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
// one round trip. Counters and codes touch a single key each. The records
// of one set and owner live under keys that share one hash tag, so each of
// their scripts stays in one Redis Cluster slot; ending every record of an
// owner (signing out everywhere) is one command, whatever their number.
// Reads always go to the primary: a replica could still show a session that
// was just ended. Through a *redis.Client, a *redis.Ring or a cluster client
// that keeps reads on the primaries they are plain commands (GET, HGET);
// through a cluster client that may send reads to replicas (ReadOnly,
// RouteByLatency, RouteRandomly) they are scripts, which it sends to the
// primary.
//
// The store never reads a clock to decide expiry (only to bound its waits,
// see below). Each key stores its expiry, in Unix
// milliseconds, as a field, and scripts compare it with the time the caller
// passes, so a fake clock in tests behaves exactly as with the memory store.
// Redis's own expiry is only garbage collection: keys get a relative TTL
// (the remaining lifetime by the caller's clock plus WithExpiryMargin),
// never an absolute time from the caller's clock; codes too, from the
// current time PutCode is given. Times keep millisecond precision; returned
// times are in UTC.
//
// Keys reach the store already hashed (see limits.CounterStore), and codes
// are stored only as the keyed hashes the caller computes. Sessions,
// pending logins, devices and password resets are found by the hashes of
// their tokens.
//
// The state primitives: the records of one set and owner (state.Records)
// are a hash of the records and two sorted sets (IDs by order, IDs by
// expiry) under one hash tag, so each method is one script or one command,
// with every key it touches declared, on one server and on Redis Cluster
// alike. Every put drops the records that expired by the caller's clock, so
// a long-lived owner's keys do not grow, and EndRecords UNLINKs the three
// keys: one command whatever the number of records. Single-use records
// (state.Onces) and documents (state.Documents) are one key each; documents
// have no TTL. TakeOnce is one GETDEL, which needs Redis 6.2 or later.
//
// Build the client with ContextTimeoutEnabled: true. Every command then
// waits at most WithOpTimeout (DefaultOpTimeout, 2 s) when the caller's ctx
// allows longer, at no cost, so a Redis that stops answering makes calls
// fail (closed) instead of holding logins. A client without that setting is
// bounded by its own dial, pool, read and write timeouts; given
// WithOpTimeout explicitly, the store bounds it by d as well, with a
// goroutine per command.
//
// # Restarts, persistence and eviction
//
// Redis is the store's only copy: what Redis loses, the library forgets.
// Run it with
//
//	appendonly yes
//	appendfsync everysec
//	maxmemory-policy noeviction
//
// so that a restart loses at most the last second of writes and nothing is
// evicted (under noeviction a full Redis refuses writes, which callers treat
// as store failures, failing closed). A Redis that restarts empty, without
// persistence or after losing its files, drops:
//
//   - counters: active lockouts are lifted and failure counts and send-rate
//     windows start again, so an attacker gets a fresh attempt budget and
//     more codes can be sent (this fails open, once per loss);
//   - one-time codes, pending logins and challenges: they turn Missing and
//     users ask for new ones (fails closed);
//   - sessions, step-up grants, trusted devices and password resets: users
//     sign in again, verify again and request a new reset link (fails
//     closed);
//   - documents, which have no TTL and exist nowhere else: MFA devices and
//     backup codes, and the replay guard of accepted TOTP steps, are lost
//     for good, so an account loses its second factor (fails open). Keep
//     documents in PostgreSQL (Deps.Store or Deps.Devices) unless Redis is
//     persisted and backed up like a database.
//
// The same holds for keys evicted under another maxmemory policy, one key at
// a time. A lockout cannot be made durable here while its counter lives in
// Redis: a host that needs lockouts to survive the loss of Redis keeps the
// counters in PostgreSQL (Deps.Counters, or Deps.Store with Counters left
// unset), at the cost of a database write per counted attempt.
package redisstore
