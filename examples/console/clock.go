package main

import (
	"sync"
	"time"
)

// clock is the console's clock: the wall clock plus an offset that the admin
// page moves forward, so that lockouts, send intervals, cooling-off periods
// and link lifetimes can be seen to end without waiting. It never goes back
// (the stores expect time to move forward). TOTP codes follow it too: after
// a jump, an authenticator app on a phone is out of step with the console.
type clock struct {
	mu     sync.Mutex
	offset time.Duration
}

// Now is the console's time.
func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return time.Now().Add(c.offset)
}

// Advance moves the clock forward by d.
func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.offset += d
}

// Offset is how far ahead of the wall clock the console is.
func (c *clock) Offset() time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.offset
}
