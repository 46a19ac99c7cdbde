// Package event defines the security events accountsec emits and the hook a
// host supplies to receive them.
//
// Every security decision is reported as an [Event] to the host's [Hook].
// The kinds are defined here, grouped by the package that emits them:
//
//   - limits: a subject locked by its failure limit, and an operator's
//     early unlock ([Locked], [Unlocked]);
//   - account: registration and deletion, login methods bound, changed and
//     unbound, password changes (and refused old passwords), security
//     phone and email, contact changes, real-name records
//     ([AccountRegistered], [LoginMethodBound], [PasswordChanged], …);
//   - mfa: devices bound and unbound, hardware tokens imported, codes
//     accepted and refused, backup codes regenerated, used and refused
//     ([MFABound], [MFAFailed], [BackupCodeUsed], …);
//   - protection: logins (succeeded, failed, locked, second factor
//     required, unusual location), identity verifications, step-up grants,
//     sensitive operations authorised or refused, sessions ended, trusted
//     devices, protection settings changed ([LoginSucceeded],
//     [StepUpGranted], [AllSessionsEnded], …);
//   - the password reset (package recovery, and account's ResetPassword):
//     requested, send failed, token rejected, password reset
//     ([PasswordResetRequested], [PasswordReset], …);
//   - finding a forgotten account (recovery.Finder): sessions started,
//     phones looked up and answered, information sent or not, face checks
//     ([FindStarted], [FindInfoSent], [FindFaceRejected], …);
//   - the enterprise recovery and the login appeal (recovery.Enterprise,
//     Appeals, Review): steps passed and refused, submissions, decisions,
//     applied approvals, results viewed, allowances used and refused
//     ([RecoveryStepPassed], [RecoveryDecided], [RecoveryAllowanceUsed], …);
//   - cancellation (package lifecycle): every transition of an
//     application, the account's state, operations refused while
//     cancelling ([CancellationApplied], [CancellationCompleted],
//     [AccountStateChanged], [OperationRestricted], …);
//   - WeCom sub-users (package subuser): enterprise linked, scope changed,
//     links created, applications made, refused, approved, rejected, notices
//     failed ([SubUserLinkCreated], [SubUserApproved], …);
//   - the back office's quota exceptions ([QuotaExceptionSet]).
//
// A host receives them by passing a Hook, which is called synchronously and
// should hand each event off:
//
//	audit := event.Hook(func(ctx context.Context, e event.Event) { queue <- e })
//	svc, err := accountsec.New(cfg, accountsec.Deps{Events: audit})
//
// Events never carry passwords, codes, secrets or raw tokens: identifiers
// appear masked, and the subject of a limiter only as its keyed hash.
package event

import (
	"context"
	"time"
)

// Kind names what happened. Kinds are stable strings.
type Kind string

// The kinds of events.
const (
	// Locked: a subject reached its failure limit and is locked.
	Locked Kind = "locked"
	// Unlocked: an operator lifted a lock before it expired.
	Unlocked Kind = "unlocked"
)

// Event is one security decision.
type Event struct {
	// Kind says what happened.
	Kind Kind
	// At is when it happened, from the library's clock.
	At time.Time
	// AccountID is the account concerned, when known.
	AccountID string
	// Subject is a keyed hash identifying what a limiter counted (never the
	// raw identifier, which may be personal data).
	Subject string
	// Scope is the limiter or flow the event comes from (for example "login").
	Scope string
	// Until is the end of a lock or grant, when the event has one.
	Until time.Time
	// Attrs carries further non-secret details.
	Attrs map[string]string
}

// Hook receives events. It is called synchronously, so it must be quick and
// must not block; it should hand the event off (a channel, a log line, a
// queue). A nil Hook discards events.
type Hook func(ctx context.Context, e Event)

// Emit calls h with e if h is not nil.
func (h Hook) Emit(ctx context.Context, e Event) {
	if h != nil {
		h(ctx, e)
	}
}
