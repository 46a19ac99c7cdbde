package redisstore

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/accountsec/accountsec/limits"
)

// A counter is a hash with fields n (count), e (expiry, Unix milliseconds
// of the caller's clock) and w (window: the expiry the counter was created
// with, which FullExpiresAt does not move; a counter written before w
// existed takes e).
//
// Scripts run atomically in Redis, so each one is a single check-then-act
// step. Expiry is always decided by comparing e with the caller's time
// (ARGV), never with Redis's clock: the caller may use a fake clock far from
// it. The key's TTL is set relative (PEXPIRE of e - now + margin), so Redis
// reclaims the key at about the right moment whatever the two clocks say.
//
// Numbers are doubles in Lua, exact for milliseconds up to 2^53 (year
// 287396). Stored values are formatted with %d, because Lua's tostring
// would switch to exponent notation above 10^14; returned numbers become
// integer replies, which Redis converts without it.

// reserveScript: KEYS[1] counter; ARGV now, limit, expiresAt, fullExpiresAt
// (empty when unset), margin. Returns {count, expiresAt, ok, window}.
var reserveScript = redis.NewScript(`
local now = tonumber(ARGV[1])
local limit = tonumber(ARGV[2])
local full = tonumber(ARGV[4])
local v = redis.call('HMGET', KEYS[1], 'n', 'e', 'w')
local n, e = tonumber(v[1]), tonumber(v[2])
local w = tonumber(v[3]) or e
local reset = false
if n == nil or e == nil or e <= now then
	n, e, reset = 0, tonumber(ARGV[3]), true
	w = e
end
if n >= limit then
	return {n, e, 0, w}
end
n = n + 1
local moved = false
if n >= limit and full ~= nil then
	e, moved = full, true
end
redis.call('HSET', KEYS[1], 'n', string.format('%d', n), 'e', string.format('%d', e), 'w', string.format('%d', w))
if reset or moved then
	local ttl = e - now + tonumber(ARGV[5])
	if ttl < 1 then ttl = 1 end
	redis.call('PEXPIRE', KEYS[1], string.format('%d', ttl))
end
return {n, e, 1, w}
`)

// releaseScript: KEYS[1] counter; ARGV now, window. HINCRBY keeps the key's
// TTL, and e and w are not touched, so the expiry and window are unchanged.
// An expired counter is deleted, which is what the caller would see anyway;
// a counter of another window is left alone.
var releaseScript = redis.NewScript(`
local v = redis.call('HMGET', KEYS[1], 'n', 'e', 'w')
local n, e = tonumber(v[1]), tonumber(v[2])
if n == nil or e == nil then
	return 0
end
if e <= tonumber(ARGV[1]) then
	redis.call('DEL', KEYS[1])
	return 0
end
local w = tonumber(v[3]) or e
if w ~= tonumber(ARGV[2]) then
	return 0
end
if n > 0 then
	redis.call('HINCRBY', KEYS[1], 'n', -1)
	return 1
end
return 0
`)

// Reserve takes one slot of the counter at key if fewer than r.Limit are
// taken; see limits.CounterStore. It is one script call.
//
// Like the memory store, it returns an error and changes nothing when r
// breaks the documented rules (see [limits.Reservation.Check]).
func (s *Store) Reserve(ctx context.Context, key string, r limits.Reservation) (limits.Counter, bool, error) {
	if err := r.Check(); err != nil {
		return limits.Counter{}, false, fmt.Errorf("redisstore: reserve: %w", err)
	}
	full := ""
	if !r.FullExpiresAt.IsZero() {
		full = strconv.FormatInt(unixMilli(r.FullExpiresAt), 10)
	}
	res, err := reserveScript.Run(ctx, s.client, []string{s.counterKey(key)},
		unixMilli(r.Now), r.Limit, unixMilli(r.ExpiresAt), full, s.margin).Slice()
	if err != nil {
		return limits.Counter{}, false, fail("reserve", err)
	}
	c, ok, err := parseReserve(res)
	return c, ok, fail("reserve", err)
}

func parseReserve(res []any) (limits.Counter, bool, error) {
	if len(res) != 4 {
		return limits.Counter{}, false, fmt.Errorf("unexpected reply %v", res)
	}
	n, ok1 := res[0].(int64)
	e, ok2 := res[1].(int64)
	took, ok3 := res[2].(int64)
	w, ok4 := res[3].(int64)
	if !ok1 || !ok2 || !ok3 || !ok4 {
		return limits.Counter{}, false, fmt.Errorf("unexpected reply %v", res)
	}
	return limits.Counter{Count: n, ExpiresAt: fromUnixMilli(e), Window: fromUnixMilli(w)}, took == 1, nil
}

// Release gives back one slot of the counter at key if it is of window;
// see limits.CounterStore. It is one script call.
func (s *Store) Release(ctx context.Context, key string, window, now time.Time) error {
	return fail("release", releaseScript.Run(ctx, s.client, []string{s.counterKey(key)}, unixMilli(now), unixMilli(window)).Err())
}

// Get returns the counter at key, or the zero Counter when it is absent or
// expired at now. It is a single HMGET, which reads both fields atomically.
func (s *Store) Get(ctx context.Context, key string, now time.Time) (limits.Counter, error) {
	var v []any
	var err error
	if s.client.primaryReads {
		v, err = s.client.HMGet(ctx, s.counterKey(key), "n", "e", "w").Result()
	} else {
		// At the primary: a replica may not have the latest failures yet,
		// and a lock read there could let a locked account in.
		v, err = s.read(ctx, s.counterKey(key), "n", "e", "w").Slice()
	}
	if err != nil {
		return limits.Counter{}, fail("get counter", err)
	}
	ns, ok1 := v[0].(string)
	es, ok2 := v[1].(string)
	if !ok1 || !ok2 {
		return limits.Counter{}, nil // absent
	}
	ws, ok3 := v[2].(string)
	if !ok3 {
		ws = es // written before w existed
	}
	n, err1 := strconv.ParseInt(ns, 10, 64)
	e, err2 := strconv.ParseInt(es, 10, 64)
	w, err3 := strconv.ParseInt(ws, 10, 64)
	if err := errors.Join(err1, err2, err3); err != nil {
		return limits.Counter{}, fmt.Errorf("redisstore: get counter: corrupt value: %w", err)
	}
	if e <= unixMilli(now) {
		return limits.Counter{}, nil
	}
	return limits.Counter{Count: n, ExpiresAt: fromUnixMilli(e), Window: fromUnixMilli(w)}, nil
}

// Delete removes the counter at key; an absent key is not an error.
func (s *Store) Delete(ctx context.Context, key string) error {
	return fail("delete counter", s.client.Del(ctx, s.counterKey(key)).Err())
}
