package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/netip"
	"slices"
	"strings"
	"time"

	"github.com/accountsec/accountsec"
	"github.com/accountsec/accountsec/account"
	"github.com/accountsec/accountsec/protection"
	"github.com/accountsec/accountsec/reason"
	"github.com/accountsec/accountsec/vocab"
)

// Options configure a Handler. The zero Options mounts the account centre
// at the root with the default cookies, no trusted proxy and no trusted
// origin other than the request's own.
type Options struct {
	// Prefix is the path the routes are mounted under ("/account"); empty
	// mounts them at the root. It must start with "/" and not end with one.
	Prefix string
	// TrustedOrigins are origins ("https://console.example.com") other
	// than the request's own that may send state-changing requests.
	TrustedOrigins []string
	// TrustedProxies are the reverse proxies whose Forwarded and
	// X-Forwarded-For headers are believed (see ResolveClientIP). Empty
	// means none: the client IP is always the connection's peer.
	TrustedProxies []netip.Prefix
	// Cookies names the cookies.
	Cookies Cookies
	// ProblemBase prefixes the reason code in a Problem's type; empty
	// means "urn:accountsec:problem:".
	ProblemBase string
	// Statuses gives the HTTP status of reason codes that the built-in
	// table (Status) does not list, such as those of the host's own flows
	// mounted with Routes. It cannot change a built-in row.
	Statuses map[reason.Code]int
	// Routes are the host's own routes, mounted under Prefix behind the
	// same cross-origin protection and session middleware as the built-in
	// ones: their handlers may use SessionFrom, RequireSession,
	// RequireOperation, ClientIP, Decode, JSON and Error.
	Routes []Route
	// ThirdPartyIdentity returns the provider subject ID of the third-party
	// account (WeChat, QQ, WeCom, WeChat Official Account) that the host's
	// own OAuth flow authenticated for this request, to bind or change a
	// login method. Nil refuses to bind any login method but email: the
	// subject ID is never read from the request body.
	ThirdPartyIdentity func(r *http.Request, m account.Method) (string, error)
	// ReviewAuth authenticates the host's back office for the review
	// endpoints (GET /review/pending, POST /review/decide, POST
	// /review/cancellation): it returns the name of the person deciding,
	// recorded with each decision, and false to refuse the request (403
	// web.not_authorized). Nil mounts no review endpoint at all: the
	// review is never public by default.
	ReviewAuth func(r *http.Request) (reviewer string, ok bool)
	// SubUserPrincipal returns the host's principal (the main account, or
	// a sub-user with full access) behind an administrator's request to the
	// WeCom sub-user endpoints, which then act on the session's account;
	// false refuses it (403 web.not_authorized), as a nil SubUserPrincipal
	// does. The principal is never read from the request body.
	SubUserPrincipal func(r *http.Request) (principal string, ok bool)
	// SubUserMember returns the WeCom user ID of the enterprise member that
	// the host's own WeCom login authenticated for this request, to apply
	// with an application link (POST /subusers/apply); false refuses it
	// (403 web.not_authorized), as a nil SubUserMember does. The member ID
	// is never read from the request body.
	SubUserMember func(r *http.Request) (memberID string, ok bool)
	// DeviceName describes the client for the session and trusted-device
	// lists; nil means the User-Agent header, cut to 128 bytes.
	DeviceName func(r *http.Request) string
	// MaxBodyBytes bounds request bodies; zero means 64 KiB.
	MaxBodyBytes int64
	// TimeZone is where times in messages are shown; nil means UTC.
	TimeZone *time.Location
	// Now is the clock for Retry-After and cookie lifetimes; nil means
	// time.Now. Give it the service's clock.
	Now func() time.Time
	// ErrorLog receives the errors answered as 500 (never shown to the
	// client); nil drops them.
	ErrorLog func(r *http.Request, err error)
}

// Route is a host route mounted by NewHandler.
type Route struct {
	// Pattern is a net/http ServeMux pattern without host, relative to
	// Options.Prefix: "POST /find-account", "GET /appeals/{id}".
	Pattern string
	// Handler serves it.
	Handler http.Handler
}

