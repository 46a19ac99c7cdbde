package web_test

import (
	"encoding/json"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/accountsec/accountsec"
	"github.com/accountsec/accountsec/notify"
	"github.com/accountsec/accountsec/recovery"
	"github.com/accountsec/accountsec/web"
)

// twins are two flow worlds built alike, one where the identifiers a user
// types name an account and one where they name none.
func findTwins(t *testing.T) (known, unknown *flowWorld, id string) {
	t.Helper()
	known, unknown = newFlowWorld(t, web.Options{}), newFlowWorld(t, web.Options{})
	for _, w := range []*flowWorld{known, unknown} {
		a := w.registerAs(email)
		id = a.ID
		number, phone := personID, phoneA
		if w == unknown {
			// The same work, for other identifiers.
			number, phone = otherID, phoneB
		}
		w.setSecurityPhone(a.ID, phone)
		w.personal(a.ID, number)
		if w == known {
			w.assets.Set(recovery.AssetDomain, site, a.ID)
		}
	}
	return known, unknown, id
}

// same requires two answers to be identical: status, headers and body
// bytes.
func same(t *testing.T, step string, a, b *httptest.ResponseRecorder) {
	t.Helper()
	assert.Equal(t, a.Code, b.Code, step)
	assert.Equal(t, a.Header(), b.Header(), step)
	assert.Equal(t, a.Body.String(), b.Body.String(), step)
}

// Every answer of finding an account is the same, status, headers and
// bytes, whether the phone, the domain or the identity names an account or
// not; only the outcome differs: the SMS that goes to a matching phone, and
// the accounts a matched face check shows.
func TestFindAccountAnswersAlikeForKnownAndUnknown(t *testing.T) {
	t.Parallel()
	known, unknown, id := findTwins(t)
	both := func(step, method, path string, body func(w *flowWorld) any) (*httptest.ResponseRecorder, *httptest.ResponseRecorder) {
		t.Helper()
		a, b := known.do(method, path, body(known)), unknown.do(method, path, body(unknown))
		same(t, step, a, b)
		require.Less(t, a.Code, 300, "%s: %s", step, a.Body.String())
		return a, b
	}
	token := func(w *flowWorld) string {
		return w.expectLast()["token"].(string)
	}
	fixed := func(v any) func(*flowWorld) any { return func(*flowWorld) any { return v } }

	rec, _ := both("by phone", "POST", "/find-account/phone", fixed(map[string]string{"phone": phoneA}))
	assert.Equal(t, 202, rec.Code)
	assert.Len(t, infos(known), 1, "the holder's phone gets the account")
	assert.Empty(t, infos(unknown))

	both("start", "POST", "/find-account/start", fixed(map[string]string{"way": "domain", "value": site}))
	faceToken := token(known)
	both("face", "POST", "/find-account/face", fixed(map[string]string{"token": faceToken}))
	both("face pending", "POST", "/find-account/face/result", fixed(map[string]string{"token": faceToken}))

	for _, w := range []*flowWorld{known, unknown} {
		w.clock.Advance(2 * time.Minute)
	}
	both("start again", "POST", "/find-account/start", fixed(map[string]string{"way": "domain", "value": site}))
	phoneToken := token(known)
	both("verify phone", "POST", "/find-account/verify-phone", fixed(map[string]string{"token": phoneToken, "phone": phoneA}))
	assert.Len(t, infos(known), 2, "the account's security phone gets its ID")
	assert.Empty(t, infos(unknown))

	both("personal", "POST", "/find-account/personal", fixed(map[string]string{"name": personName, "id_number": personID}))
	personalToken := token(known)
	both("personal pending", "POST", "/find-account/face/result", fixed(map[string]string{"token": personalToken}))

	// The outcome: a matched face shows the account only where it exists.
	known.identities.Confirm(known.identities.LastTicket())
	unknown.identities.Confirm(unknown.identities.LastTicket())
	found := known.expect(200, "POST", "/find-account/face/result", map[string]string{"token": personalToken})
	assert.Equal(t, "matched", found["status"])
	require.Len(t, found["accounts"], 1)
	acc := found["accounts"].([]any)[0].(map[string]any)
	assert.Equal(t, id, acc["account_id"])
	assert.NotContains(t, acc["real_name"].(map[string]any)["id_number"], personID, "masked")
	none := unknown.expect(200, "POST", "/find-account/face/result", map[string]string{"token": personalToken})
	assert.Equal(t, map[string]any{"status": "matched"}, none)

	// The asset way's face check of the account's person.
	known.faces.Confirm(known.faces.LastTicket())
	found = known.expect(200, "POST", "/find-account/face/result", map[string]string{"token": faceToken})
	assert.Equal(t, "matched", found["status"])
	unknown.faces.Confirm(unknown.faces.LastTicket())
	assert.Equal(t, "rejected", unknown.expect(200, "POST", "/find-account/face/result", map[string]string{"token": faceToken})["status"])

	for _, w := range []*flowWorld{known, unknown} {
		w.noOutboxCode()
		for _, tok := range []string{faceToken, phoneToken, personalToken} {
			w.deliveredOnce(tok)
		}
	}
}

