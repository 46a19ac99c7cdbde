package mfa

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/accountsec/accountsec/event"
	"github.com/accountsec/accountsec/reason"
)

// Verification reports an accepted TOTP code.
type Verification struct {
	// DeviceID is the device that verified.
	DeviceID string
	// Kind is the device's kind.
	Kind Kind
	// Step is the RFC 6238 time step the code matched (Unix time divided
	// by the period). It is now the device's last-used step: no code of this
	// or an earlier step is accepted again.
	Step int64
	// At is when the code was accepted, from the Manager's clock: the
	// reading the code was checked against.
	At time.Time
}

// Verify checks a TOTP code of the account's active device, for login
// protection, operation protection or any other step-up.
//
// code must be exactly the device's number of ASCII digits; anything else
// is ErrMalformed and is not counted. Otherwise the attempt counts in the
// limiter (LimiterScope, account ID) before the code is checked: a locked
// account gets *limits.LockedError whatever the code. The code must match
// one of the steps within the policy's skew of now, and that step must be
// later than the last step accepted: the code is accepted once, and a code
// older than one already accepted is ErrReplayed. The device's last-used
// step advances to the matched step in one atomic store operation, so of
// concurrent submissions of one code exactly one succeeds.
//
// Errors: ErrNotBound, ErrMalformed, ErrMismatch and ErrReplayed (both
// counted, with a "remaining" parameter, joined with *limits.LockedError when
// the failure locked the account), *limits.LockedError, ErrKeyUnavailable,
// or a reason.StoreUnavailable error (fail closed; nothing counted).
func (m *Manager) Verify(ctx context.Context, accountID, code string) (Verification, error) {
	if err := checkAccount(accountID); err != nil {
		return Verification{}, err
	}
	return m.verifyFast(ctx, accountID, code) // hotverify.go
}

// verifyDevice is Verify for the active device of a loaded account
// document. It also returns the account's document as last read or
// written.
func (m *Manager) verifyDevice(ctx context.Context, doc accountDoc, code string) (Verification, accountDoc, error) {
	d := *doc.active
	c := candidateOf(d, d.LastStep)
	var tok tokenDoc
	if d.Kind == Hardware {
		// The step of a hardware device is kept on its token.
		var found bool
		var err error
		if tok, found, err = m.loadToken(ctx, d.Serial); err != nil {
			return Verification{}, doc, err
		} else if !found {
			return Verification{}, doc, reason.Store(fmt.Errorf("mfa: hardware token %s of device %s is missing", d.Serial, d.ID))
		}
		c.last = tok.lastStep
	}
	step, err := m.attempt(ctx, &c, code, func(step int64) error {
		// errReplayedCode when another submission of the same or a later
		// code won the race, or the device was unbound meanwhile.
		var err error
		doc, err = m.spendStep(ctx, doc, tok, step)
		return err
	})
	if err != nil {
		return Verification{}, doc, err
	}
	if m.events != nil {
		m.emit(ctx, event.MFAVerified, d.AccountID, d, map[string]string{"step": strconv.FormatInt(step, 10)})
	}
	return Verification{DeviceID: d.ID, Kind: d.Kind, Step: step, At: c.at}, doc, nil
}

// candidate is a TOTP key to check a code against: an active device, a
// pending enrolment or a hardware token before it is bound.
type candidate struct {
	// dev names the device (or token) in events; its TOTP parameters are
	// the ones used.
	dev deviceRecord
	// sealed is the secret. Its associated data (see ad) binds it to the
	// device ID (adKind Virtual) or the token's serial number (Hardware)
	// adName.
	sealed Sealed
	adKind Kind
	adName string
	// last is the last accepted step (-1 when none).
	last int64
	// at is the time match checked the code at (the Manager's clock, read
	// once per verification).
	at time.Time
}

// candidateOf is the candidate of a device (active or pending) whose last
// accepted step is last.
func candidateOf(d deviceRecord, last int64) candidate {
	c := candidate{dev: d, sealed: d.Secret, adKind: Virtual, adName: d.ID, last: last}
	if d.Kind == Hardware {
		c.adKind, c.adName = Hardware, d.Serial
	}
	return c
}

