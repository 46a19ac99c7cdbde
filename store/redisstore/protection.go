package redisstore

import (
	"cmp"
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/accountsec/accountsec/protection"
)

var _ protection.Store = (*Store)(nil)

var (
	errProtEmptyID      = errors.New("empty ID")
	errProtEmptyAccount = errors.New("empty account ID")
	errProtDuplicateID  = errors.New("ID already exists")
)

// Protection keys. Everything an account owns lives under keys that share
// the account's hash tag, so every script on them touches a single Redis
// Cluster slot:
//
//	P prot:<len>:{<account>}:gen          string: the session generation
//	P prot:<len>:{<account>}:sess:<id>    hash:   a session
//	P prot:<len>:{<account>}:sessions     sorted set: session IDs by ExpiresAt
//	P prot:<len>:{<account>}:grant:<b>    hash:   the grants of binding b, by scope
//	P prot:<len>:{<account>}:dev:<id>     hash:   a trusted device
//	P prot:<len>:{<account>}:devices      sorted set: device IDs by ExpiresAt
//	P prot:<len>:{<account>}:cities       sorted set: cities by LastAt
//
// <len> is the account ID's length in bytes, so no account ID, whatever it
// contains, can make one account's key equal another's. Keys reached only
// by an ID have slots of their own:
//
//	P prot:sid:<id>        string: the account of session <id> (the lookup index)
//	P prot:pending:<id>    hash:   a pending login
//	P prot:challenge:<id>  hash:   a challenge
//
// Times are Unix milliseconds of the caller's clock, the idle timeout is in
// nanoseconds; all are decimal strings.
//
// # Ending sessions in one write
//
// The generation key holds a random value (an epoch). Every session and
// grant stores the epoch that was current when it was written, and only
// records with the current epoch are live. EndAllSessions writes a new
// epoch: one SET whatever the number of sessions. It also UNLINKs the
// session list (freed off the main thread) and moves a kept session to the
// new epoch. The session records it ends stay, invisible, until their TTL.
// Epochs are random rather than counted so that a generation key that is
// lost (evicted, or expired) can never bring back sessions that were ended:
// the next write starts a fresh epoch and every older record stays ended.
// Reads find nothing live while the key is missing.
//
// # The session lookup and Redis Cluster
//
// Session and TouchSession get only the session ID, but the session lives
// under its account's hash tag, so they go through the index key
// prot:sid:<id>, which is in another slot. With a *redis.Client (one server,
// or a primary behind Sentinel) each is one script: it reads the index and
// then the account's keys, whose names it builds itself (the script declares
// only the index key, which a single server allows). With a
// *redis.ClusterClient or *redis.Ring they are two round trips: GET the
// index, then a script on the account's slot; CreateSession likewise
// becomes SET NX on the index, then a script on the account's slot (if the
// second step fails, the index entry points at nothing and expires). Every
// other operation is one script or command on one slot in both modes. The
// index entry of an ended session stays until its TTL; a session ID is
// never reused, so that costs nothing but memory.

// protExtendLua defines extend, which raises a key's TTL to ttl
// (milliseconds) unless it is already longer: PEXPIRE GT, written out so that
// Redis 6 works too.
const protExtendLua = `
local function extend(key, ttl)
	if redis.call('PTTL', key) < tonumber(ttl) then
		redis.call('PEXPIRE', key, ttl)
	end
end
`

// protGenerationLua defines extend and generation, which returns the
// account's epoch: a fresh one (living ttl) when the key is missing,
// otherwise the current one, made to live at least as long as the record
// being stamped.
const protGenerationLua = protExtendLua + `
local function generation(key, fresh, ttl)
	local g = redis.call('GET', key)
	if g then
		extend(key, ttl)
		return g
	end
	redis.call('SET', key, fresh, 'PX', ttl)
	return fresh
end
`

// protByIDLua starts the one-server scripts that find a session by ID:
// KEYS[1] is the index, ARGV[1] the "P prot:" prefix. It sets acct and base,
// the prefix of the account's keys, built exactly as Store.protBase builds it
// (# is the length in bytes, like Go's len).
const protByIDLua = `
local acct = redis.call('GET', KEYS[1])
if not acct then
	return false
end
local base = ARGV[1] .. #acct .. ':{' .. acct .. '}:'
`

// protCreateSessionLua stores a session with gk (generation), sk (session)
// and lk (list) set. ARGV: ttl, fresh epoch, id, expiresAt, login method,
// client IP, city, device, createdAt, idle timeout, lastSeenAt, account,
// gcBefore. Members of the list that expired before gcBefore (createdAt
// minus the expiry margin) are dropped on the way.
const protCreateSessionLua = `
local g = generation(gk, ARGV[2], ARGV[1])
redis.call('DEL', sk)
redis.call('HSET', sk, 'g', g, 'm', ARGV[5], 'ip', ARGV[6], 'c', ARGV[7], 'd', ARGV[8],
	't', ARGV[9], 'e', ARGV[4], 'i', ARGV[10], 'l', ARGV[11])
redis.call('PEXPIRE', sk, ARGV[1])
redis.call('ZREMRANGEBYSCORE', lk, '-inf', ARGV[13])
redis.call('ZADD', lk, ARGV[4], ARGV[3])
extend(lk, ARGV[1])
return 1
`

