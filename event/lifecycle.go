package event

// The kinds of events of the account cancellation (package lifecycle,
// docs/RULES.md §9), and of the restriction a cancelling account is under
// (package protection). Their Scope is "cancellation". AccountID is set.
// Attrs carry "status" (the application's status after the transition) and
// "from" (its status before) on every transition, and the further details
// noted; never the free-text reason, the remark, a host ticket, a phone
// number or an email address.
const (
	// CancellationApplied: the account applied to be cancelled. Attrs:
	// reasons (comma-separated reason names).
	CancellationApplied Kind = "cancellation_applied"
	// CancellationChecked: the host's resource check ran. Attrs:
	// must_handle, not_abandoned (counts), unsettled_postpaid ("true" or
	// "false"), passed ("true" or "false").
	CancellationChecked Kind = "cancellation_checked"
	// CancellationResourcesAbandoned: resources were explicitly abandoned.
	// Attrs: resources (comma-separated resource IDs).
	CancellationResourcesAbandoned Kind = "cancellation_resources_abandoned"
	// CancellationCoolingOff: unsettled postpaid resources put the account
	// into the cancelling state for the cooling-off period. Until is its
	// end.
	CancellationCoolingOff Kind = "cancellation_cooling_off"
	// CancellationIdentityCheck: the resource check passed; the identity
	// check by real-name type comes next. Attrs: real_name.
	CancellationIdentityCheck Kind = "cancellation_identity_check"
	// CancellationFaceStarted: a face check of the real-name person (or
	// the enterprise's legal person) was started.
	CancellationFaceStarted Kind = "cancellation_face_started"
	// CancellationFaceRejected: the face check did not match; a new one
	// must be started.
	CancellationFaceRejected Kind = "cancellation_face_rejected"
	// CancellationReview: an enterprise account passed the legal person's
	// face check and awaits manual review. Until is the review deadline.
	CancellationReview Kind = "cancellation_review"
	// CancellationRejected: the manual review refused the cancellation;
	// the account is active again. Attrs: reviewer.
	CancellationRejected Kind = "cancellation_rejected"
	// CancellationRevoked: the user revoked the cancellation; the account
	// is active again.
	CancellationRevoked Kind = "cancellation_revoked"
	// CancellationCompleting: the cancellation passed every check and
	// became irreversible; sessions, trusted devices and the account are
	// being removed. Attrs: reviewer, when a review approved it.
	CancellationCompleting Kind = "cancellation_completing"
	// CancellationCompleted: the account is deleted, its quota slots are
	// released, and the result was sent. Attrs: notified (channels that
	// took the result, comma-separated).
	CancellationCompleted Kind = "cancellation_completed"
	// AccountStateChanged: the account moved between lifecycle states
	// (package account, for the cancellation). Scope is empty. Attrs: from,
	// state.
	AccountStateChanged Kind = "account_state_changed"
	// OperationRestricted: Authorize refused an operation because the
	// account is cancelling and the operation is neither an account-centre
	// nor a billing one. Scope is "operation". Attrs: operation, state.
	OperationRestricted Kind = "operation_restricted"
)
