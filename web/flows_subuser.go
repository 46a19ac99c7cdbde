package web

import (
	"net/http"
	"time"

	"github.com/accountsec/accountsec/reason"
	"github.com/accountsec/accountsec/subuser"
)

// The answers of the WeCom sub-users. Member and administrator identities
// come from the host's hooks (Options.SubUserMember, SubUserPrincipal),
// never from a body.

type unitView struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

type scopeView struct {
	Departments []unitView `json:"departments"`
	Members     []unitView `json:"members"`
}

func viewUnits(us []subuser.Unit) []unitView {
	out := make([]unitView, 0, len(us))
	for _, u := range us {
		out = append(out, unitView(u))
	}
	return out
}

func units(vs []unitView) []subuser.Unit {
	if vs == nil {
		return nil
	}
	out := make([]subuser.Unit, 0, len(vs))
	for _, v := range vs {
		out = append(out, subuser.Unit(v))
	}
	return out
}

type enterpriseView struct {
	CorpID      string     `json:"corp_id"`
	CorpName    string     `json:"corp_name"`
	AdminUserID string     `json:"admin_user_id"`
	LinkedBy    string     `json:"linked_by"`
	LinkedAt    time.Time  `json:"linked_at"`
	Scope       scopeView  `json:"scope"`
	ScopeSetAt  *time.Time `json:"scope_set_at,omitempty"`
}

func viewEnterprise(e subuser.Enterprise) enterpriseView {
	return enterpriseView{
		CorpID: e.CorpID, CorpName: e.CorpName, AdminUserID: e.AdminUserID, LinkedBy: e.LinkedBy, LinkedAt: e.LinkedAt,
		Scope:      scopeView{Departments: viewUnits(e.Scope.Departments), Members: viewUnits(e.Scope.Members)},
		ScopeSetAt: optTime(e.ScopeSetAt),
	}
}

type grantView struct {
	Policies []string `json:"policies"`
	Groups   []string `json:"groups"`
	CAMAdmin bool     `json:"cam_admin"`
}

type applicationView struct {
	ID          string           `json:"id"`
	CorpID      string           `json:"corp_id"`
	MemberID    string           `json:"member_id"`
	MemberName  string           `json:"member_name"`
	MemberAdmin bool             `json:"member_admin"`
	Kind        subuser.LinkKind `json:"kind"`
	State       subuser.State    `json:"state"`
	AppliedAt   time.Time        `json:"applied_at"`
	DecidedAt   *time.Time       `json:"decided_at,omitempty"`
	DecidedBy   string           `json:"decided_by,omitempty"`
	Grant       *grantView       `json:"grant,omitempty"`
	SubUserID   string           `json:"sub_user_id,omitempty"`
	Note        string           `json:"note,omitempty"`
	// Notified is set on a decision: false when the decision stands but
	// the applicant could not be told.
	Notified *bool `json:"notified,omitempty"`
}

func viewApplication(a subuser.Application) applicationView {
	v := applicationView{
		ID: a.ID, CorpID: a.CorpID, MemberID: a.MemberID, MemberName: a.MemberName, MemberAdmin: a.MemberAdmin,
		Kind: a.Kind, State: a.State, AppliedAt: a.AppliedAt, DecidedAt: optTime(a.DecidedAt), DecidedBy: a.DecidedBy,
		SubUserID: a.SubUserID, Note: a.Note,
	}
	if a.State == subuser.StateApproved || a.State == subuser.StateGranting {
		v.Grant = &grantView{Policies: nonNil(a.Grant.Policies), Groups: nonNil(a.Grant.Groups), CAMAdmin: a.Grant.CAMAdmin}
	}
	return v
}

type linkView struct {
	Token     string           `json:"token"`
	Kind      subuser.LinkKind `json:"kind"`
	CorpID    string           `json:"corp_id"`
	ExpiresAt time.Time        `json:"expires_at"`
}

// subUsersUnavailable answers feature.unavailable unless the host wired
// the WeCom sub-users.
func (h *Handler) subUsersUnavailable(w http.ResponseWriter, r *http.Request) bool {
	if h.svc.SubUsers == nil {
		unavailable(w, r, "WeCom sub-users", "accountsec.Deps.SubUserHost")
		return true
	}
	return false
}

// subUserAdmin returns the session's account and the host's principal
// behind an administrator's request, answering feature.unavailable, 401
// without a session and 403 web.not_authorized when Options.SubUserPrincipal
// refuses or is not set.
func (h *Handler) subUserAdmin(w http.ResponseWriter, r *http.Request) (accountID, principal string, ok bool) {
	if h.subUsersUnavailable(w, r) {
		return "", "", false
	}
	s, ok := session(w, r)
	if !ok {
		return "", "", false
	}
	if h.env.opts.SubUserPrincipal != nil {
		if p, ok := h.env.opts.SubUserPrincipal(r); ok && p != "" {
			return s.AccountID, p, true
		}
	}
	Error(w, r, reason.New(CodeNotAuthorized))
	return "", "", false
}

