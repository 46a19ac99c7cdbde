package mfa_test

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/accountsec/accountsec/event"
	"github.com/accountsec/accountsec/fakes"
	"github.com/accountsec/accountsec/limits"
	"github.com/accountsec/accountsec/mfa"
	"github.com/accountsec/accountsec/reason"
	"github.com/accountsec/accountsec/vocab"
)

func TestVerifyAcceptsACodeOnce(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	p := f.bound(t, account)

	f.clock.Advance(30 * time.Second)
	now := f.clock.Now()
	code := p.code(t, now)
	v, err := f.m.Verify(ctx, account, code)
	require.NoError(t, err)
	assert.Equal(t, step(now), v.Step)
	assert.True(t, now.Equal(v.At))

	// The same code again, in the same step.
	_, err = f.m.Verify(ctx, account, code)
	require.ErrorIs(t, err, mfa.ErrReplayed)
	assert.Equal(t, reason.MFAReplayed, reason.CodeOf(err))
	// Still refused 29 s later, in the same step or the next (skew).
	f.clock.Advance(29 * time.Second)
	_, err = f.m.Verify(ctx, account, code)
	require.ErrorIs(t, err, mfa.ErrReplayed)
	// With spaces or other decorations: refused before anything else.
	for _, s := range []string{" " + code, code + " ", code[:3] + " " + code[3:], code[:3] + "-" + code[3:]} {
		_, err = f.m.Verify(ctx, account, s)
		require.ErrorIs(t, err, mfa.ErrMalformed, "%q", s)
	}
	assert.Equal(t, 2, f.failures(t, account), "replays count, malformed codes do not")
	assert.Equal(t, 2, f.events.Count(event.MFAFailed))
	assert.Equal(t, 1, f.events.Count(event.MFAVerified))
}

func TestVerifyRefusesAnEarlierStepAfterALaterOne(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	p := f.bound(t, account)

	f.clock.Advance(10 * time.Minute)
	now := f.clock.Now()
	// The phone runs 30 s fast: its code for T+1 is accepted…
	v, err := f.m.Verify(ctx, account, p.code(t, now.Add(30*time.Second)))
	require.NoError(t, err)
	assert.Equal(t, step(now)+1, v.Step)
	// …and then a code for T (or T-1), though within the skew, is older
	// than an accepted one.
	_, err = f.m.Verify(ctx, account, p.code(t, now))
	require.ErrorIs(t, err, mfa.ErrReplayed)
	_, err = f.m.Verify(ctx, account, p.code(t, now.Add(-30*time.Second)))
	require.ErrorIs(t, err, mfa.ErrReplayed)
	// Two steps later the next code is fine.
	f.clock.Advance(60 * time.Second)
	_, err = f.m.Verify(ctx, account, p.code(t, f.clock.Now()))
	require.NoError(t, err)
}

func TestConfirmingCodeCannotLogIn(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	e, err := f.m.Enrol(ctx, allow(account, vocab.OpBindMFA), account, "")
	require.NoError(t, err)
	p := phoneOf(t, e)
	code := p.code(t, f.clock.Now())
	_, err = f.m.Confirm(ctx, allow(account, vocab.OpBindMFA), account, e.DeviceID, code, mfa.Usage{Login: true})
	require.NoError(t, err)
	_, err = f.m.Verify(ctx, account, code)
	require.ErrorIs(t, err, mfa.ErrReplayed)
}

func TestSkew(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		policy  mfa.Policy
		offsets map[int]bool // step offset → accepted
	}{
		{"default", mfa.Policy{}, map[int]bool{-3: false, -2: false, -1: true, 0: true, 1: true, 2: false, 3: false}},
		{"none", mfa.Policy{NoSkew: true}, map[int]bool{-2: false, -1: false, 0: true, 1: false, 2: false}},
		{"three", mfa.Policy{Skew: 3}, map[int]bool{-4: false, -3: true, -1: true, 0: true, 3: true, 4: false}},
	} {
		for off, accepted := range tc.offsets {
			t.Run(tc.name+"/"+time.Duration(off*30*int(time.Second)).String(), func(t *testing.T) {
				t.Parallel()
				f := newFixture(t, withPolicy(tc.policy))
				p := f.bound(t, account)
				// T is well after the confirming step, in the middle of
				// its 30 seconds.
				f.clock.Advance(time.Hour + 15*time.Second)
				now := f.clock.Now()
				v, err := f.m.Verify(context.Background(), account, p.code(t, now.Add(time.Duration(off)*30*time.Second)))
				if accepted {
					require.NoError(t, err)
					assert.Equal(t, step(now)+int64(off), v.Step)
				} else {
					require.ErrorIs(t, err, mfa.ErrMismatch)
				}
			})
		}
	}
}

func TestSkewAtStepBoundaries(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	p := f.bound(t, account)
	ctx := context.Background()
	// At the first and the last second of a step, T-1 and T+1 are still
	// the neighbours of that step.
	f.clock.Set(time.Unix(step(f.clock.Now())*30+3000, 0)) // start of a step
	v, err := f.m.Verify(ctx, account, p.code(t, f.clock.Now().Add(-time.Second)))
	require.NoError(t, err, "the previous step, one second ago")
	assert.Equal(t, step(f.clock.Now())-1, v.Step)
	f.clock.Advance(29 * time.Second) // last second of the step
	v, err = f.m.Verify(ctx, account, p.code(t, f.clock.Now().Add(time.Second)))
	require.NoError(t, err, "the next step, one second ahead")
	assert.Equal(t, step(f.clock.Now())+1, v.Step)
}

