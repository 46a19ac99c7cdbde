// Package subuser lets the members of a WeCom (企业微信) enterprise become
// sub-users of the enterprise's account (docs/RULES.md §10).
//
// The administrator path: a WeCom administrator links the enterprise to an
// account ([Manager.Link]); whoever links must be the account's main
// account or one of its sub-users with full access (the host's
// [Administrators] decides). The administrator then sets the application's
// visibility scope ([Manager.SetScope]): departments and members, of which
// the application sees only IDs and names, never phones or emails (the
// types of this package have no field for them).
//
// The member path: the administrator issues an application link
// ([Manager.CreateLink]) of one of two kinds, [LinkSubUser] or
// [LinkAdministrator]; each is valid 4 hours ([Policy.LinkTTL]) and serves
// one application. A member who opens it applies ([Manager.Apply]); a
// member outside the visibility scope cannot apply, and an expired or used
// link is refused. The account's administrator approves the application,
// granting policies or user groups and, for an administrator application of
// a WeCom administrator, optionally CAM administrator access
// ([Manager.Approve]), or rejects it ([Manager.Reject]). The scope is
// checked again at approval, so a member the scope no longer covers is not
// added. Either way the applicant is notified through the host's
// [Notifier].
//
// The library owns the links (single-use records whose ID is a keyed hash
// of a 256-bit random token), the applications and their states (documents
// written by compare-and-set), the enterprise with its scope (a document),
// and the scope check. The host owns the WeCom API calls ([Directory],
// [Notifier]) and the sub-users with their policies ([Granter]). Everything
// is stored on the primitives of package state, so no store adapter has
// code for this package.
package subuser