// protCreateSessionScript (one server): KEYS index, generation, session,
// list. The index is set only if absent, which rejects a duplicate ID.
var protCreateSessionScript = redis.NewScript(protGenerationLua + `
if redis.call('SET', KEYS[1], ARGV[12], 'NX', 'PX', ARGV[1]) == false then
	return 0
end
local gk, sk, lk = KEYS[2], KEYS[3], KEYS[4]
` + protCreateSessionLua)

// protCreateSessionSlotScript (cluster, after SET NX on the index): KEYS
// generation, session, list.
var protCreateSessionSlotScript = redis.NewScript(protGenerationLua + `
local gk, sk, lk = KEYS[1], KEYS[2], KEYS[3]
` + protCreateSessionLua)

// protSessionLua returns {account, login method, client IP, city, device,
// createdAt, expiresAt, idle timeout, lastSeenAt} of the session sk if its
// epoch is the account's current one (gk), else false.
const protSessionLua = `
local g = redis.call('GET', gk)
if not g then
	return false
end
local v = redis.call('HMGET', sk, 'g', 'm', 'ip', 'c', 'd', 't', 'e', 'i', 'l')
if v[1] ~= g then
	return false
end
v[1] = acct
return v
`

// protSessionByIDScript (one server): KEYS index; ARGV prefix, id.
var protSessionByIDScript = redis.NewScript(protByIDLua + `
local gk, sk = base .. 'gen', base .. 'sess:' .. ARGV[2]
` + protSessionLua)

// protSessionSlotScript (cluster): KEYS generation, session; ARGV account.
var protSessionSlotScript = redis.NewScript(`
local acct, gk, sk = ARGV[1], KEYS[1], KEYS[2]
` + protSessionLua)

// protTouchLua moves the live session's lastSeenAt forward to at. The
// session's TTL and expiresAt are left alone: activity never extends a
// session.
const protTouchLua = `
local g = redis.call('GET', gk)
if not g then
	return 0
end
local v = redis.call('HMGET', sk, 'g', 'l')
if v[1] ~= g or not v[2] or tonumber(at) <= tonumber(v[2]) then
	return 0
end
redis.call('HSET', sk, 'l', at)
return 1
`

// protTouchByIDScript (one server): KEYS index; ARGV prefix, id, at.
var protTouchByIDScript = redis.NewScript(protByIDLua + `
local gk, sk, at = base .. 'gen', base .. 'sess:' .. ARGV[2], ARGV[3]
` + protTouchLua)

// protTouchSlotScript (cluster): KEYS generation, session; ARGV at.
var protTouchSlotScript = redis.NewScript(`
local gk, sk, at = KEYS[1], KEYS[2], ARGV[1]
` + protTouchLua)

// protSessionsScript: KEYS generation, list; ARGV now, account key prefix.
// It reads the sessions the list names whose ExpiresAt is after now and
// returns those of the current epoch as {id, login method, …} (the session
// keys share the account's slot).
var protSessionsScript = redis.NewScript(`
local g = redis.call('GET', KEYS[1])
if not g then
	return {}
end
local out = {}
for _, id in ipairs(redis.call('ZRANGEBYSCORE', KEYS[2], '(' .. ARGV[1], '+inf')) do
	local v = redis.call('HMGET', ARGV[2] .. 'sess:' .. id, 'g', 'm', 'ip', 'c', 'd', 't', 'e', 'i', 'l')
	if v[1] == g then
		v[1] = id
		out[#out + 1] = v
	end
end
return out
`)

// protEndSessionScript: KEYS generation, session, list, the session's
// grants; ARGV id. It deletes the session (live or already ended) and, if it
// was live, its grants, and returns 1 if it was live. Atomic, so of
// concurrent calls exactly one returns 1.
var protEndSessionScript = redis.NewScript(`
local sg = redis.call('HGET', KEYS[2], 'g')
if not sg then
	return 0
end
redis.call('DEL', KEYS[2])
redis.call('ZREM', KEYS[3], ARGV[1])
if sg ~= redis.call('GET', KEYS[1]) then
	return 0
end
redis.call('DEL', KEYS[4])
return 1
`)

// protEndAllScript: KEYS generation, list, kept session (a placeholder when
// none); ARGV new epoch, kept ID. A new epoch ends every session and grant
// at once; the list is UNLINKed (freed in the background) and rebuilt with
// the kept session alone, which moves to the new epoch if it was live. With
// no generation key nothing is live, so there is nothing to end.
var protEndAllScript = redis.NewScript(`
local g = redis.call('GET', KEYS[1])
redis.call('UNLINK', KEYS[2])
if not g then
	return 0
end
redis.call('SET', KEYS[1], ARGV[1], 'KEEPTTL')
if ARGV[2] == '' then
	return 1
end
local v = redis.call('HMGET', KEYS[3], 'g', 'e')
if v[1] ~= g then
	return 1
end
redis.call('HSET', KEYS[3], 'g', ARGV[1])
redis.call('ZADD', KEYS[2], v[2], ARGV[2])
local ttl = redis.call('PTTL', KEYS[3])
if ttl > 0 then
	redis.call('PEXPIRE', KEYS[2], ttl)
end
return 1
`)

