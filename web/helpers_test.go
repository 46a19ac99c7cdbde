package web_test

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base32"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/accountsec/accountsec"
	"github.com/accountsec/accountsec/account"
	"github.com/accountsec/accountsec/account/password"
	"github.com/accountsec/accountsec/fakes"
	"github.com/accountsec/accountsec/store/memstore"
	"github.com/accountsec/accountsec/web"
)

var secret = []byte("0123456789abcdef0123456789abcdef")

const (
	email = "alice@example.com"
	pw    = "Str0ng!Pass"
	host  = "console.example.com"
)

// world is a service on memstore with a fake clock and an outbox, served by
// a web.Handler, and a browser that keeps the cookies it is given.
type world struct {
	t      *testing.T
	svc    *accountsec.Service
	clock  *fakes.Clock
	outbox *fakes.Outbox
	h      *web.Handler
	jar    map[string]*http.Cookie
	// bodies are every answer body, for the secrets checks.
	bodies []string
	// sessionTokens are every session token the browser was given.
	sessionTokens []string
}

func newWorld(t *testing.T, opts web.Options) *world {
	t.Helper()
	w := &world{t: t, clock: fakes.NewClock(fakes.Epoch), outbox: &fakes.Outbox{}, jar: map[string]*http.Cookie{}}
	svc, err := accountsec.New(
		accountsec.Config{Secret: secret, Hashing: password.HasherConfig{Params: password.InsecureTestParams()}, Issuer: "Console"},
		accountsec.Deps{Store: memstore.New(), SMS: w.outbox, Email: w.outbox, Now: w.clock.Now},
	)
	require.NoError(t, err)
	w.svc = svc
	if opts.Now == nil {
		opts.Now = w.clock.Now
	}
	w.h, err = web.NewHandler(svc, opts)
	require.NoError(t, err)
	return w
}

// request builds a same-origin browser request (Sec-Fetch-Site:
// same-origin) with a JSON body when body is not nil.
func request(method, path string, body any) *http.Request {
	var rd *bytes.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	var r *http.Request
	if rd != nil {
		r = httptest.NewRequest(method, "https://"+host+path, rd)
		r.Header.Set("Content-Type", "application/json")
	} else {
		r = httptest.NewRequest(method, "https://"+host+path, nil)
	}
	r.RemoteAddr = "203.0.113.9:51000"
	r.Header.Set("Sec-Fetch-Site", "same-origin")
	return r
}

// send serves r with the browser's cookies and keeps the ones it is given.
func (w *world) send(r *http.Request) *httptest.ResponseRecorder {
	w.t.Helper()
	for _, c := range w.jar {
		r.AddCookie(&http.Cookie{Name: c.Name, Value: c.Value})
	}
	rec := httptest.NewRecorder()
	w.h.ServeHTTP(rec, r)
	for _, c := range rec.Result().Cookies() {
		if c.MaxAge < 0 {
			delete(w.jar, c.Name)
			continue
		}
		w.jar[c.Name] = c
		if c.Name == web.DefaultSessionCookie {
			w.sessionTokens = append(w.sessionTokens, c.Value)
		}
	}
	w.bodies = append(w.bodies, rec.Body.String())
	return rec
}

// do sends a same-origin request and returns the answer.
func (w *world) do(method, path string, body any) *httptest.ResponseRecorder {
	w.t.Helper()
	return w.send(request(method, path, body))
}

// expect sends a request, requires the status and decodes the body into a
// map (nil for an empty body).
func (w *world) expect(status int, method, path string, body any) map[string]any {
	w.t.Helper()
	rec := w.do(method, path, body)
	require.Equal(w.t, status, rec.Code, "%s %s: %s", method, path, rec.Body.String())
	if rec.Body.Len() == 0 {
		return nil
	}
	var out map[string]any
	if strings.HasPrefix(strings.TrimSpace(rec.Body.String()), "{") {
		require.NoError(w.t, json.Unmarshal(rec.Body.Bytes(), &out))
	}
	return out
}

// register creates the account through the library (not over HTTP).
func (w *world) register() account.Account {
	w.t.Helper()
	ctx := context.Background()
	_, err := w.svc.Accounts.SendRegistrationCode(ctx, email, "203.0.113.1")
	require.NoError(w.t, err)
	a, err := w.svc.Accounts.Register(ctx, account.Registration{Method: account.MethodEmail, Identifier: email, Password: pw, Code: w.outbox.LastCode(email)})
	require.NoError(w.t, err)
	return a
}

// signIn logs in over HTTP with no second step.
func (w *world) signIn() {
	w.t.Helper()
	out := w.expect(200, "POST", "/login", map[string]string{"login": email, "password": pw})
	require.Equal(w.t, "signed_in", out["status"])
}

// stepUp passes the verification that a 403 problem asked for, by email code
// or TOTP.
func (w *world) stepUp(problem map[string]any, totpKey string) {
	w.t.Helper()
	require.Equal(w.t, "protection.verification_required", problem["code"])
	purpose := problem["purpose"].(string)
	method := problem["methods"].([]any)[0].(string)
	w.clock.Advance(time.Minute)
	ch := w.expect(200, "POST", "/verification/start", map[string]string{"purpose": purpose, "method": method})
	answer := w.outbox.LastCode(email)
	if method == "mfa" {
		answer = w.totp(totpKey)
	}
	w.expect(200, "POST", "/verification/answer", map[string]string{"purpose": purpose, "challenge": ch["challenge"].(string), "answer": answer})
}

// totp moves to the next time step and computes the authenticator's code
// (RFC 6238, SHA-1, 6 digits, 30 s) from the text key of an enrolment.
func (w *world) totp(key string) string {
	w.t.Helper()
	w.clock.Advance(30 * time.Second)
	raw, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(strings.ToUpper(strings.ReplaceAll(key, " ", "")))
	require.NoError(w.t, err)
	var msg [8]byte
	binary.BigEndian.PutUint64(msg[:], uint64(w.clock.Now().Unix()/30))
	mac := hmac.New(sha1.New, raw)
	mac.Write(msg[:])
	sum := mac.Sum(nil)
	off := sum[len(sum)-1] & 0x0f
	n := binary.BigEndian.Uint32(sum[off:off+4]) & 0x7fffffff
	return fmt.Sprintf("%06d", n%1_000_000)
}
