package web_test

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/accountsec/accountsec/limits"
	"github.com/accountsec/accountsec/protection"
	"github.com/accountsec/accountsec/reason"
	"github.com/accountsec/accountsec/vocab"
	"github.com/accountsec/accountsec/web"
)

// Every state-changing endpoint refuses a cross-origin request, by
// Sec-Fetch-Site and, without it, by Origin against Host; the same request
// from the page's own origin or a trusted one gets past the check.
func TestEveryStateChangingEndpointRefusesCrossOrigin(t *testing.T) {
	t.Parallel()
	w := newWorld(t, web.Options{Prefix: "/account", TrustedOrigins: []string{"https://admin.example.com"}})
	w.register()
	changing := 0
	for _, p := range w.h.Patterns() {
		method, path, ok := strings.Cut(p, " ")
		if !ok || method == "GET" {
			continue
		}
		changing++
		path = strings.NewReplacer("{id}", "x", "{method}", "wechat").Replace(path)
		t.Run(p, func(t *testing.T) {
			for name, hdr := range map[string]map[string]string{
				"sec-fetch-site": {"Sec-Fetch-Site": "cross-site"},
				"origin":         {"Sec-Fetch-Site": "", "Origin": "https://evil.example"},
				"same-site":      {"Sec-Fetch-Site": "same-site", "Origin": "https://other." + host},
			} {
				r := request(method, path, map[string]string{})
				for k, v := range hdr {
					if v == "" {
						r.Header.Del(k)
					} else {
						r.Header.Set(k, v)
					}
				}
				rec := httptest.NewRecorder()
				w.h.ServeHTTP(rec, r)
				require.Equal(t, 403, rec.Code, name)
				assert.Contains(t, rec.Body.String(), `"code":"web.cross_origin"`, name)
			}
			for name, hdr := range map[string]map[string]string{
				"same-origin": {"Sec-Fetch-Site": "same-origin"},
				"host origin": {"Origin": "https://" + host},
				"trusted":     {"Sec-Fetch-Site": "cross-site", "Origin": "https://admin.example.com"},
			} {
				r := request(method, path, map[string]string{})
				r.Header.Del("Sec-Fetch-Site")
				for k, v := range hdr {
					r.Header.Set(k, v)
				}
				rec := httptest.NewRecorder()
				w.h.ServeHTTP(rec, r)
				assert.NotContains(t, rec.Body.String(), "web.cross_origin", name)
			}
		})
	}
	assert.Greater(t, changing, 30, "the built-in state-changing endpoints")
}

func TestClientIP(t *testing.T) {
	t.Parallel()
	proxies := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("2001:db8:ff::/48")}
	cases := []struct {
		name, peer string
		hdr        map[string]string
		trusted    []netip.Prefix
		want       string
	}{
		{"peer only", "203.0.113.5:4000", nil, nil, "203.0.113.5"},
		{"forged XFF, no trusted proxy", "203.0.113.5:4000", map[string]string{"X-Forwarded-For": "1.2.3.4"}, nil, "203.0.113.5"},
		{"forged Forwarded, no trusted proxy", "203.0.113.5:4000", map[string]string{"Forwarded": "for=1.2.3.4"}, nil, "203.0.113.5"},
		{"forged XFF from an untrusted peer", "203.0.113.5:4000", map[string]string{"X-Forwarded-For": "1.2.3.4"}, proxies, "203.0.113.5"},
		{"trusted proxy", "10.1.2.3:4000", map[string]string{"X-Forwarded-For": "198.51.100.7"}, proxies, "198.51.100.7"},
		{"client forges a left hop", "10.1.2.3:4000", map[string]string{"X-Forwarded-For": "1.2.3.4, 198.51.100.7"}, proxies, "198.51.100.7"},
		{"two trusted hops", "10.1.2.3:4000", map[string]string{"X-Forwarded-For": "1.2.3.4, 198.51.100.7, 10.9.9.9"}, proxies, "198.51.100.7"},
		{"Forwarded wins", "10.1.2.3:4000", map[string]string{"Forwarded": `for="[2001:db8::7]:443";proto=https, for=10.2.2.2`, "X-Forwarded-For": "1.2.3.4"}, proxies, "2001:db8::7"},
		{"garbage hop stops the walk", "10.1.2.3:4000", map[string]string{"X-Forwarded-For": "1.2.3.4, _hidden, 10.3.3.3"}, proxies, "10.3.3.3"},
		{"only trusted hops", "10.1.2.3:4000", map[string]string{"X-Forwarded-For": "10.4.4.4"}, proxies, "10.4.4.4"},
		{"IPv6 peer", "[2001:db8:ff::1]:4000", map[string]string{"X-Forwarded-For": "198.51.100.8"}, proxies, "198.51.100.8"},
		{"mapped IPv4 peer", "[::ffff:203.0.113.5]:4000", nil, proxies, "203.0.113.5"},
	}
	for _, c := range cases {
		r := httptest.NewRequest("GET", "/", nil)
		r.RemoteAddr = c.peer
		for k, v := range c.hdr {
			r.Header.Set(k, v)
		}
		assert.Equal(t, c.want, web.ResolveClientIP(r, c.trusted).String(), c.name)
	}
}

