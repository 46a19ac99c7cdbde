package main

import (
	"net/http"
	"strings"
	"time"

	"github.com/accountsec/accountsec/recovery"
	"github.com/accountsec/accountsec/web"
)

// The cookies that keep a visitor's place in the recovery flows: the
// appeal's reference, the enterprise recovery's step and reference, and
// the grant of an approved enterprise recovery with its accounts. They
// are HttpOnly, so no page script reads them; the library checks every
// step, so a cookie changed by hand gets the library's refusal.
const (
	appealCookie     = "console-appeal"
	enterpriseCookie = "console-enterprise"
	grantCookie      = "console-grant"
)

// setFlowCookie keeps value in the cookie name for maxAge.
func setFlowCookie(w http.ResponseWriter, name, value string, maxAge time.Duration) {
	http.SetCookie(w, &http.Cookie{
		Name: name, Value: value, Path: "/", MaxAge: int(maxAge / time.Second),
		HttpOnly: true, SameSite: http.SameSiteLaxMode,
	})
}

// clearFlowCookie drops the cookie name.
func clearFlowCookie(w http.ResponseWriter, name string) {
	http.SetCookie(w, &http.Cookie{Name: name, Value: "", Path: "/", MaxAge: -1})
}

// flowCookieAge outlives every flow of the library (7 days to submit, 30
// days in review); a flow that ended sooner answers so itself.
const flowCookieAge = 40 * 24 * time.Hour

func (a *app) appealRoutes(m *http.ServeMux) {
	m.HandleFunc("GET /appeal", a.appealPage)
	m.HandleFunc("GET /appeal/status", a.appealStatusPage)
	m.HandleFunc("POST /appeal/contact-code", a.appealContactCode)
	m.HandleFunc("POST /appeal/start", a.appealStart)
	m.HandleFunc("POST /appeal/email-code", a.appealEmailCode)
	m.HandleFunc("POST /appeal/email", a.appealEmail)
	m.HandleFunc("POST /appeal/phone-code", a.appealPhoneCode)
	m.HandleFunc("POST /appeal/phone", a.appealPhone)
	m.HandleFunc("POST /appeal/skip-phone", a.appealSkipPhone)
	m.HandleFunc("POST /appeal/face/start", a.appealFaceStart)
	m.HandleFunc("POST /appeal/face/result", a.appealFaceResult)
	m.HandleFunc("POST /appeal/new", a.appealNew)
}

// appealData is the appeal wizard and its status page: the step that
// comes next ("" before the start) and the values typed so far.
type appealData struct {
	Wired    bool
	Step     string
	Expires  time.Time
	Note     string
	Reasons  []string
	Phone    string
	Email    string
	SecPhone string
	Face     bool
	Err      string
}

// appealState reads where the visitor's appeal stands; an appeal that is
// gone or expired clears the cookie and says why.
func (a *app) appealState(w http.ResponseWriter, r *http.Request) appealData {
	q := r.URL.Query()
	d := appealData{
		Wired: a.svc.Appeals != nil, Reasons: recovery.AppealReasons(),
		Phone: q.Get("phone"), Email: q.Get("email"), SecPhone: q.Get("sphone"), Face: q.Get("face") == "1",
	}
	ref := cookie(r, appealCookie)
	if !d.Wired || ref == "" {
		return d
	}
	st, note, err := a.svc.Appeals.Status(r.Context(), ref)
	if err != nil {
		d.Err = a.problem(r, err).Detail
		clearFlowCookie(w, appealCookie)
		return d
	}
	d.Step, d.Expires, d.Note = st.Step, st.ExpiresAt, note
	return d
}

// appealPage is the wizard: each step of the appeal in turn; once the
// appeal is submitted the status page takes over.
func (a *app) appealPage(w http.ResponseWriter, r *http.Request) {
	d := a.appealState(w, r)
	switch d.Step {
	case recovery.StepSubmitted, recovery.StepApproved, recovery.StepRejected:
		redirect(w, r, "/appeal/status")
		return
	}
	a.render(w, r, "appeal", http.StatusOK, d)
}

// appealStatusPage shows the appeal's state and the reviewer's note.
func (a *app) appealStatusPage(w http.ResponseWriter, r *http.Request) {
	a.render(w, r, "appeal_status", http.StatusOK, a.appealState(w, r))
}

func (a *app) appealContactCode(w http.ResponseWriter, r *http.Request) {
	phone := strings.TrimSpace(r.FormValue("phone"))
	back := withQuery("/appeal", "phone", phone)
	if _, err := a.svc.Appeals.SendContactCode(r.Context(), phone, web.ClientIP(r)); err != nil {
		a.fail(w, r, back, err)
		return
	}
	a.done(w, r, back, "flash.code_sent")
}

