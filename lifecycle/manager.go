package lifecycle

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/accountsec/accountsec/account"
	"github.com/accountsec/accountsec/event"
	"github.com/accountsec/accountsec/internal/keyhash"
	"github.com/accountsec/accountsec/internal/proof"
	"github.com/accountsec/accountsec/notify"
	"github.com/accountsec/accountsec/protection"
	"github.com/accountsec/accountsec/reason"
	"github.com/accountsec/accountsec/state"
	"github.com/accountsec/accountsec/vocab"
)

// Config is what a Manager needs from the host.
type Config struct {
	// Store keeps the applications, one document per account. Required;
	// keep it durable (PostgreSQL).
	Store state.Documents
	// Accounts reads the accounts, sets their lifecycle state and deletes
	// them. Required.
	Accounts *account.Service
	// Protection ends the sessions and revokes the trusted devices of a
	// cancelled account. Required.
	Protection *protection.Manager
	// Resources is the host's resource check. Required.
	Resources ResourceChecker
	// Face is the host's face verification of the real-name person (of the
	// legal person, for an enterprise). Without it, personal and
	// enterprise accounts cannot pass the identity check
	// (cancellation.no_face_verifier).
	Face protection.FaceVerifier
	// Calendar tells working days for the review deadline; nil means
	// Weekends.
	Calendar Calendar
	// Zone is the time zone of the Calendar's days; nil means UTC+8
	// (China Standard Time).
	Zone *time.Location
	// SMS and Email send the result to the security phone and the security
	// email; a nil sender skips its channel.
	SMS notify.SMSSender
	// Email: see SMS.
	Email notify.EmailSender
	// Policy is the cancellation policy (zero means the defaults).
	Policy Policy
	// Secret keys the document IDs. At least 16 bytes. Required.
	Secret []byte
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Events receives the events; nil discards them.
	Events event.Hook
}

// Manager runs cancellations. It is safe for concurrent use; all its state
// is in the Store (the applications) and the account service.
type Manager struct {
	store      state.Documents
	accounts   *account.Service
	protection *protection.Manager
	resources  ResourceChecker
	face       protection.FaceVerifier
	calendar   Calendar
	zone       *time.Location
	sms        notify.SMSSender
	email      notify.EmailSender
	policy     Policy
	conditions []Condition
	keys       *keyhash.Hasher
	now        func() time.Time
	events     event.Hook
}

// ChinaStandardTime is the default Zone: UTC+8, without daylight saving.
var ChinaStandardTime = time.FixedZone("UTC+8", 8*60*60)

// PurposeCancelled is the notify purpose of the message that tells the
// security phone and email that the account was cancelled. Its Params
// carry account_id.
const PurposeCancelled notify.Purpose = "cancellation_completed"

// New returns a Manager for cfg, or a reason.PolicyInvalid error naming the
// first missing dependency or every bad policy value.
func New(cfg Config) (*Manager, error) {
	switch {
	case cfg.Store == nil:
		return nil, missing("Store", "a state.Documents")
	case cfg.Accounts == nil:
		return nil, missing("Accounts", "an *account.Service")
	case cfg.Protection == nil:
		return nil, missing("Protection", "a *protection.Manager")
	case cfg.Resources == nil:
		return nil, missing("Resources", "a lifecycle.ResourceChecker")
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
		store: cfg.Store, accounts: cfg.Accounts, protection: cfg.Protection, resources: cfg.Resources,
		face: cfg.Face, calendar: cfg.Calendar, zone: cfg.Zone, sms: cfg.SMS, email: cfg.Email,
		policy: pol, keys: keys, now: cfg.Now, events: cfg.Events,
	}
	m.conditions = append(Conditions(), pol.ExtraConditions...)
	if m.calendar == nil {
		m.calendar = Weekends{}
	}
	if m.zone == nil {
		m.zone = ChinaStandardTime
	}
	if m.now == nil {
		m.now = time.Now
	}
	return m, nil
}

func missing(field, allowed string) error {
	return reason.New(reason.PolicyInvalid).With("field", "lifecycle.Config."+field).With("value", "nil").With("allowed", allowed)
}

// Policy returns the resolved policy.
func (m *Manager) Policy() Policy { return m.policy }

// ConditionsInForce returns the conditions an application must confirm:
// the console's, then the host's.
func (m *Manager) ConditionsInForce() []Condition { return append([]Condition(nil), m.conditions...) }

// Errors of the flow, matched with errors.Is.
var (
	// ErrNotFound: the account has no cancellation application.
	ErrNotFound = reason.New(reason.CancellationNotFound)
	// ErrInProgress: an application is already open. Params: status.
	ErrInProgress = reason.New(reason.CancellationInProgress)
	// ErrWrongStatus: the step does not apply now. Params: status.
	ErrWrongStatus = reason.New(reason.CancellationWrongStatus)
	// ErrIrreversible: the cancellation is completing or completed.
	// Params: status.
	ErrIrreversible = reason.New(reason.CancellationIrreversible)
	// ErrResourcesRemain: resources remain to handle or abandon. Params:
	// must_handle, not_abandoned.
	ErrResourcesRemain = reason.New(reason.CancellationResourcesRemain)
	// ErrCoolingOff: the cooling-off period has not ended. Params: until.
	ErrCoolingOff = reason.New(reason.CancellationCoolingOff)
	// ErrNoFaceVerifier: no face verifier is wired.
	ErrNoFaceVerifier = reason.New(reason.CancellationNoFaceVerifier)
	// ErrCheckerFailed: the host's resource checker failed.
	ErrCheckerFailed = reason.New(reason.CancellationCheckerFailed)
)

