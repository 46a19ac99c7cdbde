package protection

import (
	"context"
	"errors"
	"slices"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/accountsec/accountsec/account"
	"github.com/accountsec/accountsec/event"
	"github.com/accountsec/accountsec/internal/keyhash"
	"github.com/accountsec/accountsec/internal/proof"
	"github.com/accountsec/accountsec/limits"
	"github.com/accountsec/accountsec/reason"
	"github.com/accountsec/accountsec/vocab"
)

// LoginMethodPassword is the login method of a password login.
const LoginMethodPassword = "password"

// MaxLoginBytes bounds the login identifier, client IP, device name and
// third-party method of a login.
const MaxLoginBytes = 1024

// LoginRequest is the first step of a password login.
type LoginRequest struct {
	// Login is the login identifier (the login email). Required.
	Login string
	// Password is the password typed. It is never stored or logged.
	Password string
	// ClientIP is the client's IP address, for remote-login protection and
	// the session list.
	ClientIP string
	// DeviceToken is the token of a trusted device from an earlier login
	// (LoginResult.DeviceToken), if the browser has one.
	DeviceToken string
	// DeviceName describes the device (a browser and OS) for the session
	// and trusted-device lists.
	DeviceName string
}

// ThirdPartyLogin is the first step of a login the host has authenticated
// with a third party (WeChat, QQ, WeCom, WeChat Official Account).
type ThirdPartyLogin struct {
	// AccountID is the account the third-party identity is bound to.
	// Required.
	AccountID string
	// Method is the login method ("wechat", "qq", "wecom", "wechat_oa").
	// Required.
	Method string
	// ClientIP, DeviceToken and DeviceName are as in LoginRequest.
	ClientIP    string
	DeviceToken string
	DeviceName  string
}

// Pending is a login that waits for its second step.
type Pending struct {
	// Token identifies the pending login; give it to the client for the
	// second step (StartLoginChallenge, CompleteLogin). It is random and
	// stored only as a hash; only CompleteLogin can finish it, once.
	Token string
	// AccountID is the account signing in.
	AccountID string
	// SecondFactor is true when login protection asks for the second step.
	SecondFactor bool
	// UnusualLocation is true when remote-login protection asks for it
	// (the city is not a usual one). One verification answers both.
	UnusualLocation bool
	// Options are the methods the user can verify with.
	Options Options
	// ExpiresAt is when the pending login lapses.
	ExpiresAt time.Time
}

// LoginResult is the outcome of a login step: either a session (Session
// and Token set) or a second step to take (Pending set).
type LoginResult struct {
	// Session is the new session; nil while Pending is set.
	Session *Session
	// Token is the session token: give it to the client (for example in
	// a Secure, HttpOnly cookie). It is never stored; only its hash is.
	Token string
	// Pending is set when the login needs a second step.
	Pending *Pending
	// DeviceToken is set when CompleteLogin trusted the device: give it to
	// the client in a long-lived cookie and pass it back at later logins.
	DeviceToken string
}

// AccountLockScope counts wrong passwords per account: the password logins
// to the account's login identifier and the wrong old passwords of a
// password change (the facade gives this scope to account.Config). While an
// account is locked in this scope no login method starts a session: not a
// password login, not a third-party login (LoginWith), not the second step
// of a login begun before the lock (CompleteLogin). The lock follows the
// account, so changing the login email does not lift it.
const AccountLockScope = "login-account"

