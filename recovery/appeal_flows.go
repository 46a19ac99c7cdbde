package recovery

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"io"
	"sync"
	"time"

	"github.com/accountsec/accountsec/account"
	"github.com/accountsec/accountsec/account/password"
	"github.com/accountsec/accountsec/event"
	"github.com/accountsec/accountsec/internal/keyhash"
	"github.com/accountsec/accountsec/internal/policycheck"
	"github.com/accountsec/accountsec/internal/proof"
	"github.com/accountsec/accountsec/limits"
	"github.com/accountsec/accountsec/notify"
	"github.com/accountsec/accountsec/protection"
	"github.com/accountsec/accountsec/reason"
	"github.com/accountsec/accountsec/state"
	"github.com/accountsec/accountsec/vocab"
)

// Defaults and bounds of FlowPolicy (docs/RULES.md §8).
const (
	// DefaultStepTTL: a step of an appeal or an enterprise recovery left
	// this long after the previous one expires the flow.
	DefaultStepTTL = 24 * time.Hour
	// DefaultFlowTTL: a flow not submitted this long after its start
	// expires, whatever the pace of its steps.
	DefaultFlowTTL = 7 * 24 * time.Hour
	// DefaultReviewTTL: a submitted flow not decided this long after its
	// submission leaves the review queue and expires.
	DefaultReviewTTL = 30 * 24 * time.Hour
	// DefaultAllowanceTTL: how long the allowances of an enterprise
	// recovery last from the lookup that opened them.
	DefaultAllowanceTTL = 24 * time.Hour
	// ApplyLease is how long an approval being applied is left to its
	// applier before another Decide may try again.
	ApplyLease = time.Minute
)

// The limiter scopes of the recovery flows: wrong SMS codes and rejected
// face checks count per flow (subject the flow's tag), wrong query
// look-ups per query code, under the lockout policy of the Limiter.
const (
	// ScopeRecoverySMS counts wrong SMS and email codes of a flow.
	ScopeRecoverySMS = "recovery-code"
	// ScopeRecoveryFace counts rejected face checks of a flow.
	ScopeRecoveryFace = "recovery-face"
	// ScopeRecoveryQuery counts wrong codes of a result look-up.
	ScopeRecoveryQuery = "recovery-query"
)

// CauseRecovery is the cause given to SessionEnder when an approved appeal
// or an enterprise recovery's allowance changes an account.
const CauseRecovery = "account_recovery"

// FlowPolicy is the policy of the enterprise recovery and the login
// appeal. A zero field means its default.
type FlowPolicy struct {
	// StepTTL is how long a flow waits for its next step (default 24
	// hours; 1 hour to 7 days).
	StepTTL time.Duration `validate:"min=0,max=168h"`
	// FlowTTL is how long a flow may take from its start to its submission
	// (default 7 days; 1 to 30 days).
	FlowTTL time.Duration `validate:"min=0,max=720h"`
	// ReviewTTL is how long a submitted flow waits for its review (default
	// 30 days; 1 to 90 days).
	ReviewTTL time.Duration `validate:"min=0,max=2160h"`
	// AllowanceTTL is how long an enterprise recovery's allowances last
	// (default 24 hours; 1 hour to 7 days).
	AllowanceTTL time.Duration `validate:"min=0,max=168h"`
	// AutoApprove approves an appeal as soon as its face check passes,
	// when every check passed and it needs no person's decision (an
	// appeal that cannot remove MFA always waits for a reviewer).
	// Enterprise recoveries are always reviewed.
	AutoApprove bool
}

// PersonFaceVerifier is the host's face verification of a person named by
// name and identity number rather than by an account: the legal person of
// an enterprise. fakes.HostVerifier implements it.
type PersonFaceVerifier interface {
	// StartPersonFace begins a face verification of the person.
	StartPersonFace(ctx context.Context, p Person) (protection.HostChallenge, error)
	// PersonFaceResult reports the state of the verification with the
	// ticket.
	PersonFaceResult(ctx context.Context, p Person, ticket string) (protection.HostResult, error)
}

// Person is a person to verify by face: a name and an identity number as
// the user gave them.
type Person struct {
	// Name is the person's name.
	Name string
	// IDNumber is the person's identity number (normalised).
	IDNumber string
}

// FlowAccounts is what the recovery flows need from the accounts;
// *account.Service implements it.
type FlowAccounts interface {
	// Account returns the account with the ID.
	Account(ctx context.Context, id string) (account.Account, error)
	// AccountsByLogin returns the accounts with login method m bound to raw.
	AccountsByLogin(ctx context.Context, m account.Method, raw string) ([]account.Account, error)
	// Holders returns the accounts holding an identifier in a scope.
	Holders(ctx context.Context, scope account.Scope, kind account.Kind, raw string) ([]string, error)
	// PasswordPolicy returns the password policy in force.
	PasswordPolicy() password.Policy
	// PreparePassword checks and hashes a new password of an account.
	PreparePassword(ctx context.Context, id, pw string) (string, error)
	// Restore applies a recovery to an account in one write.
	Restore(ctx context.Context, p vocab.Proof, id string, r account.Restore) (account.Account, error)
}

