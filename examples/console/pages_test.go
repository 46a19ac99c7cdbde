package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/pquerna/otp/totp"
	"github.com/redis/go-redis/v9"

	"github.com/accountsec/accountsec/notify"
	"github.com/accountsec/accountsec/web"
)

// jar keeps cookies by name for one loopback server. Unlike
// net/http/cookiejar it sends Secure cookies over http://127.0.0.1, as
// browsers do for loopback addresses.
type jar struct {
	mu sync.Mutex
	m  map[string]*http.Cookie
}

func (j *jar) SetCookies(_ *url.URL, cs []*http.Cookie) {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.m == nil {
		j.m = map[string]*http.Cookie{}
	}
	for _, c := range cs {
		if c.MaxAge < 0 || (c.Value == "" && !c.Expires.IsZero()) {
			delete(j.m, c.Name)
			continue
		}
		j.m[c.Name] = c
	}
}

func (j *jar) Cookies(*url.URL) []*http.Cookie {
	j.mu.Lock()
	defer j.mu.Unlock()
	var out []*http.Cookie
	for _, c := range j.m {
		out = append(out, &http.Cookie{Name: c.Name, Value: c.Value})
	}
	return out
}

func (j *jar) has(name string) bool {
	j.mu.Lock()
	defer j.mu.Unlock()
	_, ok := j.m[name]
	return ok
}

// tester drives the console over HTTP like a browser without JavaScript.
type tester struct {
	t   *testing.T
	a   *app
	srv *httptest.Server
	c   *http.Client
	jar *jar
}

func newTester(t *testing.T, a *app) *tester {
	t.Helper()
	if a == nil {
		var err error
		if a, err = newApp(options{errLog: func(err error) { t.Errorf("internal error: %v", err) }}); err != nil {
			t.Fatal(err)
		}
	}
	srv := httptest.NewServer(a)
	t.Cleanup(srv.Close)
	j := &jar{}
	return &tester{t: t, a: a, srv: srv, c: &http.Client{Jar: j, Timeout: 10 * time.Second}, jar: j}
}

// page is a page as the client ended on it after the redirects.
type page struct {
	status int
	url    *url.URL
	body   string
}

func (tt *tester) do(req *http.Request) page {
	tt.t.Helper()
	resp, err := tt.c.Do(req)
	if err != nil {
		tt.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		tt.t.Fatal(err)
	}
	return page{status: resp.StatusCode, url: resp.Request.URL, body: string(b)}
}

func (tt *tester) get(path string) page {
	tt.t.Helper()
	req, err := http.NewRequest(http.MethodGet, tt.srv.URL+path, nil)
	if err != nil {
		tt.t.Fatal(err)
	}
	return tt.do(req)
}

func (tt *tester) post(path string, kv ...string) page {
	tt.t.Helper()
	form := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		form.Add(kv[i], kv[i+1])
	}
	req, err := http.NewRequest(http.MethodPost, tt.srv.URL+path, strings.NewReader(form.Encode()))
	if err != nil {
		tt.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return tt.do(req)
}

func (p page) must(t *testing.T, status int, texts ...string) page {
	t.Helper()
	if p.status != status {
		t.Fatalf("%s: status %d, want %d\n%s", p.url, p.status, status, p.body)
	}
	for _, s := range texts {
		if !strings.Contains(p.body, s) {
			t.Fatalf("%s: no %q in\n%s", p.url, s, p.body)
		}
	}
	return p
}

// register makes an account through the pages and signs in.
func (tt *tester) register(email, pw string) page {
	tt.t.Helper()
	tt.a.clock.Advance(61 * time.Second)
	tt.post("/register/code", "email", email).must(tt.t, 200, "Code sent")
	code := tt.a.outbox.LastCode(email)
	tt.post("/register", "email", email, "code", code, "password", pw, "confirm", pw, "nickname", "Ann").must(tt.t, 200, "registered")
	return tt.post("/login", "login", email, "password", pw).must(tt.t, 200, `id="account-id"`, "Signed in.")
}

// stepUp answers the step-up dialog the page opened with the email code.
func (tt *tester) stepUpByEmail(p page, email string) page {
	tt.t.Helper()
	p.must(tt.t, 200, `id="stepup"`, `id="stepup-email"`)
	purpose := p.url.Query().Get("stepup")
	tt.a.clock.Advance(61 * time.Second)
	p = tt.post("/verify/start", "purpose", purpose, "method", "email", "back", p.url.Path).must(tt.t, 200, `id="stepup-answer"`)
	q := p.url.Query()
	return tt.post("/verify/answer", "purpose", purpose, "challenge", q.Get("challenge"), "method", "email",
		"answer", tt.a.outbox.LastCode(email), "back", p.url.Path).must(tt.t, 200, "Identity verified until")
}