// expectLast decodes the newest answer body.
func (w *flowWorld) expectLast() map[string]any {
	w.t.Helper()
	require.NotEmpty(w.t, w.bodies)
	var out map[string]any
	require.NoError(w.t, json.Unmarshal([]byte(w.bodies[len(w.bodies)-1]), &out))
	return out
}

func infos(w *flowWorld) []notify.Message {
	var out []notify.Message
	for _, m := range w.outbox.Messages() {
		if m.Purpose == notify.PurposeRecoverAccount {
			out = append(out, m)
		}
	}
	return out
}

// The refusals: a malformed token, an unknown way, a step out of order, a
// session used up, a way the host did not wire.
func TestFindAccountRefusals(t *testing.T) {
	t.Parallel()
	w := newFlowWorld(t, web.Options{})
	assert.Equal(t, "find.token_malformed", w.problemCode(400, "POST", "/find-account/verify-phone", map[string]string{"token": "nonsense", "phone": phoneA}))
	assert.Equal(t, "find.unknown_way", w.problemCode(400, "POST", "/find-account/start", map[string]string{"way": "telepathy", "value": "x"}))
	assert.Equal(t, "input.malformed", w.problemCode(400, "POST", "/find-account/phone", map[string]string{"phone": "not a phone"}))

	started := w.expect(200, "POST", "/find-account/start", map[string]string{"way": "domain", "value": site})
	tok := started["token"].(string)
	assert.Equal(t, "find.wrong_step", w.problemCode(409, "POST", "/find-account/face/result", map[string]string{"token": tok}))
	w.expect(202, "POST", "/find-account/verify-phone", map[string]string{"token": tok, "phone": phoneA})
	assert.Equal(t, "find.session_invalid", w.problemCode(404, "POST", "/find-account/face", map[string]string{"token": tok}))

	// Without an asset directory the asset ways are not available.
	bare := newFlowWorld(t, web.Options{}, func(d *accountsec.Deps) { d.Assets = nil })
	assert.Equal(t, "find.unavailable", bare.problemCode(501, "POST", "/find-account/start", map[string]string{"way": "domain", "value": site}))

	// Without an SMS sender there is no finding at all.
	off := newFlowWorld(t, web.Options{}, func(d *accountsec.Deps) { d.SMS = nil })
	require.Nil(t, off.svc.Find)
	p := off.expect(501, "POST", "/find-account/phone", map[string]string{"phone": phoneA})
	assert.Equal(t, "feature.unavailable", p["code"])
	assert.Equal(t, "application/problem+json", off.do("POST", "/find-account/start", map[string]string{"way": "domain", "value": site}).Header().Get("Content-Type"))
}
