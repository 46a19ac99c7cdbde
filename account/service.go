package account

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"
	"unicode/utf8"

	"github.com/accountsec/accountsec/account/password"
	"github.com/accountsec/accountsec/event"
	"github.com/accountsec/accountsec/internal/env"
	"github.com/accountsec/accountsec/internal/keyhash"
	"github.com/accountsec/accountsec/limits"
	"github.com/accountsec/accountsec/notify"
	"github.com/accountsec/accountsec/reason"
	"github.com/accountsec/accountsec/state"
	"github.com/accountsec/accountsec/vocab"
)

// MaxIDBytes is the longest account ID or APPID accepted as input.
const MaxIDBytes = 64

// DefaultLockoutScope is the limiter scope under which wrong old passwords
// count, with the account ID as subject. It is protection.AccountLockScope,
// the scope in which the password login counts the wrong passwords of an
// account, so a wrong old password and a wrong login password spend the
// same budget and lock the same account.
const DefaultLockoutScope = "login-account"

// maxWriteAttempts bounds the read–change–write retries of one operation.
// Every conflict means another write succeeded, so n writers racing on one
// account need at most n attempts each.
const maxWriteAttempts = 64

// Sentinel errors, matched with errors.Is. Each carries a reason code.
var (
	// ErrNotFound: no account with this ID or APPID.
	ErrNotFound = reason.New(reason.AccountNotFound)
	// ErrQuotaExceeded: an identifier already holds its quota of accounts.
	// Params: limit, scope, kind.
	ErrQuotaExceeded = reason.New(reason.LimitsQuotaExceeded)
	// ErrMethodAlreadyBound: the login method is already bound.
	ErrMethodAlreadyBound = reason.New(reason.AccountMethodAlreadyBound)
	// ErrMethodNotBound: the login method is not bound.
	ErrMethodNotBound = reason.New(reason.AccountMethodNotBound)
	// ErrSameIdentifier: the new value equals the current one.
	ErrSameIdentifier = reason.New(reason.AccountSameIdentifier)
	// ErrLastLoginMethod: the last login method cannot be unbound.
	ErrLastLoginMethod = reason.New(reason.AccountLastLoginMethod)
	// ErrMethodInUse: the login method is used by security settings.
	ErrMethodInUse = reason.New(reason.AccountMethodInUse)
	// ErrSecurityPhoneRequired: a security phone is needed first.
	ErrSecurityPhoneRequired = reason.New(reason.AccountSecurityPhoneRequired)
	// ErrNoPassword: the account has no email login method.
	ErrNoPassword = reason.New(reason.AccountNoPassword)
	// ErrWeComNotAuthorized: the WeCom administrator refused or is not
	// configured.
	ErrWeComNotAuthorized = reason.New(reason.AccountWeComNotAuthorized)
	// ErrVerificationRequired matches the *vocab.VerificationRequiredError
	// of a guarded method given no valid proof.
	ErrVerificationRequired = vocab.ErrVerificationRequired
	// ErrNoPendingContact: no contact change awaits confirmation.
	ErrNoPendingContact = reason.New(reason.AccountNoPendingContact)
	// ErrRealNameTooSoon: the real-name change interval has not passed.
	ErrRealNameTooSoon = reason.New(reason.AccountRealNameTooSoon)
	// ErrRealNameUnchanged: already verified with this identity.
	ErrRealNameUnchanged = reason.New(reason.AccountRealNameUnchanged)
	// ErrEnterpriseNameTooShort: the enterprise name is too short.
	ErrEnterpriseNameTooShort = reason.New(reason.AccountEnterpriseNameTooShort)
	// ErrChangedMeanwhile: a concurrent change invalidated the request.
	ErrChangedMeanwhile = reason.New(reason.AccountChangedMeanwhile)
	// ErrWrongPassword: the old password is wrong.
	ErrWrongPassword = reason.New(reason.PasswordWrong)
	// ErrConfirmMismatch: the confirmation differs from the new password.
	ErrConfirmMismatch = reason.New(reason.PasswordConfirmMismatch)
)

