package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"sync"

	"github.com/accountsec/accountsec"
	"github.com/accountsec/accountsec/account"
	"github.com/accountsec/accountsec/fakes"
	"github.com/accountsec/accountsec/lifecycle"
	"github.com/accountsec/accountsec/protection"
	"github.com/accountsec/accountsec/reason"
	"github.com/accountsec/accountsec/web"
)

//go:embed templates/*.html static/*
var assets embed.FS

// The console's own cookies (the library's are web's __Host- cookies).
const (
	langCookie     = "console-lang"
	cityCookie     = "console-city"
	flashCookie    = "console-flash"
	providerCookie = "console-provider-" // + login method
)

// app is the account centre console: the library's facade on the console's
// fakes, its JSON API under /api/ and the pages on top.
type app struct {
	svc     *accountsec.Service
	outbox  *fakes.Outbox
	clock   *clock
	geo     *fakes.Geo
	faces   *fakes.HostVerifier
	res     *resources
	wecom   *wecom
	api     *web.Handler
	pages   map[string]*template.Template
	handler http.Handler
	errLog  func(error)
}

// options configure newApp.
type options struct {
	// stores are the store fields of the facade's Deps (Store and the
	// per-area overrides); empty means the in-memory store.
	stores accountsec.Deps
	// secret keys the library; nil means 32 random bytes.
	secret []byte
	// errLog receives the errors answered as 500; nil drops them.
	errLog func(error)
}

// newApp wires the library on the console's fakes and builds the handler.
func newApp(o options) (*app, error) {
	a := &app{
		outbox: &fakes.Outbox{}, clock: &clock{}, geo: fakes.NewGeo(nil), faces: &fakes.HostVerifier{},
		res: &resources{}, wecom: newWeCom(), errLog: o.errLog,
	}
	for _, c := range cities {
		if c.Name != "" {
			a.geo.Set(c.IP, c.Name)
		}
	}
	secret := o.secret
	if secret == nil {
		secret = make([]byte, 32)
		if _, err := rand.Read(secret); err != nil {
			return nil, err
		}
	}
	deps := o.stores
	deps.SMS, deps.Email, deps.Now = a.outbox, a.outbox, a.clock.Now
	deps.Geo, deps.Face, deps.Resources = a.geo, a.faces, a.res
	deps.SubUserHost = a.wecom
	svc, err := accountsec.New(accountsec.Config{Secret: secret, Issuer: "accountsec console"}, deps)
	if err != nil {
		return nil, err
	}
	a.svc = svc
	a.api, err = web.NewHandler(svc, web.Options{
		Prefix:             "/api",
		TrustedProxies:     []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8"), netip.MustParsePrefix("::1/128")},
		ThirdPartyIdentity: a.providerIdentity,
		DeviceName:         deviceName,
		Now:                a.clock.Now,
		ErrorLog: func(_ *http.Request, err error) {
			if a.errLog != nil {
				a.errLog(err)
			}
		},
	})
	if err != nil {
		return nil, err
	}
	if err := a.parseTemplates(); err != nil {
		return nil, err
	}
	pages := http.NewServeMux()
	a.routes(pages)
	mux := http.NewServeMux()
	mux.Handle("/api/", a.api)
	static, _ := fs.Sub(assets, "static")
	mux.Handle("GET /static/", http.StripPrefix("/static/", http.FileServerFS(static)))
	mux.Handle("/", a.api.Middleware(limitBody(pages)))
	a.handler = a.simulate(mux)
	return a, nil
}

// ServeHTTP serves the console.
func (a *app) ServeHTTP(w http.ResponseWriter, r *http.Request) { a.handler.ServeHTTP(w, r) }

// routes mounts the pages.
func (a *app) routes(m *http.ServeMux) {
	m.HandleFunc("GET /{$}", a.home)
	m.HandleFunc("POST /lang", a.setLang)
	m.HandleFunc("POST /city", a.setCity)
	a.authRoutes(m)
	a.accountRoutes(m)
	a.securityRoutes(m)
	a.flowRoutes(m)
	a.appealRoutes(m)
	a.enterpriseRoutes(m)
	a.subUserRoutes(m)
	m.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		a.render(w, r, "notfound", http.StatusNotFound, nil)
	})
}

func limitBody(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
		next.ServeHTTP(w, r)
	})
}

