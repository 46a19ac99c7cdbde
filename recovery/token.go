package recovery

import (
	"encoding/base64"
	"io"

	"github.com/accountsec/accountsec/reason"
)

// TokenBytes is the number of random bytes of a reset token: 256 bits.
const TokenBytes = 32

// TokenLength is the length of a reset token's text: the 16-character owner
// tag of the account (unpadded base64url of 12 bytes), ".", and the random
// part (unpadded base64url of TokenBytes bytes, 43 characters).
const TokenLength = ownerLen + 1 + randomLength

// randomLength is the length of the random part of a token.
const randomLength = 43

// BindingPrefix starts every reset's verification binding.
const BindingPrefix = "reset:"

// ParseToken reports whether s has the form of a reset token: exactly
// TokenLength characters, 16 of unpadded base64url (A–Z, a–z, 0–9, '-',
// '_'), a '.', and the canonical unpadded base64url of TokenBytes bytes.
// White space, padding, the standard alphabet and non-canonical last
// characters are refused, not repaired, so each token has one text.
func ParseToken(s string) bool {
	if len(s) != TokenLength || s[ownerLen] != '.' {
		return false
	}
	for i := 0; i < ownerLen; i++ {
		if !isBase64URL(s[i]) {
			return false
		}
	}
	var b [TokenBytes]byte
	n, err := base64.RawURLEncoding.Strict().Decode(b[:], []byte(s[ownerLen+1:]))
	return err == nil && n == TokenBytes
}

func isBase64URL(c byte) bool {
	return c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_'
}

// newToken draws a token for owner and returns its text.
func (r *Resets) newToken(owner string) (string, error) {
	var b [TokenBytes]byte
	r.randMu.Lock()
	_, err := io.ReadFull(r.rand, b[:])
	r.randMu.Unlock()
	if err != nil {
		return "", reason.Store(err)
	}
	return owner + "." + base64.RawURLEncoding.EncodeToString(b[:]), nil
}

// tokenOwner is the owner tag a token (already parsed) carries.
func tokenOwner(token string) string { return token[:ownerLen] }

// tokenID is the store key of a token: its keyed hash.
func (r *Resets) tokenID(token string) string { return r.keys.Key("reset-token", token) }

// binding is the verification binding of a token: another keyed hash of it,
// so that neither the binding nor the store key reveals the token or the
// other.
func (r *Resets) binding(token string) string {
	return BindingPrefix + base64.RawURLEncoding.EncodeToString(r.keys.Sum("reset-binding", token))
}
