package redisstore

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/accountsec/accountsec/recovery"
)

var _ recovery.ResetStore = (*Store)(nil)

var errResetEmpty = errors.New("empty token ID or account ID")

// Password resets. An account has at most one, so its reset is one hash
// under the account's hash tag, and the lookup by token ID goes through an
// index key, like the session lookup (see protection.go):
//
//	P reset:<len>:{<account>}  hash:   i (the token ID), e (expiry, Unix ms)
//	P reset:id:<id>            string: the account of reset <id>
//
// <len> is the account ID's length in bytes, as for protection keys. A
// reset is live only while the account's hash holds its ID, so replacing
// it is one HSET, and an index entry left by a replaced reset points at a
// hash that holds another ID and finds nothing. Scripts compare the stored
// expiry with the caller's time; an expired reset is deleted when it is
// looked up or consumed.
//
// On one server each operation is one script: PutReset declares the index
// and the account's hash, the others declare only the index and build the
// hash's name themselves; consuming or deleting a reset deletes its index
// entry too. On a cluster (or a Ring) PutReset is SET on the index and then
// one script on the account's slot (if the second step fails, the index
// entry points at a hash without the ID and finds nothing), and Reset,
// ConsumeReset and DeleteReset are a GET of the index and then one script on
// the account's slot, which alone decides, so of concurrent consumes
// exactly one still finds the reset. There the index entries of consumed
// and deleted resets stay until their TTL.
//
// PutReset is given no current time, so it cannot derive a TTL from the
// reset's ExpiresAt. Both keys live for recovery.MaxResetTTL, the longest
// lifetime recovery gives a token, plus the expiry margin; a reset stored
// with a longer lifetime merely disappears early, which fails closed (the
// user asks for a new token).

// resetPutLua stores the reset in rk; ARGV ttl, id, expiresAt. HSET
// overwrites both fields, so the account's older reset is gone.
const resetPutLua = `
redis.call('HSET', rk, 'i', ARGV[2], 'e', ARGV[3])
redis.call('PEXPIRE', rk, ARGV[1])
return 1
`

// resetPutScript (one server): KEYS index, account's reset; ARGV ttl, id,
// expiresAt, account.
var resetPutScript = redis.NewScript(`
redis.call('SET', KEYS[1], ARGV[4], 'PX', ARGV[1])
local rk = KEYS[2]
` + resetPutLua)

// resetPutSlotScript (cluster, after SET on the index): KEYS account's
// reset; ARGV ttl, id, expiresAt.
var resetPutSlotScript = redis.NewScript(`
local rk = KEYS[1]
` + resetPutLua)

// resetDropLua defines drop, which deletes the account's reset rk and, on
// one server, the index entry ik.
const resetDropLua = `
local function drop()
	redis.call('DEL', rk)
	if ik then
		redis.call('DEL', ik)
	end
end
`

// resetByIDLua starts the one-server scripts that find a reset by ID: KEYS
// index; ARGV "P reset:", id, now. It sets acct, rk (the account's reset,
// named exactly as Store.resetKey names it; # is the length in bytes, like
// Go's len) and ik, the index, and defines drop.
const resetByIDLua = `
local acct = redis.call('GET', KEYS[1])
if not acct then
	return false
end
local rk, ik = ARGV[1] .. #acct .. ':{' .. acct .. '}', KEYS[1]
` + resetDropLua

// resetSlotLua starts the cluster scripts: KEYS account's reset; ARGV
// account, id, now. The index is in another slot, so ik is false and drop
// leaves it to its TTL.
const resetSlotLua = `
local acct, rk, ik = ARGV[1], KEYS[1], false
` + resetDropLua

// resetTakeLua reads the reset: v is {ID, expiry} of the account's reset,
// and the script returns false unless its ID is id.
const resetTakeLua = `
local id, now = ARGV[2], ARGV[3]
local v = redis.call('HMGET', rk, 'i', 'e')
if v[1] ~= id or not v[2] then
	return false
end
`

// resetFindLua returns {account, expiresAt} if the reset is live at now and
// deletes it if it has expired, so that a later call with an earlier time
// cannot bring it back.
const resetFindLua = resetTakeLua + `
if tonumber(v[2]) <= tonumber(now) then
	drop()
	return false
end
return {acct, v[2]}
`

// resetConsumeLua deletes the reset and returns {account, expiresAt} if it
// was live at now. Atomic, so of concurrent calls exactly one gets it.
const resetConsumeLua = resetTakeLua + `
drop()
if tonumber(v[2]) <= tonumber(now) then
	return false
end
return {acct, v[2]}
`

var (
	resetFindByIDScript    = redis.NewScript(resetByIDLua + resetFindLua)
	resetFindSlotScript    = redis.NewScript(resetSlotLua + resetFindLua)
	resetConsumeByIDScript = redis.NewScript(resetByIDLua + resetConsumeLua)
	resetConsumeSlotScript = redis.NewScript(resetSlotLua + resetConsumeLua)
)

// resetDeleteLua deletes the reset if it is id's, live or not, and returns
// false (nothing found). ARGV[3] (now) is unused.
const resetDeleteLua = `
if redis.call('HGET', rk, 'i') == ARGV[2] then
	drop()
end
return false
`

