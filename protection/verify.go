package protection

import (
	"context"
	"errors"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/accountsec/accountsec/event"
	"github.com/accountsec/accountsec/limits"
	"github.com/accountsec/accountsec/notify"
	"github.com/accountsec/accountsec/reason"
	"github.com/accountsec/accountsec/vocab"
)

// PurposeLogin is the purpose of the verification of a login's second step
// (login protection and remote-login protection). It is reserved for the
// login flow.
const PurposeLogin = "login"

// ScopeStepUp is the grant scope of a step-up: a verification for any
// operation of the catalog lets the binding perform every sensitive
// operation until the grant ends.
const ScopeStepUp = "step_up"

// MaxBindingBytes and MaxPurposeBytes bound the binding and purpose of a
// verification.
const (
	MaxBindingBytes = 256
	MaxPurposeBytes = MaxOperationBytes
)

// sessionPrefix and loginPrefix start the bindings of sessions and of
// pending logins. The login prefix is reserved: a host binding may not use
// it.
const (
	sessionPrefix = "session:"
	loginPrefix   = "login:"
)

// SessionBinding returns the binding of the session with ID id; the same as
// Session.Binding.
func SessionBinding(id string) string { return sessionPrefix + id }

type bindingKey struct{}

// WithBinding returns a context that carries binding, for [Manager.Verified]
// (the identity gate other packages call without knowing the session).
func WithBinding(ctx context.Context, binding string) context.Context {
	return context.WithValue(ctx, bindingKey{}, binding)
}

// WithSession returns a context that carries the session's binding. Put the
// session of the request in the context before calling flows of other
// packages that ask for identity verification.
func WithSession(ctx context.Context, s Session) context.Context {
	return WithBinding(ctx, s.Binding())
}

// BindingFrom returns the binding that ctx carries.
func BindingFrom(ctx context.Context) (string, bool) {
	b, ok := ctx.Value(bindingKey{}).(string)
	return b, ok && b != ""
}

// Options are the verification methods an account can use for a purpose,
// under the rules of docs/SECURITY.md ("Methods and channels").
type Options struct {
	// Purpose is the purpose asked about (PurposeLogin for a login's second
	// step).
	Purpose string
	// Configured is the method the account's settings name for the purpose:
	// login protection or the remote-login method for a login, the MFA
	// binding method for binding or unbinding MFA, operation protection for
	// the other operations of the catalog. None when they name none (and
	// for a host purpose outside the catalog).
	Configured Method
	// Preferred is the method to offer first: Configured when the account
	// can use it for the purpose; otherwise the first method that
	// qualifies, in the order MFA, SMS, Email, WeChatScan, Face.
	Preferred Method
	// Alternatives are the other methods that qualify, in the same order.
	// There are none when Preferred is Configured: a configured method that
	// the account can use is the only one accepted. Otherwise a method
	// qualifies when the account can use it, its channel may serve the
	// purpose (never email for a password login or a password reset) and,
	// when a method is configured, it is at least as strong (see
	// [Strength]). Under Policy.StrictMethods there are never alternatives.
	Alternatives []Method
}

// Methods returns Preferred followed by Alternatives.
func (o Options) Methods() []Method { return append([]Method{o.Preferred}, o.Alternatives...) }

// Options returns the methods the account can use to verify for purpose.
// The configured method comes from the account's operation protection (or
// MFA binding method) for an operation of the catalog. It returns
// ErrNoMethod when no method qualifies. When it offers a method other than
// the configured one it emits event.AlternativeOffered.
func (m *Manager) Options(ctx context.Context, accountID, purpose string) (Options, error) {
	if err := checkPurpose(purpose); err != nil {
		return Options{}, err
	}
	p, err := m.profile(ctx, accountID)
	if err != nil {
		return Options{}, err
	}
	return m.offer(ctx, p, purpose, m.preferredFor(p, purpose), VerifyScope)
}

