package web

import (
	"net/http"
	"time"

	"github.com/accountsec/accountsec/account"
	"github.com/accountsec/accountsec/lifecycle"
	"github.com/accountsec/accountsec/reason"
)

// The answers of account cancellation.

type cancellationView struct {
	AccountID       string                 `json:"account_id"`
	Status          lifecycle.Status       `json:"status"`
	AppliedAt       time.Time              `json:"applied_at"`
	Confirmed       []lifecycle.Condition  `json:"confirmed"`
	Reasons         []lifecycle.Reason     `json:"reasons"`
	OtherReason     string                 `json:"other_reason,omitempty"`
	Remark          string                 `json:"remark,omitempty"`
	Abandoned       []string               `json:"abandoned"`
	Restricted      bool                   `json:"restricted"`
	CoolingOffUntil *time.Time             `json:"cooling_off_until,omitempty"`
	RealName        account.RealNameStatus `json:"real_name,omitempty"`
	FaceStarted     bool                   `json:"face_started"`
	ReviewDeadline  *time.Time             `json:"review_deadline,omitempty"`
	ReviewNote      string                 `json:"review_note,omitempty"`
	EndedAt         *time.Time             `json:"ended_at,omitempty"`
}

func optTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

func viewCancellation(c lifecycle.Cancellation) cancellationView {
	return cancellationView{
		AccountID: c.AccountID, Status: c.Status, AppliedAt: c.AppliedAt, Confirmed: nonNil(c.Confirmed),
		Reasons: nonNil(c.Reasons), OtherReason: c.OtherReason, Remark: c.Remark, Abandoned: nonNil(c.Abandoned),
		Restricted: c.Restricted, CoolingOffUntil: optTime(c.CoolingOffUntil), RealName: c.RealName,
		FaceStarted: c.FaceStarted, ReviewDeadline: optTime(c.ReviewDeadline), ReviewNote: c.ReviewNote,
		EndedAt: optTime(c.EndedAt),
	}
}

type resourceView struct {
	ID          string `json:"id"`
	Kind        string `json:"kind,omitempty"`
	Name        string `json:"name,omitempty"`
	Abandonable bool   `json:"abandonable"`
}

func viewResources(rs []lifecycle.Resource) []resourceView {
	out := make([]resourceView, 0, len(rs))
	for _, r := range rs {
		out = append(out, resourceView{ID: r.ID, Kind: r.Kind, Name: r.Name, Abandonable: r.Abandonable})
	}
	return out
}

type checkReportView struct {
	Cancellation      cancellationView `json:"cancellation"`
	MustHandle        []resourceView   `json:"must_handle"`
	NotAbandoned      []resourceView   `json:"not_abandoned"`
	UnsettledPostpaid bool             `json:"unsettled_postpaid"`
	Advanced          bool             `json:"advanced"`
}

type identityCheckView struct {
	Cancellation cancellationView `json:"cancellation"`
	Face         bool             `json:"face"`
	URL          string           `json:"url,omitempty"`
}

// cancellation returns the cancellation flow and the request's session,
// answering feature.unavailable when the host wired no resource checker
// and 401 without a session.
func (h *Handler) cancellation(w http.ResponseWriter, r *http.Request) (*lifecycle.Manager, string, bool) {
	if h.svc.Cancellation == nil {
		unavailable(w, r, "account cancellation", "accountsec.Deps.Resources")
		return nil, "", false
	}
	s, ok := session(w, r)
	if !ok {
		return nil, "", false
	}
	return h.svc.Cancellation, s.AccountID, true
}

// CancellationConditions serves GET /cancellation/conditions: 200
// {conditions, reasons}, the conditions to confirm (the console's and the
// host's own) and the reasons to pick from.
func (h *Handler) CancellationConditions(w http.ResponseWriter, r *http.Request) {
	if h.svc.Cancellation == nil {
		unavailable(w, r, "account cancellation", "accountsec.Deps.Resources")
		return
	}
	JSON(w, http.StatusOK, struct {
		Conditions []lifecycle.Condition `json:"conditions"`
		Reasons    []lifecycle.Reason    `json:"reasons"`
	}{nonNil(h.svc.Cancellation.ConditionsInForce()), lifecycle.Reasons()})
}

// CancellationStatus serves GET /cancellation (session): 200 cancellation,
// or 404 cancellation.not_found when the account never applied.
func (h *Handler) CancellationStatus(w http.ResponseWriter, r *http.Request) {
	m, id, ok := h.cancellation(w, r)
	if !ok {
		return
	}
	c, found, err := m.Status(r.Context(), id)
	switch {
	case err != nil:
		Error(w, r, err)
	case !found:
		Error(w, r, reason.New(reason.CancellationNotFound))
	default:
		JSON(w, http.StatusOK, viewCancellation(c))
	}
}