// protPutGrantScript: KEYS generation, grants of the binding; ARGV ttl,
// fresh epoch, scope, method, grantedAt, expiresAt. The grant's fields are
// named after its scope, so HSET replaces the grant of the same scope.
var protPutGrantScript = redis.NewScript(protGenerationLua + `
local g = generation(KEYS[1], ARGV[2], ARGV[1])
local s = ARGV[3]
redis.call('HSET', KEYS[2], 'g:' .. s, g, 'm:' .. s, ARGV[4], 't:' .. s, ARGV[5], 'e:' .. s, ARGV[6])
extend(KEYS[2], ARGV[1])
return 1
`)

// protGrantScript: KEYS generation, grants of the binding; ARGV scope, now.
// Returns {method, grantedAt, expiresAt} of a grant of the current epoch
// that has not expired at now, else false.
var protGrantScript = redis.NewScript(`
local g = redis.call('GET', KEYS[1])
if not g then
	return false
end
local s = ARGV[1]
local v = redis.call('HMGET', KEYS[2], 'g:' .. s, 'm:' .. s, 't:' .. s, 'e:' .. s)
if v[1] ~= g or not v[4] or tonumber(v[4]) <= tonumber(ARGV[2]) then
	return false
end
return {v[2], v[3], v[4]}
`)

// protPutOnceScript stores a pending login or a challenge: KEYS record; ARGV
// createdAt, ttl, then field/value pairs. A record with the same ID that has
// not expired by createdAt stays, and the script returns 0.
var protPutOnceScript = redis.NewScript(`
local e = redis.call('HGET', KEYS[1], 'e')
if e and tonumber(e) > tonumber(ARGV[1]) then
	return 0
end
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], unpack(ARGV, 3))
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 1
`)

// protConsumeScript returns and deletes a pending login or a challenge:
// KEYS record; ARGV now, then the field names to return after e. An expired
// record is deleted and not returned. Atomic, so of concurrent calls at most
// one gets the record.
var protConsumeScript = redis.NewScript(`
local v = redis.call('HMGET', KEYS[1], 'e', unpack(ARGV, 2))
if not v[1] then
	return false
end
redis.call('DEL', KEYS[1])
if tonumber(v[1]) <= tonumber(ARGV[1]) then
	return false
end
return v
`)

// protPutDeviceScript: KEYS device, device list; ARGV ttl, id, name, client
// IP, city, createdAt, expiresAt, gcBefore. All fields are overwritten, so
// HSET replaces a device with the same ID.
var protPutDeviceScript = redis.NewScript(protExtendLua + `
redis.call('HSET', KEYS[1], 'n', ARGV[3], 'ip', ARGV[4], 'c', ARGV[5], 't', ARGV[6], 'e', ARGV[7])
redis.call('PEXPIRE', KEYS[1], ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', ARGV[8])
redis.call('ZADD', KEYS[2], ARGV[7], ARGV[2])
extend(KEYS[2], ARGV[1])
return 1
`)

// protDevicesScript: KEYS device list; ARGV now, account key prefix.
// Returns {id, name, client IP, city, createdAt, expiresAt} of each device
// whose ExpiresAt is after now.
var protDevicesScript = redis.NewScript(`
local out = {}
for _, id in ipairs(redis.call('ZRANGEBYSCORE', KEYS[1], '(' .. ARGV[1], '+inf')) do
	local v = redis.call('HMGET', ARGV[2] .. 'dev:' .. id, 'n', 'ip', 'c', 't', 'e')
	if v[5] then
		out[#out + 1] = {id, v[1], v[2], v[3], v[4], v[5]}
	end
end
return out
`)

// protDeleteDeviceScript: KEYS device, device list; ARGV id. Returns how
// many devices it deleted.
var protDeleteDeviceScript = redis.NewScript(`
local n = redis.call('DEL', KEYS[1])
redis.call('ZREM', KEYS[2], ARGV[1])
return n
`)

// protRecordCityScript: KEYS cities; ARGV at, city, -(keep+1). The score
// only moves forward; then all but the keep highest scores are removed (on
// equal scores, the name that sorts first goes first).
var protRecordCityScript = redis.NewScript(`
local cur = redis.call('ZSCORE', KEYS[1], ARGV[2])
if not cur or tonumber(ARGV[1]) > tonumber(cur) then
	redis.call('ZADD', KEYS[1], ARGV[1], ARGV[2])
end
redis.call('ZREMRANGEBYRANK', KEYS[1], 0, ARGV[3])
return 1
`)

// Field names of pending logins and challenges, in the order the Go code
// reads them.
var (
	protPendingFields   = []any{"a", "lm", "ip", "c", "d", "sf", "ul", "ms", "t"}
	protChallengeFields = []any{"a", "b", "p", "m", "dst", "tk", "t"}
)

// ---- keys ----

// protOneServer reports whether every key is on one server, so that a
// script may touch keys of different slots.
func (s *Store) protOneServer() bool {
	_, ok := s.client.(*redis.Client)
	return ok
}

func (s *Store) protPrefix() string { return s.prefix + "prot:" }

// protBase is the prefix of the keys of accountID; protByIDLua builds the
// same string.
func (s *Store) protBase(accountID string) string {
	return s.prefix + "prot:" + strconv.Itoa(len(accountID)) + ":{" + accountID + "}:"
}

