package main

import (
	"errors"
	"github.com/accountsec/accountsec/reason"
	"net/http"
	"strings"

	"github.com/accountsec/accountsec/account"
	"github.com/accountsec/accountsec/protection"
	"github.com/accountsec/accountsec/recovery"
	"github.com/accountsec/accountsec/vocab"
	"github.com/accountsec/accountsec/web"
)

// thirdParty are the login methods the simulated provider page signs in
// with (WeCom needs the host's WeCom authoriser, which the console does not
// wire).
var thirdParty = []account.Method{account.MethodWeChat, account.MethodQQ, account.MethodWeChatOA}

func (a *app) authRoutes(m *http.ServeMux) {
	m.HandleFunc("GET /register", a.registerPage)
	m.HandleFunc("POST /register/code", a.registerCode)
	m.HandleFunc("POST /register", a.register)
	m.HandleFunc("GET /login", a.loginPage)
	m.HandleFunc("POST /login", a.login)
	m.HandleFunc("GET /login/verify", a.loginVerifyPage)
	m.HandleFunc("POST /login/challenge", a.loginChallenge)
	m.HandleFunc("POST /login/complete", a.loginComplete)
	m.HandleFunc("POST /logout", a.logout)
	m.HandleFunc("GET /provider/{method}", a.providerPage)
	m.HandleFunc("POST /provider/{method}", a.provider)
	m.HandleFunc("GET /reset", a.resetPage)
	m.HandleFunc("POST /reset", a.resetRequest)
	m.HandleFunc("GET /reset/link", a.resetLinkPage)
	m.HandleFunc("POST /reset/verify/start", a.resetVerifyStart)
	m.HandleFunc("POST /reset/verify/answer", a.resetVerifyAnswer)
	m.HandleFunc("POST /reset/complete", a.resetComplete)
}

type registerData struct {
	Email      string
	Industries []string
}

func (a *app) registerPage(w http.ResponseWriter, r *http.Request) {
	a.render(w, r, "register", http.StatusOK, registerData{Email: r.URL.Query().Get("email"), Industries: a.svc.Accounts.Industries()})
}

func (a *app) registerCode(w http.ResponseWriter, r *http.Request) {
	email := strings.TrimSpace(r.FormValue("email"))
	if _, err := a.svc.Accounts.SendRegistrationCode(r.Context(), email, web.ClientIP(r)); err != nil {
		a.fail(w, r, "/register", err)
		return
	}
	a.done(w, r, withQuery("/register", "email", email), "flash.code_sent")
}

func (a *app) register(w http.ResponseWriter, r *http.Request) {
	email := strings.TrimSpace(r.FormValue("email"))
	back := withQuery("/register", "email", email)
	if r.FormValue("password") != r.FormValue("confirm") {
		a.fail(w, r, back, reason.New(reason.PasswordConfirmMismatch))
		return
	}
	acc, err := a.svc.Accounts.Register(r.Context(), account.Registration{
		Method: account.MethodEmail, Identifier: email, Password: r.FormValue("password"), Code: strings.TrimSpace(r.FormValue("code")),
		Nickname: r.FormValue("nickname"), Industry: r.FormValue("industry"),
	})
	if err != nil {
		a.fail(w, r, back, err)
		return
	}
	a.done(w, r, withQuery("/login", "login", email), "flash.registered", acc.ID)
}

type loginData struct {
	Login      string
	Next       string
	ThirdParty []account.Method
}

func (a *app) loginPage(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	a.render(w, r, "login", http.StatusOK, loginData{Login: q.Get("login"), Next: local(q.Get("next")), ThirdParty: thirdParty})
}

func (a *app) login(w http.ResponseWriter, r *http.Request) {
	login := strings.TrimSpace(r.FormValue("login"))
	res, err := a.svc.Protection.Login(r.Context(), protection.LoginRequest{
		Login: login, Password: r.FormValue("password"), ClientIP: web.ClientIP(r),
		DeviceToken: cookie(r, web.DefaultDeviceCookie), DeviceName: deviceName(r),
	})
	if err != nil {
		a.fail(w, r, withQuery("/login", "login", login), err)
		return
	}
	a.loginResult(w, r, res, r.FormValue("next"))
}

