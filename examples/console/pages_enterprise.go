package main

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/accountsec/accountsec/account"
	"github.com/accountsec/accountsec/protection"
	"github.com/accountsec/accountsec/reason"
	"github.com/accountsec/accountsec/recovery"
	"github.com/accountsec/accountsec/web"
)

func (a *app) enterpriseRoutes(m *http.ServeMux) {
	m.HandleFunc("GET /enterprise", a.enterprisePage)
	m.HandleFunc("POST /enterprise/start", a.enterpriseStart)
	m.HandleFunc("POST /enterprise/legal-person", a.enterpriseLegalPerson)
	m.HandleFunc("POST /enterprise/face/start", a.enterpriseFaceStart)
	m.HandleFunc("POST /enterprise/face/result", a.enterpriseFaceResult)
	m.HandleFunc("POST /enterprise/contact-code", a.enterpriseContactCode)
	m.HandleFunc("POST /enterprise/submit", a.enterpriseSubmit)
	m.HandleFunc("POST /enterprise/new", a.enterpriseNew)
	m.HandleFunc("GET /enterprise/result", a.enterpriseResultPage)
	m.HandleFunc("POST /enterprise/result/code", a.enterpriseQueryCode)
	m.HandleFunc("POST /enterprise/result", a.enterpriseResult)
	m.HandleFunc("GET /enterprise/allowances", a.allowancesPage)
	m.HandleFunc("POST /enterprise/allowances/email-code", a.allowanceEmailCode)
	m.HandleFunc("POST /enterprise/allowances/email", a.allowanceEmail)
	m.HandleFunc("POST /enterprise/allowances/phone-code", a.allowancePhoneCode)
	m.HandleFunc("POST /enterprise/allowances/sms", a.allowanceSMS)
	m.HandleFunc("POST /account/real-name/enterprise", a.signedIn(a.realNameEnterprise))
}

// enterpriseData is the enterprise recovery's wizard: the step that comes
// next ("" before the start) and, once submitted, the query code shown
// this once.
type enterpriseData struct {
	Wired     bool
	Step      string
	Reasons   []string
	Phone     string
	Face      bool
	QueryCode string
}

// enterpriseFlow reads the step and reference the cookie keeps
// ("step.ref").
func enterpriseFlow(r *http.Request) (step, ref string) {
	step, ref, _ = strings.Cut(cookie(r, enterpriseCookie), ".")
	return step, ref
}

// enterpriseMoved keeps the step a call of the flow answered.
func enterpriseMoved(w http.ResponseWriter, st recovery.FlowState) {
	setFlowCookie(w, enterpriseCookie, st.Step+"."+st.Ref, flowCookieAge)
}

func (a *app) enterprisePage(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	d := enterpriseData{Wired: a.svc.Enterprise != nil, Reasons: recovery.EnterpriseReasons(), Phone: q.Get("phone"), Face: q.Get("face") == "1"}
	d.Step, _ = enterpriseFlow(r)
	a.render(w, r, "enterprise", http.StatusOK, d)
}

func (a *app) enterpriseStart(w http.ResponseWriter, r *http.Request) {
	st, err := a.svc.Enterprise.Start(r.Context(), recovery.EnterpriseStart{
		Company: strings.TrimSpace(r.FormValue("company")), CreditCode: strings.TrimSpace(r.FormValue("credit_code")), Reason: r.FormValue("reason"),
	})
	if err != nil {
		a.fail(w, r, "/enterprise", err)
		return
	}
	enterpriseMoved(w, st)
	a.done(w, r, "/enterprise", "flash.saved")
}

func (a *app) enterpriseLegalPerson(w http.ResponseWriter, r *http.Request) {
	_, ref := enterpriseFlow(r)
	st, err := a.svc.Enterprise.LegalPerson(r.Context(), ref, strings.TrimSpace(r.FormValue("name")), strings.TrimSpace(r.FormValue("id_number")))
	if err != nil {
		a.fail(w, r, "/enterprise", err)
		return
	}
	enterpriseMoved(w, st)
	a.done(w, r, "/enterprise", "flash.saved")
}

func (a *app) enterpriseFaceStart(w http.ResponseWriter, r *http.Request) {
	_, ref := enterpriseFlow(r)
	ch, err := a.svc.Enterprise.StartFace(r.Context(), ref)
	if err != nil {
		a.fail(w, r, "/enterprise", err)
		return
	}
	a.done(w, r, withQuery("/enterprise", "face", "1"), "flash.flow_face_started", ch.Ticket)
}

