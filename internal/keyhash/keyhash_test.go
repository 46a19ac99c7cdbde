package keyhash_test

import (
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/accountsec/accountsec/internal/keyhash"
	"github.com/accountsec/accountsec/reason"
)

var secret = []byte("0123456789abcdef")

func TestShortSecretIsRefusedWithoutEchoingIt(t *testing.T) {
	t.Parallel()
	_, err := keyhash.New([]byte("tooshort"))
	assert.Equal(t, reason.PolicyInvalid, reason.CodeOf(err))
	assert.NotContains(t, err.Error(), "tooshort")
}

func TestKeysNameTheirScopeButNotTheSubject(t *testing.T) {
	t.Parallel()
	h, err := keyhash.New(secret)
	require.NoError(t, err)
	k := h.Key("login", "alice@example.com")
	assert.True(t, strings.HasPrefix(k, "login:"))
	assert.NotContains(t, k, "alice")
	assert.Equal(t, k, h.Key("login", "alice@example.com"), "deterministic")
	assert.NotEqual(t, k, h.Key("reset", "alice@example.com"), "scopes differ")
	assert.NotEqual(t, h.Key("s", "a", "bc"), h.Key("s", "ab", "c"), "parts are separated")
	other, err := keyhash.New([]byte("fedcba9876543210"))
	require.NoError(t, err)
	assert.NotEqual(t, k, other.Key("login", "alice@example.com"), "keyed by the secret")
	assert.LessOrEqual(t, len(h.Key(strings.Repeat("s", 100), "x")), 200, "keys stay within the store contract's 200 bytes for scopes up to 100 bytes")
}

func TestNormalize(t *testing.T) {
	t.Parallel()
	assert.Equal(t, "alice@example.com", keyhash.Normalize("  Alice@Example.COM\t"))
	assert.Equal(t, "ärger", keyhash.Normalize("ÄRGER"))
}

func TestConcurrentUseAgrees(t *testing.T) {
	t.Parallel()
	h, err := keyhash.New(secret)
	require.NoError(t, err)
	want := h.Key("login", "bob")
	var wg sync.WaitGroup
	for range 16 {
		wg.Go(func() {
			for range 100 {
				if got := h.Key("login", "bob"); got != want {
					t.Errorf("got %q", got)
				}
			}
		})
	}
	wg.Wait()
}