// ApplyCancellation serves POST /cancellation {confirmed, reasons,
// other_reason, remark} (step-up apply_cancellation, which always verifies
// identity): the application to cancel the session's account. 201
// cancellation, status checking.
func (h *Handler) ApplyCancellation(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Confirmed   []lifecycle.Condition `json:"confirmed"`
		Reasons     []lifecycle.Reason    `json:"reasons"`
		OtherReason string                `json:"other_reason"`
		Remark      string                `json:"remark"`
	}
	if !decode(w, r, &in) {
		return
	}
	if _, _, ok := h.cancellation(w, r); !ok {
		return
	}
	s, _ := SessionFrom(r.Context())
	c, err := h.svc.ApplyCancellation(r.Context(), s, lifecycle.Application{
		Confirmed: in.Confirmed, Reasons: in.Reasons, OtherReason: in.OtherReason, Remark: in.Remark,
	})
	if err != nil {
		Error(w, r, err)
		return
	}
	JSON(w, http.StatusCreated, viewCancellation(c))
}

// CheckCancellation serves POST /cancellation/check (session): the host's
// resource check, which moves the application on when nothing remains.
// 200 {cancellation, must_handle, not_abandoned, unsettled_postpaid,
// advanced}.
func (h *Handler) CheckCancellation(w http.ResponseWriter, r *http.Request) {
	m, id, ok := h.cancellation(w, r)
	if !ok {
		return
	}
	rep, err := m.Check(r.Context(), id)
	if err != nil {
		Error(w, r, err)
		return
	}
	JSON(w, http.StatusOK, checkReportView{
		Cancellation: viewCancellation(rep.Cancellation), MustHandle: viewResources(rep.MustHandle),
		NotAbandoned: viewResources(rep.NotAbandoned), UnsettledPostpaid: rep.UnsettledPostpaid, Advanced: rep.Advanced,
	})
}

// AbandonResources serves POST /cancellation/abandon {resources: [id]}
// (session): the abandonable resources the user explicitly gives up. 200
// cancellation; run the check again next.
func (h *Handler) AbandonResources(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Resources []string `json:"resources"`
	}
	if !decode(w, r, &in) {
		return
	}
	m, id, ok := h.cancellation(w, r)
	if !ok {
		return
	}
	c, err := m.Abandon(r.Context(), id, in.Resources)
	reply(w, r, http.StatusOK, c, err, viewCancellation)
}

// StartCancellationIdentity serves POST /cancellation/identity/start
// (session): the identity check by real-name type. 200 {cancellation,
// face, url}: with face, open url and then finish; without, an unverified
// account is cancelled at once.
func (h *Handler) StartCancellationIdentity(w http.ResponseWriter, r *http.Request) {
	m, id, ok := h.cancellation(w, r)
	if !ok {
		return
	}
	ic, err := m.StartIdentityCheck(r.Context(), id)
	if err != nil {
		Error(w, r, err)
		return
	}
	JSON(w, http.StatusOK, identityCheckView{Cancellation: viewCancellation(ic.Cancellation), Face: ic.Face, URL: ic.Challenge.URL})
}

// FinishCancellationIdentity serves POST /cancellation/identity/finish
// (session): the face check's result. 200 cancellation: completed
// (personal account) or review (enterprise account); 409
// protection.not_confirmed while the check is not finished, 401
// protection.rejected when it did not match.
func (h *Handler) FinishCancellationIdentity(w http.ResponseWriter, r *http.Request) {
	m, id, ok := h.cancellation(w, r)
	if !ok {
		return
	}
	c, err := m.FinishIdentityCheck(r.Context(), id)
	reply(w, r, http.StatusOK, c, err, viewCancellation)
}

// RevokeCancellation serves POST /cancellation/revoke (session): the
// application ends before completion and the account is active again. 200
// cancellation, status revoked; 409 cancellation.irreversible once it is
// completing.
func (h *Handler) RevokeCancellation(w http.ResponseWriter, r *http.Request) {
	m, id, ok := h.cancellation(w, r)
	if !ok {
		return
	}
	c, err := m.Revoke(r.Context(), id)
	reply(w, r, http.StatusOK, c, err, viewCancellation)
}

// DecideCancellation serves POST /review/cancellation {account_id,
// approve, note} (Options.ReviewAuth, whose reviewer is recorded): the
// manual review of an enterprise account's cancellation. 200 cancellation:
// completed when approved, rejected otherwise.
func (h *Handler) DecideCancellation(w http.ResponseWriter, r *http.Request) {
	var in struct {
		AccountID string `json:"account_id"`
		Approve   bool   `json:"approve"`
		Note      string `json:"note"`
	}
	if !decode(w, r, &in) {
		return
	}
	who, ok := h.reviewer(w, r)
	if !ok {
		return
	}
	m := h.svc.Cancellation
	if m == nil {
		unavailable(w, r, "account cancellation", "accountsec.Deps.Resources")
		return
	}
	var (
		c   lifecycle.Cancellation
		err error
	)
	if in.Approve {
		c, err = m.Approve(r.Context(), in.AccountID, who)
	} else {
		c, err = m.Reject(r.Context(), in.AccountID, who, in.Note)
	}
	if err != nil {
		Error(w, r, err)
		return
	}
	JSON(w, http.StatusOK, viewCancellation(c))
}