func (s *Store) protIndexKey(id string) string     { return s.prefix + "prot:sid:" + id }
func (s *Store) protPendingKey(id string) string   { return s.prefix + "prot:pending:" + id }
func (s *Store) protChallengeKey(id string) string { return s.prefix + "prot:challenge:" + id }

// protTTL is the relative TTL, in milliseconds, of a record that starts at
// from and ends at to by the caller's clock: the remaining lifetime plus the
// expiry margin.
func (s *Store) protTTL(from, to time.Time) int64 {
	return max(unixMilli(to)-unixMilli(from), 0) + s.margin
}

// protEpoch returns a fresh random generation value.
func protEpoch() string { return rand.Text() }

func msString(t time.Time) string { return strconv.FormatInt(unixMilli(t), 10) }

// ---- sessions ----

// CreateSession stores r as a live session; see protection.SessionStore. It
// returns an error, and changes nothing, when the ID or account ID is empty
// or the ID is already taken. On one server it is one script; on a cluster,
// SET NX on the ID's index key and then one script on the account's slot.
func (s *Store) CreateSession(ctx context.Context, r protection.SessionRecord) error {
	switch {
	case r.ID == "":
		return fmt.Errorf("redisstore: create session: %w", errProtEmptyID)
	case r.AccountID == "":
		return fmt.Errorf("redisstore: create session: %w", errProtEmptyAccount)
	}
	ttl := s.protTTL(r.CreatedAt, r.ExpiresAt)
	base := s.protBase(r.AccountID)
	args := []any{ttl, protEpoch(), r.ID, msString(r.ExpiresAt), r.LoginMethod, r.ClientIP, r.City, r.DeviceName,
		msString(r.CreatedAt), strconv.FormatInt(int64(r.IdleTimeout), 10), msString(r.LastSeenAt),
		r.AccountID, unixMilli(r.CreatedAt) - s.margin}
	slotKeys := []string{base + "gen", base + "sess:" + r.ID, base + "sessions"}
	var (
		ok  int64
		err error
	)
	if s.protOneServer() {
		ok, err = protCreateSessionScript.Run(ctx, s.client, append([]string{s.protIndexKey(r.ID)}, slotKeys...), args...).Int64()
	} else {
		var claimed bool
		claimed, err = s.client.SetNX(ctx, s.protIndexKey(r.ID), r.AccountID, time.Duration(ttl)*time.Millisecond).Result()
		if err == nil && claimed {
			ok, err = protCreateSessionSlotScript.Run(ctx, s.client, slotKeys, args...).Int64()
		}
	}
	switch {
	case err != nil:
		return fmt.Errorf("redisstore: create session: %w", err)
	case ok != 1:
		return fmt.Errorf("redisstore: create session: %w", errProtDuplicateID)
	}
	return nil
}

// Session returns the live session with id; see protection.SessionStore.
// Expiry is not checked: the caller does. On one server it is one script;
// on a cluster, a GET of the ID's index key and one script on the account's
// slot.
func (s *Store) Session(ctx context.Context, id string) (protection.SessionRecord, bool, error) {
	var res *redis.Cmd
	if s.protOneServer() {
		res = protSessionByIDScript.Run(ctx, s.client, []string{s.protIndexKey(id)}, s.protPrefix(), id)
	} else {
		acct, err := s.client.Get(ctx, s.protIndexKey(id)).Result()
		if errors.Is(err, redis.Nil) {
			return protection.SessionRecord{}, false, nil
		}
		if err != nil {
			return protection.SessionRecord{}, false, fmt.Errorf("redisstore: session: %w", err)
		}
		base := s.protBase(acct)
		res = protSessionSlotScript.Run(ctx, s.client, []string{base + "gen", base + "sess:" + id}, acct)
	}
	v, err := res.Slice()
	if errors.Is(err, redis.Nil) {
		return protection.SessionRecord{}, false, nil
	}
	if err != nil {
		return protection.SessionRecord{}, false, fmt.Errorf("redisstore: session: %w", err)
	}
	r, err := protParseSession(v)
	if err != nil {
		return protection.SessionRecord{}, false, fmt.Errorf("redisstore: session: %w", err)
	}
	r.ID, r.AccountID = id, r.ID
	return r, true, nil
}

// TouchSession sets the live session's LastSeenAt to at if at is later; see
// protection.SessionStore. Round trips as for Session.
func (s *Store) TouchSession(ctx context.Context, id string, at time.Time) error {
	var err error
	if s.protOneServer() {
		err = protTouchByIDScript.Run(ctx, s.client, []string{s.protIndexKey(id)}, s.protPrefix(), id, msString(at)).Err()
	} else {
		var acct string
		acct, err = s.client.Get(ctx, s.protIndexKey(id)).Result()
		if err == nil {
			base := s.protBase(acct)
			err = protTouchSlotScript.Run(ctx, s.client, []string{base + "gen", base + "sess:" + id}, msString(at)).Err()
		}
	}
	if err != nil && !errors.Is(err, redis.Nil) {
		return fmt.Errorf("redisstore: touch session: %w", err)
	}
	return nil
}