// ad returns the associated data c's secret was sealed with.
func (c *candidate) ad() []byte {
	if c.adKind == Hardware {
		return tokenAD(c.adName)
	}
	return deviceAD(c.adName)
}

// Internal outcomes of matching, turned into counted failures by attempt.
var (
	errWrongCode    = errors.New("wrong code")
	errReplayedCode = errors.New("replayed code")
)

// attempt parses code, reserves a failure slot in the limiter, matches the
// code against c (setting c.at) and, when it matches a step after c.last,
// calls commit with that step. commit may return errReplayedCode (counted as a replay) or any
// other error (returned, not counted). It returns the matched step.
func (m *Manager) attempt(ctx context.Context, c *candidate, code string, commit func(step int64) error) (int64, error) {
	if !ParseCode(code, c.dev.Digits) {
		return 0, ErrMalformed.With("digits", c.dev.Digits)
	}
	a, err := m.limiter.Begin(ctx, LimiterScope, c.dev.AccountID)
	if err != nil {
		return 0, err
	}
	step, err := m.match(c, code)
	if err == nil {
		err = commit(step)
	}
	var base *reason.Error
	switch {
	case err == nil:
		// A failure to give the slot back only leaves one extra failure
		// counted; the code is already spent, so report the success.
		_ = a.Succeed(ctx)
		return step, nil
	case errors.Is(err, errWrongCode):
		base = ErrMismatch
	case errors.Is(err, errReplayedCode):
		base = ErrReplayed
	default:
		_ = a.Succeed(ctx) // not the user's failure
		return 0, err
	}
	lockErr := a.Fail(ctx)
	if m.events != nil {
		m.emit(ctx, event.MFAFailed, c.dev.AccountID, c.dev, map[string]string{"reason": string(base.Code)})
	}
	if lockErr != nil {
		return 0, errors.Join(base.With("remaining", 0), lockErr)
	}
	return 0, base.With("remaining", remainingParam(max(a.Remaining(), 0)))
}

// remainingParam returns n boxed as a parameter value: the same int as
// any(n), without allocating for n below len(boxedRemaining). (The runtime
// boxes values below 256 without allocating; the larger ones are boxed
// once here. A boxed int is immutable, so they are shared safely.)
func remainingParam(n int) any {
	if n >= 0 && n < len(boxedRemaining) {
		return boxedRemaining[n]
	}
	return n
}

// boxedRemaining holds any(n) for every n up to a failure limit far above
// any that makes sense for a code of six or eight digits.
var boxedRemaining = func() (b [1024]any) {
	for n := range b {
		b[n] = n
	}
	return b
}()

// match keys an HMAC with c's secret and looks for code in the skew
// window around now.
func (m *Manager) match(c *candidate, code string) (int64, error) {
	o := getOTP(c.dev.Algorithm, c.dev.Digits)
	defer putOTP(c.dev.Algorithm, o)
	if err := m.keyOTP(o.mac.(*fastHMAC), c); err != nil {
		return 0, err
	}
	c.at = m.now()
	step, replayed := o.match(code, stepAt(c.at, c.dev.Period), m.policy.SkewSteps(), c.last)
	switch {
	case step >= 0:
		return step, nil
	case replayed:
		return 0, errReplayedCode
	}
	return 0, errWrongCode
}

// keyOTP keys mac with c's secret: from the key cache when it holds the
// secret's states, else by opening the sealed secret (and caching it).
func (m *Manager) keyOTP(mac *fastHMAC, c *candidate) error {
	key, err := m.keyring.Key(c.sealed.KeyID)
	if err != nil {
		return ErrKeyUnavailable.Wrap(err)
	}
	if e := m.hmacs.lookup(c, key); e != nil {
		mac.useStates(e.inner, e.outer)
		return nil
	}
	buf := secretBufs.Get().(*secretBuf)
	defer secretBufs.Put(buf)
	secret, err := m.aeads.openWith(key, c.sealed, c.ad(), buf)
	if err != nil {
		return err
	}
	mac.setKey(secret)
	clear(secret)
	m.hmacs.store(c, key, mac)
	return nil
}
