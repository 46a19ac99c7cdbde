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

func TestParseToken(t *testing.T) {
	t.Parallel()
	good := base64.RawURLEncoding.EncodeToString(bytes.Repeat([]byte{0xfb}, recovery.TokenBytes))
	require.Len(t, good, recovery.TokenLength)
	assert.True(t, recovery.ParseToken(good))
	assert.True(t, recovery.ParseToken(strings.Repeat("A", recovery.TokenLength)))
	for _, bad := range []string{
		"",
		good[:recovery.TokenLength-1],
		good + "A",
		good[:recovery.TokenLength-1] + "B", // non-zero unused bits: not canonical
		base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{0xfb}, recovery.TokenBytes)),
		strings.Replace(good, "-", "+", 1),
		" " + good[1:],
		good[:recovery.TokenLength-1] + "\n",
		good[:recovery.TokenLength-3] + "Ａ", // full-width: 3 bytes, right length
	} {
		assert.False(t, recovery.ParseToken(bad), "%q", bad)
	}
}

// FuzzParseToken checks that ParseToken accepts exactly the canonical
// base64url texts of TokenBytes bytes, and that Lookup and Complete refuse
// everything else as malformed without looking it up.
func FuzzParseToken(f *testing.F) {
	for _, s := range []string{
		"", strings.Repeat("A", recovery.TokenLength), strings.Repeat("_", recovery.TokenLength),
		strings.Repeat("A", recovery.TokenLength-1) + "B", strings.Repeat("+", recovery.TokenLength),
		strings.Repeat("A", recovery.TokenLength-1) + "=", "\xff\xfe", strings.Repeat("ａ", 15),
	} {
		f.Add(s)
	}
	e := newEnv(f)
	f.Fuzz(func(t *testing.T, s string) {
		ok := recovery.ParseToken(s)
		b, err := base64.RawURLEncoding.DecodeString(s)
		canonical := err == nil && len(b) == recovery.TokenBytes && base64.RawURLEncoding.EncodeToString(b) == s
		if ok != canonical {
			t.Fatalf("ParseToken(%q) = %t, want %t", s, ok, canonical)
		}
		_, err = e.resets.Lookup(context.Background(), s)
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
