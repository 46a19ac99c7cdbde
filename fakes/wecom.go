package fakes

import (
	"context"
	"slices"
	"strconv"
	"sync"

	"github.com/accountsec/accountsec/subuser"
)

// Compile-time checks that WeCom implements the host interfaces of package
// subuser.
var (
	_ subuser.Administrators = (*WeCom)(nil)
	_ subuser.Directory      = (*WeCom)(nil)
	_ subuser.Granter        = (*WeCom)(nil)
	_ subuser.Notifier       = (*WeCom)(nil)
)

// WeCom stands for the host's side of the WeCom sub-users: who administers
// an account, the enterprises' members, the sub-users created, and the
// notices sent. The zero WeCom is ready; it is safe for concurrent use.
type WeCom struct {
	mu       sync.Mutex
	admins   map[string][]string // account ID → principals with full access
	members  map[string]subuser.Member
	grants   []subuser.GrantRequest
	notices  []subuser.Notice
	grantErr error
	notifErr error
}

// AllowAdmin gives principal full access to the account.
func (w *WeCom) AllowAdmin(accountID, principal string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.admins == nil {
		w.admins = map[string][]string{}
	}
	w.admins[accountID] = append(w.admins[accountID], principal)
}

// AddMember adds m to the enterprise corpID.
func (w *WeCom) AddMember(corpID string, m subuser.Member) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.members == nil {
		w.members = map[string]subuser.Member{}
	}
	w.members[corpID+"\x00"+m.UserID] = m
}

// FailGrants makes CreateSubUser fail with err (nil to succeed again).
func (w *WeCom) FailGrants(err error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.grantErr = err
}

// FailNotices makes Notify fail with err (nil to succeed again).
func (w *WeCom) FailNotices(err error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.notifErr = err
}

// FullAccess reports whether principal was given full access.
func (w *WeCom) FullAccess(_ context.Context, accountID, principal string) (bool, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return slices.Contains(w.admins[accountID], principal), nil
}

// Member returns a member added with AddMember.
func (w *WeCom) Member(_ context.Context, corpID, userID string) (subuser.Member, bool, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	m, ok := w.members[corpID+"\x00"+userID]
	m.Departments = slices.Clone(m.Departments)
	return m, ok, nil
}

// CreateSubUser records r and returns "sub-N" (the same ID again for an
// application it already granted).
func (w *WeCom) CreateSubUser(_ context.Context, r subuser.GrantRequest) (string, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.grantErr != nil {
		return "", w.grantErr
	}
	for i, g := range w.grants {
		if g.ApplicationID == r.ApplicationID {
			w.grants[i] = r
			return "sub-" + strconv.Itoa(i+1), nil
		}
	}
	w.grants = append(w.grants, r)
	return "sub-" + strconv.Itoa(len(w.grants)), nil
}

// Notify records n.
func (w *WeCom) Notify(_ context.Context, n subuser.Notice) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.notifErr != nil {
		return w.notifErr
	}
	w.notices = append(w.notices, n)
	return nil
}

// Grants returns the sub-users created, oldest first.
func (w *WeCom) Grants() []subuser.GrantRequest {
	w.mu.Lock()
	defer w.mu.Unlock()
	return slices.Clone(w.grants)
}

// Notices returns the notices sent, oldest first.
func (w *WeCom) Notices() []subuser.Notice {
	w.mu.Lock()
	defer w.mu.Unlock()
	return slices.Clone(w.notices)
}
