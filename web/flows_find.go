package web

import (
	"net/http"
	"time"

	"github.com/accountsec/accountsec/account"
	"github.com/accountsec/accountsec/protection"
	"github.com/accountsec/accountsec/reason"
	"github.com/accountsec/accountsec/recovery"
)

// flowRoutes are the endpoints of the longer flows (the tables of the
// package doc): finding an account, the enterprise recovery, the login
// appeal, cancellation and the WeCom sub-users; the review only when the
// host set Options.ReviewAuth.
func (h *Handler) flowRoutes() []Route {
	f := func(fn http.HandlerFunc) http.Handler { return fn }
	rs := []Route{
		{"POST /find-account/phone", f(h.FindByPhone)},
		{"POST /find-account/start", f(h.StartFind)},
		{"POST /find-account/personal", f(h.StartPersonalFind)},
		{"POST /find-account/verify-phone", f(h.VerifyFindPhone)},
		{"POST /find-account/face", f(h.StartFindFace)},
		{"POST /find-account/face/result", f(h.FindFaceResult)},

		{"POST /enterprise-recovery", f(h.StartEnterpriseRecovery)},
		{"POST /enterprise-recovery/legal-person", f(h.EnterpriseLegalPerson)},
		{"POST /enterprise-recovery/face", f(h.StartEnterpriseFace)},
		{"POST /enterprise-recovery/face/result", f(h.EnterpriseFaceResult)},
		{"POST /enterprise-recovery/contact/code", f(h.SendEnterpriseContactCode)},
		{"POST /enterprise-recovery/submit", f(h.SubmitEnterpriseRecovery)},
		{"POST /enterprise-recovery/result/code", f(h.SendEnterpriseQueryCode)},
		{"POST /enterprise-recovery/result", f(h.EnterpriseRecoveryResult)},
		{"POST /enterprise-recovery/login-email/code", f(h.SendEnterpriseLoginEmailCode)},
		{"POST /enterprise-recovery/login-email", f(h.AddEnterpriseLoginEmail)},
		{"POST /enterprise-recovery/security-phone/code", f(h.SendEnterpriseSecurityPhoneCode)},
		{"POST /enterprise-recovery/security-phone", f(h.SwitchEnterpriseToSMS)},

		{"POST /appeals/contact/code", f(h.SendAppealContactCode)},
		{"POST /appeals", f(h.StartAppeal)},
		{"POST /appeals/status", f(h.AppealStatus)},
		{"POST /appeals/login-email/code", f(h.SendAppealEmailCode)},
		{"POST /appeals/login-email", f(h.SetAppealLoginEmail)},
		{"POST /appeals/security-phone/code", f(h.SendAppealPhoneCode)},
		{"POST /appeals/security-phone", f(h.SetAppealSecurityPhone)},
		{"POST /appeals/security-phone/skip", f(h.SkipAppealSecurityPhone)},
		{"POST /appeals/face", f(h.StartAppealFace)},
		{"POST /appeals/face/result", f(h.AppealFaceResult)},

		{"GET /cancellation/conditions", f(h.CancellationConditions)},
		{"GET /cancellation", f(h.CancellationStatus)},
		{"POST /cancellation", f(h.ApplyCancellation)},
		{"POST /cancellation/check", f(h.CheckCancellation)},
		{"POST /cancellation/abandon", f(h.AbandonResources)},
		{"POST /cancellation/identity/start", f(h.StartCancellationIdentity)},
		{"POST /cancellation/identity/finish", f(h.FinishCancellationIdentity)},
		{"POST /cancellation/revoke", f(h.RevokeCancellation)},

		{"POST /subusers/apply", f(h.ApplySubUser)},
		{"GET /subusers/enterprise", f(h.SubUserEnterprise)},
		{"PUT /subusers/scope", f(h.SetSubUserScope)},
		{"POST /subusers/links", f(h.CreateSubUserLink)},
		{"GET /subusers/applications", f(h.PendingSubUsers)},
		{"POST /subusers/applications/{id}/approve", f(h.ApproveSubUser)},
		{"POST /subusers/applications/{id}/reject", f(h.RejectSubUser)},
	}
	if h.env.opts.ReviewAuth != nil {
		rs = append(rs,
			Route{"GET /review/pending", f(h.PendingReview)},
			Route{"POST /review/decide", f(h.DecideReview)},
			Route{"POST /review/cancellation", f(h.DecideCancellation)},
		)
	}
	return rs
}

// unavailable answers the feature.unavailable problem (501) of a feature
// the host did not wire.
func unavailable(w http.ResponseWriter, r *http.Request, feature, needs string) {
	Error(w, r, reason.Unavailable(feature, needs))
}

// The answers of finding an account. They are built from the library's
// answers alone, which are the same for a known and an unknown identifier;
// nothing here looks at the account.

type findStartedView struct {
	Token     string    `json:"token"`
	ExpiresAt time.Time `json:"expires_at"`
	Methods   []string  `json:"methods"`
	Face      *faceView `json:"face,omitempty"`
}

type faceView struct {
	URL       string     `json:"url"`
	ExpiresAt *time.Time `json:"expires_at,omitempty"`
}

type findSentView struct {
	Way recovery.Way `json:"way"`
	To  string       `json:"to"`
}

