package redisstore_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/accountsec/accountsec/limits"
	"github.com/accountsec/accountsec/notify"
	"github.com/accountsec/accountsec/store/redisstore"
)

// requirePTTL checks that key's TTL is want, give or take the real time the
// test has taken so far (bounded by slack).
func requirePTTL(t *testing.T, got, want time.Duration) {
	t.Helper()
	const slack = 10 * time.Second
	require.LessOrEqual(t, got, want, "TTL")
	require.Greater(t, got, want-slack, "TTL")
}

// TestTTLIsRelativeToCallersClock uses caller clocks far from the real one,
// in both directions: the TTL must follow the remaining lifetime by the
// caller's clock, plus the margin.
func TestTTLIsRelativeToCallersClock(t *testing.T) {
	t.Parallel()
	client := testClient(t)
	ctx := t.Context()
	const margin = 5 * time.Second
	s := newStore(t, client, redisstore.WithExpiryMargin(margin))
	for name, now := range map[string]time.Time{
		"past":   time.Date(1999, 12, 31, 23, 0, 0, 0, time.UTC),
		"future": time.Date(2200, 6, 1, 0, 0, 0, 0, time.UTC),
	} {
		key := name
		r := limits.Reservation{Limit: 2, Now: now, ExpiresAt: now.Add(10 * time.Minute), FullExpiresAt: now.Add(time.Hour)}
		c, ok, err := s.Reserve(ctx, key, r)
		require.NoError(t, err)
		require.True(t, ok)
		require.Equal(t, limits.Counter{Count: 1, ExpiresAt: r.ExpiresAt, Window: r.ExpiresAt}, c)
		ttl, err := client.PTTL(ctx, s.KeyPrefix()+"counter:"+key).Result()
		require.NoError(t, err)
		requirePTTL(t, ttl, 10*time.Minute+margin)

		// Taking the last slot moves the expiry, and the TTL with it.
		later := r
		later.Now = now.Add(time.Minute)
		_, ok, err = s.Reserve(ctx, key, later)
		require.NoError(t, err)
		require.True(t, ok)
		ttl, err = client.PTTL(ctx, s.KeyPrefix()+"counter:"+key).Result()
		require.NoError(t, err)
		requirePTTL(t, ttl, 59*time.Minute+margin)

		// Release keeps both the stored expiry and the TTL.
		require.NoError(t, s.Release(ctx, key, c.Window, later.Now))
		after, err := client.PTTL(ctx, s.KeyPrefix()+"counter:"+key).Result()
		require.NoError(t, err)
		require.LessOrEqual(t, after, ttl)
		requirePTTL(t, after, 59*time.Minute+margin)
		got, err := s.Get(ctx, key, later.Now)
		require.NoError(t, err)
		require.Equal(t, limits.Counter{Count: 1, ExpiresAt: r.FullExpiresAt, Window: r.ExpiresAt}, got)

		// A counter restarted after its expiry gets a fresh TTL.
		restart := limits.Reservation{Limit: 2, Now: r.FullExpiresAt, ExpiresAt: r.FullExpiresAt.Add(2 * time.Minute)}
		_, ok, err = s.Reserve(ctx, key, restart)
		require.NoError(t, err)
		require.True(t, ok)
		ttl, err = client.PTTL(ctx, s.KeyPrefix()+"counter:"+key).Result()
		require.NoError(t, err)
		requirePTTL(t, ttl, 2*time.Minute+margin)

		// An earlier FullExpiresAt shortens both.
		short := limits.Reservation{Limit: 2, Now: restart.Now, ExpiresAt: restart.ExpiresAt, FullExpiresAt: restart.Now.Add(30 * time.Second)}
		c, ok, err = s.Reserve(ctx, key, short)
		require.NoError(t, err)
		require.True(t, ok)
		require.Equal(t, limits.Counter{Count: 2, ExpiresAt: short.FullExpiresAt, Window: restart.ExpiresAt}, c)
		ttl, err = client.PTTL(ctx, s.KeyPrefix()+"counter:"+key).Result()
		require.NoError(t, err)
		requirePTTL(t, ttl, 30*time.Second+margin)
	}
}

// TestCodeTTLFollowsExpiry: a code's key lives in Redis for its remaining
// lifetime by the caller's clock (ExpiresAt - now) plus the margin, for
// caller clocks far from the real one in both directions.
func TestCodeTTLFollowsExpiry(t *testing.T) {
	t.Parallel()
	client := testClient(t)
	ctx := t.Context()
	const margin = 5 * time.Second
	s := newStore(t, client, redisstore.WithExpiryMargin(margin))
	for name, now := range map[string]time.Time{
		"past":   time.Date(2001, 1, 1, 0, 0, 0, 0, time.UTC),
		"future": time.Date(2200, 6, 1, 0, 0, 0, 0, time.UTC),
	} {
		key := s.KeyPrefix() + "code:" + name
		rec := notify.CodeRecord{Hash: hashOf("1"), ExpiresAt: now.Add(10 * time.Minute), MaxWrong: 3}
		require.NoError(t, s.PutCode(ctx, name, rec, now), name)
		ttl, err := client.PTTL(ctx, key).Result()
		require.NoError(t, err, name)
		requirePTTL(t, ttl, 10*time.Minute+margin)

		// A wrong answer keeps the TTL.
		out, left, err := s.ConsumeCode(ctx, name, hashOf("2"), now)
		require.NoError(t, err, name)
		require.Equal(t, notify.Mismatched, out, name)
		require.Equal(t, 2, left, name)
		after, err := client.PTTL(ctx, key).Result()
		require.NoError(t, err, name)
		require.LessOrEqual(t, after, ttl, name)
		requirePTTL(t, after, 10*time.Minute+margin)

		// A replacing code brings its own TTL, shorter or longer, counted
		// from the time of the replacement.
		later := now.Add(time.Minute)
		rec = notify.CodeRecord{Hash: hashOf("1"), ExpiresAt: later.Add(2 * time.Minute), MaxWrong: 3}
		require.NoError(t, s.PutCode(ctx, name, rec, later), name)
		ttl, err = client.PTTL(ctx, key).Result()
		require.NoError(t, err, name)
		requirePTTL(t, ttl, 2*time.Minute+margin)

		// The right answer deletes the key.
		out, _, err = s.ConsumeCode(ctx, name, hashOf("1"), later)
		require.NoError(t, err, name)
		require.Equal(t, notify.Matched, out, name)
		n, err := client.Exists(ctx, key).Result()
		require.NoError(t, err, name)
		require.Zero(t, n, name)
	}
}

