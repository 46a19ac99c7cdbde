package event

// The kinds of events of the WeCom sub-users (package subuser,
// docs/RULES.md §10). Their Scope is "subuser" and AccountID is the account
// the enterprise is linked to. Attrs carry the enterprise ("corp"), the
// member's WeCom user ID ("member"), the link kind ("kind"), the
// application ID ("application"), the principal who acted ("by") and a
// reason code ("reason") where noted; never a link token or its hash, and
// never a member's phone or email (the library never holds them).
const (
	// SubUserEnterpriseLinked: a WeCom enterprise was linked to the account.
	// Attrs: corp, by, admin (the WeCom administrator's user ID).
	SubUserEnterpriseLinked Kind = "subuser_enterprise_linked"
	// SubUserScopeChanged: the visibility scope was set. Attrs: corp, by,
	// departments, members (their counts).
	SubUserScopeChanged Kind = "subuser_scope_changed"
	// SubUserLinkCreated: an application link was issued. Until is its
	// expiry. Attrs: corp, by, kind.
	SubUserLinkCreated Kind = "subuser_link_created"
	// SubUserApplied: a member applied through a link. Attrs: corp, member,
	// kind, application.
	SubUserApplied Kind = "subuser_applied"
	// SubUserApplyRefused: an application was refused before it was made.
	// Attrs: reason, and corp and member when the link was valid.
	SubUserApplyRefused Kind = "subuser_apply_refused"
	// SubUserApproved: an application was approved and the sub-user
	// created. Attrs: corp, member, application, by, sub_user, cam_admin
	// ("true" when the member was made a CAM administrator), policies,
	// groups (their counts).
	SubUserApproved Kind = "subuser_approved"
	// SubUserRejected: an application was rejected. Attrs: corp, member,
	// application, by.
	SubUserRejected Kind = "subuser_rejected"
	// SubUserNotifyFailed: the applicant could not be notified of a
	// decision. Attrs: corp, member, application, decision.
	SubUserNotifyFailed Kind = "subuser_notify_failed"
)