// Through the Handler, a forged X-Forwarded-For does not change the IP a
// session records, unless the peer is a trusted proxy.
func TestSessionRecordsTheResolvedClientIP(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		trusted []netip.Prefix
		want    string
	}{{nil, "203.0.113.9"}, {[]netip.Prefix{netip.MustParsePrefix("203.0.113.0/24")}, "198.51.100.1"}} {
		w := newWorld(t, web.Options{TrustedProxies: c.trusted})
		w.register()
		r := request("POST", "/login", map[string]string{"login": email, "password": pw})
		r.Header.Set("X-Forwarded-For", "198.51.100.1")
		rec := w.send(r)
		require.Equal(t, 200, rec.Code, rec.Body.String())
		var out struct {
			Session struct {
				ClientIP string `json:"client_ip"`
			} `json:"session"`
		}
		require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &out))
		assert.Equal(t, c.want, out.Session.ClientIP)
	}
}

// Each row of the status table, through Error.
func TestReasonStatusTable(t *testing.T) {
	t.Parallel()
	rows := map[reason.Code]int{
		reason.InputEmpty: 400, reason.InputTooLong: 400, reason.InputMalformed: 400, reason.InputInvalidUTF8: 400,
		reason.CodeMalformed: 400, reason.PasswordTooShort: 400, reason.PasswordTooLong: 400, reason.PasswordTooLarge: 400,
		reason.PasswordInvalidUTF8: 400, reason.PasswordMissingUpper: 400, reason.PasswordMissingLower: 400,
		reason.PasswordMissingDigit: 400, reason.PasswordMissingPunct: 400, reason.PasswordHasSpace: 400,
		reason.PasswordControlChar: 400, reason.PasswordReused: 400, reason.PasswordCommon: 400,
		reason.PasswordRepetitive: 400, reason.PasswordConfirmMismatch: 400, reason.AccountUnknownMethod: 400,
		reason.AccountUnknownVerifyMethod: 400, reason.AccountSameIdentifier: 400, reason.AccountEnterpriseNameTooShort: 400,
		reason.AccountSettingOutOfRange: 400, reason.AccountVerifyMethodNotAllowed: 400, reason.MFAMalformed: 400,
		reason.MFAUsageRequired: 400, reason.MFABackupMalformed: 400, reason.MFAEnrolmentInvalid: 400,
		reason.ProtectionChallengeInvalid: 400, reason.ProtectionSettingInvalid: 400, reason.ProtectionOperationUnknown: 400,
		reason.RecoveryTokenMalformed: 400, reason.RecoveryTokenInvalid: 400,
		web.CodeUnsupportedMediaType: 415, web.CodeBodyTooLarge: 413, web.CodeNotFound: 404,
		reason.PasswordWrong: 401, reason.CodeMismatch: 401, reason.CodeInvalid: 401, reason.MFAMismatch: 401,
		reason.MFAReplayed: 401, reason.MFABackupMismatch: 401, reason.ProtectionRejected: 401,
		reason.ProtectionSessionInvalid: 401, reason.ProtectionLoginInvalid: 401,
		reason.ProtectionVerificationRequired: 403, reason.AccountVerificationRequired: 403,
		reason.ProtectionMethodUnavailable: 403, reason.ProtectionNoMethod: 403, reason.AccountVerifyMethodUnavailable: 403,
		reason.AccountWeComNotAuthorized: 403, web.CodeCrossOrigin: 403, web.CodeIdentityUnavailable: 403,
		reason.AccountNotFound: 404, reason.ProtectionAccountUnknown: 404, reason.MFANotBound: 404, reason.MFATokenUnknown: 404,
		reason.LimitsQuotaExceeded: 409, reason.AccountMethodAlreadyBound: 409, reason.AccountMethodNotBound: 409,
		reason.AccountLastLoginMethod: 409, reason.AccountMethodInUse: 409, reason.AccountSecurityPhoneRequired: 409,
		reason.AccountNoPassword: 409, reason.AccountNoPendingContact: 409, reason.AccountRealNameTooSoon: 409,
		reason.AccountRealNameUnchanged: 409, reason.AccountChangedMeanwhile: 409, reason.MFAAlreadyBound: 409,
		reason.MFATokenTaken: 409, reason.MFATokenExists: 409, reason.ProtectionNotConfirmed: 409,
		reason.LimitsLocked: 423, reason.LimitsRateLimited: 429,
		reason.StoreUnavailable: 503, reason.CodeSendFailed: 503, reason.ProtectionVerifierUnavailable: 503,
		reason.MFAKeyUnavailable: 503, reason.RecoverySessionsNotEnded: 503,
		reason.PolicyInvalid: 500, reason.PasswordHashMalformed: 500, reason.ProtectionOperationExists: 500,
		web.CodeInternal: 500,

		// The longer flows and the host's hooks.
		reason.AccountIndustryUnknown: 400, reason.AccountQuotaExceptionInvalid: 400,
		reason.FindCheckCharacter: 400, reason.FindNotPublic: 400, reason.FindTokenMalformed: 400,
		reason.FindUnknownWay: 400, reason.RecoveryReasonUnknown: 400,
		reason.CancellationConditionUnconfirmed: 400, reason.CancellationConditionUnknown: 400,
		reason.CancellationReasonRequired: 400, reason.CancellationReasonUnknown: 400,
		reason.SubUserScopeTooLarge: 400, reason.SubUserLinkMalformed: 400, reason.SubUserUnknownLinkKind: 400,
		reason.RecoveryIdentityMismatch: 401, reason.RecoveryFaceRejected: 401, reason.RecoveryQueryInvalid: 401,
		web.CodeNotAuthorized: 403, reason.ProtectionAccountRestricted: 403, reason.RecoveryEnterpriseAccount: 403,
		reason.RecoveryNotPersonal: 403, reason.RecoveryGrantInvalid: 403, reason.SubUserNotAdministrator: 403,
		reason.SubUserNotWeComAdmin: 403, reason.SubUserOutsideScope: 403, reason.SubUserNotAdminEligible: 403,
		reason.FindSessionInvalid: 404, reason.RecoveryFlowInvalid: 404, reason.CancellationNotFound: 404,
		reason.SubUserLinkInvalid: 404, reason.SubUserMemberUnknown: 404, reason.SubUserApplicationNotFound: 404,
		reason.RecoveryFlowExpired: 410, reason.SubUserApplicationExpired: 410,
		reason.FindWrongStep: 409, reason.RecoveryStepOrder: 409, reason.RecoveryChangedMeanwhile: 409,
		reason.RecoveryAppealOpen: 409, reason.RecoveryEmailTaken: 409, reason.RecoveryFacePending: 409,
		reason.RecoveryNotApproved: 409, reason.RecoveryAllowanceUsed: 409, reason.RecoveryAlreadyDecided: 409,
		reason.RecoveryRemoveMFARequired: 409, reason.CancellationInProgress: 409, reason.CancellationWrongStatus: 409,
		reason.CancellationIrreversible: 409, reason.CancellationResourceUnknown: 409,
		reason.CancellationResourceMustBeHandled: 409, reason.CancellationResourcesRemain: 409,
		reason.CancellationCoolingOff: 409, reason.SubUserNotLinked: 409, reason.SubUserEnterpriseTaken: 409,
		reason.SubUserAlreadyLinked: 409, reason.SubUserAlreadyPending: 409, reason.SubUserAlreadyApproved: 409,
		reason.SubUserAlreadyDecided: 409,
		reason.RecoveryApplyFailed:   503, reason.CancellationCheckerFailed: 503, reason.CancellationCalendarFailed: 503,
		reason.SubUserGrantFailed: 503, reason.SubUserNotifyFailed: 503,
		reason.FeatureUnavailable: 501, reason.FindUnavailable: 501, reason.RecoveryFaceUnavailable: 501,
		reason.CancellationNoFaceVerifier: 501,
	}
	for code, want := range rows {
		got, ok := web.Status(code)
		require.True(t, ok, code)
		assert.Equal(t, want, got, code)
		rec := httptest.NewRecorder()
		web.Error(rec, httptest.NewRequest("GET", "/", nil), reason.New(code))
		assert.Equal(t, want, rec.Code, code)
		var p web.Problem
		require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &p), code)
		assert.Equal(t, want, p.Status, code)
		if want == 500 {
			assert.Equal(t, web.CodeInternal, p.Code, "a 500 never names its cause: %s", code)
		} else {
			assert.Equal(t, code, p.Code)
			assert.Equal(t, "urn:accountsec:problem:"+string(code), p.Type)
		}
	}
	// Every code of the library has a row, whatever its area (the core
	// ones, account, protection, recovery, find, cancellation, subuser,
	// feature, …): none answers a bare 500.
	areas := map[string]bool{}
	for _, c := range reason.AllCodes() {
		area, _, _ := strings.Cut(string(c), ".")
		areas[area] = true
		_, ok := rows[c]
		assert.True(t, ok, "no status for %s", c)
	}
	for _, a := range []string{"find", "recovery", "cancellation", "subuser", "protection", "account", "feature"} {
		assert.True(t, areas[a], "area %s", a)
	}
}