// preferredFor is the method the account's settings name for purpose:
// the MFA binding method (if set) for binding or unbinding MFA, operation
// protection for the other operations of the catalog, none otherwise.
func (m *Manager) preferredFor(p Profile, purpose string) Method {
	if _, ok := m.catalog.Lookup(purpose); !ok {
		return ""
	}
	s := p.Settings.resolved()
	if (purpose == OpBindMFA || purpose == OpUnbindMFA) && s.MFABindingMethod != None {
		return s.MFABindingMethod
	}
	return s.OperationProtection
}

// available reports whether the account has method and the host wired a
// verifier for it.
func (m *Manager) available(p Profile, method Method) bool {
	if !p.Has(method) {
		return false
	}
	switch method {
	case MFA:
		return m.mfa != nil
	case SMS, Email:
		return m.codes != nil
	case WeChatScan:
		return m.wechat != nil
	case Face:
		return m.face != nil
	}
	return false
}

// options are the methods that may verify the account for purpose (not a
// login) when its settings name configured ("" or None: none).
func (m *Manager) options(p Profile, purpose string, configured Method) (Options, error) {
	return m.choose(p, purpose, "", configured)
}

// loginOptions are the methods that may complete the second step of a login
// whose first step was loginMethod; configured is login protection's method
// when it asks for the second step, otherwise the remote-login method.
func (m *Manager) loginOptions(p Profile, loginMethod string, configured Method) (Options, error) {
	return m.choose(p, PurposeLogin, loginMethod, configured)
}

// choose applies the rules of docs/SECURITY.md ("Methods and channels"): a
// configured method the account can use for the purpose is the only one
// accepted; otherwise every usable method of at least its strength (any
// usable method when none is configured) qualifies. A method is usable when
// the account can use it and its channel may serve the purpose.
func (m *Manager) choose(p Profile, purpose, loginMethod string, configured Method) (Options, error) {
	if configured == "" {
		configured = None
	}
	usable := func(method Method) bool {
		return m.available(p, method) && serves(method, purpose, loginMethod)
	}
	o := Options{Purpose: purpose, Configured: configured}
	if configured != None && usable(configured) {
		o.Preferred = configured
		return o, nil
	}
	var qualify []Method
	for _, method := range defaultOrder {
		if usable(method) && (configured == None || AtLeastAsStrong(method, configured)) {
			qualify = append(qualify, method)
		}
	}
	if len(qualify) == 0 {
		return Options{Purpose: purpose, Configured: configured}, ErrNoMethod
	}
	o.Preferred = qualify[0]
	if !m.policy.StrictMethods && len(qualify) > 1 {
		o.Alternatives = qualify[1:]
	}
	return o, nil
}

// offer is options with the events of an offer: AlternativeOffered when a
// method other than the configured one is offered, NoAcceptableMethod when
// none qualifies.
func (m *Manager) offer(ctx context.Context, p Profile, purpose string, configured Method, scope string) (Options, error) {
	o, err := m.options(p, purpose, configured)
	m.offered(ctx, p, o, err, scope)
	return o, err
}

// offerLogin is loginOptions with the events of an offer.
func (m *Manager) offerLogin(ctx context.Context, p Profile, loginMethod string, configured Method) (Options, error) {
	o, err := m.loginOptions(p, loginMethod, configured)
	m.offered(ctx, p, o, err, "login")
	return o, err
}

// offered emits the event of the offer o (or of its failure err).
func (m *Manager) offered(ctx context.Context, p Profile, o Options, err error, scope string) {
	switch {
	case m.events == nil:
	case errors.Is(err, ErrNoMethod):
		m.emit(ctx, event.NoAcceptableMethod, p.AccountID, scope, time.Time{},
			map[string]string{"purpose": o.Purpose, "configured": string(o.Configured)})
	case err == nil && o.Preferred != o.Configured:
		m.emit(ctx, event.AlternativeOffered, p.AccountID, scope, time.Time{}, map[string]string{
			"purpose": o.Purpose, "configured": string(o.Configured),
			"methods": joinMethods(o.Methods()), "reason": m.fallbackReason(p, o.Configured),
		})
	}
}

