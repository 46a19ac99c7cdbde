// Package lifecycle runs the cancellation (注销) of an account, a state
// machine per account (docs/RULES.md §9):
//
//  1. Apply: a sensitive operation (a proof of vocab.OpApplyCancellation
//     from protection.Manager.Authorize). The user confirms every
//     condition of [Conditions] (and the host's own, Policy.ExtraConditions)
//     and picks reasons ([Reasons]; "other" with a bounded free text), plus
//     an optional remark. The application is [StatusChecking].
//  2. Resource check ([Manager.Check], on demand): the host's
//     [ResourceChecker] lists the account's remaining resources, each
//     abandonable or to be handled. The flow does not move until every
//     resource to be handled is gone and every abandonable one was
//     explicitly abandoned ([Manager.Abandon], which records the list).
//  3. Cooling-off: when the check reports unsettled postpaid resources,
//     the account enters account.StateCancelling for Policy.CoolingOff (15
//     days) ([StatusCoolingOff]). While cancelling, protection's Authorize
//     refuses every operation that is neither an account-centre nor a
//     billing one (protection.Operation.AccountCentre, Billing); logins
//     still work. After the period the resource check runs again before
//     the flow goes on.
//  4. Identity check by real-name type ([StatusIdentity],
//     [Manager.StartIdentityCheck], [Manager.FinishIdentityCheck]):
//     personal → a face check of the real-name person, then the account is
//     cancelled at once; enterprise → the legal person's face check, then
//     manual review ([StatusReview]) with a deadline of
//     Policy.ReviewWorkingDays (3) working days of the host's [Calendar];
//     unverified → cancelled at once.
//  5. Completion ([StatusCompleting], then [StatusCompleted]):
//     irreversible. Every session and step-up grant ends and every trusted
//     device is revoked, the account is deleted with every quota slot it
//     held (account.Service.Delete: its phone, email, third-party and
//     identity slots serve other accounts at once; its ID and APPID are
//     never given out again), and the result goes to the security phone and
//     the security email. A failure half-way leaves the application
//     completing; [Manager.Resume] (or any later call of the flow) finishes
//     it.
//
// [Manager.Revoke] ends the application at any time before completion
// (during or after the cooling-off period, during review) and the account
// is active again. The host's back office decides a review with
// [Manager.Approve] (the cancellation then completes) or [Manager.Reject];
// [Manager.Status] reads where an application stands.
//
// Through the facade, with the session's account:
//
//	c, err := svc.ApplyCancellation(ctx, sess, lifecycle.Application{
//		Confirmed: lifecycle.Conditions(), Reasons: []lifecycle.Reason{lifecycle.ReasonRegisteredByMistake}})
//	report, err := svc.Cancellation.Check(ctx, sess.AccountID) // what remains
//	c, err = svc.Cancellation.Abandon(ctx, sess.AccountID, abandonableIDs)
//	report, err = svc.Cancellation.Check(ctx, sess.AccountID) // on: cooling-off, or the identity step
//	ic, err := svc.Cancellation.StartIdentityCheck(ctx, sess.AccountID) // the face page
//	c, err = svc.Cancellation.FinishIdentityCheck(ctx, sess.AccountID) // completed, or review
//	c, err = svc.Cancellation.Approve(ctx, accountID, reviewer) // the back office
//
// The facade leaves Service.Cancellation nil without Deps.Resources; the
// methods of a nil *Manager answer reason.FeatureUnavailable naming it.
//
// # Storage and atomicity
//
// The application is one state.Documents document per account (ID a keyed
// tag of the account ID), encoded with internal/codec: every transition is
// one read and one compare-and-set write of it, decided again on a
// conflict, so two racing transitions (a revoke and a completion) have
// exactly one outcome. The account's lifecycle state (which protection
// reads with the profile it already reads) follows the document: after
// each transition the flow sets it to what the document says and reads the
// document again, until both agree; entering the cancelling state is
// written before the document, leaving it after, so a failure in between
// errs on the restricted side, and the next call of the flow repairs it.
package lifecycle