func TestErrorsNeverShowInternalText(t *testing.T) {
	t.Parallel()
	var logged []error
	w := newWorld(t, web.Options{})
	route := func(err error) http.Handler {
		return http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) { web.Error(rw, r, err) })
	}
	h, err := web.NewHandler(w.svc, web.Options{
		ErrorLog: func(_ *http.Request, err error) { logged = append(logged, err) },
		Statuses: map[reason.Code]int{"host.thing": 409},
		Routes: []web.Route{
			{Pattern: "GET /plain", Handler: route(errors.New("pq: password authentication failed for user admin"))},
			{Pattern: "GET /store", Handler: route(reason.Store(errors.New("dial tcp 10.0.0.5:5432: secret-host")))},
			{Pattern: "GET /unknown", Handler: route(reason.New("host.unlisted"))},
			{Pattern: "GET /host", Handler: route(reason.New("host.thing"))},
		},
	})
	require.NoError(t, err)
	for path, want := range map[string]int{"/plain": 500, "/store": 503, "/unknown": 500, "/host": 409} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
		assert.Equal(t, want, rec.Code, path)
		body := rec.Body.String()
		for _, leak := range []string{"pq:", "admin", "10.0.0.5", "secret-host", "goroutine", ".go:"} {
			assert.NotContains(t, body, leak, path)
		}
	}
	assert.Len(t, logged, 2, "the two 500s reach the error log")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/no/such/route", nil))
	assert.Equal(t, 404, rec.Code)
	assert.Equal(t, "application/problem+json", rec.Header().Get("Content-Type"))
}

