package web

import (
	"net/http"
	"time"
	"unicode/utf8"

	"github.com/accountsec/accountsec/account"
	"github.com/accountsec/accountsec/mfa"
	"github.com/accountsec/accountsec/protection"
	"github.com/accountsec/accountsec/reason"
	"github.com/accountsec/accountsec/recovery"
	"github.com/accountsec/accountsec/vocab"
)

// routes are the built-in endpoints (the table of the package doc).
func (h *Handler) routes() []Route {
	f := func(fn http.HandlerFunc) http.Handler { return fn }
	return []Route{
		{"POST /register/code", f(h.SendRegistrationCode)},
		{"POST /register", f(h.Register)},
		{"POST /login", f(h.Login)},
		{"POST /login/challenge", f(h.StartLoginChallenge)},
		{"POST /login/complete", f(h.CompleteLogin)},
		{"POST /logout", f(h.Logout)},
		{"POST /password/reset/request", f(h.RequestReset)},
		{"POST /password/reset/lookup", f(h.LookupReset)},
		{"POST /password/reset/verification/start", f(h.StartResetVerification)},
		{"POST /password/reset/verification/answer", f(h.AnswerResetVerification)},
		{"POST /password/reset/complete", f(h.CompleteReset)},
		{"POST /password/change", f(h.ChangePassword)},
		{"GET /me", f(h.Me)},
		{"GET /verification/options", f(h.VerificationOptions)},
		{"POST /verification/start", f(h.StartVerification)},
		{"POST /verification/answer", f(h.AnswerVerification)},
		{"GET /sessions", f(h.ListSessions)},
		{"DELETE /sessions/{id}", f(h.EndSession)},
		{"POST /sessions/sign-out-all", f(h.SignOutAll)},
		{"GET /trusted-devices", f(h.ListTrustedDevices)},
		{"DELETE /trusted-devices/{id}", f(h.RevokeTrustedDevice)},
		{"DELETE /trusted-devices", f(h.RevokeTrustedDevices)},
		{"GET /protection", f(h.ProtectionSettings)},
		{"PATCH /protection", f(h.ChangeProtection)},
		{"GET /mfa", f(h.MFAStatus)},
		{"POST /mfa/enrol", f(h.EnrolMFA)},
		{"POST /mfa/confirm", f(h.ConfirmMFA)},
		{"POST /mfa/unbind", f(h.UnbindMFA)},
		{"POST /mfa/backup-codes", f(h.RegenerateBackupCodes)},
		{"POST /contacts/security-phone/code", f(h.SendSecurityPhoneCode)},
		{"POST /contacts/security-phone", f(h.ChangeSecurityPhone)},
		{"POST /contacts/security-email/code", f(h.SendSecurityEmailCode)},
		{"POST /contacts/security-email", f(h.ChangeSecurityEmail)},
		{"POST /contacts/contact-phone", f(h.ChangeContactPhone)},
		{"POST /contacts/contact-phone/confirm", f(h.ConfirmContactPhone)},
		{"POST /contacts/contact-email", f(h.ChangeContactEmail)},
		{"POST /contacts/contact-email/confirm", f(h.ConfirmContactEmail)},
		{"POST /login-methods/email/code", f(h.SendLoginEmailCode)},
		{"POST /login-methods", f(h.BindLoginMethod)},
		{"PUT /login-methods/{method}", f(h.ChangeLoginMethod)},
		{"DELETE /login-methods/{method}", f(h.UnbindLoginMethod)},
	}
}

// decode reads the body into v, answering the error itself.
func decode(w http.ResponseWriter, r *http.Request, v any) bool {
	if err := Decode(w, r, v); err != nil {
		Error(w, r, err)
		return false
	}
	return true
}

// session returns the request's session, answering 401 without one.
func session(w http.ResponseWriter, r *http.Request) (protection.Session, bool) {
	s, ok := SessionFrom(r.Context())
	if !ok {
		Error(w, r, protection.ErrSessionInvalid)
	}
	return s, ok
}

// authorize returns the proof of operation for the request's session: the
// one RequireOperation put in the context, or a fresh one from Authorize.
// It answers the error itself (401, or 403 with the methods).
func (h *Handler) authorize(w http.ResponseWriter, r *http.Request, operation string) (protection.Session, vocab.Proof, bool) {
	s, ok := session(w, r)
	if !ok {
		return s, vocab.Proof{}, false
	}
	if p, ok := ProofFrom(r.Context()); ok && p.Valid(s.AccountID, operation, h.env.now()) {
		return s, p, true
	}
	p, err := h.svc.Protection.Authorize(r.Context(), s, operation)
	if err != nil {
		Error(w, r, err)
		return s, p, false
	}
	return s, p, true
}

