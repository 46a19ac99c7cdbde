package limits

import (
	"hash/maphash"
	"sync/atomic"
)

// keySeed spreads subjects over a key cache's slots.
var keySeed = maphash.MakeSeed()

// keySlots is the number of subjects a limiter remembers the store keys of.
const keySlots = 1024

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
	h := maphash.String(keySeed, subject)
	if scope != "" {
		h += (uint64(len(scope))<<8 | uint64(scope[0])) * 0x9e3779b97f4a7c15
	}
	return &c.slots[h%keySlots]
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
