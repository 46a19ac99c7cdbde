package limits

import (
	"context"
	"errors"
	"time"
	"unicode/utf8"

	"github.com/accountsec/accountsec/event"
	"github.com/accountsec/accountsec/internal/env"
	"github.com/accountsec/accountsec/internal/keyhash"
	"github.com/accountsec/accountsec/reason"
)

// MaxSubjectBytes is the longest subject (identifier, IP) a limiter accepts.
const MaxSubjectBytes = 1024

// EndTimeout bounds the store call that ends an attempt or refunds a send
// slot. Ending does not depend on the caller's context being alive: a
// request that was cancelled or ran past its deadline must still give its
// reservation back, or right answers that time out would pile up as
// failures and lock the subject. The call therefore runs under
// context.WithoutCancel of the caller's context (its values, not its
// cancellation), bounded by this timeout of its own.
const EndTimeout = 2 * time.Second

// Sentinel errors, matched with errors.Is.
var (
	// ErrLocked matches *LockedError.
	ErrLocked = reason.New(reason.LimitsLocked)
	// ErrRateLimited matches *RateLimitedError.
	ErrRateLimited = reason.New(reason.LimitsRateLimited)
)

// LockedError says a subject is locked until Until. It is returned whether
// or not the credential would have been right, and before it is checked.
type LockedError struct {
	// Until is when the lock expires on its own.
	Until time.Time
}

// Error renders the English message.
func (e *LockedError) Error() string { return e.Unwrap().Error() }

// Unwrap returns the reason-coded form (code limits.locked, param until).
func (e *LockedError) Unwrap() error {
	return ErrLocked.With("until", e.Until.UTC().Format(time.RFC3339))
}

// RateLimitedError says a send was refused; RetryAfter is when the earliest
// refusing limit frees up.
type RateLimitedError struct {
	// RetryAfter is the time to wait before the next try.
	RetryAfter time.Duration
}

// Error renders the English message.
func (e *RateLimitedError) Error() string { return e.Unwrap().Error() }

// Unwrap returns the reason-coded form (code limits.rate_limited).
func (e *RateLimitedError) Unwrap() error {
	return ErrRateLimited.With("retry_after", e.RetryAfter.Round(time.Second).String())
}

// Config is what a limiter needs from the host.
type Config struct {
	// Store holds the counters. Required.
	Store CounterStore
	// Secret keys the HMAC that turns subjects into store keys, so a store
	// never holds identifiers. At least 16 bytes. Required.
	Secret []byte
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Events receives security events; nil discards them.
	Events event.Hook
}

type base struct {
	store  CounterStore
	keys   *keyhash.Hasher
	now    func() time.Time
	events event.Hook
	cache  *keyCache
	// reuse is true when the store keeps no call's context (see
	// [CallScoped]): end contexts are then recycled.
	reuse bool
}

// CallScoped is implemented by a [CounterStore] whose calls answer at once
// (they never wait on anything: the in-memory store) and keep no reference
// to the context of a call once it has returned: they neither start work
// that outlives the call with it nor hand it to anything that does. The
// limiters then reuse the contexts they end attempts under, which spares an
// allocation per attempt, and [Limiter.AnswersAtOnce] tells callers that
// overlapping its calls with other work gains nothing. A store that does
// not implement it (a wrapper, a host's store, any network store) gets a
// fresh context for every end, which is always safe.
type CallScoped interface {
	CounterStore
	// KeepsNoCallContext documents the promise; it is never called.
	KeepsNoCallContext()
}

func newBase(cfg Config) (base, error) {
	if cfg.Store == nil {
		return base{}, env.Missing("limits.Config.Store", "a CounterStore")
	}
	keys, err := keyhash.New(cfg.Secret)
	if err != nil {
		return base{}, err
	}
	_, reuse := cfg.Store.(CallScoped)
	return base{store: cfg.Store, keys: keys, now: env.Clock(cfg.Now), events: cfg.Events, cache: new(keyCache), reuse: reuse}, nil
}