func (h *Handler) deviceName(r *http.Request) string {
	if h.env.opts.DeviceName != nil {
		return h.env.opts.DeviceName(r)
	}
	ua := r.UserAgent()
	if len(ua) > 128 {
		ua = ua[:128]
		for !utf8.ValidString(ua) {
			ua = ua[:len(ua)-1]
		}
	}
	return ua
}

func (h *Handler) cookie(r *http.Request, name string) string {
	if c, err := r.Cookie(name); err == nil {
		return c.Value
	}
	return ""
}

func noContent(w http.ResponseWriter) {
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusNoContent)
}

// SendRegistrationCode serves POST /register/code {email}: it sends the
// registration code to the address.
func (h *Handler) SendRegistrationCode(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Email string `json:"email"`
	}
	if !decode(w, r, &in) {
		return
	}
	st, err := h.svc.Accounts.SendRegistrationCode(r.Context(), in.Email, ClientIP(r))
	sent(w, r, st.ExpiresAt, "", err)
}

// Register serves POST /register {email, password, code, nickname,
// industry}: an email registration with the code from /register/code.
func (h *Handler) Register(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Email    string `json:"email"`
		Password string `json:"password"`
		Code     string `json:"code"`
		Nickname string `json:"nickname"`
		Industry string `json:"industry"`
	}
	if !decode(w, r, &in) {
		return
	}
	a, err := h.svc.Accounts.Register(r.Context(), account.Registration{
		Method: account.MethodEmail, Identifier: in.Email, Password: in.Password, Code: in.Code,
		Nickname: in.Nickname, Industry: in.Industry,
	})
	if err != nil {
		Error(w, r, err)
		return
	}
	JSON(w, http.StatusCreated, viewAccount(a))
}

// Login serves POST /login {login, password}: the first step of a password
// login. Either the session cookie is set (status "signed_in"), or the
// pending-login cookie is set and the answer names the methods of the second
// step (status "verification_required").
func (h *Handler) Login(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Login    string `json:"login"`
		Password string `json:"password"`
	}
	if !decode(w, r, &in) {
		return
	}
	res, err := h.svc.Protection.Login(r.Context(), protection.LoginRequest{
		Login: in.Login, Password: in.Password, ClientIP: ClientIP(r),
		DeviceToken: h.cookie(r, h.env.cookies.Device), DeviceName: h.deviceName(r),
	})
	if err != nil {
		Error(w, r, err)
		return
	}
	h.loginResult(w, r, res)
}

// loginResult sets the cookies of a login step and answers it.
func (h *Handler) loginResult(w http.ResponseWriter, r *http.Request, res protection.LoginResult) {
	now := h.env.now()
	if res.Pending != nil {
		p := res.Pending
		http.SetCookie(w, NewCookie(h.env.cookies.Pending, p.Token, p.ExpiresAt, now))
		exp := p.ExpiresAt
		JSON(w, http.StatusOK, loginView{
			Status: "verification_required", AccountID: p.AccountID, SecondFactor: p.SecondFactor,
			UnusualLocation: p.UnusualLocation, Methods: []vocab.VerifyMethod{p.Options.Preferred},
			Alternatives: p.Options.Alternatives, ExpiresAt: &exp,
		})
		return
	}
	if res.Session == nil {
		Error(w, r, protection.ErrLoginInvalid)
		return
	}
	s := *res.Session
	http.SetCookie(w, NewCookie(h.env.cookies.Session, res.Token, s.ExpiresAt, now))
	if res.DeviceToken != "" {
		http.SetCookie(w, NewCookie(h.env.cookies.Device, res.DeviceToken, now.Add(h.svc.Protection.Policy().TrustedDeviceTTL), now))
	}
	if _, err := r.Cookie(h.env.cookies.Pending); err == nil {
		http.SetCookie(w, ClearCookie(h.env.cookies.Pending))
	}
	sv := viewSession(s, s.ID)
	JSON(w, http.StatusOK, loginView{Status: "signed_in", AccountID: s.AccountID, Session: &sv})
}

// pending returns the pending-login token, answering 401 without one.
func (h *Handler) pending(w http.ResponseWriter, r *http.Request) (string, bool) {
	t := h.cookie(r, h.env.cookies.Pending)
	if t == "" {
		Error(w, r, protection.ErrLoginInvalid)
	}
	return t, t != ""
}

// StartLoginChallenge serves POST /login/challenge {method}: it starts the
// second step of the pending login (sends the SMS code, …); an empty method
// means the preferred one.
func (h *Handler) StartLoginChallenge(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Method vocab.VerifyMethod `json:"method"`
	}
	if !decode(w, r, &in) {
		return
	}
	token, ok := h.pending(w, r)
	if !ok {
		return
	}
	c, err := h.svc.Protection.StartLoginChallenge(r.Context(), token, in.Method, ClientIP(r))
	if err != nil {
		h.pendingError(w, r, err)
		return
	}
	JSON(w, http.StatusOK, viewChallenge(c))
}

