// Package keyhash turns identifiers into the opaque keys that reach a store:
// HMAC-SHA-256 under a host secret, so a leaked store reveals neither phone
// numbers nor emails, and keys of different scopes never collide.
package keyhash

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"hash"
	"strconv"
	"strings"
	"sync"

	"github.com/accountsec/accountsec/reason"
)

// MinSecretLen is the shortest host secret accepted, in bytes.
const MinSecretLen = 16

// Hasher computes keyed hashes. It is safe for concurrent use.
type Hasher struct {
	pool sync.Pool // of *state
}

// state is a keyed HMAC with the buffers that feed it, reused through the
// Hasher's pool so that hashing allocates nothing.
type state struct {
	mac hash.Hash
	buf [256]byte
	sum [sha256.Size]byte
}

// write feeds s to the HMAC through buf: a string converted to a slice for
// an interface call would be copied to the heap.
func (st *state) write(s string) {
	for len(s) > 0 {
		n := copy(st.buf[:], s)
		st.mac.Write(st.buf[:n])
		s = s[n:]
	}
}

// New returns a Hasher keyed with secret, which must be at least
// MinSecretLen bytes. The secret is copied.
func New(secret []byte) (*Hasher, error) {
	if len(secret) < MinSecretLen {
		return nil, reason.New(reason.PolicyInvalid).
			With("field", "Secret").
			With("value", "a secret of "+strconv.Itoa(len(secret))+" bytes").
			With("allowed", "at least "+strconv.Itoa(MinSecretLen)+" bytes")
	}
	key := append([]byte(nil), secret...)
	h := &Hasher{}
	h.pool.New = func() any { return &state{mac: hmac.New(sha256.New, key)} }
	return h, nil
}

// Sum returns HMAC(secret, part0 NUL part1 NUL ...). Parts are joined with a
// NUL byte, which identifiers never contain, so ("a","bc") and ("ab","c")
// differ.
func (h *Hasher) Sum(parts ...string) []byte {
	var out [sha256.Size]byte
	h.sumTo(&out, "", parts)
	return out[:]
}

// sumTo sets dst to Sum(first, parts...), or to Sum(parts...) when first is
// empty.
func (h *Hasher) sumTo(dst *[sha256.Size]byte, first string, parts []string) {
	st := h.pool.Get().(*state)
	st.mac.Reset()
	sep := false
	if first != "" {
		st.write(first)
		sep = true
	}
	for _, p := range parts {
		if sep {
			st.write("\x00")
		}
		st.write(p)
		sep = true
	}
	*dst = [sha256.Size]byte(st.mac.Sum(st.sum[:0]))
	h.pool.Put(st)
}

// Key returns scope + ":" + base64url(Sum(scope, parts...)): a store key that
// names its scope (useful when looking at a store) but not its subject.
func (h *Hasher) Key(scope string, parts ...string) string {
	var sum [sha256.Size]byte
	if scope == "" {
		// Sum("", parts...) writes the empty scope and a separator.
		h.sumTo(&sum, "", append([]string{""}, parts...))
	} else {
		h.sumTo(&sum, scope, parts)
	}
	var buf [128]byte
	out := append(buf[:0], scope...)
	out = append(out, ':')
	return string(base64.RawURLEncoding.AppendEncode(out, sum[:]))
}

// Normalize is the normalisation applied to limiter subjects: surrounding
// white space removed and letters lower-cased (Unicode simple folding by
// strings.ToLower), so "Alice@Example.com " and "alice@example.com" count as
// one subject.
func Normalize(s string) string { return strings.ToLower(strings.TrimSpace(s)) }
