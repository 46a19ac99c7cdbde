package recovery

import (
	"context"
	"encoding/base64"
	"errors"
	"io"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/accountsec/accountsec/account"
	"github.com/accountsec/accountsec/event"
	"github.com/accountsec/accountsec/internal/env"
	"github.com/accountsec/accountsec/internal/keyhash"
	"github.com/accountsec/accountsec/internal/policycheck"
	"github.com/accountsec/accountsec/notify"
	"github.com/accountsec/accountsec/reason"
	"github.com/accountsec/accountsec/vocab"
)

// The default and bounds of ResetPolicy.TTL (docs/RULES.md §3).
const (
	// DefaultResetTTL is the lifetime of a reset token when the policy
	// leaves it zero.
	DefaultResetTTL = 30 * time.Minute
	// MinResetTTL is the shortest lifetime a policy may set.
	MinResetTTL = 5 * time.Minute
	// MaxResetTTL is the longest lifetime a policy may set.
	MaxResetTTL = 60 * time.Minute
)

// GateChannel is the channel under which a reset email is counted by the
// Gate. It is not notify.Email, so that a reset link does not use up the
// per-address interval of the email code the verification sends right
// after; each has its own budget per address.
const GateChannel = "email_reset"

// MaxClientIPBytes is the longest client IP accepted.
const MaxClientIPBytes = 128

// Sentinel errors, matched with errors.Is.
var (
	// ErrTokenMalformed: the token is not of the form the library issues
	// (see ParseToken). Nothing was looked up.
	ErrTokenMalformed = reason.New(reason.RecoveryTokenMalformed)
	// ErrTokenInvalid: no valid reset exists for the token: never issued,
	// expired, used, or replaced by a newer request.
	ErrTokenInvalid = reason.New(reason.RecoveryTokenInvalid)
	// ErrSessionsNotEnded: the password was reset, but the SessionEnder
	// failed (the cause is wrapped); end the account's sessions again.
	ErrSessionsNotEnded = reason.New(reason.RecoverySessionsNotEnded)
)

// MaxQueue is the largest ResetPolicy.Queue accepted.
const MaxQueue = 1 << 20

// DeliveryTimeout bounds each delivery the queue's worker makes: the
// sender's call gets a context that ends after it.
const DeliveryTimeout = time.Minute

// ResetPolicy is the password reset policy. A zero field means its default.
type ResetPolicy struct {
	// TTL is how long a reset token is valid (default 30 minutes; allowed
	// 5 to 60 minutes).
	TTL time.Duration `validate:"min=0,max=60m"`
	// Queue, when above zero, is the capacity of the delivery queue:
	// Request hands every request (known address or not) to it, and one
	// worker goroutine delivers the emails, so the sender's latency is not
	// in Request's response. The worker runs only while the queue holds
	// requests and stops when it is empty, so an idle Resets holds no
	// goroutine; [Resets.Flush] waits for it. When the queue is full the
	// request is dropped, for a known address as for an unknown one (the
	// same answer, no email, a PasswordResetSendFailed event with reason
	// "queue_full" for a known one). Zero (the default) delivers during
	// Request: then the sender's latency shows in the response of known
	// addresses only, unless the sender itself queues. At most MaxQueue.
	Queue int `validate:"min=0,max=1048576"`
}

// ResetConfig is what Resets needs from the host.
type ResetConfig struct {
	// Store keeps the pending resets. Required.
	Store Store
	// Accounts finds accounts by login email and writes the new password
	// (an *account.Service). Required.
	Accounts Accounts
	// Email delivers the reset token. Required.
	Email notify.EmailSender
	// Gate is asked before every reset email, known address or not, with
	// channel GateChannel (a *limits.SendLimiter). Required: a reset
	// request needs no account, so unlimited sending would let anyone
	// flood an inbox. Pass a gate that always allows to opt out.
	Gate notify.Gate
	// Verifier says whether the user passed identity verification for the
	// reset. Required (fail closed).
	Verifier Verifier
	// Sessions ends the account's sessions after a reset (a
	// *protection.Manager). Required.
	Sessions SessionEnder
	// Secret keys the hashes of tokens and email addresses. At least 16
	// bytes; changing it invalidates pending resets. Required.
	Secret []byte
	// Policy is the reset policy (zero means defaults).
	Policy ResetPolicy
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Rand is the randomness source; nil means crypto/rand.
	Rand io.Reader
	// Events receives security events; nil discards them.
	Events event.Hook
}