// CompleteLogin serves POST /login/complete {challenge, answer,
// trust_device}: the answer to the second step. On success the session
// cookie is set (and the trusted-device cookie when asked for).
func (h *Handler) CompleteLogin(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Challenge   string `json:"challenge"`
		Answer      string `json:"answer"`
		TrustDevice bool   `json:"trust_device"`
	}
	if !decode(w, r, &in) {
		return
	}
	token, ok := h.pending(w, r)
	if !ok {
		return
	}
	res, err := h.svc.Protection.CompleteLogin(r.Context(), protection.CompleteRequest{
		PendingToken: token, Challenge: in.Challenge, Answer: in.Answer, TrustDevice: in.TrustDevice,
	})
	if err != nil {
		h.pendingError(w, r, err)
		return
	}
	h.loginResult(w, r, res)
}

// pendingError answers err of a second step, clearing the pending-login
// cookie once the pending login is gone.
func (h *Handler) pendingError(w http.ResponseWriter, r *http.Request, err error) {
	if reason.CodeOf(err) == reason.ProtectionLoginInvalid {
		http.SetCookie(w, ClearCookie(h.env.cookies.Pending))
	}
	Error(w, r, err)
}

// Logout serves POST /logout: it ends the request's session, if any, and
// clears the session cookie.
func (h *Handler) Logout(w http.ResponseWriter, r *http.Request) {
	if s, ok := SessionFrom(r.Context()); ok {
		if err := h.svc.Protection.EndSession(r.Context(), s.AccountID, s.ID); err != nil {
			Error(w, r, err)
			return
		}
	}
	http.SetCookie(w, ClearCookie(h.env.cookies.Session))
	noContent(w)
}

// Me serves GET /me: the signed-in account, addresses masked.
func (h *Handler) Me(w http.ResponseWriter, r *http.Request) {
	s, ok := session(w, r)
	if !ok {
		return
	}
	a, err := h.svc.Accounts.Account(r.Context(), s.AccountID)
	h.accountResult(w, r, a, err)
}

// VerificationOptions serves GET /verification/options?purpose=…: the
// methods the account can verify with for the purpose.
func (h *Handler) VerificationOptions(w http.ResponseWriter, r *http.Request) {
	s, ok := session(w, r)
	if !ok {
		return
	}
	o, err := h.svc.Protection.Options(r.Context(), s.AccountID, r.URL.Query().Get("purpose"))
	reply(w, r, http.StatusOK, o, err, viewOptions)
}

// StartVerification serves POST /verification/start {purpose, method}: it
// starts a step-up verification of the session for the purpose (an
// operation, as a 403 problem names it).
func (h *Handler) StartVerification(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Purpose string             `json:"purpose"`
		Method  vocab.VerifyMethod `json:"method"`
	}
	if !decode(w, r, &in) {
		return
	}
	s, ok := session(w, r)
	if !ok {
		return
	}
	c, err := h.svc.Protection.StartVerification(r.Context(), protection.StartRequest{
		AccountID: s.AccountID, Binding: s.Binding(), Purpose: in.Purpose, Method: in.Method, ClientIP: ClientIP(r),
	})
	if err != nil {
		Error(w, r, err)
		return
	}
	JSON(w, http.StatusOK, viewChallenge(c))
}

// AnswerVerification serves POST /verification/answer {purpose, challenge,
// answer}: on success the session holds a step-up until expires_at.
func (h *Handler) AnswerVerification(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Purpose   string `json:"purpose"`
		Challenge string `json:"challenge"`
		Answer    string `json:"answer"`
	}
	if !decode(w, r, &in) {
		return
	}
	s, ok := session(w, r)
	if !ok {
		return
	}
	v, err := h.svc.Protection.AnswerVerification(r.Context(), protection.AnswerRequest{
		AccountID: s.AccountID, Binding: s.Binding(), Purpose: in.Purpose, Challenge: in.Challenge, Answer: in.Answer,
	})
	if err != nil {
		Error(w, r, err)
		return
	}
	JSON(w, http.StatusOK, verifiedView{Purpose: v.Purpose, Method: v.Method, ExpiresAt: v.ExpiresAt})
}

// ListSessions serves GET /sessions: the account's live sessions, the
// request's own marked current.
func (h *Handler) ListSessions(w http.ResponseWriter, r *http.Request) {
	s, ok := session(w, r)
	if !ok {
		return
	}
	list, err := h.svc.Protection.Sessions(r.Context(), s.AccountID)
	if err != nil {
		Error(w, r, err)
		return
	}
	out := make([]sessionView, 0, len(list))
	for _, x := range list {
		out = append(out, viewSession(x, s.ID))
	}
	JSON(w, http.StatusOK, out)
}