func (a *app) enterpriseFaceResult(w http.ResponseWriter, r *http.Request) {
	_, ref := enterpriseFlow(r)
	st, err := a.svc.Enterprise.FaceResult(r.Context(), ref)
	if err != nil {
		a.fail(w, r, withQuery("/enterprise", "face", "1"), err)
		return
	}
	enterpriseMoved(w, st)
	a.done(w, r, "/enterprise", "flash.face_passed")
}

func (a *app) enterpriseContactCode(w http.ResponseWriter, r *http.Request) {
	_, ref := enterpriseFlow(r)
	phone := strings.TrimSpace(r.FormValue("phone"))
	back := withQuery("/enterprise", "phone", phone)
	if _, err := a.svc.Enterprise.SendContactCode(r.Context(), ref, phone, web.ClientIP(r)); err != nil {
		a.fail(w, r, back, err)
		return
	}
	a.done(w, r, back, "flash.code_sent")
}

// enterpriseSubmit ends the recovery's steps; the query code is the
// answer to this POST, shown once and never put in a URL.
func (a *app) enterpriseSubmit(w http.ResponseWriter, r *http.Request) {
	_, ref := enterpriseFlow(r)
	phone := strings.TrimSpace(r.FormValue("phone"))
	query, err := a.svc.Enterprise.Submit(r.Context(), ref, phone, strings.TrimSpace(r.FormValue("code")))
	if err != nil {
		a.fail(w, r, withQuery("/enterprise", "phone", phone), err)
		return
	}
	clearFlowCookie(w, enterpriseCookie)
	a.render(w, r, "enterprise", http.StatusOK, enterpriseData{Wired: true, Step: recovery.StepSubmitted, Phone: phone, QueryCode: query})
}

func (a *app) enterpriseNew(w http.ResponseWriter, r *http.Request) {
	clearFlowCookie(w, enterpriseCookie)
	redirect(w, r, "/enterprise")
}

// entResultData is the look-up of an enterprise recovery's result.
type entResultData struct {
	Wired  bool
	Query  string
	Phone  string
	Sent   bool
	Err    string
	Result *recovery.EnterpriseResult
}

func (a *app) enterpriseResultPage(w http.ResponseWriter, r *http.Request) {
	a.render(w, r, "enterprise_result", http.StatusOK, entResultData{Wired: a.svc.Enterprise != nil, Phone: r.URL.Query().Get("phone")})
}

// enterpriseQueryCode sends the look-up's SMS code; the page comes back as
// the answer, with the query code in its form rather than in a URL.
func (a *app) enterpriseQueryCode(w http.ResponseWriter, r *http.Request) {
	d := entResultData{Wired: true, Query: strings.TrimSpace(r.FormValue("query")), Phone: strings.TrimSpace(r.FormValue("phone"))}
	if _, err := a.svc.Enterprise.SendQueryCode(r.Context(), d.Query, d.Phone, web.ClientIP(r)); err != nil {
		d.Err = a.problem(r, err).Detail
	} else {
		d.Sent = true
	}
	a.render(w, r, "enterprise_result", http.StatusOK, d)
}

func (a *app) enterpriseResult(w http.ResponseWriter, r *http.Request) {
	d := entResultData{Wired: true, Query: strings.TrimSpace(r.FormValue("query")), Phone: strings.TrimSpace(r.FormValue("phone"))}
	res, err := a.svc.Enterprise.Result(r.Context(), recovery.EnterpriseQuery{QueryCode: d.Query, Phone: d.Phone, Code: strings.TrimSpace(r.FormValue("code"))})
	if err != nil {
		d.Err = a.problem(r, err).Detail
		a.render(w, r, "enterprise_result", http.StatusOK, d)
		return
	}
	d.Result = &res
	if res.Grant != "" {
		ids := make([]string, 0, len(res.Accounts))
		for _, x := range res.Accounts {
			ids = append(ids, x.AccountID)
		}
		setFlowCookie(w, grantCookie, res.Grant+"|"+strings.Join(ids, ",")+"|"+strconv.FormatInt(res.GrantExpiresAt.Unix(), 10), flowCookieAge)
	}
	a.render(w, r, "enterprise_result", http.StatusOK, d)
}

// grantData is what the grant cookie keeps: the grant, the recovered
// accounts and when the allowances end.
type grantData struct {
	Grant    string
	Accounts []string
	Until    time.Time
}

func readGrant(r *http.Request) (grantData, bool) {
	parts := strings.Split(cookie(r, grantCookie), "|")
	if len(parts) != 3 || parts[0] == "" {
		return grantData{}, false
	}
	sec, err := strconv.ParseInt(parts[2], 10, 64)
	if err != nil {
		return grantData{}, false
	}
	g := grantData{Grant: parts[0], Until: time.Unix(sec, 0)}
	if parts[1] != "" {
		g.Accounts = strings.Split(parts[1], ",")
	}
	return g, true
}

