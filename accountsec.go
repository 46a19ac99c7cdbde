package accountsec

import (
	"context"
	"crypto/sha256"
	"io"
	"time"

	"golang.org/x/crypto/hkdf"

	"github.com/accountsec/accountsec/account"
	"github.com/accountsec/accountsec/account/password"
	"github.com/accountsec/accountsec/event"
	"github.com/accountsec/accountsec/internal/env"
	"github.com/accountsec/accountsec/lifecycle"
	"github.com/accountsec/accountsec/limits"
	"github.com/accountsec/accountsec/mfa"
	"github.com/accountsec/accountsec/notify"
	"github.com/accountsec/accountsec/protection"
	"github.com/accountsec/accountsec/reason"
	"github.com/accountsec/accountsec/recovery"
	"github.com/accountsec/accountsec/state"
	"github.com/accountsec/accountsec/store/memstore"
	"github.com/accountsec/accountsec/subuser"
)

// Config holds the policies. Every zero field means the console default of
// docs/RULES.md (see README's policy table); every value is validated by New.
type Config struct {
	// Secret keys every HMAC the library computes (store keys, code hashes).
	// At least 16 bytes; 32 random bytes recommended. Required. Keep it
	// stable: changing it forgets counters and invalidates pending codes.
	Secret []byte
	// Limits is the quota table, the lockout and the send rates.
	Limits limits.Policy
	// Codes is the one-time code policy.
	Codes notify.CodePolicy
	// Password is the password policy; zero means password.Console().
	Password password.Policy
	// Hashing configures password hashing; zero means argon2id at the
	// OWASP parameters.
	Hashing password.HasherConfig
	// MFA is the TOTP policy (skew, digits, period, backup codes).
	MFA mfa.Policy
	// Issuer names the service in authenticator apps.
	Issuer string
	// Protection is the protection policy (step-up lifetime, trusted
	// devices, usual cities, …).
	Protection protection.Policy
	// Catalog lists the sensitive operations; nil means the account-centre
	// operations. Register the host's own (delete bucket, …) on a catalog
	// from protection.NewCatalog.
	Catalog *protection.Catalog
	// Reset is the forgotten-password reset policy (link lifetime).
	Reset recovery.ResetPolicy
	// Flows is the policy of the enterprise recovery and the login appeal
	// (step and review lifetimes, allowance time, automatic approval).
	Flows recovery.FlowPolicy
	// Cancellation is the account cancellation policy (cooling-off period,
	// review deadline, text bounds, the host's own conditions).
	Cancellation lifecycle.Policy
	// Find is the policy of finding a forgotten account (session lifetime,
	// padded reads, the appeal the SMS points to).
	Find recovery.FindPolicy
	// SubUsers is the policy of the WeCom sub-users (application link and
	// review lifetimes).
	SubUsers subuser.Policy
}

// Store is every store interface the facade needs. memstore.Store and
// pgstore.Store implement it; redisstore.Store serves the hot state
// (counters, codes, sessions, resets) for Deps' per-area fields.
type Store interface {
	limits.CounterStore
	notify.CodeStore
	account.Store
	mfa.Store
	protection.Store
	recovery.Store
	state.Store
}