// Handler is the account centre over HTTP: every endpoint of the package
// doc, behind cross-origin protection and the session middleware. Its
// methods also serve one endpoint each, for a host that mounts only some.
type Handler struct {
	svc      *accountsec.Service
	env      *env
	mux      *http.ServeMux
	all      http.Handler
	patterns []string
}

// env is what every request of a Handler carries in its context.
type env struct {
	svc     *accountsec.Service
	opts    Options
	cookies Cookies
	cop     *http.CrossOriginProtection
}

type ctxKey int

const (
	envKey ctxKey = iota
	sessionKey
	proofKey
	ipKey
)

var defaultEnv = &env{cookies: Cookies{}.resolved()}

func envFrom(r *http.Request) *env {
	if e, ok := r.Context().Value(envKey).(*env); ok {
		return e
	}
	return defaultEnv
}

func (e *env) now() time.Time {
	if e.opts.Now != nil {
		return e.opts.Now()
	}
	return time.Now()
}

func (e *env) status(c reason.Code) (int, bool) {
	if s, ok := statuses[c]; ok {
		return s, true
	}
	s, ok := e.opts.Statuses[c]
	return s, ok && s >= 400 && s <= 599
}

func (e *env) problemBase() string {
	if e.opts.ProblemBase != "" {
		return e.opts.ProblemBase
	}
	return "urn:accountsec:problem:"
}

// NewHandler returns the account centre for svc. It refuses a malformed
// prefix, trusted origin or route, and routes that clash with each other.
func NewHandler(svc *accountsec.Service, opts Options) (*Handler, error) {
	if svc == nil || svc.Protection == nil || svc.Accounts == nil {
		return nil, errors.New("web: NewHandler needs a service from accountsec.New")
	}
	if opts.Prefix != "" && (!strings.HasPrefix(opts.Prefix, "/") || strings.HasSuffix(opts.Prefix, "/") || strings.ContainsAny(opts.Prefix, "{} ")) {
		return nil, fmt.Errorf("web: Options.Prefix %q must start with / and not end with one", opts.Prefix)
	}
	if opts.MaxBodyBytes <= 0 {
		opts.MaxBodyBytes = 64 << 10
	}
	e := &env{svc: svc, opts: opts, cookies: opts.Cookies.resolved(), cop: http.NewCrossOriginProtection()}
	for _, o := range opts.TrustedOrigins {
		if err := e.cop.AddTrustedOrigin(o); err != nil {
			return nil, fmt.Errorf("web: Options.TrustedOrigins: %w", err)
		}
	}
	e.cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		e.writeError(w, r, reason.New(CodeCrossOrigin))
	}))
	h := &Handler{svc: svc, env: e, mux: http.NewServeMux()}
	routes := append(h.routes(), h.flowRoutes()...)
	routes = append(routes, opts.Routes...)
	for _, rt := range routes {
		if err := h.handle(rt); err != nil {
			return nil, err
		}
	}
	if err := h.handle(Route{Pattern: "/", Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		Error(w, r, reason.New(CodeNotFound))
	})}); err != nil {
		return nil, err
	}
	h.all = h.Middleware(h.mux)
	return h, nil
}

// handle mounts rt under the prefix; ServeMux panics on a bad or clashing
// pattern, which becomes an error here.
func (h *Handler) handle(rt Route) (err error) {
	method, path, ok := strings.Cut(rt.Pattern, " ")
	if !ok {
		method, path = "", rt.Pattern
	}
	if !strings.HasPrefix(path, "/") || rt.Handler == nil {
		return fmt.Errorf("web: route %q: a pattern is [METHOD ]/path and needs a handler", rt.Pattern)
	}
	pattern := h.env.opts.Prefix + path
	if method != "" {
		pattern = method + " " + pattern
	}
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("web: route %q: %v", rt.Pattern, p)
		}
	}()
	h.mux.Handle(pattern, rt.Handler)
	h.patterns = append(h.patterns, pattern)
	return nil
}

