package memstore

import (
	"hash/maphash"
	"sync"
	"time"
	"unsafe"

	"github.com/accountsec/accountsec/account"
	"github.com/accountsec/accountsec/limits"
	"github.com/accountsec/accountsec/notify"
	"github.com/accountsec/accountsec/protection"
	"github.com/accountsec/accountsec/recovery"
	"github.com/accountsec/accountsec/state"
)

// Compile-time checks that Store implements the interfaces it serves.
var (
	_ limits.CounterStore = (*Store)(nil)
	_ notify.CodeStore    = (*Store)(nil)
	_ account.Store       = (*Store)(nil)
	_ protection.Store    = (*Store)(nil)
	_ recovery.Store      = (*Store)(nil)
	_ state.Store         = (*Store)(nil)
)

// Store is an in-memory store. It is safe for concurrent use. The zero Store
// is empty and ready to use; New returns a pointer to one. A Store must not
// be copied after first use.
//
// Each concern (counters, codes, …) keeps its entries in its own sharded
// map, declared here and implemented in its own file. A concern whose entries
// expire adds itself to [Store.Sweep] and to reclaim (sweeper.go), and
// locks its shards with the store's hint and the time its calls pass.
//
// Store serves every store interface of the library: counters, codes and
// the state primitives (sessions, grants, pending logins, password resets,
// MFA devices, …) directly, accounts through the embedded AccountStore
// (which hosts may also use on its own).
type Store struct {
	// The counters, the records and the documents pick their shards with
	// tagShard (their keys end in a keyed hash): every call on them locks
	// through shards.lockTag, never shards.lock.
	counters shards[*limits.Counter]
	codes    shards[codeEntry]

	// The state primitives (state.go): records by owner, single-use
	// records and documents by ID.
	records   shards[*ownerRecords]
	onces     shards[onceEntry]
	documents shards[state.Document]

	// hint is the latest time a sweep of any concern used (sweeper.go).
	hint hint

	AccountStore
}

// New returns an empty Store.
func New() *Store { return new(Store) }

// Sweep removes every entry that has expired at now (whose expiry is not
// after now) and returns how many it removed. Entries are also removed when a
// call touches their key after they expire, and the store reclaims the
// others by itself, a shard at a time, as calls come (see the package
// documentation), so calling Sweep is optional: it frees everything at once,
// for example before measuring memory, or for a store that receives no more
// calls.
//
// Sweep locks one shard at a time, so other calls proceed while it runs.
func (s *Store) Sweep(now time.Time) int {
	return s.counters.sweep(now) + s.codes.sweep(now) + s.records.sweep(now) + s.onces.sweep(now)
}

// expired reports whether an entry expiring at expiresAt is gone at now. The
// stores share the rule: an entry is alive strictly before its expiry.
func expired(expiresAt, now time.Time) bool { return !expiresAt.After(now) }

// shardCount spreads keys over this many independently locked maps so that
// concurrent calls on different keys rarely wait for each other.
const shardCount = 1 << shardBits

// shardBits is the number of bits of a key's hash that pick its shard.
const shardBits = 5

// seed is shared by every Store of the process. It is random per process so
// that nobody can choose keys that all land in one shard.
var seed = maphash.MakeSeed()

// shards is a map from key to V split into shardCount locked parts. Its zero
// value is ready to use. Each part sweeps itself now and then (sweeper.go).
type shards[V any] struct {
	parts [shardCount]shard[V]
}

// shard is one locked part of a shards map.
type shard[V any] struct {
	mu    sync.Mutex
	m     map[string]V
	clock sweepClock
	// memoFor and memoVal are the last key found through find (or added
	// through remember) and its value, so that the next call with the very
	// same key string (the same address and length, which the memo keeps
	// alive) skips hashing it. Only the counters and the records use it;
	// every deletion from their maps calls forget. Values are pointers, so
	// a value changed in place stays current.
	memoFor string
	memoVal V
	// The padding keeps neighbouring shards' mutexes off the same cache
	// line, where parallel callers would slow each other down.
	_ [64]byte
}