// fallbackReason says why the configured method is not the one offered.
func (m *Manager) fallbackReason(p Profile, configured Method) string {
	switch {
	case configured == None:
		return "not_configured"
	case !p.Has(configured):
		return "not_bound"
	case !m.available(p, configured):
		return "verifier_missing"
	}
	return "excluded_channel"
}

// usedAlternative emits AlternativeUsed when a verification by method
// succeeded for a step whose configured method is another.
func (m *Manager) usedAlternative(ctx context.Context, accountID, scope, purpose string, method, configured Method) {
	if method == configured {
		return
	}
	m.emit(ctx, event.AlternativeUsed, accountID, scope, time.Time{},
		map[string]string{"method": string(method), "configured": string(configured), "purpose": purpose})
}

func joinMethods(ms []Method) string {
	s := make([]string, len(ms))
	for i, method := range ms {
		s[i] = string(method)
	}
	return strings.Join(s, ",")
}

// StartRequest starts an identity verification.
type StartRequest struct {
	// AccountID is the account to verify. Required.
	AccountID string
	// Binding is what the result is bound to: Session.Binding() for a
	// signed-in user, or another value of the host's for a flow without a
	// session (for example "reset:" plus a reset request ID). Required; at
	// most MaxBindingBytes; it may not start with "login:".
	Binding string
	// Purpose is what the verification is for: an operation of the catalog
	// (the result is then a step-up of the binding), or the host's own
	// purpose. Required.
	Purpose string
	// Method is the method the user chose; empty means the preferred one.
	// It must be one of the methods [Manager.Options] offers for the
	// purpose.
	Method Method
	// ClientIP is passed to the code sender's rate limits; may be empty.
	ClientIP string
}

// Challenge is a started verification.
type Challenge struct {
	// ID identifies the challenge; send it back with the answer. It is a
	// random token, stored only as a hash.
	ID string
	// Method is the method chosen.
	Method Method
	// Purpose is what the verification is for.
	Purpose string
	// SentTo is the masked phone or email a code was sent to (SMS, Email).
	SentTo string
	// URL is what the user scans or opens (WeChatScan, Face), if the host
	// gave one.
	URL string
	// ExpiresAt is when the challenge can no longer be answered.
	ExpiresAt time.Time
}

// StartVerification starts a verification of the account by req.Method (or
// the preferred method): it sends the code for SMS and Email, and begins
// the scan or face check at the host for WeChatScan and Face. A method that
// Options does not offer for the purpose (the account lacks it, a weaker one
// than the configured method, email for a password reset) is
// ErrMethodUnavailable, and event.MethodRefused is emitted.
func (m *Manager) StartVerification(ctx context.Context, req StartRequest) (Challenge, error) {
	if err := checkBinding(req.Binding); err != nil {
		return Challenge{}, err
	}
	if err := checkPurpose(req.Purpose); err != nil {
		return Challenge{}, err
	}
	p, err := m.profile(ctx, req.AccountID)
	if err != nil {
		return Challenge{}, err
	}
	o, err := m.options(p, req.Purpose, m.preferredFor(p, req.Purpose))
	if err != nil {
		return Challenge{}, err
	}
	return m.start(ctx, p, req.Binding, req.Purpose, req.Method, o.Methods(), req.ClientIP)
}

