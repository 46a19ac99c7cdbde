package web_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/accountsec/accountsec/web"
)

// The console journey over HTTP on memstore: register, sign in, bind MFA
// behind a step-up by email, sign out everywhere behind a step-up by MFA,
// sign in again with MFA as the second step and trust the device. No JSON
// body ever holds the session token, the password or a code from the outbox.
func TestLoginMFAAndStepUpOverHTTP(t *testing.T) {
	t.Parallel()
	w := newWorld(t, web.Options{})

	// Register with the email code.
	w.expect(202, "POST", "/register/code", map[string]string{"email": email})
	acct := w.expect(201, "POST", "/register", map[string]string{"email": email, "password": pw, "code": w.outbox.LastCode(email)})
	assert.NotEmpty(t, acct["id"])
	assert.NotContains(t, acct["security_email"], "alice@", "addresses are masked")

	// Sign in: the token goes into the cookie only.
	w.signIn()
	require.Contains(t, w.jar, web.DefaultSessionCookie)
	me := w.expect(200, "GET", "/me", nil)
	assert.Equal(t, acct["id"], me["id"])

	// Binding MFA needs a step-up: a typed problem names purpose and methods.
	rec := w.do("POST", "/mfa/enrol", map[string]string{"label": "alice"})
	require.Equal(t, 403, rec.Code, rec.Body.String())
	assert.Equal(t, "application/problem+json", rec.Header().Get("Content-Type"))
	var problem map[string]any
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &problem))
	assert.Equal(t, "bind_mfa", problem["purpose"])
	assert.Equal(t, []any{"email"}, problem["methods"])
	w.stepUp(problem, "")

	enr := w.expect(200, "POST", "/mfa/enrol", map[string]string{"label": "alice"})
	key := enr["key"].(string)
	assert.Contains(t, enr["uri"], "otpauth://totp/")
	assert.NotEmpty(t, enr["qr_png"])
	dev := w.expect(200, "POST", "/mfa/confirm", map[string]any{
		"device_id": enr["device_id"], "code": w.totp(key), "login_protection": true, "operation_protection": true,
	})
	assert.Equal(t, true, dev["login_protection"])
	st := w.expect(200, "GET", "/mfa", nil)
	assert.Equal(t, true, st["bound"])
	settings := w.expect(200, "GET", "/protection", nil)
	assert.Equal(t, "mfa", settings["login_protection"])

	// Binding MFA ended the step-up: offering "trust this device" asks for
	// MFA now, and the new step-up also serves signing out everywhere.
	problem = w.expect(403, "PATCH", "/protection", map[string]any{"trust_devices": true})
	assert.Equal(t, "change_login_protection", problem["purpose"])
	assert.Equal(t, []any{"mfa"}, problem["methods"])
	w.stepUp(problem, key)
	settings = w.expect(200, "PATCH", "/protection", map[string]any{"trust_devices": true})
	assert.Equal(t, true, settings["trust_devices"])
	w.expect(204, "POST", "/sessions/sign-out-all", nil)
	assert.NotContains(t, w.jar, web.DefaultSessionCookie, "the cookie is cleared")
	w.expect(401, "GET", "/me", nil)

	// Sign in again: MFA is the second step; trust the device.
	out := w.expect(200, "POST", "/login", map[string]string{"login": email, "password": pw})
	require.Equal(t, "verification_required", out["status"])
	assert.Equal(t, []any{"mfa"}, out["methods"])
	assert.NotContains(t, w.jar, web.DefaultSessionCookie)
	require.Contains(t, w.jar, web.DefaultPendingCookie)
	ch := w.expect(200, "POST", "/login/challenge", map[string]string{"method": "mfa"})
	done := w.expect(200, "POST", "/login/complete", map[string]any{"challenge": ch["challenge"], "answer": w.totp(key), "trust_device": true})
	assert.Equal(t, "signed_in", done["status"])
	assert.Contains(t, w.jar, web.DefaultSessionCookie)
	assert.Contains(t, w.jar, web.DefaultDeviceCookie)
	assert.NotContains(t, w.jar, web.DefaultPendingCookie, "the pending cookie is cleared")
	devices := w.do("GET", "/trusted-devices", nil)
	assert.Equal(t, 200, devices.Code)
	var list []map[string]any
	require.NoError(t, json.Unmarshal(devices.Body.Bytes(), &list))
	assert.Len(t, list, 1)

	// The backup codes are the one answer that delivers codes.
	problem = w.expect(403, "POST", "/mfa/backup-codes", nil)
	w.stepUp(problem, key)
	codes := w.expect(200, "POST", "/mfa/backup-codes", nil)
	assert.Len(t, codes["codes"], 10)
	backupBody := w.bodies[len(w.bodies)-1]
	w.bodies = w.bodies[:len(w.bodies)-1]

	// Logout ends the session.
	w.expect(204, "POST", "/logout", nil)
	assert.NotContains(t, w.jar, web.DefaultSessionCookie)

	// No body ever held a session token, the password or an outbox code.
	require.NotEmpty(t, w.sessionTokens)
	for _, body := range w.bodies {
		for _, tok := range w.sessionTokens {
			assert.NotContains(t, body, tok)
		}
		assert.NotContains(t, body, pw)
		for _, m := range w.outbox.Messages() {
			require.NotEmpty(t, m.Code)
			assert.NotContains(t, body, `"`+m.Code+`"`)
		}
		for _, c := range codes["codes"].([]any) {
			assert.NotContains(t, body, c.(string))
		}
		assert.NotContains(t, body, w.jar[web.DefaultDeviceCookie].Value)
	}
	assert.NotContains(t, backupBody, w.jar[web.DefaultDeviceCookie].Value)
}

// A password reset over HTTP: the link from the email, verification by a
// channel other than the mailbox (here MFA is not bound, so the account has
// no such channel: lookup answers no_method), then the login still works
// with the old password.
func TestPasswordResetNeedsAnotherChannel(t *testing.T) {
	t.Parallel()
	w := newWorld(t, web.Options{})
	w.register()
	w.expect(202, "POST", "/password/reset/request", map[string]string{"email": email})
	w.expect(202, "POST", "/password/reset/request", map[string]string{"email": "nobody@example.com"})
	m, ok := w.outbox.Last(email)
	require.True(t, ok)
	token := m.Code
	require.NotEmpty(t, token)
	p := w.expect(403, "POST", "/password/reset/lookup", map[string]string{"token": token})
	assert.Equal(t, "protection.no_method", p["code"])
	p = w.expect(400, "POST", "/password/reset/lookup", map[string]string{"token": "nonsense"})
	assert.Equal(t, "recovery.token_malformed", p["code"])
	p = w.expect(403, "POST", "/password/reset/complete", map[string]string{"token": token, "new": "N3w!Passw0rd", "confirm": "N3w!Passw0rd"})
	assert.True(t, strings.HasPrefix(p["code"].(string), "protection."), p["code"])
	w.signIn()
}