// Sessions returns the account's live sessions whose ExpiresAt is after now,
// oldest first (by CreatedAt, then ID); see protection.SessionStore. It is
// one script on the account's slot.
func (s *Store) Sessions(ctx context.Context, accountID string, now time.Time) ([]protection.SessionRecord, error) {
	base := s.protBase(accountID)
	v, err := protSessionsScript.Run(ctx, s.client, []string{base + "gen", base + "sessions"}, msString(now), base).Slice()
	if err != nil {
		return nil, fmt.Errorf("redisstore: sessions: %w", err)
	}
	out := make([]protection.SessionRecord, 0, len(v))
	for _, e := range v {
		fields, ok := e.([]any)
		if !ok {
			return nil, fmt.Errorf("redisstore: sessions: unexpected reply %v", e)
		}
		r, err := protParseSession(fields)
		if err != nil {
			return nil, fmt.Errorf("redisstore: sessions: %w", err)
		}
		r.AccountID = accountID
		out = append(out, r)
	}
	slices.SortFunc(out, func(x, y protection.SessionRecord) int {
		return cmp.Or(x.CreatedAt.Compare(y.CreatedAt), cmp.Compare(x.ID, y.ID))
	})
	return out, nil
}

// EndSession ends the account's session id and the grants bound to it, and
// reports whether it was live; see protection.SessionStore. It is one
// script on the account's slot: of concurrent calls, exactly one reports
// true.
func (s *Store) EndSession(ctx context.Context, accountID, id string) (bool, error) {
	base := s.protBase(accountID)
	keys := []string{base + "gen", base + "sess:" + id, base + "sessions", base + "grant:" + protection.SessionBinding(id)}
	n, err := protEndSessionScript.Run(ctx, s.client, keys, id).Int64()
	if err != nil {
		return false, fmt.Errorf("redisstore: end session: %w", err)
	}
	return n == 1, nil
}

// EndAllSessions ends every session and grant of the account but the
// session keep (whose grants end too); see protection.SessionStore. It is
// one script on the account's slot that writes a new generation, whatever
// the number of sessions.
func (s *Store) EndAllSessions(ctx context.Context, accountID, keep string) error {
	if accountID == "" {
		return fmt.Errorf("redisstore: end all sessions: %w", errProtEmptyAccount)
	}
	base := s.protBase(accountID)
	keys := []string{base + "gen", base + "sessions", base + "sess:" + keep}
	if err := protEndAllScript.Run(ctx, s.client, keys, protEpoch(), keep).Err(); err != nil {
		return fmt.Errorf("redisstore: end all sessions: %w", err)
	}
	return nil
}

// protParseSession reads the reply of the session scripts: v[0] is the
// account or the ID (the caller places it), then the session's fields.
func protParseSession(v []any) (protection.SessionRecord, error) {
	f, err := protFields(v, 9)
	if err != nil {
		return protection.SessionRecord{}, err
	}
	var p protParser
	r := protection.SessionRecord{
		ID: f[0], LoginMethod: f[1], ClientIP: f[2], City: f[3], DeviceName: f[4],
		CreatedAt: p.time(f[5]), ExpiresAt: p.time(f[6]), IdleTimeout: time.Duration(p.int(f[7])), LastSeenAt: p.time(f[8]),
	}
	return r, p.err
}

// ---- grants ----

// PutGrant stores g, replacing the grant with the same account, binding and
// scope; see protection.GrantStore. It returns an error, and changes
// nothing, when the account, binding or scope is empty. It is one script on
// the account's slot; the key lives until ExpiresAt (by GrantedAt) plus the
// expiry margin.
func (s *Store) PutGrant(ctx context.Context, g protection.GrantRecord) error {
	switch {
	case g.AccountID == "":
		return fmt.Errorf("redisstore: put grant: %w", errProtEmptyAccount)
	case g.Binding == "" || g.Scope == "":
		return errors.New("redisstore: put grant: empty binding or scope")
	}
	base := s.protBase(g.AccountID)
	err := protPutGrantScript.Run(ctx, s.client, []string{base + "gen", base + "grant:" + g.Binding},
		s.protTTL(g.GrantedAt, g.ExpiresAt), protEpoch(), g.Scope, string(g.Method),
		msString(g.GrantedAt), msString(g.ExpiresAt)).Err()
	if err != nil {
		return fmt.Errorf("redisstore: put grant: %w", err)
	}
	return nil
}

// Grant returns the live grant of the account, binding and scope at now; see
// protection.GrantStore. It is one script on the account's slot.
func (s *Store) Grant(ctx context.Context, accountID, binding, scope string, now time.Time) (protection.GrantRecord, bool, error) {
	base := s.protBase(accountID)
	v, err := protGrantScript.Run(ctx, s.client, []string{base + "gen", base + "grant:" + binding}, scope, msString(now)).Slice()
	if errors.Is(err, redis.Nil) {
		return protection.GrantRecord{}, false, nil
	}
	if err != nil {
		return protection.GrantRecord{}, false, fmt.Errorf("redisstore: grant: %w", err)
	}
	f, err := protFields(v, 3)
	if err != nil {
		return protection.GrantRecord{}, false, fmt.Errorf("redisstore: grant: %w", err)
	}
	var p protParser
	g := protection.GrantRecord{
		AccountID: accountID, Binding: binding, Scope: scope, Method: protection.Method(f[0]),
		GrantedAt: p.time(f[1]), ExpiresAt: p.time(f[2]),
	}
	if p.err != nil {
		return protection.GrantRecord{}, false, fmt.Errorf("redisstore: grant: %w", p.err)
	}
	return g, true, nil
}