// start begins a challenge by method (empty: offered[0]), which must be
// among offered.
func (m *Manager) start(ctx context.Context, p Profile, binding, purpose string, method Method, offered []Method, clientIP string) (Challenge, error) {
	if method == "" {
		method = offered[0]
	}
	if !slices.Contains(offered, method) {
		m.emit(ctx, event.MethodRefused, p.AccountID, VerifyScope, time.Time{},
			map[string]string{"method": string(method), "purpose": purpose, "reason": "not_offered"})
		return Challenge{}, ErrMethodUnavailable.With("method", string(method))
	}
	now := m.now()
	rec := ChallengeRecord{
		AccountID: p.AccountID, Binding: binding, Purpose: purpose, Method: method,
		CreatedAt: now, ExpiresAt: now.Add(m.policy.ChallengeTTL),
	}
	out := Challenge{Method: method, Purpose: purpose, ExpiresAt: rec.ExpiresAt}
	token, id, err := m.newToken()
	if err != nil {
		return Challenge{}, err
	}
	rec.ID, out.ID = id, token
	switch method {
	case SMS, Email:
		t := codeTarget(p, method, purpose)
		if _, err := m.codes.Send(ctx, t, clientIP); err != nil {
			return Challenge{}, err
		}
		rec.Destination = t.Destination
		out.SentTo = mask(method, t.Destination)
	case WeChatScan, Face:
		hc, err := m.hostStart(ctx, method, p.AccountID)
		if err != nil {
			return Challenge{}, ErrVerifierUnavailable.With("method", string(method)).Wrap(err)
		}
		rec.Ticket, out.URL = hc.Ticket, hc.URL
	}
	if err := m.putChallenge(ctx, rec); err != nil {
		return Challenge{}, reason.Store(err)
	}
	m.emit(ctx, event.VerificationStarted, p.AccountID, VerifyScope, rec.ExpiresAt,
		map[string]string{"method": string(method), "purpose": purpose})
	return out, nil
}

// codeTarget is the notify target of an SMS or email code. A code for a
// login never verifies another purpose, and the other way round.
func codeTarget(p Profile, method Method, purpose string) notify.Target {
	t := notify.Target{Purpose: notify.PurposeVerifyIdentity, AccountID: p.AccountID}
	if purpose == PurposeLogin {
		t.Purpose = notify.PurposeLogin
	}
	if method == SMS {
		t.Channel, t.Destination = notify.SMS, p.SecurityPhone
	} else {
		t.Channel, t.Destination = notify.Email, p.SecurityEmail
	}
	return t
}

func (m *Manager) hostStart(ctx context.Context, method Method, accountID string) (HostChallenge, error) {
	if method == WeChatScan {
		return m.wechat.StartScan(ctx, accountID)
	}
	return m.face.StartFace(ctx, accountID)
}

func (m *Manager) hostResult(ctx context.Context, method Method, accountID, ticket string) (HostResult, error) {
	if method == WeChatScan {
		return m.wechat.ScanResult(ctx, accountID, ticket)
	}
	return m.face.FaceResult(ctx, accountID, ticket)
}

// AnswerRequest answers a started verification.
type AnswerRequest struct {
	// AccountID is the account; it must be the challenge's.
	AccountID string
	// Binding must be the one the challenge was started with.
	Binding string
	// Purpose must be the one the challenge was started with.
	Purpose string
	// Challenge is Challenge.ID.
	Challenge string
	// Answer is the code for MFA, SMS and Email; it is ignored for
	// WeChatScan and Face, whose result the host reports.
	Answer string
}

// Verification is a successful identity verification, bound to an account,
// a binding and a purpose.
type Verification struct {
	// AccountID is the account verified.
	AccountID string
	// Binding is the session (or other binding) the grant is bound to.
	Binding string
	// Purpose is what the verification was for.
	Purpose string
	// Method is the method that verified.
	Method Method
	// At is when it succeeded.
	At time.Time
	// ExpiresAt is when the grant it gave ends (Policy.StepUpTTL after At).
	ExpiresAt time.Time
}

