package protection

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"runtime"
	"strings"
	"sync/atomic"
	"time"
	"unsafe"
)

// This file holds the cache that lets ValidateSession, which runs on every
// request, skip hashing and decoding for a session seen a moment ago.
//
// A session's record ID is "s/" + base64url(SHA-256(random part of its
// token)), so that the store never holds anything that works as a token.
// Hashing and decoding cost more than the rest of the check together, so
// recently validated tokens are remembered by a tag of the text of the
// token's random part (tokenLen characters, seen as three 16-byte blocks
// b0, b1, b2, the last zero-padded: the length is fixed, so the padding is
// unambiguous):
//
//	tag = E3(E1(b0) ^ E2(b1) ^ b2)
//
// where E1, E2, E3 are AES-128 under three keys drawn at random for this
// process. E1(b0) and E2(b1) do not depend on each other, so the processor
// computes them at once: two AES latencies instead of the three of a
// CBC-MAC. Security argument:
//
//   - A MAC. With E1 and E2 random permutations, two different texts give
//     the same inner value with probability at most 1/(2^128-1): if their
//     b0 differ, E1(b0)^E1(b0') is uniform over the non-zero blocks and
//     independent of the rest (the same for b1); if b0 and b1 are equal, b2
//     differs and so does the inner value. An almost-universal hash followed
//     by a pseudo-random permutation under an independent key (E3) is a
//     pseudo-random function: no one without the keys, which never leave
//     the process, can find a text with a given tag but by chance (2^-128 a
//     try), nor learn anything from a tag.
//   - The cache holds no token. A tag is 128 bits computed from a 256-bit
//     secret; with the keys it does not give the token back (about 2^128
//     texts share each tag).
//   - A hit requires the whole 128-bit tag to match (and the owner tag the
//     token was found under), so a forged or altered token gets no record ID
//     but its own, and a text that hits is one that was checked as canonical
//     when its entry was made.
//   - The cache only saves computing the record ID (and decoding the
//     payload, see below): the store is read on every call, so a session
//     ended anywhere is refused at once, and last-seen time and expiry come
//     from the record each time.
//   - The decoded payload is reused only for the very payload it was decoded
//     from: the entry keeps a reference to the slice the store returned (so
//     its memory cannot be freed and reused for other bytes while the entry
//     lives) and is used only when the store returns a slice with the same
//     address and length. Stores never modify a returned slice (see package
//     state; the memory store replaces a record's payload on a put), so the
//     same slice holds the same bytes. Stores that return fresh bytes on
//     every read simply miss, at the cost of one comparison.
//
// The cache is a fixed number of slots, each holding the entry of the last
// token tagged into it: its size never grows.

// tagSize is the size of a token's tag.
const tagSize = aes.BlockSize

// tokenTag is the tag of a token's random part.
type tokenTag [tagSize]byte

// tagCiphers are E1, E2 and E3 of the tags, under per-process keys.
var tagCiphers = func() (c [3]cipher.Block) {
	for i := range c {
		var key [16]byte
		if _, err := rand.Read(key[:]); err != nil {
			panic("protection: no randomness for the session cache key: " + err.Error())
		}
		b, err := aes.NewCipher(key[:])
		if err != nil {
			panic(err)
		}
		c[i] = b
	}
	return c
}()

// tagScratch holds the buffers tagOf encrypts in. The ciphers are called
// through an interface, so buffers on the stack would move to the heap on
// every call; these are allocated once (unlike a sync.Pool's, which a
// collection empties). A call takes a free one (busy 0 -> 1) and gives it
// back. Between uses a buffer holds only the tag it computed last and
// zeros (never a character of a token, nor E1(b0) or E2(b1): see tagOf).
var tagScratch [64]struct {
	busy atomic.Uint32
	a, b [aes.BlockSize]byte
	_    [64 - 4 - 2*aes.BlockSize]byte // one cache line each
}