func TestWrongCodesCountAndLock(t *testing.T) {
	t.Parallel()
	f := newFixture(t) // 5 failures lock
	ctx := context.Background()
	p := f.bound(t, account)
	f.clock.Advance(time.Minute)
	right := p.code(t, f.clock.Now())
	wrong := wrongCode(right)

	for i := range 4 {
		_, err := f.m.Verify(ctx, account, wrong)
		require.ErrorIs(t, err, mfa.ErrMismatch)
		assert.Equal(t, 4-i, paramOf(err, "remaining"), "attempt %d", i+1)
		// Each attempt is a "new login": nothing resets the count.
	}
	// Malformed codes are not counted.
	for range 20 {
		_, err := f.m.Verify(ctx, account, "12345")
		require.ErrorIs(t, err, mfa.ErrMalformed)
	}
	assert.Equal(t, 4, f.failures(t, account))

	// The fifth wrong code locks, and says so.
	_, err := f.m.Verify(ctx, account, wrong)
	require.ErrorIs(t, err, mfa.ErrMismatch)
	require.ErrorIs(t, err, limits.ErrLocked)
	var locked *limits.LockedError
	require.ErrorAs(t, err, &locked)

	// Now even the right code is refused without being checked.
	_, err = f.m.Verify(ctx, account, right)
	require.ErrorIs(t, err, limits.ErrLocked)
	require.NotErrorIs(t, err, mfa.ErrMismatch)
	assert.Equal(t, 1, f.events.Count(event.Locked))

	// The lock ends on its own; the right code of that time works.
	f.clock.Set(locked.Until)
	_, err = f.m.Verify(ctx, account, p.code(t, f.clock.Now()))
	require.NoError(t, err)
}

func TestSuccessDoesNotForgiveFailures(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	p := f.bound(t, account)
	for range 3 {
		f.clock.Advance(30 * time.Second)
		right := p.code(t, f.clock.Now())
		_, err := f.m.Verify(ctx, account, wrongCode(right))
		require.ErrorIs(t, err, mfa.ErrMismatch)
		_, err = f.m.Verify(ctx, account, right)
		require.NoError(t, err)
	}
	assert.Equal(t, 3, f.failures(t, account), "a success gives back only its own slot")
}

// wrongCode returns a code that differs from right in its first digit.
func wrongCode(right string) string {
	return string('0'+(right[0]-'0'+5)%10) + right[1:]
}

func TestConcurrentSubmissionsOfOneCode(t *testing.T) {
	t.Parallel()
	f := newFixtureAt(t, fakes.Epoch, limits.Lockout{MaxFailures: 100})
	p := f.bound(t, account)
	f.clock.Advance(time.Minute)
	code := p.code(t, f.clock.Now())

	const goroutines = 20
	var ok, replayed, other atomic.Int32
	start := make(chan struct{})
	var wg sync.WaitGroup
	for range goroutines {
		wg.Go(func() {
			<-start
			_, err := f.m.Verify(context.Background(), account, code)
			switch {
			case err == nil:
				ok.Add(1)
			case errors.Is(err, mfa.ErrReplayed):
				replayed.Add(1)
			default:
				other.Add(1)
			}
		})
	}
	close(start)
	wg.Wait()
	assert.Equal(t, int32(1), ok.Load(), "accepted")
	assert.Equal(t, int32(goroutines-1), replayed.Load(), "replayed")
	assert.Zero(t, other.Load())
}

func TestVerifyWithoutDevice(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	_, err := f.m.Verify(ctx, account, "123456")
	require.ErrorIs(t, err, mfa.ErrNotBound)
	_, err = f.m.Verify(ctx, "", "123456")
	assert.Equal(t, reason.InputEmpty, reason.CodeOf(err))
	_, err = f.m.Verify(ctx, "\xff", "123456")
	assert.Equal(t, reason.InputInvalidUTF8, reason.CodeOf(err))
	_, found, err := f.m.Device(ctx, account)
	require.NoError(t, err)
	assert.False(t, found)
}

func TestEightDigitDevices(t *testing.T) {
	t.Parallel()
	f := newFixture(t, withPolicy(mfa.Policy{Digits: 8, Algorithm: mfa.SHA512}))
	ctx := context.Background()
	p := f.bound(t, account)
	f.clock.Advance(time.Minute)
	code := p.code(t, f.clock.Now())
	require.Len(t, code, 8)
	_, err := f.m.Verify(ctx, account, code[:6])
	require.ErrorIs(t, err, mfa.ErrMalformed)
	assert.Equal(t, 8, paramOf(err, "digits"))
	assert.Equal(t, "the MFA code must be 8 digits [mfa.malformed]", err.Error())
	_, err = f.m.Verify(ctx, account, code)
	require.NoError(t, err)
}

// paramOf returns the int parameter key of the first reason-coded error in
// err's tree that has it, or -1.
func paramOf(err error, key string) int {
	var found = -1
	var walk func(error)
	walk = func(err error) {
		if err == nil || found >= 0 {
			return
		}
		if e, ok := err.(*reason.Error); ok {
			if v, ok := e.Params[key].(int); ok {
				found = v
				return
			}
		}
		switch u := err.(type) {
		case interface{ Unwrap() []error }:
			for _, c := range u.Unwrap() {
				walk(c)
			}
		case interface{ Unwrap() error }:
			walk(u.Unwrap())
		}
	}
	walk(err)
	return found
}