// EndSession serves DELETE /sessions/{id}: it ends one of the account's
// sessions (the request's own clears its cookie).
func (h *Handler) EndSession(w http.ResponseWriter, r *http.Request) {
	s, ok := session(w, r)
	if !ok {
		return
	}
	id := r.PathValue("id")
	if err := h.svc.Protection.EndSession(r.Context(), s.AccountID, id); err != nil {
		Error(w, r, err)
		return
	}
	if id == s.ID {
		http.SetCookie(w, ClearCookie(h.env.cookies.Session))
	}
	noContent(w)
}

// SignOutAll serves POST /sessions/sign-out-all: after a step-up, every
// session of the account ends, this one included, and every trusted device
// is revoked.
func (h *Handler) SignOutAll(w http.ResponseWriter, r *http.Request) {
	s, ok := session(w, r)
	if !ok {
		return
	}
	if err := h.svc.Protection.SignOutAll(r.Context(), s); err != nil {
		Error(w, r, err)
		return
	}
	http.SetCookie(w, ClearCookie(h.env.cookies.Session))
	http.SetCookie(w, ClearCookie(h.env.cookies.Device))
	noContent(w)
}

// ListTrustedDevices serves GET /trusted-devices.
func (h *Handler) ListTrustedDevices(w http.ResponseWriter, r *http.Request) {
	s, ok := session(w, r)
	if !ok {
		return
	}
	list, err := h.svc.Protection.TrustedDevices(r.Context(), s.AccountID)
	if err != nil {
		Error(w, r, err)
		return
	}
	out := make([]deviceView, 0, len(list))
	for _, d := range list {
		out = append(out, deviceView{ID: d.ID, Name: d.Name, ClientIP: d.ClientIP, City: d.City, CreatedAt: d.CreatedAt, ExpiresAt: d.ExpiresAt})
	}
	JSON(w, http.StatusOK, out)
}

// RevokeTrustedDevice serves DELETE /trusted-devices/{id}.
func (h *Handler) RevokeTrustedDevice(w http.ResponseWriter, r *http.Request) {
	s, ok := session(w, r)
	if !ok {
		return
	}
	if err := h.svc.Protection.RevokeTrustedDevice(r.Context(), s.AccountID, r.PathValue("id")); err != nil {
		Error(w, r, err)
		return
	}
	noContent(w)
}

// RevokeTrustedDevices serves DELETE /trusted-devices: every trusted device
// of the account.
func (h *Handler) RevokeTrustedDevices(w http.ResponseWriter, r *http.Request) {
	s, ok := session(w, r)
	if !ok {
		return
	}
	if err := h.svc.Protection.RevokeTrustedDevices(r.Context(), s.AccountID); err != nil {
		Error(w, r, err)
		return
	}
	http.SetCookie(w, ClearCookie(h.env.cookies.Device))
	noContent(w)
}

// ProtectionSettings serves GET /protection: the account's protection and
// session settings.
func (h *Handler) ProtectionSettings(w http.ResponseWriter, r *http.Request) {
	s, ok := session(w, r)
	if !ok {
		return
	}
	a, err := h.svc.Accounts.Account(r.Context(), s.AccountID)
	if err != nil {
		Error(w, r, err)
		return
	}
	sec := a.Security
	JSON(w, http.StatusOK, viewSettings(protection.Settings{
		LoginProtection: sec.LoginProtection, TrustDevices: sec.TrustDevices,
		OperationProtection: sec.OperationProtection, RemoteLoginProtection: sec.RemoteLoginProtection,
		RemoteLoginMethod: sec.RemoteLoginMethod, MFABindingMethod: sec.MFABindingMethod,
		SessionMaxLifetime: sec.SessionMaxLifetime, SessionIdleTimeout: sec.SessionIdleTimeout,
	}))
}

// ChangeProtection serves PATCH /protection with any of the fields of GET
// /protection: each kind of change is a sensitive operation, so without a
// step-up it answers 403 with the methods.
func (h *Handler) ChangeProtection(w http.ResponseWriter, r *http.Request) {
	var in struct {
		LoginProtection       *vocab.VerifyMethod `json:"login_protection"`
		TrustDevices          *bool               `json:"trust_devices"`
		OperationProtection   *vocab.VerifyMethod `json:"operation_protection"`
		RemoteLoginProtection *bool               `json:"remote_login_protection"`
		RemoteLoginMethod     *vocab.VerifyMethod `json:"remote_login_method"`
		MFABindingMethod      *vocab.VerifyMethod `json:"mfa_binding_method"`
		SessionMaxLifetimeMin *int64              `json:"session_max_lifetime_minutes"`
		SessionIdleTimeoutMin *int64              `json:"session_idle_timeout_minutes"`
	}
	if !decode(w, r, &in) {
		return
	}
	s, ok := session(w, r)
	if !ok {
		return
	}
	minutes := func(m *int64) *time.Duration {
		if m == nil {
			return nil
		}
		d := time.Duration(min(max(*m, -1), 1<<20)) * time.Minute
		return &d
	}
	st, err := h.svc.Protection.ChangeSettings(r.Context(), s, protection.SettingsChange{
		LoginProtection: in.LoginProtection, TrustDevices: in.TrustDevices,
		OperationProtection: in.OperationProtection, RemoteLoginProtection: in.RemoteLoginProtection,
		RemoteLoginMethod: in.RemoteLoginMethod, MFABindingMethod: in.MFABindingMethod,
		SessionMaxLifetime: minutes(in.SessionMaxLifetimeMin), SessionIdleTimeout: minutes(in.SessionIdleTimeoutMin),
	})
	if err != nil {
		Error(w, r, err)
		return
	}
	JSON(w, http.StatusOK, viewSettings(st))
}