// The sensitive operations the service's guarded methods perform, by their
// names in the sensitive-operation catalog (those of package vocab). Each
// guarded method takes a vocab.Proof of its operation for the account,
// minted by protection (Manager.Authorize for a session, Manager.Verified
// for a flow such as the password reset), and refuses without one.
const (
	// OpBindLoginMethod: BindLoginMethod, and SendLoginEmailCode for a
	// first email.
	OpBindLoginMethod = vocab.OpBindLoginMethod
	// OpChangeLoginMethod: ChangeLoginMethod (for email: OpChangeLoginEmail).
	OpChangeLoginMethod = vocab.OpChangeLoginMethod
	// OpUnbindLoginMethod: UnbindLoginMethod.
	OpUnbindLoginMethod = vocab.OpUnbindLoginMethod
	// OpChangeSecurityPhone: SendSecurityPhoneCode and ChangeSecurityPhone.
	OpChangeSecurityPhone = vocab.OpChangeSecurityPhone
	// OpChangeSecurityEmail: SendSecurityEmailCode and ChangeSecurityEmail.
	OpChangeSecurityEmail = vocab.OpChangeSecurityEmail
	// OpChangeLoginEmail: ChangeLoginEmail, and SendLoginEmailCode when the
	// account has an email login method.
	OpChangeLoginEmail = vocab.OpChangeLoginEmail
	// OpChangePassword: ChangePassword.
	OpChangePassword = vocab.OpChangePassword
	// OpResetPassword: ResetPassword.
	OpResetPassword = vocab.OpResetPassword
	// OpUnbindMFA: DisableMFA.
	OpUnbindMFA = vocab.OpUnbindMFA
	// OpApplyCancellation: Delete, the last step of a cancellation.
	OpApplyCancellation = vocab.OpApplyCancellation
)

// The purposes of the codes the service sends, besides notify's own
// (notify.PurposeBindEmail for binding an email login method,
// notify.PurposeChangeLoginEmail for changing it, notify.PurposeBindPhone
// for the security phone, notify.PurposeConfirmContact for contacts). A
// host picks the message template by purpose.
const (
	// PurposeRegister: the code that proves an email address at
	// registration.
	PurposeRegister notify.Purpose = "register"
	// PurposeSecurityEmail: the code sent to a new security email.
	PurposeSecurityEmail notify.Purpose = "security_email"
)

// WeComAuthorizer asks a WeCom administrator whether the WeCom user subject
// may be bound to the account (docs/RULES.md §5). It returns nil when authorised.
// accountID is empty when the account is being registered with WeCom.
type WeComAuthorizer interface {
	AuthorizeWeCom(ctx context.Context, accountID, subject string) error
}

// CodeSender sends and verifies one-time codes; *notify.Codes implements it.
type CodeSender interface {
	Send(ctx context.Context, t notify.Target, clientIP string) (notify.Sent, error)
	Verify(ctx context.Context, t notify.Target, code string) error
}

// Config is what a Service needs from the host.
type Config struct {
	// Store keeps accounts and quota slots. Required.
	Store Store
	// Limits holds the quotas of docs/RULES.md §1; the zero Policy means the
	// defaults. Only its Quotas are used here (the lockout policy is
	// Lockout's own).
	Limits limits.Policy
	// Password is the password policy; the zero Policy means
	// password.Console().
	Password password.Policy
	// Hasher hashes passwords. Required.
	Hasher *password.Hasher
	// Lockout counts wrong old passwords (under LockoutScope, the account
	// ID as subject). Required.
	Lockout *limits.Limiter
	// LockoutScope is the limiter scope; "" means DefaultLockoutScope.
	LockoutScope string
	// Codes sends and verifies one-time codes (a *notify.Codes). Required.
	Codes CodeSender
	// WeCom authorises WeCom bindings; nil refuses every WeCom binding.
	WeCom WeComAuthorizer
	// IDs generates account IDs and APPIDs; nil means RandomIDs over Rand.
	IDs IDGenerator
	// Phones normalises phone numbers to E.164 (for example a
	// libphonenumber-based function of the host); nil means the built-in
	// rule of [NormalizeWith].
	Phones PhoneNormalizer
	// Secret keys the hashes of identity numbers. At least 16 bytes;
	// keep it stable, or identity quotas are forgotten. Required.
	Secret []byte
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Rand is the randomness source; nil means crypto/rand.
	Rand io.Reader
	// Events receives security events; nil discards them.
	Events event.Hook
	// Industries lists the industries a profile may choose
	// (docs/RULES.md §2); empty means DefaultIndustries.
	Industries []string
	// Exceptions keeps the back-office quota exceptions (see
	// SetAccountException and SetIdentifierException); nil means none can
	// be set and the quotas are the policy's.
	Exceptions state.Documents
}