// Deps is what the host supplies.
type Deps struct {
	// Store keeps the state; nil means a new in-memory store, which suits a
	// single process only. The fields below override it area by area, so a
	// host can keep hot state (counters, codes, sessions) in Redis and
	// accounts and devices in PostgreSQL; with all seven set, Store may be
	// nil.
	Store Store
	// Counters overrides Store for lockout and send-rate counters.
	Counters limits.CounterStore
	// Codes overrides Store for one-time codes.
	Codes notify.CodeStore
	// Accounts overrides Store for accounts and their quota slots.
	Accounts account.Store
	// Devices overrides Store for MFA devices, tokens and backup codes,
	// kept as documents: any state.Documents (memstore, pgstore or
	// redisstore).
	Devices mfa.Store
	// Sessions overrides Store for sessions, step-up grants, pending
	// logins, challenges, trusted devices and login cities.
	Sessions protection.Store
	// Resets overrides Store for pending password resets.
	Resets recovery.Store
	// Flows overrides Store for the state of the longer flows (account
	// recovery, appeals, cancellation, sub-user applications): documents,
	// single-use records and record sets. Keep it durable (PostgreSQL).
	Flows state.Store
	// SMS delivers SMS messages; needed to send codes by SMS.
	SMS notify.SMSSender
	// Email delivers emails; needed to send codes by email.
	Email notify.EmailSender
	// Events receives security events; nil discards them.
	Events event.Hook
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Rand is the randomness source; nil means crypto/rand. It need not be
	// safe for concurrent use: the facade serialises its reads, once for
	// every component.
	Rand io.Reader

	// Keyring seals TOTP secrets at rest. Nil means one key derived from
	// Config.Secret (HKDF-SHA-256); supply a keyring to rotate keys.
	Keyring mfa.Keyring
	// QR renders enrolment QR codes; nil means PNG.
	QR mfa.QRRenderer
	// WeChat verifies WeChat scans; nil makes wechat_scan unavailable.
	WeChat protection.WeChatScanner
	// Face verifies faces; nil makes face verification unavailable.
	Face protection.FaceVerifier
	// Geo resolves client IPs to cities for remote-login protection; nil
	// makes every city unknown (so remote-login protection always asks).
	Geo protection.GeoLocator
	// WeCom authorises WeCom bindings; nil refuses them.
	WeCom account.WeComAuthorizer
	// IDs generates account IDs and APPIDs; nil means random ones.
	IDs account.IDGenerator
	// Phones normalises phone numbers to E.164 (a libphonenumber-based
	// function, say); nil means the built-in rule of account.NormalizeWith.
	Phones account.PhoneNormalizer
	// Resources checks an account's remaining resources for a
	// cancellation; nil leaves Service.Cancellation nil.
	Resources lifecycle.ResourceChecker
	// Calendar tells working days for the cancellation review deadline;
	// nil means weekends off.
	Calendar lifecycle.Calendar
	// Assets resolves domains, ICP filings and server IPs to accounts for
	// Service.Find; nil leaves those ways unavailable.
	Assets recovery.AssetDirectory
	// Identities checks a person's face by name and identity number for
	// the personal way of Service.Find; nil leaves it unavailable.
	Identities recovery.IdentityFaceVerifier
	// SubUserHost is the host's side of the WeCom sub-users (who
	// administers an account, the WeCom directory, sub-user creation and
	// the applicants' notices); nil leaves Service.SubUsers nil.
	SubUserHost subuser.Host
}

// Service is the wired library. Its fields are the domain services, ready
// to use; they are safe for concurrent use.
type Service struct {
	// Policy is the resolved limits policy (defaults filled in).
	Policy limits.Policy
	// PasswordPolicy is the password policy in force.
	PasswordPolicy password.Policy
	// Lockout limits failed credential checks.
	Lockout *limits.Limiter
	// Sends limits how often codes are sent.
	Sends *limits.SendLimiter
	// Codes issues and verifies one-time codes (rate limited by Sends).
	Codes *notify.Codes
	// Passwords hashes and verifies passwords.
	Passwords *password.Hasher
	// Accounts runs registration, login methods, contacts, passwords and
	// real-name records. Its sensitive flows ask Protection for identity
	// verification: pass a context from protection.WithSession.
	Accounts *account.Service
	// MFA enrols, verifies and unbinds TOTP devices and backup codes. Use
	// the Service's EnrolMFA, EnableMFA and UnbindMFA, which add operation
	// protection and the settings changes around it.
	MFA *mfa.Manager
	// Protection runs identity verification, the login flow, sessions,
	// trusted devices and operation protection.
	Protection *protection.Manager
	// Resets runs the forgotten-password reset: a single-use link by email,
	// the new password, identity verification (Protection with the reset's
	// Binding and purpose protection.OpResetPassword), then every session
	// ends. Nil when Deps has no Email sender; its methods then answer
	// reason.FeatureUnavailable naming the dependency.
	Resets *recovery.Resets
	// Enterprise runs the enterprise recovery (docs/RULES.md §8).
	Enterprise *recovery.Enterprise
	// Appeals runs the login appeal of personally verified accounts.
	Appeals *recovery.Appeals
	// Review is the back office that decides enterprise recoveries and
	// appeals.
	Review *recovery.Review
	// Cancellation runs account cancellation (docs/RULES.md §9); start it
	// with ApplyCancellation. Nil when Deps has no Resources (its methods
	// then answer reason.FeatureUnavailable).
	Cancellation *lifecycle.Manager
	// Find finds a forgotten account by security phone, personal
	// information, domain, ICP filing, server IP or account ID
	// (docs/RULES.md §8). Nil when Deps has no SMS sender (its methods then
	// answer reason.FeatureUnavailable).
	Find *recovery.Finder
	// SubUsers runs the WeCom sub-users: the enterprise link, the
	// visibility scope, application links and their review
	// (docs/RULES.md §10). Nil when Deps has no SubUserHost (its methods
	// then answer reason.FeatureUnavailable).
	SubUsers *subuser.Manager
}

