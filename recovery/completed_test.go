package recovery_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/accountsec/accountsec/account"
	"github.com/accountsec/accountsec/limits"
)

func TestResetTellsWhenAnExistingLockEnds(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	a := e.registerEmail(t, "locked@example.com", pw1)
	// Ten wrong passwords lock the account's login for 30 minutes, under
	// the scope the account service counts in.
	l, err := limits.NewLimiter(limits.Config{Store: e.store, Secret: testSecret, Now: e.clock.Now}, limits.Lockout{})
	require.NoError(t, err)
	wrong := func(context.Context) (bool, error) { return false, nil }
	for range 10 {
		_, _ = l.Do(t.Context(), account.DefaultLockoutScope, a.ID, wrong)
	}
	lockEnd := e.clock.Now().Add(30 * time.Minute)

	e.clock.Advance(5 * time.Minute)
	token := e.request(t, "locked@example.com")
	e.verified(t, token)
	got, err := e.resets.Complete(t.Context(), complete(token, pw2))
	require.NoError(t, err)
	assert.True(t, e.hasPassword(t, a.ID, pw2), "the password is reset")
	assert.Equal(t, lockEnd.UnixMilli(), got.LockedUntil.UnixMilli(), "the lock stays and its end is told")
	st, err := l.Status(t.Context(), account.DefaultLockoutScope, a.ID)
	require.NoError(t, err)
	assert.Equal(t, lockEnd.UnixMilli(), st.LockedUntil.UnixMilli(), "the reset did not lift the lock")
}