// Resets runs the forgotten-password reset of docs/RULES.md §3. It is safe for
// concurrent use; its state is in the store.
type Resets struct {
	store    Store
	accounts Accounts
	email    notify.EmailSender
	gate     notify.Gate
	verifier Verifier
	sessions SessionEnder
	keys     *keyhash.Hasher
	policy   ResetPolicy
	now      func() time.Time
	events   event.Hook

	randMu sync.Mutex // an io.Reader need not be safe for concurrent use
	rand   io.Reader

	// queue holds the deliveries waiting for the worker; nil delivers
	// during Request (Policy.Queue zero).
	queue chan delivery
	qmu   sync.Mutex
	// busy is closed when the running worker stops; nil while none runs.
	busy chan struct{}
	// lastKnown is the ID of the account the last request found, which a
	// request for an unknown address reads.
	lastKnown atomic.Pointer[string]
}

// decoyAccountID is the account an unknown address's request reads before
// any request found one: a well-formed ID that the store looks up.
const decoyAccountID = "000000000000"

// NewResets returns a Resets for cfg, or a reason.PolicyInvalid error naming
// the first missing dependency or the bad policy value.
func NewResets(cfg ResetConfig) (*Resets, error) {
	switch {
	case cfg.Store == nil:
		return nil, missing("Store", "a recovery.Store such as *memstore.Store")
	case cfg.Accounts == nil:
		return nil, missing("Accounts", "a recovery.Accounts such as *account.Service")
	case cfg.Email == nil:
		return nil, missing("Email", "a notify.EmailSender")
	case cfg.Gate == nil:
		return nil, missing("Gate", "a notify.Gate such as *limits.SendLimiter")
	case cfg.Verifier == nil:
		return nil, missing("Verifier", "a recovery.Verifier")
	case cfg.Sessions == nil:
		return nil, missing("Sessions", "a recovery.SessionEnder such as *protection.Manager")
	}
	if err := policycheck.Check("recovery.ResetPolicy", cfg.Policy); err != nil {
		return nil, err
	}
	p := cfg.Policy
	if p.TTL == 0 {
		p.TTL = DefaultResetTTL
	}
	if err := policycheck.Check("recovery.ResetPolicy", struct {
		TTL time.Duration `validate:"min=5m,max=60m"`
	}{p.TTL}); err != nil {
		return nil, err
	}
	keys, err := keyhash.New(cfg.Secret)
	if err != nil {
		return nil, err
	}
	r := &Resets{
		store: cfg.Store, accounts: cfg.Accounts, email: cfg.Email, gate: cfg.Gate,
		verifier: cfg.Verifier, sessions: cfg.Sessions, keys: keys, policy: p,
		now: env.Clock(cfg.Now), events: cfg.Events, rand: env.Rand(cfg.Rand),
	}
	if p.Queue > 0 {
		r.queue = make(chan delivery, p.Queue)
	}
	return r, nil
}

func missing(field, allowed string) error { return env.Missing("recovery.ResetConfig."+field, allowed) }

// Policy returns the resolved policy.
func (r *Resets) Policy() ResetPolicy { return r.policy }

