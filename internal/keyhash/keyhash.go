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
	pool sync.Pool
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
	h.pool.New = func() any { return hmac.New(sha256.New, key) }
	return h, nil
}

// Sum returns HMAC(secret, part0 NUL part1 NUL ...). Parts are joined with a
// NUL byte, which identifiers never contain, so ("a","bc") and ("ab","c")
// differ.
func (h *Hasher) Sum(parts ...string) []byte {
	m := h.pool.Get().(hash.Hash)
	m.Reset()
	for i, p := range parts {
		if i > 0 {
			m.Write([]byte{0})
		}
		m.Write([]byte(p))
	}
	out := m.Sum(nil)
	h.pool.Put(m)
	return out
}

// Key returns scope + ":" + base64url(Sum(scope, parts...)): a store key that
// names its scope (useful when looking at a store) but not its subject.
func (h *Hasher) Key(scope string, parts ...string) string {
	all := make([]string, 0, len(parts)+1)
	all = append(all, scope)
	all = append(all, parts...)
	return scope + ":" + base64.RawURLEncoding.EncodeToString(h.Sum(all...))
}

// Normalize is the normalisation applied to limiter subjects: surrounding
// white space removed and letters lower-cased (Unicode simple folding by
// strings.ToLower), so "Alice@Example.com " and "alice@example.com" count as
// one subject.
func Normalize(s string) string { return strings.ToLower(strings.TrimSpace(s)) }
