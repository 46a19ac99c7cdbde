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
// was just ended.
//
// The store never reads a clock. Each key stores its expiry, in Unix
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
// Run Redis with maxmemory-policy noeviction, or with enough memory that
// nothing is evicted: a lost record set fails closed (its sessions and
// grants end), but a lost counter restarts its window and lets more
// attempts through, and a lost document is lost for good. Persist with AOF
// (appendonly yes) for lockouts, sessions and documents to survive a
// restart of Redis.
package redisstore