var _ FlowAccounts = (*account.Service)(nil)

// FlowsConfig is what the recovery flows need from the host.
type FlowsConfig struct {
	// Store keeps the flows: documents (each flow, the open appeal of each
	// account), single-use records (grants, allowances) and the review
	// queue (records of set "review", owner "pending"). Required.
	Store state.Store
	// Accounts reads the accounts and applies the recoveries (an
	// *account.Service). Required.
	Accounts FlowAccounts
	// Codes sends and checks the SMS and email codes of the flows (a
	// *notify.Codes, which the send limits gate). Required.
	Codes account.CodeSender
	// Limiter counts wrong codes and rejected face checks (a
	// *limits.Limiter). Required.
	Limiter *limits.Limiter
	// Sessions ends an account's sessions after a recovery (a
	// *protection.Manager). Required.
	Sessions SessionEnder
	// SMS sends the result notice to the contact phone; nil sends none
	// (the RecoveryDecided event still says it).
	SMS notify.SMSSender
	// Face checks the face of an account's real-name person (appeals);
	// nil makes the appeal's face step unavailable.
	Face protection.FaceVerifier
	// PersonFace checks the face of an enterprise's legal person; nil
	// makes the enterprise recovery's face step unavailable.
	PersonFace PersonFaceVerifier
	// Secret keys the hashes of references, query codes and grants. At
	// least 16 bytes. Required.
	Secret []byte
	// Policy is the flow policy (zero means defaults).
	Policy FlowPolicy
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Rand is the randomness source; nil means crypto/rand.
	Rand io.Reader
	// Events receives security events; nil discards them.
	Events event.Hook
}

// Flows holds the recovery flows that need a person's review, sharing one
// store and one review queue.
type Flows struct {
	// Enterprise is the enterprise recovery.
	Enterprise *Enterprise
	// Appeals is the login appeal of personally verified accounts.
	Appeals *Appeals
	// Review is the host's back office for both.
	Review *Review
}

// flows is the state and dependencies shared by the flows.
type flows struct {
	store      state.Store
	accounts   FlowAccounts
	codes      account.CodeSender
	limiter    *limits.Limiter
	sessions   SessionEnder
	sms        notify.SMSSender
	face       protection.FaceVerifier
	personFace PersonFaceVerifier
	keys       *keyhash.Hasher
	policy     FlowPolicy
	now        func() time.Time
	events     event.Hook

	randMu sync.Mutex
	rand   io.Reader
}

// NewFlows returns the recovery flows for cfg, or a reason.PolicyInvalid
// error naming the first missing dependency or the bad policy value.
func NewFlows(cfg FlowsConfig) (*Flows, error) {
	miss := func(field, allowed string) error {
		return reason.New(reason.PolicyInvalid).With("field", "recovery.FlowsConfig."+field).With("value", "nil").With("allowed", allowed)
	}
	switch {
	case cfg.Store == nil:
		return nil, miss("Store", "a state.Store such as *memstore.Store")
	case cfg.Accounts == nil:
		return nil, miss("Accounts", "a recovery.FlowAccounts such as *account.Service")
	case cfg.Codes == nil:
		return nil, miss("Codes", "an account.CodeSender such as *notify.Codes")
	case cfg.Limiter == nil:
		return nil, miss("Limiter", "a *limits.Limiter")
	case cfg.Sessions == nil:
		return nil, miss("Sessions", "a recovery.SessionEnder such as *protection.Manager")
	}
	if err := policycheck.Check("recovery.FlowPolicy", cfg.Policy); err != nil {
		return nil, err
	}
	p := cfg.Policy
	def := func(v *time.Duration, d time.Duration) {
		if *v == 0 {
			*v = d
		}
	}
	def(&p.StepTTL, DefaultStepTTL)
	def(&p.FlowTTL, DefaultFlowTTL)
	def(&p.ReviewTTL, DefaultReviewTTL)
	def(&p.AllowanceTTL, DefaultAllowanceTTL)
	if err := policycheck.Check("recovery.FlowPolicy", struct {
		StepTTL      time.Duration `validate:"min=1h,max=168h"`
		FlowTTL      time.Duration `validate:"min=24h,max=720h"`
		ReviewTTL    time.Duration `validate:"min=24h,max=2160h"`
		AllowanceTTL time.Duration `validate:"min=1h,max=168h"`
	}{p.StepTTL, p.FlowTTL, p.ReviewTTL, p.AllowanceTTL}); err != nil {
		return nil, err
	}
	keys, err := keyhash.New(cfg.Secret)
	if err != nil {
		return nil, err
	}
	f := &flows{
		store: cfg.Store, accounts: cfg.Accounts, codes: cfg.Codes, limiter: cfg.Limiter,
		sessions: cfg.Sessions, sms: cfg.SMS, face: cfg.Face, personFace: cfg.PersonFace,
		keys: keys, policy: p, now: cfg.Now, events: cfg.Events, rand: cfg.Rand,
	}
	if f.now == nil {
		f.now = time.Now
	}
	if f.rand == nil {
		f.rand = rand.Reader
	}
	return &Flows{Enterprise: &Enterprise{f: f}, Appeals: &Appeals{f: f}, Review: &Review{f: f}}, nil
}

