package web

import (
	"net/http"
	"time"
)

// The default cookie names. The __Host- prefix makes browsers accept the
// cookie only when it is Secure, has Path=/ and no Domain, so no sibling
// subdomain can set or overwrite it.
const (
	// DefaultSessionCookie holds the session token.
	DefaultSessionCookie = "__Host-accountsec-session"
	// DefaultDeviceCookie holds the trusted-device token.
	DefaultDeviceCookie = "__Host-accountsec-device"
	// DefaultPendingCookie holds the token of a login waiting for its
	// second step.
	DefaultPendingCookie = "__Host-accountsec-pending"
)

// Cookies names the cookies a Handler sets. Empty names mean the defaults.
// A name given here should keep the __Host- prefix.
type Cookies struct {
	// Session is the session cookie's name (DefaultSessionCookie).
	Session string
	// Device is the trusted-device cookie's name (DefaultDeviceCookie).
	Device string
	// Pending is the pending-login cookie's name (DefaultPendingCookie).
	Pending string
}

func (c Cookies) resolved() Cookies {
	if c.Session == "" {
		c.Session = DefaultSessionCookie
	}
	if c.Device == "" {
		c.Device = DefaultDeviceCookie
	}
	if c.Pending == "" {
		c.Pending = DefaultPendingCookie
	}
	return c
}

// NewCookie returns a cookie with the safe attributes every accountsec
// cookie has: Path=/, no Domain, Secure, HttpOnly and SameSite=Lax. A zero
// expires makes a browser-session cookie; otherwise the cookie carries
// Expires and Max-Age until expires (at least one second).
func NewCookie(name, value string, expires, now time.Time) *http.Cookie {
	c := &http.Cookie{
		Name: name, Value: value, Path: "/",
		Secure: true, HttpOnly: true, SameSite: http.SameSiteLaxMode,
	}
	if !expires.IsZero() {
		c.Expires = expires.UTC()
		c.MaxAge = max(1, int((expires.Sub(now)+time.Second-1)/time.Second))
	}
	return c
}

// ClearCookie returns the cookie that deletes the cookie called name, with
// the same attributes as NewCookie (a browser matches them to delete a
// __Host- cookie).
func ClearCookie(name string) *http.Cookie {
	return &http.Cookie{
		Name: name, Value: "", Path: "/", MaxAge: -1, Expires: time.Unix(0, 0).UTC(),
		Secure: true, HttpOnly: true, SameSite: http.SameSiteLaxMode,
	}
}