// AnswerVerification checks the answer to a challenge. On success the
// challenge is spent and a grant is stored until Policy.StepUpTTL from now:
// a step-up of the binding when the purpose is an operation of the catalog,
// otherwise a grant for that purpose only. [Manager.Authorize] and
// [Manager.Verified] then allow it.
//
// Wrong answers count once, in their factor's scope: SMS and email codes
// and host rejections under VerifyScope per account, MFA codes only in the
// MFA verifier's own scope (mfa.LimiterScope); a locked account gets
// *limits.LockedError before its answer is checked. A
// WeChat scan or face check not finished yet is ErrNotConfirmed (not
// counted; ask again). Errors: ErrChallengeInvalid, the code errors of
// notify and mfa, ErrRejected, ErrVerifierUnavailable, or a
// reason.StoreUnavailable error; on every error nothing is granted.
func (m *Manager) AnswerVerification(ctx context.Context, req AnswerRequest) (Verification, error) {
	if err := checkBinding(req.Binding); err != nil {
		return Verification{}, err
	}
	if err := checkPurpose(req.Purpose); err != nil {
		return Verification{}, err
	}
	p, err := m.profile(ctx, req.AccountID)
	if err != nil {
		return Verification{}, err
	}
	// The rules are applied again: the account or its settings may have
	// changed since the start.
	o, err := m.options(p, req.Purpose, m.preferredFor(p, req.Purpose))
	var accepted []Method
	if err == nil {
		accepted = o.Methods()
	}
	c, err := m.answer(ctx, p, req.Challenge, req.Binding, req.Purpose, req.Answer, accepted)
	if err != nil {
		return Verification{}, err
	}
	m.usedAlternative(ctx, p.AccountID, VerifyScope, req.Purpose, c.Method, o.Configured)
	now := m.now()
	g := grant{
		AccountID: p.AccountID, Binding: req.Binding, Scope: m.scopeOf(req.Binding, req.Purpose),
		Method: c.Method, GrantedAt: now, ExpiresAt: now.Add(m.policy.StepUpTTL),
	}
	if err := m.putGrant(ctx, g); err != nil {
		return Verification{}, reason.Store(err)
	}
	m.emit(ctx, event.StepUpGranted, p.AccountID, VerifyScope, g.ExpiresAt,
		map[string]string{"method": string(c.Method), "purpose": req.Purpose, "scope": g.Scope})
	return Verification{
		AccountID: p.AccountID, Binding: req.Binding, Purpose: req.Purpose,
		Method: c.Method, At: now, ExpiresAt: g.ExpiresAt,
	}, nil
}

// scopeOf is the grant scope of a verification in binding for purpose: a
// step-up (every operation of the catalog) only when a session verified
// for an operation of the catalog; otherwise that purpose alone, so that a
// verification bound to a flow without a session (a password reset's
// "reset:" binding) authorises its own purpose and nothing else.
func (m *Manager) scopeOf(binding, purpose string) string {
	if _, ok := m.catalog.Lookup(purpose); ok && strings.HasPrefix(binding, sessionPrefix) {
		return ScopeStepUp
	}
	return purpose
}