// Login is the first step of a password login. In this order:
//
//  1. the login identifier is looked up (no hashing);
//  2. a failure slot is reserved: of the account (AccountLockScope) when
//     the identifier names one, of the identifier (LoginScope) when it does
//     not, so that known and unknown identifiers lock alike; a locked one
//     gets *limits.LockedError before any hashing;
//  3. the password is checked (an unknown identifier does the same hashing
//     work against a dummy hash and gets the same ErrWrongCredentials); an
//     outdated hash of a right password is replaced by a fresh one (one
//     more hash, no second check);
//  4. the account's lock is read again (see afterFirstStep);
//  5. remote-login protection, if on, resolves the client's city;
//  6. login protection, unless the device is trusted.
//
// After a right password the refund of step 2's slot and the read of step 4
// run beside steps 5 and 6 and the session write, and are waited for before
// the session or the pending login leaves (see lockWait): a login that ends
// in a session waits for two store round trips, the reservation and then
// the three together, and answers as if they had run in this order. On a
// counter store that never waits (the in-memory one, [limits.CallScoped])
// they run in this order, before step 5: beside the rest they would save
// no time and cost two goroutines.
//
// A wrong password is ErrWrongCredentials. The wrong password that locks is
// an error whose reason code (reason.CodeOf) is limits.locked, so that a
// host that switches on the code tells the user the account is now locked;
// it matches errors.Is(err, ErrWrongCredentials) and
// errors.As(err, **limits.LockedError) as well.
//
// When neither protection asks for more, the result holds the session.
// Otherwise it holds a Pending login: call StartLoginChallenge and
// CompleteLogin. A store failure at any step is a reason.StoreUnavailable
// error, distinct from ErrWrongCredentials, and no session is created.
func (m *Manager) Login(ctx context.Context, req LoginRequest) (LoginResult, error) {
	if m.creds == nil || m.pw == nil {
		return LoginResult{}, missing("Credentials", "a protection.Credentials and a protection.PasswordVerifier")
	}
	if err := checkLoginInput("login", req.Login, true); err != nil {
		return LoginResult{}, err
	}
	if err := checkLoginFields(req.ClientIP, req.DeviceName, req.DeviceToken); err != nil {
		return LoginResult{}, err
	}
	// The keyed subject is for the events of a refusal only: computed
	// there, not for every login.
	subject := func() string { return m.keys.Key(LoginScope, keyhash.Normalize(req.Login)) }
	cred, found, err := m.creds.PasswordCredential(ctx, req.Login)
	if err != nil {
		return LoginResult{}, reason.Store(err)
	}
	if cred.AccountID == "" {
		found = false
	}
	scope, counted := LoginScope, req.Login
	if found {
		scope, counted = AccountLockScope, cred.AccountID
	}
	a, err := m.limiter.Begin(ctx, scope, counted)
	if err != nil {
		var lock *limits.LockedError
		if errors.As(err, &lock) {
			m.emitLogin(ctx, event.LoginLocked, cred.AccountID, subject(), lock.Until, req.ClientIP, string(reason.LimitsLocked), "")
		}
		return LoginResult{}, err
	}
	rehash, err := m.checkPassword(ctx, a, cred, found, req.Password)
	if err != nil {
		if errors.Is(err, ErrWrongCredentials) {
			m.emitLogin(ctx, event.LoginFailed, cred.AccountID, subject(), time.Time{}, req.ClientIP, string(reason.PasswordWrong), "")
			var lock *limits.LockedError
			if errors.As(err, &lock) {
				m.emitLogin(ctx, event.LoginLocked, cred.AccountID, subject(), lock.Until, req.ClientIP, string(reason.LimitsLocked), "")
			}
		}
		return LoginResult{}, err
	}
	// The right password's slot is given back and the account's lock read
	// again while the login goes on (see lockWait), or first when the
	// counter store never waits.
	w, err := m.endRight(ctx, a, cred.AccountID, req.ClientIP)
	if err != nil {
		return LoginResult{}, err
	}
	if rehash {
		m.upgradeHash(ctx, cred, req.Password)
	}
	res, err := m.afterFirstStep(ctx, cred.AccountID, LoginMethodPassword, req.ClientIP, req.DeviceToken, req.DeviceName, w)
	// Whatever the rest did, the refund and the lock come first, as when
	// they ran before it (a session created meanwhile was abandoned).
	if werr := w.settle(ctx); werr != nil {
		return LoginResult{}, werr
	}
	if errors.Is(err, ErrAccountUnknown) {
		// The account went away between the two look-ups.
		return LoginResult{}, ErrWrongCredentials
	}
	return res, err
}

