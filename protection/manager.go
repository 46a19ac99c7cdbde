package protection

import (
	"context"
	"io"
	"time"

	"github.com/accountsec/accountsec/event"
	"github.com/accountsec/accountsec/internal/env"
	"github.com/accountsec/accountsec/internal/keyhash"
	"github.com/accountsec/accountsec/limits"
	"github.com/accountsec/accountsec/reason"
)

// Limiter scopes used by protection. They share the host's limiter with
// other packages, so a scope keeps protection's counts apart.
const (
	// LoginScope counts wrong passwords per login identifier, for
	// identifiers that name no account (those that name one count per
	// account, under AccountLockScope). It is the scope of the facade's
	// CheckPassword too.
	LoginScope = "login"
	// VerifyScope counts failed identity verification answers per account
	// (second factors at login included).
	VerifyScope = "verify"
)

// Config is what a Manager needs from the host.
type Config struct {
	// Store keeps sessions, grants, pending logins, challenges, trusted
	// devices and login cities. Required.
	Store Store
	// Accounts gives the accounts' profiles and stores their settings.
	// Required.
	Accounts Accounts
	// Limiter counts wrong passwords (AccountLockScope, LoginScope) and
	// failed verifications (VerifyScope). Required.
	Limiter *limits.Limiter
	// Credentials finds the password hashes of login identifiers. Without
	// it (or Passwords) Login refuses every call and only LoginWith
	// (third-party logins) works.
	Credentials Credentials
	// Passwords verifies passwords (*password.Hasher).
	Passwords PasswordVerifier
	// Codes sends and checks SMS and email codes; without it SMS and Email
	// are unavailable.
	Codes CodeSender
	// MFA checks TOTP codes; without it MFA is unavailable.
	MFA MFAVerifier
	// WeChat performs WeChat-scan verification; without it WeChatScan is
	// unavailable.
	WeChat WeChatScanner
	// Face performs face verification; without it Face is unavailable.
	Face FaceVerifier
	// Geo resolves client IPs to cities for remote-login protection.
	// Without it every city is unknown, so an account with remote-login
	// protection on verifies at every login.
	Geo GeoLocator
	// Catalog is the catalog of sensitive operations; nil means the
	// account-centre operations only. The Manager keeps a copy.
	Catalog *Catalog
	// Policy is the protection policy (zero means the defaults).
	Policy Policy
	// Secret keys the hashes of login identifiers in events. At least 16
	// bytes. Required.
	Secret []byte
	// Events receives security events; nil discards them.
	Events event.Hook
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Rand is the source of tokens; nil means crypto/rand. Reads are
	// serialised.
	Rand io.Reader
}

// Manager runs identity verification, the login flow, sessions, trusted
// devices and operation protection. It is safe for concurrent use; all its
// state is in the Store.
type Manager struct {
	store    Store
	accounts Accounts
	limiter  *limits.Limiter
	creds    Credentials
	pw       PasswordVerifier
	codes    CodeSender
	mfa      MFAVerifier
	wechat   WeChatScanner
	face     FaceVerifier
	geo      GeoLocator
	catalog  *Catalog
	policy   Policy
	keys     *keyhash.Hasher
	events   event.Hook
	now      func() time.Time

	rand io.Reader // safe for concurrent use (env.Rand)

	// endInline is true when the limiter's counter store never waits
	// (limits.Limiter.AnswersAtOnce): a right password's attempt is then
	// ended in line instead of beside the session write (see lockWait).
	endInline bool
}

// New returns a Manager for cfg, or a reason.PolicyInvalid error naming the
// first missing dependency or every bad policy field.
func New(cfg Config) (*Manager, error) {
	switch {
	case cfg.Store == nil:
		return nil, missing("Store", "a protection.Store")
	case cfg.Accounts == nil:
		return nil, missing("Accounts", "a protection.Accounts")
	case cfg.Limiter == nil:
		return nil, missing("Limiter", "a *limits.Limiter")
	}
	pol, err := cfg.Policy.Resolve()
	if err != nil {
		return nil, err
	}
	keys, err := keyhash.New(cfg.Secret)
	if err != nil {
		return nil, err
	}
	cat := cfg.Catalog
	if cat == nil {
		cat, _ = NewCatalog()
	} else {
		cat = cat.clone()
	}
	m := &Manager{
		store: cfg.Store, accounts: cfg.Accounts, limiter: cfg.Limiter,
		creds: cfg.Credentials, pw: cfg.Passwords, codes: cfg.Codes, mfa: cfg.MFA,
		wechat: cfg.WeChat, face: cfg.Face, geo: cfg.Geo, catalog: cat,
		policy: pol, keys: keys, events: cfg.Events, now: env.Clock(cfg.Now), rand: env.Rand(cfg.Rand),
		endInline: cfg.Limiter.AnswersAtOnce(),
	}
	return m, nil
}

func missing(field, allowed string) error { return env.Missing("protection.Config."+field, allowed) }

// Policy returns the resolved policy.
func (m *Manager) Policy() Policy { return m.policy }

// Catalog returns a copy of the Manager's catalog of sensitive operations.
func (m *Manager) Catalog() *Catalog { return m.catalog.clone() }

// profile loads the account's profile: ErrAccountUnknown when absent, a
// reason.StoreUnavailable error on failure.
func (m *Manager) profile(ctx context.Context, accountID string) (Profile, error) {
	p, _, err := m.loadProfile(ctx, accountID, true)
	return p, err
}

// loginProfile is profile for a login, which needs HasMFA only when it asks
// for a verification: when the Accounts can leave it out (lazyMFA) it does,
// and mfaLater reports that withMFA must fill it in before it is read.
func (m *Manager) loginProfile(ctx context.Context, accountID string) (p Profile, mfaLater bool, err error) {
	return m.loadProfile(ctx, accountID, false)
}

// withMFA fills in the HasMFA of a profile loginProfile left without it.
func (m *Manager) withMFA(ctx context.Context, p *Profile) error {
	has, err := m.accounts.(lazyMFA).hasMFA(ctx, p.AccountID)
	if err != nil {
		return reason.Store(err)
	}
	p.HasMFA = has
	return nil
}

func (m *Manager) loadProfile(ctx context.Context, accountID string, needMFA bool) (Profile, bool, error) {
	if accountID == "" {
		return Profile{}, false, reason.New(reason.InputEmpty).With("field", "account_id")
	}
	var (
		p        Profile
		found    bool
		err      error
		mfaLater bool
	)
	if lazy, ok := m.accounts.(lazyMFA); ok && !needMFA {
		p, found, err = lazy.profileWithoutMFA(ctx, accountID)
		mfaLater = true
	} else {
		p, found, err = m.accounts.Profile(ctx, accountID)
	}
	switch {
	case err != nil:
		return Profile{}, false, reason.Store(err)
	case !found:
		return Profile{}, false, ErrAccountUnknown
	}
	p.AccountID = accountID
	return p, mfaLater, nil
}

// emit sends an event of kind about accountID in scope.
func (m *Manager) emit(ctx context.Context, kind event.Kind, accountID, scope string, until time.Time, attrs map[string]string) {
	if m.events == nil {
		return
	}
	m.events.Emit(ctx, event.Event{Kind: kind, At: m.now(), AccountID: accountID, Scope: scope, Until: until, Attrs: attrs})
}