// lock returns the shard that holds key, locked, with its map allocated,
// having counted the call for the shard's sweeps (sweeper.go). now is the
// caller's time, or the zero time for a call that passes none; h is the
// store's hint, or nil for a concern whose entries never expire. The caller
// must unlock the shard.
func (s *shards[V]) lock(h *hint, key string, now time.Time) *shard[V] {
	return s.parts[maphash.String(seed, key)%shardCount].lock(h, now)
}

// lockTag is lock for the keys that tagShard places.
func (s *shards[V]) lockTag(h *hint, key string, now time.Time) *shard[V] {
	return s.parts[tagShard(key)].lock(h, now)
}

// lock locks sh, allocates its map if needed and counts the call (see
// shards.lock), unless h is nil: entries that never expire never sweep.
func (sh *shard[V]) lock(h *hint, now time.Time) *shard[V] {
	sh.mu.Lock()
	if sh.m == nil {
		sh.m = make(map[string]V)
	}
	if h != nil {
		sh.tick(h, now)
	}
	return sh
}

// tagSeed is mixed into the shard of the keys that tagShard places.
var tagSeed = maphash.String(seed, "tag")

// tagShard returns the index of the shard of key, for a concern whose keys
// end in the text of a keyed hash, which nobody can choose and whose bytes
// are uniform already: limiter counters (scope ":" base64 of a keyed
// SHA-256), records (by owner tag, a base64 keyed hash) and documents
// (every document ID of the library is a keyed hash's text). It mixes only
// the last 8 bytes and the length, which costs a few multiplications where
// hashing the whole key costs more than the map lookup that follows. Any
// other key is placed correctly too (the shard is a function of the key),
// only spread less evenly when keys share their last 8 bytes.
func tagShard(key string) uint64 {
	var v uint64
	if n := len(key); n >= 8 {
		// One 8-byte load: the compiler combines the byte reads.
		b := key[n-8 : n]
		v = uint64(b[0]) | uint64(b[1])<<8 | uint64(b[2])<<16 | uint64(b[3])<<24 |
			uint64(b[4])<<32 | uint64(b[5])<<40 | uint64(b[6])<<48 | uint64(b[7])<<56
	} else {
		for i := range n {
			v = v<<8 | uint64(key[i])
		}
	}
	v = (v ^ tagSeed) * 0x9e3779b97f4a7c15
	v = (v ^ uint64(len(key)) ^ v>>29) * 0xbf58476d1ce4e5b9
	return v >> (64 - shardBits)
}

// find returns the value at key and whether there is one, from the memo
// when key is the memo's string (the same bytes at the same address: the
// same key), from the map otherwise, remembering it. The caller holds the
// lock.
func (sh *shard[V]) find(key string) (V, bool) {
	if n := len(key); n != 0 && n == len(sh.memoFor) && unsafe.StringData(key) == unsafe.StringData(sh.memoFor) {
		return sh.memoVal, true
	}
	v, ok := sh.m[key]
	if ok {
		sh.memoFor, sh.memoVal = key, v
	}
	return v, ok
}

// remember stores v at key in the map and in the memo. The caller holds
// the lock.
func (sh *shard[V]) remember(key string, v V) {
	sh.m[key] = v
	sh.memoFor, sh.memoVal = key, v
}

// forget clears the memo; every deletion from a map whose shard uses find
// calls it first. The caller holds the lock.
func (sh *shard[V]) forget() {
	var zero V
	sh.memoFor, sh.memoVal = "", zero
}

// sweep deletes every entry that has expired at now, one shard at a time,
// and returns how many it deleted.
func (s *shards[V]) sweep(now time.Time) int {
	n := 0
	for i := range s.parts {
		sh := &s.parts[i]
		sh.mu.Lock()
		sh.forget()
		n += reclaim(sh.m, now)
		sh.mu.Unlock()
	}
	return n
}

// len returns the number of entries, expired or not. Tests use it to check
// that expired entries do not linger.
func (s *shards[V]) len() int {
	n := 0
	for i := range s.parts {
		sh := &s.parts[i]
		sh.mu.Lock()
		n += len(sh.m)
		sh.mu.Unlock()
	}
	return n
}
