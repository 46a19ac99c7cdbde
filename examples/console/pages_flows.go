package main

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/accountsec/accountsec/lifecycle"
	"github.com/accountsec/accountsec/notify"
	"github.com/accountsec/accountsec/protection"
	"github.com/accountsec/accountsec/recovery"
	"github.com/accountsec/accountsec/web"
)

func (a *app) flowRoutes(m *http.ServeMux) {
	m.HandleFunc("GET /outbox", a.outboxPage)
	m.HandleFunc("GET /find", a.findPage)
	m.HandleFunc("POST /find/phone", a.findByPhone)
	m.HandleFunc("POST /find/start", a.findStart)
	m.HandleFunc("POST /find/verify", a.findVerify)
	m.HandleFunc("GET /cancel", a.signedIn(a.cancelPage))
	m.HandleFunc("POST /cancel/resources", a.signedIn(a.cancelResources))
	m.HandleFunc("POST /cancel/apply", a.signedIn(a.cancelApply))
	m.HandleFunc("POST /cancel/{step}", a.signedIn(a.cancelStep))
	m.HandleFunc("GET /flows", a.flowsPage)
	m.HandleFunc("GET /admin", a.adminPage)
	m.HandleFunc("POST /admin/clock", a.adminClock)
	m.HandleFunc("POST /admin/face", a.adminFace)
	m.HandleFunc("POST /admin/review", a.adminReview)
	m.HandleFunc("POST /admin/cancellation", a.adminCancellation)
}

// outboxRow is one message of the fake outbox, newest first. The outbox
// is the one place the console shows codes and links: it stands for the
// visitor's phone and mailbox.
type outboxRow struct {
	N       int
	Channel notify.Channel
	To      string
	Purpose notify.Purpose
	Account string
	Code    string
	Link    string
	Params  string
	Expires time.Time
}

func (a *app) outboxPage(w http.ResponseWriter, r *http.Request) {
	msgs := a.outbox.Messages()
	rows := make([]outboxRow, 0, len(msgs))
	for i, m := range msgs {
		row := outboxRow{N: i + 1, Channel: m.Channel, To: m.To, Purpose: m.Purpose, Account: m.AccountID, Code: m.Code, Expires: m.ExpiresAt}
		if m.Purpose == notify.PurposeResetPassword && len(m.Code) > 12 {
			row.Link, row.Code = withQuery("/reset/link", "token", m.Code), ""
		}
		var ps []string
		for k, v := range m.Params {
			ps = append(ps, k+"="+v)
		}
		slices.Sort(ps)
		row.Params = strings.Join(ps, ", ")
		rows = append(rows, row)
	}
	slices.Reverse(rows)
	a.render(w, r, "outbox", http.StatusOK, rows)
}

type findData struct {
	Wired   bool
	Token   string
	Methods []string
	Expires time.Time
}

func (a *app) findPage(w http.ResponseWriter, r *http.Request) {
	a.render(w, r, "find", http.StatusOK, findData{Wired: a.svc.Find != nil})
}

func (a *app) findByPhone(w http.ResponseWriter, r *http.Request) {
	sent, err := a.svc.Find.FindByPhone(r.Context(), strings.TrimSpace(r.FormValue("phone")), web.ClientIP(r))
	if err != nil {
		a.fail(w, r, "/find", err)
		return
	}
	a.done(w, r, "/find", "flash.find_sent", sent.To)
}

// findStart starts the account-ID way; its answer, the same for every ID,
// is the page with the session's token in a hidden field.
func (a *app) findStart(w http.ResponseWriter, r *http.Request) {
	s, err := a.svc.Find.Start(r.Context(), recovery.WayAccountID, strings.TrimSpace(r.FormValue("account_id")), web.ClientIP(r))
	if err != nil {
		a.fail(w, r, "/find", err)
		return
	}
	a.render(w, r, "find", http.StatusOK, findData{Wired: true, Token: s.Token, Methods: s.Methods, Expires: s.ExpiresAt})
}

func (a *app) findVerify(w http.ResponseWriter, r *http.Request) {
	sent, err := a.svc.Find.VerifyPhone(r.Context(), r.FormValue("token"), strings.TrimSpace(r.FormValue("phone")), web.ClientIP(r))
	if err != nil {
		a.fail(w, r, "/find", err)
		return
	}
	a.done(w, r, "/find", "flash.find_sent", sent.To)
}

