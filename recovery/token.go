package recovery

import (
	"encoding/base64"
	"io"

	"github.com/accountsec/accountsec/reason"
)

// TokenBytes is the number of random bytes of a reset token: 256 bits.
const TokenBytes = 32

// TokenLength is the length of a reset token's text: unpadded base64url of
// TokenBytes bytes.
const TokenLength = 43

// BindingPrefix starts every reset's verification binding.
const BindingPrefix = "reset:"

// ParseToken reports whether s has the form of a reset token: exactly
// TokenLength characters of canonical unpadded base64url (A–Z, a–z, 0–9,
// '-', '_'). White space, padding, the standard alphabet and non-canonical
// last characters are refused, not repaired, so each token has one text.
func ParseToken(s string) bool {
	if len(s) != TokenLength {
		return false
	}
	var b [TokenBytes]byte
	n, err := base64.RawURLEncoding.Strict().Decode(b[:], []byte(s))
	return err == nil && n == TokenBytes
}

// newToken draws a token and returns its text.
func (r *Resets) newToken() (string, error) {
	var b [TokenBytes]byte
	r.randMu.Lock()
	_, err := io.ReadFull(r.rand, b[:])
	r.randMu.Unlock()
	if err != nil {
		return "", reason.Store(err)
	}
	return base64.RawURLEncoding.EncodeToString(b[:]), nil
}

// tokenID is the store key of a token: its keyed hash.
func (r *Resets) tokenID(token string) string { return r.keys.Key("reset-token", token) }

// binding is the verification binding of a token: another keyed hash of it,
// so that neither the binding nor the store key reveals the token or the
// other.
func (r *Resets) binding(token string) string {
	return BindingPrefix + base64.RawURLEncoding.EncodeToString(r.keys.Sum("reset-binding", token))
}