// key validates subject and returns its store key under scope.
func (b *base) key(scope, subject string) (string, error) {
	if k, ok := b.cache.get(scope, subject); ok {
		return k, nil
	}
	if scope == "" {
		return "", reason.New(reason.InputEmpty).With("field", "scope")
	}
	s := keyhash.Normalize(subject)
	switch {
	case s == "":
		return "", reason.New(reason.InputEmpty).With("field", "subject")
	case len(subject) > MaxSubjectBytes:
		return "", reason.New(reason.InputTooLong).With("field", "subject").With("max", MaxSubjectBytes)
	case !utf8.ValidString(subject):
		return "", reason.New(reason.InputInvalidUTF8).With("field", "subject")
	}
	k := b.keys.Key(scope, s)
	b.cache.put(scope, subject, k)
	return k, nil
}

// Limiter is the attempt limiter behind lockout: at most MaxFailures
// failures per subject within the window, then a lock until it expires.
//
// The failure budget is reserved before the expensive check and given back
// on success, so however many attempts run at once, no more than
// MaxFailures are ever evaluated:
//
//	a, err := lim.Begin(ctx, "login", email)
//	if err != nil {
//		return err // *LockedError, or a store error: refuse without hashing
//	}
//	if passwordMatches(...) {
//		a.Succeed(ctx)
//	} else {
//		a.Fail(ctx)
//	}
type Limiter struct {
	base
	policy Lockout
}

// NewLimiter returns a Limiter for policy p (zero fields mean defaults).
func NewLimiter(cfg Config, p Lockout) (*Limiter, error) {
	b, err := newBase(cfg)
	if err != nil {
		return nil, err
	}
	pol, err := Policy{Lockout: p}.Resolve()
	if err != nil {
		return nil, err
	}
	return &Limiter{base: b, policy: pol.Lockout}, nil
}

// Policy returns the resolved policy.
func (l *Limiter) Policy() Lockout { return l.policy }

// AnswersAtOnce reports whether the limiter's counter store is a
// [CallScoped] one, whose calls return without waiting: running them beside
// other work (as a login overlaps its refund with its session write on a
// network store) then only costs.
func (l *Limiter) AnswersAtOnce() bool { return l.reuse }

// Attempt is one reserved try. End it with exactly one of Succeed or Fail;
// an Attempt never ended counts as a failure, which is the safe side.
type Attempt struct {
	l     *Limiter
	scope string
	key   string
	// counter is the counter as Reserve returned it, its ExpiresAt only
	// when the reservation took the last slot (the only case that reads
	// it).
	counter Counter
	ended   bool
}

// Begin reserves one failure slot for subject in scope (for example
// "login" and the login identifier). It returns *LockedError when no slot is
// left, and a reason.StoreUnavailable error when the store fails; in both
// cases the caller must refuse without checking the credential.
func (l *Limiter) Begin(ctx context.Context, scope, subject string) (*Attempt, error) {
	// Small enough to inline, so that a caller that ends the attempt
	// itself keeps it on its stack; begin fills it in place rather than
	// returning a copy.
	return l.begin(ctx, scope, subject, &Attempt{})
}

// begin reserves the slot of Begin into a and returns a, or nil and the
// error.
func (l *Limiter) begin(ctx context.Context, scope, subject string, a *Attempt) (*Attempt, error) {
	key, err := l.key(scope, subject)
	if err != nil {
		return nil, err
	}
	now := l.now()
	c, ok, err := l.store.Reserve(ctx, key, Reservation{
		Limit:         int64(l.policy.MaxFailures),
		Now:           now,
		ExpiresAt:     now.Add(l.policy.Window),
		FullExpiresAt: now.Add(l.policy.LockDuration),
	})
	if err != nil {
		return nil, reason.Store(err)
	}
	if !ok {
		return nil, &LockedError{Until: c.ExpiresAt}
	}
	a.l, a.scope, a.key = l, scope, key
	// The expiry is only read when this was the last slot (Fail reports
	// the lock): copying it otherwise is a third of the attempt's fields.
	a.counter.Count, a.counter.Window = c.Count, c.Window
	if c.Count >= int64(l.policy.MaxFailures) {
		a.counter.ExpiresAt = c.ExpiresAt
	}
	return a, nil
}

// endContext returns the context under which an attempt is ended: ctx's
// values without its cancellation or deadline, bounded by [EndTimeout].
func endContext(ctx context.Context) (context.Context, context.CancelFunc) {
	c := newEndCtx(ctx, false)
	return c, c.stop
}

