package main

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/accountsec/accountsec/notify"
	"github.com/accountsec/accountsec/web"
)

// Real-name data the library's validators accept.
const (
	personName  = "张三"
	personID    = "11010519491231002X"
	companyName = "杭州示例科技有限公司"
	creditCode  = "91350100M000100Y43"
	legalName   = "李四"
	legalID     = "110101199003074477"
)

var accountIDRE = regexp.MustCompile(`id="account-id" class="mono">(\d+)<`)

// accountID is the account ID the account page shows.
func accountID(t *testing.T, p page) string {
	t.Helper()
	m := accountIDRE.FindStringSubmatch(p.body)
	require.NotNil(t, m, "no account ID on %s", p.url)
	return m[1]
}

// code sends what the form at path sends after moving the clock past the
// send interval, and returns the code the outbox got for to.
func (tt *tester) code(to, path string, kv ...string) string {
	tt.t.Helper()
	tt.a.clock.Advance(61 * time.Second)
	tt.post(path, kv...).must(tt.t, 200, "Code sent")
	c := tt.a.outbox.LastCode(to)
	require.NotEmpty(tt.t, c, "no code for %s", to)
	return c
}

// confirmFace decides the newest face check as the host, on the Admin page.
func (tt *tester) confirmFace() {
	tt.t.Helper()
	ticket := tt.a.faces.LastTicket()
	require.NotEmpty(tt.t, ticket)
	tt.get("/admin").must(tt.t, 200, ticket)
	tt.post("/admin/face", "ticket", ticket, "decision", "confirm").must(tt.t, 200, "Saved.")
}

// reviewID is the ID of the review item of kind on the Admin page.
func (tt *tester) reviewID(kind string) (string, page) {
	tt.t.Helper()
	p := tt.get("/admin").must(tt.t, 200, `data-kind="`+kind+`"`)
	m := regexp.MustCompile(`class="review" data-kind="` + kind + `" data-id="([^"]+)"`).FindStringSubmatch(p.body)
	require.NotNil(tt.t, m, "no %s on the Admin page", kind)
	return m[1], p
}

// An appeal through the pages: the account and its real name with the
// contact phone's code, a new login email with its password, a new
// security phone, the face check decided on the Admin page, the review's
// approval; then the new login email signs in, with SMS as the second
// step on the new phone, and the old one no longer does.
func TestAppealPages(t *testing.T) {
	tt := newTester(t, nil)
	const email, pw, newEmail, newPw = "amy@example.com", "Sup3r!Secret", "amy.back@example.com", "N3w!Passw0rd"
	const contact, phone = "+8613900000001", "+8613900000002"
	id := accountID(t, tt.register(email, pw))
	tt.post("/account/real-name", "name", personName, "id_number", personID).must(t, 200, "Saved.")
	tt.post("/logout").must(t, 200, "Signed out.")

	tt.get("/login").must(t, 200, `id="go-appeal"`)
	tt.get("/appeal").must(t, 200, `data-step=""`, `id="appeal-phone-send"`)
	code := tt.code(contact, "/appeal/contact-code", "phone", contact)
	p := tt.post("/appeal/start", "phone", contact, "code", code, "account", id, "name", personName,
		"id_number", personID, "reason", "phone_lost").must(t, 200, `data-step="login_email"`, "Appeal started")
	require.True(t, tt.jar.has(appealCookie))
	assert.NotContains(t, p.url.RawQuery, "ref", "the appeal's reference stays out of URLs")

	code = tt.code(newEmail, "/appeal/email-code", "email", newEmail)
	tt.post("/appeal/email", "email", newEmail, "code", code, "password", newPw, "confirm", newPw).must(t, 200, `data-step="protection"`)
	code = tt.code(phone, "/appeal/phone-code", "phone", phone)
	tt.post("/appeal/phone", "phone", phone, "code", code).must(t, 200, `data-step="face"`)

	tt.post("/appeal/face/start").must(t, 200, "Face check ticket-", `id="appeal-face-result"`)
	tt.post("/appeal/face/result").must(t, 200, "the face check is not finished yet")
	tt.confirmFace()
	tt.post("/appeal/face/result").must(t, 200, "the appeal is in review", `data-step="submitted"`)
	tt.get("/appeal").must(t, 200, `id="appeal-status" data-step="submitted"`) // the wizard hands over to the status page

	// Nothing changed before the review: the old login still works.
	tt.post("/login", "login", email, "password", pw).must(t, 200, `id="account-id"`)
	tt.post("/logout")

	rid, admin := tt.reviewID("appeal")
	assert.Contains(t, admin.body, id)
	assert.NotContains(t, admin.body, `name="remove_mfa"`, "no MFA to remove: the appeal is not routed to manual review")
	tt.post("/admin/review", "id", rid, "decision", "approve", "note", "identity confirmed").must(t, 200, "Saved.")
	tt.get("/admin").must(t, 200, "Nothing to review.")
	tt.get("/appeal/status").must(t, 200, `data-step="approved"`, "identity confirmed")
	tt.get("/outbox").must(t, 200, `data-to="&#43;`+contact[1:]+`" data-purpose="`+string(notify.PurposeNotice)+`"`)

	// The new login email signs in; SMS on the new phone is the second step.
	tt.post("/login", "login", email, "password", pw).must(t, 200, `class="flash error"`)
	p = tt.post("/login", "login", newEmail, "password", newPw).must(t, 200, "Login protection asks for a second step", `id="login-method-sms"`)
	tt.a.clock.Advance(61 * time.Second)
	p = tt.post("/login/challenge", "method", "sms", "methods", p.url.Query().Get("methods"), "second", "1").must(t, 200, `id="login-answer"`)
	p = tt.post("/login/complete", "challenge", p.url.Query().Get("challenge"), "method", "sms",
		"answer", tt.a.outbox.LastCode(phone), "second", "1").must(t, 200, "Signed in.")
	assert.Equal(t, id, accountID(t, p))
}