// New validates cfg and wires the services. A bad policy value is an error
// naming the field, its value and the allowed range.
func New(cfg Config, deps Deps) (*Service, error) {
	pol, err := cfg.Limits.Resolve()
	if err != nil {
		return nil, err
	}
	if err := cfg.Password.Validate(); err != nil {
		return nil, err
	}
	st := deps.stores()
	// One clock and one locked reader for every component (a host's reader
	// need not be safe for concurrent use; env.Rand wraps it once).
	deps.Now, deps.Rand = env.Clock(deps.Now), env.Rand(deps.Rand)
	lc := limits.Config{Store: st.counters, Secret: cfg.Secret, Now: deps.Now, Events: deps.Events}
	lockout, err := limits.NewLimiter(lc, pol.Lockout)
	if err != nil {
		return nil, err
	}
	sends, err := limits.NewSendLimiter(lc, pol.Send)
	if err != nil {
		return nil, err
	}
	codes, err := notify.NewCodes(notify.CodesConfig{
		Store: st.codes, SMS: deps.SMS, Email: deps.Email, Gate: sends,
		Secret: cfg.Secret, Policy: cfg.Codes, Now: deps.Now, Rand: deps.Rand,
	})
	if err != nil {
		return nil, err
	}
	hc := cfg.Hashing
	if hc.Rand == nil {
		hc.Rand = deps.Rand
	}
	hasher, err := password.NewHasher(hc)
	if err != nil {
		return nil, err
	}
	pp := cfg.Password.Resolved()
	svc := &Service{Policy: pol, PasswordPolicy: pp, Lockout: lockout, Sends: sends, Codes: codes, Passwords: hasher}
	if err := svc.wire(cfg, deps, st); err != nil {
		return nil, err
	}
	return svc, nil
}

// wire builds the domain services bottom-up: accounts, then MFA on top of
// accounts (unbinding a device turns MFA off in the account's settings),
// then protection on top of both, then the reset on top of all three. Each
// holds only the services below it, so calls point the same way as imports.
func (svc *Service) wire(cfg Config, deps Deps, st stores) error {
	keyring := deps.Keyring
	if keyring == nil {
		k, err := derivedKeyring(cfg.Secret)
		if err != nil {
			return err
		}
		keyring = k
	}
	var err error
	svc.Accounts, err = account.New(account.Config{
		Store: st.accounts, Limits: svc.Policy, Password: svc.PasswordPolicy, Hasher: svc.Passwords,
		Lockout: svc.Lockout, LockoutScope: protection.AccountLockScope, Codes: svc.Codes,
		WeCom: deps.WeCom, IDs: deps.IDs, Phones: deps.Phones, Exceptions: st.flows,
		Secret: cfg.Secret, Now: deps.Now, Rand: deps.Rand, Events: deps.Events,
	})
	if err != nil {
		return err
	}
	svc.MFA, err = mfa.New(mfa.Config{
		Store: st.devices, Keyring: keyring, Limiter: svc.Lockout, Secret: cfg.Secret,
		Protection: svc.Accounts, QR: deps.QR, Issuer: cfg.Issuer, Policy: cfg.MFA,
		Now: deps.Now, Rand: deps.Rand, Events: deps.Events,
	})
	if err != nil {
		return err
	}
	svc.Protection, err = protection.New(protection.Config{
		Store: st.sessions, Accounts: protection.AccountsOf(svc.Accounts, svc.MFA), Limiter: svc.Lockout,
		Credentials: svc.Accounts, Passwords: svc.Passwords, Codes: svc.Codes, MFA: protection.MFAOf(svc.MFA),
		WeChat: deps.WeChat, Face: deps.Face, Geo: deps.Geo, Catalog: cfg.Catalog,
		Policy: cfg.Protection, Secret: cfg.Secret, Events: deps.Events, Now: deps.Now, Rand: deps.Rand,
	})
	err = svc.wireLifecycle(err, cfg, deps, st)
	err = svc.wireRecovery(err, cfg, deps, st.flows)
	err = svc.wireFind(err, cfg, deps, st.flows)
	err = svc.wireSubUsers(err, cfg, deps, st.flows)
	if err != nil || deps.Email == nil {
		return err
	}
	svc.Resets, err = recovery.NewResets(recovery.ResetConfig{
		Store: st.resets, Accounts: svc.Accounts, Email: deps.Email, Gate: svc.Sends,
		Verifier: svc.Protection, Sessions: svc.Protection, Secret: cfg.Secret,
		Policy: cfg.Reset, Now: deps.Now, Rand: deps.Rand, Events: deps.Events,
	})
	return err
}

