package protection

import (
	"crypto/sha256"
	"encoding/base64"
	"math/rand/v2"
	"strings"
	"testing"
)

// stdTokenSum is tokenSum as the standard library's strict decoder gives
// it: the reference decodeToken must match.
func stdTokenSum(token string) ([sha256.Size]byte, bool) {
	if len(token) != tokenLen {
		return [sha256.Size]byte{}, false
	}
	b, err := base64.RawURLEncoding.Strict().DecodeString(token)
	if err != nil || len(b) != TokenBytes {
		return [sha256.Size]byte{}, false
	}
	return sha256.Sum256(b), true
}

// TestDecodeTokenMatchesStrictBase64 checks decodeToken against the
// standard library on every byte at every position of a valid token, on
// every last character (whose two low bits must be zero), and on random
// tokens.
func TestDecodeTokenMatchesStrictBase64(t *testing.T) {
	check := func(token string) {
		t.Helper()
		var got [sha256.Size]byte
		ok := tokenSum(token, &got)
		want, wantOK := stdTokenSum(token)
		if ok != wantOK || got != want && ok {
			t.Fatalf("tokenSum(%q) = %v, %x; strict base64 gives %v, %x", token, ok, got, wantOK, want)
		}
	}
	rng := rand.New(rand.NewPCG(1, 2))
	var raw [TokenBytes]byte
	for range 2000 {
		for i := range raw {
			raw[i] = byte(rng.Uint32())
		}
		token := base64.RawURLEncoding.EncodeToString(raw[:])
		if _, ok := stdTokenSum(token); !ok {
			t.Fatalf("the encoding of random bytes does not decode: %q", token)
		}
		check(token)
	}
	token := base64.RawURLEncoding.EncodeToString(raw[:])
	for pos := range tokenLen {
		for c := range 256 {
			check(token[:pos] + string(rune(c))[:1] + token[pos+1:])
			check(token[:pos] + string([]byte{byte(c)}) + token[pos+1:])
		}
	}
	for _, s := range []string{"", token[:tokenLen-1], token + "A", token[:tokenLen-1] + "=", strings.Repeat("A", tokenLen), strings.Repeat("_", tokenLen), token[:20] + "\n" + token[21:], token[:20] + "\r" + token[21:]} {
		check(s)
	}
}