// simulate is the console's stand-in for the network in front of it: the
// city the visitor picked becomes its client IP (an X-Forwarded-For header
// from a loopback peer, which the web handler trusts as a proxy), and the
// language picked overrides Accept-Language. Headers the client sent
// itself are dropped, so no visitor chooses an IP by header.
func (a *app) simulate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r = r.Clone(r.Context())
		r.Header.Del("Forwarded")
		r.Header.Del("X-Forwarded-For")
		if web.RemoteIP(r).IsLoopback() {
			r.Header.Set("X-Forwarded-For", cityOf(r).IP)
		}
		if c, err := r.Cookie(langCookie); err == nil {
			switch c.Value {
			case "zh":
				r.Header.Set("Accept-Language", "zh-CN")
			case "en":
				r.Header.Set("Accept-Language", "en")
			}
		}
		next.ServeHTTP(w, r)
	})
}

// city is a simulated client location: an IP address the fake GeoIP table
// resolves to Name ("" for an address it does not know).
type city struct {
	Key, IP, Name, Zh string
}

var cities = []city{
	{"shenzhen", "203.0.113.10", "Shenzhen", "深圳"},
	{"beijing", "203.0.113.20", "Beijing", "北京"},
	{"shanghai", "198.51.100.30", "Shanghai", "上海"},
	{"singapore", "192.0.2.40", "Singapore", "新加坡"},
	{"unknown", "192.0.2.99", "", "未知城市"},
}

func cityOf(r *http.Request) city {
	if c, err := r.Cookie(cityCookie); err == nil {
		for _, x := range cities {
			if x.Key == c.Value {
				return x
			}
		}
	}
	return cities[0]
}

// cityName shows a city of the GeoIP table in lang.
func cityName(name string, lang reason.Language) string {
	for _, c := range cities {
		if c.Name == name {
			if lang == reason.SimplifiedChinese {
				return c.Zh
			}
			if name == "" {
				return "unknown city"
			}
			return name
		}
	}
	return name
}

func (a *app) setLang(w http.ResponseWriter, r *http.Request) {
	v := r.FormValue("lang")
	if v != "zh" {
		v = "en"
	}
	http.SetCookie(w, &http.Cookie{Name: langCookie, Value: v, Path: "/", MaxAge: 365 * 86400, HttpOnly: true, SameSite: http.SameSiteLaxMode})
	redirect(w, r, r.FormValue("back"))
}

func (a *app) setCity(w http.ResponseWriter, r *http.Request) {
	v := r.FormValue("city")
	for _, c := range cities {
		if c.Key == v {
			http.SetCookie(w, &http.Cookie{Name: cityCookie, Value: v, Path: "/", MaxAge: 365 * 86400, HttpOnly: true, SameSite: http.SameSiteLaxMode})
		}
	}
	redirect(w, r, r.FormValue("back"))
}

// deviceName describes the browser for the session and trusted-device
// lists: "Chrome on Linux".
func deviceName(r *http.Request) string {
	ua := r.UserAgent()
	browser := "Browser"
	for _, b := range [][2]string{{"HeadlessChrome", "Headless Chrome"}, {"Edg/", "Edge"}, {"Chrome/", "Chrome"}, {"Firefox/", "Firefox"}, {"Safari/", "Safari"}, {"curl/", "curl"}, {"Go-http-client", "Go client"}} {
		if strings.Contains(ua, b[0]) {
			browser = b[1]
			break
		}
	}
	for _, o := range [][2]string{{"Android", "Android"}, {"iPhone", "iOS"}, {"Windows", "Windows"}, {"Mac OS X", "macOS"}, {"Linux", "Linux"}} {
		if strings.Contains(ua, o[0]) {
			return browser + " on " + o[1]
		}
	}
	return browser
}

// local returns back when it is a path of this site, else "/".
func local(back string) string {
	if !strings.HasPrefix(back, "/") || strings.HasPrefix(back, "//") || strings.HasPrefix(back, "/\\") {
		return "/"
	}
	return back
}

// redirect answers 303 to the local path back.
func redirect(w http.ResponseWriter, r *http.Request, back string) {
	http.Redirect(w, r, local(back), http.StatusSeeOther)
}

// withQuery adds the query values to the local path back.
func withQuery(back string, kv ...string) string {
	u, err := url.Parse(local(back))
	if err != nil {
		return "/"
	}
	q := u.Query()
	for i := 0; i+1 < len(kv); i += 2 {
		q.Set(kv[i], kv[i+1])
	}
	u.RawQuery = q.Encode()
	return u.String()
}