// lockWait ends the attempt of a right password while the login goes on:
// the refund of the reserved slot and the second read of the account's
// lock run in goroutines of their own, so that with a remote counter store
// they and the session write take one round trip together instead of three
// in a row. The login settles it before anything leaves: before the session
// is given out (finish) or the pending login written (afterFirstStep), and
// once more at the end whatever happened. A refund's failure then fails the
// login as before (the session already written is abandoned: its token was
// never given out), a lock refuses it, and nothing differs from the
// sequential order but the time.
//
// The refund runs under the limiter's own end context (context.WithoutCancel,
// bounded by limits.EndTimeout), so it happens whatever the rest does. The
// lock read may run before the refund lands and then count this login's own
// reservation, which can make the account look locked: a lock seen that way
// is read again after the refund, in order, as the sequential login did.
type lockWait struct {
	m                  *Manager
	wg                 sync.WaitGroup
	attempt            limits.Attempt
	accountID, ip      string
	refundErr, readErr error
	status             limits.Status
	settled            bool
	err                error
}

// settledWait is the lockWait of an attempt ended in line, nothing refused:
// settle returns its nil error without writing to it, so one serves all.
var settledWait = &lockWait{settled: true}

// endRight starts ending the attempt a of a right password to accountID.
// When the counter store never waits (m.endInline) it ends it in line
// instead, in the sequential order (the refund, then the lock read), and
// returns what settle would return: the error that refuses the login, or
// settledWait.
func (m *Manager) endRight(ctx context.Context, a *limits.Attempt, accountID, ip string) (*lockWait, error) {
	if m.endInline {
		if err := a.Succeed(ctx); err != nil {
			return nil, err
		}
		if err := m.checkLock(ctx, accountID, LoginMethodPassword, ip); err != nil {
			return nil, err
		}
		return settledWait, nil
	}
	w := &lockWait{m: m, attempt: *a, accountID: accountID, ip: ip}
	w.wg.Add(2)
	go func() {
		defer w.wg.Done()
		w.refundErr = w.attempt.Succeed(ctx)
	}()
	go func() {
		defer w.wg.Done()
		w.status, w.readErr = m.limiter.Status(ctx, AccountLockScope, accountID)
	}()
	return w, nil
}

// settle waits for the refund and the lock read and returns the error that
// refuses the login: the refund's failure, the read's failure, or the
// *limits.LockedError of a lock (with its LoginLocked event), in that
// order. It decides once; later calls return the same answer. A nil
// lockWait (a login that checked the lock before its first step) settles
// to nil.
func (w *lockWait) settle(ctx context.Context) error {
	if w == nil {
		return nil
	}
	if w.settled {
		return w.err
	}
	w.wg.Wait()
	w.settled = true
	switch {
	case w.refundErr != nil:
		w.err = w.refundErr
	case w.readErr != nil:
		w.err = w.readErr
	case !w.status.LockedUntil.IsZero():
		// Perhaps this login's own reservation, given back since.
		w.err = w.m.checkLock(ctx, w.accountID, LoginMethodPassword, w.ip)
	}
	return w.err
}

// checkPassword runs the password check of the credential cred (found is
// false for an unknown login) under the reserved attempt a. A wrong password
// ends a, keeping the slot as a failure (it may lock); an error ends it
// giving the slot back; a right password leaves a for the caller to end (see
// lockWait). rehash reports that the stored hash of the right password is
// out of date (a migrated bcrypt hash, weaker argon2id parameters): the
// caller replaces it while the password is at hand (upgradeHash), one more
// hash and one version-checked write of the record the look-up read, never
// a second check of the password.
//
// The failure that locks returns the lock first and ErrWrongCredentials
// second, joined: its reason code is limits.locked.
func (m *Manager) checkPassword(ctx context.Context, a *limits.Attempt, cred account.Credential, found bool, pw string) (rehash bool, err error) {
	var ok bool
	if found {
		ok, rehash, err = m.pw.Verify(ctx, pw, cred.Hash)
	} else {
		ok, err = m.pw.VerifyDummy(ctx, pw)
	}
	switch {
	case err != nil:
		return false, errors.Join(err, a.Succeed(ctx))
	case !ok || !found:
		if lock := a.Fail(ctx); lock != nil {
			return false, errors.Join(lock, ErrWrongCredentials)
		}
		return false, ErrWrongCredentials
	}
	return rehash, nil
}