// Policy returns the resolved flow policy.
func (fl *Flows) Policy() FlowPolicy { return fl.Review.f.policy }

// RefLength is the length of a flow reference and of a grant: unpadded
// base64url of 32 random bytes.
const RefLength = 43

// newToken draws a reference or grant.
func (f *flows) newToken() (string, error) {
	var b [32]byte
	f.randMu.Lock()
	_, err := io.ReadFull(f.rand, b[:])
	f.randMu.Unlock()
	if err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(b[:]), nil
}

// parseRef reports whether s has the form of a reference or grant.
func parseRef(s string) bool {
	if len(s) != RefLength {
		return false
	}
	var b [32]byte
	n, err := base64.RawURLEncoding.Strict().Decode(b[:], []byte(s))
	return err == nil && n == 32
}

// QueryCodeLength is the length of an enterprise recovery's query code.
const QueryCodeLength = 20

// queryAlphabet is the alphabet of query codes: digits and upper-case
// letters without I and O.
const queryAlphabet = "0123456789ABCDEFGHJKLMNPQRSTUVWXYZ"

// newQueryCode draws a query code (about 100 bits).
func (f *flows) newQueryCode() (string, error) {
	out := make([]byte, 0, QueryCodeLength)
	var b [1]byte
	f.randMu.Lock()
	defer f.randMu.Unlock()
	for len(out) < QueryCodeLength {
		if _, err := io.ReadFull(f.rand, b[:]); err != nil {
			return "", err
		}
		if int(b[0]) >= 256-256%len(queryAlphabet) {
			continue // rejection sampling keeps every character equally likely
		}
		out = append(out, queryAlphabet[int(b[0])%len(queryAlphabet)])
	}
	return string(out), nil
}

// parseQueryCode returns the normalised query code (upper-cased, spaces
// and dashes around groups removed).
func parseQueryCode(raw string) (string, error) {
	if raw == "" {
		return "", reason.New(reason.InputEmpty).With("field", "query_code")
	}
	if len(raw) > 64 {
		return "", reason.New(reason.InputTooLong).With("field", "query_code").With("max", 64)
	}
	out := make([]byte, 0, QueryCodeLength)
	for i := 0; i < len(raw); i++ {
		c := raw[i]
		switch {
		case c == ' ' || c == '-':
			continue
		case c >= 'a' && c <= 'z':
			c -= 'a' - 'A'
		}
		if !containsByte(queryAlphabet, c) {
			return "", reason.New(reason.InputMalformed).With("field", "query_code")
		}
		out = append(out, c)
	}
	if len(out) != QueryCodeLength {
		return "", reason.New(reason.InputMalformed).With("field", "query_code")
	}
	return string(out), nil
}

func containsByte(s string, c byte) bool {
	for i := 0; i < len(s); i++ {
		if s[i] == c {
			return true
		}
	}
	return false
}

// checkRef refuses a reference that is not of the form the library issues.
func checkRef(field, ref string) error {
	switch {
	case ref == "":
		return reason.New(reason.InputEmpty).With("field", field)
	case !parseRef(ref):
		return reason.New(reason.InputMalformed).With("field", field)
	}
	return nil
}

// checkCodeForm refuses an empty or malformed code before anything is
// counted or looked up.
func checkCodeForm(code string) error {
	switch {
	case code == "":
		return reason.New(reason.InputEmpty).With("field", "code")
	case !notify.ParseCode(code):
		return notify.ErrMalformed.With("digits", notify.CodeLength)
	}
	return nil
}

