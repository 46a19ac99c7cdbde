package redisstore

import (
	"context"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/accountsec/accountsec/notify"
)

// A code is a hash with fields h (the keyed hash), e (expiry, Unix
// milliseconds of the caller's clock), m (MaxWrong) and w (wrong answers so
// far).

// putCodeScript: KEYS[1] code; ARGV hash, expiresAt, maxWrong, ttl. HSET
// overwrites every field, so the old code's wrong-answer count goes with it,
// and PEXPIRE replaces the old code's TTL by the new one's (ExpiresAt - now
// + margin, computed by PutCode from the caller's clock).
var putCodeScript = redis.NewScript(`
redis.call('HSET', KEYS[1], 'h', ARGV[1], 'e', ARGV[2], 'm', ARGV[3], 'w', '0')
redis.call('PEXPIRE', KEYS[1], ARGV[4])
return 1
`)

// consumeCodeScript: KEYS[1] code; ARGV hash, now. Returns {outcome,
// remaining} with outcome 0 Missing, 1 Matched, 2 Mismatched. The script
// runs atomically, so of concurrent calls with the right hash exactly one
// sees the code, and every wrong answer is counted once.
//
// The comparison is Lua's string equality, which is not constant-time. That
// is deliberate and safe: h is a keyed hash (HMAC under a host secret), so
// learning how much of it matches tells an attacker nothing about the code.
var consumeCodeScript = redis.NewScript(`
local v = redis.call('HMGET', KEYS[1], 'h', 'e', 'm', 'w')
if not v[1] then
	return {0, 0}
end
local e = tonumber(v[2])
if e == nil or e <= tonumber(ARGV[2]) then
	redis.call('DEL', KEYS[1])
	return {0, 0}
end
if v[1] == ARGV[1] then
	redis.call('DEL', KEYS[1])
	return {1, 0}
end
local left = (tonumber(v[3]) or 0) - (tonumber(v[4]) or 0) - 1
if left <= 0 then
	redis.call('DEL', KEYS[1])
	return {2, 0}
end
redis.call('HINCRBY', KEYS[1], 'w', 1)
return {2, left}
`)

// PutCode stores rec at key, replacing any code already there (with its
// wrong-answer count). The key's TTL in Redis is rec.ExpiresAt - now plus
// the expiry margin (WithExpiryMargin), so Redis reclaims it soon after the
// code stops being valid; validity itself is decided by rec.ExpiresAt
// against the time given to ConsumeCode.
//
// Like the memory store, it returns an error and changes nothing when
// rec.MaxWrong is below 1, rec.Hash is empty (an empty hash would match an
// empty answer) or rec.ExpiresAt is not after now.
func (s *Store) PutCode(ctx context.Context, key string, rec notify.CodeRecord, now time.Time) error {
	if err := rec.Check(now); err != nil {
		return fmt.Errorf("redisstore: put code: %w", err)
	}
	e, n := unixMilli(rec.ExpiresAt), unixMilli(now)
	return fail("put code", putCodeScript.Run(ctx, s.client, []string{s.codeKey(key)},
		rec.Hash, e, rec.MaxWrong, e-n+s.margin).Err())
}

// ConsumeCode checks hash against the code at key at time now; see
// notify.CodeStore. It is one script call.
func (s *Store) ConsumeCode(ctx context.Context, key string, hash []byte, now time.Time) (notify.Outcome, int, error) {
	// A nil hash is sent as an empty string, which never equals a stored
	// hash (PutCode refuses empty ones).
	res, err := consumeCodeScript.Run(ctx, s.client, []string{s.codeKey(key)}, hash, unixMilli(now)).Int64Slice()
	if err != nil {
		return notify.Missing, 0, fmt.Errorf("redisstore: consume code: %w", err)
	}
	if len(res) != 2 {
		return notify.Missing, 0, fmt.Errorf("redisstore: consume code: unexpected reply %v", res)
	}
	switch res[0] {
	case 0:
		return notify.Missing, 0, nil
	case 1:
		return notify.Matched, 0, nil
	case 2:
		return notify.Mismatched, int(res[1]), nil
	}
	return notify.Missing, 0, fmt.Errorf("redisstore: consume code: unexpected outcome %d", res[0])
}

// DeleteCode removes the code at key, if any.
func (s *Store) DeleteCode(ctx context.Context, key string) error {
	return fail("delete code", s.client.Del(ctx, s.codeKey(key)).Err())
}