// checkLock refuses a login of the account while it is locked in
// AccountLockScope: *limits.LockedError with the lock's end, the same answer
// a password login gets, and a LoginLocked event. It reads one counter and
// writes nothing; a store failure is a reason.StoreUnavailable error.
func (m *Manager) checkLock(ctx context.Context, accountID, loginMethod, ip string) error {
	st, err := m.limiter.Status(ctx, AccountLockScope, accountID)
	if err != nil {
		return err
	}
	if st.LockedUntil.IsZero() {
		return nil
	}
	m.emitLogin(ctx, event.LoginLocked, accountID, m.keys.Key(AccountLockScope, accountID), st.LockedUntil, ip, string(reason.LimitsLocked), loginMethod)
	return &limits.LockedError{Until: st.LockedUntil}
}

// upgradeHash replaces an outdated password hash. A failure does not fail
// the login: the next login tries again.
func (m *Manager) upgradeHash(ctx context.Context, cred account.Credential, pw string) {
	fresh, err := m.pw.Hash(ctx, pw)
	if err != nil {
		return
	}
	p := proof.Mint(cred.AccountID, LoginMethodPassword, account.OpUpgradePasswordHash, m.now().Add(time.Minute))
	if ok, err := m.creds.UpgradePasswordHash(ctx, p, cred, fresh); err == nil && ok {
		m.emit(ctx, event.PasswordRehashed, cred.AccountID, "login", time.Time{}, nil)
	}
}

// LoginWith is the first step of a third-party login the host has
// authenticated: the password step is skipped, the rest is as in Login.
// While the account is locked (AccountLockScope, wrong passwords) it
// returns *limits.LockedError, the answer a password login gets, and starts
// nothing: the answer says only that the account is locked and until when,
// which a password attacker learns from Login too, and nothing of the
// failures counted before the lock.
//
// A WeChat login (Method "wechat") is itself a WeChat scan: when login
// protection is WeChatScan it is not asked again (remote-login protection
// still applies).
func (m *Manager) LoginWith(ctx context.Context, req ThirdPartyLogin) (LoginResult, error) {
	if err := checkLoginInput("account_id", req.AccountID, true); err != nil {
		return LoginResult{}, err
	}
	if err := checkLoginInput("login_method", req.Method, true); err != nil {
		return LoginResult{}, err
	}
	if req.Method == LoginMethodPassword {
		return LoginResult{}, reason.New(reason.InputMalformed).With("field", "login_method")
	}
	if err := checkLoginFields(req.ClientIP, req.DeviceName, req.DeviceToken); err != nil {
		return LoginResult{}, err
	}
	return m.afterFirstStep(ctx, req.AccountID, req.Method, req.ClientIP, req.DeviceToken, req.DeviceName, nil)
}

// loginInfo describes a login on its way to a session.
type loginInfo struct {
	method, ip, city, device string
	// deviceID is the trusted device of the login (presented or created).
	deviceID string
	// verified is the method of the second step, if there was one.
	verified Method
	// skipped says why login protection did not ask: "trusted_device" or
	// "wechat_login"; empty when it did or is off.
	skipped string
	// wait is the end of a password login's attempt, settled before the
	// session is given out; nil otherwise.
	wait *lockWait
}

