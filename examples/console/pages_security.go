package main

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/accountsec/accountsec/account"
	"github.com/accountsec/accountsec/mfa"
	"github.com/accountsec/accountsec/protection"
	"github.com/accountsec/accountsec/vocab"
	"github.com/accountsec/accountsec/web"
)

func (a *app) securityRoutes(m *http.ServeMux) {
	m.HandleFunc("GET /security", a.signedIn(a.securityPage))
	m.HandleFunc("POST /security/mfa/enrol", a.signedIn(a.mfaEnrol))
	m.HandleFunc("POST /security/mfa/confirm", a.signedIn(a.mfaConfirm))
	m.HandleFunc("POST /security/mfa/unbind", a.signedIn(a.mfaUnbind))
	m.HandleFunc("POST /security/settings", a.signedIn(a.settings))
	m.HandleFunc("POST /security/devices/{id}/revoke", a.signedIn(a.revokeDevice))
	m.HandleFunc("POST /security/devices/revoke-all", a.signedIn(a.revokeDevices))
	m.HandleFunc("POST /security/sessions/{id}/end", a.signedIn(a.endSession))
	m.HandleFunc("POST /security/sign-out-all", a.signedIn(a.signOutAll))
	m.HandleFunc("GET /security/password", a.signedIn(a.passwordPage))
	m.HandleFunc("POST /security/password", a.signedIn(a.changePassword))
	m.HandleFunc("POST /verify/start", a.signedIn(a.verifyStart))
	m.HandleFunc("POST /verify/answer", a.signedIn(a.verifyAnswer))
}

// protectionMethods are the methods login and operation protection may
// use in the console (WeChat scan needs a scanner it does not wire).
var protectionMethods = []vocab.VerifyMethod{protection.None, protection.MFA, protection.SMS}

// remoteMethods are the methods remote-login protection and the MFA
// binding may prefer.
var remoteMethods = []vocab.VerifyMethod{protection.None, protection.MFA, protection.SMS, protection.Email, protection.Face}

type securityData struct {
	MFABound      bool
	MFA           mfa.Device
	BackupLeft    int
	Settings      account.SecuritySettings
	Sessions      []protection.Session
	Devices       []protection.TrustedDevice
	Cities        []protection.LoginCity
	Methods       []vocab.VerifyMethod
	RemoteMethods []vocab.VerifyMethod
	Now           time.Time
}

func (a *app) securityPage(w http.ResponseWriter, r *http.Request, s protection.Session) {
	ctx := r.Context()
	d := securityData{Methods: protectionMethods, RemoteMethods: remoteMethods, Now: a.clock.Now()}
	acc, err := a.svc.Accounts.Account(ctx, s.AccountID)
	if err != nil {
		a.fail(w, r, "/login", err)
		return
	}
	d.Settings = acc.Security
	if d.Settings.SessionMaxLifetime == 0 {
		d.Settings.SessionMaxLifetime = protection.DefaultSessionLifetime
	}
	res := protection.Settings{SessionIdleTimeout: d.Settings.SessionIdleTimeout}.Resolved()
	d.Settings.SessionIdleTimeout = res.SessionIdleTimeout
	var found bool
	if d.MFA, found, err = a.svc.MFA.Device(ctx, s.AccountID); err == nil && found {
		d.MFABound = true
		d.BackupLeft, _ = a.svc.MFA.BackupCodesLeft(ctx, s.AccountID)
	}
	d.Sessions, _ = a.svc.Protection.Sessions(ctx, s.AccountID)
	d.Devices, _ = a.svc.Protection.TrustedDevices(ctx, s.AccountID)
	d.Cities, _ = a.svc.Protection.UsualCities(ctx, s.AccountID)
	a.render(w, r, "security", http.StatusOK, d)
}

type enrolData struct {
	DeviceID  string
	QR        []byte
	Key       string
	Issuer    string
	Label     string
	Digits    int
	Period    time.Duration
	ExpiresAt time.Time
}

