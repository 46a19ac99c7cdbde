package main

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"
	"sync"

	"github.com/accountsec/accountsec/fakes"
	"github.com/accountsec/accountsec/protection"
	"github.com/accountsec/accountsec/reason"
	"github.com/accountsec/accountsec/subuser"
	"github.com/accountsec/accountsec/web"
)

// wecom is the console's WeCom: the fake host of package fakes, where each
// account administers a simulated enterprise of its own ("ww" and the
// account ID) with the same departments and members, one of whom works
// outside the departments the scope covers by default. The account's main
// account (its own ID as the principal) has full access to it.
type wecom struct {
	*fakes.WeCom
	mu    sync.Mutex
	corps map[string]bool
}

func newWeCom() *wecom { return &wecom{WeCom: &fakes.WeCom{}, corps: map[string]bool{}} }

// FullAccess is true for the account's main account, and for whoever the
// fake was told has full access.
func (w *wecom) FullAccess(ctx context.Context, accountID, principal string) (bool, error) {
	if principal == accountID {
		return true, nil
	}
	return w.WeCom.FullAccess(ctx, accountID, principal)
}

// wecomDept is a department of the simulated enterprise.
type wecomDept struct {
	ID, Name, Zh string
	Parent       string
}

// wecomMember is a member of the simulated enterprise.
type wecomMember struct {
	ID, Name string
	Dept     string
	Admin    bool
}

var wecomDepts = []wecomDept{
	{ID: "hq", Name: "Headquarters", Zh: "总部"},
	{ID: "rd", Name: "R&D", Zh: "研发部", Parent: "hq"},
	{ID: "sales", Name: "Sales", Zh: "销售部", Parent: "hq"},
	{ID: "partners", Name: "Partners", Zh: "外部合作伙伴"},
}

var wecomMembers = []wecomMember{
	{ID: "zhangwei", Name: "张伟", Dept: "hq", Admin: true},
	{ID: "lina", Name: "李娜", Dept: "rd"},
	{ID: "wangfang", Name: "王芳", Dept: "sales"},
	{ID: "chenjie", Name: "陈杰", Dept: "partners"},
}

// wecomPolicies and wecomGroups are what an approval may grant.
var (
	wecomPolicies = []string{"QcloudCVMReadOnlyAccess", "QcloudCOSFullAccess", "AdministratorAccess"}
	wecomGroups   = []string{"developers", "sales-team"}
)

// defaultScope is the scope the form proposes: Headquarters and the
// departments under it, which leaves the partners out.
var defaultScope = []string{"hq"}

func corpOf(accountID string) string { return "ww" + accountID }

// corp returns the account's simulated enterprise, its members added to
// the fake on first use.
func (w *wecom) corp(accountID string) string {
	id := corpOf(accountID)
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.corps[id] {
		for _, m := range wecomMembers {
			depts := []string{m.Dept}
			for _, d := range wecomDepts {
				if d.ID == m.Dept && d.Parent != "" {
					depts = append(depts, d.Parent)
				}
			}
			w.AddMember(id, subuser.Member{UserID: m.ID, Name: m.Name, Departments: depts, Admin: m.Admin})
		}
		w.corps[id] = true
	}
	return id
}

func (a *app) subUserRoutes(m *http.ServeMux) {
	m.HandleFunc("GET /subusers", a.signedIn(a.subUsersPage))
	m.HandleFunc("POST /subusers/link", a.signedIn(a.subUsersLink))
	m.HandleFunc("POST /subusers/scope", a.signedIn(a.subUsersScope))
	m.HandleFunc("POST /subusers/links", a.signedIn(a.subUsersCreateLink))
	m.HandleFunc("POST /subusers/approve", a.signedIn(a.subUsersApprove))
	m.HandleFunc("POST /subusers/reject", a.signedIn(a.subUsersReject))
	m.HandleFunc("GET /wecom/join", a.wecomJoinPage)
	m.HandleFunc("POST /wecom/join", a.wecomJoin)
	m.HandleFunc("GET /wecom", a.wecomNotices)
}