// ---- pending logins ----

// PutPendingLogin stores p; see protection.PendingLoginStore. It returns an
// error, and changes nothing, when the ID is empty or a pending login with
// the ID exists that has not expired by p.CreatedAt. It is one script.
func (s *Store) PutPendingLogin(ctx context.Context, p protection.PendingLogin) error {
	if p.ID == "" {
		return fmt.Errorf("redisstore: put pending login: %w", errProtEmptyID)
	}
	methods, err := json.Marshal(p.Methods)
	if err != nil {
		return fmt.Errorf("redisstore: put pending login: %w", err)
	}
	err = s.protPutOnce(ctx, s.protPendingKey(p.ID), p.CreatedAt, p.ExpiresAt,
		"a", p.AccountID, "lm", p.LoginMethod, "ip", p.ClientIP, "c", p.City, "d", p.DeviceName,
		"sf", protBool(p.SecondFactor), "ul", protBool(p.UnusualLocation), "ms", methods)
	if err != nil {
		return fmt.Errorf("redisstore: put pending login: %w", err)
	}
	return nil
}

// PendingLogin returns the pending login with id if it has not expired at
// now; see protection.PendingLoginStore. It is one HMGET.
func (s *Store) PendingLogin(ctx context.Context, id string, now time.Time) (protection.PendingLogin, bool, error) {
	v, err := s.client.HMGet(ctx, s.protPendingKey(id), append([]string{"e"}, protNames(protPendingFields)...)...).Result()
	if err != nil {
		return protection.PendingLogin{}, false, fmt.Errorf("redisstore: pending login: %w", err)
	}
	p, found, err := protParsePending(id, v, now)
	if err != nil {
		return protection.PendingLogin{}, false, fmt.Errorf("redisstore: pending login: %w", err)
	}
	return p, found, nil
}

// ConsumePendingLogin returns and deletes the pending login with id; see
// protection.PendingLoginStore. It is one script: of concurrent calls, at
// most one finds it. An expired pending login is deleted and not returned.
func (s *Store) ConsumePendingLogin(ctx context.Context, id string, now time.Time) (protection.PendingLogin, bool, error) {
	v, err := protConsumeScript.Run(ctx, s.client, []string{s.protPendingKey(id)},
		append([]any{msString(now)}, protPendingFields...)...).Slice()
	if errors.Is(err, redis.Nil) {
		return protection.PendingLogin{}, false, nil
	}
	if err != nil {
		return protection.PendingLogin{}, false, fmt.Errorf("redisstore: consume pending login: %w", err)
	}
	p, found, err := protParsePending(id, v, now)
	if err != nil {
		return protection.PendingLogin{}, false, fmt.Errorf("redisstore: consume pending login: %w", err)
	}
	return p, found, nil
}

// protParsePending reads e followed by protPendingFields; a missing or
// expired record is not found.
func protParsePending(id string, v []any, now time.Time) (protection.PendingLogin, bool, error) {
	if len(v) == 0 || v[0] == nil {
		return protection.PendingLogin{}, false, nil
	}
	f, err := protFields(v, 1+len(protPendingFields))
	if err != nil {
		return protection.PendingLogin{}, false, err
	}
	var p protParser
	pl := protection.PendingLogin{
		ID: id, AccountID: f[1], LoginMethod: f[2], ClientIP: f[3], City: f[4], DeviceName: f[5],
		SecondFactor: f[6] == "1", UnusualLocation: f[7] == "1",
		CreatedAt: p.time(f[9]), ExpiresAt: p.time(f[0]),
	}
	if p.err != nil {
		return protection.PendingLogin{}, false, p.err
	}
	if err := json.Unmarshal([]byte(f[8]), &pl.Methods); err != nil {
		return protection.PendingLogin{}, false, fmt.Errorf("corrupt methods: %w", err)
	}
	if !pl.ExpiresAt.After(now) {
		return protection.PendingLogin{}, false, nil
	}
	return pl, true, nil
}

// ---- challenges ----

// PutChallenge stores c; see protection.ChallengeStore. It returns an error,
// and changes nothing, when the ID is empty or a challenge with the ID
// exists that has not expired by c.CreatedAt. It is one script.
func (s *Store) PutChallenge(ctx context.Context, c protection.ChallengeRecord) error {
	if c.ID == "" {
		return fmt.Errorf("redisstore: put challenge: %w", errProtEmptyID)
	}
	err := s.protPutOnce(ctx, s.protChallengeKey(c.ID), c.CreatedAt, c.ExpiresAt,
		"a", c.AccountID, "b", c.Binding, "p", c.Purpose, "m", string(c.Method),
		"dst", c.Destination, "tk", c.Ticket)
	if err != nil {
		return fmt.Errorf("redisstore: put challenge: %w", err)
	}
	return nil
}