// Service runs the account flows. It is safe for concurrent use; all its
// state is in the Store.
type Service struct {
	store   Store
	quotas  limits.Quotas
	policy  password.Policy
	hasher  *password.Hasher
	lockout *limits.Limiter
	scope   string
	codes   CodeSender
	wecom   WeComAuthorizer
	ids     IDGenerator
	phones  PhoneNormalizer
	keys    *keyhash.Hasher
	now     func() time.Time
	events  event.Hook

	industries []string
	exceptions state.Documents
}

// New returns a Service for cfg, or a reason.PolicyInvalid error naming the
// first missing dependency or every bad policy value.
func New(cfg Config) (*Service, error) {
	switch {
	case cfg.Store == nil:
		return nil, missing("Store", "an account.Store")
	case cfg.Hasher == nil:
		return nil, missing("Hasher", "a *password.Hasher")
	case cfg.Lockout == nil:
		return nil, missing("Lockout", "a *limits.Limiter")
	case cfg.Codes == nil:
		return nil, missing("Codes", "an account.CodeSender such as *notify.Codes")
	}
	pol, err := cfg.Limits.Resolve()
	if err != nil {
		return nil, err
	}
	pp := cfg.Password.Resolved() // every zero field means the console value
	if err := pp.Validate(); err != nil {
		return nil, err
	}
	keys, err := keyhash.New(cfg.Secret)
	if err != nil {
		return nil, err
	}
	s := &Service{
		store: cfg.Store, quotas: pol.Quotas, policy: pp, hasher: cfg.Hasher,
		lockout: cfg.Lockout, scope: cfg.LockoutScope, codes: cfg.Codes,
		wecom: cfg.WeCom, ids: cfg.IDs, phones: cfg.Phones, keys: keys,
		now: env.Clock(cfg.Now), events: cfg.Events,
	}
	if s.industries, err = resolveIndustries(cfg.Industries); err != nil {
		return nil, err
	}
	s.exceptions = cfg.Exceptions
	if s.scope == "" {
		s.scope = DefaultLockoutScope
	}
	if s.ids == nil {
		s.ids = &RandomIDs{Rand: env.Rand(cfg.Rand)}
	}
	return s, nil
}

func missing(field, allowed string) error { return env.Missing("account.Config."+field, allowed) }

// normalize is NormalizeWith under the host's phone rule.
func (s *Service) normalize(kind Kind, raw string) (string, error) {
	return NormalizeWith(kind, raw, s.phones)
}

// Quotas returns the resolved quota table.
func (s *Service) Quotas() limits.Quotas { return s.quotas }

// PasswordPolicy returns the password policy in force.
func (s *Service) PasswordPolicy() password.Policy { return s.policy }

// Account returns the account with the ID, or ErrNotFound.
func (s *Service) Account(ctx context.Context, id string) (Account, error) {
	if err := checkID("account_id", id); err != nil {
		return Account{}, err
	}
	a, found, err := s.store.Account(ctx, id)
	if err != nil {
		return Account{}, reason.Store(err)
	}
	if !found {
		return Account{}, ErrNotFound
	}
	return a, nil
}

// AccountByAPPID returns the account with the APPID, or ErrNotFound.
func (s *Service) AccountByAPPID(ctx context.Context, appid string) (Account, error) {
	if err := checkID("appid", appid); err != nil {
		return Account{}, err
	}
	a, found, err := s.store.AccountByAPPID(ctx, appid)
	if err != nil {
		return Account{}, reason.Store(err)
	}
	if !found {
		return Account{}, ErrNotFound
	}
	return a, nil
}

// AccountsByLogin returns the accounts that have login method m bound to
// the identifier raw (normalised first): at most one for an email, QQ or
// Official Account, up to 50 for a WeChat by default (the user then picks
// one). A login flow uses it to find the account to check a password
// against; none found is an empty slice, not an error.
func (s *Service) AccountsByLogin(ctx context.Context, m Method, raw string) ([]Account, error) {
	if !m.Valid() {
		return nil, ErrUnknownMethod.With("allowed", allowedMethods)
	}
	v, err := s.normalize(KindOf(m), raw)
	if err != nil {
		return nil, err
	}
	ids, err := s.store.SlotHolders(ctx, Slot{Scope: ScopeBind, Kind: KindOf(m), Value: v})
	if err != nil {
		return nil, reason.Store(err)
	}
	out := make([]Account, 0, len(ids))
	for _, id := range ids {
		a, found, err := s.store.Account(ctx, id)
		if err != nil {
			return nil, reason.Store(err)
		}
		// Re-check the record: a concurrent unbind may have just released it.
		if lm, ok := a.LoginMethod(m); found && ok && lm.Identifier == v {
			out = append(out, a)
		}
	}
	return out, nil
}