// ApplySubUser serves POST /subusers/apply {token}: the enterprise member
// that the host's WeCom login authenticated (Options.SubUserMember) applies
// through the application link's token. 201 application, state pending.
// No account session is needed: the member is not an account holder.
func (h *Handler) ApplySubUser(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Token string `json:"token"`
	}
	if !decode(w, r, &in) {
		return
	}
	if h.subUsersUnavailable(w, r) {
		return
	}
	var member string
	if h.env.opts.SubUserMember != nil {
		member, _ = h.env.opts.SubUserMember(r)
	}
	if member == "" {
		Error(w, r, reason.New(CodeNotAuthorized))
		return
	}
	a, err := h.svc.SubUsers.Apply(r.Context(), in.Token, member)
	reply(w, r, http.StatusCreated, a, err, viewApplication)
}

// SubUserEnterprise serves GET /subusers/enterprise (session,
// administrator): the WeCom enterprise linked to the account, with its
// visibility scope. 200 enterprise; 409 subuser.not_linked.
func (h *Handler) SubUserEnterprise(w http.ResponseWriter, r *http.Request) {
	id, p, ok := h.subUserAdmin(w, r)
	if !ok {
		return
	}
	e, err := h.svc.SubUsers.Enterprise(r.Context(), id, p)
	reply(w, r, http.StatusOK, e, err, viewEnterprise)
}

// SetSubUserScope serves PUT /subusers/scope {departments: [{id, name}],
// members: [{id, name}]} (session, administrator): the visibility scope
// replaced. 200 enterprise.
func (h *Handler) SetSubUserScope(w http.ResponseWriter, r *http.Request) {
	var in scopeView
	if !decode(w, r, &in) {
		return
	}
	id, p, ok := h.subUserAdmin(w, r)
	if !ok {
		return
	}
	e, err := h.svc.SubUsers.SetScope(r.Context(), id, p, subuser.Scope{Departments: units(in.Departments), Members: units(in.Members)})
	reply(w, r, http.StatusOK, e, err, viewEnterprise)
}

// CreateSubUserLink serves POST /subusers/links {kind} (session,
// administrator; kind sub_user or administrator): an application link,
// valid 4 hours for one application. 201 {token, kind, corp_id,
// expires_at}: the token goes into the URL the administrator shares.
func (h *Handler) CreateSubUserLink(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Kind subuser.LinkKind `json:"kind"`
	}
	if !decode(w, r, &in) {
		return
	}
	id, p, ok := h.subUserAdmin(w, r)
	if !ok {
		return
	}
	l, err := h.svc.SubUsers.CreateLink(r.Context(), id, p, in.Kind)
	if err != nil {
		Error(w, r, err)
		return
	}
	JSON(w, http.StatusCreated, linkView{Token: l.Token, Kind: l.Kind, CorpID: l.CorpID, ExpiresAt: l.ExpiresAt})
}

// PendingSubUsers serves GET /subusers/applications (session,
// administrator): the applications waiting for review, oldest first. 200
// [application].
func (h *Handler) PendingSubUsers(w http.ResponseWriter, r *http.Request) {
	id, p, ok := h.subUserAdmin(w, r)
	if !ok {
		return
	}
	list, err := h.svc.SubUsers.Pending(r.Context(), id, p)
	if err != nil {
		Error(w, r, err)
		return
	}
	out := make([]applicationView, 0, len(list))
	for _, a := range list {
		out = append(out, viewApplication(a))
	}
	JSON(w, http.StatusOK, out)
}

// decided answers a decision on an application: 200 with notified, also
// when the decision stands but notifying the applicant failed.
func decided(w http.ResponseWriter, r *http.Request, a subuser.Application, err error) {
	notified := err == nil
	if err != nil && (reason.CodeOf(err) != reason.SubUserNotifyFailed || a.ID == "") {
		Error(w, r, err)
		return
	}
	v := viewApplication(a)
	v.Notified = &notified
	JSON(w, http.StatusOK, v)
}

// ApproveSubUser serves POST /subusers/applications/{id}/approve
// {policies, groups, cam_admin} (session, administrator): the member
// becomes a sub-user with the grant. 200 application with notified.
func (h *Handler) ApproveSubUser(w http.ResponseWriter, r *http.Request) {
	var in grantView
	if !decode(w, r, &in) {
		return
	}
	id, p, ok := h.subUserAdmin(w, r)
	if !ok {
		return
	}
	a, err := h.svc.SubUsers.Approve(r.Context(), id, p, r.PathValue("id"), subuser.Grant{Policies: in.Policies, Groups: in.Groups, CAMAdmin: in.CAMAdmin})
	decided(w, r, a, err)
}

// RejectSubUser serves POST /subusers/applications/{id}/reject {note}
// (session, administrator). 200 application with notified.
func (h *Handler) RejectSubUser(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Note string `json:"note"`
	}
	if !decode(w, r, &in) {
		return
	}
	id, p, ok := h.subUserAdmin(w, r)
	if !ok {
		return
	}
	a, err := h.svc.SubUsers.Reject(r.Context(), id, p, r.PathValue("id"), in.Note)
	decided(w, r, a, err)
}
