package memstore

import (
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/accountsec/accountsec/fakes"
	"github.com/accountsec/accountsec/limits"
	"github.com/accountsec/accountsec/state"
)

// A long soak of traffic whose entries expire soon after use, with no call
// to Sweep, keeps the store small: the calls reclaim what expired.
func TestSoakReclaimsWithoutSweep(t *testing.T) {
	t.Parallel()
	s := New()
	clock := fakes.NewClock(epoch)
	const ops = 200_000
	peak := 0
	for i := range ops {
		if err := mixedOp(t.Context(), s, i, clock.Now()); err != nil {
			t.Fatal(err)
		}
		clock.Advance(time.Millisecond)
		if i%1000 == 0 {
			peak = max(peak, s.entries())
		}
	}
	peak = max(peak, s.entries())
	// Each of the three concerns keeps at most about two intervals of
	// entries a shard; the counters, which pass no time of their own,
	// sweep with the time the others share.
	assert.Less(t, peak, 3*2*shardCount*minSweepCalls, "entries grow with the traffic (%d calls)", ops)
	t.Logf("peak entries: %d of %d written", peak, ops)
}

// Reclaiming never removes an entry that is still live.
func TestReclaimKeepsLiveEntries(t *testing.T) {
	t.Parallel()
	s := New()
	ctx := t.Context()
	clock := fakes.NewClock(epoch)
	exp := epoch.Add(time.Hour)
	const kept = 100
	for i := range kept {
		id := string(rune('a'+i%26)) + string(rune('a'+i/26))
		require.NoError(t, s.PutRecord(ctx, state.Record{Set: "keep", Owner: id, ID: id, ExpiresAt: exp}, 0, epoch))
		_, err := s.PutOnce(ctx, state.Once{ID: "keep" + id, ExpiresAt: exp}, epoch)
		require.NoError(t, err)
		_, _, err = s.Reserve(ctx, "keep"+id, limits.Reservation{Limit: 5, Now: epoch, ExpiresAt: exp})
		require.NoError(t, err)
	}
	for i := range 50_000 { // 50 s of fake time, well within the hour
		if err := mixedOp(ctx, s, i, clock.Now()); err != nil {
			t.Fatal(err)
		}
		clock.Advance(time.Millisecond)
	}
	now := clock.Now()
	for i := range kept {
		id := string(rune('a'+i%26)) + string(rune('a'+i/26))
		_, ok, err := s.GetRecord(ctx, "keep", id, id, now)
		require.NoError(t, err)
		assert.True(t, ok, "record %s", id)
		_, ok, err = s.GetOnce(ctx, "keep"+id, now)
		require.NoError(t, err)
		assert.True(t, ok, "once %s", id)
		c, err := s.Get(ctx, "keep"+id, now)
		require.NoError(t, err)
		assert.Equal(t, int64(1), c.Count, "counter %s", id)
	}
	assert.Less(t, s.entries(), 3*kept+3*2*shardCount*minSweepCalls)
}

// A shard sweeps with the earliest time passed to it since its last sweep,
// so a caller whose clock runs ahead cannot remove what the others still
// see.
func TestSweepUsesEarliestTime(t *testing.T) {
	t.Parallel()
	var (
		p shard[onceEntry]
		h hint
	)
	p.m = map[string]onceEntry{
		"live": {expiresAt: epoch.Add(time.Hour)},
		"gone": {expiresAt: epoch},
	}
	p.tick(&h, epoch.Add(time.Second))
	for range minSweepCalls - 2 {
		p.tick(&h, epoch.Add(48*time.Hour))
	}
	require.Len(t, p.m, 2, "no sweep before minSweepCalls calls")
	p.tick(&h, epoch.Add(48*time.Hour))
	swept, ok := h.load()
	require.True(t, ok, "the sweep shares its time")
	assert.Equal(t, epoch.Add(time.Second), swept)
	assert.Contains(t, p.m, "live")
	assert.NotContains(t, p.m, "gone")
}

