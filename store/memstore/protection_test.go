package memstore_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/accountsec/accountsec/protection"
	"github.com/accountsec/accountsec/store/memstore"
	"github.com/accountsec/accountsec/store/storetest"
)

func TestProtectionStore(t *testing.T) {
	t.Parallel()
	storetest.RunProtectionStore(t, func(*testing.T) protection.Store { return memstore.NewProtectionStore() })
}

func TestZeroProtectionStore(t *testing.T) {
	t.Parallel()
	storetest.RunProtectionStore(t, func(*testing.T) protection.Store { return new(memstore.ProtectionStore) })
}

func TestProtectionSweep(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	s := memstore.NewProtectionStore()
	assert.Zero(t, s.Sweep(epoch))

	long := protection.SessionRecord{ID: "long", AccountID: "a", CreatedAt: epoch, ExpiresAt: epoch.Add(48 * time.Hour), IdleTimeout: 2 * time.Hour, LastSeenAt: epoch}
	idle := protection.SessionRecord{ID: "idle", AccountID: "a", CreatedAt: epoch, ExpiresAt: epoch.Add(48 * time.Hour), IdleTimeout: 15 * time.Minute, LastSeenAt: epoch}
	require.NoError(t, s.CreateSession(ctx, long))
	require.NoError(t, s.CreateSession(ctx, idle))
	require.NoError(t, s.PutGrant(ctx, protection.GrantRecord{AccountID: "a", Binding: "session:long", Scope: protection.ScopeStepUp, GrantedAt: epoch, ExpiresAt: epoch.Add(30 * time.Minute)}))
	require.NoError(t, s.PutPendingLogin(ctx, protection.PendingLogin{ID: "p", AccountID: "a", CreatedAt: epoch, ExpiresAt: epoch.Add(10 * time.Minute)}))
	require.NoError(t, s.PutChallenge(ctx, protection.ChallengeRecord{ID: "c", AccountID: "a", CreatedAt: epoch, ExpiresAt: epoch.Add(10 * time.Minute)}))
	require.NoError(t, s.PutTrustedDevice(ctx, protection.TrustedDevice{ID: "d", AccountID: "a", CreatedAt: epoch, ExpiresAt: epoch.Add(7 * 24 * time.Hour)}))
	require.NoError(t, s.RecordLoginCity(ctx, "a", "Hangzhou", epoch, 5))

	assert.Zero(t, s.Sweep(epoch.Add(10*time.Minute-time.Millisecond)))
	// The pending login and the challenge expire at +10m; the idle session
	// at +15m (its record; its index entry lives until its absolute end).
	assert.Equal(t, 3, s.Sweep(epoch.Add(15*time.Minute)))
	assert.Equal(t, 1, s.Sweep(epoch.Add(30*time.Minute)), "the grant")
	_, found, err := s.Session(ctx, "long")
	require.NoError(t, err)
	assert.True(t, found)
	// At +48h: both index entries, the long session (idle by then) and the
	// trusted device is still there until +7d.
	assert.Equal(t, 3, s.Sweep(epoch.Add(48*time.Hour)))
	assert.Equal(t, 1, s.Sweep(epoch.Add(7*24*time.Hour)), "the trusted device")
	cities, err := s.LoginCities(ctx, "a")
	require.NoError(t, err)
	assert.Len(t, cities, 1, "cities are kept")
}