// afterFirstStep applies the account lock, remote-login and login
// protection after a successful first step, and returns a session or a
// pending login. A live trusted device presented by deviceToken is recorded
// in the session (or the pending login) whether or not it skips anything.
//
// w is the end of a password login's attempt, still running (see
// lockWait); it is settled before the session is given out or the pending
// login written. Without it (nil) the account's lock is checked first.
func (m *Manager) afterFirstStep(ctx context.Context, accountID, loginMethod, ip, deviceToken, device string, w *lockWait) (LoginResult, error) {
	if w == nil {
		if err := m.checkLock(ctx, accountID, loginMethod, ip); err != nil {
			return LoginResult{}, err
		}
	}
	p, mfaLater, err := m.loginProfile(ctx, accountID)
	if err != nil {
		return LoginResult{}, err
	}
	s := p.Settings.resolved()
	now := m.now()
	city := m.locate(ctx, ip)
	unusual := false
	if s.RemoteLoginProtection {
		if unusual, err = m.unusual(ctx, accountID, city, now); err != nil {
			return LoginResult{}, err
		}
	}
	l := loginInfo{method: loginMethod, ip: ip, city: city, device: device, wait: w}
	if l.deviceID, err = m.trusted(ctx, accountID, deviceToken, now); err != nil {
		return LoginResult{}, err
	}
	second := s.LoginProtection != None
	switch {
	case second && s.LoginProtection == WeChatScan && loginMethod == string(vocab.LoginWeChat):
		// The WeChat login was the scan: asking for another proves nothing.
		second, l.skipped = false, "wechat_login"
	case second && s.TrustDevices && l.deviceID != "":
		second, l.skipped = false, "trusted_device"
	}
	if !second && !unusual {
		return m.finish(ctx, p, l)
	}
	preferred := s.RemoteLoginMethod
	if second {
		preferred = s.LoginProtection
	}
	if mfaLater {
		if err := m.withMFA(ctx, &p); err != nil {
			return LoginResult{}, err
		}
	}
	o, err := m.offerLogin(ctx, p, loginMethod, preferred)
	if err != nil {
		return LoginResult{}, err
	}
	if err := w.settle(ctx); err != nil {
		return LoginResult{}, err
	}
	token, id, err := m.newToken()
	if err != nil {
		return LoginResult{}, err
	}
	pl := PendingLogin{
		ID: id, AccountID: accountID, LoginMethod: loginMethod,
		ClientIP: ip, City: city, DeviceName: device, DeviceID: l.deviceID,
		SecondFactor: second, UnusualLocation: unusual, Methods: o.Methods(),
		CreatedAt: now, ExpiresAt: now.Add(m.policy.PendingLoginTTL),
	}
	if err := m.putPending(ctx, pl); err != nil {
		return LoginResult{}, reason.Store(err)
	}
	attrs := map[string]string{"ip": ip, "city": city, "login_method": loginMethod, "method": string(o.Preferred)}
	if l.skipped != "" {
		attrs["skipped"] = l.skipped
	}
	if unusual {
		m.emit(ctx, event.UnusualLocation, accountID, "login", pl.ExpiresAt, attrs)
	}
	if second {
		m.emit(ctx, event.SecondFactorRequired, accountID, "login", pl.ExpiresAt, attrs)
	}
	return LoginResult{Pending: &Pending{
		Token: token, AccountID: accountID, SecondFactor: second, UnusualLocation: unusual,
		Options: o, ExpiresAt: pl.ExpiresAt,
	}}, nil
}

// StartLoginChallenge starts the second step of a pending login by method
// (empty means the preferred one), which must be one the pending login
// offers and the rules still accept (docs/SECURITY.md, "Methods and
// channels": the configured method only while the account can use it, never
// email after a password): it sends the SMS code, begins the WeChat scan,
// and so on. Another method is ErrMethodUnavailable.
func (m *Manager) StartLoginChallenge(ctx context.Context, pendingToken string, method Method, clientIP string) (Challenge, error) {
	pl, p, err := m.pending(ctx, pendingToken)
	if err != nil {
		return Challenge{}, err
	}
	offered, _ := m.secondStepMethods(p, pl)
	if len(offered) == 0 {
		return Challenge{}, ErrNoMethod
	}
	return m.start(ctx, p, loginPrefix+pl.ID, PurposeLogin, method, offered, clientIP)
}