// stores is the store of each area after Deps' overrides.
type stores struct {
	counters limits.CounterStore
	codes    notify.CodeStore
	accounts account.Store
	devices  mfa.Store
	sessions protection.Store
	resets   recovery.Store
	flows    state.Store
}

func (d Deps) stores() stores {
	base := d.Store
	if base == nil && (d.Counters == nil || d.Codes == nil || d.Accounts == nil || d.Devices == nil || d.Sessions == nil || d.Resets == nil || d.Flows == nil) {
		base = memstore.New()
	}
	st := stores{counters: base, codes: base, accounts: base, devices: base, sessions: base, resets: base, flows: base}
	if d.Counters != nil {
		st.counters = d.Counters
	}
	if d.Codes != nil {
		st.codes = d.Codes
	}
	if d.Accounts != nil {
		st.accounts = d.Accounts
	}
	if d.Devices != nil {
		st.devices = d.Devices
	}
	if d.Sessions != nil {
		st.sessions = d.Sessions
	}
	if d.Resets != nil {
		st.resets = d.Resets
	}
	if d.Flows != nil {
		st.flows = d.Flows
	}
	return st
}

// derivedKeyring derives the TOTP sealing key from the host secret, with its
// own HKDF label so it never equals a key used for hashing.
func derivedKeyring(secret []byte) (mfa.Keyring, error) {
	if len(secret) < 16 {
		return nil, reason.New(reason.PolicyInvalid).With("field", "accountsec.Config.Secret").With("value", "too short").With("allowed", "at least 16 bytes")
	}
	key := make([]byte, 32)
	if _, err := io.ReadFull(hkdf.New(sha256.New, secret, nil, []byte("accountsec mfa sealing key v1")), key); err != nil {
		return nil, err
	}
	return mfa.NewStaticKeyring("derived-1", map[string][]byte{"derived-1": key})
}

// ErrWrongPassword is returned by CheckPassword for a wrong password or an
// unknown login (the two are indistinguishable by design).
var ErrWrongPassword = reason.New(reason.PasswordWrong)

// PasswordResult reports a successful password check.
type PasswordResult struct {
	// Rehash, when not empty, is a new hash of the password at the current
	// parameters: store it in place of the old one (for example after a
	// bcrypt hash was migrated, or the parameters were raised).
	Rehash string
}

// CheckPassword checks pw against storedHash under the lockout of login (the
// login identifier). Pass storedHash "" when the login is unknown: the same
// hashing work is done against a dummy hash and the same error returned, so
// neither timing nor errors reveal which logins exist.
//
// It returns ErrWrongPassword; *limits.LockedError (for the failure that
// causes the lock, and then before any hashing whether or not pw is right);
// or a reason.StoreUnavailable error, on which the caller must refuse.
func (s *Service) CheckPassword(ctx context.Context, login, pw, storedHash string) (PasswordResult, error) {
	var res PasswordResult
	ok, err := s.Lockout.Do(ctx, "login", login, func(ctx context.Context) (bool, error) {
		if storedHash == "" {
			return s.Passwords.VerifyDummy(ctx, pw)
		}
		ok, rehash, err := s.Passwords.Verify(ctx, pw, storedHash)
		if err != nil || !ok {
			return false, err
		}
		if rehash {
			h, err := s.Passwords.Hash(ctx, pw)
			if err == nil {
				res.Rehash = h
			}
		}
		return true, nil
	})
	switch {
	case err != nil:
		return PasswordResult{}, err
	case !ok:
		return PasswordResult{}, ErrWrongPassword
	}
	return res, nil
}