// unitRow is a department or member of the scope form.
type unitRow struct {
	ID, Name string
	In       bool
	Admin    bool
	Dept     string
}

// subUsersData is the administrator's page.
type subUsersData struct {
	Wired    bool
	Linked   bool
	E        subuser.Enterprise
	CorpID   string
	Depts    []unitRow
	Members  []unitRow
	NewLink  *subuser.Link
	LinkURL  string
	Pending  []subuser.Application
	Granted  []subuser.GrantRequest
	Notices  []subuser.Notice
	Policies []string
	Groups   []string
	Err      string
}

func (a *app) subUsersData(r *http.Request, s protection.Session) subUsersData {
	d := subUsersData{Wired: a.svc.SubUsers != nil, Policies: wecomPolicies, Groups: wecomGroups}
	if !d.Wired {
		return d
	}
	ctx, id := r.Context(), s.AccountID
	d.CorpID = a.wecom.corp(id)
	e, err := a.svc.SubUsers.Enterprise(ctx, id, id)
	switch {
	case err == nil:
		d.Linked, d.E = true, e
	case errors.Is(err, subuser.ErrNotLinked):
	default:
		d.Err = a.problem(r, err).Detail
	}
	zh := web.Language(r) == reason.SimplifiedChinese
	for _, x := range wecomDepts {
		name := x.Name
		if zh {
			name = x.Zh
		}
		in := slices.ContainsFunc(e.Scope.Departments, func(u subuser.Unit) bool { return u.ID == x.ID })
		if !d.Linked || e.ScopeSetAt.IsZero() {
			in = slices.Contains(defaultScope, x.ID)
		}
		d.Depts = append(d.Depts, unitRow{ID: x.ID, Name: name, In: in})
	}
	for _, m := range wecomMembers {
		in := slices.ContainsFunc(e.Scope.Members, func(u subuser.Unit) bool { return u.ID == m.ID })
		d.Members = append(d.Members, unitRow{ID: m.ID, Name: m.Name, In: in, Admin: m.Admin, Dept: m.Dept})
	}
	if d.Linked {
		if d.Pending, err = a.svc.SubUsers.Pending(ctx, id, id); err != nil {
			d.Err = a.problem(r, err).Detail
		}
	}
	for _, g := range a.wecom.Grants() {
		if g.AccountID == id {
			d.Granted = append(d.Granted, g)
		}
	}
	for _, n := range a.wecom.Notices() {
		if n.AccountID == id {
			d.Notices = append(d.Notices, n)
		}
	}
	slices.Reverse(d.Notices)
	return d
}

func (a *app) subUsersPage(w http.ResponseWriter, r *http.Request, s protection.Session) {
	a.render(w, r, "subusers", http.StatusOK, a.subUsersData(r, s))
}

// subUsersLink links the account's simulated enterprise, authorised by the
// WeCom user picked (only an administrator of the enterprise may).
func (a *app) subUsersLink(w http.ResponseWriter, r *http.Request, s protection.Session) {
	name := strings.TrimSpace(r.FormValue("corp_name"))
	if name == "" {
		name = "Demo Tech " + s.AccountID
	}
	if _, err := a.svc.SubUsers.Link(r.Context(), subuser.LinkRequest{
		AccountID: s.AccountID, Principal: s.AccountID, CorpID: a.wecom.corp(s.AccountID), CorpName: name,
		AdminUserID: r.FormValue("admin_user_id"),
	}); err != nil {
		a.fail(w, r, "/subusers", err)
		return
	}
	a.done(w, r, "/subusers", "flash.wecom_linked")
}

