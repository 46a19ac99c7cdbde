package subuser

import (
	"context"
	"slices"
	"time"
)

// Administrators is the host's check of who may administer an account: the
// account's main account, or one of its sub-users with full access (for
// example a sub-user holding the AdministratorAccess policy).
type Administrators interface {
	// FullAccess reports whether principal (the host's ID of the main
	// account or of a sub-user) has full access to the account.
	FullAccess(ctx context.Context, accountID, principal string) (bool, error)
}

// Directory is the host's WeCom contact API, as far as the application may
// see it: members by user ID, with their names and departments only.
type Directory interface {
	// Member returns the member userID of the enterprise corpID; found is
	// false when the enterprise has no such member.
	Member(ctx context.Context, corpID, userID string) (m Member, found bool, err error)
}

// Granter is the host's side of an approval: it creates the sub-user and
// grants what the administrator chose.
type Granter interface {
	// CreateSubUser creates the sub-user of an approved application, grants
	// r.Policies and r.Groups and, when r.CAMAdmin is set, makes it a CAM
	// administrator. It returns the sub-user's ID. It must be idempotent
	// per r.ApplicationID: an approval retried after a failure calls it
	// again.
	CreateSubUser(ctx context.Context, r GrantRequest) (subUserID string, err error)
}

// Notifier tells an applicant the decision (for example by a WeCom
// application message).
type Notifier interface {
	// Notify delivers n to the member n.MemberID of the enterprise n.CorpID.
	Notify(ctx context.Context, n Notice) error
}

// Member is an enterprise member as the application sees it: no phone, no
// email.
type Member struct {
	// UserID is the member's WeCom user ID.
	UserID string
	// Name is the member's name.
	Name string
	// Departments are the IDs of the member's departments and of every
	// department above them (the host resolves the tree), so that a scope
	// naming a parent department covers its sub-departments.
	Departments []string
	// Admin is true when the member is an administrator of the enterprise.
	Admin bool
}

// Unit is a department or a member of the visibility scope: its ID and its
// name, nothing else.
type Unit struct {
	// ID is the department ID or the member's user ID.
	ID string
	// Name is the department's or the member's name.
	Name string
}

// Scope is the application's visibility scope: the departments and members
// it may see. An empty scope covers nobody.
type Scope struct {
	// Departments are the visible departments, sub-departments included.
	Departments []Unit
	// Members are the visible members, whatever their departments.
	Members []Unit
}

// Contains reports whether the scope covers m: m is one of its members, or
// one of m's departments is one of its departments.
func (s Scope) Contains(m Member) bool {
	if m.UserID == "" {
		return false
	}
	if slices.ContainsFunc(s.Members, func(u Unit) bool { return u.ID == m.UserID }) {
		return true
	}
	for _, d := range m.Departments {
		if slices.ContainsFunc(s.Departments, func(u Unit) bool { return u.ID == d }) {
			return true
		}
	}
	return false
}

// Grant is what an administrator grants when approving an application.
type Grant struct {
	// Policies are the names of the access policies to attach.
	Policies []string
	// Groups are the names of the user groups to add the sub-user to.
	Groups []string
	// CAMAdmin makes the sub-user a CAM administrator. Only an
	// administrator application ([LinkAdministrator]) of a member who is a
	// WeCom administrator may have it.
	CAMAdmin bool
}

// GrantRequest asks the host to create the sub-user of an approved
// application.
type GrantRequest struct {
	// AccountID is the account the sub-user belongs to.
	AccountID string
	// ApplicationID identifies the application; the host's key of
	// idempotence.
	ApplicationID string
	// CorpID is the WeCom enterprise.
	CorpID string
	// MemberID is the member's WeCom user ID.
	MemberID string
	// MemberName is the member's name, the sub-user's display name.
	MemberName string
	// Grant is what the administrator granted.
	Grant
}

// Decision is the outcome of a review.
type Decision string

// The decisions.
const (
	// Approved: the member became a sub-user.
	Approved Decision = "approved"
	// Rejected: the application was rejected.
	Rejected Decision = "rejected"
)

// Notice tells an applicant the decision.
type Notice struct {
	// AccountID is the account applied to.
	AccountID string
	// CorpID is the WeCom enterprise.
	CorpID string
	// MemberID is the applicant's WeCom user ID.
	MemberID string
	// ApplicationID identifies the application.
	ApplicationID string
	// Decision is the outcome.
	Decision Decision
	// SubUserID is the new sub-user's ID, when approved.
	SubUserID string
	// Note is the administrator's note, if any.
	Note string
	// At is when the decision was made.
	At time.Time
}

// Host is every host interface a Manager needs, for a host that implements
// them on one value (as fakes.WeCom does).
type Host interface {
	Administrators
	Directory
	Granter
	Notifier
}
