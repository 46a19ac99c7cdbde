package limits

import (
	"strconv"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestKeyCacheSpreadsSubjectsThatDifferInOneByte(t *testing.T) {
	t.Parallel()
	// Addresses of one pattern differ in a byte or two in the middle,
	// where neither their first nor their last 8 bytes see it.
	var c keyCache
	used := map[*atomic.Pointer[keyEntry]]bool{}
	for i := range keySlots {
		s := c.slot("login", "user."+strconv.Itoa(i)+".name@example.com")
		used[s] = true
	}
	// 1024 subjects in 1024 slots at random fill about 63 % of them.
	assert.Greater(t, len(used), keySlots/2)
}

func TestKeyCacheKeepsScopesAndSubjectsApart(t *testing.T) {
	t.Parallel()
	var c keyCache
	sizes := []int{0, 1, 7, 8, 9, 16, 17, 100}
	for _, n := range sizes {
		s := string(make([]byte, n))
		c.put("login", s, "k-login-"+strconv.Itoa(n))
		c.put("mfa", s, "k-mfa-"+strconv.Itoa(n))
		// The last put is found at once; the one before it may share its
		// slot and be gone, never answered wrongly.
		k, ok := c.get("mfa", s)
		require.True(t, ok, "the last put of a subject is found")
		assert.Equal(t, "k-mfa-"+strconv.Itoa(n), k)
	}
	// Later puts may have taken a slot (the slots depend on a random
	// seed), so an entry may be missing; one that answers answers right.
	for _, n := range sizes {
		s := string(make([]byte, n))
		for _, scope := range []string{"login", "mfa"} {
			if k, ok := c.get(scope, s); ok {
				assert.Equal(t, "k-"+scope+"-"+strconv.Itoa(n), k)
			}
		}
	}
	_, ok := c.get("login", "someone else")
	assert.False(t, ok)
}

func TestSubjectHashSeesEveryByte(t *testing.T) {
	t.Parallel()
	for _, n := range []int{1, 7, 8, 9, 15, 16, 17, 31, 64} {
		b := make([]byte, n)
		base := subjectHash(string(b))
		for i := range n {
			b[i] = 1
			assert.NotEqual(t, base, subjectHash(string(b)), "length %d, byte %d", n, i)
			b[i] = 0
		}
	}
}
