package recovery_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/accountsec/accountsec/recovery"
)

// tokenOf is a token with owner tag owner and random part random.
func tokenOf(owner string, random []byte) string {
	return owner + "." + base64.RawURLEncoding.EncodeToString(random)
}

func TestParseToken(t *testing.T) {
	t.Parallel()
	owner := "AbCd-_0123456789"
	good := tokenOf(owner, bytes.Repeat([]byte{0xfb}, recovery.TokenBytes))
	require.Len(t, good, recovery.TokenLength)
	n := recovery.TokenLength
	assert.True(t, recovery.ParseToken(good))
	assert.True(t, recovery.ParseToken(strings.Repeat("A", 16)+"."+strings.Repeat("A", 43)))
	for _, bad := range []string{
		"",
		good[:n-1],
		good + "A",
		good[:n-1] + "B", // non-zero unused bits: not canonical
		good[17:],        // the random part alone
		owner + "!" + good[17:],
		owner[:15] + "+." + good[17:],
		owner + "." + base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{0xfb}, recovery.TokenBytes)),
		strings.Replace(good, "-", "+", 1),
		" " + good[1:],
		good[:n-1] + "\n",
		good[:n-3] + "Ａ", // full-width: 3 bytes, right length
		strings.Repeat("A", n),
	} {
		assert.False(t, recovery.ParseToken(bad), "%q", bad)
	}
}

// canonical reports whether s is the canonical text of a token: 16
// base64url characters, a dot and the canonical base64url of TokenBytes
// bytes, computed independently of ParseToken.
func canonical(s string) bool {
	owner, random, ok := strings.Cut(s, ".")
	if !ok || len(owner) != 16 {
		return false
	}
	o, err := base64.RawURLEncoding.DecodeString(owner)
	if err != nil || base64.RawURLEncoding.EncodeToString(o) != owner {
		return false
	}
	b, err := base64.RawURLEncoding.DecodeString(random)
	return err == nil && len(b) == recovery.TokenBytes && base64.RawURLEncoding.EncodeToString(b) == random
}

// FuzzParseToken checks that ParseToken accepts exactly the canonical
// token texts, and that Lookup and Complete refuse everything else as
// malformed without looking it up.
func FuzzParseToken(f *testing.F) {
	owner := strings.Repeat("A", 16) + "."
	for _, s := range []string{
		"", owner + strings.Repeat("A", 43), owner + strings.Repeat("_", 43),
		owner + strings.Repeat("A", 42) + "B", owner + strings.Repeat("+", 43), strings.Repeat("A", 43),
		owner + strings.Repeat("A", 42) + "=", "\xff\xfe", strings.Repeat("ａ", 20),
	} {
		f.Add(s)
	}
	e := newEnv(f)
	f.Fuzz(func(t *testing.T, s string) {
		ok := recovery.ParseToken(s)
		if want := canonical(s); ok != want {
			t.Fatalf("ParseToken(%q) = %t, want %t", s, ok, want)
		}
		_, err := e.resets.Lookup(context.Background(), s)
		switch {
		case !ok && !errors.Is(err, recovery.ErrTokenMalformed):
			t.Fatalf("Lookup(%q): want malformed, got %v", s, err)
		case ok && !errors.Is(err, recovery.ErrTokenInvalid):
			t.Fatalf("Lookup(%q): want invalid, got %v", s, err)
		}
		_, err = e.resets.Complete(context.Background(), complete(s, pw2))
		if !ok && !errors.Is(err, recovery.ErrTokenMalformed) {
			t.Fatalf("Complete(%q): want malformed, got %v", s, err)
		}
		if err != nil && len(s) >= 8 && strings.Contains(err.Error(), s) {
			t.Fatalf("the error repeats the submitted token: %v", err)
		}
	})
}
