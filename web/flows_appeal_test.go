package web_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/accountsec/accountsec/web"
)

var asReviewer = map[string]string{reviewerHeader: reviewer}

// The enterprise recovery over HTTP: start, legal person, face, contact
// phone and its code, submission for a query code; the back office
// approves it; the query code, the phone and an SMS code show the result
// with the grant, which opens the two 24-hour allowances, each once.
func TestEnterpriseRecoveryOverHTTP(t *testing.T) {
	t.Parallel()
	w := newFlowWorld(t, hookOptions())
	a := w.registerAs(email)
	w.enterprise(a.ID)

	st := w.expect(201, "POST", "/enterprise-recovery", map[string]string{"company": company, "credit_code": creditCode, "reason": "employee_left"})
	ref := st["ref"].(string)
	assert.Equal(t, "legal_person", st["step"])
	// A step out of order names the step that comes.
	p := w.expect(409, "POST", "/enterprise-recovery/face", map[string]string{"ref": ref})
	assert.Equal(t, "recovery.step_order", p["code"])
	st = w.expect(200, "POST", "/enterprise-recovery/legal-person", map[string]string{"ref": ref, "name": legalName, "id_number": legalID})
	assert.Equal(t, "face", st["step"])
	assert.NotContains(t, st, "ref", "the reference is delivered once")
	face := w.expect(200, "POST", "/enterprise-recovery/face", map[string]string{"ref": ref})
	assert.NotEmpty(t, face["url"])
	assert.Equal(t, "recovery.face_pending", w.problemCode(409, "POST", "/enterprise-recovery/face/result", map[string]string{"ref": ref}))
	w.faces.Confirm(w.faces.LastTicket())
	st = w.expect(200, "POST", "/enterprise-recovery/face/result", map[string]string{"ref": ref})
	assert.Equal(t, "contact", st["step"])
	w.expect(202, "POST", "/enterprise-recovery/contact/code", map[string]string{"ref": ref, "phone": phoneB})
	assert.Equal(t, "code.mismatch", w.problemCode(401, "POST", "/enterprise-recovery/submit", map[string]string{"ref": ref, "phone": phoneB, "code": "000000"}))
	sub := w.expect(200, "POST", "/enterprise-recovery/submit", map[string]string{"ref": ref, "phone": phoneB, "code": w.outbox.LastCode(phoneB)})
	query := sub["query_code"].(string)
	assert.Equal(t, "submitted", sub["step"])

	// The back office: not without its hook's reviewer.
	assert.Equal(t, "web.not_authorized", w.problemCode(403, "GET", "/review/pending", nil))
	items := w.list(asReviewer, "/review/pending")
	require.Len(t, items, 1)
	assert.Equal(t, "enterprise", items[0]["kind"])
	assert.Equal(t, []any{a.ID}, items[0]["matches"])
	decided := w.expectAs(asReviewer, 200, "POST", "/review/decide", map[string]any{"id": items[0]["id"], "approve": true, "note": "ok"})
	assert.Equal(t, items[0]["id"], decided["id"])
	assert.Equal(t, "recovery.already_decided", w.expectAs(asReviewer, 409, "POST", "/review/decide", map[string]any{"id": items[0]["id"], "approve": true})["code"])

	// The result, with the grant at the first look-up.
	w.clock.Advance(2 * time.Minute)
	w.expect(202, "POST", "/enterprise-recovery/result/code", map[string]string{"query_code": query, "phone": phoneB})
	res := w.expect(200, "POST", "/enterprise-recovery/result", map[string]string{"query_code": query, "phone": phoneB, "code": w.outbox.LastCode(phoneB)})
	assert.Equal(t, "approved", res["status"])
	assert.Equal(t, "ok", res["note"])
	require.Len(t, res["accounts"], 1)
	assert.Equal(t, a.ID, res["accounts"].([]any)[0].(map[string]any)["account_id"])
	grant := res["grant"].(string)
	assert.NotEmpty(t, res["grant_expires_at"])

	// The login-email allowance, once.
	const newEmail = "corp-admin@example.com"
	w.expect(202, "POST", "/enterprise-recovery/login-email/code", map[string]string{"grant": grant, "account_id": a.ID, "email": newEmail})
	code := w.outbox.LastCode(newEmail)
	acct := w.expect(200, "POST", "/enterprise-recovery/login-email", map[string]string{
		"grant": grant, "account_id": a.ID, "email": newEmail, "password": "N3w!Passw0rd", "confirm": "N3w!Passw0rd", "code": code,
	})
	assert.Equal(t, a.ID, acct["id"])
	p = w.expect(409, "POST", "/enterprise-recovery/login-email", map[string]string{
		"grant": grant, "account_id": a.ID, "email": newEmail, "password": "N3w!Passw0rd", "confirm": "N3w!Passw0rd", "code": code,
	})
	assert.Equal(t, "recovery.allowance_used", p["code"])

	// The SMS-protection allowance.
	w.expect(202, "POST", "/enterprise-recovery/security-phone/code", map[string]string{"grant": grant, "account_id": a.ID, "phone": phoneA})
	acct = w.expect(200, "POST", "/enterprise-recovery/security-phone", map[string]string{"grant": grant, "account_id": a.ID, "phone": phoneA, "code": w.outbox.LastCode(phoneA)})
	assert.NotEmpty(t, acct["security_phone"])
	assert.NotContains(t, acct["security_phone"], phoneA, "masked")
	assert.Equal(t, "recovery.grant_invalid", w.problemCode(403, "POST", "/enterprise-recovery/security-phone/code", map[string]string{"grant": ref, "account_id": a.ID, "phone": phoneA}))

	// The new login works.
	w.expect(200, "POST", "/login", map[string]string{"login": newEmail, "password": "N3w!Passw0rd"})

	w.noOutboxCode()
	w.deliveredOnce(ref)
	w.deliveredOnce(query)
	w.deliveredOnce(grant)
}