func (a *app) subUsersScope(w http.ResponseWriter, r *http.Request, s protection.Session) {
	if err := r.ParseForm(); err != nil {
		a.fail(w, r, "/subusers", err)
		return
	}
	var sc subuser.Scope
	for _, x := range wecomDepts {
		if slices.Contains(r.Form["department"], x.ID) {
			sc.Departments = append(sc.Departments, subuser.Unit{ID: x.ID, Name: x.Name})
		}
	}
	for _, m := range wecomMembers {
		if slices.Contains(r.Form["member"], m.ID) {
			sc.Members = append(sc.Members, subuser.Unit{ID: m.ID, Name: m.Name})
		}
	}
	if _, err := a.svc.SubUsers.SetScope(r.Context(), s.AccountID, s.AccountID, sc); err != nil {
		a.fail(w, r, "/subusers", err)
		return
	}
	a.done(w, r, "/subusers", "flash.saved")
}

// subUsersCreateLink issues an application link; the link, a secret for
// the members it is shared with, is the answer to this POST.
func (a *app) subUsersCreateLink(w http.ResponseWriter, r *http.Request, s protection.Session) {
	l, err := a.svc.SubUsers.CreateLink(r.Context(), s.AccountID, s.AccountID, subuser.LinkKind(r.FormValue("kind")))
	if err != nil {
		a.fail(w, r, "/subusers", err)
		return
	}
	d := a.subUsersData(r, s)
	d.NewLink = &l
	d.LinkURL = "http://" + r.Host + withQuery("/wecom/join", "token", l.Token)
	a.render(w, r, "subusers", http.StatusOK, d)
}

func (a *app) subUsersApprove(w http.ResponseWriter, r *http.Request, s protection.Session) {
	if err := r.ParseForm(); err != nil {
		a.fail(w, r, "/subusers", err)
		return
	}
	g := subuser.Grant{Policies: r.Form["policy"], Groups: r.Form["group"], CAMAdmin: r.FormValue("cam_admin") == "on"}
	app, err := a.svc.SubUsers.Approve(r.Context(), s.AccountID, s.AccountID, r.FormValue("id"), g)
	if err != nil {
		a.fail(w, r, "/subusers", err)
		return
	}
	a.done(w, r, "/subusers", "flash.subuser_approved", app.MemberName, app.SubUserID)
}

func (a *app) subUsersReject(w http.ResponseWriter, r *http.Request, s protection.Session) {
	app, err := a.svc.SubUsers.Reject(r.Context(), s.AccountID, s.AccountID, r.FormValue("id"), strings.TrimSpace(r.FormValue("note")))
	if err != nil {
		a.fail(w, r, "/subusers", err)
		return
	}
	a.done(w, r, "/subusers", "flash.subuser_rejected", app.MemberName)
}

// joinData is the member's side: the application link opened, the
// simulated WeCom login (who the member is), then the application made.
type joinData struct {
	Wired   bool
	Token   string
	Members []unitRow
	Applied *subuser.Application
	Err     string
}

func (a *app) joinData(token string) joinData {
	d := joinData{Wired: a.svc.SubUsers != nil, Token: token}
	for _, m := range wecomMembers {
		d.Members = append(d.Members, unitRow{ID: m.ID, Name: m.Name, Admin: m.Admin, Dept: m.Dept})
	}
	return d
}

func (a *app) wecomJoinPage(w http.ResponseWriter, r *http.Request) {
	a.render(w, r, "wecom_join", http.StatusOK, a.joinData(r.URL.Query().Get("token")))
}

// wecomJoin is the member's application through the link; the page
// answers with the application or the refusal (the link stays usable
// after a refusal).
func (a *app) wecomJoin(w http.ResponseWriter, r *http.Request) {
	d := a.joinData(r.FormValue("token"))
	app, err := a.svc.SubUsers.Apply(r.Context(), d.Token, r.FormValue("member"))
	if err != nil {
		d.Err = a.problem(r, err).Detail
	} else {
		d.Applied = &app
	}
	a.render(w, r, "wecom_join", http.StatusOK, d)
}

// wecomNotices is the members' WeCom messages: the decisions on their
// applications, newest first.
func (a *app) wecomNotices(w http.ResponseWriter, r *http.Request) {
	ns := a.wecom.Notices()
	slices.Reverse(ns)
	a.render(w, r, "wecom", http.StatusOK, ns)
}