// Succeed gives the reserved slot back; call it for a right answer and for
// no answer (the check could not run or did not finish). Earlier failures
// in the window are not forgiven. It works even when ctx is already
// cancelled or past its deadline: see [EndTimeout].
func (a *Attempt) Succeed(ctx context.Context) error {
	if a.ended {
		return nil
	}
	a.ended = true
	end := newEndCtx(ctx, a.l.reuse)
	err := a.l.store.Release(end, a.key, a.counter.Window, a.l.now())
	end.finish(a.l.reuse)
	if err != nil {
		return reason.Store(err)
	}
	return nil
}

// Fail keeps the reserved slot as a failure; call it only for a wrong
// answer that the check really computed. If it was the last slot, the
// subject is now locked and a Locked event is emitted (even when ctx is
// already cancelled: see [EndTimeout]); Fail then returns *LockedError so
// the caller can tell the user.
func (a *Attempt) Fail(ctx context.Context) error {
	if a.ended {
		return nil
	}
	a.ended = true
	if a.counter.Count < int64(a.l.policy.MaxFailures) {
		return nil
	}
	ctx, cancel := endContext(ctx)
	defer cancel()
	a.l.events.Emit(ctx, event.Event{
		Kind:    event.Locked,
		At:      a.l.now(),
		Scope:   a.scope,
		Subject: a.key,
		Until:   a.counter.ExpiresAt,
	})
	return &LockedError{Until: a.counter.ExpiresAt}
}

// Remaining is how many failures the attempt leaves before the lock, not
// counting attempts still in flight elsewhere.
func (a *Attempt) Remaining() int {
	return a.l.policy.MaxFailures - int(a.counter.Count)
}

// Do runs check under a reserved slot: a locked subject gets *LockedError
// and check does not run; check's (true, nil) gives the slot back; (false,
// nil) keeps it as a failure; an error from check gives the slot back (the
// user did not fail) and is returned. It reports whether check succeeded.
//
// An error is "no answer", never a wrong answer: in particular a check that
// fails with context.Canceled or context.DeadlineExceeded (the request went
// away while the hasher or the store was working) costs the subject
// nothing, and the slot is given back although ctx is dead. A check that
// returns (false, nil) did compute a wrong answer and counts as a failure
// even if ctx dies right after, so a short deadline buys no free guesses.
func (l *Limiter) Do(ctx context.Context, scope, subject string, check func(context.Context) (bool, error)) (bool, error) {
	a, err := l.Begin(ctx, scope, subject)
	if err != nil {
		return false, err
	}
	ok, err := check(ctx)
	if err != nil {
		return false, errors.Join(err, a.Succeed(ctx))
	}
	if ok {
		return true, a.Succeed(ctx)
	}
	return false, a.Fail(ctx)
}

// Status describes a subject's failures.
type Status struct {
	// Failures is the number of failures (and attempts in flight) counted.
	Failures int
	// LockedUntil is when the lock ends; zero when not locked.
	LockedUntil time.Time
	// WindowEnds is when the counted failures are forgotten; zero when none.
	WindowEnds time.Time
}

// Status reports the subject's failures and lock without changing them.
func (l *Limiter) Status(ctx context.Context, scope, subject string) (Status, error) {
	key, err := l.key(scope, subject)
	if err != nil {
		return Status{}, err
	}
	c, err := l.store.Get(ctx, key, l.now())
	if err != nil {
		return Status{}, reason.Store(err)
	}
	s := Status{Failures: int(c.Count)}
	if c.Count > 0 {
		s.WindowEnds = c.ExpiresAt
	}
	if c.Count >= int64(l.policy.MaxFailures) {
		s.LockedUntil = c.ExpiresAt
	}
	return s, nil
}

// Unlock lifts a lock and forgets the subject's failures. It is for
// operators (a support desk after checking identity); the console gives the
// user no way to unlock early. It emits an Unlocked event if the subject was
// locked.
func (l *Limiter) Unlock(ctx context.Context, scope, subject string) error {
	st, err := l.Status(ctx, scope, subject)
	if err != nil {
		return err
	}
	key, _ := l.key(scope, subject)
	if err := l.store.Delete(ctx, key); err != nil {
		return reason.Store(err)
	}
	if !st.LockedUntil.IsZero() {
		l.events.Emit(ctx, event.Event{Kind: event.Unlocked, At: l.now(), Scope: scope, Subject: key})
	}
	return nil
}
