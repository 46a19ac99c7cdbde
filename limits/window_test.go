package limits_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/accountsec/accountsec/event"
	"github.com/accountsec/accountsec/limits"
	"github.com/accountsec/accountsec/store/memstore"
)

// An attempt begun in one window and ended after that window expired and a
// new one started gives nothing back to the new window: the new window's
// failures stay counted, and the subject gets no extra attempt.
func TestSucceedAfterWindowRestartFreesNoSlotOfTheNewWindow(t *testing.T) {
	t.Parallel()
	f := newLimiter(t, memstore.New(), limits.Lockout{MaxFailures: 3, Window: 15 * time.Minute, LockDuration: 30 * time.Minute})
	ctx := t.Context()
	a, err := f.lim.Begin(ctx, "login", "carol")
	require.NoError(t, err)

	f.clock.Advance(16 * time.Minute)
	require.NoError(t, fail(t, f.lim, "carol"))
	require.NoError(t, fail(t, f.lim, "carol"))
	require.NoError(t, a.Succeed(ctx))

	st, err := f.lim.Status(ctx, "login", "carol")
	require.NoError(t, err)
	assert.Equal(t, 2, st.Failures, "failures of the new window after the old attempt ended")
	// The third failure of the new window locks, as if the old attempt had
	// never been.
	require.ErrorIs(t, fail(t, f.lim, "carol"), limits.ErrLocked)
	assert.Equal(t, 1, f.events.Count(event.Locked))
}

// A right answer that was in flight while other attempts locked the subject
// still gives its slot back, although the lock moved the counter's expiry.
func TestSucceedAfterTheLockMovedTheExpiryGivesTheSlotBack(t *testing.T) {
	t.Parallel()
	f := newLimiter(t, memstore.New(), limits.Lockout{MaxFailures: 3, Window: 15 * time.Minute, LockDuration: 30 * time.Minute})
	ctx := t.Context()
	a, err := f.lim.Begin(ctx, "login", "dave")
	require.NoError(t, err)
	require.NoError(t, fail(t, f.lim, "dave"))
	require.ErrorIs(t, fail(t, f.lim, "dave"), limits.ErrLocked)

	require.NoError(t, a.Succeed(ctx))
	st, err := f.lim.Status(ctx, "login", "dave")
	require.NoError(t, err)
	assert.Equal(t, 2, st.Failures)
	assert.True(t, st.LockedUntil.IsZero(), "still locked until %v by a slot given back", st.LockedUntil)

	// The slot given back is usable, and the locking attempt's own slot
	// is given back too when it ends well.
	b, err := f.lim.Begin(ctx, "login", "dave")
	require.NoError(t, err)
	require.NoError(t, b.Succeed(ctx))
	st, err = f.lim.Status(ctx, "login", "dave")
	require.NoError(t, err)
	assert.Equal(t, 2, st.Failures)
}