// verifyCode checks code for t under the limiter (scope, subject): a wrong
// or spent code counts as a failure, and a locked subject is refused
// (*limits.LockedError) before the code is looked at.
func (f *flows) verifyCode(ctx context.Context, scope, subject string, t notify.Target, code string) error {
	if err := checkCodeForm(code); err != nil {
		return err
	}
	var verr error
	ok, err := f.limiter.Do(ctx, scope, subject, func(ctx context.Context) (bool, error) {
		verr = f.codes.Verify(ctx, t, code)
		switch {
		case verr == nil:
			return true, nil
		case errors.Is(verr, notify.ErrMismatch), errors.Is(verr, notify.ErrInvalid):
			return false, nil
		}
		return false, verr
	})
	switch {
	case err != nil:
		return err
	case !ok:
		return verr
	}
	return nil
}

// faceFailed counts a rejected face check and returns the refusal.
func (f *flows) faceFailed(ctx context.Context, subject string) error {
	a, err := f.limiter.Begin(ctx, ScopeRecoveryFace, subject)
	if err != nil {
		return err
	}
	if err := a.Fail(ctx); err != nil {
		return err
	}
	return reason.New(reason.RecoveryFaceRejected).With("remaining", a.Remaining())
}

// faceLocked refuses a face step while the flow's face checks are locked.
func (f *flows) faceLocked(ctx context.Context, subject string) error {
	st, err := f.limiter.Status(ctx, ScopeRecoveryFace, subject)
	if err != nil {
		return err
	}
	if !st.LockedUntil.IsZero() {
		return &limits.LockedError{Until: st.LockedUntil}
	}
	return nil
}

// emailFree refuses an address that is registered or bound anywhere.
func (f *flows) emailFree(ctx context.Context, email string) error {
	for _, scope := range []account.Scope{account.ScopeRegister, account.ScopeBind} {
		h, err := f.accounts.Holders(ctx, scope, account.KindEmail, email)
		if err != nil {
			return err
		}
		if len(h) > 0 {
			return reason.New(reason.RecoveryEmailTaken)
		}
	}
	return nil
}

// restore applies r to the account under a proof minted for it now: the
// flow's own checks have passed.
func (f *flows) restore(ctx context.Context, accountID, binding string, r account.Restore) (account.Account, error) {
	p := proof.Mint(accountID, binding, account.OpRecoveryRestore, f.now().Add(time.Minute))
	return f.accounts.Restore(ctx, p, accountID, r)
}

// notice sends a result notice to a contact phone, best effort.
func (f *flows) notice(ctx context.Context, phone, accountID, kind, decision string) {
	if f.sms == nil || phone == "" {
		return
	}
	_ = f.sms.SendSMS(ctx, notify.Message{
		Channel: notify.SMS, To: phone, Purpose: notify.PurposeNotice, AccountID: accountID,
		Params: map[string]string{"flow": kind, "decision": decision},
	})
}

// emit sends an event of a flow.
func (f *flows) emit(ctx context.Context, kind event.Kind, scope, accountID, subject string, attrs map[string]string) {
	f.events.Emit(ctx, event.Event{Kind: kind, At: f.now(), AccountID: accountID, Subject: subject, Scope: scope, Attrs: attrs})
}

// refused emits RecoveryStepRefused for err and returns it.
func (f *flows) refused(ctx context.Context, scope, accountID, subject, step string, err error) error {
	code := string(reason.CodeOf(err))
	if code == "" {
		code = "error"
	}
	f.emit(ctx, event.RecoveryStepRefused, scope, accountID, subject, map[string]string{"step": step, "reason": code})
	return err
}

// loadDoc reads document id.
func (f *flows) loadDoc(ctx context.Context, id string) (state.Document, bool, error) {
	d, found, err := f.store.GetDocument(ctx, id)
	if err != nil {
		return state.Document{}, false, reason.Store(err)
	}
	return d, found, nil
}

// putDoc writes data as version v of document id; a lost race is
// reason.RecoveryChangedMeanwhile.
func (f *flows) putDoc(ctx context.Context, id string, v int64, data []byte) error {
	ok, err := f.store.PutDocument(ctx, state.Document{ID: id, Version: v, Data: data})
	switch {
	case err != nil:
		return reason.Store(err)
	case !ok:
		return reason.New(reason.RecoveryChangedMeanwhile)
	}
	return nil
}

// stepOrder is the refusal of a step that does not come now.
func stepOrder(expected string) error {
	return reason.New(reason.RecoveryStepOrder).With("expected", expected)
}

// expired reports whether a flow at a user step, started at started and
// last moved at stepAt, has expired at now.
func (f *flows) expired(started, stepAt, now time.Time) bool {
	return !now.Before(stepAt.Add(f.policy.StepTTL)) || !now.Before(started.Add(f.policy.FlowTTL))
}

// checkPhone normalises a phone number as the accounts do.
func checkPhone(field, raw string) (string, error) {
	p, err := account.Normalize(account.KindPhone, raw)
	if err != nil {
		var re *reason.Error
		if errors.As(err, &re) {
			return "", re.With("field", field)
		}
		return "", err
	}
	return p, nil
}