// allowancesData is the page of the two 24-hour allowances.
type allowancesData struct {
	Found    bool
	Accounts []string
	Until    time.Time
	Account  string
	Email    string
	Phone    string
}

func (a *app) allowancesPage(w http.ResponseWriter, r *http.Request) {
	g, ok := readGrant(r)
	q := r.URL.Query()
	a.render(w, r, "allowances", http.StatusOK, allowancesData{
		Found: ok, Accounts: g.Accounts, Until: g.Until, Account: q.Get("account"), Email: q.Get("email"), Phone: q.Get("phone"),
	})
}

// allowanceGrant is the visitor's grant, or "" after answering that there
// is none.
func (a *app) allowanceGrant(w http.ResponseWriter, r *http.Request) string {
	g, ok := readGrant(r)
	if !ok {
		a.fail(w, r, "/enterprise/allowances", reason.New(reason.RecoveryGrantInvalid))
		return ""
	}
	return g.Grant
}

func (a *app) allowanceEmailCode(w http.ResponseWriter, r *http.Request) {
	grant := a.allowanceGrant(w, r)
	if grant == "" {
		return
	}
	id, email := strings.TrimSpace(r.FormValue("account_id")), strings.TrimSpace(r.FormValue("email"))
	back := withQuery("/enterprise/allowances", "account", id, "email", email)
	if _, err := a.svc.Enterprise.SendLoginEmailCode(r.Context(), grant, id, email, web.ClientIP(r)); err != nil {
		a.fail(w, r, back, err)
		return
	}
	a.done(w, r, back, "flash.code_sent")
}

func (a *app) allowanceEmail(w http.ResponseWriter, r *http.Request) {
	grant := a.allowanceGrant(w, r)
	if grant == "" {
		return
	}
	id, email := strings.TrimSpace(r.FormValue("account_id")), strings.TrimSpace(r.FormValue("email"))
	if _, err := a.svc.Enterprise.AddLoginEmail(r.Context(), recovery.LoginEmailAllowance{
		Grant: grant, AccountID: id, Email: email, Code: strings.TrimSpace(r.FormValue("code")),
		Password: r.FormValue("password"), Confirm: r.FormValue("confirm"),
	}); err != nil {
		a.fail(w, r, withQuery("/enterprise/allowances", "account", id, "email", email), err)
		return
	}
	a.done(w, r, "/enterprise/allowances", "flash.allowance_email", id)
}

func (a *app) allowancePhoneCode(w http.ResponseWriter, r *http.Request) {
	grant := a.allowanceGrant(w, r)
	if grant == "" {
		return
	}
	id, phone := strings.TrimSpace(r.FormValue("account_id")), strings.TrimSpace(r.FormValue("phone"))
	back := withQuery("/enterprise/allowances", "account", id, "phone", phone)
	if _, err := a.svc.Enterprise.SendSecurityPhoneCode(r.Context(), grant, id, phone, web.ClientIP(r)); err != nil {
		a.fail(w, r, back, err)
		return
	}
	a.done(w, r, back, "flash.code_sent")
}

func (a *app) allowanceSMS(w http.ResponseWriter, r *http.Request) {
	grant := a.allowanceGrant(w, r)
	if grant == "" {
		return
	}
	id, phone := strings.TrimSpace(r.FormValue("account_id")), strings.TrimSpace(r.FormValue("phone"))
	if _, err := a.svc.Enterprise.SwitchToSMS(r.Context(), recovery.SMSAllowance{
		Grant: grant, AccountID: id, Phone: phone, Code: strings.TrimSpace(r.FormValue("code")),
	}); err != nil {
		a.fail(w, r, withQuery("/enterprise/allowances", "account", id, "phone", phone), err)
		return
	}
	a.done(w, r, "/enterprise/allowances", "flash.allowance_sms", id)
}

// realNameEnterprise stands for the host's enterprise real-name
// verification, as realName does for a person: it records the company
// and its legal person the visitor typed, so that the enterprise recovery
// has an account to find.
func (a *app) realNameEnterprise(w http.ResponseWriter, r *http.Request, s protection.Session) {
	if _, err := a.svc.Accounts.RecordEnterprise(r.Context(), s.AccountID, account.EnterpriseIdentity{
		Name: strings.TrimSpace(r.FormValue("company")), CreditCode: strings.TrimSpace(r.FormValue("credit_code")),
		LegalPersonName: strings.TrimSpace(r.FormValue("legal_name")), LegalPersonID: strings.TrimSpace(r.FormValue("legal_id")),
	}); err != nil {
		a.fail(w, r, "/account", err)
		return
	}
	a.done(w, r, "/account", "flash.saved")
}