// MFAStatus serves GET /mfa: the bound device, if any, and how many backup
// codes are left.
func (h *Handler) MFAStatus(w http.ResponseWriter, r *http.Request) {
	s, ok := session(w, r)
	if !ok {
		return
	}
	d, found, err := h.svc.MFA.Device(r.Context(), s.AccountID)
	if err != nil {
		Error(w, r, err)
		return
	}
	out := mfaStatusView{Bound: found}
	if found {
		out.Device = viewDevice(d)
		if out.BackupCodesLeft, err = h.svc.MFA.BackupCodesLeft(r.Context(), s.AccountID); err != nil {
			Error(w, r, err)
			return
		}
	}
	JSON(w, http.StatusOK, out)
}

// EnrolMFA serves POST /mfa/enrol {label}: after a step-up (bind_mfa), the
// secret of a new virtual device as an otpauth URI, a text key and a QR PNG
// (base64), shown once. The device stays inactive until /mfa/confirm.
func (h *Handler) EnrolMFA(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Label string `json:"label"`
	}
	if !decode(w, r, &in) {
		return
	}
	s, ok := session(w, r)
	if !ok {
		return
	}
	if in.Label == "" {
		in.Label = s.AccountID
	}
	e, err := h.svc.EnrolMFA(r.Context(), s, in.Label)
	if err != nil {
		Error(w, r, err)
		return
	}
	JSON(w, http.StatusOK, enrolmentView{
		DeviceID: e.DeviceID, Issuer: e.Issuer, Label: e.Label, URI: e.URI(), Key: e.Key(), QRPNG: e.QRCode(),
		Digits: e.Digits, PeriodSec: int64(e.Period / time.Second), ExpiresAt: e.ExpiresAt,
	})
}

// ConfirmMFA serves POST /mfa/confirm {device_id, code, login_protection,
// operation_protection}: the first code activates the device, MFA is turned
// on where asked, and the account's other sessions end.
func (h *Handler) ConfirmMFA(w http.ResponseWriter, r *http.Request) {
	var in struct {
		DeviceID  string `json:"device_id"`
		Code      string `json:"code"`
		Login     bool   `json:"login_protection"`
		Operation bool   `json:"operation_protection"`
	}
	if !decode(w, r, &in) {
		return
	}
	s, ok := session(w, r)
	if !ok {
		return
	}
	d, err := h.svc.EnableMFA(r.Context(), s, in.DeviceID, in.Code, mfa.Usage{Login: in.Login, Operation: in.Operation})
	reply(w, r, http.StatusOK, d, err, viewDevice)
}

// UnbindMFA serves POST /mfa/unbind {code}: after a step-up (unbind_mfa)
// and with a current code, the device goes, the protections stop using it
// and the account's other sessions end.
func (h *Handler) UnbindMFA(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Code string `json:"code"`
	}
	if !decode(w, r, &in) {
		return
	}
	s, ok := session(w, r)
	if !ok {
		return
	}
	rep, err := h.svc.UnbindMFA(r.Context(), s, in.Code)
	if err != nil {
		Error(w, r, err)
		return
	}
	JSON(w, http.StatusOK, unbindView{Device: viewDevice(rep.Device), LoginProtection: rep.Fallback.Login, OperationProtection: rep.Fallback.Operation})
}

// RegenerateBackupCodes serves POST /mfa/backup-codes: after a step-up
// (bind_mfa), a new set of backup codes, shown once; the old ones stop
// working.
func (h *Handler) RegenerateBackupCodes(w http.ResponseWriter, r *http.Request) {
	s, p, ok := h.authorize(w, r, protection.OpBindMFA)
	if !ok {
		return
	}
	codes, err := h.svc.MFA.RegenerateBackupCodes(r.Context(), p, s.AccountID)
	if err != nil {
		Error(w, r, err)
		return
	}
	JSON(w, http.StatusOK, backupCodesView{Codes: codes.Codes(), GeneratedAt: codes.GeneratedAt})
}