// Holders returns the IDs of the accounts holding identifier raw of kind in
// scope (for identity numbers, its keyed hash is looked up). It is for
// operators and tests; it reveals which accounts use an identifier.
func (s *Service) Holders(ctx context.Context, scope Scope, kind Kind, raw string) ([]string, error) {
	v, err := s.normalize(kind, raw)
	if err != nil {
		return nil, err
	}
	switch kind {
	case KindPersonalID, KindEnterpriseID, KindLegalPerson:
		v = s.idHash(kind, v)
	}
	h, err := s.store.SlotHolders(ctx, Slot{Scope: scope, Kind: kind, Value: v})
	if err != nil {
		return nil, reason.Store(err)
	}
	return h, nil
}

func checkID(field, id string) error {
	switch {
	case id == "":
		return reason.New(reason.InputEmpty).With("field", field)
	case len(id) > MaxIDBytes:
		return tooLong(field, MaxIDBytes)
	case !utf8.ValidString(id):
		return reason.New(reason.InputInvalidUTF8).With("field", field)
	}
	return nil
}

// require refuses, with *vocab.VerificationRequiredError, unless p proves
// operation op on account id now.
func (s *Service) require(p vocab.Proof, id, op string) error {
	return vocab.Require(p, id, op, s.now())
}

// errNoChange, returned by an update's change function, ends the update
// without a write: the account already is as asked.
var errNoChange = errors.New("account: no change")

// update reads account id, applies change to a copy, and writes it back with
// the slot changes it implies, retrying on a version conflict with a fresh
// read; so concurrent updates never lose one another. change must only edit
// the record (it may run several times) and may refuse with an error. It
// returns the record before and after the write.
func (s *Service) update(ctx context.Context, id string, change func(a *Account) error) (before, after Account, err error) {
	for range maxWriteAttempts {
		cur, found, err := s.store.Account(ctx, id)
		if err != nil {
			return Account{}, Account{}, reason.Store(err)
		}
		if !found {
			return Account{}, Account{}, ErrNotFound
		}
		next := cur.clone()
		if err := change(&next); errors.Is(err, errNoChange) {
			return cur, cur, nil
		} else if err != nil {
			return Account{}, Account{}, err
		}
		take, release := slotChanges(cur, next, s.quotas)
		if err := s.raiseLimits(ctx, next.ID, take); err != nil {
			return Account{}, Account{}, err
		}
		res, err := s.store.UpdateAccount(ctx, next, take, release)
		if err != nil {
			return Account{}, Account{}, reason.Store(err)
		}
		switch res.Status {
		case WriteOK:
			next.Version = cur.Version + 1
			return cur, next, nil
		case WriteConflict:
			continue
		case WriteMissing:
			return Account{}, Account{}, ErrNotFound
		case WriteFull:
			return Account{}, Account{}, s.quotaError(res.Full)
		default:
			return Account{}, Account{}, reason.Store(fmt.Errorf("account: store returned write status %d", res.Status))
		}
	}
	return Account{}, Account{}, reason.Store(fmt.Errorf("account: %d conflicting writes in a row on one account", maxWriteAttempts))
}

func (s *Service) quotaError(full Slot) error {
	return ErrQuotaExceeded.With("limit", limitOf(full, s.quotas)).With("scope", string(full.Scope)).With("kind", string(full.Kind))
}

// idHash is the keyed hash under which an identity number is stored.
func (s *Service) idHash(kind Kind, normalized string) string {
	return s.keys.Key("account-id", string(kind), normalized)
}

// emit sends an event about account id.
func (s *Service) emit(ctx context.Context, kind event.Kind, id string, attrs map[string]string) {
	s.events.Emit(ctx, event.Event{Kind: kind, At: s.now(), AccountID: id, Attrs: attrs})
}

// sendCode sends a code on ch to dest for account id (id is "" before
// registration).
func (s *Service) sendCode(ctx context.Context, p notify.Purpose, ch notify.Channel, dest, id, clientIP string) (notify.Sent, error) {
	return s.codes.Send(ctx, notify.Target{Purpose: p, Channel: ch, Destination: dest, AccountID: id}, clientIP)
}

// checkCode verifies code on ch for dest and account id.
func (s *Service) checkCode(ctx context.Context, p notify.Purpose, ch notify.Channel, dest, id, code string) error {
	if code == "" {
		return reason.New(reason.InputEmpty).With("field", "code")
	}
	return s.codes.Verify(ctx, notify.Target{Purpose: p, Channel: ch, Destination: dest, AccountID: id}, code)
}
