package mfa

import (
	"bytes"
	"crypto/cipher"
	"encoding"
	"encoding/binary"
	"errors"
	"fmt"
	"hash"
	"hash/maphash"
	"log/slog"
	"sync"
	"sync/atomic"

	"github.com/accountsec/accountsec/internal/keyhash"
)

// The per-verification costs that do not depend on the code: the AES-GCM
// key schedule, the HMAC key set-up and the keyed tag of the account are
// reused from one verification to the next. The AEAD holds the keyring's
// key, which the keyring holds anyway. The HMAC key set-up of a recently
// verified secret stays in memory, in a fixed number of slots that never
// print (hmaccache.go). It is as good as the secret for computing codes, so
// an opened secret now stays in process memory, in that form, between
// verifications of its device, until the device is unbound or another
// secret takes its slot. The pooled HMACs and the plaintext buffer are
// wiped after every call.

// aeadCache keeps one opened AEAD per key ID. Every open still asks the
// keyring for the key, and uses the cached AEAD only when the key is the
// one it was made from, so a key removed from or replaced in the ring stops
// opening secrets exactly as without the cache.
type aeadCache struct {
	m sync.Map // key ID → *aeadEntry
}

type aeadEntry struct {
	key  []byte
	aead cipher.AEAD
}

// forKey returns the AEAD of key, which the keyring returned for id.
func (c *aeadCache) forKey(id string, key []byte) (cipher.AEAD, error) {
	if e, ok := c.m.Load(id); ok && bytes.Equal(e.(*aeadEntry).key, key) {
		return e.(*aeadEntry).aead, nil
	}
	aead, err := newAEAD(key)
	if err != nil {
		return nil, ErrKeyUnavailable.Wrap(err)
	}
	c.m.Store(id, &aeadEntry{key: append([]byte(nil), key...), aead: aead})
	return aead, nil
}

// maxSecretBytes is the room of a pooled plaintext buffer; longer secrets
// are opened into a fresh slice.
const maxSecretBytes = 128

// secretBuf is a pooled buffer that a secret is opened into.
type secretBuf struct{ b [maxSecretBytes]byte }

var secretBufs = sync.Pool{New: func() any { return new(secretBuf) }}

// openWith is open with the key the keyring returned for s.KeyID and the
// cached AEAD, decrypting into buf when the secret fits. The caller clears
// the returned secret.
func (c *aeadCache) openWith(key []byte, s Sealed, ad []byte, buf *secretBuf) ([]byte, error) {
	aead, err := c.forKey(s.KeyID, key)
	if err != nil {
		return nil, err
	}
	if len(s.Ciphertext) < nonceSize+aead.Overhead() {
		return nil, ErrKeyUnavailable.Wrap(errors.New("mfa: sealed secret too short"))
	}
	var dst []byte
	if len(s.Ciphertext)-nonceSize-aead.Overhead() <= maxSecretBytes {
		dst = buf.b[:0]
	}
	plain, err := aead.Open(dst, s.Ciphertext[:nonceSize], s.Ciphertext[nonceSize:], ad)
	if err != nil {
		return nil, ErrKeyUnavailable.Wrap(errors.New("mfa: sealed secret does not open with its key"))
	}
	return plain, nil
}

// fastHMAC is HMAC (RFC 2104) over a pooled pair of digests: the states
// after the inner and the outer pad are saved once per key and restored for
// every message, which is what crypto/hmac does, without allocating a new
// HMAC for every verification.
type fastHMAC struct {
	inner, outer         hash.Hash
	innerSaved, outSaved []byte
	// in and out are the states every message starts from: innerSaved and
	// outSaved after setKey, or a cached key's states (read only) after
	// useStates.
	in, out []byte
	pad     []byte
	tmp     []byte
	// direct: the digest (SHA-1, SHA-256) pads its 64-byte blocks with an
	// 8-byte length and saves its state as the 4-byte magic, then the
	// digest words: see sumShort.
	direct bool
	// The digests' state methods, asserted once.
	innerLoad, outerLoad encoding.BinaryUnmarshaler
	innerSave, outerSave encoding.BinaryAppender
	size                 int // the digest's size
	// blk and oblk are the inner and outer digests' blocks; blkLen and
	// oblkLen say what they are padded for (see padBlock).
	blk, oblk       [64]byte
	blkLen, oblkLen int
	state           []byte
}

