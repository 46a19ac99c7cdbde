package protection

import (
	"crypto/aes"
	"crypto/cipher"
	"encoding/base64"
	"testing"
)

// testToken returns the text of a token whose bytes are all b.
func testToken(b byte) string {
	var raw [TokenBytes]byte
	for i := range raw {
		raw[i] = b
	}
	return base64.RawURLEncoding.EncodeToString(raw[:])
}

// TestTagIsCBCMACOfTheText checks tagOf against crypto/cipher's CBC mode
// (zero IV) over the zero-padded text: the tag is its last block.
func TestTagIsCBCMACOfTheText(t *testing.T) {
	for _, tok := range []string{testToken(0), testToken(7), testToken(0xff)} {
		var in [tagBlocks * aes.BlockSize]byte
		copy(in[:], tok)
		var out [len(in)]byte
		cipher.NewCBCEncrypter(tagCipher, make([]byte, aes.BlockSize)).CryptBlocks(out[:], in[:])
		want := tokenTag(out[len(out)-aes.BlockSize:])
		if got := tagOf(tok); got != want {
			t.Fatalf("tagOf(%q) = %x, CBC-MAC gives %x", tok, got, want)
		}
	}
}

// TestTagDependsOnEveryCharacter changes each character of a token in turn:
// every change gives another tag.
func TestTagDependsOnEveryCharacter(t *testing.T) {
	tok := testToken(0x5a)
	base := tagOf(tok)
	for i := range tokenLen {
		b := []byte(tok)
		b[i] ^= 1
		if tagOf(string(b)) == base {
			t.Fatalf("changing character %d keeps the tag", i)
		}
	}
}

// TestSessionCacheHitMissAndSlotReuse checks the cache: a remembered tag
// hits with its record ID and payload; a tag never remembered misses; a
// different tag of the same slot misses and, once remembered, takes the
// slot.
func TestSessionCacheHitMissAndSlotReuse(t *testing.T) {
	a := tagOf(testToken(1))
	data := []byte{sessionV2, 0}
	s := Session{ID: "id-a", AccountID: "acct"}
	rememberSession(&a, "owner", "s/id-a", data, &s)
	e := cachedSession(&a)
	if e == nil || e.rid != "s/id-a" || !samePayload(e.data, data) || e.s.AccountID != "acct" {
		t.Fatalf("remembered entry not found: %+v", e)
	}
	if !e.s.ExpiresAt.IsZero() || !e.s.LastSeenAt.IsZero() {
		t.Fatal("the entry keeps times that must come from the record")
	}
	// Same slot (the slot is picked from the first 8 bytes), other tag.
	b := a
	b[15] ^= 1
	if sessionSlot(&a) != sessionSlot(&b) {
		t.Fatal("the two tags should share a slot")
	}
	if cachedSession(&b) != nil {
		t.Fatal("a tag differing in its last bit hits")
	}
	rememberSession(&b, "owner", "s/id-b", data, &s)
	if cachedSession(&a) != nil {
		t.Fatal("the slot still answers for the tag it no longer holds")
	}
	if e := cachedSession(&b); e == nil || e.rid != "s/id-b" {
		t.Fatal("the new tag does not hit")
	}
}

// TestSamePayloadIsIdentity checks that only the very slice matches: equal
// bytes elsewhere, and a shorter view of the same memory, do not.
func TestSamePayloadIsIdentity(t *testing.T) {
	p := []byte{1, 2, 3}
	q := []byte{1, 2, 3}
	switch {
	case !samePayload(p, p):
		t.Fatal("a slice is not the same as itself")
	case samePayload(p, q):
		t.Fatal("equal bytes at another address match")
	case samePayload(p, p[:2]):
		t.Fatal("a shorter slice of the same memory matches")
	case samePayload(nil, p):
		t.Fatal("no payload matches one")
	}
}
