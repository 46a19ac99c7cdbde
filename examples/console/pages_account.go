package main

import (
	"net/http"
	"strings"

	"github.com/accountsec/accountsec/account"
	"github.com/accountsec/accountsec/protection"
	"github.com/accountsec/accountsec/web"
)

func (a *app) accountRoutes(m *http.ServeMux) {
	m.HandleFunc("GET /account", a.signedIn(a.accountPage))
	m.HandleFunc("POST /account/profile", a.signedIn(a.profile))
	m.HandleFunc("POST /account/methods/{method}/unbind", a.signedIn(a.unbindMethod))
	m.HandleFunc("POST /account/security-phone/code", a.signedIn(a.securityPhoneCode))
	m.HandleFunc("POST /account/security-phone", a.signedIn(a.securityPhone))
	m.HandleFunc("POST /account/security-email/code", a.signedIn(a.securityEmailCode))
	m.HandleFunc("POST /account/security-email", a.signedIn(a.securityEmail))
	m.HandleFunc("POST /account/contact-phone", a.signedIn(a.contactPhone))
	m.HandleFunc("POST /account/contact-phone/confirm", a.signedIn(a.contactPhoneConfirm))
	m.HandleFunc("POST /account/contact-email", a.signedIn(a.contactEmail))
	m.HandleFunc("POST /account/contact-email/confirm", a.signedIn(a.contactEmailConfirm))
	m.HandleFunc("POST /account/real-name", a.signedIn(a.realName))
}

type methodRow struct {
	Method  account.Method
	Bound   bool
	Label   string
	Email   bool
	Enabled bool
}

type accountData struct {
	Methods    []methodRow
	Industries []string
	Phone      string
	Email      string
}

func (a *app) accountPage(w http.ResponseWriter, r *http.Request, s protection.Session) {
	acc, err := a.svc.Accounts.Account(r.Context(), s.AccountID)
	if err != nil {
		a.fail(w, r, "/login", err)
		return
	}
	q := r.URL.Query()
	d := accountData{Industries: a.svc.Accounts.Industries(), Phone: q.Get("phone"), Email: q.Get("email")}
	for _, m := range account.Methods() {
		row := methodRow{Method: m, Bound: acc.HasLoginMethod(m), Email: m == account.MethodEmail, Enabled: m != account.MethodWeCom}
		if lm, ok := acc.LoginMethod(m); ok && m == account.MethodEmail {
			row.Label = account.MaskEmail(lm.Identifier)
		}
		d.Methods = append(d.Methods, row)
	}
	a.render(w, r, "account", http.StatusOK, d)
}

func (a *app) profile(w http.ResponseWriter, r *http.Request, s protection.Session) {
	nick, ind := r.FormValue("nickname"), r.FormValue("industry")
	if _, err := a.svc.Accounts.UpdateProfile(r.Context(), s.AccountID, account.ProfileChange{Nickname: &nick, Industry: &ind}); err != nil {
		a.fail(w, r, "/account", err)
		return
	}
	a.done(w, r, "/account", "flash.saved")
}

func (a *app) unbindMethod(w http.ResponseWriter, r *http.Request, s protection.Session) {
	m, err := account.ParseMethod(r.PathValue("method"))
	if err != nil {
		a.fail(w, r, "/account", err)
		return
	}
	p, err := a.svc.Protection.Authorize(r.Context(), s, protection.OpUnbindLoginMethod)
	if err != nil {
		a.fail(w, r, "/account", err)
		return
	}
	if _, err := a.svc.Accounts.UnbindLoginMethod(r.Context(), p, s.AccountID, m); err != nil {
		a.fail(w, r, "/account", err)
		return
	}
	a.done(w, r, "/account", "flash.method_unbound")
}

func (a *app) securityPhoneCode(w http.ResponseWriter, r *http.Request, s protection.Session) {
	phone := strings.TrimSpace(r.FormValue("phone"))
	back := withQuery("/account", "phone", phone)
	p, err := a.svc.Protection.Authorize(r.Context(), s, protection.OpChangeSecurityPhone)
	if err != nil {
		a.fail(w, r, back, err)
		return
	}
	if _, err := a.svc.Accounts.SendSecurityPhoneCode(r.Context(), p, s.AccountID, phone, web.ClientIP(r)); err != nil {
		a.fail(w, r, back, err)
		return
	}
	a.done(w, r, back, "flash.code_sent")
}