var (
	resetDeleteByIDScript = redis.NewScript(resetByIDLua + resetDeleteLua)
	resetDeleteSlotScript = redis.NewScript(resetSlotLua + resetDeleteLua)
)

// resetKey is the key of accountID's reset; resetByIDLua builds the same
// string.
func (s *Store) resetKey(accountID string) string {
	return s.prefix + "reset:" + strconv.Itoa(len(accountID)) + ":{" + accountID + "}"
}

func (s *Store) resetIndexKey(id string) string { return s.prefix + "reset:id:" + id }

// resetTTL is the TTL, in milliseconds, of both keys of a reset.
func (s *Store) resetTTL() int64 { return recovery.MaxResetTTL.Milliseconds() + s.margin }

// PutReset stores r and removes the account's older reset; see
// recovery.ResetStore. It returns an error, and changes nothing, when r.ID
// or r.AccountID is empty. On one server it is one script; on a cluster,
// SET on the ID's index key and then one script on the account's slot.
func (s *Store) PutReset(ctx context.Context, r recovery.ResetRecord) error {
	if r.ID == "" || r.AccountID == "" {
		return fmt.Errorf("redisstore: put reset: %w", errResetEmpty)
	}
	ttl := s.resetTTL()
	var err error
	if s.protOneServer() {
		err = resetPutScript.Run(ctx, s.client, []string{s.resetIndexKey(r.ID), s.resetKey(r.AccountID)},
			ttl, r.ID, msString(r.ExpiresAt), r.AccountID).Err()
	} else {
		err = s.client.Set(ctx, s.resetIndexKey(r.ID), r.AccountID, time.Duration(ttl)*time.Millisecond).Err()
		if err == nil {
			err = resetPutSlotScript.Run(ctx, s.client, []string{s.resetKey(r.AccountID)},
				ttl, r.ID, msString(r.ExpiresAt)).Err()
		}
	}
	if err != nil {
		return fmt.Errorf("redisstore: put reset: %w", err)
	}
	return nil
}

// Reset returns the reset with ID id if it is alive at now; see
// recovery.ResetStore. It changes nothing but to delete the reset if it has
// expired. On one server it is one script; on a cluster, a GET of the ID's
// index key and one script on the account's slot.
func (s *Store) Reset(ctx context.Context, id string, now time.Time) (recovery.ResetRecord, bool, error) {
	r, found, err := s.resetRun(ctx, resetFindByIDScript, resetFindSlotScript, id, now)
	if err != nil {
		return recovery.ResetRecord{}, false, fmt.Errorf("redisstore: reset: %w", err)
	}
	return r, found, nil
}

// ConsumeReset removes the reset with ID id and returns it, if it is alive
// at now; see recovery.ResetStore. An expired reset is deleted and not
// returned. Round trips as for Reset; the one script decides, so of
// concurrent calls exactly one finds a live reset.
func (s *Store) ConsumeReset(ctx context.Context, id string, now time.Time) (recovery.ResetRecord, bool, error) {
	r, found, err := s.resetRun(ctx, resetConsumeByIDScript, resetConsumeSlotScript, id, now)
	if err != nil {
		return recovery.ResetRecord{}, false, fmt.Errorf("redisstore: consume reset: %w", err)
	}
	return r, found, nil
}

// DeleteReset removes the reset with ID id, if any. Round trips as for
// Reset.
func (s *Store) DeleteReset(ctx context.Context, id string) error {
	if _, _, err := s.resetRun(ctx, resetDeleteByIDScript, resetDeleteSlotScript, id, time.Time{}); err != nil {
		return fmt.Errorf("redisstore: delete reset: %w", err)
	}
	return nil
}

// resetRun runs byID on one server, or finds the account through the index
// and runs slot on its slot, and reads a reply of {account, expiresAt}; a
// nil reply, or no index entry, is not found.
func (s *Store) resetRun(ctx context.Context, byID, slot *redis.Script, id string, now time.Time) (recovery.ResetRecord, bool, error) {
	var res *redis.Cmd
	if s.protOneServer() {
		res = byID.Run(ctx, s.client, []string{s.resetIndexKey(id)}, s.prefix+"reset:", id, msString(now))
	} else {
		acct, err := s.client.Get(ctx, s.resetIndexKey(id)).Result()
		if errors.Is(err, redis.Nil) {
			return recovery.ResetRecord{}, false, nil
		}
		if err != nil {
			return recovery.ResetRecord{}, false, err
		}
		res = slot.Run(ctx, s.client, []string{s.resetKey(acct)}, acct, id, msString(now))
	}
	v, err := res.Slice()
	if errors.Is(err, redis.Nil) {
		return recovery.ResetRecord{}, false, nil
	}
	if err != nil {
		return recovery.ResetRecord{}, false, err
	}
	f, err := protFields(v, 2)
	if err != nil {
		return recovery.ResetRecord{}, false, err
	}
	var p protParser
	r := recovery.ResetRecord{ID: id, AccountID: f[0], ExpiresAt: p.time(f[1])}
	if p.err != nil {
		return recovery.ResetRecord{}, false, p.err
	}
	return r, true, nil
}