// answer checks the answer to the challenge with token, which must belong to
// the account, binding and purpose and be by one of the accepted methods, and
// spends the challenge on success. A method not accepted is refused before
// the answer is checked, so nothing is counted or spent.
func (m *Manager) answer(ctx context.Context, p Profile, token, binding, purpose, answer string, accepted []Method) (ChallengeRecord, error) {
	id, ok := tokenID(token)
	if !ok {
		return ChallengeRecord{}, ErrChallengeInvalid
	}
	c, found, err := m.challenge(ctx, id, m.now())
	switch {
	case err != nil:
		return ChallengeRecord{}, reason.Store(err)
	case !found || c.AccountID != p.AccountID || c.Binding != binding || c.Purpose != purpose:
		return ChallengeRecord{}, ErrChallengeInvalid
	case !m.available(p, c.Method) || !slices.Contains(accepted, c.Method):
		// The device, contact or link was removed since the start, or the
		// step no longer accepts the method.
		m.emit(ctx, event.MethodRefused, p.AccountID, VerifyScope, time.Time{},
			map[string]string{"method": string(c.Method), "purpose": purpose, "reason": "not_accepted"})
		return ChallengeRecord{}, ErrMethodUnavailable.With("method", string(c.Method))
	}
	if (c.Method == SMS || c.Method == Email) && codeTarget(p, c.Method, purpose).Destination != c.Destination {
		// The security phone or email changed since the code was sent.
		return ChallengeRecord{}, ErrChallengeInvalid
	}
	if err := m.check(ctx, p, c, answer); err != nil {
		if errors.Is(err, ErrNotConfirmed) {
			return ChallengeRecord{}, err // still waiting: not a failure
		}
		m.emit(ctx, event.VerificationFailed, p.AccountID, VerifyScope, time.Time{},
			map[string]string{"method": string(c.Method), "purpose": purpose, "reason": string(reason.CodeOf(err))})
		return ChallengeRecord{}, err
	}
	if found, err := m.consumeChallenge(ctx, id, m.now()); err != nil {
		return ChallengeRecord{}, reason.Store(err)
	} else if !found {
		// Another answer to the same challenge won.
		return ChallengeRecord{}, ErrChallengeInvalid
	}
	m.emit(ctx, event.VerificationSucceeded, p.AccountID, VerifyScope, time.Time{},
		map[string]string{"method": string(c.Method), "purpose": purpose})
	return c, nil
}

// counted are the refusals that count as a failed answer. Everything else
// (malformed input, a store or host failure, a lock of another limiter)
// gives the reserved slot back.
// MFA codes are not among them: the MFA verifier counts those itself.
var counted = []error{
	notify.ErrMismatch, notify.ErrInvalid,
	ErrRejected,
}

// check verifies answer, counting a wrong one once, in its factor's scope.
// An MFA code is counted by the MFA verifier alone (mfa.Manager.Verify
// counts it under mfa.LimiterScope, refuses a locked account and reports
// the tries remaining), so it takes no slot of VerifyScope: counting it
// twice would let wrong TOTP codes lock SMS and email verification too.
// Every other answer is checked under a reserved failure slot of
// VerifyScope.
func (m *Manager) check(ctx context.Context, p Profile, c ChallengeRecord, answer string) error {
	if c.Method == MFA {
		return m.checkAnswer(ctx, p, c, answer)
	}
	a, err := m.limiter.Begin(ctx, VerifyScope, p.AccountID)
	if err != nil {
		return err
	}
	err = m.checkAnswer(ctx, p, c, answer)
	if err == nil {
		if err := a.Succeed(ctx); err != nil {
			return err
		}
		return nil
	}
	for _, target := range counted {
		if errors.Is(err, target) {
			if lock := a.Fail(ctx); lock != nil {
				return errors.Join(err, lock)
			}
			return err
		}
	}
	return errors.Join(err, a.Succeed(ctx))
}

// checkAnswer asks the method's verifier.
func (m *Manager) checkAnswer(ctx context.Context, p Profile, c ChallengeRecord, answer string) error {
	switch c.Method {
	case MFA:
		err := m.mfa.Verify(ctx, p.AccountID, answer)
		var lock *limits.LockedError
		if err == nil || reason.CodeOf(err) != "" || errors.As(err, &lock) {
			return err
		}
		return ErrVerifierUnavailable.With("method", string(MFA)).Wrap(err)
	case SMS, Email:
		return m.codes.Verify(ctx, codeTarget(p, c.Method, c.Purpose), answer)
	case WeChatScan, Face:
		res, err := m.hostResult(ctx, c.Method, p.AccountID, c.Ticket)
		switch {
		case err != nil:
			return ErrVerifierUnavailable.With("method", string(c.Method)).Wrap(err)
		case res == HostConfirmed:
			return nil
		case res == HostRejected:
			return ErrRejected.With("method", string(c.Method))
		}
		return ErrNotConfirmed
	}
	return ErrMethodUnavailable.With("method", string(c.Method))
}

