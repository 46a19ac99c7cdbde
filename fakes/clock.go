// Package fakes holds recording fakes of the interfaces a host supplies, for
// tests and examples: a settable clock ([Clock]), an outbox that records SMS
// and email messages ([Outbox]), an event recorder ([Events]), the host's
// WeChat-scan and face verification ([HostVerifier], which also checks
// persons by name and identity number), an MFA verifier ([MFA]), GeoIP
// ([Geo]), an asset directory and identity face checks for finding an
// account ([Assets], [IdentityFaces]), the WeCom side of the sub-users
// ([WeCom]), and store wrappers that count calls and fail or lose the ones
// a test names ([Faults], [Sequence], [StateStore], [CounterStore],
// [CodeStore], [AccountStore]).
//
//	clock := fakes.NewClock(start)
//	outbox := &fakes.Outbox{}
//	svc, err := accountsec.New(cfg, accountsec.Deps{SMS: outbox, Email: outbox, Now: clock.Now})
//	_, err = svc.Accounts.SendRegistrationCode(ctx, email, ip)
//	code := outbox.LastCode(email)
//	clock.Advance(time.Minute)
//
// They are safe for concurrent use. They are not for production.
package fakes

import (
	"sync"
	"time"
)

// Clock is a settable clock. Pass its Now method wherever accountsec takes a
// `Now func() time.Time`. The zero Clock starts at 2026-01-01 00:00:00 UTC.
type Clock struct {
	mu  sync.Mutex
	now time.Time
}

// Epoch is the time a zero Clock starts at.
var Epoch = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// NewClock returns a clock set to t.
func NewClock(t time.Time) *Clock { return &Clock{now: t} }

// Now returns the clock's current time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.now.IsZero() {
		c.now = Epoch
	}
	return c.now
}

// Advance moves the clock forward by d and returns the new time.
func (c *Clock) Advance(d time.Duration) time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.now.IsZero() {
		c.now = Epoch
	}
	c.now = c.now.Add(d)
	return c.now
}

// Set sets the clock to t.
func (c *Clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = t
}