// mfaEnrol shows the new device's secret once, as a QR image and a text key
// (the answer to this POST; it is never in a URL and cannot be fetched
// again).
func (a *app) mfaEnrol(w http.ResponseWriter, r *http.Request, s protection.Session) {
	label := strings.TrimSpace(r.FormValue("label"))
	if label == "" {
		label = s.AccountID
	}
	e, err := a.svc.EnrolMFA(r.Context(), s, label)
	if err != nil {
		a.fail(w, r, "/security", err)
		return
	}
	a.render(w, r, "mfa_enrol", http.StatusOK, enrolData{
		DeviceID: e.DeviceID, QR: e.QRCode(), Key: e.Key(), Issuer: e.Issuer, Label: e.Label,
		Digits: e.Digits, Period: e.Period, ExpiresAt: e.ExpiresAt,
	})
}

func (a *app) mfaConfirm(w http.ResponseWriter, r *http.Request, s protection.Session) {
	usage := mfa.Usage{Login: r.FormValue("login") == "on", Operation: r.FormValue("operation") == "on"}
	if _, err := a.svc.EnableMFA(r.Context(), s, r.FormValue("device_id"), strings.TrimSpace(r.FormValue("code")), usage); err != nil {
		a.fail(w, r, "/security", err)
		return
	}
	a.done(w, r, "/security", "flash.mfa_bound")
}

func (a *app) mfaUnbind(w http.ResponseWriter, r *http.Request, s protection.Session) {
	if _, err := a.svc.UnbindMFA(r.Context(), s, strings.TrimSpace(r.FormValue("code"))); err != nil {
		a.fail(w, r, "/security", err)
		return
	}
	a.done(w, r, "/security", "flash.mfa_unbound")
}

// settings changes the protection and session settings that differ from
// the account's: each kind of change is its own sensitive operation.
func (a *app) settings(w http.ResponseWriter, r *http.Request, s protection.Session) {
	ctx := r.Context()
	acc, err := a.svc.Accounts.Account(ctx, s.AccountID)
	if err != nil {
		a.fail(w, r, "/security", err)
		return
	}
	cur := protection.Settings{
		LoginProtection: acc.Security.LoginProtection, TrustDevices: acc.Security.TrustDevices,
		OperationProtection: acc.Security.OperationProtection, RemoteLoginProtection: acc.Security.RemoteLoginProtection,
		RemoteLoginMethod: acc.Security.RemoteLoginMethod, MFABindingMethod: acc.Security.MFABindingMethod,
		SessionMaxLifetime: acc.Security.SessionMaxLifetime, SessionIdleTimeout: acc.Security.SessionIdleTimeout,
	}.Resolved()
	var c protection.SettingsChange
	method := func(field string, now vocab.VerifyMethod) *vocab.VerifyMethod {
		v := vocab.VerifyMethod(r.FormValue(field))
		if v == "" || v == now {
			return nil
		}
		return &v
	}
	flag := func(field string, now bool) *bool {
		v := r.FormValue(field) == "on"
		if v == now {
			return nil
		}
		return &v
	}
	dur := func(field string, unit, now time.Duration) *time.Duration {
		n, err := strconv.ParseInt(r.FormValue(field), 10, 64)
		if err != nil || n < -1 || n > 1<<20 {
			return nil
		}
		d := time.Duration(n) * unit
		if d == now {
			return nil
		}
		return &d
	}
	c.LoginProtection = method("login_protection", cur.LoginProtection)
	c.OperationProtection = method("operation_protection", cur.OperationProtection)
	c.RemoteLoginMethod = method("remote_login_method", cur.RemoteLoginMethod)
	c.MFABindingMethod = method("mfa_binding_method", cur.MFABindingMethod)
	c.TrustDevices = flag("trust_devices", cur.TrustDevices)
	c.RemoteLoginProtection = flag("remote_login_protection", cur.RemoteLoginProtection)
	c.SessionMaxLifetime = dur("session_hours", time.Hour, cur.SessionMaxLifetime)
	c.SessionIdleTimeout = dur("idle_minutes", time.Minute, cur.SessionIdleTimeout)
	if (c == protection.SettingsChange{}) {
		a.done(w, r, "/security", "flash.nothing_changed")
		return
	}
	if _, err := a.svc.Protection.ChangeSettings(ctx, s, c); err != nil {
		a.fail(w, r, "/security", err)
		return
	}
	a.done(w, r, "/security", "flash.saved")
}

