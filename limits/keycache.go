package limits

import (
	"hash/maphash"
	"sync/atomic"
)

// keySeed spreads subjects over a key cache's slots. It is random per
// process, so that nobody can tell which subjects share a slot.
var keySeed = maphash.String(maphash.MakeSeed(), "limits.keyCache")

// keySlots is the number of subjects a limiter remembers the store keys of.
const keySlots = 1 << keySlotBits

// keySlotBits is the number of bits of a subject's hash that pick its slot.
const keySlotBits = 10

// keyEntry is one remembered store key: the key of subject (as the caller
// passed it, before normalisation) in scope.
type keyEntry struct {
	scope, subject, key string
}

// keyCache remembers the store keys of recently seen subjects, so that the
// attempt of a subject seen a moment ago (the refund after a right answer,
// the next request of a signed-in user) does not compute a keyed hash
// again. It is a fixed number of slots, each holding the last subject
// hashed into it: its size never grows, and a subject that lost its slot
// is simply hashed again.
type keyCache struct {
	slots [keySlots]atomic.Pointer[keyEntry]
}

// slot hashes the subject only: scopes are a few constants, told apart by
// their length and first byte, so two scopes share a subject's slot only
// if both match (the entry holds the scope, so sharing costs a hash again,
// never a wrong key).
func (c *keyCache) slot(scope, subject string) *atomic.Pointer[keyEntry] {
	h := subjectHash(subject)
	if scope != "" {
		h += (uint64(len(scope))<<8 | uint64(scope[0])) * 0x9e3779b97f4a7c15
	}
	return &c.slots[h>>(64-keySlotBits)]
}

// subjectHash spreads s over the slots: every byte counts, eight at a time
// (the last eight overlapping the ones before), each word folded in with a
// multiplication. It is written out rather than maphash.String because the
// subjects are short (an address, an IP) and the call costs more than the
// hashing. Its quality only decides how often two live subjects evict each
// other; the slot's entry is always compared in full.
func subjectHash(s string) uint64 {
	n := len(s)
	h := (keySeed ^ uint64(n)) * 0x9e3779b97f4a7c15
	if n < 8 {
		var v uint64
		for i := range n {
			v = v<<8 | uint64(s[i])
		}
		return mix(h ^ v)
	}
	for i := 0; i < n-8; i += 8 {
		h = mix(h ^ load64(s[i:i+8]))
	}
	return mix(h ^ load64(s[n-8:]))
}

// load64 reads the first 8 bytes of b (it has at least 8) in one load.
func load64(b string) uint64 {
	_ = b[7]
	return uint64(b[0]) | uint64(b[1])<<8 | uint64(b[2])<<16 | uint64(b[3])<<24 |
		uint64(b[4])<<32 | uint64(b[5])<<40 | uint64(b[6])<<48 | uint64(b[7])<<56
}

// mix multiplies h and folds its high bits down, so that every input bit
// reaches the top bits that pick the slot.
func mix(h uint64) uint64 {
	h *= 0xbf58476d1ce4e5b9
	return h ^ h>>31
}

// get returns the remembered key of subject in scope.
func (c *keyCache) get(scope, subject string) (string, bool) {
	if e := c.slot(scope, subject).Load(); e != nil && e.subject == subject && e.scope == scope {
		return e.key, true
	}
	return "", false
}

// put remembers key as the key of subject in scope.
func (c *keyCache) put(scope, subject, key string) {
	c.slot(scope, subject).Store(&keyEntry{scope: scope, subject: subject, key: key})
}
