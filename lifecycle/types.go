package lifecycle

import (
	"context"
	"time"

	"github.com/accountsec/accountsec/account"
	"github.com/accountsec/accountsec/protection"
)

// Condition is one condition of cancellation the user confirms having met
// or accepted. The host may add its own (Policy.ExtraConditions).
type Condition string

// The conditions of cancellation of the console.
const (
	// ConditionNoOrdersOrArrears: no unfinished orders and no arrears.
	ConditionNoOrdersOrArrears Condition = "no_orders_or_arrears"
	// ConditionCreditsForfeited: unused credits, vouchers and balances are
	// forfeited.
	ConditionCreditsForfeited Condition = "credits_forfeited"
	// ConditionBindingsRemoved: third-party bindings and API keys are
	// removed.
	ConditionBindingsRemoved Condition = "bindings_removed"
	// ConditionMembersRemoved: collaborators and sub-users are removed.
	ConditionMembersRemoved Condition = "members_removed"
	// ConditionDataBackedUp: the data is backed up; it is deleted with the
	// account.
	ConditionDataBackedUp Condition = "data_backed_up"
	// ConditionNoComplaints: no complaint or dispute is open.
	ConditionNoComplaints Condition = "no_open_complaints"
)

// Conditions returns the console's conditions of cancellation, in the
// order the console shows them.
func Conditions() []Condition {
	return []Condition{
		ConditionNoOrdersOrArrears, ConditionCreditsForfeited, ConditionBindingsRemoved,
		ConditionMembersRemoved, ConditionDataBackedUp, ConditionNoComplaints,
	}
}

// Reason is a reason for the cancellation the user picks.
type Reason string

// The reasons.
const (
	// ReasonRegisteredByMistake: the account was registered by mistake.
	ReasonRegisteredByMistake Reason = "registered_by_mistake"
	// ReasonReRegistering: the user will register again.
	ReasonReRegistering Reason = "re_registering"
	// ReasonNoLongerUsing: the user no longer uses the cloud.
	ReasonNoLongerUsing Reason = "no_longer_using"
	// ReasonOther: another reason, told in Application.OtherReason.
	ReasonOther Reason = "other"
)

// Reasons returns every reason, in the order the console shows them.
func Reasons() []Reason {
	return []Reason{ReasonRegisteredByMistake, ReasonReRegistering, ReasonNoLongerUsing, ReasonOther}
}

// Application is what the user submits to apply for cancellation.
type Application struct {
	// Confirmed are the conditions the user confirmed: every one of
	// Conditions() and of Policy.ExtraConditions.
	Confirmed []Condition
	// Reasons are the reasons picked: at least one, each at most once.
	Reasons []Reason
	// OtherReason is the free text of ReasonOther: required with it (at
	// most Policy.MaxOtherReasonLen characters), empty without it.
	OtherReason string
	// Remark is an optional remark, at most Policy.MaxRemarkLen characters.
	Remark string
}

// Resource is one remaining resource of the account, as the host's
// checker reports it.
type Resource struct {
	// ID identifies the resource at the host: 1 to MaxResourceIDBytes bytes
	// of printable ASCII.
	ID string
	// Kind is the host's kind of resource ("cvm", "cos_bucket", …), for
	// display.
	Kind string
	// Name is the resource's display name.
	Name string
	// Abandonable is true when the user may abandon the resource (it is
	// released with the account); false when it must be handled first
	// (released, transferred, settled) and disappear from the check.
	Abandonable bool
}

// Inventory is the result of a resource check.
type Inventory struct {
	// Resources are the account's remaining resources, at most
	// MaxResources.
	Resources []Resource
	// UnsettledPostpaid is true when postpaid resources have not been
	// settled yet: the account then goes through the cooling-off period.
	UnsettledPostpaid bool
}

// ResourceChecker is the host's resource check of an account.
type ResourceChecker interface {
	// CheckResources lists the account's remaining resources. An error
	// leaves the flow where it is (reason cancellation.checker_failed).
	CheckResources(ctx context.Context, accountID string) (Inventory, error)
}