// Challenge returns the challenge with id if it has not expired at now; see
// protection.ChallengeStore. It is one HMGET.
func (s *Store) Challenge(ctx context.Context, id string, now time.Time) (protection.ChallengeRecord, bool, error) {
	v, err := s.client.HMGet(ctx, s.protChallengeKey(id), append([]string{"e"}, protNames(protChallengeFields)...)...).Result()
	if err != nil {
		return protection.ChallengeRecord{}, false, fmt.Errorf("redisstore: challenge: %w", err)
	}
	c, found, err := protParseChallenge(id, v, now)
	if err != nil {
		return protection.ChallengeRecord{}, false, fmt.Errorf("redisstore: challenge: %w", err)
	}
	return c, found, nil
}

// ConsumeChallenge returns and deletes the challenge with id; see
// protection.ChallengeStore. It is one script: of concurrent calls, at most
// one finds it. An expired challenge is deleted and not returned.
func (s *Store) ConsumeChallenge(ctx context.Context, id string, now time.Time) (protection.ChallengeRecord, bool, error) {
	v, err := protConsumeScript.Run(ctx, s.client, []string{s.protChallengeKey(id)},
		append([]any{msString(now)}, protChallengeFields...)...).Slice()
	if errors.Is(err, redis.Nil) {
		return protection.ChallengeRecord{}, false, nil
	}
	if err != nil {
		return protection.ChallengeRecord{}, false, fmt.Errorf("redisstore: consume challenge: %w", err)
	}
	c, found, err := protParseChallenge(id, v, now)
	if err != nil {
		return protection.ChallengeRecord{}, false, fmt.Errorf("redisstore: consume challenge: %w", err)
	}
	return c, found, nil
}

// protParseChallenge reads e followed by protChallengeFields; a missing or
// expired record is not found.
func protParseChallenge(id string, v []any, now time.Time) (protection.ChallengeRecord, bool, error) {
	if len(v) == 0 || v[0] == nil {
		return protection.ChallengeRecord{}, false, nil
	}
	f, err := protFields(v, 1+len(protChallengeFields))
	if err != nil {
		return protection.ChallengeRecord{}, false, err
	}
	var p protParser
	c := protection.ChallengeRecord{
		ID: id, AccountID: f[1], Binding: f[2], Purpose: f[3], Method: protection.Method(f[4]),
		Destination: f[5], Ticket: f[6], CreatedAt: p.time(f[7]), ExpiresAt: p.time(f[0]),
	}
	if p.err != nil {
		return protection.ChallengeRecord{}, false, p.err
	}
	if !c.ExpiresAt.After(now) {
		return protection.ChallengeRecord{}, false, nil
	}
	return c, true, nil
}

// protPutOnce runs protPutOnceScript with the record's times and fields.
func (s *Store) protPutOnce(ctx context.Context, key string, created, expires time.Time, fields ...any) error {
	args := append([]any{msString(created), s.protTTL(created, expires), "t", msString(created), "e", msString(expires)}, fields...)
	n, err := protPutOnceScript.Run(ctx, s.client, []string{key}, args...).Int64()
	if err != nil {
		return err
	}
	if n != 1 {
		return errProtDuplicateID
	}
	return nil
}

func protBool(b bool) string {
	if b {
		return "1"
	}
	return "0"
}

func protNames(fields []any) []string {
	out := make([]string, len(fields))
	for i, f := range fields {
		out[i] = f.(string)
	}
	return out
}

// ---- trusted devices ----

// PutTrustedDevice stores d, replacing the account's device with the same
// ID; see protection.TrustedDeviceStore. It returns an error, and changes
// nothing, when the ID or account ID is empty. It is one script on the
// account's slot.
func (s *Store) PutTrustedDevice(ctx context.Context, d protection.TrustedDevice) error {
	switch {
	case d.ID == "":
		return fmt.Errorf("redisstore: put trusted device: %w", errProtEmptyID)
	case d.AccountID == "":
		return fmt.Errorf("redisstore: put trusted device: %w", errProtEmptyAccount)
	}
	base := s.protBase(d.AccountID)
	err := protPutDeviceScript.Run(ctx, s.client, []string{base + "dev:" + d.ID, base + "devices"},
		s.protTTL(d.CreatedAt, d.ExpiresAt), d.ID, d.Name, d.ClientIP, d.City,
		msString(d.CreatedAt), msString(d.ExpiresAt), unixMilli(d.CreatedAt)-s.margin).Err()
	if err != nil {
		return fmt.Errorf("redisstore: put trusted device: %w", err)
	}
	return nil
}

// TrustedDevice returns the account's device with id if it has not expired
// at now; see protection.TrustedDeviceStore. It is one HMGET.
func (s *Store) TrustedDevice(ctx context.Context, accountID, id string, now time.Time) (protection.TrustedDevice, bool, error) {
	v, err := s.client.HMGet(ctx, s.protBase(accountID)+"dev:"+id, "n", "ip", "c", "t", "e").Result()
	if err != nil {
		return protection.TrustedDevice{}, false, fmt.Errorf("redisstore: trusted device: %w", err)
	}
	if v[4] == nil {
		return protection.TrustedDevice{}, false, nil
	}
	d, err := protParseDevice(append([]any{id}, v...))
	if err != nil {
		return protection.TrustedDevice{}, false, fmt.Errorf("redisstore: trusted device: %w", err)
	}
	if !d.ExpiresAt.After(now) {
		return protection.TrustedDevice{}, false, nil
	}
	d.AccountID = accountID
	return d, true, nil
}

