// Package redisstore keeps accountsec's counters (limits.CounterStore) and
// one-time codes (notify.CodeStore) in Redis, through go-redis v9. It suits
// hot, short-lived state: attempt limits, send-rate limits and codes.
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
// one round trip. Each operation touches a single key, so the store works on
// Redis Cluster as well as on a single server.
//
// The store never reads a clock. Each key stores its expiry, in Unix
// milliseconds, as a field, and scripts compare it with the time the caller
// passes, so a fake clock in tests behaves exactly as with the memory store.
// Redis's own expiry is only garbage collection: keys get a relative TTL
// (the remaining lifetime by the caller's clock plus WithExpiryMargin),
// never an absolute time from the caller's clock. Times keep millisecond
// precision; returned times are in UTC.
//
// Keys reach the store already hashed (see limits.CounterStore), and codes
// are stored only as the keyed hashes the caller computes.
package redisstore
