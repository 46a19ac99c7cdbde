package web_test

import (
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/accountsec/accountsec/web"
)

// flowPrefixes are the paths of the endpoints of the longer flows.
var flowPrefixes = []string{"/find-account", "/enterprise-recovery", "/appeals", "/cancellation", "/subusers", "/review"}

// Every state-changing endpoint of the longer flows (the review included,
// mounted here under Options.ReviewAuth) refuses a cross-origin request
// before anything else runs, even with the hooks' identities and a
// session; the same request from the page's own origin gets past the
// check.
func TestEveryFlowEndpointRefusesCrossOrigin(t *testing.T) {
	t.Parallel()
	opts := hookOptions()
	opts.Prefix = "/account"
	w := newFlowWorld(t, opts)
	w.registerAs(email)
	w.expect(200, "POST", "/account/login", map[string]string{"login": email, "password": pw})
	hooks := map[string]string{reviewerHeader: reviewer, principalHeader: "root", memberHeader: "zhang"}
	changing := 0
	for _, p := range w.h.Patterns() {
		method, path, ok := strings.Cut(p, " ")
		if !ok || method == "GET" {
			continue
		}
		rel := strings.TrimPrefix(path, "/account")
		if !hasAnyPrefix(rel, flowPrefixes) {
			continue
		}
		changing++
		path = strings.ReplaceAll(path, "{id}", "x")
		t.Run(p, func(t *testing.T) {
			for name, hdr := range map[string]map[string]string{
				"sec-fetch-site": {"Sec-Fetch-Site": "cross-site"},
				"origin":         {"Sec-Fetch-Site": "", "Origin": "https://evil.example"},
				"same-site":      {"Sec-Fetch-Site": "same-site", "Origin": "https://other." + host},
			} {
				r := request(method, path, map[string]string{})
				for k, v := range hooks {
					r.Header.Set(k, v)
				}
				for k, v := range hdr {
					if v == "" {
						r.Header.Del(k)
					} else {
						r.Header.Set(k, v)
					}
				}
				for _, c := range w.jar {
					r.AddCookie(c)
				}
				rec := httptest.NewRecorder()
				w.h.ServeHTTP(rec, r)
				require.Equal(t, 403, rec.Code, name)
				assert.Contains(t, rec.Body.String(), `"code":"web.cross_origin"`, name)
			}
			r := request(method, path, map[string]string{})
			rec := httptest.NewRecorder()
			w.h.ServeHTTP(rec, r)
			assert.NotContains(t, rec.Body.String(), "web.cross_origin")
		})
	}
	assert.Equal(t, 41, changing, "the state-changing endpoints of the longer flows")
}

func hasAnyPrefix(s string, prefixes []string) bool {
	for _, p := range prefixes {
		if s == p || strings.HasPrefix(s, p+"/") {
			return true
		}
	}
	return false
}

// The flow routes are mounted by default (answering feature.unavailable
// when the facade lacks a feature), except the review.
func TestFlowRoutesMounted(t *testing.T) {
	t.Parallel()
	w := newWorld(t, web.Options{})
	var flows []string
	for _, p := range w.h.Patterns() {
		_, path, _ := strings.Cut(p, " ")
		if hasAnyPrefix(path, flowPrefixes) {
			flows = append(flows, p)
		}
	}
	assert.Len(t, flows, 43)
	assert.NotContains(t, strings.Join(flows, "\n"), "/review/")
}