// TrustedDevices returns the account's devices that have not expired at
// now, oldest first (by CreatedAt, then ID); see
// protection.TrustedDeviceStore. It is one script on the account's slot.
func (s *Store) TrustedDevices(ctx context.Context, accountID string, now time.Time) ([]protection.TrustedDevice, error) {
	base := s.protBase(accountID)
	v, err := protDevicesScript.Run(ctx, s.client, []string{base + "devices"}, msString(now), base).Slice()
	if err != nil {
		return nil, fmt.Errorf("redisstore: trusted devices: %w", err)
	}
	out := make([]protection.TrustedDevice, 0, len(v))
	for _, e := range v {
		fields, ok := e.([]any)
		if !ok {
			return nil, fmt.Errorf("redisstore: trusted devices: unexpected reply %v", e)
		}
		d, err := protParseDevice(fields)
		if err != nil {
			return nil, fmt.Errorf("redisstore: trusted devices: %w", err)
		}
		d.AccountID = accountID
		out = append(out, d)
	}
	slices.SortFunc(out, func(x, y protection.TrustedDevice) int {
		return cmp.Or(x.CreatedAt.Compare(y.CreatedAt), cmp.Compare(x.ID, y.ID))
	})
	return out, nil
}

// DeleteTrustedDevice removes the account's device with id and reports
// whether there was one; see protection.TrustedDeviceStore. It is one
// script on the account's slot.
func (s *Store) DeleteTrustedDevice(ctx context.Context, accountID, id string) (bool, error) {
	base := s.protBase(accountID)
	n, err := protDeleteDeviceScript.Run(ctx, s.client, []string{base + "dev:" + id, base + "devices"}, id).Int64()
	if err != nil {
		return false, fmt.Errorf("redisstore: delete trusted device: %w", err)
	}
	return n > 0, nil
}

// protParseDevice reads {id, name, client IP, city, createdAt, expiresAt}.
func protParseDevice(v []any) (protection.TrustedDevice, error) {
	f, err := protFields(v, 6)
	if err != nil {
		return protection.TrustedDevice{}, err
	}
	var p protParser
	d := protection.TrustedDevice{ID: f[0], Name: f[1], ClientIP: f[2], City: f[3], CreatedAt: p.time(f[4]), ExpiresAt: p.time(f[5])}
	return d, p.err
}

// ---- login cities ----

// RecordLoginCity notes a successful login from city at at and keeps the
// keep cities with the latest LastAt; see protection.LoginCityStore. It is
// one script on the account's slot. Cities have no TTL: like the memory
// store, the store keeps an account's last keep cities for good.
func (s *Store) RecordLoginCity(ctx context.Context, accountID, city string, at time.Time, keep int) error {
	switch {
	case accountID == "":
		return fmt.Errorf("redisstore: record login city: %w", errProtEmptyAccount)
	case city == "":
		return errors.New("redisstore: record login city: empty city")
	case keep < 1:
		return fmt.Errorf("redisstore: record login city: keep %d is below 1", keep)
	}
	err := protRecordCityScript.Run(ctx, s.client, []string{s.protBase(accountID) + "cities"},
		msString(at), city, -(keep + 1)).Err()
	if err != nil {
		return fmt.Errorf("redisstore: record login city: %w", err)
	}
	return nil
}

// LoginCities returns the account's cities, latest LastAt first (on equal
// times, the name that sorts last first); see protection.LoginCityStore. It
// is one ZREVRANGE.
func (s *Store) LoginCities(ctx context.Context, accountID string) ([]protection.LoginCity, error) {
	zs, err := s.client.ZRevRangeWithScores(ctx, s.protBase(accountID)+"cities", 0, -1).Result()
	if err != nil {
		return nil, fmt.Errorf("redisstore: login cities: %w", err)
	}
	out := make([]protection.LoginCity, 0, len(zs))
	for _, z := range zs {
		city, ok := z.Member.(string)
		if !ok {
			return nil, fmt.Errorf("redisstore: login cities: unexpected member %v", z.Member)
		}
		// Scores are whole milliseconds below 2^53, so the float is exact.
		out = append(out, protection.LoginCity{City: city, LastAt: fromUnixMilli(int64(z.Score))})
	}
	return out, nil
}

// ---- replies ----

// protFields turns a script or HMGET reply of n values into strings; a
// missing value (nil) is an empty string.
func protFields(v []any, n int) ([]string, error) {
	if len(v) != n {
		return nil, fmt.Errorf("unexpected reply of %d values, want %d", len(v), n)
	}
	out := make([]string, n)
	for i, e := range v {
		switch e := e.(type) {
		case nil:
		case string:
			out[i] = e
		default:
			return nil, fmt.Errorf("unexpected value %v in reply", e)
		}
	}
	return out, nil
}

// protParser parses stored numbers and keeps the first error.
type protParser struct{ err error }

func (p *protParser) int(s string) int64 {
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil && p.err == nil {
		p.err = fmt.Errorf("corrupt value %q", s)
	}
	return n
}

func (p *protParser) time(s string) time.Time { return fromUnixMilli(p.int(s)) }
