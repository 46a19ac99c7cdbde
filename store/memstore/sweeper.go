package memstore

import (
	"maps"
	"sync/atomic"
	"time"

	"github.com/accountsec/accountsec/limits"
	"github.com/accountsec/accountsec/state"
)

// The store reclaims expired entries by itself, without a goroutine and
// without a clock: each shard counts the calls that lock it and, once they
// reach the number of older entries its previous sweep kept (at least
// minSweepCalls), the call that reaches it sweeps that shard before going
// on. A sweep reads every entry of the shard once: about as many as the
// calls it waited for, plus at most one new entry per call, so the work is
// a few entries per call; what has expired but is not yet swept stays in
// proportion to the traffic of the last intervals.
//
// A sweep needs a time: it uses the earliest now passed to the shard since
// its previous sweep, so it removes only what every recent caller already
// considers expired. A shard whose calls pass no time (see [shards.lock])
// uses the latest time the store's hint received from a sweep of any
// concern; with no time at all it sweeps nothing.

// minSweepCalls is the fewest calls between two sweeps of one shard. An entry
// written in one interval expires, at the latest, by the end of the next (the
// sweep time is the earliest of an interval), so a small store whose entries
// expire soon after use keeps at most about 2*shardCount*minSweepCalls of
// them per concern.
const minSweepCalls = 16

// sweepClock is what a shard remembers between its sweeps. Its fields are
// guarded by the shard's mutex.
type sweepClock struct {
	calls  int       // calls since the last sweep
	due    int       // calls to wait for: older entries the last sweep kept
	oldest int64     // earliest now passed since the last sweep, Unix ns; 0: none
	swept  time.Time // the time the last sweep used
}

// unixNanos returns t in Unix nanoseconds, or 0 for the zero time (no time
// passed). A time exactly at the Unix epoch, which no caller passes, counts
// as none too.
func unixNanos(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixNano()
}

// tick counts a call on sh, which the caller has locked, noting now unless it
// is zero, and sweeps sh when its turn has come. h is the store's hint: a
// sweep with a time passed to sh raises it, and a sweep of a shard whose
// calls passed no time uses it. (Calls on a concern whose entries never
// expire pass no hint to shards.lock and are not counted.)
//
// Every call pays for a counter increment and two integer comparisons; the
// sweep itself is out of line (sweepDue).
func (sh *shard[V]) tick(h *hint, now time.Time) {
	c := &sh.clock
	c.calls++
	if ns := unixNanos(now); ns != 0 && (c.oldest == 0 || ns < c.oldest) {
		c.oldest = ns
	}
	if c.calls >= max(minSweepCalls, c.due) {
		sh.sweepDue(h)
	}
}

// sweepDue is the part of tick that runs when the shard's turn has come:
// it sweeps sh with the earliest time noted since its last sweep (or the
// hint) and starts the next interval.
//
//go:noinline
func (sh *shard[V]) sweepDue(h *hint) {
	var at time.Time
	own := sh.clock.oldest != 0
	if own {
		at = time.Unix(0, sh.clock.oldest).UTC()
	} else if t, ok := h.load(); ok {
		at = t
	}
	if at.IsZero() {
		return
	}
	if !at.After(sh.clock.swept) {
		// Nothing has expired since the last sweep: every entry
		// written since is live at its writer's time, which is no
		// earlier than at.
		sh.clock = sweepClock{due: sh.clock.due, swept: sh.clock.swept}
		return
	}
	sh.forget()
	reclaim(sh.m, at)
	// What the sweep kept includes up to one entry per call of the interval
	// just ended, which is too young to have expired by its start: wait
	// for as many calls as it kept older ones.
	sh.clock = sweepClock{due: max(0, len(sh.m)-sh.clock.calls), swept: at}
	if own {
		h.offer(at)
	}
}

// reclaim deletes the entries of m that have expired at now and returns how
// many it deleted (records, for the records map). Maps of entries that never
// expire are left alone.
func reclaim[V any](m map[string]V, now time.Time) int {
	before := len(m)
	switch m := any(m).(type) {
	case map[string]*limits.Counter:
		maps.DeleteFunc(m, func(_ string, c *limits.Counter) bool { return expired(c.ExpiresAt, now) })
	case map[string]codeEntry:
		maps.DeleteFunc(m, func(_ string, c codeEntry) bool { return expired(c.expiresAt, now) })
	case map[string]onceEntry:
		maps.DeleteFunc(m, func(_ string, e onceEntry) bool { return !state.Live(e.expiresAt, now) })
	case map[string]*ownerRecords:
		n := 0
		maps.DeleteFunc(m, func(_ string, o *ownerRecords) bool {
			n += o.reclaim(now)
			return len(o.sets) == 0
		})
		return n
	}
	return before - len(m)
}

// hint is the type of Store.hint: the latest time a sweep of any concern
// used, for the shards whose calls pass no time. It holds Unix nanoseconds
// (0: no time yet), so that raising it allocates nothing.
type hint struct{ ns atomic.Int64 }

// load returns the hint's time, or false when it holds none.
func (h *hint) load() (time.Time, bool) {
	ns := h.ns.Load()
	if ns == 0 {
		return time.Time{}, false
	}
	return time.Unix(0, ns).UTC(), true
}

// offer raises the hint to t, never lowering it. A time not after 1970
// (which no caller passes) leaves it unchanged: the hint holds none then.
func (h *hint) offer(t time.Time) {
	ns := t.UnixNano()
	for {
		old := h.ns.Load()
		if ns <= old {
			return
		}
		if h.ns.CompareAndSwap(old, ns) {
			return
		}
	}
}
