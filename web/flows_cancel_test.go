package web_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/accountsec/accountsec"
	"github.com/accountsec/accountsec/lifecycle"
	"github.com/accountsec/accountsec/web"
)

func application() map[string]any {
	conds := []string{}
	for _, c := range lifecycle.Conditions() {
		conds = append(conds, string(c))
	}
	return map[string]any{"confirmed": conds, "reasons": []string{"no_longer_using"}, "remark": "thanks"}
}

// Cancelling a personally verified account over HTTP: the application
// behind its step-up, the resource check with an abandonable resource, the
// face check, completion; the account is gone and so is the session.
func TestCancellationOverHTTP(t *testing.T) {
	t.Parallel()
	w := newFlowWorld(t, web.Options{})
	a := w.registerAs(email)
	w.personal(a.ID, personID)
	w.resources.set(lifecycle.Inventory{Resources: []lifecycle.Resource{{ID: "bucket-1", Kind: "cos_bucket", Name: "photos", Abandonable: true}}})

	assert.Equal(t, "protection.session_invalid", w.problemCode(401, "POST", "/cancellation", application()))
	w.signIn()
	conds := w.expect(200, "GET", "/cancellation/conditions", nil)
	assert.Len(t, conds["conditions"], len(lifecycle.Conditions()))
	assert.Equal(t, "cancellation.not_found", w.problemCode(404, "GET", "/cancellation", nil))

	// Applying always verifies identity first.
	p := w.expect(403, "POST", "/cancellation", application())
	assert.Equal(t, "apply_cancellation", p["purpose"])
	w.stepUp(p, "")
	bad := application()
	bad["confirmed"] = []string{"no_orders_or_arrears"}
	assert.Equal(t, "cancellation.condition_unconfirmed", w.problemCode(400, "POST", "/cancellation", bad))
	c := w.expect(201, "POST", "/cancellation", application())
	assert.Equal(t, "checking", c["status"])
	assert.Equal(t, a.ID, c["account_id"])
	assert.Equal(t, "cancellation.in_progress", w.problemCode(409, "POST", "/cancellation", application()))

	// The resource check: the bucket must be abandoned first.
	rep := w.expect(200, "POST", "/cancellation/check", nil)
	assert.Equal(t, false, rep["advanced"])
	require.Len(t, rep["not_abandoned"], 1)
	assert.Equal(t, "cancellation.resource_unknown", w.problemCode(409, "POST", "/cancellation/abandon", map[string]any{"resources": []string{"vm-9"}}))
	c = w.expect(200, "POST", "/cancellation/abandon", map[string]any{"resources": []string{"bucket-1"}})
	assert.Equal(t, []any{"bucket-1"}, c["abandoned"])
	rep = w.expect(200, "POST", "/cancellation/check", nil)
	assert.Equal(t, true, rep["advanced"])
	assert.Equal(t, "identity_check", rep["cancellation"].(map[string]any)["status"])

	// The identity check: a face check of the real-name person.
	ic := w.expect(200, "POST", "/cancellation/identity/start", nil)
	assert.Equal(t, true, ic["face"])
	assert.NotEmpty(t, ic["url"])
	assert.Equal(t, "protection.not_confirmed", w.problemCode(409, "POST", "/cancellation/identity/finish", nil))
	w.faces.Confirm(w.faces.LastTicket())
	c = w.expect(200, "POST", "/cancellation/identity/finish", nil)
	assert.Equal(t, "completed", c["status"])

	// The account is gone, with its sessions.
	w.expect(401, "GET", "/me", nil)
	w.expect(401, "POST", "/login", map[string]string{"login": email, "password": pw})
	w.noOutboxCode()
}

