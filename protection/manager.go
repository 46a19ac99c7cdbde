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
	if accountID == "" {
		return Profile{}, reason.New(reason.InputEmpty).With("field", "account_id")
	}
	p, found, err := m.accounts.Profile(ctx, accountID)
	switch {
	case err != nil:
		return Profile{}, reason.Store(err)
	case !found:
		return Profile{}, ErrAccountUnknown
	}
	p.AccountID = accountID
	return p, nil
}

// emit sends an event of kind about accountID in scope.
func (m *Manager) emit(ctx context.Context, kind event.Kind, accountID, scope string, until time.Time, attrs map[string]string) {
	if m.events == nil {
		return
	}
	m.events.Emit(ctx, event.Event{Kind: kind, At: m.now(), AccountID: accountID, Scope: scope, Until: until, Attrs: attrs})
}