// Verified is the identity gate for a change made outside a session, such
// as a password reset: the binding comes from ctx (see [WithBinding],
// [WithSession]). When the binding holds a grant for purpose (a step-up,
// for an operation of the catalog), or purpose is an operation the
// account's protection does not ask to verify, it returns the
// [vocab.Proof] of purpose for the account and binding, valid for ProofTTL
// and never beyond the grant's end; pass it to the guarded method (for a
// reset, account.Service.ResetPassword with purpose OpResetPassword).
// Otherwise it returns *VerificationRequiredError naming the methods. A ctx
// without a binding is reason.InputEmpty (field "binding"). On every error
// the proof is the zero Proof.
func (m *Manager) Verified(ctx context.Context, accountID, purpose string) (vocab.Proof, error) {
	binding, ok := BindingFrom(ctx)
	if !ok {
		return vocab.Proof{}, reason.New(reason.InputEmpty).With("field", "binding")
	}
	if err := checkPurpose(purpose); err != nil {
		return vocab.Proof{}, err
	}
	if accountID == "" {
		return vocab.Proof{}, reason.New(reason.InputEmpty).With("field", "account_id")
	}
	if op, ok := m.catalog.Lookup(purpose); ok {
		return m.authorize(ctx, accountID, "", binding, op)
	}
	now := m.now()
	g, found, err := m.grant(ctx, accountID, binding, purpose, m.now())
	switch {
	case err != nil:
		return vocab.Proof{}, reason.Store(err)
	case found:
		return mint(accountID, binding, purpose, now, g.ExpiresAt), nil
	}
	p, err := m.profile(ctx, accountID)
	if err != nil {
		return vocab.Proof{}, err
	}
	o, err := m.offer(ctx, p, purpose, "", VerifyScope)
	if err != nil {
		return vocab.Proof{}, err
	}
	return vocab.Proof{}, &VerificationRequiredError{Purpose: purpose, Methods: []Method{o.Preferred}, Alternatives: o.Alternatives}
}

// VerifiedFor is Verified with the binding given rather than read from
// ctx, for flows without a session (a password reset names its own
// binding).
func (m *Manager) VerifiedFor(ctx context.Context, accountID, binding, purpose string) (vocab.Proof, error) {
	return m.Verified(WithBinding(ctx, binding), accountID, purpose)
}

func checkBinding(b string) error {
	switch {
	case b == "":
		return reason.New(reason.InputEmpty).With("field", "binding")
	case len(b) > MaxBindingBytes:
		return reason.New(reason.InputTooLong).With("field", "binding").With("max", MaxBindingBytes)
	case !utf8.ValidString(b):
		return reason.New(reason.InputInvalidUTF8).With("field", "binding")
	case strings.HasPrefix(b, loginPrefix):
		return reason.New(reason.InputMalformed).With("field", "binding")
	}
	return nil
}

func checkPurpose(p string) error {
	switch {
	case p == "":
		return reason.New(reason.InputEmpty).With("field", "purpose")
	case p == PurposeLogin:
		return reason.New(reason.InputMalformed).With("field", "purpose")
	case !validOpName(p):
		return reason.New(reason.InputMalformed).With("field", "purpose")
	}
	return nil
}

// mask hides most of a phone number or email address for display: the last
// four digits of a phone, the first character and the domain of an email.
func mask(method Method, dest string) string {
	if method == SMS {
		r := []rune(dest)
		if len(r) <= 4 {
			return strings.Repeat("*", len(r))
		}
		return strings.Repeat("*", len(r)-4) + string(r[len(r)-4:])
	}
	local, domain, ok := strings.Cut(dest, "@")
	if !ok || local == "" {
		return "***"
	}
	first, _ := utf8.DecodeRuneInString(local)
	return string(first) + "***@" + domain
}