// secondStepMethods are the methods that may complete pending login pl now:
// those it offered that the rules, applied to the account as it is now,
// still accept, and the method configured for its second step.
func (m *Manager) secondStepMethods(p Profile, pl PendingLogin) ([]Method, Method) {
	s := p.Settings.resolved()
	configured := s.RemoteLoginMethod
	if pl.SecondFactor {
		configured = s.LoginProtection
	}
	o, err := m.loginOptions(p, pl.LoginMethod, configured)
	if err != nil {
		return nil, o.Configured
	}
	var out []Method
	for _, method := range o.Methods() {
		if slices.Contains(pl.Methods, method) {
			out = append(out, method)
		}
	}
	return out, o.Configured
}

// CompleteRequest is the second step of a login.
type CompleteRequest struct {
	// PendingToken is Pending.Token.
	PendingToken string
	// Challenge is the Challenge.ID from StartLoginChallenge.
	Challenge string
	// Answer is the code (MFA, SMS, Email); ignored for WeChatScan and
	// Face.
	Answer string
	// TrustDevice asks to trust this device (when the account's login
	// protection offers it): its next logins skip login protection for
	// Policy.TrustedDeviceTTL.
	TrustDevice bool
}

// CompleteLogin checks the answer to the pending login's challenge and, if
// right, finishes the login: the pending login is consumed in one atomic
// step (so of many concurrent right answers exactly one gets a session),
// the session is created, the city is learned and, if asked, the device is
// trusted. A wrong answer counts under VerifyScope and leaves the pending
// login open for another try; it never touches the password failures. A
// challenge by a method the step does not accept now (see
// StartLoginChallenge) is ErrMethodUnavailable before its answer is
// checked.
func (m *Manager) CompleteLogin(ctx context.Context, req CompleteRequest) (LoginResult, error) {
	pl, p, err := m.pending(ctx, req.PendingToken)
	if err != nil {
		return LoginResult{}, err
	}
	// A lock that began after the first step stops the login too, before
	// the answer is checked or spent.
	if err := m.checkLock(ctx, p.AccountID, pl.LoginMethod, pl.ClientIP); err != nil {
		return LoginResult{}, err
	}
	accepted, configured := m.secondStepMethods(p, pl)
	c, err := m.answer(ctx, p, req.Challenge, loginPrefix+pl.ID, PurposeLogin, req.Answer, accepted)
	if err != nil {
		if errors.Is(err, ErrNotConfirmed) {
			return LoginResult{}, err // the scan or face check is still running
		}
		m.emit(ctx, event.LoginFailed, p.AccountID, "login", time.Time{},
			map[string]string{"ip": pl.ClientIP, "reason": string(reason.CodeOf(err)), "step": "second"})
		return LoginResult{}, err
	}
	found, err := m.consumePending(ctx, pl.ID, m.now())
	switch {
	case err != nil:
		return LoginResult{}, reason.Store(err)
	case !found:
		return LoginResult{}, ErrLoginInvalid
	}
	m.usedAlternative(ctx, p.AccountID, "login", PurposeLogin, c.Method, configured)
	trust := req.TrustDevice && pl.SecondFactor && p.Settings.TrustDevices
	l := loginInfo{method: pl.LoginMethod, ip: pl.ClientIP, city: pl.City, device: pl.DeviceName, deviceID: pl.DeviceID, verified: c.Method}
	var deviceToken string
	if trust {
		// The session records the device it trusts, so the ID comes first.
		if deviceToken, l.deviceID, err = m.newToken(); err != nil {
			return LoginResult{}, err
		}
	}
	res, err := m.finish(ctx, p, l)
	if err != nil || !trust {
		return res, err
	}
	if _, err := m.trustDevice(ctx, p.AccountID, l.deviceID, pl.DeviceName, pl.ClientIP, pl.City); err != nil {
		m.abandon(ctx, res.Session)
		return LoginResult{}, err
	}
	res.DeviceToken = deviceToken
	return res, nil
}

