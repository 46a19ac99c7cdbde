package pgstore_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/accountsec/accountsec/recovery"
	"github.com/accountsec/accountsec/store/storetest"
)

func TestResetConformance(t *testing.T) {
	pool := testPool(t)
	storetest.RunResetStore(t, func(t *testing.T) recovery.ResetStore { return newStore(t, pool) })
}

// TestResetIDMovesToAnotherAccount puts one ID under a second account: as
// in the memory store, the reset is then the second account's, and the
// first account has none (rather than the put failing on the unique ID).
func TestResetIDMovesToAnotherAccount(t *testing.T) {
	t.Parallel()
	s := newStore(t, testPool(t))
	ctx := t.Context()
	require.NoError(t, s.PutReset(ctx, recovery.ResetRecord{ID: "tok", AccountID: "a", ExpiresAt: at(time.Hour)}))
	require.NoError(t, s.PutReset(ctx, recovery.ResetRecord{ID: "tok", AccountID: "b", ExpiresAt: at(30 * time.Minute)}))
	got, found, err := s.Reset(ctx, "tok", at(0))
	require.NoError(t, err)
	require.True(t, found)
	assert.Equal(t, "b", got.AccountID)
	assert.True(t, got.ExpiresAt.Equal(at(30*time.Minute)))

	// The first account can take a new reset, and the second keeps its own.
	require.NoError(t, s.PutReset(ctx, recovery.ResetRecord{ID: "tok2", AccountID: "a", ExpiresAt: at(time.Hour)}))
	got, found, err = s.ConsumeReset(ctx, "tok", at(0))
	require.NoError(t, err)
	require.True(t, found)
	assert.Equal(t, "b", got.AccountID)
	_, found, err = s.Reset(ctx, "tok2", at(0))
	require.NoError(t, err)
	assert.True(t, found)
}

// TestSweepResets checks that Sweep removes expired resets (expiry at
// exactly now counts as expired) and keeps live ones.
func TestSweepResets(t *testing.T) {
	t.Parallel()
	s := newStore(t, testPool(t))
	ctx := t.Context()
	for i, d := range []time.Duration{time.Minute, 2 * time.Minute, time.Hour} {
		acct := string(rune('a' + i))
		require.NoError(t, s.PutReset(ctx, recovery.ResetRecord{ID: "tok-" + acct, AccountID: acct, ExpiresAt: at(d)}))
	}
	n, err := s.Sweep(ctx, at(0))
	require.NoError(t, err)
	require.Zero(t, n)

	n, err = s.Sweep(ctx, at(2*time.Minute))
	require.NoError(t, err)
	require.Equal(t, int64(2), n)

	_, found, err := s.Reset(ctx, "tok-c", at(0))
	require.NoError(t, err)
	assert.True(t, found)
	// A swept account takes a new reset as usual.
	require.NoError(t, s.PutReset(ctx, recovery.ResetRecord{ID: "tok-a2", AccountID: "a", ExpiresAt: at(time.Hour)}))
	_, found, err = s.Reset(ctx, "tok-a2", at(0))
	require.NoError(t, err)
	assert.True(t, found)
}
