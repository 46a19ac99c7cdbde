package web

import (
	"net/http"
	"time"

	"github.com/accountsec/accountsec/account"
	"github.com/accountsec/accountsec/reason"
	"github.com/accountsec/accountsec/recovery"
)

// The answers of the enterprise recovery, the login appeal and their
// review. A flow's reference is delivered once, by the answer to its
// start; later steps name it in their bodies and their answers do not
// repeat it.

type flowView struct {
	Ref       string     `json:"ref,omitempty"`
	Step      string     `json:"step"`
	ExpiresAt *time.Time `json:"expires_at,omitempty"`
	Note      string     `json:"note,omitempty"`
}

// viewFlow shows a flow's state; withRef only for the answer to its start.
func viewFlow(st recovery.FlowState, withRef bool) flowView {
	v := flowView{Step: st.Step}
	if withRef {
		v.Ref = st.Ref
	}
	if !st.ExpiresAt.IsZero() {
		exp := st.ExpiresAt
		v.ExpiresAt = &exp
	}
	return v
}

// flowStep is viewFlow without the reference.
func flowStep(st recovery.FlowState) flowView { return viewFlow(st, false) }

type recoveredAccountView struct {
	AccountID    string           `json:"account_id"`
	LoginMethods []account.Method `json:"login_methods"`
	LoginEmail   string           `json:"login_email,omitempty"`
	Enterprise   string           `json:"enterprise"`
	CreditCode   string           `json:"credit_code"`
	LegalPerson  string           `json:"legal_person"`
}

type enterpriseResultView struct {
	Status         string                 `json:"status"`
	Note           string                 `json:"note,omitempty"`
	Accounts       []recoveredAccountView `json:"accounts,omitempty"`
	Grant          string                 `json:"grant,omitempty"`
	GrantExpiresAt *time.Time             `json:"grant_expires_at,omitempty"`
}

type queryCodeView struct {
	QueryCode string     `json:"query_code"`
	Step      string     `json:"step"`
	ExpiresAt *time.Time `json:"expires_at,omitempty"`
}

type reviewItemView struct {
	ID            string    `json:"id"`
	Kind          string    `json:"kind"`
	SubmittedAt   time.Time `json:"submitted_at"`
	ExpiresAt     time.Time `json:"expires_at"`
	Reason        string    `json:"reason"`
	Company       string    `json:"company,omitempty"`
	CreditCode    string    `json:"credit_code,omitempty"`
	LegalPerson   string    `json:"legal_person,omitempty"`
	Matches       []string  `json:"matches,omitempty"`
	AccountID     string    `json:"account_id,omitempty"`
	LoginEmail    string    `json:"login_email,omitempty"`
	SecurityPhone string    `json:"security_phone,omitempty"`
	ContactPhone  string    `json:"contact_phone,omitempty"`
	Manual        bool      `json:"manual"`
	ManualReason  string    `json:"manual_reason,omitempty"`
}

func viewReviewItem(it recovery.ReviewItem) reviewItemView {
	return reviewItemView{
		ID: it.ID, Kind: it.Kind, SubmittedAt: it.SubmittedAt, ExpiresAt: it.ExpiresAt, Reason: it.Reason,
		Company: it.Company, CreditCode: it.CreditCode, LegalPerson: it.LegalPerson, Matches: it.Matches,
		AccountID: it.AccountID, LoginEmail: it.LoginEmail, SecurityPhone: it.SecurityPhone,
		ContactPhone: it.ContactPhone, Manual: it.Manual, ManualReason: it.ManualReason,
	}
}

// enterprise returns the enterprise recovery, answering feature.unavailable
// without it.
func (h *Handler) enterprise(w http.ResponseWriter, r *http.Request) (*recovery.Enterprise, bool) {
	if h.svc.Enterprise == nil {
		unavailable(w, r, "the enterprise recovery", "accountsec.New")
		return nil, false
	}
	return h.svc.Enterprise, true
}

// appeals returns the login appeal, answering feature.unavailable without
// it.
func (h *Handler) appeals(w http.ResponseWriter, r *http.Request) (*recovery.Appeals, bool) {
	if h.svc.Appeals == nil {
		unavailable(w, r, "the login appeal", "accountsec.New")
		return nil, false
	}
	return h.svc.Appeals, true
}

// refIn is the body of a step that names only its flow.
type refIn struct {
	Ref string `json:"ref"`
}