// The login appeal over HTTP, its steps in order, the status along the
// way, and the review; then the new login email signs in.
func TestLoginAppealOverHTTP(t *testing.T) {
	t.Parallel()
	w := newFlowWorld(t, hookOptions())
	a := w.registerAs(email)
	w.personal(a.ID, personID)

	w.expect(202, "POST", "/appeals/contact/code", map[string]string{"phone": phoneB})
	start := map[string]string{
		"account": email, "name": personName, "id_number": otherID, "reason": "email_lost",
		"contact_phone": phoneB, "code": w.outbox.LastCode(phoneB),
	}
	assert.Equal(t, "recovery.identity_mismatch", w.problemCode(401, "POST", "/appeals", start))
	w.clock.Advance(2 * time.Minute)
	w.expect(202, "POST", "/appeals/contact/code", map[string]string{"phone": phoneB})
	start["id_number"], start["code"] = personID, w.outbox.LastCode(phoneB)
	st := w.expect(201, "POST", "/appeals", start)
	ref := st["ref"].(string)
	assert.Equal(t, "login_email", st["step"])
	w.clock.Advance(2 * time.Minute)
	w.expect(202, "POST", "/appeals/contact/code", map[string]string{"phone": phoneB})
	start["code"] = w.outbox.LastCode(phoneB)
	assert.Equal(t, "recovery.appeal_open", w.problemCode(409, "POST", "/appeals", start), "one open appeal per account")

	// Steps in order only.
	assert.Equal(t, "recovery.step_order", w.problemCode(409, "POST", "/appeals/security-phone/skip", map[string]string{"ref": ref}))
	const newEmail = "alice.new@example.com"
	w.expect(202, "POST", "/appeals/login-email/code", map[string]string{"ref": ref, "email": newEmail})
	st = w.expect(200, "POST", "/appeals/login-email", map[string]string{
		"ref": ref, "email": newEmail, "password": "N3w!Passw0rd", "confirm": "N3w!Passw0rd", "code": w.outbox.LastCode(newEmail),
	})
	assert.Equal(t, "protection", st["step"])
	st = w.expect(200, "POST", "/appeals/security-phone/skip", map[string]string{"ref": ref})
	assert.Equal(t, "face", st["step"])
	status := w.expect(200, "POST", "/appeals/status", map[string]string{"ref": ref})
	assert.Equal(t, "face", status["step"])
	assert.NotContains(t, status, "ref")
	face := w.expect(200, "POST", "/appeals/face", map[string]string{"ref": ref})
	assert.NotEmpty(t, face["url"])
	w.faces.Reject(w.faces.LastTicket())
	assert.Equal(t, "recovery.face_rejected", w.problemCode(401, "POST", "/appeals/face/result", map[string]string{"ref": ref}))
	w.expect(200, "POST", "/appeals/face", map[string]string{"ref": ref})
	w.faces.Confirm(w.faces.LastTicket())
	st = w.expect(200, "POST", "/appeals/face/result", map[string]string{"ref": ref})
	assert.Equal(t, "submitted", st["step"])

	// The review.
	items := w.list(asReviewer, "/review/pending")
	require.Len(t, items, 1)
	assert.Equal(t, "appeal", items[0]["kind"])
	assert.Equal(t, a.ID, items[0]["account_id"])
	assert.NotContains(t, items[0]["login_email"], "alice.new@", "masked")
	w.expectAs(asReviewer, 200, "POST", "/review/decide", map[string]any{"id": items[0]["id"], "approve": true, "note": "welcome back"})
	status = w.expect(200, "POST", "/appeals/status", map[string]string{"ref": ref})
	assert.Equal(t, "approved", status["step"])
	assert.Equal(t, "welcome back", status["note"])

	w.expect(200, "POST", "/login", map[string]string{"login": newEmail, "password": "N3w!Passw0rd"})
	assert.Equal(t, "recovery.flow_invalid", w.problemCode(404, "POST", "/appeals/status", map[string]string{"ref": "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"}))

	w.noOutboxCode()
	w.deliveredOnce(ref)
}

// The review endpoints exist only under Options.ReviewAuth: by default they
// are not mounted at all.
func TestReviewIsNotPublicByDefault(t *testing.T) {
	t.Parallel()
	w := newFlowWorld(t, web.Options{})
	for _, p := range w.h.Patterns() {
		assert.NotContains(t, p, "/review/")
	}
	assert.Equal(t, "web.not_found", w.problemCode(404, "GET", "/review/pending", nil))
	assert.Equal(t, "web.not_found", w.expectAs(asReviewer, 404, "POST", "/review/decide", map[string]any{"id": "x", "approve": true})["code"])

	refusing := newFlowWorld(t, web.Options{ReviewAuth: func(*http.Request) (string, bool) { return "", false }})
	assert.Equal(t, "web.not_authorized", refusing.expectAs(asReviewer, 403, "POST", "/review/decide", map[string]any{"id": "x", "approve": true})["code"])
}
