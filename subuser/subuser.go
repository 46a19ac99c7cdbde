package subuser

import (
	"context"
	"crypto/rand"
	"fmt"
	"io"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/accountsec/accountsec/event"
	"github.com/accountsec/accountsec/internal/keyhash"
	"github.com/accountsec/accountsec/reason"
	"github.com/accountsec/accountsec/state"
)

// Defaults and bounds of the Policy (docs/RULES.md §10).
const (
	// DefaultLinkTTL is how long an application link is valid: 4 hours.
	DefaultLinkTTL = 4 * time.Hour
	// MinLinkTTL and MaxLinkTTL bound Policy.LinkTTL.
	MinLinkTTL, MaxLinkTTL = time.Minute, 24 * time.Hour
	// DefaultReviewTTL is how long an application waits for review: 30
	// days.
	DefaultReviewTTL = 30 * 24 * time.Hour
	// MinReviewTTL and MaxReviewTTL bound Policy.ReviewTTL.
	MinReviewTTL, MaxReviewTTL = 24 * time.Hour, 365 * 24 * time.Hour
)

// Limits of the inputs.
const (
	// MaxIDBytes is the longest account ID, principal, enterprise ID, user
	// ID, department ID, policy or group name: printable ASCII.
	MaxIDBytes = 64
	// MaxNameLen is the longest enterprise, department or member name, in
	// Unicode characters.
	MaxNameLen = 64
	// MaxScopeUnits is the most departments and members a scope lists
	// together.
	MaxScopeUnits = 200
	// MaxGrantItems is the most policies, and the most groups, one approval
	// grants.
	MaxGrantItems = 50
	// MaxNoteLen is the longest note of a decision, in Unicode characters.
	MaxNoteLen = 200
)

// Sentinel errors, matched with errors.Is. Each carries a reason code.
var (
	// ErrNotAdministrator: the principal may not administer the account.
	ErrNotAdministrator = reason.New(reason.SubUserNotAdministrator)
	// ErrNotWeComAdmin: the WeCom user is not an enterprise administrator.
	ErrNotWeComAdmin = reason.New(reason.SubUserNotWeComAdmin)
	// ErrNotLinked: no enterprise is linked to the account.
	ErrNotLinked = reason.New(reason.SubUserNotLinked)
	// ErrEnterpriseTaken: the enterprise is linked to another account.
	ErrEnterpriseTaken = reason.New(reason.SubUserEnterpriseTaken)
	// ErrAlreadyLinked: the account is linked to another enterprise.
	ErrAlreadyLinked = reason.New(reason.SubUserAlreadyLinked)
	// ErrScopeTooLarge: the scope lists too many units.
	ErrScopeTooLarge = reason.New(reason.SubUserScopeTooLarge)
	// ErrLinkMalformed: the link token is not of the issued form.
	ErrLinkMalformed = reason.New(reason.SubUserLinkMalformed)
	// ErrLinkInvalid: the link expired, was used or was never issued.
	ErrLinkInvalid = reason.New(reason.SubUserLinkInvalid)
	// ErrUnknownLinkKind: not one of the link kinds.
	ErrUnknownLinkKind = reason.New(reason.SubUserUnknownLinkKind)
	// ErrMemberUnknown: the enterprise has no such member.
	ErrMemberUnknown = reason.New(reason.SubUserMemberUnknown)
	// ErrOutsideScope: the member is outside the visibility scope.
	ErrOutsideScope = reason.New(reason.SubUserOutsideScope)
	// ErrApplicationNotFound: no such application for the account.
	ErrApplicationNotFound = reason.New(reason.SubUserApplicationNotFound)
	// ErrApplicationExpired: the application was not reviewed in time.
	ErrApplicationExpired = reason.New(reason.SubUserApplicationExpired)
	// ErrAlreadyPending: the member's application awaits review.
	ErrAlreadyPending = reason.New(reason.SubUserAlreadyPending)
	// ErrAlreadyApproved: the member is a sub-user already.
	ErrAlreadyApproved = reason.New(reason.SubUserAlreadyApproved)
	// ErrAlreadyDecided: the application was decided. Params: state.
	ErrAlreadyDecided = reason.New(reason.SubUserAlreadyDecided)
	// ErrNotAdminEligible: CAMAdmin asked for an application that cannot
	// have it.
	ErrNotAdminEligible = reason.New(reason.SubUserNotAdminEligible)
	// ErrGrantFailed: the host's Granter failed; it wraps the cause.
	ErrGrantFailed = reason.New(reason.SubUserGrantFailed)
	// ErrNotifyFailed: the host's Notifier failed; it wraps the cause.
	ErrNotifyFailed = reason.New(reason.SubUserNotifyFailed)
)

// Store is the storage the Manager needs: single-use records for the links,
// documents for enterprises and applications, and record sets for the list
// of applications awaiting review. Every adapter's state.Store is one.
type Store interface {
	state.Onces
	state.Documents
	state.Records
}

// Policy holds the times of the flow; a zero field means its default.
type Policy struct {
	// LinkTTL is how long an application link is valid (default 4 hours;
	// 1 minute to 24 hours).
	LinkTTL time.Duration
	// ReviewTTL is how long an application waits for review (default 30
	// days; 1 to 365 days).
	ReviewTTL time.Duration
}

// Resolve fills in the defaults and validates the result.
func (p Policy) Resolve() (Policy, error) {
	if p.LinkTTL == 0 {
		p.LinkTTL = DefaultLinkTTL
	}
	if p.ReviewTTL == 0 {
		p.ReviewTTL = DefaultReviewTTL
	}
	var errs reason.List
	if p.LinkTTL < MinLinkTTL || p.LinkTTL > MaxLinkTTL {
		errs = append(errs, policyErr("LinkTTL", p.LinkTTL, "1m to 24h"))
	}
	if p.ReviewTTL < MinReviewTTL || p.ReviewTTL > MaxReviewTTL {
		errs = append(errs, policyErr("ReviewTTL", p.ReviewTTL, "24h to 8760h"))
	}
	if err := errs.Err(); err != nil {
		return Policy{}, err
	}
	return p, nil
}

