package pgstore_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/accountsec/accountsec/limits"
)

func TestReserveSequence(t *testing.T) {
	t.Parallel()
	s := newStore(t, testPool(t))
	ctx := t.Context()
	exp, full := at(10*time.Minute), at(time.Hour)
	r := limits.Reservation{Limit: 3, Now: at(0), ExpiresAt: exp, FullExpiresAt: full}

	tests := []struct {
		name   string
		r      limits.Reservation
		want   limits.Counter
		wantOK bool
	}{
		{"creates", r, limits.Counter{Count: 1, ExpiresAt: exp, Window: exp}, true},
		{"counts", r, limits.Counter{Count: 2, ExpiresAt: exp, Window: exp}, true},
		{"last slot sets FullExpiresAt", r, limits.Counter{Count: 3, ExpiresAt: full, Window: exp}, true},
		{"refused at the limit", r, limits.Counter{Count: 3, ExpiresAt: full, Window: exp}, false},
		{"refused with a lower limit", limits.Reservation{Limit: 1, Now: at(0), ExpiresAt: exp}, limits.Counter{Count: 3, ExpiresAt: full, Window: exp}, false},
		{"higher limit takes a slot", limits.Reservation{Limit: 5, Now: at(0), ExpiresAt: at(15 * time.Minute)}, limits.Counter{Count: 4, ExpiresAt: full, Window: exp}, true},
		{"earlier FullExpiresAt shortens", limits.Reservation{Limit: 5, Now: at(0), ExpiresAt: exp, FullExpiresAt: at(20 * time.Minute)}, limits.Counter{Count: 5, ExpiresAt: at(20 * time.Minute), Window: exp}, true},
		{"restarts at expiry", limits.Reservation{Limit: 2, Now: full, ExpiresAt: full.Add(time.Minute)}, limits.Counter{Count: 1, ExpiresAt: full.Add(time.Minute), Window: full.Add(time.Minute)}, true},
	}
	for _, tc := range tests {
		c, ok, err := s.Reserve(ctx, "k", tc.r)
		require.NoError(t, err, tc.name)
		assert.Equal(t, tc.wantOK, ok, tc.name)
		assert.Equal(t, tc.want, c, tc.name) // UTC, so even == works
	}
}

func TestReleaseKeepsExpiryAndStopsAtZero(t *testing.T) {
	t.Parallel()
	s := newStore(t, testPool(t))
	ctx := t.Context()
	exp := at(10 * time.Minute)
	_, _, err := s.Reserve(ctx, "k", limits.Reservation{Limit: 2, Now: at(0), ExpiresAt: exp})
	require.NoError(t, err)
	for range 3 {
		require.NoError(t, s.Release(ctx, "k", exp, at(time.Minute)))
	}
	c, err := s.Get(ctx, "k", at(time.Minute))
	require.NoError(t, err)
	require.Equal(t, limits.Counter{Count: 0, ExpiresAt: exp, Window: exp}, c)

	// An expired counter is not resurrected by Release.
	require.NoError(t, s.Release(ctx, "k", exp, exp))
	c, err = s.Get(ctx, "k", exp.Add(-time.Microsecond))
	require.NoError(t, err)
	require.Equal(t, limits.Counter{Count: 0, ExpiresAt: exp, Window: exp}, c)
}

func TestReserveMicrosecondPrecision(t *testing.T) {
	t.Parallel()
	s := newStore(t, testPool(t))
	ctx := t.Context()
	now := time.Date(2026, 3, 1, 12, 0, 0, 123456000, time.FixedZone("CST", 8*3600))
	exp := now.Add(1500 * time.Microsecond)
	c, ok, err := s.Reserve(ctx, "k", limits.Reservation{Limit: 1, Now: now, ExpiresAt: exp})
	require.NoError(t, err)
	require.True(t, ok)
	require.True(t, c.ExpiresAt.Equal(exp), "got %v, want %v", c.ExpiresAt, exp)
	require.Equal(t, time.UTC, c.ExpiresAt.Location())

	got, err := s.Get(ctx, "k", exp.Add(-time.Microsecond))
	require.NoError(t, err)
	require.Equal(t, int64(1), got.Count)
	got, err = s.Get(ctx, "k", exp)
	require.NoError(t, err)
	require.Zero(t, got)
}

func TestSweep(t *testing.T) {
	t.Parallel()
	s := newStore(t, testPool(t))
	ctx := t.Context()
	for i, d := range []time.Duration{time.Minute, 2 * time.Minute, time.Hour} {
		_, _, err := s.Reserve(ctx, string(rune('a'+i)), limits.Reservation{Limit: 1, Now: at(0), ExpiresAt: at(d)})
		require.NoError(t, err)
	}
	n, err := s.Sweep(ctx, at(0))
	require.NoError(t, err)
	require.Zero(t, n)

	n, err = s.Sweep(ctx, at(2*time.Minute)) // expiry at exactly now counts as expired
	require.NoError(t, err)
	require.Equal(t, int64(2), n)

	c, err := s.Get(ctx, "c", at(0))
	require.NoError(t, err)
	require.Equal(t, int64(1), c.Count)
}