// loginResult sets the cookies of a login step, as the JSON API does: the
// pending-login cookie and the second-step page, or the session cookie
// (and the trusted-device cookie when the device was trusted).
func (a *app) loginResult(w http.ResponseWriter, r *http.Request, res protection.LoginResult, next string) {
	now := a.clock.Now()
	if p := res.Pending; p != nil {
		http.SetCookie(w, web.NewCookie(web.DefaultPendingCookie, p.Token, p.ExpiresAt, now))
		var methods []string
		for _, m := range p.Options.Methods() {
			methods = append(methods, string(m))
		}
		kv := []string{"methods", strings.Join(methods, ","), "next", local(next)}
		if p.SecondFactor {
			kv = append(kv, "second", "1")
		}
		if p.UnusualLocation {
			kv = append(kv, "unusual", "1")
		}
		redirect(w, r, withQuery("/login/verify", kv...))
		return
	}
	if res.Session == nil {
		a.fail(w, r, "/login", protection.ErrLoginInvalid)
		return
	}
	http.SetCookie(w, web.NewCookie(web.DefaultSessionCookie, res.Token, res.Session.ExpiresAt, now))
	if res.DeviceToken != "" {
		http.SetCookie(w, web.NewCookie(web.DefaultDeviceCookie, res.DeviceToken, now.Add(a.svc.Protection.Policy().TrustedDeviceTTL), now))
	}
	if cookie(r, web.DefaultPendingCookie) != "" {
		http.SetCookie(w, web.ClearCookie(web.DefaultPendingCookie))
	}
	if next == "" || local(next) == "/" {
		next = "/account"
	}
	a.done(w, r, next, "flash.signed_in")
}

type loginVerifyData struct {
	Methods      []string
	Second       bool
	Unusual      bool
	Challenge    string
	Method       string
	SentTo       string
	Next         string
	TrustDevices bool
}

func (a *app) loginVerifyPage(w http.ResponseWriter, r *http.Request) {
	if cookie(r, web.DefaultPendingCookie) == "" {
		a.fail(w, r, "/login", protection.ErrLoginInvalid)
		return
	}
	q := r.URL.Query()
	d := loginVerifyData{
		Second: q.Get("second") == "1", Unusual: q.Get("unusual") == "1", Challenge: q.Get("challenge"),
		Method: q.Get("method"), SentTo: q.Get("sent_to"), Next: local(q.Get("next")),
	}
	if m := q.Get("methods"); m != "" {
		d.Methods = strings.Split(m, ",")
	}
	a.render(w, r, "login_verify", http.StatusOK, d)
}

func (a *app) loginChallenge(w http.ResponseWriter, r *http.Request) {
	token := cookie(r, web.DefaultPendingCookie)
	back := withQuery("/login/verify", "methods", r.FormValue("methods"), "second", r.FormValue("second"), "unusual", r.FormValue("unusual"), "next", r.FormValue("next"))
	c, err := a.svc.Protection.StartLoginChallenge(r.Context(), token, vocab.VerifyMethod(r.FormValue("method")), web.ClientIP(r))
	if err != nil {
		a.pendingFail(w, r, back, err)
		return
	}
	redirect(w, r, withQuery(back, "challenge", c.ID, "method", string(c.Method), "sent_to", c.SentTo))
}

func (a *app) loginComplete(w http.ResponseWriter, r *http.Request) {
	token := cookie(r, web.DefaultPendingCookie)
	back := withQuery("/login/verify", "methods", r.FormValue("methods"), "second", r.FormValue("second"), "unusual", r.FormValue("unusual"), "next", r.FormValue("next"))
	res, err := a.svc.Protection.CompleteLogin(r.Context(), protection.CompleteRequest{
		PendingToken: token, Challenge: r.FormValue("challenge"), Answer: strings.TrimSpace(r.FormValue("answer")),
		TrustDevice: r.FormValue("trust_device") == "on",
	})
	if err != nil {
		a.pendingFail(w, r, withQuery(back, "challenge", r.FormValue("challenge"), "method", r.FormValue("method")), err)
		return
	}
	a.loginResult(w, r, res, r.FormValue("next"))
}

// pendingFail answers a failed second step; once the pending login is gone
// the visitor starts again at the login page.
func (a *app) pendingFail(w http.ResponseWriter, r *http.Request, back string, err error) {
	if errors.Is(err, protection.ErrLoginInvalid) {
		http.SetCookie(w, web.ClearCookie(web.DefaultPendingCookie))
		back = "/login"
	}
	a.fail(w, r, back, err)
}