// StartEnterpriseRecovery serves POST /enterprise-recovery {company,
// credit_code, reason}: 201 {ref, step, expires_at}, the same for every
// company. Keep ref for the next steps.
func (h *Handler) StartEnterpriseRecovery(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Company    string `json:"company"`
		CreditCode string `json:"credit_code"`
		Reason     string `json:"reason"`
	}
	if !decode(w, r, &in) {
		return
	}
	ent, ok := h.enterprise(w, r)
	if !ok {
		return
	}
	st, err := ent.Start(r.Context(), recovery.EnterpriseStart{Company: in.Company, CreditCode: in.CreditCode, Reason: in.Reason})
	if err != nil {
		Error(w, r, err)
		return
	}
	JSON(w, http.StatusCreated, viewFlow(st, true))
}

// EnterpriseLegalPerson serves POST /enterprise-recovery/legal-person {ref,
// name, id_number}: the legal person as registered. 200 {step, expires_at},
// the same whether or not they match.
func (h *Handler) EnterpriseLegalPerson(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Ref      string `json:"ref"`
		Name     string `json:"name"`
		IDNumber string `json:"id_number"`
	}
	if !decode(w, r, &in) {
		return
	}
	ent, ok := h.enterprise(w, r)
	if !ok {
		return
	}
	st, err := ent.LegalPerson(r.Context(), in.Ref, in.Name, in.IDNumber)
	reply(w, r, http.StatusOK, st, err, flowStep)
}

// StartEnterpriseFace serves POST /enterprise-recovery/face {ref}: the
// legal person's face check. 200 {url}.
func (h *Handler) StartEnterpriseFace(w http.ResponseWriter, r *http.Request) {
	var in refIn
	if !decode(w, r, &in) {
		return
	}
	ent, ok := h.enterprise(w, r)
	if !ok {
		return
	}
	ch, err := ent.StartFace(r.Context(), in.Ref)
	reply(w, r, http.StatusOK, ch, err, viewHostFace)
}

// EnterpriseFaceResult serves POST /enterprise-recovery/face/result {ref}:
// 200 {step, expires_at} once the face matched; 409 recovery.face_pending
// while it is not finished, 401 recovery.face_rejected when it did not
// match.
func (h *Handler) EnterpriseFaceResult(w http.ResponseWriter, r *http.Request) {
	var in refIn
	if !decode(w, r, &in) {
		return
	}
	ent, ok := h.enterprise(w, r)
	if !ok {
		return
	}
	st, err := ent.FaceResult(r.Context(), in.Ref)
	reply(w, r, http.StatusOK, st, err, flowStep)
}

// SendEnterpriseContactCode serves POST /enterprise-recovery/contact/code
// {ref, phone}: the SMS code of the contact phone that will get the
// result. 202 {expires_at}.
func (h *Handler) SendEnterpriseContactCode(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Ref   string `json:"ref"`
		Phone string `json:"phone"`
	}
	if !decode(w, r, &in) {
		return
	}
	ent, ok := h.enterprise(w, r)
	if !ok {
		return
	}
	st, err := ent.SendContactCode(r.Context(), in.Ref, in.Phone, ClientIP(r))
	sent(w, r, st.ExpiresAt, "", err)
}

// SubmitEnterpriseRecovery serves POST /enterprise-recovery/submit {ref,
// phone, code}: the recovery goes to review. 200 {query_code, step}: the
// query code, shown once, looks the result up later with the same phone.
func (h *Handler) SubmitEnterpriseRecovery(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Ref   string `json:"ref"`
		Phone string `json:"phone"`
		Code  string `json:"code"`
	}
	if !decode(w, r, &in) {
		return
	}
	ent, ok := h.enterprise(w, r)
	if !ok {
		return
	}
	q, err := ent.Submit(r.Context(), in.Ref, in.Phone, in.Code)
	if err != nil {
		Error(w, r, err)
		return
	}
	JSON(w, http.StatusOK, queryCodeView{QueryCode: q, Step: recovery.StepSubmitted})
}

// SendEnterpriseQueryCode serves POST /enterprise-recovery/result/code
// {query_code, phone}: an SMS code for looking the result up, sent alike
// whether or not the pair names a recovery. 202 {expires_at}.
func (h *Handler) SendEnterpriseQueryCode(w http.ResponseWriter, r *http.Request) {
	var in struct {
		QueryCode string `json:"query_code"`
		Phone     string `json:"phone"`
	}
	if !decode(w, r, &in) {
		return
	}
	ent, ok := h.enterprise(w, r)
	if !ok {
		return
	}
	st, err := ent.SendQueryCode(r.Context(), in.QueryCode, in.Phone, ClientIP(r))
	sent(w, r, st.ExpiresAt, "", err)
}