// An enterprise recovery through the pages: the enterprise real name
// recorded on an account, the company with its credit code, the legal
// person, the face check, the contact phone and the query code; the
// review's approval on the Admin page, the look-up with the query code,
// the phone and an SMS code, and the login email allowance, after which
// the new login email signs in.
func TestEnterprisePages(t *testing.T) {
	tt := newTester(t, nil)
	const email, pw, newEmail, newPw = "boss@example.com", "Sup3r!Secret", "boss.back@example.com", "N3w!Passw0rd"
	const phone = "+8613900000003"
	id := accountID(t, tt.register(email, pw))
	tt.post("/account/real-name/enterprise", "company", companyName, "credit_code", creditCode,
		"legal_name", legalName, "legal_id", legalID).must(t, 200, "Saved.", "enterprise")
	tt.post("/logout")

	tt.get("/enterprise").must(t, 200, `data-step=""`, `id="ent-start"`)
	tt.post("/enterprise/start", "company", companyName, "credit_code", "91350100M000100Y44", "reason", "employee_left").
		must(t, 200, `class="flash error"`, `data-step=""`)
	tt.post("/enterprise/start", "company", companyName, "credit_code", creditCode, "reason", "employee_left").must(t, 200, `data-step="legal_person"`)
	tt.post("/enterprise/legal-person", "name", legalName, "id_number", legalID).must(t, 200, `data-step="face"`)
	tt.post("/enterprise/face/start").must(t, 200, "Face check ticket-")
	tt.confirmFace()
	tt.post("/enterprise/face/result").must(t, 200, "Face check passed.", `data-step="contact"`)
	code := tt.code(phone, "/enterprise/contact-code", "phone", phone)
	p := tt.post("/enterprise/submit", "phone", phone, "code", code).must(t, 200, `id="query-code"`)
	m := regexp.MustCompile(`id="query-code">([0-9A-Z]{20})<`).FindStringSubmatch(p.body)
	require.NotNil(t, m, "no query code:\n%s", p.body)
	query := m[1]
	assert.False(t, tt.jar.has(enterpriseCookie), "a submitted recovery leaves the wizard")

	// Before the review the look-up says so.
	tt.a.clock.Advance(61 * time.Second)
	tt.post("/enterprise/result/code", "query", query, "phone", phone).must(t, 200, `id="lookup-sent"`, `id="lookup-code"`)
	tt.post("/enterprise/result", "query", query, "phone", phone, "code", tt.a.outbox.LastCode(phone)).must(t, 200, `data-status="submitted"`)

	rid, admin := tt.reviewID("enterprise")
	assert.Contains(t, admin.body, companyName)
	assert.Contains(t, admin.body, id, "the reviewer sees the matched account")
	tt.post("/admin/review", "id", rid, "decision", "approve").must(t, 200, "Saved.")

	tt.a.clock.Advance(61 * time.Second)
	tt.post("/enterprise/result/code", "query", query, "phone", phone).must(t, 200, `id="lookup-sent"`)
	p = tt.post("/enterprise/result", "query", query, "phone", phone, "code", tt.a.outbox.LastCode(phone)).
		must(t, 200, `data-status="approved"`, `class="ent-account" data-id="`+id+`"`, `id="go-allowances"`)
	require.True(t, tt.jar.has(grantCookie))

	tt.get("/enterprise/allowances").must(t, 200, `class="card allowance" data-id="`+id+`"`)
	code = tt.code(newEmail, "/enterprise/allowances/email-code", "account_id", id, "email", newEmail)
	tt.post("/enterprise/allowances/email", "account_id", id, "email", newEmail, "code", code, "password", newPw, "confirm", newPw).
		must(t, 200, "Login email added to account "+id)
	// Each allowance serves once.
	tt.a.clock.Advance(61 * time.Second)
	tt.post("/enterprise/allowances/email-code", "account_id", id, "email", "boss.again@example.com").must(t, 200, `class="flash error"`)

	p = tt.post("/login", "login", newEmail, "password", newPw).must(t, 200, "Signed in.")
	assert.Equal(t, id, accountID(t, p))
}

