package redisstore

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/accountsec/accountsec/state"
)

// The state primitives. Every record set of one set and owner is three keys
// that share one Redis Cluster hash tag, so every script touches one slot,
// on one server and on a cluster alike:
//
//	P rec{<len(set)>:<set>/<owner>}h   hash: record ID → value
//	P rec{<len(set)>:<set>/<owner>}i   sorted set: <order>+ID, all of score 0
//	P rec{<len(set)>:<set>/<owner>}x   sorted set: ID by expiresAt
//	P once:<id>                        string: a single-use record
//	P doc:<id>                         string: a document
//
// The tag starts with a digit, so it is never empty whatever set and owner
// hold, and set's length makes every key name one set and owner only.
// Numbers are 16 hex digits of the int64 with its sign bit flipped, so that
// they sort as the numbers do: a record's value is <order><expiresAt><data>,
// a single-use record's <expiresAt><data>, a document's <version><data>. The
// members of the order index therefore sort by (Order, ID) exactly, bytes by
// bytes, as ZRANGE returns equal-score members.
//
// Each script keeps the three keys of an owner in step and drops the records
// that expired by the caller's clock on every put (the expiry index finds
// them), so the keys hold the live records and those that expired since the
// last put. EndRecords UNLINKs the three keys: one command, which frees
// them off the main thread, whatever the number of records, and leaves
// nothing behind. The keys' TTL follows the longest-lived record.

// stateLua defines num (a hex number as a Lua number, exact within 2^53,
// which covers every millisecond time until the year 287396) and less
// (compares two hex numbers exactly).
const stateLua = `
local function num(h)
	return (tonumber(h:sub(1, 8), 16) - 2147483648) * 4294967296 + tonumber(h:sub(9, 16), 16)
end
local function less(a, b)
	local x, y = tonumber(a:sub(1, 8), 16), tonumber(b:sub(1, 8), 16)
	if x ~= y then return x < y end
	return tonumber(a:sub(9, 16), 16) < tonumber(b:sub(9, 16), 16)
end
`

// recordsLua starts the record scripts: KEYS hash, order index, expiry
// index; ARGV[1] now, ARGV[2] the record ID.
const recordsLua = stateLua + `
local H, I, X, now, id = KEYS[1], KEYS[2], KEYS[3], tonumber(ARGV[1]), ARGV[2]
local function live(id)
	local v = redis.call('HGET', H, id)
	if v and num(v:sub(17, 32)) > now then return v end
end
local function drop(id)
	local v = redis.call('HGET', H, id)
	if v then
		redis.call('HDEL', H, id)
		redis.call('ZREM', I, v:sub(1, 16) .. id)
	end
	redis.call('ZREM', X, id)
end
local function add(id, v, e, ttl)
	redis.call('HSET', H, id, v)
	redis.call('ZADD', I, 0, v:sub(1, 16) .. id)
	redis.call('ZADD', X, e, id)
	for _, k in ipairs(KEYS) do
		if redis.call('PTTL', k) < tonumber(ttl) then redis.call('PEXPIRE', k, ttl) end
	end
end
`

// putRecordScript: ARGV now, id, value, expiresAt, ttl, keep.
var putRecordScript = redis.NewScript(recordsLua + `
for _, old in ipairs(redis.call('ZRANGEBYSCORE', X, '-inf', now)) do drop(old) end
drop(id)
add(id, ARGV[3], ARGV[4], ARGV[5])
local keep = tonumber(ARGV[6])
if keep > 0 then
	for _, m in ipairs(redis.call('ZRANGE', I, 0, -keep - 1)) do drop(m:sub(17)) end
end
return 1
`)

// touchRecordScript: ARGV now, id, order. The TTLs stay.
var touchRecordScript = redis.NewScript(recordsLua + `
local v, o = live(id), ARGV[3]
if not v then return 0 end
if less(v:sub(1, 16), o) then
	redis.call('ZREM', I, v:sub(1, 16) .. id)
	redis.call('ZADD', I, 0, o .. id)
	redis.call('HSET', H, id, o .. v:sub(17))
end
return 1
`)