func TestLanguageMatching(t *testing.T) {
	t.Parallel()
	for header, want := range map[string]reason.Language{
		"zh-Hans": reason.SimplifiedChinese, "zh-CN": reason.SimplifiedChinese, "zh": reason.SimplifiedChinese,
		"zh-CN,zh;q=0.9,en;q=0.8": reason.SimplifiedChinese, "en-GB": reason.English, "en-US,en;q=0.9": reason.English,
		"fr-FR": reason.English, "": reason.English, "de;q=0.9, zh-Hans-CN;q=0.8": reason.SimplifiedChinese,
		"en;q=0.5, zh;q=0.9": reason.SimplifiedChinese, "not a header;;;": reason.English,
	} {
		assert.Equal(t, want, web.MatchLanguage(header), header)
	}
}

// Messages in the user's language, with parameters formatted for it.
func TestMessagesAreLocalised(t *testing.T) {
	t.Parallel()
	clock := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	w := newWorld(t, web.Options{Now: func() time.Time { return clock }})
	mount := func(err error) *web.Handler {
		h, e := web.NewHandler(w.svc, web.Options{Now: func() time.Time { return clock }, Routes: []web.Route{{Pattern: "GET /e", Handler: http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) { web.Error(rw, r, err) })}}})
		require.NoError(t, e)
		return h
	}
	get := func(h *web.Handler, lang string) (*httptest.ResponseRecorder, web.Problem) {
		r := httptest.NewRequest("GET", "/e", nil)
		r.Header.Set("Accept-Language", lang)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		var p web.Problem
		require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &p))
		return rec, p
	}

	limited := mount(&limits.RateLimitedError{RetryAfter: 90 * time.Second})
	rec, p := get(limited, "zh-CN")
	assert.Equal(t, 429, rec.Code)
	assert.Equal(t, "90", rec.Header().Get("Retry-After"))
	assert.Equal(t, int64(90), p.RetryAfter)
	assert.Equal(t, "请求过于频繁，请在 1 分 30 秒 后重试", p.Detail)
	assert.Equal(t, "zh-CN", rec.Header().Get("Content-Language"))
	_, p = get(limited, "en-GB")
	assert.Equal(t, "too many requests; try again in 1 min 30 s", p.Detail)

	locked := mount(&limits.LockedError{Until: clock.Add(29*time.Minute + 30*time.Second)})
	rec, p = get(locked, "zh")
	assert.Equal(t, 423, rec.Code)
	assert.Equal(t, "1770", rec.Header().Get("Retry-After"))
	assert.Equal(t, "失败次数过多，账号已锁定至 2026年1月1日 00:30 (UTC)", p.Detail)
	_, p = get(locked, "en")
	assert.Equal(t, "too many failed attempts; locked until 2026-01-01 00:30 UTC", p.Detail)

	_, p = get(mount(reason.New(reason.PasswordTooShort).With("min", 1)), "en")
	assert.Equal(t, "the password must have at least 1 character", p.Detail)
	_, p = get(mount(reason.New(reason.PasswordTooShort).With("min", 11)), "en")
	assert.Equal(t, "the password must have at least 11 characters", p.Detail)
	_, p = get(mount(reason.New(reason.CodeMismatch).With("remaining", 1)), "en")
	assert.Equal(t, "the verification code is wrong; 1 try left", p.Detail)
	_, p = get(mount(reason.New(reason.CodeMismatch).With("remaining", 1)), "zh-Hans")
	assert.Equal(t, "验证码错误，还可尝试 1 次", p.Detail)
	assert.Equal(t, "未通过认证", p.Title)

	// Several violations at once are listed, each localised.
	_, p = get(mount(reason.List{reason.New(reason.PasswordTooShort).With("min", 8), reason.New(reason.PasswordMissingDigit)}), "zh-CN")
	require.Len(t, p.Errors, 2)
	assert.Equal(t, reason.PasswordMissingDigit, p.Errors[1].Code)
	assert.Equal(t, "密码长度至少为 8 个字符；密码必须包含数字", p.Detail)
}