// WeCom sub-users through the pages: the account links its simulated
// enterprise (authorised by the WeCom administrator only), sets the scope
// to Headquarters, shares a sub-user link; a partner outside the scope is
// refused, an R&D member applies and is approved; an administrator link
// refuses a member who is no WeCom administrator and the administrator's
// application is rejected. The members' WeCom messages say both.
func TestSubUserPages(t *testing.T) {
	tt := newTester(t, nil)
	tt.register("corp@example.com", "Sup3r!Secret").must(t, 200, `id="nav-subusers"`)
	require.NotNil(t, tt.a.svc.SubUsers)

	tt.get("/subusers").must(t, 200, `id="wecom-link"`)
	tt.post("/subusers/link", "admin_user_id", "lina").must(t, 200, `class="flash error"`, "only an administrator of the WeCom enterprise")
	tt.post("/subusers/link", "admin_user_id", "zhangwei", "corp_name", "Demo Tech").must(t, 200, "Enterprise linked", `id="wecom-enterprise"`, "Demo Tech")
	tt.post("/subusers/scope", "department", "hq").must(t, 200, "Saved.", `id="scope-dept-hq" checked`)

	link := func(kind string) string {
		p := tt.post("/subusers/links", "kind", kind).must(t, 200, `id="wecom-new-link"`)
		m := regexp.MustCompile(`id="wecom-new-link" href="([^"]+)"`).FindStringSubmatch(p.body)
		require.NotNil(t, m)
		u, err := url.Parse(strings.ReplaceAll(m[1], "&amp;", "&"))
		require.NoError(t, err)
		require.Equal(t, "/wecom/join", u.Path)
		return u.Query().Get("token")
	}
	// The member's side runs in another browser, without the account's session.
	member := newTester(t, tt.a)
	token := link("sub_user")
	member.get("/wecom/join?token="+url.QueryEscape(token)).must(t, 200, `id="join-apply"`)
	member.post("/wecom/join", "token", token, "member", "chenjie").must(t, 200, `id="join-error"`, "outside the application")
	member.post("/wecom/join", "token", token, "member", "lina").must(t, 200, `id="join-applied" data-state="pending"`)
	member.post("/wecom/join", "token", token, "member", "wangfang").must(t, 200, `id="join-error"`) // one application per link

	p := tt.get("/subusers").must(t, 200, `class="application" data-member="lina"`)
	app := regexp.MustCompile(`data-member="lina" data-id="([^"]+)"`).FindStringSubmatch(p.body)[1]
	tt.post("/subusers/approve", "id", app, "policy", "QcloudCVMReadOnlyAccess", "group", "developers").
		must(t, 200, "李娜 is now sub-user sub-1", `id="wecom-granted"`, "QcloudCVMReadOnlyAccess")

	token = link("administrator")
	member.post("/wecom/join", "token", token, "member", "wangfang").must(t, 200, "only an administrator of the WeCom enterprise")
	member.post("/wecom/join", "token", token, "member", "zhangwei").must(t, 200, `id="join-applied"`)
	p = tt.get("/subusers").must(t, 200, `data-member="zhangwei"`, `name="cam_admin"`)
	app = regexp.MustCompile(`data-member="zhangwei" data-id="([^"]+)"`).FindStringSubmatch(p.body)[1]
	tt.post("/subusers/reject", "id", app, "note", "use your own account").must(t, 200, "was rejected", "No application waits.")

	notices := member.get("/wecom").must(t, 200, `id="wecom-notices"`).body
	assert.Contains(t, notices, `data-member="lina" data-decision="approved"`)
	assert.Contains(t, notices, `data-member="zhangwei" data-decision="rejected"`)
	assert.Contains(t, notices, "use your own account")
	assert.Len(t, tt.a.wecom.Grants(), 1)
}

