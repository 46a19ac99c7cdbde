package protection

import (
	"crypto/sha256"
	"encoding/base64"
	"io"

	"github.com/accountsec/accountsec/reason"
)

// TokenBytes is the size of every token protection issues (sessions,
// pending logins, trusted devices, challenges): 256 random bits.
const TokenBytes = 32

// tokenLen is the length of a token's text: unpadded base64url of
// TokenBytes bytes.
var tokenLen = base64.RawURLEncoding.EncodedLen(TokenBytes)

// newToken draws a token and returns its text and its ID (the hash that is
// stored).
func (m *Manager) newToken() (token, id string, err error) {
	var b [TokenBytes]byte
	m.randMu.Lock()
	_, err = io.ReadFull(m.rand, b[:])
	m.randMu.Unlock()
	if err != nil {
		return "", "", reason.Store(err)
	}
	return base64.RawURLEncoding.EncodeToString(b[:]), hashID(b[:]), nil
}

// tokenID parses a token's text and returns its ID, or false when the text
// is not a token protection could have issued (nothing is looked up then).
func tokenID(token string) (string, bool) {
	if len(token) != tokenLen {
		return "", false
	}
	var b [TokenBytes]byte
	n, err := base64.RawURLEncoding.Strict().Decode(b[:], []byte(token))
	if err != nil || n != TokenBytes {
		return "", false
	}
	return hashID(b[:]), true
}

// hashID is base64url(SHA-256(b)). A plain hash is enough: the input is 256
// random bits, so there is nothing to guess.
func hashID(b []byte) string {
	sum := sha256.Sum256(b)
	return base64.RawURLEncoding.EncodeToString(sum[:])
}