// tagOf returns the tag of t, which must be tokenLen bytes long.
func tagOf(t string) tokenTag {
	_ = t[tokenLen-1]
	i := uint(t[0]) + uint(t[1])<<6 // spread concurrent calls over the buffers
	for n := 1; !tagScratch[i%uint(len(tagScratch))].busy.CompareAndSwap(0, 1); n++ {
		i++
		if n%len(tagScratch) == 0 {
			runtime.Gosched() // every buffer taken: let their holders run
		}
	}
	buf := &tagScratch[i%uint(len(tagScratch))]
	a, b := &buf.a, &buf.b
	le := binary.LittleEndian
	le.PutUint64(a[:8], load64(t, 0))
	le.PutUint64(a[8:], load64(t, 8))
	le.PutUint64(b[:8], load64(t, 16))
	le.PutUint64(b[8:], load64(t, 24))
	tagCiphers[0].Encrypt(a[:], a[:])
	tagCiphers[1].Encrypt(b[:], b[:])
	le.PutUint64(a[:8], le.Uint64(a[:8])^le.Uint64(b[:8])^load64(t, 32))
	le.PutUint64(a[8:], le.Uint64(a[8:])^le.Uint64(b[8:])^(uint64(t[40])|uint64(t[41])<<8|uint64(t[42])<<16))
	*b = [aes.BlockSize]byte{}
	tagCiphers[2].Encrypt(a[:], a[:])
	tag := tokenTag(*a)
	buf.busy.Store(0)
	return tag
}

// load64 returns the 8 bytes of s at i, little-endian (one load).
func load64(s string, i int) uint64 {
	b := s[i : i+8]
	return uint64(b[0]) | uint64(b[1])<<8 | uint64(b[2])<<16 | uint64(b[3])<<24 |
		uint64(b[4])<<32 | uint64(b[5])<<40 | uint64(b[6])<<48 | uint64(b[7])<<56
}

// The tag's blocks are written out for tokenLen characters: two whole
// blocks and 11 characters.
var _ = [1]struct{}{}[tokenLen-43]

// sessionEntry is one remembered session token: its tag, its record ID,
// and the payload last decoded for it with the fields decoded from it.
type sessionEntry struct {
	tag   tokenTag
	owner string // the owner tag of the token, under which it was found
	rid   string
	data  []byte  // the payload s was decoded from
	s     Session // without ExpiresAt and LastSeenAt, which come from the record
}

// sessionCache remembers recently validated session tokens (see the top
// of this file).
var sessionCache [1 << sessionCacheBits]atomic.Pointer[sessionEntry]

// sessionCacheBits is the number of a tag's bits that pick its slot.
const sessionCacheBits = 10

// sessionSlot returns the slot of sessionCache for tag.
func sessionSlot(tag *tokenTag) *atomic.Pointer[sessionEntry] {
	return &sessionCache[binary.LittleEndian.Uint64(tag[:8])>>(64-sessionCacheBits)]
}

// cachedSession returns the remembered entry of the token whose random part
// has tag, or nil.
func cachedSession(tag *tokenTag) *sessionEntry {
	if e := sessionSlot(tag).Load(); e != nil && e.tag == *tag {
		return e
	}
	return nil
}

// samePayload reports whether a and b are the same slice (address and
// length), not merely equal bytes.
func samePayload(a, b []byte) bool {
	return unsafe.SliceData(a) == unsafe.SliceData(b) && len(a) == len(b)
}

// rememberSession stores the entry of the token with tag, owner tag owner
// and record ID rid,
// with the session s decoded from data (the slice the store returned).
func rememberSession(tag *tokenTag, owner, rid string, data []byte, s *Session) {
	// The owner tag is copied: a substring of the token would keep the
	// whole token's memory alive as long as the entry.
	e := &sessionEntry{tag: *tag, owner: strings.Clone(owner), rid: rid, data: data, s: *s}
	e.s.ExpiresAt, e.s.LastSeenAt = time.Time{}, time.Time{}
	sessionSlot(tag).Store(e)
}

// sessionRID returns "s/" + base64url(sum).
func sessionRID(sum *[sha256.Size]byte) string {
	var id [len(sessionIDPrefix) + hashLen]byte
	copy(id[:], sessionIDPrefix)
	encodeSum(id[len(sessionIDPrefix):], sum)
	return string(id[:])
}