type cancelData struct {
	Wired      bool
	Found      bool
	C          lifecycle.Cancellation
	Open       bool
	Conditions []lifecycle.Condition
	Reasons    []lifecycle.Reason
	Inventory  lifecycle.Inventory
	Report     *lifecycle.CheckReport
	Err        string
}

func (a *app) cancelPage(w http.ResponseWriter, r *http.Request, s protection.Session) {
	d := cancelData{Wired: a.svc.Cancellation != nil}
	if !d.Wired {
		a.render(w, r, "cancel", http.StatusOK, d)
		return
	}
	c, found, err := a.svc.Cancellation.Status(r.Context(), s.AccountID)
	if err != nil {
		d.Err = a.problem(r, err).Detail
	}
	d.C, d.Found, d.Open = c, found, found && c.Status.Open()
	d.Conditions, d.Reasons = a.svc.Cancellation.ConditionsInForce(), lifecycle.Reasons()
	d.Inventory, _ = a.res.CheckResources(r.Context(), s.AccountID)
	a.render(w, r, "cancel", http.StatusOK, d)
}

// cancelResources sets what the simulated host reports for the account.
func (a *app) cancelResources(w http.ResponseWriter, r *http.Request, s protection.Session) {
	var inv lifecycle.Inventory
	if r.FormValue("bucket") == "on" {
		inv.Resources = append(inv.Resources, lifecycle.Resource{ID: "cos-logs", Kind: "cos_bucket", Name: "logs", Abandonable: true})
	}
	if r.FormValue("server") == "on" {
		inv.Resources = append(inv.Resources, lifecycle.Resource{ID: "cvm-web-1", Kind: "cvm", Name: "web-1"})
	}
	inv.UnsettledPostpaid = r.FormValue("postpaid") == "on"
	a.res.set(s.AccountID, inv)
	a.done(w, r, "/cancel", "flash.saved")
}

func (a *app) cancelApply(w http.ResponseWriter, r *http.Request, s protection.Session) {
	if err := r.ParseForm(); err != nil {
		a.fail(w, r, "/cancel", err)
		return
	}
	app := lifecycle.Application{OtherReason: strings.TrimSpace(r.FormValue("other")), Remark: strings.TrimSpace(r.FormValue("remark"))}
	for _, c := range r.Form["condition"] {
		app.Confirmed = append(app.Confirmed, lifecycle.Condition(c))
	}
	for _, x := range r.Form["reason"] {
		app.Reasons = append(app.Reasons, lifecycle.Reason(x))
	}
	if _, err := a.svc.ApplyCancellation(r.Context(), s, app); err != nil {
		a.fail(w, r, "/cancel", err)
		return
	}
	a.done(w, r, "/cancel", "flash.cancel_applied")
}

// cancelStep runs one later step of the account's cancellation.
func (a *app) cancelStep(w http.ResponseWriter, r *http.Request, s protection.Session) {
	ctx, m, id := r.Context(), a.svc.Cancellation, s.AccountID
	var err error
	key := "flash.saved"
	switch r.PathValue("step") {
	case "check":
		var rep lifecycle.CheckReport
		rep, err = m.Check(ctx, id)
		if err == nil {
			key = "flash.cancel_checked"
			if len(rep.MustHandle)+len(rep.NotAbandoned) > 0 {
				key = "flash.cancel_blocked"
			}
		}
	case "abandon":
		inv, _ := a.res.CheckResources(ctx, id)
		var ids []string
		for _, x := range inv.Resources {
			if x.Abandonable {
				ids = append(ids, x.ID)
			}
		}
		_, err = m.Abandon(ctx, id, ids)
	case "identity":
		var ic lifecycle.IdentityCheck
		ic, err = m.StartIdentityCheck(ctx, id)
		if err == nil && ic.Face {
			key = "flash.face_started"
		}
	case "finish":
		_, err = m.FinishIdentityCheck(ctx, id)
	case "revoke":
		_, err = m.Revoke(ctx, id)
		key = "flash.cancel_revoked"
	default:
		a.render(w, r, "notfound", http.StatusNotFound, nil)
		return
	}
	if err != nil {
		a.fail(w, r, "/cancel", err)
		return
	}
	if _, verr := a.svc.Protection.ValidateSession(ctx, cookie(r, web.DefaultSessionCookie)); verr != nil {
		// The cancellation completed: the account and its sessions are gone.
		http.SetCookie(w, web.ClearCookie(web.DefaultSessionCookie))
		a.done(w, r, "/login", "flash.cancel_completed")
		return
	}
	a.done(w, r, "/cancel", key)
}