// Request asks for a password reset of the account whose login email is
// email, from clientIP (may be empty; passed to the Gate).
//
// It never tells whether the address belongs to an account, by its answer
// or by the work it does: for a known address it stores a new token
// (replacing any older one) and emails it; for an unknown address, or one
// whose account has no password, it stores a decoy the same way (a record
// of the same size under an owner tag of the address in its own key scope,
// for a token that is drawn, hashed and never shown, so nobody can use it;
// it expires with the policy's TTL) and sends nothing. Both paths ask the
// Gate, read the accounts once, draw and hash a token and write the store
// once. With Policy.Queue set, both hand a delivery to the queue (an
// unknown address's delivery sends nothing), so the sender's latency is
// not in the response either; a full queue drops either alike.
//
// Errors are the same for every address: a reason-coded input error for an
// empty, too long or malformed address (nothing else was done), the Gate's
// refusal (for example *limits.RateLimitedError), or a
// reason.StoreUnavailable error (fail closed; nothing is sent). A failure
// of the email sender is not reported to the caller, who could otherwise
// tell a known address; the token is deleted and a PasswordResetSendFailed
// event is emitted.
//
// The token travels in Message.Code (which senders must not log), not in
// Params; Message.ExpiresAt is its expiry.
func (r *Resets) Request(ctx context.Context, email, clientIP string) error {
	if r == nil {
		return reason.Unavailable("the password reset", "accountsec.Deps.Email")
	}
	addr, err := account.Normalize(account.KindEmail, email)
	if err != nil {
		return err
	}
	switch {
	case len(clientIP) > MaxClientIPBytes:
		return reason.New(reason.InputTooLong).With("field", "client_ip").With("max", MaxClientIPBytes)
	case !utf8.ValidString(clientIP):
		return reason.New(reason.InputInvalidUTF8).With("field", "client_ip")
	}
	if err := r.gate.Allow(ctx, GateChannel, addr, clientIP); err != nil {
		return err
	}
	subject := r.keys.Key("reset-email", addr)
	accs, err := r.accounts.AccountsByLogin(ctx, account.MethodEmail, addr)
	if err != nil {
		return err
	}
	a, known := withPassword(accs)
	var owner string
	if known {
		owner = r.owner(a.ID)
		id := a.ID
		r.lastKnown.Store(&id)
	} else {
		// AccountsByLogin read the index only; read an account as it
		// does for a known address (the last one a request found).
		// The answer does not matter.
		id := decoyAccountID
		if p := r.lastKnown.Load(); p != nil {
			id = *p
		}
		_, _ = r.accounts.Account(ctx, id)
		owner = r.decoyOwner(addr)
	}
	token, err := r.newToken(owner)
	if err != nil {
		return err
	}
	now := r.now()
	// A decoy's AccountID is empty: were its token ever presented, the
	// record would not decode and the look-up would fail closed.
	rec := resetRecord{Owner: owner, ID: r.tokenID(token), AccountID: a.ID, ExpiresAt: now.Add(r.policy.TTL)}
	if err := r.putReset(ctx, rec, now); err != nil {
		return reason.Store(err)
	}
	d := delivery{rec: rec, subject: subject, known: known}
	if known {
		d.msg = notify.Message{
			Channel: notify.Email, To: a.LoginEmail(), Purpose: notify.PurposeResetPassword,
			AccountID: a.ID, Code: token, ExpiresAt: rec.ExpiresAt,
		}
	}
	r.deliver(ctx, d)
	return nil
}

// decoyOwner is the owner tag of the decoy record of an unknown address:
// a keyed hash in a scope of its own, so that it never equals the owner tag
// of an account, whose pending reset the decoy would otherwise replace.
func (r *Resets) decoyOwner(addr string) string {
	return base64.RawURLEncoding.EncodeToString(r.keys.Sum("reset-decoy", addr)[:ownerBytes])
}

// delivery is the rest of a request after its store write: the email of a
// known address, or nothing for an unknown one (which still takes its turn,
// so that both paths do the same work before the response).
type delivery struct {
	// ctx is the request's context; queued, without its cancellation.
	ctx     context.Context
	msg     notify.Message
	rec     resetRecord
	subject string
	known   bool
}

// deliver sends d now (no queue) or hands it to the queue's worker. A full
// queue drops d, whatever the address.
func (r *Resets) deliver(ctx context.Context, d delivery) {
	if r.queue == nil {
		r.send(ctx, d)
		return
	}
	d.ctx = context.WithoutCancel(ctx)
	select {
	case r.queue <- d:
		r.startWorker()
	default:
		if d.known {
			// The token stays stored but was never sent: it expires.
			r.emit(ctx, event.PasswordResetSendFailed, d.msg.AccountID, d.subject, map[string]string{"reason": "queue_full"})
		}
	}
}

