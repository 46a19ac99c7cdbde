package protection

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
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
// recently validated tokens are remembered by a tag: the AES-128 CBC-MAC,
// under a key drawn at random for this process, of the text of the token's
// random part (tokenLen characters: a fixed length, for which CBC-MAC is a
// secure pseudo-random function). Security argument:
//
//   - The cache holds no token. A tag is 128 bits of a PRF of a 256-bit
//     secret; with the key it does not give the token back (there are about
//     2^128 texts for each tag), and without the key it says nothing.
//   - A hit requires the whole 128-bit tag to match. A text that is not the
//     remembered one has the same tag with probability 2^-128 (the key is
//     secret and never leaves the process), so a forged or altered token
//     gets no record ID but its own, and a text that hits is one that was
//     checked as canonical when its entry was made.
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

// tagCipher is the per-process key of the tags.
var tagCipher = func() cipher.Block {
	var key [16]byte
	if _, err := rand.Read(key[:]); err != nil {
		panic("protection: no randomness for the session cache key: " + err.Error())
	}
	b, err := aes.NewCipher(key[:])
	if err != nil {
		panic(err)
	}
	return b
}()

// tagBlocks is the number of AES blocks of a tagged text: tokenLen
// characters, zero-padded (the length is fixed, so the padding is
// unambiguous).
const tagBlocks = (tokenLen + aes.BlockSize - 1) / aes.BlockSize

// tagScratch holds the 16-byte buffers tagOf encrypts in. The cipher is
// called through an interface, so a buffer on the stack would move to the
// heap on every call; these are allocated once (unlike a sync.Pool's, which
// a collection empties). A call takes a free one (busy 0 -> 1) and gives it
// back. Between uses a buffer holds only the tag it computed last (never a
// character of a token: see tagOf).
var tagScratch [64]struct {
	busy atomic.Uint32
	c    [aes.BlockSize]byte
	_    [64 - 4 - aes.BlockSize]byte // one cache line each
}

// tagOf returns the CBC-MAC of t, which must be tokenLen bytes long, over
// tagBlocks blocks (t zero-padded). Each block of t is XORed into the
// chaining value in place and encrypted in place, so that the buffer, once
// done, holds only the tag.
func tagOf(t string) tokenTag {
	_ = t[tokenLen-1]
	i := uint(t[0]) + uint(t[1])<<6 // spread concurrent calls over the buffers
	for !tagScratch[i%uint(len(tagScratch))].busy.CompareAndSwap(0, 1) {
		i++
	}
	buf := &tagScratch[i%uint(len(tagScratch))]
	c := &buf.c
	le := binary.LittleEndian
	le.PutUint64(c[:8], load64(t, 0))
	le.PutUint64(c[8:], load64(t, 8))
	tagCipher.Encrypt(c[:], c[:])
	le.PutUint64(c[:8], le.Uint64(c[:8])^load64(t, 16))
	le.PutUint64(c[8:], le.Uint64(c[8:])^load64(t, 24))
	tagCipher.Encrypt(c[:], c[:])
	le.PutUint64(c[:8], le.Uint64(c[:8])^load64(t, 32))
	le.PutUint64(c[8:], le.Uint64(c[8:])^(uint64(t[40])|uint64(t[41])<<8|uint64(t[42])<<16))
	tagCipher.Encrypt(c[:], c[:])
	tag := tokenTag(*c)
	buf.busy.Store(0)
	return tag
}

// load64 returns the 8 bytes of s at i, little-endian (one load).
func load64(s string, i int) uint64 {
	b := s[i : i+8]
	return uint64(b[0]) | uint64(b[1])<<8 | uint64(b[2])<<16 | uint64(b[3])<<24 |
		uint64(b[4])<<32 | uint64(b[5])<<40 | uint64(b[6])<<48 | uint64(b[7])<<56
}

// The tag's blocks are written out for tokenLen characters.
var _ = [1]struct{}{}[tokenLen-43]
var _ = [1]struct{}{}[tagBlocks-3]

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
	e := &sessionEntry{tag: *tag, owner: owner, rid: rid, data: data, s: *s}
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