// deleteRecordScript: ARGV now, id.
var deleteRecordScript = redis.NewScript(recordsLua + `
local v = live(id)
drop(id)
return v and 1 or 0
`)

// endRecordsScript: ARGV now, the ID to keep (may be empty), margin.
var endRecordsScript = redis.NewScript(recordsLua + `
local v = id ~= '' and live(id)
redis.call('UNLINK', H, I, X)
if v then
	local e = num(v:sub(17, 32))
	add(id, v, string.format('%d', e), string.format('%d', e - now + tonumber(ARGV[3])))
end
return 1
`)

// putOnceScript: KEYS once; ARGV now, value, ttl.
var putOnceScript = redis.NewScript(stateLua + `
local v = redis.call('GET', KEYS[1])
if v and num(v:sub(1, 16)) > tonumber(ARGV[1]) then return 0 end
redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
return 1
`)

// putDocumentScript: KEYS document; ARGV the previous version (empty for
// none), value.
var putDocumentScript = redis.NewScript(`
local v = redis.call('GET', KEYS[1])
if (v and v:sub(1, 16) or '') ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[2])
return 1
`)

// readScript: KEYS[1]; no ARGV for a string, an empty ARGV[1] for every
// field of a hash (no ID is empty), else the field ARGV[1], or the fields
// ARGV when there are several. Reads go to the primary, as the writes do: a
// replica may still hold a record that was just ended, deleted or taken, or
// a counter without its latest failures. Through a client that sends read
// commands to replicas they are therefore this script, which it sends to
// the primary; through any other they are the plain command the script
// would run (GET, HGET, HMGET), which costs Redis less and the client fewer
// allocations.
var readScript = redis.NewScript(`
if ARGV[1] == nil then return redis.call('GET', KEYS[1]) end
if ARGV[1] == '' then return redis.call('HGETALL', KEYS[1]) end
if #ARGV > 1 then return redis.call('HMGET', KEYS[1], unpack(ARGV)) end
return redis.call('HGET', KEYS[1], ARGV[1])
`)

var errCorrupt = errors.New("corrupt value")

func (s *Store) recordHash(set, owner string) string {
	return s.prefix + "rec{" + strconv.Itoa(len(set)) + ":" + set + "/" + owner + "}h"
}

func (s *Store) recordKeys(set, owner string) []string {
	h := s.recordHash(set, owner)
	return []string{h, h[:len(h)-1] + "i", h[:len(h)-1] + "x"}
}

func (s *Store) read(ctx context.Context, key string, field ...any) *redis.Cmd {
	return readScript.Run(ctx, s.client, []string{key}, field...)
}

// readString returns the string at key (redis.Nil when there is none),
// read at the primary.
func (s *Store) readString(ctx context.Context, key string) (string, error) {
	if s.client.primaryReads {
		return s.client.Get(ctx, key).Result()
	}
	return s.read(ctx, key).Text()
}

// readField returns the field of the hash at key (redis.Nil when there is
// none), read at the primary.
func (s *Store) readField(ctx context.Context, key, field string) (string, error) {
	if s.client.primaryReads {
		return s.client.HGet(ctx, key, field).Result()
	}
	return s.read(ctx, key, field).Text()
}

// encode returns the numbers ns as hex numbers, then data.
func encode(data []byte, ns ...int64) []byte {
	b := make([]byte, 0, 16*len(ns)+len(data))
	for _, n := range ns {
		for u, shift := uint64(n)^1<<63, 60; shift >= 0; shift -= 4 {
			b = append(b, "0123456789abcdef"[u>>shift&15])
		}
	}
	return append(b, data...)
}