// send delivers d: it emails a known address's token (deleting the token
// when the sender fails) and emits the request's event.
func (r *Resets) send(ctx context.Context, d delivery) {
	if !d.known {
		r.emit(ctx, event.PasswordResetRequested, "", d.subject, nil)
		return
	}
	if err := r.email.SendEmail(ctx, d.msg); err != nil {
		_ = r.deleteReset(ctx, d.rec, r.now()) // best effort: the token was never delivered
		cause := string(reason.CodeOf(err))
		if cause == "" {
			cause = "send_failed"
		}
		r.emit(ctx, event.PasswordResetSendFailed, d.msg.AccountID, d.subject, map[string]string{"reason": cause})
		return
	}
	r.emit(ctx, event.PasswordResetRequested, d.msg.AccountID, d.subject, nil)
}

// startWorker starts the queue's worker unless one runs.
func (r *Resets) startWorker() {
	r.qmu.Lock()
	defer r.qmu.Unlock()
	if r.busy != nil {
		return
	}
	r.busy = make(chan struct{})
	go r.work(r.busy)
}

// work delivers the queued requests one at a time and stops when the queue
// is empty. A request queued after the last check finds no worker running
// and starts one, so none waits for a worker that stopped.
func (r *Resets) work(busy chan struct{}) {
	for {
		select {
		case d := <-r.queue:
			ctx, cancel := context.WithTimeout(d.ctx, DeliveryTimeout)
			r.send(ctx, d)
			cancel()
			continue
		default:
		}
		r.qmu.Lock()
		if len(r.queue) > 0 {
			r.qmu.Unlock()
			continue
		}
		r.busy = nil
		close(busy)
		r.qmu.Unlock()
		return
	}
}