// ChangePassword serves POST /password/change {old, new, confirm}: after a
// step-up (change_password); the account's other sessions end.
func (h *Handler) ChangePassword(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Old     string `json:"old"`
		New     string `json:"new"`
		Confirm string `json:"confirm"`
	}
	if !decode(w, r, &in) {
		return
	}
	s, ok := session(w, r)
	if !ok {
		return
	}
	if err := h.svc.ChangePassword(r.Context(), s, account.PasswordChange{Old: in.Old, New: in.New, Confirm: in.Confirm}); err != nil {
		Error(w, r, err)
		return
	}
	noContent(w)
}

// resets returns the reset service, answering 404 when the host wired no
// email sender.
func (h *Handler) resets(w http.ResponseWriter, r *http.Request) (*recovery.Resets, bool) {
	if h.svc.Resets == nil {
		Error(w, r, reason.New(CodeNotFound))
		return nil, false
	}
	return h.svc.Resets, true
}

// RequestReset serves POST /password/reset/request {email}: a reset link
// goes to the address; the answer (202) is the same for an unknown one.
func (h *Handler) RequestReset(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Email string `json:"email"`
	}
	if !decode(w, r, &in) {
		return
	}
	rs, ok := h.resets(w, r)
	if !ok {
		return
	}
	if err := rs.Request(r.Context(), in.Email, ClientIP(r)); err != nil {
		Error(w, r, err)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusAccepted)
}

// lookupReset decodes the reset token of the body into in and looks it up.
func (h *Handler) lookupReset(w http.ResponseWriter, r *http.Request, token string) (recovery.PendingReset, bool) {
	rs, ok := h.resets(w, r)
	if !ok {
		return recovery.PendingReset{}, false
	}
	p, err := rs.Lookup(r.Context(), token)
	if err != nil {
		Error(w, r, err)
		return p, false
	}
	return p, true
}

// LookupReset serves POST /password/reset/lookup {token}: whether the link
// is valid and which methods verify the reset (403 protection.no_method when
// none can: the mailbox never verifies its own reset).
func (h *Handler) LookupReset(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Token string `json:"token"`
	}
	if !decode(w, r, &in) {
		return
	}
	p, ok := h.lookupReset(w, r, in.Token)
	if !ok {
		return
	}
	o, err := h.svc.Protection.Options(r.Context(), p.AccountID, recovery.PurposeResetPassword)
	if err != nil {
		Error(w, r, err)
		return
	}
	v := viewOptions(o)
	v.ExpiresAt = &p.ExpiresAt
	JSON(w, http.StatusOK, v)
}

// StartResetVerification serves POST /password/reset/verification/start
// {token, method}: the identity verification of the reset.
func (h *Handler) StartResetVerification(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Token  string             `json:"token"`
		Method vocab.VerifyMethod `json:"method"`
	}
	if !decode(w, r, &in) {
		return
	}
	p, ok := h.lookupReset(w, r, in.Token)
	if !ok {
		return
	}
	c, err := h.svc.Protection.StartVerification(r.Context(), protection.StartRequest{
		AccountID: p.AccountID, Binding: p.Binding, Purpose: recovery.PurposeResetPassword, Method: in.Method, ClientIP: ClientIP(r),
	})
	if err != nil {
		Error(w, r, err)
		return
	}
	JSON(w, http.StatusOK, viewChallenge(c))
}

// AnswerResetVerification serves POST /password/reset/verification/answer
// {token, challenge, answer}.
func (h *Handler) AnswerResetVerification(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Token     string `json:"token"`
		Challenge string `json:"challenge"`
		Answer    string `json:"answer"`
	}
	if !decode(w, r, &in) {
		return
	}
	p, ok := h.lookupReset(w, r, in.Token)
	if !ok {
		return
	}
	v, err := h.svc.Protection.AnswerVerification(r.Context(), protection.AnswerRequest{
		AccountID: p.AccountID, Binding: p.Binding, Purpose: recovery.PurposeResetPassword, Challenge: in.Challenge, Answer: in.Answer,
	})
	if err != nil {
		Error(w, r, err)
		return
	}
	JSON(w, http.StatusOK, verifiedView{Purpose: v.Purpose, Method: v.Method, ExpiresAt: v.ExpiresAt})
}

// CompleteReset serves POST /password/reset/complete {token, new, confirm}:
// the new password, after the reset's identity verification; every session
// of the account ends.
func (h *Handler) CompleteReset(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Token   string `json:"token"`
		New     string `json:"new"`
		Confirm string `json:"confirm"`
	}
	if !decode(w, r, &in) {
		return
	}
	rs, ok := h.resets(w, r)
	if !ok {
		return
	}
	if _, err := rs.Complete(r.Context(), recovery.Completion{Token: in.Token, New: in.New, Confirm: in.Confirm}); err != nil {
		Error(w, r, err)
		return
	}
	noContent(w)
}

// sent answers a code that was sent.
func sent(w http.ResponseWriter, r *http.Request, expires time.Time, to string, err error) {
	reply(w, r, http.StatusAccepted, sentView{ExpiresAt: expires, SentTo: to}, err, same)
}

