package memstore_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/accountsec/accountsec/recovery"
	"github.com/accountsec/accountsec/store/memstore"
	"github.com/accountsec/accountsec/store/storetest"
)

func TestResetStore(t *testing.T) {
	t.Parallel()
	storetest.RunResetStore(t, func(*testing.T) recovery.ResetStore { return memstore.NewResetStore() })
	storetest.RunResetStore(t, func(*testing.T) recovery.ResetStore { return new(memstore.ResetStore) })
}

func TestResetStoreSweep(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := memstore.NewResetStore()
	assert.Zero(t, s.Sweep(epoch), "empty store")
	for i := 1; i <= 5; i++ {
		require.NoError(t, s.PutReset(ctx, recovery.ResetRecord{
			ID: fmt.Sprint("tok", i), AccountID: fmt.Sprint("acct", i), ExpiresAt: epoch.Add(time.Duration(i) * time.Minute),
		}))
	}
	assert.Zero(t, s.Sweep(epoch.Add(time.Minute-time.Millisecond)))
	assert.Equal(t, 2, s.Sweep(epoch.Add(2*time.Minute)), "a reset is gone at its expiry")
	_, found, err := s.Reset(ctx, "tok3", epoch)
	require.NoError(t, err)
	assert.True(t, found)
	// The swept account's index is gone too: a new reset of it is stored
	// and found.
	require.NoError(t, s.PutReset(ctx, recovery.ResetRecord{ID: "tok1b", AccountID: "acct1", ExpiresAt: epoch.Add(time.Hour)}))
	_, found, err = s.Reset(ctx, "tok1b", epoch)
	require.NoError(t, err)
	assert.True(t, found)
}
