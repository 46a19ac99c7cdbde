package redisstore_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/accountsec/accountsec/recovery"
	"github.com/accountsec/accountsec/store/redisstore"
	"github.com/accountsec/accountsec/store/storetest"
)

func TestResetConformance(t *testing.T) {
	onEveryPath(t, func(t *testing.T, newStore func(*testing.T) *redisstore.Store) {
		storetest.RunResetStore(t, func(t *testing.T) recovery.ResetStore { return newStore(t) })
	})
}

// TestResetKeys checks the key layout: the account's reset hashes by the
// account ID, the index has a key of its own, and on one server consuming
// the reset leaves no key behind.
func TestResetKeys(t *testing.T) {
	t.Parallel()
	client := testClient(t)
	s := protStore(t, client, false)
	ctx := t.Context()
	require.NoError(t, s.PutReset(ctx, recovery.ResetRecord{ID: "tok", AccountID: "acct-42", ExpiresAt: at(time.Hour)}))
	keys, err := scanKeys(ctx, client, s.KeyPrefix())
	require.NoError(t, err)
	index := s.KeyPrefix() + "reset:id:tok"
	assert.ElementsMatch(t, []string{s.KeyPrefix() + "reset:7:{acct-42}", index}, keys)
	for _, k := range keys {
		if k != index {
			assert.Equal(t, "acct-42", hashTag(k), "key %s", k)
		}
	}

	_, found, err := s.ConsumeReset(ctx, "tok", at(0))
	require.NoError(t, err)
	require.True(t, found)
	keys, err = scanKeys(ctx, client, s.KeyPrefix())
	require.NoError(t, err)
	assert.Empty(t, keys)
}

// TestResetOddIDs uses account and token IDs with braces, NUL bytes,
// invalid UTF-8 and multi-byte characters: the one-server scripts build the
// account's key name in Lua, and it must match Go's.
func TestResetOddIDs(t *testing.T) {
	bothPaths(t, func(t *testing.T, _ *redis.Client, s *redisstore.Store) {
		ctx := t.Context()
		for i, acct := range []string{"}{", "{x}", "a}:reset:b", "\x00\xff", "账户", "7:{a}", "id:x"} {
			id := fmt.Sprint("\x00\xfe", i, acct)
			r := recovery.ResetRecord{ID: id, AccountID: acct, ExpiresAt: at(time.Hour)}
			require.NoError(t, s.PutReset(ctx, r))
			got, found, err := s.Reset(ctx, id, at(0))
			require.NoError(t, err)
			require.True(t, found, "account %q", acct)
			assert.Equal(t, r, got)
			got, found, err = s.ConsumeReset(ctx, id, at(0))
			require.NoError(t, err)
			require.True(t, found, "account %q", acct)
			assert.Equal(t, r, got)
		}
	})
}

// TestResetIDMovesToAnotherAccount puts one ID under a second account: as
// in the memory store, the reset is then the second account's, and the
// first account's old reset is not found through it.
func TestResetIDMovesToAnotherAccount(t *testing.T) {
	bothPaths(t, func(t *testing.T, _ *redis.Client, s *redisstore.Store) {
		ctx := t.Context()
		require.NoError(t, s.PutReset(ctx, recovery.ResetRecord{ID: "tok", AccountID: "a", ExpiresAt: at(time.Hour)}))
		require.NoError(t, s.PutReset(ctx, recovery.ResetRecord{ID: "tok", AccountID: "b", ExpiresAt: at(30 * time.Minute)}))
		got, found, err := s.ConsumeReset(ctx, "tok", at(0))
		require.NoError(t, err)
		require.True(t, found)
		assert.Equal(t, "b", got.AccountID)
		_, found, err = s.Reset(ctx, "tok", at(0))
		require.NoError(t, err)
		assert.False(t, found)
	})
}

// TestResetTTLs uses a caller's clock far from the real one: PutReset gets
// no current time, so both keys live for the longest reset lifetime plus
// the margin, whatever the reset's ExpiresAt.
func TestResetTTLs(t *testing.T) {
	t.Parallel()
	client := testClient(t)
	ctx := t.Context()
	const margin = 5 * time.Second
	for name, now := range map[string]time.Time{
		"past":   time.Date(1999, 12, 31, 23, 0, 0, 0, time.UTC),
		"future": time.Date(2200, 6, 1, 0, 0, 0, 0, time.UTC),
	} {
		for _, slots := range []bool{false, true} {
			s := protStore(t, client, slots, redisstore.WithExpiryMargin(margin))
			r := recovery.ResetRecord{ID: "tok", AccountID: "acct", ExpiresAt: now.Add(30 * time.Minute)}
			require.NoError(t, s.PutReset(ctx, r), name)
			requireTTL(t, client, s.KeyPrefix()+"reset:4:{acct}", recovery.MaxResetTTL+margin)
			requireTTL(t, client, s.KeyPrefix()+"reset:id:tok", recovery.MaxResetTTL+margin)
			_, found, err := s.Reset(ctx, "tok", now)
			require.NoError(t, err)
			assert.True(t, found, name)
		}
	}
}