func newFastHMAC(h func() hash.Hash) *fastHMAC {
	in, out := h(), h()
	return &fastHMAC{
		inner: in, outer: out,
		innerSaved: make([]byte, 0, 256), outSaved: make([]byte, 0, 256),
		pad: make([]byte, in.BlockSize()), tmp: make([]byte, 0, in.Size()),
		direct: in.BlockSize() == 64 && in.Size() <= 32, size: in.Size(),
		innerLoad: in.(encoding.BinaryUnmarshaler), outerLoad: out.(encoding.BinaryUnmarshaler),
		innerSave: in.(encoding.BinaryAppender), outerSave: out.(encoding.BinaryAppender),
		state: make([]byte, 0, 256),
	}
}

// sumShort appends to dst the MAC of msg (at most 32 bytes) when f.direct.
// Each of the two digests then compresses one block it pads itself, and the
// result is read from its saved state, which skips the generic Write and
// Sum of crypto/hmac.
func (f *fastHMAC) sumShort(dst, msg []byte) []byte {
	return append(dst, f.macShort(msg)...)
}

// macShort is sumShort returning the MAC in f's own memory, valid until
// f's next use.
func (f *fastHMAC) macShort(msg []byte) []byte {
	// load and save written out: they do not inline. The standard digests
	// never fail.
	var err error
	f.padBlock(&f.blk, &f.blkLen, msg)
	if err = f.innerLoad.UnmarshalBinary(f.in); err != nil {
		stateFailed(err)
	}
	f.inner.Write(f.blk[:])
	if f.state, err = f.innerSave.AppendBinary(f.state[:0]); err != nil {
		stateFailed(err)
	}
	f.padBlock(&f.oblk, &f.oblkLen, f.state[4:4+f.size])
	if err = f.outerLoad.UnmarshalBinary(f.out); err != nil {
		stateFailed(err)
	}
	f.outer.Write(f.oblk[:])
	if f.state, err = f.outerSave.AppendBinary(f.state[:0]); err != nil {
		stateFailed(err)
	}
	return f.state[4 : 4+f.size]
}

// padBlock fills blk with msg padded as the last block of a message of one
// key block (64 bytes) and msg. *padded is 1 + the length blk is padded
// for (0: not padded): the padding of the same length is not written again.
func (f *fastHMAC) padBlock(blk *[64]byte, padded *int, msg []byte) {
	n := copy(blk[:56], msg)
	if *padded == n+1 {
		return
	}
	blk[n] = 0x80
	clear(blk[n+1 : 56])
	binary.BigEndian.PutUint64(blk[56:], uint64(64+n)*8)
	*padded = n + 1
}

// setKey keys the HMAC.
func (f *fastHMAC) setKey(key []byte) {
	bs := len(f.pad)
	clear(f.pad)
	if len(key) > bs {
		f.inner.Reset()
		f.inner.Write(key)
		f.tmp = f.inner.Sum(f.tmp[:0])
		copy(f.pad, f.tmp)
		clear(f.tmp)
		// The digest's buffer still holds the key's last partial block (a
		// Reset forgets only its length): overwrite it with zeros. Keys
		// this long are rare, so the zeros are allocated here.
		f.inner.Reset()
		f.inner.Write(make([]byte, bs-1))
	} else {
		copy(f.pad, key)
	}
	for i := range f.pad {
		f.pad[i] ^= 0x36
	}
	f.inner.Reset()
	f.inner.Write(f.pad)
	f.innerSaved = appendState(f.innerSaved[:0], f.inner)
	for i := range f.pad {
		f.pad[i] ^= 0x36 ^ 0x5c
	}
	f.outer.Reset()
	f.outer.Write(f.pad)
	f.outSaved = appendState(f.outSaved[:0], f.outer)
	clear(f.pad)
	f.in, f.out = f.innerSaved, f.outSaved
}

// useStates keys the HMAC with the saved inner and outer states of a key
// (as setKey leaves them in innerSaved and outSaved). It only reads them:
// they may be shared with other verifications.
func (f *fastHMAC) useStates(inner, outer []byte) { f.in, f.out = inner, outer }

func appendState(b []byte, h hash.Hash) []byte { return save(h.(encoding.BinaryAppender), b) }

func save(h encoding.BinaryAppender, b []byte) []byte {
	b, err := h.AppendBinary(b)
	if err != nil {
		stateFailed(err) // the standard digests never fail
	}
	return b
}

func restore(h hash.Hash, state []byte) { load(h.(encoding.BinaryUnmarshaler), state) }

func load(h encoding.BinaryUnmarshaler, state []byte) {
	if err := h.UnmarshalBinary(state); err != nil {
		stateFailed(err)
	}
}