// flowBinding is the binding of the proofs the flow mints for its own
// steps (the account's state, its deletion).
const flowBinding = "cancellation"

// ownProof mints the proof of op for the flow's own step on accountID.
func (m *Manager) ownProof(accountID, op string) vocab.Proof {
	return proof.Mint(accountID, flowBinding, op, m.now().Add(time.Minute))
}

// docID is the document of the account's application.
func (m *Manager) docID(accountID string) string { return m.keys.Key("cancellation", accountID) }

// errStop, returned by a transition's change, ends it without a write.
var errStop = errors.New("lifecycle: no change")

// maxAttempts bounds the compare-and-set retries of one transition.
const maxAttempts = 8

// load returns the application of accountID and its document version.
func (m *Manager) load(ctx context.Context, accountID string) (record, bool, error) {
	d, found, err := m.store.GetDocument(ctx, m.docID(accountID))
	if err != nil {
		return record{}, false, reason.Store(err)
	}
	if !found {
		return record{}, false, nil
	}
	r, err := decode(d.Data)
	if err != nil {
		return record{}, false, reason.Store(err)
	}
	r.version = d.Version
	return r, true, nil
}

// transition reads the application, lets change edit a copy (found tells
// whether there was one), and writes it back by compare-and-set on the
// version it read, deciding again on a conflict: of racing transitions
// exactly one writes each version. change may refuse with an error, or
// return errStop to write nothing. It returns the record before and after.
func (m *Manager) transition(ctx context.Context, accountID string, change func(r *record, found bool, now time.Time) error) (before, after record, err error) {
	for range maxAttempts {
		cur, found, err := m.load(ctx, accountID)
		if err != nil {
			return record{}, record{}, err
		}
		next := cur.clone()
		if err := change(&next, found, m.now()); errors.Is(err, errStop) {
			return cur, cur, nil
		} else if err != nil {
			return cur, record{}, err
		}
		next.accountID = accountID
		data := next.encode()
		ok, err := m.store.PutDocument(ctx, state.Document{ID: m.docID(accountID), Version: cur.version + 1, Data: data})
		if err != nil {
			return record{}, record{}, reason.Store(err)
		}
		if ok {
			next.version = cur.version + 1
			return cur, next, nil
		}
	}
	return record{}, record{}, reason.Store(fmt.Errorf("lifecycle: %d conflicting writes in a row on one application", maxAttempts))
}

// wantState is the account state the application asks for.
func (r record) wantState() account.State {
	if r.restricted && r.status.Open() {
		return account.StateCancelling
	}
	return account.StateActive
}

// sync sets the account's lifecycle state to what its application says,
// then reads the application again, until the two agree: whatever the
// order in which racing transitions write, the last one to finish leaves
// the account as the application's last version asks. A deleted account
// needs nothing.
func (m *Manager) sync(ctx context.Context, accountID string) error {
	for range maxAttempts {
		r, found, err := m.load(ctx, accountID)
		if err != nil {
			return err
		}
		if found && (r.status == StatusCompleted || r.status == StatusCompleting) {
			return nil
		}
		if err := m.setState(ctx, accountID, r.wantState()); err != nil {
			return err
		}
		again, _, err := m.load(ctx, accountID)
		if err != nil {
			return err
		}
		if again.version == r.version {
			return nil
		}
	}
	return reason.Store(fmt.Errorf("lifecycle: the application of one account kept changing"))
}

// setState sets the account's lifecycle state; an account gone is fine.
func (m *Manager) setState(ctx context.Context, accountID string, st account.State) error {
	_, err := m.accounts.SetState(ctx, m.ownProof(accountID, account.OpSetState), accountID, st)
	if errors.Is(err, account.ErrNotFound) {
		return nil
	}
	return err
}

// emit reports a transition from before to after.
func (m *Manager) emit(ctx context.Context, kind event.Kind, accountID string, from, to Status, until time.Time, attrs map[string]string) {
	if m.events == nil {
		return
	}
	if attrs == nil {
		attrs = make(map[string]string, 2)
	}
	attrs["from"], attrs["status"] = string(from), string(to)
	m.events.Emit(ctx, event.Event{Kind: kind, At: m.now(), AccountID: accountID, Scope: "cancellation", Until: until, Attrs: attrs})
}

// Status returns the account's application; found is false when it has
// none. It reads only.
func (m *Manager) Status(ctx context.Context, accountID string) (c Cancellation, found bool, err error) {
	if m == nil {
		return Cancellation{}, false, reason.Unavailable("account cancellation", "accountsec.Deps.Resources")
	}
	if err := checkAccountID(accountID); err != nil {
		return Cancellation{}, false, err
	}
	r, found, err := m.load(ctx, accountID)
	if err != nil || !found {
		return Cancellation{}, false, err
	}
	return r.view(), true, nil
}

func checkAccountID(id string) error {
	switch {
	case id == "":
		return reason.New(reason.InputEmpty).With("field", "account_id")
	case len(id) > account.MaxIDBytes:
		return reason.New(reason.InputTooLong).With("field", "account_id").With("max", account.MaxIDBytes)
	}
	for i := 0; i < len(id); i++ {
		if c := id[i]; c < 0x21 || c > 0x7e {
			return reason.New(reason.InputMalformed).With("field", "account_id")
		}
	}
	return nil
}
