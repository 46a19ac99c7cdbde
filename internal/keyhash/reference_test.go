package keyhash_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/accountsec/accountsec/internal/keyhash"
)

// reference is HMAC-SHA-256 of the parts joined with NUL, computed plainly.
func reference(parts ...string) []byte {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte(strings.Join(parts, "\x00")))
	return m.Sum(nil)
}

func TestSumAndKeyMatchThePlainHMAC(t *testing.T) {
	t.Parallel()
	h, err := keyhash.New(secret)
	require.NoError(t, err)
	long := strings.Repeat("x", 1000) // longer than the write buffer
	for _, parts := range [][]string{{"login", "alice"}, {"a"}, {"", "b"}, {"s", "", "c"}, {"login", long}, {long, "y", long}} {
		assert.Equal(t, reference(parts...), h.Sum(parts...), parts)
		want := parts[0] + ":" + base64.RawURLEncoding.EncodeToString(reference(parts...))
		assert.Equal(t, want, h.Key(parts[0], parts[1:]...), parts)
	}
}

func TestKeyAllocatesOnlyItsResult(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts are not meaningful under the race detector")
	}
	h, err := keyhash.New(secret)
	require.NoError(t, err)
	h.Key("login", "alice@example.com")
	assert.LessOrEqual(t, testing.AllocsPerRun(100, func() { h.Key("login", "alice@example.com") }), 1.0)
}