// reply answers a flow call that returned v and err: err as a problem, or
// status with view(v), which is built only when the call succeeded.
func reply[T, V any](w http.ResponseWriter, r *http.Request, status int, v T, err error, view func(T) V) {
	if err != nil {
		Error(w, r, err)
		return
	}
	JSON(w, status, view(v))
}

// same is the view of a value that is its own view.
func same[T any](v T) T { return v }

// SendSecurityPhoneCode serves POST /contacts/security-phone/code {phone}:
// after a step-up (change_security_phone), the code goes to the new phone.
func (h *Handler) SendSecurityPhoneCode(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Phone string `json:"phone"`
	}
	if !decode(w, r, &in) {
		return
	}
	s, p, ok := h.authorize(w, r, protection.OpChangeSecurityPhone)
	if !ok {
		return
	}
	st, err := h.svc.Accounts.SendSecurityPhoneCode(r.Context(), p, s.AccountID, in.Phone, ClientIP(r))
	sent(w, r, st.ExpiresAt, "", err)
}

// ChangeSecurityPhone serves POST /contacts/security-phone {phone, code}.
func (h *Handler) ChangeSecurityPhone(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Phone string `json:"phone"`
		Code  string `json:"code"`
	}
	if !decode(w, r, &in) {
		return
	}
	s, p, ok := h.authorize(w, r, protection.OpChangeSecurityPhone)
	if !ok {
		return
	}
	a, err := h.svc.Accounts.ChangeSecurityPhone(r.Context(), p, s.AccountID, in.Phone, in.Code)
	h.accountResult(w, r, a, err)
}

// SendSecurityEmailCode serves POST /contacts/security-email/code {email}:
// after a step-up (change_security_email), the code goes to the new address.
func (h *Handler) SendSecurityEmailCode(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Email string `json:"email"`
	}
	if !decode(w, r, &in) {
		return
	}
	s, p, ok := h.authorize(w, r, protection.OpChangeSecurityEmail)
	if !ok {
		return
	}
	st, err := h.svc.Accounts.SendSecurityEmailCode(r.Context(), p, s.AccountID, in.Email, ClientIP(r))
	sent(w, r, st.ExpiresAt, "", err)
}

// ChangeSecurityEmail serves POST /contacts/security-email {email, code,
// also_contact_email}.
func (h *Handler) ChangeSecurityEmail(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Email   string `json:"email"`
		Code    string `json:"code"`
		Contact bool   `json:"also_contact_email"`
	}
	if !decode(w, r, &in) {
		return
	}
	s, p, ok := h.authorize(w, r, protection.OpChangeSecurityEmail)
	if !ok {
		return
	}
	a, err := h.svc.Accounts.ChangeSecurityEmail(r.Context(), p, s.AccountID, account.SecurityEmailChange{Email: in.Email, Code: in.Code, AlsoContactEmail: in.Contact})
	h.accountResult(w, r, a, err)
}

func (h *Handler) accountResult(w http.ResponseWriter, r *http.Request, a account.Account, err error) {
	reply(w, r, http.StatusOK, a, err, viewAccount)
}

// ChangeContactPhone serves POST /contacts/contact-phone {phone}: the new
// contact phone waits for the code sent to it.
func (h *Handler) ChangeContactPhone(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Phone string `json:"phone"`
	}
	if !decode(w, r, &in) {
		return
	}
	s, ok := session(w, r)
	if !ok {
		return
	}
	st, err := h.svc.Accounts.ChangeContactPhone(r.Context(), s.AccountID, in.Phone, ClientIP(r))
	sent(w, r, st.ExpiresAt, "", err)
}

// ConfirmContactPhone serves POST /contacts/contact-phone/confirm {code}.
func (h *Handler) ConfirmContactPhone(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Code string `json:"code"`
	}
	if !decode(w, r, &in) {
		return
	}
	s, ok := session(w, r)
	if !ok {
		return
	}
	a, err := h.svc.Accounts.ConfirmContactPhone(r.Context(), s.AccountID, in.Code)
	h.accountResult(w, r, a, err)
}

// ChangeContactEmail serves POST /contacts/contact-email {email}.
func (h *Handler) ChangeContactEmail(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Email string `json:"email"`
	}
	if !decode(w, r, &in) {
		return
	}
	s, ok := session(w, r)
	if !ok {
		return
	}
	st, err := h.svc.Accounts.ChangeContactEmail(r.Context(), s.AccountID, in.Email, ClientIP(r))
	sent(w, r, st.ExpiresAt, "", err)
}

// ConfirmContactEmail serves POST /contacts/contact-email/confirm {code}.
func (h *Handler) ConfirmContactEmail(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Code string `json:"code"`
	}
	if !decode(w, r, &in) {
		return
	}
	s, ok := session(w, r)
	if !ok {
		return
	}
	a, err := h.svc.Accounts.ConfirmContactEmail(r.Context(), s.AccountID, in.Code)
	h.accountResult(w, r, a, err)
}