// pending loads the pending login of token and its account's profile.
func (m *Manager) pending(ctx context.Context, token string) (PendingLogin, Profile, error) {
	id, ok := tokenID(token)
	if !ok {
		return PendingLogin{}, Profile{}, ErrLoginInvalid
	}
	pl, found, err := m.pendingLogin(ctx, id, m.now())
	switch {
	case err != nil:
		return PendingLogin{}, Profile{}, reason.Store(err)
	case !found:
		return PendingLogin{}, Profile{}, ErrLoginInvalid
	}
	p, err := m.profile(ctx, pl.AccountID)
	if errors.Is(err, ErrAccountUnknown) {
		return PendingLogin{}, Profile{}, ErrLoginInvalid
	}
	return pl, p, err
}

// finish creates the session of a successful login, settles the end of its
// attempt (l.wait) and learns its city. If settling or learning fails the
// session is ended again and its token never leaves, so a store failure
// leaves no usable session, and a refused login learns no city.
func (m *Manager) finish(ctx context.Context, p Profile, l loginInfo) (LoginResult, error) {
	s, token, err := m.createSession(ctx, p, l)
	if err != nil {
		return LoginResult{}, err
	}
	// The refund and the lock are settled before the city is learned: a
	// login they refuse must leave no trace, and a city learned from it
	// would count as usual for remote-login protection.
	if err := l.wait.settle(ctx); err != nil {
		m.abandon(ctx, &s)
		return LoginResult{}, err
	}
	if err := m.learnCity(ctx, p.AccountID, l.city, s.CreatedAt); err != nil {
		m.abandon(ctx, &s)
		return LoginResult{}, err
	}
	if m.events != nil {
		attrs := map[string]string{"session": s.ID, "ip": l.ip, "city": l.city, "login_method": l.method}
		if l.verified != "" {
			attrs["method"] = string(l.verified)
		}
		if l.skipped == "trusted_device" {
			attrs["trusted_device"] = "true"
		}
		if l.skipped != "" {
			attrs["skipped"] = l.skipped
		}
		m.emit(ctx, event.LoginSucceeded, p.AccountID, "login", s.ExpiresAt, attrs)
	}
	return LoginResult{Session: &s, Token: token}, nil
}

// abandon ends a session whose login failed after it was created. Its token
// was never returned, so even if this fails the session cannot be used.
func (m *Manager) abandon(ctx context.Context, s *Session) {
	if s != nil {
		_, _ = m.endSession(ctx, m.owner(s.AccountID), s.ID)
	}
}

func (m *Manager) emitLogin(ctx context.Context, kind event.Kind, accountID, subject string, until time.Time, ip, why, loginMethod string) {
	if m.events == nil {
		return
	}
	attrs := map[string]string{"ip": ip, "reason": why}
	if loginMethod != "" {
		attrs["login_method"] = loginMethod
	}
	m.events.Emit(ctx, event.Event{
		Kind: kind, At: m.now(), AccountID: accountID, Subject: subject, Scope: LoginScope, Until: until,
		Attrs: attrs,
	})
}

func checkLoginInput(field, v string, required bool) error {
	switch {
	case v == "" && required:
		return reason.New(reason.InputEmpty).With("field", field)
	case len(v) > MaxLoginBytes:
		return reason.New(reason.InputTooLong).With("field", field).With("max", MaxLoginBytes)
	case !utf8.ValidString(v):
		return reason.New(reason.InputInvalidUTF8).With("field", field)
	}
	return nil
}

func checkLoginFields(ip, device, deviceToken string) error {
	if err := checkLoginInput("client_ip", ip, false); err != nil {
		return err
	}
	if err := checkLoginInput("device_name", device, false); err != nil {
		return err
	}
	return checkLoginInput("device_token", deviceToken, false)
}
