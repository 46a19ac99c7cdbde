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
// TokenBytes bytes (base64.RawURLEncoding.EncodedLen(TokenBytes)).
const tokenLen = (TokenBytes*8 + 5) / 6

// sessionTokenLen is the length of a session token's text: the owner tag of
// the account, ".", and a token.
const sessionTokenLen = ownerLen + 1 + tokenLen

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
	var b [TokenBytes]byte
	if !decodeToken(&b, token) {
		return false
	}
	*sum = sha256.Sum256(b[:])
	return true
}

// decodeToken decodes the text of a token into b and reports whether it is
// the canonical text of TokenBytes bytes: exactly tokenLen characters of
// the base64url alphabet, unpadded, with the unused low bits of the last
// character zero. It accepts exactly what
// base64.RawURLEncoding.Strict() decodes to TokenBytes bytes from a text of
// tokenLen characters, four characters at a time.
func decodeToken(b *[TokenBytes]byte, token string) bool {
	if len(token) != tokenLen {
		return false
	}
	const whole = TokenBytes / 3 * 4 // characters of the whole 3-byte groups
	var bad byte
	for i, j := 0, 0; i < whole; i, j = i+4, j+3 {
		c0, c1, c2, c3 := base64URLValue[token[i]], base64URLValue[token[i+1]], base64URLValue[token[i+2]], base64URLValue[token[i+3]]
		bad |= c0 | c1 | c2 | c3
		v := uint32(c0)<<18 | uint32(c1)<<12 | uint32(c2)<<6 | uint32(c3)
		b[j], b[j+1], b[j+2] = byte(v>>16), byte(v>>8), byte(v)
	}
	// The last three characters carry 16 bits and two zero bits.
	c0, c1, c2 := base64URLValue[token[whole]], base64URLValue[token[whole+1]], base64URLValue[token[whole+2]]
	bad |= c0 | c1 | c2
	v := uint32(c0)<<12 | uint32(c1)<<6 | uint32(c2)
	b[TokenBytes-2], b[TokenBytes-1] = byte(v>>10), byte(v>>2)
	return bad&invalidBase64 == 0 && v&3 == 0
}

// invalidBase64 marks a byte outside the base64url alphabet in
// base64URLValue.
const invalidBase64 = 0x80

// base64URLValue is the 6-bit value of each byte of the base64url
// alphabet, and invalidBase64 for every other byte.
var base64URLValue = func() (t [256]byte) {
	for i := range t {
		t[i] = invalidBase64
	}
	for i, c := range []byte("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") {
		t[c] = byte(i)
	}
	return t
}()

// sessionTokenRID parses a session token's text and returns the owner tag
// it carries, the session's record ID ("s/" + session ID), the tag of its
// random part and the remembered entry of the token (nil when it was not
// seen lately; see sessionCache), or false when the text is not a session
// token protection could have issued (nothing is looked up then). A token
// seen lately costs neither its decoding nor its hash, and nothing is
// allocated for it.
func sessionTokenRID(token string, tag *tokenTag) (owner, rid string, e *sessionEntry, ok bool) {
	if len(token) != sessionTokenLen || token[ownerLen] != '.' {
		return "", "", nil, false
	}
	owner, random := token[:ownerLen], token[ownerLen+1:]
	*tag = tagOf(random)
	if e = cachedSession(tag); e != nil && e.owner == owner {
		// The same tag: the same text, which was canonical, with the
		// owner tag it was found under (so of the form of one). The
		// entry's copy of the owner tag is returned: the same string on
		// every call, which the store may recognise by its address.
		return e.owner, e.rid, e, true
	}
	var sum [sha256.Size]byte
	if !validOwner(owner) || !tokenSum(random, &sum) {
		return "", "", nil, false
	}
	return owner, sessionRID(&sum), nil, true
}

// encodeSum writes base64url(sum) into dst.
func encodeSum(dst []byte, sum *[sha256.Size]byte) { base64.RawURLEncoding.Encode(dst, sum[:]) }

// hashID is base64url(SHA-256(b)). A plain hash is enough: the input is 256
// random bits, so there is nothing to guess.
func hashID(b []byte) string {
	sum := sha256.Sum256(b)
	return base64.RawURLEncoding.EncodeToString(sum[:])
}