func (a *app) logout(w http.ResponseWriter, r *http.Request) {
	if s, ok := web.SessionFrom(r.Context()); ok {
		if err := a.svc.Protection.EndSession(r.Context(), s.AccountID, s.ID); err != nil {
			a.fail(w, r, "/account", err)
			return
		}
	}
	http.SetCookie(w, web.ClearCookie(web.DefaultSessionCookie))
	a.done(w, r, "/login", "flash.signed_out")
}

type providerData struct {
	Method   account.Method
	Intent   string
	Subject  string
	Accounts []string
}

// providerPage is the simulated third-party sign-in (WeChat, QQ, WeChat
// Official Account): the visitor names the identity the provider would have
// authenticated.
func (a *app) providerPage(w http.ResponseWriter, r *http.Request) {
	m, err := account.ParseMethod(r.PathValue("method"))
	if err != nil || m == account.MethodEmail || m == account.MethodWeCom {
		a.render(w, r, "notfound", http.StatusNotFound, nil)
		return
	}
	intent := r.URL.Query().Get("intent")
	if intent != "bind" && intent != "change" {
		intent = "login"
	}
	subject := cookie(r, providerCookie+string(m))
	if subject == "" {
		subject = string(m) + "-user-1"
	}
	a.render(w, r, "provider", http.StatusOK, providerData{Method: m, Intent: intent, Subject: subject})
}

// provider is the host's OAuth callback: the provider authenticated the
// subject, and the console binds it or logs in with it.
func (a *app) provider(w http.ResponseWriter, r *http.Request) {
	m, err := account.ParseMethod(r.PathValue("method"))
	if err != nil || m == account.MethodEmail {
		a.fail(w, r, "/login", err)
		return
	}
	subject := strings.TrimSpace(r.FormValue("subject"))
	if subject == "" || len(subject) > 64 {
		a.fail(w, r, "/provider/"+string(m), reason.New(reason.InputEmpty).With("field", "subject"))
		return
	}
	http.SetCookie(w, &http.Cookie{Name: providerCookie + string(m), Value: subject, Path: "/", MaxAge: 3600, HttpOnly: true, SameSite: http.SameSiteLaxMode})
	ctx := r.Context()
	switch r.FormValue("intent") {
	case "bind", "change":
		s, ok := web.SessionFrom(ctx)
		if !ok {
			a.fail(w, r, "/login", protection.ErrSessionInvalid)
			return
		}
		op := protection.OpBindLoginMethod
		if r.FormValue("intent") == "change" {
			op = protection.OpChangeLoginMethod
		}
		p, err := a.svc.Protection.Authorize(ctx, s, op)
		if err != nil {
			a.fail(w, r, "/account", err)
			return
		}
		b := account.Binding{Method: m, Identifier: subject}
		if op == protection.OpBindLoginMethod {
			_, err = a.svc.Accounts.BindLoginMethod(ctx, p, s.AccountID, b)
		} else {
			_, err = a.svc.Accounts.ChangeLoginMethod(ctx, p, s.AccountID, b)
		}
		if err != nil {
			a.fail(w, r, "/account", err)
			return
		}
		a.done(w, r, "/account", "flash.method_bound")
	default:
		id := r.FormValue("account_id")
		if id == "" {
			list, err := a.svc.Accounts.AccountsByLogin(ctx, m, subject)
			if err != nil {
				a.fail(w, r, "/login", err)
				return
			}
			switch len(list) {
			case 0:
				a.done(w, r, "/login", "flash.no_bound_account")
				return
			case 1:
				id = list[0].ID
			default:
				d := providerData{Method: m, Intent: "login", Subject: subject}
				for _, x := range list {
					d.Accounts = append(d.Accounts, x.ID)
				}
				a.render(w, r, "provider", http.StatusOK, d)
				return
			}
		}
		res, err := a.svc.Protection.LoginWith(ctx, protection.ThirdPartyLogin{
			AccountID: id, Method: string(m), ClientIP: web.ClientIP(r),
			DeviceToken: cookie(r, web.DefaultDeviceCookie), DeviceName: deviceName(r),
		})
		if err != nil {
			a.fail(w, r, "/login", err)
			return
		}
		a.loginResult(w, r, res, "/account")
	}
}