// CheckerFunc adapts a function to [ResourceChecker].
type CheckerFunc func(ctx context.Context, accountID string) (Inventory, error)

// CheckResources calls f.
func (f CheckerFunc) CheckResources(ctx context.Context, accountID string) (Inventory, error) {
	return f(ctx, accountID)
}

// Status is the status of a cancellation application.
type Status string

// The statuses. Revoked, rejected and completed applications are ended;
// the others are open.
const (
	// StatusChecking: applied; the resource check has not passed yet.
	StatusChecking Status = "checking"
	// StatusCoolingOff: the account is cancelling until CoolingOffUntil;
	// then the resource check runs again.
	StatusCoolingOff Status = "cooling_off"
	// StatusIdentity: the resource check passed; the identity check by
	// real-name type is next.
	StatusIdentity Status = "identity_check"
	// StatusReview: an enterprise account awaits manual review, due by
	// ReviewDeadline.
	StatusReview Status = "review"
	// StatusCompleting: irreversible; the account is being removed.
	StatusCompleting Status = "completing"
	// StatusCompleted: the account is cancelled (deleted).
	StatusCompleted Status = "completed"
	// StatusRevoked: the user revoked the cancellation; the account is
	// active.
	StatusRevoked Status = "revoked"
	// StatusRejected: the manual review refused the cancellation; the
	// account is active.
	StatusRejected Status = "rejected"
)

// Open reports whether an application with status s is still open (it
// can move on or be revoked, or is completing).
func (s Status) Open() bool {
	switch s {
	case StatusChecking, StatusCoolingOff, StatusIdentity, StatusReview, StatusCompleting:
		return true
	}
	return false
}

// Cancellation is an account's cancellation application as stored.
type Cancellation struct {
	// AccountID is the account.
	AccountID string
	// Status is where the application is.
	Status Status
	// AppliedAt is when the user applied.
	AppliedAt time.Time
	// Confirmed are the conditions the user confirmed.
	Confirmed []Condition
	// Reasons are the reasons picked.
	Reasons []Reason
	// OtherReason is the free text of ReasonOther.
	OtherReason string
	// Remark is the user's remark.
	Remark string
	// Abandoned are the IDs of the resources the user explicitly
	// abandoned.
	Abandoned []string
	// Restricted is true once the account entered the cancelling state
	// (cooling-off or review); it stays until the application ends.
	Restricted bool
	// CoolingOffUntil is the end of the cooling-off period, or zero.
	CoolingOffUntil time.Time
	// RealName is the account's real-name status when its identity check
	// began (which decides the check), or "".
	RealName account.RealNameStatus
	// FaceStarted is true while a face check has been started and not yet
	// confirmed or rejected.
	FaceStarted bool
	// ReviewDeadline is when the manual review is due, or zero.
	ReviewDeadline time.Time
	// Reviewer is the operator who approved or rejected the application.
	Reviewer string
	// ReviewNote is the reviewer's note on a rejection.
	ReviewNote string
	// EndedAt is when the application was revoked, rejected or completed.
	EndedAt time.Time
	// Version is the document's version; every transition increments it.
	Version int64
}

// CheckReport is the result of [Manager.Check].
type CheckReport struct {
	// Cancellation is the application after the check.
	Cancellation Cancellation
	// MustHandle are the resources that must be handled before the flow
	// goes on.
	MustHandle []Resource
	// NotAbandoned are the abandonable resources not yet abandoned.
	NotAbandoned []Resource
	// UnsettledPostpaid is what the checker reported.
	UnsettledPostpaid bool
	// Advanced is true when the check moved the application (to the
	// cooling-off period or to the identity check).
	Advanced bool
}

// IdentityCheck is what [Manager.StartIdentityCheck] returns.
type IdentityCheck struct {
	// Cancellation is the application after the step: completed for an
	// unverified account (no face check), identity_check otherwise.
	Cancellation Cancellation
	// Face is true when a face check was started: open Challenge.URL,
	// then call FinishIdentityCheck.
	Face bool
	// Challenge is the host's face check (its ticket stays with the
	// application; it is redacted when printed).
	Challenge protection.HostChallenge
}