func (a *app) revokeDevice(w http.ResponseWriter, r *http.Request, s protection.Session) {
	if err := a.svc.Protection.RevokeTrustedDevice(r.Context(), s.AccountID, r.PathValue("id")); err != nil {
		a.fail(w, r, "/security", err)
		return
	}
	a.done(w, r, "/security", "flash.device_revoked")
}

func (a *app) revokeDevices(w http.ResponseWriter, r *http.Request, s protection.Session) {
	if err := a.svc.Protection.RevokeTrustedDevices(r.Context(), s.AccountID); err != nil {
		a.fail(w, r, "/security", err)
		return
	}
	http.SetCookie(w, web.ClearCookie(web.DefaultDeviceCookie))
	a.done(w, r, "/security", "flash.device_revoked")
}

func (a *app) endSession(w http.ResponseWriter, r *http.Request, s protection.Session) {
	id := r.PathValue("id")
	if err := a.svc.Protection.EndSession(r.Context(), s.AccountID, id); err != nil {
		a.fail(w, r, "/security", err)
		return
	}
	if id == s.ID {
		http.SetCookie(w, web.ClearCookie(web.DefaultSessionCookie))
		a.done(w, r, "/login", "flash.signed_out")
		return
	}
	a.done(w, r, "/security", "flash.session_ended")
}

func (a *app) signOutAll(w http.ResponseWriter, r *http.Request, s protection.Session) {
	if err := a.svc.Protection.SignOutAll(r.Context(), s); err != nil {
		a.fail(w, r, "/security", err)
		return
	}
	http.SetCookie(w, web.ClearCookie(web.DefaultSessionCookie))
	http.SetCookie(w, web.ClearCookie(web.DefaultDeviceCookie))
	a.done(w, r, "/login", "flash.signed_out_all")
}

func (a *app) passwordPage(w http.ResponseWriter, r *http.Request, _ protection.Session) {
	a.render(w, r, "password", http.StatusOK, a.svc.PasswordPolicy)
}

func (a *app) changePassword(w http.ResponseWriter, r *http.Request, s protection.Session) {
	err := a.svc.ChangePassword(r.Context(), s, account.PasswordChange{Old: r.FormValue("old"), New: r.FormValue("new"), Confirm: r.FormValue("confirm")})
	if err != nil {
		a.fail(w, r, "/security/password", err)
		return
	}
	a.done(w, r, "/security", "flash.password_changed")
}

// verifyStart starts the step-up of the dialog with the method picked.
func (a *app) verifyStart(w http.ResponseWriter, r *http.Request, s protection.Session) {
	purpose, back := r.FormValue("purpose"), local(r.FormValue("back"))
	c, err := a.svc.Protection.StartVerification(r.Context(), protection.StartRequest{
		AccountID: s.AccountID, Binding: s.Binding(), Purpose: purpose,
		Method: vocab.VerifyMethod(r.FormValue("method")), ClientIP: web.ClientIP(r),
	})
	if err != nil {
		a.fail(w, r, withQuery(back, "stepup", purpose), err)
		return
	}
	redirect(w, r, withQuery(back, "stepup", purpose, "challenge", c.ID, "method", string(c.Method), "sent_to", c.SentTo))
}

// verifyAnswer answers the dialog's challenge: the session is stepped up
// and the visitor repeats the action.
func (a *app) verifyAnswer(w http.ResponseWriter, r *http.Request, s protection.Session) {
	purpose, back := r.FormValue("purpose"), local(r.FormValue("back"))
	v, err := a.svc.Protection.AnswerVerification(r.Context(), protection.AnswerRequest{
		AccountID: s.AccountID, Binding: s.Binding(), Purpose: purpose,
		Challenge: r.FormValue("challenge"), Answer: strings.TrimSpace(r.FormValue("answer")),
	})
	if err != nil {
		a.fail(w, r, withQuery(back, "stepup", purpose, "challenge", r.FormValue("challenge"), "method", r.FormValue("method"), "sent_to", r.FormValue("sent_to")), err)
		return
	}
	a.done(w, r, back, "flash.stepped_up", web.FormatTime(v.ExpiresAt, web.Language(r), nil))
}