// stateFailed panics: a standard digest refused to save or restore its
// state. It is apart so that save and load stay small enough to inline.
//
//go:noinline
func stateFailed(err error) { panic("mfa: hash state: " + err.Error()) }

// wipe forgets the key.
// Only what was written is cleared: the saved states and the state
// buffer are only ever appended to from empty, and are left empty.
func (f *fastHMAC) wipe() {
	clear(f.innerSaved)
	clear(f.outSaved)
	clear(f.state)
	f.innerSaved, f.outSaved, f.state = f.innerSaved[:0], f.outSaved[:0], f.state[:0]
	clear(f.tmp[:cap(f.tmp)])
	// The blocks keep their padding (a function of the message length
	// only), so that the next use does not write it again; what was copied
	// into them (the counter, the inner hash) is cleared.
	clear(f.blk[:max(f.blkLen-1, 0)])
	clear(f.oblk[:max(f.oblkLen-1, 0)])
	f.in, f.out = nil, nil
	f.inner.Reset()
	f.outer.Reset()
}

// String describes the HMAC without its key states or buffers.
func (f fastHMAC) String() string { return "mfa.fastHMAC{redacted}" }

// GoString is String.
func (f fastHMAC) GoString() string { return f.String() }

// Format prints String for every verb.
func (f fastHMAC) Format(s fmt.State, _ rune) { _, _ = s.Write([]byte(f.String())) }

// LogValue keeps the key states out of structured logs.
func (f fastHMAC) LogValue() slog.Value { return slog.StringValue(f.String()) }

// Reset starts a message.
func (f *fastHMAC) Reset() { restore(f.inner, f.in) }

// Write adds to the message.
func (f *fastHMAC) Write(p []byte) (int, error) { return f.inner.Write(p) }

// Sum appends the MAC of the message to b.
func (f *fastHMAC) Sum(b []byte) []byte {
	f.tmp = f.inner.Sum(f.tmp[:0])
	restore(f.outer, f.out)
	f.outer.Write(f.tmp)
	return f.outer.Sum(b)
}

// Size is the MAC size.
func (f *fastHMAC) Size() int { return f.outer.Size() }

// BlockSize is the hash's block size.
func (f *fastHMAC) BlockSize() int { return len(f.pad) }

// The pools of ready otp values, one per algorithm.
var (
	sha1OTPs   = newOTPPool(SHA1)
	sha256OTPs = newOTPPool(SHA256)
	sha512OTPs = newOTPPool(SHA512)
)

// otpPool returns alg's pool (SHA-1's for a value validation never lets
// through).
func otpPool(alg Algorithm) *sync.Pool {
	switch alg {
	case SHA256:
		return sha256OTPs
	case SHA512:
		return sha512OTPs
	}
	return sha1OTPs
}

func newOTPPool(alg Algorithm) *sync.Pool {
	return &sync.Pool{New: func() any { return &otp{mac: newFastHMAC(alg.newHash())} }}
}

// getOTP is newOTP from a pool, not keyed yet (key its mac with setKey or
// useStates); give it back with putOTP.
func getOTP(alg Algorithm, digits int) *otp {
	o := otpPool(alg).Get().(*otp)
	o.digits = digits
	return o
}

// putOTP wipes o's key and returns it to its pool.
func putOTP(alg Algorithm, o *otp) {
	o.mac.(*fastHMAC).wipe()
	clear(o.sum)
	otpPool(alg).Put(o)
}

// ---- account tags ----

// docIDSeed spreads account IDs over the document ID cache's slots.
var docIDSeed = maphash.MakeSeed()

// docIDEntry is one remembered account document ID.
type docIDEntry struct {
	keys    *keyhash.Hasher
	account string
	id      string
}

// docIDs remembers the document IDs of recently verified accounts (a keyed
// tag each: no secret), so that the per-verification path does not compute
// a keyed hash each time. It is a fixed number of slots, each holding the
// last account hashed into it: its size never grows.
var docIDs [1024]atomic.Pointer[docIDEntry]

// accountDocID returns the ID of the account's document.
func (m *Manager) accountDocID(accountID string) string {
	slot := &docIDs[maphash.String(docIDSeed, accountID)%uint64(len(docIDs))]
	if e := slot.Load(); e != nil && e.keys == m.keys && e.account == accountID {
		return e.id
	}
	id := accountDocPrefix + m.accountTag(accountID)
	slot.Store(&docIDEntry{keys: m.keys, account: accountID, id: id})
	return id
}