// decode reads the hex numbers at the start of v into ns and returns the
// rest.
func decode(v string, ns ...*int64) ([]byte, error) {
	for _, n := range ns {
		u, err := strconv.ParseUint(v[:min(16, len(v))], 16, 64)
		if err != nil || len(v) < 16 {
			return nil, errCorrupt
		}
		*n, v = int64(u^1<<63), v[16:]
	}
	return []byte(v), nil
}

// get runs read unless check (an argument error) is set, and decodes the
// value with dec, which reports whether it is live. Absence is not found.
func get[T any](op string, check error, read func() (string, error), dec func(v string) (T, bool, error)) (T, bool, error) {
	var r, zero T
	live, err := false, check
	if err == nil {
		var v string
		if v, err = read(); err == nil {
			r, live, err = dec(v)
		} else if errors.Is(err, redis.Nil) {
			err = nil
		}
	}
	if err != nil || !live {
		return zero, false, fail(op, err)
	}
	return r, true, nil
}

// fail names the operation in err, if any.
func fail(op string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("redisstore: %s: %w", op, err)
}

// run runs sc unless check (an argument error) is set, and reports whether
// it returned 1.
func (s *Store) run(ctx context.Context, op string, check error, sc *redis.Script, keys []string, args ...any) (bool, error) {
	n, err := 0, check
	if err == nil {
		n, err = sc.Run(ctx, s.client, keys, args...).Int()
	}
	return n == 1, fail(op, err)
}

func (s *Store) ttl(expiresAt, now time.Time) int64 {
	return unixMilli(expiresAt) - unixMilli(now) + s.margin
}

func decodeRecord(set, owner, id string, now time.Time) func(string) (state.Record, bool, error) {
	return func(v string) (state.Record, bool, error) {
		r := state.Record{Set: set, Owner: owner, ID: id}
		var e int64
		data, err := decode(v, &r.Order, &e)
		r.Data, r.ExpiresAt = data, fromUnixMilli(e)
		return r, err == nil && e > unixMilli(now), err
	}
}

// PutRecord stores r; see state.Records. It is one script call.
func (s *Store) PutRecord(ctx context.Context, r state.Record, keep int, now time.Time) error {
	_, err := s.run(ctx, "put record", state.CheckRecord(r, keep, now), putRecordScript, s.recordKeys(r.Set, r.Owner), unixMilli(now),
		r.ID, encode(r.Data, r.Order, unixMilli(r.ExpiresAt)), unixMilli(r.ExpiresAt), s.ttl(r.ExpiresAt, now), keep)
	return err
}

// GetRecord returns the live record; see state.Records. It is one HGET
// (a script running it through a client that reads from replicas).
func (s *Store) GetRecord(ctx context.Context, set, owner, id string, now time.Time) (state.Record, bool, error) {
	return get("get record", state.CheckRecordKey(set, owner, id),
		func() (string, error) { return s.readField(ctx, s.recordHash(set, owner), id) }, decodeRecord(set, owner, id, now))
}

// ListRecords returns the owner's live records in (Order, ID) order; see
// state.Records. It is one script call (HGETALL).
func (s *Store) ListRecords(ctx context.Context, set, owner string, now time.Time) ([]state.Record, error) {
	if err := state.CheckOwner(set, owner); err != nil {
		return nil, fail("list records", err)
	}
	all, err := s.read(ctx, s.recordHash(set, owner), "").StringSlice()
	rs := make([]state.Record, 0, len(all)/2)
	for i := 0; i+1 < len(all); i += 2 {
		r, live, derr := decodeRecord(set, owner, all[i], now)(all[i+1])
		if err = cmp.Or(err, derr); live {
			rs = append(rs, r)
		}
	}
	if err != nil {
		return nil, fail("list records", err)
	}
	slices.SortFunc(rs, func(a, b state.Record) int {
		return cmp.Or(cmp.Compare(a.Order, b.Order), strings.Compare(a.ID, b.ID))
	})
	return rs, nil
}