func policyErr(field string, v time.Duration, allowed string) *reason.Error {
	return reason.New(reason.PolicyInvalid).With("field", "subuser.Policy."+field).With("value", v.String()).With("allowed", allowed)
}

// Config is what a Manager needs from the host.
type Config struct {
	// Store keeps links, enterprises and applications. Required; keep it
	// durable.
	Store Store
	// Administrators decides who administers an account. Required.
	Administrators Administrators
	// Directory reads enterprise members. Required.
	Directory Directory
	// Granter creates approved sub-users. Required.
	Granter Granter
	// Notifier tells applicants the decision. Required.
	Notifier Notifier
	// Policy holds the link and review times.
	Policy Policy
	// Secret keys the hashes of link tokens and store keys. At least 16
	// bytes. Required.
	Secret []byte
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Rand is the randomness source; nil means crypto/rand.
	Rand io.Reader
	// Events receives the events; nil discards them.
	Events event.Hook
}

// Manager runs the WeCom sub-user flows. It is safe for concurrent use; its
// state is in the Store.
type Manager struct {
	store     Store
	admins    Administrators
	directory Directory
	granter   Granter
	notifier  Notifier
	policy    Policy
	keys      *keyhash.Hasher
	now       func() time.Time
	randMu    sync.Mutex
	rand      io.Reader
	events    event.Hook
}

// New returns a Manager for cfg, or a reason.PolicyInvalid error naming a
// missing dependency or a bad policy value.
func New(cfg Config) (*Manager, error) {
	switch {
	case cfg.Store == nil:
		return nil, missing("Store", "a subuser.Store such as memstore.Store")
	case cfg.Administrators == nil:
		return nil, missing("Administrators", "a subuser.Administrators")
	case cfg.Directory == nil:
		return nil, missing("Directory", "a subuser.Directory")
	case cfg.Granter == nil:
		return nil, missing("Granter", "a subuser.Granter")
	case cfg.Notifier == nil:
		return nil, missing("Notifier", "a subuser.Notifier")
	}
	pol, err := cfg.Policy.Resolve()
	if err != nil {
		return nil, err
	}
	keys, err := keyhash.New(cfg.Secret)
	if err != nil {
		return nil, err
	}
	m := &Manager{
		store: cfg.Store, admins: cfg.Administrators, directory: cfg.Directory,
		granter: cfg.Granter, notifier: cfg.Notifier, policy: pol, keys: keys,
		now: cfg.Now, rand: cfg.Rand, events: cfg.Events,
	}
	if m.now == nil {
		m.now = time.Now
	}
	if m.rand == nil {
		m.rand = rand.Reader
	}
	return m, nil
}

func missing(field, allowed string) error {
	return reason.New(reason.PolicyInvalid).With("field", "subuser.Config."+field).With("value", "nil").With("allowed", allowed)
}

// Policy returns the resolved policy.
func (m *Manager) Policy() Policy { return m.policy }

// clock returns now at whole milliseconds, the precision of the stores.
func (m *Manager) clock() time.Time { return m.now().Truncate(time.Millisecond) }

// checkAdmin refuses unless principal administers the account.
func (m *Manager) checkAdmin(ctx context.Context, accountID, principal string) error {
	ok, err := m.admins.FullAccess(ctx, accountID, principal)
	switch {
	case err != nil:
		return reason.Store(err)
	case !ok:
		return ErrNotAdministrator
	}
	return nil
}

// member reads a member through the Directory.
func (m *Manager) member(ctx context.Context, corpID, userID string) (Member, error) {
	mem, found, err := m.directory.Member(ctx, corpID, userID)
	switch {
	case err != nil:
		return Member{}, reason.Store(err)
	case !found || mem.UserID != userID:
		return Member{}, ErrMemberUnknown
	}
	return mem, nil
}

// emit sends an event of the flow.
func (m *Manager) emit(ctx context.Context, kind event.Kind, accountID string, until time.Time, attrs map[string]string) {
	m.events.Emit(ctx, event.Event{Kind: kind, At: m.now(), AccountID: accountID, Scope: "subuser", Until: until, Attrs: attrs})
}

// checkKey refuses s unless it is 1 to MaxIDBytes bytes of printable ASCII.
func checkKey(field, s string) error {
	switch {
	case s == "":
		return reason.New(reason.InputEmpty).With("field", field)
	case len(s) > MaxIDBytes:
		return reason.New(reason.InputTooLong).With("field", field).With("max", MaxIDBytes)
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x21 || c > 0x7e {
			return reason.New(reason.InputMalformed).With("field", field)
		}
	}
	return nil
}

// checkName refuses a name that is empty (when required), too long, not
// UTF-8 or holds control characters.
func checkName(field, s string, max int, required bool) error {
	switch {
	case s == "" && required:
		return reason.New(reason.InputEmpty).With("field", field)
	case !utf8.ValidString(s):
		return reason.New(reason.InputInvalidUTF8).With("field", field)
	case utf8.RuneCountInString(s) > max:
		return reason.New(reason.InputTooLong).With("field", field).With("max", max)
	}
	for _, r := range s {
		if r < 0x20 || r == 0x7f {
			return reason.New(reason.InputMalformed).With("field", field)
		}
	}
	return nil
}

// unexpected wraps an impossible store answer as a store failure.
func unexpected(format string, args ...any) error {
	return reason.Store(fmt.Errorf("subuser: "+format, args...))
}