// Revoking: the application ends and the account is active again; a
// second revoke changes nothing.
func TestCancellationRevokedOverHTTP(t *testing.T) {
	t.Parallel()
	w := newFlowWorld(t, web.Options{})
	w.registerAs(email)
	w.signIn()
	assert.Equal(t, "cancellation.not_found", w.problemCode(404, "POST", "/cancellation/revoke", nil))
	w.stepUp(w.expect(403, "POST", "/cancellation", application()), "")
	w.expect(201, "POST", "/cancellation", application())
	c := w.expect(200, "POST", "/cancellation/revoke", nil)
	assert.Equal(t, "revoked", c["status"])
	assert.NotEmpty(t, c["ended_at"])
	assert.Equal(t, "revoked", w.expect(200, "POST", "/cancellation/revoke", nil)["status"])
	assert.Equal(t, "revoked", w.expect(200, "GET", "/cancellation", nil)["status"])
	assert.Equal(t, "cancellation.wrong_status", w.problemCode(409, "POST", "/cancellation/check", nil))
	w.expect(200, "GET", "/me", nil)
}

// Without a resource checker every cancellation endpoint answers
// feature.unavailable (501), before asking for a step-up.
func TestCancellationUnavailable(t *testing.T) {
	t.Parallel()
	w := newFlowWorld(t, hookOptions(), func(d *accountsec.Deps) { d.Resources = nil })
	require.Nil(t, w.svc.Cancellation)
	w.registerAs(email)
	w.signIn()
	for _, rt := range []struct{ method, path string }{
		{"GET", "/cancellation/conditions"}, {"GET", "/cancellation"}, {"POST", "/cancellation"},
		{"POST", "/cancellation/check"}, {"POST", "/cancellation/abandon"}, {"POST", "/cancellation/identity/start"},
		{"POST", "/cancellation/identity/finish"}, {"POST", "/cancellation/revoke"},
	} {
		var body any
		if rt.method == "POST" {
			body = application()
			if rt.path != "/cancellation" {
				body = map[string]any{}
			}
		}
		if rt.path == "/cancellation/abandon" {
			body = map[string]any{"resources": []string{"x"}}
		}
		p := w.expect(501, rt.method, rt.path, body)
		assert.Equal(t, "feature.unavailable", p["code"], rt.path)
		assert.Equal(t, "Not available", p["title"], rt.path)
	}
	p := w.expectAs(asReviewer, 501, "POST", "/review/cancellation", map[string]any{"account_id": "x", "approve": true})
	assert.Equal(t, "feature.unavailable", p["code"])
}

// An enterprise account's cancellation goes to the back office's review,
// which approves it through POST /review/cancellation.
func TestCancellationReviewOverHTTP(t *testing.T) {
	t.Parallel()
	w := newFlowWorld(t, hookOptions())
	a := w.registerAs(email)
	w.enterprise(a.ID)
	w.signIn()
	w.stepUp(w.expect(403, "POST", "/cancellation", application()), "")
	w.expect(201, "POST", "/cancellation", application())
	assert.Equal(t, true, w.expect(200, "POST", "/cancellation/check", nil)["advanced"])
	w.expect(200, "POST", "/cancellation/identity/start", nil)
	w.faces.Confirm(w.faces.LastTicket())
	c := w.expect(200, "POST", "/cancellation/identity/finish", nil)
	assert.Equal(t, "review", c["status"])
	assert.NotEmpty(t, c["review_deadline"])
	assert.Equal(t, "web.not_authorized", w.problemCode(403, "POST", "/review/cancellation", map[string]any{"account_id": a.ID, "approve": true}))
	c = w.expectAs(asReviewer, 200, "POST", "/review/cancellation", map[string]any{"account_id": a.ID, "approve": false, "note": "open invoices"})
	assert.Equal(t, "rejected", c["status"])
	assert.Equal(t, "open invoices", c["review_note"])
	assert.Equal(t, "cancellation.wrong_status", w.expectAs(asReviewer, 409, "POST", "/review/cancellation", map[string]any{"account_id": a.ID, "approve": true})["code"])
}