var keyRE = regexp.MustCompile(`id="mfa-key">([A-Z2-7 ]+)<`)

// The pages over HTTP: register, log in, a step-up dialog, MFA bound from
// the text key, the login's second step with a trusted device, remote-login
// protection from another city, the lockout, the outbox, the language
// switch, and the JSON API next to the pages.
func TestPages(t *testing.T) { journey(t, newTester(t, nil)) }

// The same pages on PostgreSQL for everything and Redis for the hot state,
// as -pg and -redis open them (migrations included). It reads the
// adapters' environment variables and never skips in CI.
func TestPagesOnPostgresAndRedis(t *testing.T) {
	dsn, addr := os.Getenv("ACCOUNTSEC_PG_DSN"), os.Getenv("ACCOUNTSEC_REDIS_ADDR")
	if dsn == "" || addr == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("ACCOUNTSEC_PG_DSN and ACCOUNTSEC_REDIS_ADDR must be set in CI")
		}
		t.Skip("set ACCOUNTSEC_PG_DSN and ACCOUNTSEC_REDIS_ADDR to run the pages on PostgreSQL and Redis")
	}
	b := make([]byte, 6)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	name := "console_" + hex.EncodeToString(b)
	st, closeStores, err := openStores(t.Context(), dsn, addr, name, name+":")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx := context.Background()
		if conn, err := pgx.Connect(ctx, dsn); err == nil {
			_, _ = conn.Exec(ctx, "DROP SCHEMA IF EXISTS "+pgx.Identifier{name}.Sanitize()+" CASCADE")
			_ = conn.Close(ctx)
		}
		client := redis.NewClient(&redis.Options{Addr: addr})
		iter := client.Scan(ctx, 0, name+":*", 1000).Iterator()
		for iter.Next(ctx) {
			client.Del(ctx, iter.Val())
		}
		_ = client.Close()
	})
	t.Cleanup(closeStores)
	a, err := newApp(options{stores: st, errLog: func(err error) { t.Errorf("internal error: %v", err) }})
	if err != nil {
		t.Fatal(err)
	}
	journey(t, newTester(t, a))
}