func (a *app) resetPage(w http.ResponseWriter, r *http.Request) {
	a.render(w, r, "reset", http.StatusOK, a.svc.Resets != nil)
}

func (a *app) resetRequest(w http.ResponseWriter, r *http.Request) {
	if err := a.svc.Resets.Request(r.Context(), strings.TrimSpace(r.FormValue("email")), web.ClientIP(r)); err != nil {
		a.fail(w, r, "/reset", err)
		return
	}
	a.done(w, r, "/reset", "flash.reset_sent")
}

type resetData struct {
	Token     string
	Methods   []vocab.VerifyMethod
	Challenge string
	Method    string
	SentTo    string
	Verified  bool
	Err       string
	ExpiresAt string
}

// resetLinkPage is where the reset email's link leads: the link is looked
// up, then the identity verification bound to it, then the new password.
func (a *app) resetLinkPage(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	d := resetData{Token: q.Get("token"), Challenge: q.Get("challenge"), Method: q.Get("method"), SentTo: q.Get("sent_to"), Verified: q.Get("verified") == "1"}
	p, err := a.svc.Resets.Lookup(r.Context(), d.Token)
	if err != nil {
		d.Err = a.problem(r, err).Detail
		a.render(w, r, "reset_link", http.StatusOK, d)
		return
	}
	d.ExpiresAt = web.FormatTime(p.ExpiresAt, web.Language(r), nil)
	if o, err := a.svc.Protection.Options(r.Context(), p.AccountID, recovery.PurposeResetPassword); err != nil {
		d.Err = a.problem(r, err).Detail
	} else {
		d.Methods = o.Methods()
	}
	a.render(w, r, "reset_link", http.StatusOK, d)
}

func (a *app) resetVerifyStart(w http.ResponseWriter, r *http.Request) {
	token := r.FormValue("token")
	back := withQuery("/reset/link", "token", token)
	p, err := a.svc.Resets.Lookup(r.Context(), token)
	if err != nil {
		a.fail(w, r, back, err)
		return
	}
	c, err := a.svc.Protection.StartVerification(r.Context(), protection.StartRequest{
		AccountID: p.AccountID, Binding: p.Binding, Purpose: recovery.PurposeResetPassword,
		Method: vocab.VerifyMethod(r.FormValue("method")), ClientIP: web.ClientIP(r),
	})
	if err != nil {
		a.fail(w, r, back, err)
		return
	}
	redirect(w, r, withQuery(back, "challenge", c.ID, "method", string(c.Method), "sent_to", c.SentTo))
}

func (a *app) resetVerifyAnswer(w http.ResponseWriter, r *http.Request) {
	token := r.FormValue("token")
	back := withQuery("/reset/link", "token", token)
	p, err := a.svc.Resets.Lookup(r.Context(), token)
	if err != nil {
		a.fail(w, r, back, err)
		return
	}
	if _, err := a.svc.Protection.AnswerVerification(r.Context(), protection.AnswerRequest{
		AccountID: p.AccountID, Binding: p.Binding, Purpose: recovery.PurposeResetPassword,
		Challenge: r.FormValue("challenge"), Answer: strings.TrimSpace(r.FormValue("answer")),
	}); err != nil {
		a.fail(w, r, withQuery(back, "challenge", r.FormValue("challenge"), "method", r.FormValue("method")), err)
		return
	}
	a.done(w, r, withQuery(back, "verified", "1"), "flash.verified_reset")
}

func (a *app) resetComplete(w http.ResponseWriter, r *http.Request) {
	token := r.FormValue("token")
	done, err := a.svc.Resets.Complete(r.Context(), recovery.Completion{Token: token, New: r.FormValue("new"), Confirm: r.FormValue("confirm")})
	if err != nil {
		a.fail(w, r, withQuery("/reset/link", "token", token, "verified", "1"), err)
		return
	}
	http.SetCookie(w, web.ClearCookie(web.DefaultSessionCookie))
	if !done.LockedUntil.IsZero() {
		a.done(w, r, "/login", "flash.reset_done_locked", web.FormatTime(done.LockedUntil, web.Language(r), nil))
		return
	}
	a.done(w, r, "/login", "flash.reset_done")
}

func cookie(r *http.Request, name string) string {
	if c, err := r.Cookie(name); err == nil {
		return c.Value
	}
	return ""
}