func TestFormatDuration(t *testing.T) {
	t.Parallel()
	for d, want := range map[time.Duration][2]string{
		90 * time.Second:                  {"1 min 30 s", "1 分 30 秒"},
		45*time.Second + time.Millisecond: {"46 s", "46 秒"},
		2*time.Hour + 5*time.Minute:       {"2 h 5 min", "2 小时 5 分"},
		0:                                 {"0 s", "0 秒"},
		49 * time.Hour:                    {"2 d 1 h", "2 天 1 小时"},
	} {
		assert.Equal(t, want[0], web.FormatDuration(d, reason.English), d)
		assert.Equal(t, want[1], web.FormatDuration(d, reason.SimplifiedChinese), d)
	}
}

// RequireOperation answers a typed problem when verification is needed and
// hands the proof to the handler once it is not.
func TestRequireOperationProblem(t *testing.T) {
	t.Parallel()
	var proofs int
	var w *world
	guarded := web.RequireOperation(protection.OpChangeSecurityPhone, http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		s, ok := web.SessionFrom(r.Context())
		require.True(t, ok)
		p, ok := web.ProofFrom(r.Context())
		require.True(t, ok)
		assert.True(t, p.Valid(s.AccountID, protection.OpChangeSecurityPhone, w.clock.Now()))
		proofs++
		rw.WriteHeader(http.StatusNoContent)
	}))
	w = newWorld(t, web.Options{Routes: []web.Route{{Pattern: "POST /guarded", Handler: guarded}}})
	w.register()

	// No session: 401.
	p := w.expect(401, "POST", "/guarded", nil)
	assert.Equal(t, "protection.session_invalid", p["code"])

	w.signIn()
	rec := w.do("POST", "/guarded", nil)
	require.Equal(t, 403, rec.Code)
	assert.Equal(t, "application/problem+json", rec.Header().Get("Content-Type"))
	var prob web.Problem
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &prob))
	assert.Equal(t, web.Problem{
		Type: "urn:accountsec:problem:protection.verification_required", Title: "Not allowed", Status: 403,
		Detail: "verify your identity before change_security_phone", Code: reason.ProtectionVerificationRequired,
		Purpose: protection.OpChangeSecurityPhone, Methods: []vocab.VerifyMethod{vocab.VerifyEmail},
	}, prob)
	assert.Zero(t, proofs)

	w.stepUp(map[string]any{"code": string(prob.Code), "purpose": prob.Purpose, "methods": []any{string(prob.Methods[0])}}, "")
	w.expect(204, "POST", "/guarded", nil)
	assert.Equal(t, 1, proofs)
}

