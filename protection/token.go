package protection

import (
	"crypto/sha256"
	"encoding/base64"
	"io"

	"github.com/accountsec/accountsec/reason"
)

// TokenBytes is the number of random bytes of every token protection issues
// (sessions, pending logins, trusted devices, challenges): 256 random bits.
const TokenBytes = 32

// tokenLen is the length of a token's text: unpadded base64url of
// TokenBytes bytes.
var tokenLen = base64.RawURLEncoding.EncodedLen(TokenBytes)

// sessionTokenLen is the length of a session token's text: the owner tag of
// the account, ".", and a token.
const sessionTokenLen = ownerLen + 1 + 43

// newToken draws a token and returns its text and its ID (the hash that is
// stored).
func (m *Manager) newToken() (token, id string, err error) {
	var b [TokenBytes]byte
	_, err = io.ReadFull(m.rand, b[:])
	if err != nil {
		return "", "", reason.Store(err)
	}
	return base64.RawURLEncoding.EncodeToString(b[:]), hashID(b[:]), nil
}

// newSessionToken draws the token of a session of owner and returns its
// text (owner + "." + the random part) and the session ID (the hash of the
// random part). Carrying the owner lets ValidateSession find the session
// with one store read.
func (m *Manager) newSessionToken(owner string) (token, id string, err error) {
	t, id, err := m.newToken()
	if err != nil {
		return "", "", err
	}
	return owner + "." + t, id, nil
}

// tokenID parses a token's text and returns its ID, or false when the text
// is not a token protection could have issued (nothing is looked up then).
func tokenID(token string) (string, bool) {
	var sum [sha256.Size]byte
	if !tokenSum(token, &sum) {
		return "", false
	}
	return base64.RawURLEncoding.EncodeToString(sum[:]), true
}

// tokenSum checks that token is the canonical text of TokenBytes bytes and
// sets sum to their hash, without allocating.
func tokenSum(token string, sum *[sha256.Size]byte) bool {
	if len(token) != tokenLen {
		return false
	}
	var text [43]byte
	copy(text[:], token)
	var b [TokenBytes]byte
	n, err := base64.RawURLEncoding.Strict().Decode(b[:], text[:])
	if err != nil || n != TokenBytes {
		return false
	}
	*sum = sha256.Sum256(b[:])
	return true
}

// sessionTokenID parses a session token's text and returns the owner tag it
// carries and the session's record ID ("s/" + session ID), or false when
// the text is not a session token protection could have issued (nothing is
// looked up then). It allocates only the record ID of a token not seen
// lately (see rids).
func sessionTokenID(token string) (owner, rid string, ok bool) {
	if len(token) != sessionTokenLen || token[ownerLen] != '.' || !validOwner(token[:ownerLen]) {
		return "", "", false
	}
	var sum [sha256.Size]byte
	if !tokenSum(token[ownerLen+1:], &sum) {
		return "", "", false
	}
	return token[:ownerLen], sessionRID(&sum), true
}

// encodeSum writes base64url(sum) into dst.
func encodeSum(dst []byte, sum *[sha256.Size]byte) { base64.RawURLEncoding.Encode(dst, sum[:]) }

// hashID is base64url(SHA-256(b)). A plain hash is enough: the input is 256
// random bits, so there is nothing to guess.
func hashID(b []byte) string {
	sum := sha256.Sum256(b)
	return base64.RawURLEncoding.EncodeToString(sum[:])
}