// An appeal of an account with MFA login whose owner skips the new phone
// is routed to manual review: the Admin page offers "remove MFA", an
// approval without it is refused, and with it the new login email signs
// in with its password alone (login protection is off).
func TestAppealRemoveMFA(t *testing.T) {
	tt := newTester(t, nil)
	const email, pw, newEmail, newPw, contact = "mia@example.com", "Sup3r!Secret", "mia.back@example.com", "N3w!Passw0rd", "+8613900000004"
	id := accountID(t, tt.register(email, pw))
	tt.post("/account/real-name", "name", personName, "id_number", personID).must(t, 200, "Saved.")

	// Virtual MFA as the login's second step.
	tt.stepUpByEmail(tt.post("/security/mfa/enrol", "label", "mia"), email)
	p := tt.post("/security/mfa/enrol", "label", "mia").must(t, 200, `id="mfa-qr"`)
	key := strings.ReplaceAll(keyRE.FindStringSubmatch(p.body)[1], " ", "")
	totpNow := func() string {
		tt.a.clock.Advance(30 * time.Second)
		c, err := totp.GenerateCode(key, tt.a.clock.Now())
		require.NoError(t, err)
		return c
	}
	device := regexp.MustCompile(`name="device_id" value="([^"]+)"`).FindStringSubmatch(p.body)[1]
	tt.post("/security/mfa/confirm", "device_id", device, "code", totpNow(), "login", "on", "operation", "on").
		must(t, 200, "Virtual MFA bound", `<option value="mfa" selected>`)
	tt.post("/logout")
	tt.post("/login", "login", email, "password", pw).must(t, 200, `id="login-method-mfa"`)
	tt.jar.SetCookies(nil, []*http.Cookie{{Name: web.DefaultPendingCookie, MaxAge: -1}})

	code := tt.code(contact, "/appeal/contact-code", "phone", contact)
	tt.post("/appeal/start", "phone", contact, "code", code, "account", email, "name", personName,
		"id_number", personID, "reason", "phone_lost").must(t, 200, `data-step="login_email"`)
	code = tt.code(newEmail, "/appeal/email-code", "email", newEmail)
	tt.post("/appeal/email", "email", newEmail, "code", code, "password", newPw, "confirm", newPw).must(t, 200, `data-step="protection"`)
	tt.post("/appeal/skip-phone").must(t, 200, `data-step="face"`)
	tt.post("/appeal/face/start").must(t, 200, "Face check ticket-")
	tt.confirmFace()
	tt.post("/appeal/face/result").must(t, 200, `data-step="submitted"`)

	rid, admin := tt.reviewID("appeal")
	assert.Contains(t, admin.body, `id="remove-mfa-`+id+`"`)
	assert.Contains(t, admin.body, "MFA login and no new phone")
	tt.post("/admin/review", "id", rid, "decision", "approve").must(t, 200, `class="flash error"`, `data-id="`+rid+`"`)
	tt.post("/admin/review", "id", rid, "decision", "approve", "remove_mfa", "on").must(t, 200, "Saved.", "Nothing to review.")

	p = tt.post("/login", "login", newEmail, "password", newPw).must(t, 200, "Signed in.")
	assert.Equal(t, id, accountID(t, p))
	// MFA no longer guards the login: the approval turned login protection off.
	tt.get("/security").must(t, 200, `id="set-login"><option value="none" selected>`)
}

// The new pages in Chinese, with no text key left untranslated.
func TestFlowPagesInChinese(t *testing.T) {
	tt := newTester(t, nil)
	tt.register("zh@example.com", "Sup3r!Secret")
	tt.post("/subusers/link", "admin_user_id", "zhangwei").must(t, 200, "Enterprise linked")
	tt.post("/lang", "lang", "zh", "back", "/").must(t, 200, "账号中心")
	for _, path := range []string{"/appeal", "/appeal/status", "/enterprise", "/enterprise/result", "/enterprise/allowances", "/subusers", "/wecom", "/wecom/join", "/admin", "/flows", "/login", "/account"} {
		p := tt.get(path).must(t, 200, "账号中心")
		for k := range flowTexts {
			assert.NotContains(t, p.body, ">"+k+"<", "%s shows the key %s", path, k)
		}
	}
	tt.get("/subusers").must(t, 200, "总部", "可见范围")
}