func TestCookies(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	c := web.NewCookie(web.DefaultSessionCookie, "tok", now.Add(48*time.Hour), now)
	assert.True(t, strings.HasPrefix(c.Name, "__Host-"))
	assert.Equal(t, "/", c.Path)
	assert.Empty(t, c.Domain)
	assert.True(t, c.Secure)
	assert.True(t, c.HttpOnly)
	assert.Equal(t, http.SameSiteLaxMode, c.SameSite)
	assert.Equal(t, 48*3600, c.MaxAge)
	assert.Contains(t, c.String(), "Secure")
	assert.Contains(t, c.String(), "SameSite=Lax")

	// The cookies the Handler sets at login have those attributes.
	w := newWorld(t, web.Options{})
	w.register()
	rec := w.do("POST", "/login", map[string]string{"login": email, "password": pw})
	require.Equal(t, 200, rec.Code)
	cookies := rec.Result().Cookies()
	require.Len(t, cookies, 1)
	s := cookies[0]
	assert.Equal(t, web.DefaultSessionCookie, s.Name)
	assert.Equal(t, "/", s.Path)
	assert.True(t, s.Secure && s.HttpOnly)
	assert.Equal(t, http.SameSiteLaxMode, s.SameSite)
	assert.Equal(t, int((48 * time.Hour).Seconds()), s.MaxAge, "the session's absolute lifetime")
	assert.NotContains(t, rec.Body.String(), s.Value)

	cl := web.ClearCookie(web.DefaultSessionCookie)
	assert.Equal(t, -1, cl.MaxAge)
	assert.True(t, cl.Secure && cl.HttpOnly)
	assert.Equal(t, "/", cl.Path)
}