type foundAccountView struct {
	AccountID          string         `json:"account_id"`
	RegistrationMethod account.Method `json:"registration_method"`
	RealName           *struct {
		Name     string `json:"name"`
		IDNumber string `json:"id_number"`
	} `json:"real_name,omitempty"`
}

type findResultView struct {
	Status   string             `json:"status"`
	Accounts []foundAccountView `json:"accounts,omitempty"`
}

func viewFindStarted(s recovery.FindStarted) findStartedView {
	v := findStartedView{Token: s.Token, ExpiresAt: s.ExpiresAt, Methods: s.Methods}
	if v.Methods == nil {
		v.Methods = []string{}
	}
	if s.Face != nil {
		exp := s.Face.ExpiresAt
		v.Face = &faceView{URL: s.Face.URL, ExpiresAt: &exp}
	}
	return v
}

// FindByPhone serves POST /find-account/phone {phone}: the accounts whose
// security phone it is go to it by SMS. The answer (202 {way, to}, the
// phone masked) is the same whether it is the security phone of several
// accounts, of one or of none.
func (h *Handler) FindByPhone(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Phone string `json:"phone"`
	}
	if !decode(w, r, &in) {
		return
	}
	sent, err := h.svc.Find.FindByPhone(r.Context(), in.Phone, ClientIP(r))
	if err != nil {
		Error(w, r, err)
		return
	}
	JSON(w, http.StatusAccepted, findSentView{Way: sent.Way, To: sent.To})
}

// StartFind serves POST /find-account/start {way, value}: a multi-step way
// (domain, icp, cloud_server_ip, lightweight_server_ip, account_id) for
// the identifier typed. The answer, 200 {token, expires_at, methods}, is
// the same for every identifier that passes validation; the token goes
// into the next steps' bodies.
func (h *Handler) StartFind(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Way   recovery.Way `json:"way"`
		Value string       `json:"value"`
	}
	if !decode(w, r, &in) {
		return
	}
	s, err := h.svc.Find.Start(r.Context(), in.Way, in.Value, ClientIP(r))
	reply(w, r, http.StatusOK, s, err, viewFindStarted)
}

// StartPersonalFind serves POST /find-account/personal {name, id_number}:
// the personal-information way, whose face check of that person starts at
// once. The answer, 200 {token, expires_at, methods, face: {url,
// expires_at}}, is the same whether the identity verifies accounts or
// none.
func (h *Handler) StartPersonalFind(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Name     string `json:"name"`
		IDNumber string `json:"id_number"`
	}
	if !decode(w, r, &in) {
		return
	}
	s, err := h.svc.Find.StartPersonal(r.Context(), in.Name, in.IDNumber, ClientIP(r))
	reply(w, r, http.StatusOK, s, err, viewFindStarted)
}

// VerifyFindPhone serves POST /find-account/verify-phone {token, phone}:
// when phone is the security phone of the account the session's
// identifier names, the account ID goes to it by SMS. The answer (202
// {way, to}) is the same whether it matched or not; the session is used
// up either way.
func (h *Handler) VerifyFindPhone(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Token string `json:"token"`
		Phone string `json:"phone"`
	}
	if !decode(w, r, &in) {
		return
	}
	sent, err := h.svc.Find.VerifyPhone(r.Context(), in.Token, in.Phone, ClientIP(r))
	if err != nil {
		Error(w, r, err)
		return
	}
	JSON(w, http.StatusAccepted, findSentView{Way: sent.Way, To: sent.To})
}

// StartFindFace serves POST /find-account/face {token}: the face check of
// the real-name person of the account the session's identifier names,
// started alike when it names none. 200 {url, expires_at}.
func (h *Handler) StartFindFace(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Token string `json:"token"`
	}
	if !decode(w, r, &in) {
		return
	}
	fc, err := h.svc.Find.StartFace(r.Context(), in.Token)
	if err != nil {
		Error(w, r, err)
		return
	}
	exp := fc.ExpiresAt
	JSON(w, http.StatusOK, faceView{URL: fc.URL, ExpiresAt: &exp})
}

// FindFaceResult serves POST /find-account/face/result {token}: 200
// {status: "pending"} while the user has not finished the face check (ask
// again), then {status: "rejected"} or {status: "matched", accounts:
// [{account_id, registration_method, real_name}]} (accounts left out when
// none was found), real-name data masked.
func (h *Handler) FindFaceResult(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Token string `json:"token"`
	}
	if !decode(w, r, &in) {
		return
	}
	res, err := h.svc.Find.FaceResult(r.Context(), in.Token)
	if err != nil {
		Error(w, r, err)
		return
	}
	out := findResultView{Status: res.Status}
	for _, a := range res.Accounts {
		v := foundAccountView{AccountID: a.AccountID, RegistrationMethod: a.RegistrationMethod}
		if a.RealName != nil {
			v.RealName = &struct {
				Name     string `json:"name"`
				IDNumber string `json:"id_number"`
			}{a.RealName.Name, a.RealName.IDNumber}
		}
		out.Accounts = append(out.Accounts, v)
	}
	JSON(w, http.StatusOK, out)
}

// viewHostFace is the part of a host's face challenge the user needs: the
// page to open. The ticket stays with the flow.
func viewHostFace(ch protection.HostChallenge) faceView {
	return faceView{URL: ch.URL}
}
