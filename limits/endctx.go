package limits

import (
	"context"
	"sync"
	"sync/atomic"
	"time"
)

// endCtx is the context an attempt is ended under: the values of the
// caller's context, none of its cancellation, and a deadline EndTimeout
// away. It is what context.WithTimeout(context.WithoutCancel(ctx),
// EndTimeout) gives, without a clock read or a timer unless the store asks
// for them: the deadline and its timer start at the first call of Done or
// Deadline, which a store makes as it starts waiting (a network store); a
// store that never waits (the memory store) only calls Err, which is nil
// until Done is closed.
//
// For a store that keeps no call's context ([CallScoped]), end contexts
// come from a pool: one that was never armed (no timer, no channel) goes
// back to the pool when its calls are over, so ending an attempt on a store
// that never waits allocates nothing. An armed one is left to the garbage
// collector, since a context derived from it may still watch its channel.
// For any other store every end gets a fresh context, which nothing ever
// reuses.
type endCtx struct {
	parent   context.Context
	once     sync.Once
	armed    atomic.Bool
	deadline time.Time
	done     chan struct{}
	timer    *time.Timer
}

// endPool holds end contexts that were never armed, their parent cleared.
var endPool = sync.Pool{New: func() any { return new(endCtx) }}

// newEndCtx returns the end context of ctx, from the pool when pooled (the
// store is CallScoped). Call stop when done with it, or finish when it was
// only passed to store calls that have returned.
func newEndCtx(ctx context.Context, pooled bool) *endCtx {
	if !pooled {
		return &endCtx{parent: ctx}
	}
	c := endPool.Get().(*endCtx)
	c.parent = ctx
	return c
}

// finish ends a context that was only passed to store calls, all of which
// have returned: recycled when it came from the pool, stopped otherwise.
func (c *endCtx) finish(pooled bool) {
	if pooled {
		c.recycle()
		return
	}
	c.stop()
}

// Deadline is EndTimeout after the first call of Deadline or Done.
func (c *endCtx) Deadline() (time.Time, bool) {
	c.once.Do(c.arm)
	return c.deadline, true
}

// Done returns a channel closed at the deadline.
func (c *endCtx) Done() <-chan struct{} {
	c.once.Do(c.arm)
	return c.done
}

func (c *endCtx) arm() {
	c.deadline = time.Now().Add(EndTimeout)
	c.done = make(chan struct{})
	c.timer = time.AfterFunc(EndTimeout, func() { close(c.done) })
	c.armed.Store(true)
}

// Err is context.DeadlineExceeded once Done is closed, nil before.
func (c *endCtx) Err() error {
	if !c.armed.Load() {
		return nil
	}
	select {
	case <-c.done:
		return context.DeadlineExceeded
	default:
		return nil
	}
}

// Value is the caller's context's value.
func (c *endCtx) Value(key any) any { return c.parent.Value(key) }

// stop releases the timer, if one was started. The context is not used
// after it (a store that keeps it past its call finds it never done).
func (c *endCtx) stop() {
	if c.armed.Load() {
		c.timer.Stop()
	}
}

// recycle is stop for a pooled context that was passed only to store calls
// of a CallScoped store, all of which have returned: such a store keeps no
// call's context, so a context that was never armed is unreferenced and
// goes back to the pool. Contexts handed to event hooks, which may keep them,
// are stopped, never recycled.
func (c *endCtx) recycle() {
	if c.armed.Load() {
		c.timer.Stop()
		return
	}
	c.parent = nil
	endPool.Put(c)
}
