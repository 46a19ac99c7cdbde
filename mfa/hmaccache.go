package mfa

import (
	"crypto/subtle"
	"encoding/binary"
	"fmt"
	"hash/maphash"
	"log/slog"
	"strconv"
	"sync/atomic"
)

// hmacCacheSlots is the number of TOTP keys a Manager keeps ready.
const hmacCacheSlots = 1024

// hmacCache keeps the HMAC key set-up of recently verified TOTP keys, so
// that a verification of a device seen before neither opens its sealed
// secret (AES-GCM) nor runs the HMAC key schedule. It is a fixed number of
// slots, each holding the last key opened into it: its size never grows.
//
// An entry is used only for exactly the sealed secret it was opened from:
// the same key ID, ciphertext, associated data and algorithm, and the
// keyring still returning the same key for the ID. A device that is
// replaced or re-sealed has another ciphertext, and a key removed from or
// changed in the ring stops the entry from matching, so the cache never
// accepts a code that opening the secret would not. Unbinding a device
// evicts its entry.
type hmacCache struct {
	slots [hmacCacheSlots]atomic.Pointer[hmacEntry]
}

// hmacSlotSeed spreads sealed ciphertexts over the slots of the caches.
var hmacSlotSeed = maphash.MakeSeed()

func newHMACCache() *hmacCache { return new(hmacCache) }

// String describes the cache without its contents.
func (kc *hmacCache) String() string {
	return "mfa.hmacCache{slots:" + strconv.Itoa(hmacCacheSlots) + "}"
}

// Format prints String for every verb.
func (kc *hmacCache) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte(kc.String())) }

// LogValue keeps the contents out of structured logs.
func (kc *hmacCache) LogValue() slog.Value { return slog.StringValue(kc.String()) }

// hmacEntry is one opened TOTP key. It is never changed once published.
// inner and outer are HMAC states derived from the secret: they verify
// codes as the secret does, so the entry never prints them.
type hmacEntry struct {
	keyID  string
	sealed string // the ciphertext it was opened from
	adKind Kind   // Virtual: bound to a device ID; Hardware: to a serial
	adName string
	alg    Algorithm
	key    []byte // the keyring's key that opened it (a copy)
	inner  []byte // hash state after the HMAC inner pad
	outer  []byte // hash state after the HMAC outer pad
}

// String describes the entry without its key material.
func (e hmacEntry) String() string {
	return "mfa.hmacEntry{key=" + e.keyID + " " + string(e.adKind) + ":" + e.adName + " " + string(e.alg) + "}"
}

// GoString is String.
func (e hmacEntry) GoString() string { return e.String() }

// Format prints String for every verb.
func (e hmacEntry) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte(e.String())) }

// LogValue keeps the key material out of structured logs.
func (e hmacEntry) LogValue() slog.Value { return slog.StringValue(e.String()) }

// slot returns the slot of a sealed ciphertext: from its random nonce
// (sealed ciphertexts begin with it), else a hash.
func (kc *hmacCache) slot(ciphertext []byte) *atomic.Pointer[hmacEntry] {
	if len(ciphertext) >= nonceSize {
		return &kc.slots[binary.LittleEndian.Uint64(ciphertext)%hmacCacheSlots]
	}
	return &kc.slots[maphash.Bytes(hmacSlotSeed, ciphertext)%hmacCacheSlots]
}

// lookup returns the entry of c's sealed secret opened with key, or nil.
func (kc *hmacCache) lookup(c *candidate, key []byte) *hmacEntry {
	if kc == nil {
		return nil
	}
	e := kc.slot(c.sealed.Ciphertext).Load()
	if e == nil || e.sealed != string(c.sealed.Ciphertext) || e.keyID != c.sealed.KeyID ||
		e.adKind != c.adKind || e.adName != c.adName || e.alg != c.dev.Algorithm ||
		subtle.ConstantTimeCompare(e.key, key) != 1 {
		return nil
	}
	return e
}

// store remembers the HMAC states of c's sealed secret opened with key.
func (kc *hmacCache) store(c *candidate, key []byte, mac *fastHMAC) {
	if kc == nil {
		return
	}
	kc.slot(c.sealed.Ciphertext).Store(&hmacEntry{
		keyID: c.sealed.KeyID, sealed: string(c.sealed.Ciphertext),
		adKind: c.adKind, adName: c.adName, alg: c.dev.Algorithm,
		key:   append([]byte(nil), key...),
		inner: append([]byte(nil), mac.innerSaved...),
		outer: append([]byte(nil), mac.outSaved...),
	})
}

// evict forgets the key opened from a sealed ciphertext. Verifications
// already holding the entry finish with it; the entry is not wiped under
// them, and its memory goes with the last of them.
func (kc *hmacCache) evict(s Sealed) {
	if kc == nil || len(s.Ciphertext) == 0 {
		return
	}
	slot := kc.slot(s.Ciphertext)
	if e := slot.Load(); e != nil && e.keyID == s.KeyID && e.sealed == string(s.Ciphertext) {
		slot.CompareAndSwap(e, nil)
	}
}
