package event

// The kinds of events of the account recovery flows of package recovery:
// the enterprise recovery (Scope "enterprise_recovery"), the login appeal
// (Scope "appeal") and their review (Scope "review"). Subject is the keyed
// tag of the flow (never its reference, query code or grant). AccountID is
// set once an account is known to the flow, and never on an enterprise
// recovery's public steps, which answer alike for known and unknown
// companies. Attrs carry "step", "reason" (a reason code), "reviewer",
// "decision", "note_len" and "remove_mfa" where noted; never a code, a
// password, a ticket, an identity number or a phone number unmasked.
const (
	// RecoveryStepPassed: a step of a recovery flow or appeal was passed.
	// Attrs: step.
	RecoveryStepPassed Kind = "recovery_step_passed"
	// RecoveryStepRefused: a step was refused (wrong code, face rejected,
	// out of order, expired, identity mismatch, …). Attrs: step, reason.
	RecoveryStepRefused Kind = "recovery_step_refused"
	// RecoverySubmitted: an enterprise recovery or an appeal went to
	// review. Attrs: manual ("true" when an appeal needs a person's
	// decision, with manual_reason).
	RecoverySubmitted Kind = "recovery_submitted"
	// RecoveryDecided: a reviewer (or the automatic approval, reviewer
	// "auto") approved or rejected a pending item. Attrs: reviewer,
	// decision ("approved", "rejected"), kind ("enterprise", "appeal"),
	// note_len, remove_mfa.
	RecoveryDecided Kind = "recovery_decided"
	// RecoveryApplied: an approved appeal was applied to the account (new
	// login email bound, protection changed, sessions ended). Attrs:
	// sms_protection, mfa_off.
	RecoveryApplied Kind = "recovery_applied"
	// RecoveryResultViewed: the result of an enterprise recovery was looked
	// up with its query code, phone and SMS code. Attrs: decision, accounts
	// (how many were listed), grant ("true" for the lookup that opened the
	// allowances).
	RecoveryResultViewed Kind = "recovery_result_viewed"
	// RecoveryAllowanceUsed: an allowance of an enterprise recovery was
	// used on a recovered account. Attrs: allowance ("login_email",
	// "sms_protection").
	RecoveryAllowanceUsed Kind = "recovery_allowance_used"
	// RecoveryAllowanceRefused: an allowance was asked for after it was
	// used or expired, or without a valid grant. Attrs: allowance, reason.
	RecoveryAllowanceRefused Kind = "recovery_allowance_refused"
)