// EnterpriseRecoveryResult serves POST /enterprise-recovery/result
// {query_code, phone, code}: 200 {status, note, accounts, grant,
// grant_expires_at}. An approved result lists the recovered accounts
// (masked) and, at its first look-up only, the grant that opens the
// 24-hour allowances (login-email and security-phone below).
func (h *Handler) EnterpriseRecoveryResult(w http.ResponseWriter, r *http.Request) {
	var in struct {
		QueryCode string `json:"query_code"`
		Phone     string `json:"phone"`
		Code      string `json:"code"`
	}
	if !decode(w, r, &in) {
		return
	}
	ent, ok := h.enterprise(w, r)
	if !ok {
		return
	}
	res, err := ent.Result(r.Context(), recovery.EnterpriseQuery{QueryCode: in.QueryCode, Phone: in.Phone, Code: in.Code})
	if err != nil {
		Error(w, r, err)
		return
	}
	out := enterpriseResultView{Status: res.Status, Note: res.Note, Grant: res.Grant}
	if res.Grant != "" {
		exp := res.GrantExpiresAt
		out.GrantExpiresAt = &exp
	}
	for _, a := range res.Accounts {
		methods := a.LoginMethods
		if methods == nil {
			methods = []account.Method{}
		}
		out.Accounts = append(out.Accounts, recoveredAccountView{
			AccountID: a.AccountID, LoginMethods: methods, LoginEmail: a.LoginEmail,
			Enterprise: a.Enterprise, CreditCode: a.CreditCode, LegalPerson: a.LegalPerson,
		})
	}
	JSON(w, http.StatusOK, out)
}

// SendEnterpriseLoginEmailCode serves POST
// /enterprise-recovery/login-email/code {grant, account_id, email}: the
// code of the login-email allowance to the new address. 202 {expires_at}.
func (h *Handler) SendEnterpriseLoginEmailCode(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Grant     string `json:"grant"`
		AccountID string `json:"account_id"`
		Email     string `json:"email"`
	}
	if !decode(w, r, &in) {
		return
	}
	ent, ok := h.enterprise(w, r)
	if !ok {
		return
	}
	st, err := ent.SendLoginEmailCode(r.Context(), in.Grant, in.AccountID, in.Email, ClientIP(r))
	sent(w, r, st.ExpiresAt, "", err)
}

// AddEnterpriseLoginEmail serves POST /enterprise-recovery/login-email
// {grant, account_id, email, password, confirm, code}: the login-email
// allowance (once, within 24 hours of the grant): the email login method
// with the new password; every session of the account ends. 200 account.
func (h *Handler) AddEnterpriseLoginEmail(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Grant     string `json:"grant"`
		AccountID string `json:"account_id"`
		Email     string `json:"email"`
		Password  string `json:"password"`
		Confirm   string `json:"confirm"`
		Code      string `json:"code"`
	}
	if !decode(w, r, &in) {
		return
	}
	ent, ok := h.enterprise(w, r)
	if !ok {
		return
	}
	a, err := ent.AddLoginEmail(r.Context(), recovery.LoginEmailAllowance{
		Grant: in.Grant, AccountID: in.AccountID, Email: in.Email, Password: in.Password, Confirm: in.Confirm, Code: in.Code,
	})
	if err != nil {
		Error(w, r, err)
		return
	}
	JSON(w, http.StatusOK, viewAccount(a))
}

// SendEnterpriseSecurityPhoneCode serves POST
// /enterprise-recovery/security-phone/code {grant, account_id, phone}: the
// SMS code of the SMS-protection allowance to the new security phone. 202
// {expires_at}.
func (h *Handler) SendEnterpriseSecurityPhoneCode(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Grant     string `json:"grant"`
		AccountID string `json:"account_id"`
		Phone     string `json:"phone"`
	}
	if !decode(w, r, &in) {
		return
	}
	ent, ok := h.enterprise(w, r)
	if !ok {
		return
	}
	st, err := ent.SendSecurityPhoneCode(r.Context(), in.Grant, in.AccountID, in.Phone, ClientIP(r))
	sent(w, r, st.ExpiresAt, "", err)
}

// SwitchEnterpriseToSMS serves POST /enterprise-recovery/security-phone
// {grant, account_id, phone, code}: the SMS-protection allowance (once,
// within 24 hours of the grant): the new security phone, login and
// operation protection by SMS; every session of the account ends. 200
// account.
func (h *Handler) SwitchEnterpriseToSMS(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Grant     string `json:"grant"`
		AccountID string `json:"account_id"`
		Phone     string `json:"phone"`
		Code      string `json:"code"`
	}
	if !decode(w, r, &in) {
		return
	}
	ent, ok := h.enterprise(w, r)
	if !ok {
		return
	}
	a, err := ent.SwitchToSMS(r.Context(), recovery.SMSAllowance{Grant: in.Grant, AccountID: in.AccountID, Phone: in.Phone, Code: in.Code})
	h.accountResult(w, r, a, err)
}