// flowRow says whether a flow of the facade is wired in this build and
// where the console shows it.
type flowRow struct {
	Name  string
	Field string
	Wired bool
	Page  string
}

func (a *app) flowsPage(w http.ResponseWriter, r *http.Request) {
	s := a.svc
	rows := []flowRow{
		{"flow.accounts", "Accounts", s.Accounts != nil, "/account"},
		{"flow.mfa", "MFA", s.MFA != nil, "/security"},
		{"flow.protection", "Protection", s.Protection != nil, "/security"},
		{"flow.resets", "Resets", s.Resets != nil, "/reset"},
		{"flow.find", "Find", s.Find != nil, "/find"},
		{"flow.cancellation", "Cancellation", s.Cancellation != nil, "/cancel"},
		{"flow.review", "Review", s.Review != nil, "/admin"},
		{"flow.appeals", "Appeals", s.Appeals != nil, "/appeal"},
		{"flow.enterprise", "Enterprise", s.Enterprise != nil, "/enterprise"},
		{"flow.subusers", "SubUsers", s.SubUsers != nil, "/subusers"},
	}
	a.render(w, r, "flows", http.StatusOK, rows)
}

type adminData struct {
	Offset  time.Duration
	Tickets []string
	Reviews []recovery.ReviewItem
	Err     string
}

// adminPage is the host's back office: the clock, the host's face checks
// and the review queue.
func (a *app) adminPage(w http.ResponseWriter, r *http.Request) {
	d := adminData{Offset: a.clock.Offset()}
	if last := a.faces.LastTicket(); last != "" {
		n, _ := strconv.Atoi(strings.TrimPrefix(last, "ticket-"))
		for i := n; i > 0 && i > n-5; i-- {
			d.Tickets = append(d.Tickets, fmt.Sprintf("ticket-%d", i))
		}
	}
	if a.svc.Review != nil {
		items, err := a.svc.Review.Pending(r.Context())
		if err != nil {
			d.Err = a.problem(r, err).Detail
		}
		d.Reviews = items
	}
	a.render(w, r, "admin", http.StatusOK, d)
}

func (a *app) adminClock(w http.ResponseWriter, r *http.Request) {
	d, err := time.ParseDuration(r.FormValue("advance"))
	if err != nil || d <= 0 || d > 400*24*time.Hour {
		a.fail(w, r, "/admin", err)
		return
	}
	a.clock.Advance(d)
	a.done(w, r, r.FormValue("back"), "flash.clock_advanced", web.FormatDuration(d, web.Language(r)))
}

func (a *app) adminFace(w http.ResponseWriter, r *http.Request) {
	t := r.FormValue("ticket")
	if r.FormValue("decision") == "confirm" {
		a.faces.Confirm(t)
	} else {
		a.faces.Reject(t)
	}
	a.done(w, r, "/admin", "flash.saved")
}

func (a *app) adminReview(w http.ResponseWriter, r *http.Request) {
	_, err := a.svc.Review.Decide(r.Context(), recovery.Decision{
		ID: r.FormValue("id"), Reviewer: "console-admin", Approve: r.FormValue("decision") == "approve",
		Note: strings.TrimSpace(r.FormValue("note")), RemoveMFA: r.FormValue("remove_mfa") == "on",
	})
	if err != nil {
		a.fail(w, r, "/admin", err)
		return
	}
	a.done(w, r, "/admin", "flash.saved")
}

// adminCancellation is the manual review of an enterprise account's
// cancellation.
func (a *app) adminCancellation(w http.ResponseWriter, r *http.Request) {
	id := strings.TrimSpace(r.FormValue("account_id"))
	var err error
	if r.FormValue("decision") == "approve" {
		_, err = a.svc.Cancellation.Approve(r.Context(), id, "console-admin")
	} else {
		_, err = a.svc.Cancellation.Reject(r.Context(), id, "console-admin", strings.TrimSpace(r.FormValue("note")))
	}
	if err != nil {
		a.fail(w, r, "/admin", err)
		return
	}
	a.done(w, r, "/admin", "flash.saved")
}