// SendLoginEmailCode serves POST /login-methods/email/code {email}: after a
// step-up (bind_login_method for a first email, change_login_email
// otherwise), the code goes to the new address.
func (h *Handler) SendLoginEmailCode(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Email string `json:"email"`
	}
	if !decode(w, r, &in) {
		return
	}
	s, ok := session(w, r)
	if !ok {
		return
	}
	a, err := h.svc.Accounts.Account(r.Context(), s.AccountID)
	if err != nil {
		Error(w, r, err)
		return
	}
	op := protection.OpBindLoginMethod
	if a.HasLoginMethod(account.MethodEmail) {
		op = protection.OpChangeLoginEmail
	}
	_, p, ok := h.authorize(w, r, op)
	if !ok {
		return
	}
	st, err := h.svc.Accounts.SendLoginEmailCode(r.Context(), p, s.AccountID, in.Email, ClientIP(r))
	sent(w, r, st.ExpiresAt, "", err)
}

// identity returns the identifier to bind for method m: the email of the
// body, or the host's authenticated third-party subject ID.
func (h *Handler) identity(w http.ResponseWriter, r *http.Request, m account.Method, email string) (string, bool) {
	if m == account.MethodEmail {
		return email, true
	}
	if _, err := account.ParseMethod(string(m)); err != nil {
		Error(w, r, err)
		return "", false
	}
	if h.env.opts.ThirdPartyIdentity == nil {
		Error(w, r, reason.New(CodeIdentityUnavailable))
		return "", false
	}
	id, err := h.env.opts.ThirdPartyIdentity(r, m)
	if err != nil {
		Error(w, r, err)
		return "", false
	}
	return id, true
}

// BindLoginMethod serves POST /login-methods {method, email, password,
// code}: after a step-up (bind_login_method). An email needs the code from
// /login-methods/email/code and a new password; a third-party method is
// the identity Options.ThirdPartyIdentity reports.
func (h *Handler) BindLoginMethod(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Method   account.Method `json:"method"`
		Email    string         `json:"email"`
		Password string         `json:"password"`
		Code     string         `json:"code"`
	}
	if !decode(w, r, &in) {
		return
	}
	s, p, ok := h.authorize(w, r, protection.OpBindLoginMethod)
	if !ok {
		return
	}
	id, ok := h.identity(w, r, in.Method, in.Email)
	if !ok {
		return
	}
	a, err := h.svc.Accounts.BindLoginMethod(r.Context(), p, s.AccountID, account.Binding{Method: in.Method, Identifier: id, Password: in.Password, Code: in.Code})
	h.accountResult(w, r, a, err)
}

// ChangeLoginMethod serves PUT /login-methods/{method}: the login email
// ({email, password, code, also_security_email, also_contact_email}, after
// a change_login_email step-up) or a third-party method re-bound to the
// identity Options.ThirdPartyIdentity reports (change_login_method).
func (h *Handler) ChangeLoginMethod(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Email    string `json:"email"`
		Password string `json:"password"`
		Code     string `json:"code"`
		Security bool   `json:"also_security_email"`
		Contact  bool   `json:"also_contact_email"`
	}
	if !decode(w, r, &in) {
		return
	}
	m := account.Method(r.PathValue("method"))
	if m == account.MethodEmail {
		s, p, ok := h.authorize(w, r, protection.OpChangeLoginEmail)
		if !ok {
			return
		}
		a, err := h.svc.Accounts.ChangeLoginEmail(r.Context(), p, s.AccountID, account.LoginEmailChange{
			Email: in.Email, Password: in.Password, Code: in.Code, AlsoSecurityEmail: in.Security, AlsoContactEmail: in.Contact,
		})
		h.accountResult(w, r, a, err)
		return
	}
	s, p, ok := h.authorize(w, r, protection.OpChangeLoginMethod)
	if !ok {
		return
	}
	id, ok := h.identity(w, r, m, "")
	if !ok {
		return
	}
	a, err := h.svc.Accounts.ChangeLoginMethod(r.Context(), p, s.AccountID, account.Binding{Method: m, Identifier: id})
	h.accountResult(w, r, a, err)
}

// UnbindLoginMethod serves DELETE /login-methods/{method}: after a step-up
// (unbind_login_method); refused (409) for the last method, one a
// protection uses, or the registration method without a security phone.
func (h *Handler) UnbindLoginMethod(w http.ResponseWriter, r *http.Request) {
	s, p, ok := h.authorize(w, r, protection.OpUnbindLoginMethod)
	if !ok {
		return
	}
	m, err := account.ParseMethod(r.PathValue("method"))
	if err != nil {
		Error(w, r, err)
		return
	}
	a, err := h.svc.Accounts.UnbindLoginMethod(r.Context(), p, s.AccountID, m)
	h.accountResult(w, r, a, err)
}