func TestFarFutureExpiryIsExact(t *testing.T) {
	t.Parallel()
	s := newStore(t, testClient(t))
	ctx := t.Context()
	// Beyond 10^14 ms Lua's tostring would use exponent notation.
	now := time.Date(9000, 1, 1, 0, 0, 0, 0, time.UTC)
	full := time.Date(9999, 12, 31, 23, 59, 59, 999_000_000, time.UTC)
	r := limits.Reservation{Limit: 1, Now: now, ExpiresAt: now.Add(time.Millisecond), FullExpiresAt: full}
	c, ok, err := s.Reserve(ctx, "k", r)
	require.NoError(t, err)
	require.True(t, ok)
	require.Equal(t, limits.Counter{Count: 1, ExpiresAt: full, Window: r.ExpiresAt}, c)
	got, err := s.Get(ctx, "k", full.Add(-time.Millisecond))
	require.NoError(t, err)
	require.Equal(t, c, got)
}

func TestMillisecondPrecision(t *testing.T) {
	t.Parallel()
	s := newStore(t, testClient(t))
	ctx := t.Context()
	now := time.Date(2026, 3, 1, 12, 0, 0, 123_456_789, time.FixedZone("CST", 8*3600))
	exp := now.Add(2 * time.Millisecond)
	c, ok, err := s.Reserve(ctx, "k", limits.Reservation{Limit: 1, Now: now, ExpiresAt: exp})
	require.NoError(t, err)
	require.True(t, ok)
	assert.True(t, c.ExpiresAt.Equal(exp.Truncate(time.Millisecond)), "got %v", c.ExpiresAt)
	assert.Equal(t, time.UTC, c.ExpiresAt.Location())
	got, err := s.Get(ctx, "k", exp.Add(-time.Millisecond))
	require.NoError(t, err)
	assert.Equal(t, int64(1), got.Count)
	got, err = s.Get(ctx, "k", exp)
	require.NoError(t, err)
	assert.Zero(t, got)
}

// TestNewRejectsNilClient: the store's argument errors are checked by the
// conformance suite; New panics on a nil client.
func TestNewRejectsNilClient(t *testing.T) {
	t.Parallel()
	require.Panics(t, func() { redisstore.New(nil) })
}

func TestKeyPrefixIsolatesStores(t *testing.T) {
	t.Parallel()
	client := testClient(t)
	ctx := t.Context()
	a, b := newStore(t, client), newStore(t, client)
	r := limits.Reservation{Limit: 1, Now: at(0), ExpiresAt: at(time.Minute)}
	_, ok, err := a.Reserve(ctx, "k", r)
	require.NoError(t, err)
	require.True(t, ok)
	_, ok, err = b.Reserve(ctx, "k", r)
	require.NoError(t, err)
	require.True(t, ok, "a store sees another prefix's counter")

	keys, err := scanKeys(ctx, client, a.KeyPrefix())
	require.NoError(t, err)
	require.Equal(t, []string{a.KeyPrefix() + "counter:k"}, keys)
	require.Equal(t, redisstore.DefaultKeyPrefix, redisstore.New(client).KeyPrefix())
}

// TestScriptCacheFlushed checks the EVAL fallback: after SCRIPT FLUSH the
// store keeps working.
func TestScriptCacheFlushed(t *testing.T) {
	t.Parallel()
	client := testClient(t)
	ctx := t.Context()
	s := newStore(t, client)
	r := limits.Reservation{Limit: 2, Now: at(0), ExpiresAt: at(time.Minute)}
	_, _, err := s.Reserve(ctx, "k", r)
	require.NoError(t, err)
	require.NoError(t, client.ScriptFlush(ctx).Err())
	c, ok, err := s.Reserve(ctx, "k", r)
	require.NoError(t, err)
	require.True(t, ok)
	require.Equal(t, int64(2), c.Count)
	require.NoError(t, client.ScriptFlush(ctx).Err())
	require.NoError(t, s.PutCode(ctx, "k", notify.CodeRecord{Hash: hashOf("1"), ExpiresAt: at(time.Minute), MaxWrong: 1}, at(0)))
	require.NoError(t, client.ScriptFlush(ctx).Err())
	out, _, err := s.ConsumeCode(ctx, "k", hashOf("1"), at(0))
	require.NoError(t, err)
	require.Equal(t, notify.Matched, out)
}