// SendAppealContactCode serves POST /appeals/contact/code {phone}: the SMS
// code of the contact phone that gets the appeal's result. 202
// {expires_at}.
func (h *Handler) SendAppealContactCode(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Phone string `json:"phone"`
	}
	if !decode(w, r, &in) {
		return
	}
	ap, ok := h.appeals(w, r)
	if !ok {
		return
	}
	st, err := ap.SendContactCode(r.Context(), in.Phone, ClientIP(r))
	sent(w, r, st.ExpiresAt, "", err)
}

// StartAppeal serves POST /appeals {account, name, id_number, reason,
// contact_phone, code}: step 1 of the login appeal of a personally
// verified account (account is its ID or login email). 201 {ref, step,
// expires_at}; keep ref for the next steps.
func (h *Handler) StartAppeal(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Account      string `json:"account"`
		Name         string `json:"name"`
		IDNumber     string `json:"id_number"`
		Reason       string `json:"reason"`
		ContactPhone string `json:"contact_phone"`
		Code         string `json:"code"`
	}
	if !decode(w, r, &in) {
		return
	}
	ap, ok := h.appeals(w, r)
	if !ok {
		return
	}
	st, err := ap.Start(r.Context(), recovery.AppealStart{
		Account: in.Account, Name: in.Name, IDNumber: in.IDNumber, Reason: in.Reason,
		ContactPhone: in.ContactPhone, Code: in.Code,
	})
	if err != nil {
		Error(w, r, err)
		return
	}
	JSON(w, http.StatusCreated, viewFlow(st, true))
}

// AppealStatus serves POST /appeals/status {ref}: where the appeal stands.
// 200 {step, expires_at, note}: the next step, or submitted, approved,
// rejected with the reviewer's note. (POST keeps the reference out of
// URLs and logs.)
func (h *Handler) AppealStatus(w http.ResponseWriter, r *http.Request) {
	var in refIn
	if !decode(w, r, &in) {
		return
	}
	ap, ok := h.appeals(w, r)
	if !ok {
		return
	}
	st, note, err := ap.Status(r.Context(), in.Ref)
	if err != nil {
		Error(w, r, err)
		return
	}
	v := viewFlow(st, false)
	v.Note = note
	JSON(w, http.StatusOK, v)
}

// SendAppealEmailCode serves POST /appeals/login-email/code {ref, email}:
// the code of step 2 to the new login email. 202 {expires_at}.
func (h *Handler) SendAppealEmailCode(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Ref   string `json:"ref"`
		Email string `json:"email"`
	}
	if !decode(w, r, &in) {
		return
	}
	ap, ok := h.appeals(w, r)
	if !ok {
		return
	}
	st, err := ap.SendEmailCode(r.Context(), in.Ref, in.Email, ClientIP(r))
	sent(w, r, st.ExpiresAt, "", err)
}

// SetAppealLoginEmail serves POST /appeals/login-email {ref, email,
// password, confirm, code}: step 2, the new login email and password
// (applied only on approval). 200 {step, expires_at}.
func (h *Handler) SetAppealLoginEmail(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Ref      string `json:"ref"`
		Email    string `json:"email"`
		Password string `json:"password"`
		Confirm  string `json:"confirm"`
		Code     string `json:"code"`
	}
	if !decode(w, r, &in) {
		return
	}
	ap, ok := h.appeals(w, r)
	if !ok {
		return
	}
	st, err := ap.SetLoginEmail(r.Context(), in.Ref, recovery.AppealLoginEmail{Email: in.Email, Password: in.Password, Confirm: in.Confirm, Code: in.Code})
	reply(w, r, http.StatusOK, st, err, flowStep)
}

// SendAppealPhoneCode serves POST /appeals/security-phone/code {ref,
// phone}: the SMS code of step 3 to the new security phone. 202
// {expires_at}.
func (h *Handler) SendAppealPhoneCode(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Ref   string `json:"ref"`
		Phone string `json:"phone"`
	}
	if !decode(w, r, &in) {
		return
	}
	ap, ok := h.appeals(w, r)
	if !ok {
		return
	}
	st, err := ap.SendPhoneCode(r.Context(), in.Ref, in.Phone, ClientIP(r))
	sent(w, r, st.ExpiresAt, "", err)
}

