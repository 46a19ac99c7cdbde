package accountsec_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/accountsec/accountsec"
	"github.com/accountsec/accountsec/account"
	"github.com/accountsec/accountsec/account/password"
	"github.com/accountsec/accountsec/fakes"
	"github.com/accountsec/accountsec/reason"
	"github.com/accountsec/accountsec/subuser"
)

func TestFacadeWiresSubUsersOnTheFlowStore(t *testing.T) {
	t.Parallel()
	cfg := accountsec.Config{Secret: []byte("0123456789abcdef0123456789abcdef"), Hashing: password.HasherConfig{Params: password.InsecureTestParams()}}
	plain, err := accountsec.New(cfg, accountsec.Deps{})
	require.NoError(t, err)
	assert.Nil(t, plain.SubUsers, "no host, no sub-users")

	clock, host := &fakes.Clock{}, &fakes.WeCom{}
	svc, err := accountsec.New(cfg, accountsec.Deps{SubUserHost: host, Now: clock.Now})
	require.NoError(t, err)
	require.NotNil(t, svc.SubUsers)
	ctx := t.Context()
	a, err := svc.Accounts.Register(ctx, account.Registration{Method: account.MethodQQ, Identifier: "qq-owner"})
	require.NoError(t, err)
	host.AllowAdmin(a.ID, "main")
	host.AddMember("corp", subuser.Member{UserID: "admin", Name: "管理员", Admin: true})
	host.AddMember("corp", subuser.Member{UserID: "m1", Name: "成员", Departments: []string{"d1"}})
	_, err = svc.SubUsers.Link(ctx, subuser.LinkRequest{AccountID: a.ID, Principal: "main", CorpID: "corp", CorpName: "示例", AdminUserID: "admin"})
	require.NoError(t, err)
	_, err = svc.SubUsers.SetScope(ctx, a.ID, "main", subuser.Scope{Departments: []subuser.Unit{{ID: "d1", Name: "部门"}}})
	require.NoError(t, err)
	l, err := svc.SubUsers.CreateLink(ctx, a.ID, "main", subuser.LinkSubUser)
	require.NoError(t, err)
	clock.Advance(4 * time.Hour)
	_, err = svc.SubUsers.Apply(ctx, l.Token, "m1")
	assert.Equal(t, reason.SubUserLinkInvalid, reason.CodeOf(err))

	_, err = accountsec.New(accountsec.Config{Secret: cfg.Secret, SubUsers: subuser.Policy{LinkTTL: time.Second}}, accountsec.Deps{SubUserHost: host})
	assert.Equal(t, reason.PolicyInvalid, reason.CodeOf(err))
}