// The middleware clears an invalid session cookie and serves the request
// without a session; a valid one reaches SessionFrom.
func TestMiddlewareClearsInvalidCookie(t *testing.T) {
	t.Parallel()
	var seen []bool
	probe := http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		_, ok := web.SessionFrom(r.Context())
		seen = append(seen, ok)
		rw.WriteHeader(204)
	})
	w := newWorld(t, web.Options{Routes: []web.Route{{Pattern: "GET /probe", Handler: probe}}})
	w.register()
	w.signIn()
	rec := w.do("GET", "/probe", nil)
	assert.Equal(t, 204, rec.Code)
	assert.Empty(t, rec.Result().Cookies(), "a valid session sets no cookie")

	for _, bad := range []string{"garbage", "AAAA" + strings.Repeat("x", 40)} {
		r := request("GET", "/probe", nil)
		r.AddCookie(&http.Cookie{Name: web.DefaultSessionCookie, Value: bad})
		rec := httptest.NewRecorder()
		w.h.ServeHTTP(rec, r)
		assert.Equal(t, 204, rec.Code)
		require.Len(t, rec.Result().Cookies(), 1)
		c := rec.Result().Cookies()[0]
		assert.Equal(t, web.DefaultSessionCookie, c.Name)
		assert.Equal(t, -1, c.MaxAge)
	}

	// An idle session is ended and its cookie cleared.
	w.clock.Advance(3 * time.Hour)
	rec = w.do("GET", "/probe", nil)
	require.Len(t, rec.Result().Cookies(), 1)
	assert.Equal(t, -1, rec.Result().Cookies()[0].MaxAge)
	assert.Equal(t, []bool{true, false, false, false}, seen)
}

func TestBodies(t *testing.T) {
	t.Parallel()
	w := newWorld(t, web.Options{MaxBodyBytes: 256})
	r := httptest.NewRequest("POST", "https://"+host+"/login", strings.NewReader("login=a&password=b"))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r.Header.Set("Sec-Fetch-Site", "same-origin")
	rec := w.send(r)
	assert.Equal(t, 415, rec.Code)

	rec = w.do("POST", "/login", map[string]string{"login": strings.Repeat("a", 300)})
	assert.Equal(t, 413, rec.Code)
	rec = w.do("POST", "/login", map[string]string{"unknown": "x"})
	assert.Equal(t, 400, rec.Code)
	assert.Contains(t, rec.Body.String(), `"code":"input.malformed"`)
	rec = w.do("POST", "/login", map[string]string{"login": "nobody@example.com", "password": "x"})
	assert.Equal(t, 401, rec.Code)
	assert.Contains(t, rec.Body.String(), `"code":"password.wrong"`)
}

func TestNewHandlerRefusesBadOptions(t *testing.T) {
	t.Parallel()
	w := newWorld(t, web.Options{})
	for name, o := range map[string]web.Options{
		"prefix":  {Prefix: "account/"},
		"origin":  {TrustedOrigins: []string{"not an origin"}},
		"clash":   {Routes: []web.Route{{Pattern: "POST /login", Handler: http.NotFoundHandler()}}},
		"pattern": {Routes: []web.Route{{Pattern: "nope", Handler: http.NotFoundHandler()}}},
	} {
		_, err := web.NewHandler(w.svc, o)
		assert.Error(t, err, name)
	}
	_, err := web.NewHandler(nil, web.Options{})
	assert.Error(t, err)
}