// SetAppealSecurityPhone serves POST /appeals/security-phone {ref, phone,
// code}: step 3 with a new security phone (login and operation protection
// by SMS on approval). 200 {step, expires_at}.
func (h *Handler) SetAppealSecurityPhone(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Ref   string `json:"ref"`
		Phone string `json:"phone"`
		Code  string `json:"code"`
	}
	if !decode(w, r, &in) {
		return
	}
	ap, ok := h.appeals(w, r)
	if !ok {
		return
	}
	st, err := ap.SetSecurityPhone(r.Context(), in.Ref, in.Phone, in.Code)
	reply(w, r, http.StatusOK, st, err, flowStep)
}

// SkipAppealSecurityPhone serves POST /appeals/security-phone/skip {ref}:
// step 3 without a new phone. 200 {step, expires_at}.
func (h *Handler) SkipAppealSecurityPhone(w http.ResponseWriter, r *http.Request) {
	var in refIn
	if !decode(w, r, &in) {
		return
	}
	ap, ok := h.appeals(w, r)
	if !ok {
		return
	}
	st, err := ap.SkipSecurityPhone(r.Context(), in.Ref)
	reply(w, r, http.StatusOK, st, err, flowStep)
}

// StartAppealFace serves POST /appeals/face {ref}: step 4, the face check
// of the account's real-name person. 200 {url}.
func (h *Handler) StartAppealFace(w http.ResponseWriter, r *http.Request) {
	var in refIn
	if !decode(w, r, &in) {
		return
	}
	ap, ok := h.appeals(w, r)
	if !ok {
		return
	}
	ch, err := ap.StartFace(r.Context(), in.Ref)
	reply(w, r, http.StatusOK, ch, err, viewHostFace)
}

// AppealFaceResult serves POST /appeals/face/result {ref}: once the face
// matched, the appeal is submitted for review (or approved at once under
// FlowPolicy.AutoApprove). 200 {step, expires_at}; 409
// recovery.face_pending while the check is not finished, 401
// recovery.face_rejected when it did not match.
func (h *Handler) AppealFaceResult(w http.ResponseWriter, r *http.Request) {
	var in refIn
	if !decode(w, r, &in) {
		return
	}
	ap, ok := h.appeals(w, r)
	if !ok {
		return
	}
	st, err := ap.FaceResult(r.Context(), in.Ref)
	reply(w, r, http.StatusOK, st, err, flowStep)
}

// reviewer returns the person deciding, from Options.ReviewAuth, answering
// 403 web.not_authorized when the hook refuses the request or is not set.
func (h *Handler) reviewer(w http.ResponseWriter, r *http.Request) (string, bool) {
	if h.env.opts.ReviewAuth != nil {
		if who, ok := h.env.opts.ReviewAuth(r); ok && who != "" {
			return who, true
		}
	}
	Error(w, r, reason.New(CodeNotAuthorized))
	return "", false
}

// PendingReview serves GET /review/pending (Options.ReviewAuth): the
// enterprise recoveries and appeals waiting for a person, oldest first.
// 200 [item].
func (h *Handler) PendingReview(w http.ResponseWriter, r *http.Request) {
	if _, ok := h.reviewer(w, r); !ok {
		return
	}
	if h.svc.Review == nil {
		unavailable(w, r, "the review", "accountsec.New")
		return
	}
	items, err := h.svc.Review.Pending(r.Context())
	if err != nil {
		Error(w, r, err)
		return
	}
	out := make([]reviewItemView, 0, len(items))
	for _, it := range items {
		out = append(out, viewReviewItem(it))
	}
	JSON(w, http.StatusOK, out)
}

// DecideReview serves POST /review/decide {id, approve, note, remove_mfa}
// (Options.ReviewAuth, whose reviewer is recorded): the decision on one
// pending item, applied at once. 200 item (as it was).
func (h *Handler) DecideReview(w http.ResponseWriter, r *http.Request) {
	var in struct {
		ID        string `json:"id"`
		Approve   bool   `json:"approve"`
		Note      string `json:"note"`
		RemoveMFA bool   `json:"remove_mfa"`
	}
	if !decode(w, r, &in) {
		return
	}
	who, ok := h.reviewer(w, r)
	if !ok {
		return
	}
	if h.svc.Review == nil {
		unavailable(w, r, "the review", "accountsec.New")
		return
	}
	it, err := h.svc.Review.Decide(r.Context(), recovery.Decision{ID: in.ID, Reviewer: who, Approve: in.Approve, Note: in.Note, RemoveMFA: in.RemoveMFA})
	reply(w, r, http.StatusOK, it, err, viewReviewItem)
}