// A shard waits for as many calls as its last sweep kept entries older than
// the interval before it sweeps again, so each call costs a few entries'
// checks however many are live.
func TestSweepIntervalGrowsWithShard(t *testing.T) {
	t.Parallel()
	var p shard[onceEntry]
	p.m = map[string]onceEntry{}
	const size = 4 * minSweepCalls
	for i := range size {
		p.m[strconv.Itoa(i)] = onceEntry{expiresAt: epoch.Add(time.Hour)}
	}
	for range minSweepCalls {
		p.tick(new(hint), epoch.Add(time.Minute))
	}
	require.Equal(t, size-minSweepCalls, p.clock.due, "the interval's calls may have written up to one entry each")
	p.m["gone"] = onceEntry{expiresAt: epoch}
	for range p.clock.due - 1 {
		p.tick(new(hint), epoch.Add(2*time.Minute))
	}
	assert.Contains(t, p.m, "gone", "swept before its due calls")
	p.tick(new(hint), epoch.Add(2*time.Minute))
	assert.NotContains(t, p.m, "gone")
}

// Calls that pass no time sweep with the hint other concerns share, and
// with none they sweep nothing.
func TestSweepWithHint(t *testing.T) {
	t.Parallel()
	var (
		p shard[*limits.Counter]
		h hint
	)
	p.m = map[string]*limits.Counter{"old": {Count: 1, ExpiresAt: epoch}}
	for range 2 * minSweepCalls {
		p.tick(&h, time.Time{})
	}
	require.Contains(t, p.m, "old", "no time known: nothing to sweep with")

	h.offer(epoch.Add(time.Second))
	h.offer(epoch) // the hint never goes back
	at, ok := h.load()
	require.True(t, ok)
	require.Equal(t, epoch.Add(time.Second), at)
	p.tick(&h, time.Time{})
	assert.NotContains(t, p.m, "old")
	at, _ = h.load()
	assert.Equal(t, epoch.Add(time.Second), at, "a sweep with the hint leaves it as it was")
}

// The store's calls share the time a sweep used with the concerns whose
// calls pass none.
func TestSweepSharesTime(t *testing.T) {
	t.Parallel()
	s := New()
	clock := fakes.NewClock(epoch)
	for i := range shardCount * minSweepCalls * 2 {
		_, err := s.PutOnce(t.Context(), state.Once{ID: "o" + strconv.Itoa(i), ExpiresAt: clock.Now().Add(time.Millisecond)}, clock.Now())
		require.NoError(t, err)
		clock.Advance(time.Millisecond)
	}
	at, ok := s.hint.load()
	require.True(t, ok)
	assert.True(t, at.After(epoch))
	// Documents and accounts never expire: their calls count nothing.
	for range 2 * minSweepCalls {
		_, _, err := s.GetDocument(t.Context(), "d")
		require.NoError(t, err)
		_, _, err = s.Account(t.Context(), "a")
		require.NoError(t, err)
	}
	for i := range shardCount {
		assert.Zero(t, s.documents.parts[i].clock.calls, "documents shard %d", i)
		assert.Zero(t, s.AccountStore.records.parts[i].clock.calls, "accounts shard %d", i)
	}
}

// A shard whose callers' time has not moved since its last sweep skips the
// sweep (nothing can have expired), and sweeps again once time moves.
func TestSweepSkipsWhileTimeStands(t *testing.T) {
	t.Parallel()
	var p shard[onceEntry]
	p.m = map[string]onceEntry{"live": {expiresAt: epoch.Add(time.Hour)}}
	for range minSweepCalls {
		p.tick(new(hint), epoch)
	}
	require.Equal(t, epoch, p.clock.swept)
	p.m["stale"] = onceEntry{expiresAt: epoch} // as if written already expired
	for range minSweepCalls {
		p.tick(new(hint), epoch)
	}
	assert.Contains(t, p.m, "stale")
	for range minSweepCalls {
		p.tick(new(hint), epoch.Add(time.Millisecond))
	}
	assert.NotContains(t, p.m, "stale")
	assert.Contains(t, p.m, "live")
}

// Raising the hint allocates nothing, and it keeps the latest time offered.
func TestHintOfferAllocatesNothing(t *testing.T) {
	var h hint
	at := epoch
	allocs := testing.AllocsPerRun(100, func() {
		at = at.Add(time.Millisecond)
		h.offer(at)
		h.offer(epoch)
	})
	assert.Zero(t, allocs)
	got, ok := h.load()
	require.True(t, ok)
	assert.True(t, got.Equal(at))
}
