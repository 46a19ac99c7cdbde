package web

import (
	"net"
	"net/http"
	"net/netip"
	"strings"
)

// RemoteIP returns the address of the direct peer of the connection
// (r.RemoteAddr), or the zero Addr when it cannot be parsed.
func RemoteIP(r *http.Request) netip.Addr {
	host := r.RemoteAddr
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	a, err := netip.ParseAddr(host)
	if err != nil {
		return netip.Addr{}
	}
	return a.Unmap().WithZone("")
}

// ResolveClientIP returns the client's IP address. It is the direct peer
// (RemoteAddr) unless that peer is in trusted: then the Forwarded header
// (RFC 7239 "for=") or, without one, X-Forwarded-For is walked from the
// right, skipping hops that are themselves trusted, and the first untrusted
// hop is the client. A hop that is not an IP address (an obfuscated
// identifier, "unknown", garbage) stops the walk at the last trusted hop,
// which is then the answer. With trusted empty no header is ever read, so a
// client cannot choose its own address.
func ResolveClientIP(r *http.Request, trusted []netip.Prefix) netip.Addr {
	peer := RemoteIP(r)
	if !isTrusted(peer, trusted) {
		return peer
	}
	hops := forwardedFor(r.Header)
	if hops == nil {
		hops = xForwardedFor(r.Header)
	}
	client := peer
	for i := len(hops) - 1; i >= 0; i-- {
		a, ok := parseHop(hops[i])
		if !ok {
			return client
		}
		client = a
		if !isTrusted(a, trusted) {
			return a
		}
	}
	return client
}

func isTrusted(a netip.Addr, trusted []netip.Prefix) bool {
	if !a.IsValid() {
		return false
	}
	for _, p := range trusted {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

func xForwardedFor(h http.Header) []string {
	var hops []string
	for _, v := range h.Values("X-Forwarded-For") {
		for _, part := range strings.Split(v, ",") {
			hops = append(hops, strings.TrimSpace(part))
		}
	}
	return hops
}

// forwardedFor returns the for= values of every Forwarded element in order,
// or nil when there is no Forwarded header.
func forwardedFor(h http.Header) []string {
	values := h.Values("Forwarded")
	if len(values) == 0 {
		return nil
	}
	hops := []string{}
	for _, v := range values {
		for _, elem := range strings.Split(v, ",") {
			hop := ""
			for _, pair := range strings.Split(elem, ";") {
				k, val, ok := strings.Cut(strings.TrimSpace(pair), "=")
				if ok && strings.EqualFold(k, "for") {
					hop = strings.Trim(val, `"`)
				}
			}
			hops = append(hops, hop)
		}
	}
	return hops
}

// parseHop parses "203.0.113.7", "203.0.113.7:4711", "[2001:db8::1]" or
// "[2001:db8::1]:4711".
func parseHop(s string) (netip.Addr, bool) {
	if ap, err := netip.ParseAddrPort(s); err == nil {
		return ap.Addr().Unmap(), true
	}
	s = strings.TrimSuffix(strings.TrimPrefix(s, "["), "]")
	a, err := netip.ParseAddr(s)
	if err != nil || a.Zone() != "" {
		return netip.Addr{}, false
	}
	return a.Unmap(), true
}