// flash keeps a one-time message for the next page in a cookie.
func setFlash(w http.ResponseWriter, kind, msg string) {
	http.SetCookie(w, &http.Cookie{
		Name: flashCookie, Value: url.QueryEscape(kind + "\n" + msg), Path: "/", MaxAge: 60,
		HttpOnly: true, SameSite: http.SameSiteLaxMode,
	})
}

type flash struct{ Kind, Text string }

func takeFlash(w http.ResponseWriter, r *http.Request) *flash {
	c, err := r.Cookie(flashCookie)
	if err != nil {
		return nil
	}
	http.SetCookie(w, &http.Cookie{Name: flashCookie, Value: "", Path: "/", MaxAge: -1})
	v, err := url.QueryUnescape(c.Value)
	if err != nil {
		return nil
	}
	kind, text, _ := strings.Cut(v, "\n")
	if kind != "ok" {
		kind = "error"
	}
	return &flash{Kind: kind, Text: text}
}

// problem is what package web answers for err in the request's language:
// the same status table and messages as the JSON API.
func (a *app) problem(r *http.Request, err error) web.Problem {
	rec := &recorder{header: http.Header{}}
	web.Error(rec, r, err)
	var p web.Problem
	if json.Unmarshal(rec.body.Bytes(), &p) != nil || p.Detail == "" {
		p.Detail = "something went wrong"
	}
	return p
}

// recorder is the ResponseWriter problem captures web.Error's answer with.
type recorder struct {
	header http.Header
	body   bytes.Buffer
}

func (c *recorder) Header() http.Header         { return c.header }
func (c *recorder) Write(b []byte) (int, error) { return c.body.Write(b) }
func (c *recorder) WriteHeader(int)             {}

// fail answers a failed form: a verification required reopens back with
// the step-up dialog; no session goes to the login page; anything else
// goes back with the message.
func (a *app) fail(w http.ResponseWriter, r *http.Request, back string, err error) {
	var vr *protection.VerificationRequiredError
	if errors.As(err, &vr) && vr.Purpose != "" {
		if _, ok := web.SessionFrom(r.Context()); ok {
			redirect(w, r, withQuery(back, "stepup", vr.Purpose))
			return
		}
	}
	p := a.problem(r, err)
	if p.Code == "web.internal" && a.errLog != nil {
		a.errLog(err)
	}
	setFlash(w, "error", p.Detail)
	if errors.Is(err, protection.ErrSessionInvalid) {
		back = "/login"
	}
	redirect(w, r, back)
}

// done answers a form that succeeded: back with a message.
func (a *app) done(w http.ResponseWriter, r *http.Request, back, key string, args ...any) {
	msg := tr(web.Language(r), key)
	if len(args) > 0 {
		msg = fmt.Sprintf(msg, args...)
	}
	setFlash(w, "ok", msg)
	redirect(w, r, back)
}

// signedIn runs fn with the request's session, or sends the visitor to the
// login page.
func (a *app) signedIn(fn func(w http.ResponseWriter, r *http.Request, s protection.Session)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		s, ok := web.SessionFrom(r.Context())
		if !ok {
			if r.Method == http.MethodGet {
				redirect(w, r, withQuery("/login", "next", r.URL.Path))
				return
			}
			a.fail(w, r, "/login", protection.ErrSessionInvalid)
			return
		}
		fn(w, r, s)
	}
}

func (a *app) home(w http.ResponseWriter, r *http.Request) {
	if _, ok := web.SessionFrom(r.Context()); ok {
		redirect(w, r, "/account")
		return
	}
	a.render(w, r, "home", http.StatusOK, nil)
}

// resources is the console's stand-in for the host's resource check of a
// cancellation: what each account still holds, as set on the cancellation
// page.
type resources struct {
	mu  sync.Mutex
	inv map[string]lifecycle.Inventory
}

// CheckResources reports the account's remaining resources.
func (h *resources) CheckResources(_ context.Context, accountID string) (lifecycle.Inventory, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.inv[accountID], nil
}

func (h *resources) set(accountID string, inv lifecycle.Inventory) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.inv == nil {
		h.inv = make(map[string]lifecycle.Inventory)
	}
	h.inv[accountID] = inv
}

// providerIdentity is web.Options.ThirdPartyIdentity: the subject the
// simulated provider page signed in as (its cookie), for the JSON API.
func (a *app) providerIdentity(r *http.Request, m account.Method) (string, error) {
	c, err := r.Cookie(providerCookie + string(m))
	if err != nil || c.Value == "" {
		return "", reason.New(web.CodeIdentityUnavailable)
	}
	return c.Value, nil
}