func journey(t *testing.T, tt *tester) {
	const email, pw = "ann@example.com", "Sup3r!Secret"

	for _, path := range []string{"/", "/login", "/register", "/reset", "/find", "/outbox", "/flows", "/admin"} {
		tt.get(path).must(t, 200, "Account centre", `href="/static/style.css"`)
	}
	tt.get("/nowhere").must(t, 404, "Page not found")
	tt.get("/account").must(t, 200, `id="login-email"`) // sent to the login page

	tt.register(email, pw)
	// Binding MFA is sensitive: the dialog opens, the email code steps up.
	p := tt.post("/security/mfa/enrol", "label", "ann")
	tt.stepUpByEmail(p, email)
	p = tt.post("/security/mfa/enrol", "label", "ann").must(t, 200, `id="mfa-qr"`, "data:image/png;base64,")
	m := keyRE.FindStringSubmatch(p.body)
	if m == nil {
		t.Fatalf("no text key on the enrolment page:\n%s", p.body)
	}
	key := strings.ReplaceAll(m[1], " ", "")
	totpNow := func() string {
		tt.a.clock.Advance(30 * time.Second)
		c, err := totp.GenerateCode(key, tt.a.clock.Now())
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	device := regexp.MustCompile(`name="device_id" value="([^"]+)"`).FindStringSubmatch(p.body)[1]
	tt.post("/security/mfa/confirm", "device_id", device, "code", totpNow(), "login", "on", "operation", "on").
		must(t, 200, "Virtual MFA bound", `id="mfa-status">bound`)
	// The enrolment secret is shown once: the security page does not hold it.
	if strings.Contains(tt.get("/security").body, m[1]) {
		t.Fatal("the MFA key is shown again")
	}

	// Trusted devices and remote-login protection: a step-up by MFA.
	p = tt.post("/security/settings", "login_protection", "mfa", "trust_devices", "on", "operation_protection", "mfa",
		"remote_login_protection", "on", "remote_login_method", "none", "mfa_binding_method", "none", "session_hours", "48", "idle_minutes", "120")
	p.must(t, 200, `id="stepup-mfa"`)
	p = tt.post("/verify/start", "purpose", p.url.Query().Get("stepup"), "method", "mfa", "back", "/security")
	tt.post("/verify/answer", "purpose", p.url.Query().Get("stepup"), "challenge", p.url.Query().Get("challenge"), "answer", totpNow(), "back", "/security").
		must(t, 200, "Identity verified until")
	tt.post("/security/settings", "login_protection", "mfa", "trust_devices", "on", "operation_protection", "mfa",
		"remote_login_protection", "on", "remote_login_method", "none", "mfa_binding_method", "none", "session_hours", "48", "idle_minutes", "120").
		must(t, 200, "Saved.", `id="set-remote" checked`)
	// Log out and in: MFA is the second step; trust the device.
	tt.post("/logout").must(t, 200, "Signed out.")
	if tt.jar.has(web.DefaultSessionCookie) {
		t.Fatal("the session cookie survived the logout")
	}
	p = tt.post("/login", "login", email, "password", pw).must(t, 200, "Login protection asks for a second step", `id="login-method-mfa"`)
	q := p.url.Query()
	p = tt.post("/login/challenge", "method", "mfa", "methods", q.Get("methods"), "second", "1").must(t, 200, `id="login-answer"`)
	tt.post("/login/complete", "challenge", p.url.Query().Get("challenge"), "method", "mfa", "answer", totpNow(), "trust_device", "on", "second", "1").
		must(t, 200, "Signed in.")
	if !tt.jar.has(web.DefaultDeviceCookie) {
		t.Fatal("no trusted-device cookie after trusting the device")
	}
	tt.get("/security").must(t, 200, `id="devices"`, "Go client")

	// The trusted device skips the second step.
	tt.post("/logout")
	tt.post("/login", "login", email, "password", pw).must(t, 200, `id="account-id"`)

	// A login from Beijing, not a usual city, verifies identity.
	tt.post("/logout")
	tt.post("/city", "city", "beijing", "back", "/login")
	req, _ := http.NewRequest(http.MethodPost, tt.srv.URL+"/login", strings.NewReader(url.Values{"login": {email}, "password": {pw}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-Forwarded-For", "203.0.113.10") // a client cannot pick its own address
	tt.do(req).must(t, 200, `id="unusual"`, "Beijing")
	tt.post("/city", "city", "shenzhen", "back", "/login")

	// Ten wrong passwords lock the login; the message says until when.
	for range 9 {
		tt.post("/login", "login", email, "password", "Wrong!Pass1").must(t, 200, `class="flash error"`)
	}
	tt.post("/login", "login", email, "password", "Wrong!Pass1").must(t, 200, "locked")
	tt.post("/login", "login", email, "password", pw).must(t, 200, "locked")
	tt.a.clock.Advance(31 * time.Minute)
	tt.post("/login", "login", email, "password", pw).must(t, 200, `id="account-id"`)

	// The outbox shows every code; the reset link is a link.
	tt.post("/reset", "email", email).must(t, 200, "reset link is on its way")
	tt.get("/outbox").must(t, 200, `class="reset-link" href="/reset/link?token=`, `data-purpose="`+string(notify.PurposeVerifyIdentity)+`"`)

	// 中文: the pages and the library's messages.
	tt.post("/lang", "lang", "zh", "back", "/login").must(t, 200, "账号中心")
	tt.post("/login", "login", email, "password", "Wrong!Pass1").must(t, 200, "账号中心", `class="flash error"`)
	tt.post("/lang", "lang", "en", "back", "/login").must(t, 200, "Account centre")

	// The JSON API of package web is mounted next to the pages.
	resp, err := tt.c.Get(tt.srv.URL + "/api/me")
	if err != nil {
		t.Fatal(err)
	}
	var me struct {
		ID string `json:"id"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&me); err != nil || resp.StatusCode != 200 || me.ID == "" {
		t.Fatalf("/api/me: %d %v %+v", resp.StatusCode, err, me)
	}
	resp.Body.Close()

	// Cross-origin form posts are refused (no CSRF token needed).
	req, _ = http.NewRequest(http.MethodPost, tt.srv.URL+"/security/sign-out-all", nil)
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	if p := tt.do(req); p.status != http.StatusForbidden {
		t.Fatalf("cross-site POST: %d", p.status)
	}
}

// The flows page says which flows of the facade the console wires: every
// one, each with its page.
func TestFlowsPage(t *testing.T) {
	tt := newTester(t, nil)
	p := tt.get("/flows").must(t, 200, `data-field="Find"`, `data-field="Cancellation"`)
	for field, page := range map[string]string{"Appeals": "/appeal", "Enterprise": "/enterprise", "SubUsers": "/subusers", "Review": "/admin"} {
		row := regexp.MustCompile(`(?s)data-field="` + field + `">.*?</tr>`).FindString(p.body)
		if !strings.Contains(row, `href="`+page+`"`) {
			t.Fatalf("%s row: %s", field, row)
		}
		tt.get(page).must(t, 200, "Account centre")
	}
	if strings.Contains(p.body, "not wired") || strings.Contains(p.body, "no page yet") {
		t.Fatalf("a flow is left out:\n%s", p.body)
	}
}