// Flush waits until the delivery queue is empty and its worker has stopped,
// or until ctx ends (its error is returned). Without a queue it returns at
// once. Use it in tests, and before a process exits so that queued emails
// are sent.
func (r *Resets) Flush(ctx context.Context) error {
	if r == nil {
		return reason.Unavailable("the password reset", "accountsec.Deps.Email")
	}
	for {
		r.qmu.Lock()
		busy := r.busy
		r.qmu.Unlock()
		if busy == nil {
			return nil
		}
		select {
		case <-busy:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// withPassword returns the first account that has an email login password.
func withPassword(accs []account.Account) (account.Account, bool) {
	for _, a := range accs {
		if a.LoginEmail() != "" && a.Password.Hash != "" {
			return a, true
		}
	}
	return account.Account{}, false
}

// PendingReset describes the reset a valid token belongs to.
type PendingReset struct {
	// AccountID is the account to reset.
	AccountID string
	// Binding binds the identity verification to this reset: start and
	// answer it with this binding and purpose PurposeResetPassword. It is
	// a keyed hash of the token (not the token) and changes with each new
	// request.
	Binding string
	// ExpiresAt is when the token stops being valid.
	ExpiresAt time.Time
}

// Lookup checks token without spending it, for the page the reset link
// opens and to start the identity verification. It returns
// ErrTokenMalformed (nothing looked up), ErrTokenInvalid, or a
// reason.StoreUnavailable error.
func (r *Resets) Lookup(ctx context.Context, token string) (PendingReset, error) {
	if r == nil {
		return PendingReset{}, reason.Unavailable("the password reset", "accountsec.Deps.Email")
	}
	rec, err := r.find(ctx, token)
	if err != nil {
		return PendingReset{}, err
	}
	return PendingReset{AccountID: rec.AccountID, Binding: r.binding(token), ExpiresAt: rec.ExpiresAt}, nil
}

// find returns the live reset of token.
func (r *Resets) find(ctx context.Context, token string) (resetRecord, error) {
	if !ParseToken(token) {
		return resetRecord{}, ErrTokenMalformed
	}
	rec, found, err := r.reset(ctx, tokenOwner(token), r.tokenID(token), r.now())
	switch {
	case err != nil:
		return resetRecord{}, reason.Store(err)
	case !found:
		r.emit(ctx, event.PasswordResetRejected, "", "", map[string]string{"reason": string(reason.RecoveryTokenInvalid)})
		return resetRecord{}, ErrTokenInvalid
	}
	return rec, nil
}

// Completion is the last step of a reset: the token and the new password.
type Completion struct {
	// Token is the reset token from the email.
	Token string
	// New is the new password.
	New string
	// Confirm repeats New.
	Confirm string
}

// Complete finishes a reset: it sets the account's password to c.New and
// ends all the account's sessions. It checks, in this order, and stops at
// the first refusal without spending the token:
//
//  1. the token's form (ErrTokenMalformed);
//  2. the new password against the policy (its reason-coded errors) and the
//     confirmation (account.ErrConfirmMismatch);
//  3. the token's validity (ErrTokenInvalid);
//  4. identity verification: the Verifier, asked about the account with
//     PendingReset.Binding and PurposeResetPassword. Its error is
//     returned unchanged when reason-coded (protection's
//     *protection.VerificationRequiredError is) and wrapped in
//     account.ErrVerificationRequired otherwise. The token stays valid
//     until its expiry, so the user verifies and submits again;
//  5. the account: an email login password (account.ErrNoPassword), and a
//     new password that is none of the recent ones (password.ErrReused).
//     This comes after verification, so that the token alone does not let
//     anyone test guesses against the password history.
//
// Only then is the token consumed, atomically, and the password written in
// one version-checked update. Of concurrent submissions of one token exactly
// one consumes it; the others get ErrTokenInvalid and write nothing. If the
// write fails after the consume (a store failure, or the password changed
// in that instant: account.ErrChangedMeanwhile), the token is spent and the
// user must request a new one.
//
// After the write, every session of the account ends (SessionEnder, keep "",
// cause CausePasswordReset), step-up grants included. If that fails, the
// password is reset all the same: Complete returns the updated account with
// ErrSessionsNotEnded wrapping the cause, and the caller should end the
// sessions again. Store failures are reason.StoreUnavailable errors; the
// token never appears in an error or event.
//
// The result carries the account and, when the account's login is locked,
// when the lock ends (Completed.LockedUntil): the reset does not lift it.
func (r *Resets) Complete(ctx context.Context, c Completion) (Completed, error) {
	if r == nil {
		return Completed{}, reason.Unavailable("the password reset", "accountsec.Deps.Email")
	}
	if !ParseToken(c.Token) {
		return Completed{}, ErrTokenMalformed
	}
	if c.New == "" {
		return Completed{}, reason.New(reason.InputEmpty).With("field", "password")
	}
	if err := r.accounts.PasswordPolicy().Check(c.New); err != nil {
		return Completed{}, err
	}
	if c.Confirm != c.New {
		return Completed{}, account.ErrConfirmMismatch
	}
	rec, err := r.find(ctx, c.Token)
	if err != nil {
		return Completed{}, err
	}
	p, err := r.verify(ctx, rec.AccountID, r.binding(c.Token))
	if err != nil {
		return Completed{}, err
	}
	a, err := r.accounts.ResetPassword(ctx, p, rec.AccountID, account.PasswordReset{
		New: c.New,
		Claim: func(ctx context.Context) error {
			consumed, err := r.consumeReset(ctx, rec, r.now())
			switch {
			case err != nil:
				return reason.Store(err)
			case !consumed:
				// Another submission won, the token expired meanwhile, or
				// a newer request replaced it.
				return ErrTokenInvalid
			}
			return nil
		},
	})
	if err != nil {
		return Completed{}, err
	}
	if err := r.sessions.EndOtherSessions(ctx, a.ID, "", CausePasswordReset); err != nil {
		return r.completed(ctx, a), ErrSessionsNotEnded.Wrap(err)
	}
	return r.completed(ctx, a), nil
}

// verify asks the Verifier about the reset of account id.
func (r *Resets) verify(ctx context.Context, id, binding string) (vocab.Proof, error) {
	p, err := r.verifier.VerifiedFor(ctx, id, binding, PurposeResetPassword)
	if err == nil {
		return p, nil
	}
	var re *reason.Error
	if errors.As(err, &re) {
		return vocab.Proof{}, err
	}
	return vocab.Proof{}, account.ErrVerificationRequired.Wrap(err)
}

// emit sends an event of the reset flow.
func (r *Resets) emit(ctx context.Context, kind event.Kind, accountID, subject string, attrs map[string]string) {
	r.events.Emit(ctx, event.Event{Kind: kind, At: r.now(), AccountID: accountID, Subject: subject, Scope: "reset", Attrs: attrs})
}