// TouchRecord raises the live record's Order; see state.Records. It is one
// script call.
func (s *Store) TouchRecord(ctx context.Context, set, owner, id string, order int64, now time.Time) (bool, error) {
	return s.run(ctx, "touch record", state.CheckRecordKey(set, owner, id), touchRecordScript,
		s.recordKeys(set, owner), unixMilli(now), id, encode(nil, order))
}

// DeleteRecord removes the record; see state.Records. It is one script
// call.
func (s *Store) DeleteRecord(ctx context.Context, set, owner, id string, now time.Time) (bool, error) {
	return s.run(ctx, "delete record", state.CheckRecordKey(set, owner, id), deleteRecordScript,
		s.recordKeys(set, owner), unixMilli(now), id)
}

// EndRecords ends every record of the owner in set, but keep; see
// state.Records. It is one script call, whose one write (UNLINK) costs the
// same whatever the number of records.
func (s *Store) EndRecords(ctx context.Context, set, owner, keep string, now time.Time) error {
	_, err := s.run(ctx, "end records", state.CheckEnd(set, owner, keep), endRecordsScript, s.recordKeys(set, owner), unixMilli(now), keep, s.margin)
	return err
}

// PutOnce stores r unless a live record with its ID exists; see
// state.Onces. It is one script call.
func (s *Store) PutOnce(ctx context.Context, r state.Once, now time.Time) (bool, error) {
	return s.run(ctx, "put once", state.CheckOnce(r, now), putOnceScript, []string{s.prefix + "once:" + r.ID},
		unixMilli(now), encode(r.Data, unixMilli(r.ExpiresAt)), s.ttl(r.ExpiresAt, now))
}

// GetOnce returns the live record with id; see state.Onces. It is one GET
// (a script running it through a client that reads from replicas).
func (s *Store) GetOnce(ctx context.Context, id string, now time.Time) (state.Once, bool, error) {
	return s.once("get once", id, now, func() (string, error) { return s.readString(ctx, s.prefix+"once:"+id) })
}

// TakeOnce returns and removes the live record with id; see state.Onces.
// It is one GETDEL (Redis 6.2 or later).
func (s *Store) TakeOnce(ctx context.Context, id string, now time.Time) (state.Once, bool, error) {
	return s.once("take once", id, now, func() (string, error) { return s.client.GetDel(ctx, s.prefix+"once:"+id).Result() })
}

func (s *Store) once(op, id string, now time.Time, read func() (string, error)) (state.Once, bool, error) {
	return get(op, state.CheckKey("id", id), read,
		func(v string) (state.Once, bool, error) {
			var e int64
			data, err := decode(v, &e)
			return state.Once{ID: id, Data: data, ExpiresAt: fromUnixMilli(e)}, err == nil && e > unixMilli(now), err
		})
}

// GetDocument returns the document with id; see state.Documents. It is one
// GET (a script running it through a client that reads from replicas).
func (s *Store) GetDocument(ctx context.Context, id string) (state.Document, bool, error) {
	return get("get document", state.CheckKey("id", id), func() (string, error) { return s.readString(ctx, s.prefix+"doc:"+id) },
		func(v string) (state.Document, bool, error) {
			d := state.Document{ID: id}
			data, err := decode(v, &d.Version)
			d.Data = data
			return d, err == nil, err
		})
}

// PutDocument writes d over version d.Version-1; see state.Documents. It is
// one script call. Documents have no TTL.
func (s *Store) PutDocument(ctx context.Context, d state.Document) (bool, error) {
	prev := []byte{}
	if d.Version > 1 {
		prev = encode(nil, d.Version-1)
	}
	return s.run(ctx, "put document", state.CheckDocument(d), putDocumentScript, []string{s.prefix + "doc:" + d.ID},
		prev, encode(d.Data, d.Version))
}