func (a *app) appealStart(w http.ResponseWriter, r *http.Request) {
	phone := strings.TrimSpace(r.FormValue("phone"))
	back := withQuery("/appeal", "phone", phone)
	st, err := a.svc.Appeals.Start(r.Context(), recovery.AppealStart{
		Account: strings.TrimSpace(r.FormValue("account")), Name: strings.TrimSpace(r.FormValue("name")),
		IDNumber: strings.TrimSpace(r.FormValue("id_number")), Reason: r.FormValue("reason"),
		ContactPhone: phone, Code: strings.TrimSpace(r.FormValue("code")),
	})
	if err != nil {
		a.fail(w, r, back, err)
		return
	}
	setFlowCookie(w, appealCookie, st.Ref, flowCookieAge)
	a.done(w, r, "/appeal", "flash.appeal_started")
}

// appealRef is the reference of the visitor's appeal, or "" after
// answering that there is none.
func (a *app) appealRef(w http.ResponseWriter, r *http.Request) string {
	ref := cookie(r, appealCookie)
	if ref == "" {
		setFlash(w, "error", tr(web.Language(r), "appeal.none"))
		redirect(w, r, "/appeal")
	}
	return ref
}

func (a *app) appealEmailCode(w http.ResponseWriter, r *http.Request) {
	ref := a.appealRef(w, r)
	if ref == "" {
		return
	}
	email := strings.TrimSpace(r.FormValue("email"))
	back := withQuery("/appeal", "email", email)
	if _, err := a.svc.Appeals.SendEmailCode(r.Context(), ref, email, web.ClientIP(r)); err != nil {
		a.fail(w, r, back, err)
		return
	}
	a.done(w, r, back, "flash.code_sent")
}

func (a *app) appealEmail(w http.ResponseWriter, r *http.Request) {
	ref := a.appealRef(w, r)
	if ref == "" {
		return
	}
	email := strings.TrimSpace(r.FormValue("email"))
	if _, err := a.svc.Appeals.SetLoginEmail(r.Context(), ref, recovery.AppealLoginEmail{
		Email: email, Code: strings.TrimSpace(r.FormValue("code")),
		Password: r.FormValue("password"), Confirm: r.FormValue("confirm"),
	}); err != nil {
		a.fail(w, r, withQuery("/appeal", "email", email), err)
		return
	}
	a.done(w, r, "/appeal", "flash.saved")
}

func (a *app) appealPhoneCode(w http.ResponseWriter, r *http.Request) {
	ref := a.appealRef(w, r)
	if ref == "" {
		return
	}
	phone := strings.TrimSpace(r.FormValue("phone"))
	back := withQuery("/appeal", "sphone", phone)
	if _, err := a.svc.Appeals.SendPhoneCode(r.Context(), ref, phone, web.ClientIP(r)); err != nil {
		a.fail(w, r, back, err)
		return
	}
	a.done(w, r, back, "flash.code_sent")
}

func (a *app) appealPhone(w http.ResponseWriter, r *http.Request) {
	ref := a.appealRef(w, r)
	if ref == "" {
		return
	}
	phone := strings.TrimSpace(r.FormValue("phone"))
	if _, err := a.svc.Appeals.SetSecurityPhone(r.Context(), ref, phone, strings.TrimSpace(r.FormValue("code"))); err != nil {
		a.fail(w, r, withQuery("/appeal", "sphone", phone), err)
		return
	}
	a.done(w, r, "/appeal", "flash.saved")
}

func (a *app) appealSkipPhone(w http.ResponseWriter, r *http.Request) {
	ref := a.appealRef(w, r)
	if ref == "" {
		return
	}
	if _, err := a.svc.Appeals.SkipSecurityPhone(r.Context(), ref); err != nil {
		a.fail(w, r, "/appeal", err)
		return
	}
	a.done(w, r, "/appeal", "flash.saved")
}

func (a *app) appealFaceStart(w http.ResponseWriter, r *http.Request) {
	ref := a.appealRef(w, r)
	if ref == "" {
		return
	}
	ch, err := a.svc.Appeals.StartFace(r.Context(), ref)
	if err != nil {
		a.fail(w, r, "/appeal", err)
		return
	}
	a.done(w, r, withQuery("/appeal", "face", "1"), "flash.flow_face_started", ch.Ticket)
}

func (a *app) appealFaceResult(w http.ResponseWriter, r *http.Request) {
	ref := a.appealRef(w, r)
	if ref == "" {
		return
	}
	st, err := a.svc.Appeals.FaceResult(r.Context(), ref)
	if err != nil {
		a.fail(w, r, withQuery("/appeal", "face", "1"), err)
		return
	}
	if st.Step == recovery.StepApproved {
		a.done(w, r, "/appeal/status", "flash.appeal_approved")
		return
	}
	a.done(w, r, "/appeal/status", "flash.appeal_submitted")
}

// appealNew forgets the visitor's appeal (the library keeps it until it
// expires or is decided).
func (a *app) appealNew(w http.ResponseWriter, r *http.Request) {
	clearFlowCookie(w, appealCookie)
	redirect(w, r, "/appeal")
}