func (a *app) securityPhone(w http.ResponseWriter, r *http.Request, s protection.Session) {
	phone := strings.TrimSpace(r.FormValue("phone"))
	back := withQuery("/account", "phone", phone)
	p, err := a.svc.Protection.Authorize(r.Context(), s, protection.OpChangeSecurityPhone)
	if err != nil {
		a.fail(w, r, back, err)
		return
	}
	if _, err := a.svc.Accounts.ChangeSecurityPhone(r.Context(), p, s.AccountID, phone, strings.TrimSpace(r.FormValue("code"))); err != nil {
		a.fail(w, r, back, err)
		return
	}
	a.done(w, r, "/account", "flash.saved")
}

func (a *app) securityEmailCode(w http.ResponseWriter, r *http.Request, s protection.Session) {
	email := strings.TrimSpace(r.FormValue("email"))
	back := withQuery("/account", "email", email)
	p, err := a.svc.Protection.Authorize(r.Context(), s, protection.OpChangeSecurityEmail)
	if err != nil {
		a.fail(w, r, back, err)
		return
	}
	if _, err := a.svc.Accounts.SendSecurityEmailCode(r.Context(), p, s.AccountID, email, web.ClientIP(r)); err != nil {
		a.fail(w, r, back, err)
		return
	}
	a.done(w, r, back, "flash.code_sent")
}

func (a *app) securityEmail(w http.ResponseWriter, r *http.Request, s protection.Session) {
	email := strings.TrimSpace(r.FormValue("email"))
	back := withQuery("/account", "email", email)
	p, err := a.svc.Protection.Authorize(r.Context(), s, protection.OpChangeSecurityEmail)
	if err != nil {
		a.fail(w, r, back, err)
		return
	}
	if _, err := a.svc.Accounts.ChangeSecurityEmail(r.Context(), p, s.AccountID, account.SecurityEmailChange{
		Email: email, Code: strings.TrimSpace(r.FormValue("code")), AlsoContactEmail: r.FormValue("also_contact") == "on",
	}); err != nil {
		a.fail(w, r, back, err)
		return
	}
	a.done(w, r, "/account", "flash.saved")
}

func (a *app) contactPhone(w http.ResponseWriter, r *http.Request, s protection.Session) {
	if _, err := a.svc.Accounts.ChangeContactPhone(r.Context(), s.AccountID, strings.TrimSpace(r.FormValue("phone")), web.ClientIP(r)); err != nil {
		a.fail(w, r, "/account", err)
		return
	}
	a.done(w, r, "/account", "flash.code_sent")
}

func (a *app) contactPhoneConfirm(w http.ResponseWriter, r *http.Request, s protection.Session) {
	if _, err := a.svc.Accounts.ConfirmContactPhone(r.Context(), s.AccountID, strings.TrimSpace(r.FormValue("code"))); err != nil {
		a.fail(w, r, "/account", err)
		return
	}
	a.done(w, r, "/account", "flash.saved")
}

func (a *app) contactEmail(w http.ResponseWriter, r *http.Request, s protection.Session) {
	if _, err := a.svc.Accounts.ChangeContactEmail(r.Context(), s.AccountID, strings.TrimSpace(r.FormValue("email")), web.ClientIP(r)); err != nil {
		a.fail(w, r, "/account", err)
		return
	}
	a.done(w, r, "/account", "flash.code_sent")
}

func (a *app) contactEmailConfirm(w http.ResponseWriter, r *http.Request, s protection.Session) {
	if _, err := a.svc.Accounts.ConfirmContactEmail(r.Context(), s.AccountID, strings.TrimSpace(r.FormValue("code"))); err != nil {
		a.fail(w, r, "/account", err)
		return
	}
	a.done(w, r, "/account", "flash.saved")
}

// realName stands for the host's real-name verification (an identity
// check the console does not run): it records the person the visitor
// typed, so that the flows that need a verified person can be tried.
func (a *app) realName(w http.ResponseWriter, r *http.Request, s protection.Session) {
	if _, err := a.svc.Accounts.RecordPersonal(r.Context(), s.AccountID, account.PersonalIdentity{
		Name: strings.TrimSpace(r.FormValue("name")), IDNumber: strings.TrimSpace(r.FormValue("id_number")),
	}); err != nil {
		a.fail(w, r, "/account", err)
		return
	}
	a.done(w, r, "/account", "flash.saved")
}