// Patterns returns the ServeMux patterns the Handler serves, prefix
// included, in the order they were mounted (the built-in endpoints, then
// Options.Routes, then the catch-all "/" that answers 404 problems).
func (h *Handler) Patterns() []string { return slices.Clone(h.patterns) }

// ServeHTTP serves every route behind Middleware.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) { h.all.ServeHTTP(w, r) }

// Middleware is what every route of the Handler runs behind, for a host that
// mounts handlers itself: it refuses cross-origin state-changing requests
// (http.CrossOriginProtection: Sec-Fetch-Site, else Origin against Host;
// Options.TrustedOrigins allowed) with a 403 problem, resolves the client IP
// (ClientIP), and runs the session middleware (see Sessions).
func (h *Handler) Middleware(next http.Handler) http.Handler {
	return h.env.cop.Handler(h.Sessions(next))
}

// Sessions is the session middleware: it reads the session cookie and
// validates it (protection.Manager.ValidateSession: one store read, no write
// on most requests). A valid session goes into the request context
// (SessionFrom, and protection.WithSession for the library's identity
// gates); an invalid one is ended by ValidateSession and its cookie cleared,
// and the request goes on without a session. A store failure answers 503:
// the request is refused rather than served as signed out.
func (h *Handler) Sessions(next http.Handler) http.Handler {
	e := h.env
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := context.WithValue(r.Context(), envKey, e)
		ctx = context.WithValue(ctx, ipKey, ResolveClientIP(r, e.opts.TrustedProxies))
		if c, err := r.Cookie(e.cookies.Session); err == nil && c.Value != "" {
			s, err := e.svc.Protection.ValidateSession(ctx, c.Value)
			switch {
			case err == nil:
				ctx = protection.WithSession(context.WithValue(ctx, sessionKey, s), s)
			case errors.Is(err, reason.ErrStoreUnavailable):
				e.writeError(w, r.WithContext(ctx), err)
				return
			default:
				http.SetCookie(w, ClearCookie(e.cookies.Session))
			}
		}
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

// SessionFrom returns the session that the session middleware found for the
// request, and false when the request has none.
func SessionFrom(ctx context.Context) (protection.Session, bool) {
	s, ok := ctx.Value(sessionKey).(protection.Session)
	return s, ok
}

// ProofFrom returns the proof that RequireOperation obtained for the
// request, and false outside RequireOperation.
func ProofFrom(ctx context.Context) (vocab.Proof, bool) {
	p, ok := ctx.Value(proofKey).(vocab.Proof)
	return p, ok
}

// ClientIP returns the client IP address of the request as the middleware
// resolved it (ResolveClientIP with Options.TrustedProxies); outside the
// middleware, the connection's peer. It is "" when unknown.
func ClientIP(r *http.Request) string {
	a, ok := r.Context().Value(ipKey).(netip.Addr)
	if !ok {
		a = RemoteIP(r)
	}
	if !a.IsValid() {
		return ""
	}
	return a.String()
}

// RequireSession answers 401 (protection.session_invalid) unless the session
// middleware found a session for the request.
func RequireSession(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, ok := SessionFrom(r.Context()); !ok {
			Error(w, r, protection.ErrSessionInvalid)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// RequireOperation guards next with the sensitive operation it performs:
// it calls protection.Manager.Authorize for the request's session and
// operation and puts the proof in the context (ProofFrom) for next. Without
// a session it answers 401; when identity verification is needed, 403 with
// a problem naming the purpose, the methods and the alternatives (then
// POST /verification/start and /verification/answer, and repeat the
// request). It must run behind the Handler's Middleware.
func RequireOperation(operation string, next http.Handler) http.Handler {
	return RequireSession(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		e := envFrom(r)
		s, _ := SessionFrom(r.Context())
		if e.svc == nil {
			Error(w, r, errors.New("web: RequireOperation outside the Handler's middleware"))
			return
		}
		p, err := e.svc.Protection.Authorize(r.Context(), s, operation)
		if err != nil {
			Error(w, r, err)
			return
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), proofKey, p)))
	}))
}
