package web_test

import (
	"context"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/accountsec/accountsec"
	"github.com/accountsec/accountsec/subuser"
)

const corp = "corp-1"

// subUserWorld is a signed-in account whose WeCom enterprise is linked,
// with an administrator principal and three members: zhang in department
// d1, wang outside it, and boss, a WeCom administrator.
func subUserWorld(t *testing.T) (*flowWorld, string) {
	t.Helper()
	w := newFlowWorld(t, hookOptions())
	a := w.registerAs(email)
	w.wecom.AllowAdmin(a.ID, "root")
	w.wecom.AddMember(corp, subuser.Member{UserID: "boss", Name: "Boss", Admin: true})
	w.wecom.AddMember(corp, subuser.Member{UserID: "zhang", Name: "Zhang", Departments: []string{"d1"}})
	w.wecom.AddMember(corp, subuser.Member{UserID: "wang", Name: "Wang", Departments: []string{"d2"}})
	_, err := w.svc.SubUsers.Link(context.Background(), subuser.LinkRequest{
		AccountID: a.ID, Principal: "root", CorpID: corp, CorpName: "Example Corp", AdminUserID: "boss",
	})
	require.NoError(t, err)
	w.signIn()
	return w, a.ID
}

var asRoot = map[string]string{principalHeader: "root"}

// apply sends a member's application as the member's browser would: no
// account session, the member's identity from the host's WeCom login.
func (w *flowWorld) apply(member, token string) *httptest.ResponseRecorder {
	w.t.Helper()
	r := request("POST", "/subusers/apply", map[string]string{"token": token})
	if member != "" {
		r.Header.Set(memberHeader, member)
	}
	rec := httptest.NewRecorder()
	w.h.ServeHTTP(rec, r)
	w.bodies = append(w.bodies, rec.Body.String())
	return rec
}

// The administrator sets the scope and issues a link; a member inside the
// scope applies through it (once); the administrator approves one
// application and rejects another.
func TestSubUsersOverHTTP(t *testing.T) {
	t.Parallel()
	w, id := subUserWorld(t)

	// Administrator calls need the host's principal.
	assert.Equal(t, "web.not_authorized", w.problemCode(403, "GET", "/subusers/applications", nil))
	assert.Equal(t, "subuser.not_administrator", w.expectAs(map[string]string{principalHeader: "intruder"}, 403, "GET", "/subusers/applications", nil)["code"])

	e := w.expectAs(asRoot, 200, "PUT", "/subusers/scope", map[string]any{"departments": []map[string]string{{"id": "d1", "name": "R&D"}}, "members": []map[string]string{{"id": "boss", "name": "Boss"}}})
	assert.Equal(t, corp, e["corp_id"])
	assert.Len(t, e["scope"].(map[string]any)["departments"], 1)
	assert.Equal(t, e["scope"], w.expectAs(asRoot, 200, "GET", "/subusers/enterprise", nil)["scope"])

	assert.Equal(t, "subuser.unknown_link_kind", w.expectAs(asRoot, 400, "POST", "/subusers/links", map[string]string{"kind": "owner"})["code"])
	link := w.expectAs(asRoot, 201, "POST", "/subusers/links", map[string]string{"kind": "sub_user"})
	token := link["token"].(string)
	assert.Equal(t, "sub_user", link["kind"])

	// A member outside the scope cannot apply; the link is not spent.
	rec := w.apply("wang", token)
	require.Equal(t, 403, rec.Code, rec.Body.String())
	assert.Contains(t, rec.Body.String(), `"code":"subuser.outside_scope"`)
	rec = w.apply("", token)
	require.Equal(t, 403, rec.Code)
	assert.Contains(t, rec.Body.String(), `"code":"web.not_authorized"`)
	rec = w.apply("zhang", token)
	require.Equal(t, 201, rec.Code, rec.Body.String())
	assert.Contains(t, rec.Body.String(), `"state":"pending"`)
	rec = w.apply("boss", token)
	require.Equal(t, 404, rec.Code)
	assert.Contains(t, rec.Body.String(), `"code":"subuser.link_invalid"`)

	// The administrator's review.
	pending := w.list(asRoot, "/subusers/applications")
	require.Len(t, pending, 1)
	assert.Equal(t, "zhang", pending[0]["member_id"])
	appID := pending[0]["id"].(string)
	assert.Equal(t, "web.not_authorized", w.problemCode(403, "POST", "/subusers/applications/"+appID+"/approve", map[string]any{"policies": []string{"ReadOnly"}}))
	a := w.expectAs(asRoot, 200, "POST", "/subusers/applications/"+appID+"/approve", map[string]any{"policies": []string{"ReadOnly"}})
	assert.Equal(t, "approved", a["state"])
	assert.Equal(t, true, a["notified"])
	assert.NotEmpty(t, a["sub_user_id"])
	require.Len(t, w.wecom.Grants(), 1)
	assert.Equal(t, id, w.wecom.Grants()[0].AccountID)
	assert.Equal(t, "subuser.already_decided", w.expectAs(asRoot, 409, "POST", "/subusers/applications/"+appID+"/reject", map[string]any{"note": "no"})["code"])

	// Another application, rejected; the notice fails, the decision stands.
	link = w.expectAs(asRoot, 201, "POST", "/subusers/links", map[string]string{"kind": "administrator"})
	second := link["token"].(string)
	rec = w.apply("boss", second)
	require.Equal(t, 201, rec.Code, rec.Body.String())
	pending = w.list(asRoot, "/subusers/applications")
	require.Len(t, pending, 1)
	w.wecom.FailNotices(assert.AnError)
	r := w.expectAs(asRoot, 200, "POST", "/subusers/applications/"+pending[0]["id"].(string)+"/reject", map[string]any{"note": "not now"})
	assert.Equal(t, "rejected", r["state"])
	assert.Equal(t, false, r["notified"])
	assert.Empty(t, w.list(asRoot, "/subusers/applications"))

	w.deliveredOnce(token)
	w.deliveredOnce(second)
	w.noOutboxCode()
}

// Without a WeCom host the sub-user endpoints answer feature.unavailable.
func TestSubUsersUnavailable(t *testing.T) {
	t.Parallel()
	w := newFlowWorld(t, hookOptions(), func(d *accountsec.Deps) { d.SubUserHost = nil })
	require.Nil(t, w.svc.SubUsers)
	rec := w.apply("zhang", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")
	assert.Equal(t, 501, rec.Code)
	assert.Contains(t, rec.Body.String(), `"code":"feature.unavailable"`)
	assert.Equal(t, "feature.unavailable", w.expectAs(asRoot, 501, "GET", "/subusers/applications", nil)["code"])
}
