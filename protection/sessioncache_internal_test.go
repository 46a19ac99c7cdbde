package protection

import (
	"crypto/aes"
	"encoding/base64"
	"fmt"
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

// TestTagIsTheConstruction checks tagOf against the construction written
// plainly: E3(E1(b0) ^ E2(b1) ^ b2) over the zero-padded text.
func TestTagIsTheConstruction(t *testing.T) {
	for _, tok := range []string{testToken(0), testToken(7), testToken(0xff)} {
		var in [3 * aes.BlockSize]byte
		copy(in[:], tok)
		var x, y [aes.BlockSize]byte
		tagCiphers[0].Encrypt(x[:], in[:16])
		tagCiphers[1].Encrypt(y[:], in[16:32])
		for i := range x {
			x[i] ^= y[i] ^ in[32+i]
		}
		var want tokenTag
		tagCiphers[2].Encrypt(want[:], x[:])
		if got := tagOf(tok); got != want {
			t.Fatalf("tagOf(%q) = %x, the construction gives %x", tok, got, want)
		}
	}
}

// TestTagScratchKeepsOnlyTheTag checks that the buffer a tag was computed
// in holds, afterwards, the tag and zeros: nothing of the token.
func TestTagScratchKeepsOnlyTheTag(t *testing.T) {
	tok := testToken(0x3c)
	tag := tagOf(tok)
	found := false
	for i := range tagScratch {
		if tagScratch[i].a == tag {
			found = true
			if tagScratch[i].b != ([aes.BlockSize]byte{}) {
				t.Fatal("the second buffer is not cleared")
			}
		}
	}
	if !found {
		t.Fatal("no buffer holds the tag")
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

// TestTagUnderContention computes tags from more goroutines than there are
// buffers: every one gets its own token's tag.
func TestTagUnderContention(t *testing.T) {
	want := make([]tokenTag, 256)
	for i := range want {
		want[i] = tagOf(testToken(byte(i)))
	}
	done := make(chan error, 200)
	for g := range 200 {
		go func() {
			for k := range 200 {
				i := (g + k) % len(want)
				if tagOf(testToken(byte(i))) != want[i] {
					done <- fmt.Errorf("a wrong tag for token %d", i)
					return
				}
			}
			done <- nil
		}()
	}
	for range 200 {
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
}
