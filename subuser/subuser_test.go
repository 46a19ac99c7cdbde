package subuser_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/accountsec/accountsec/event"
	"github.com/accountsec/accountsec/fakes"
	"github.com/accountsec/accountsec/reason"
	"github.com/accountsec/accountsec/store/memstore"
	"github.com/accountsec/accountsec/subuser"
)

const (
	acct  = "100012345678"
	owner = "main:100012345678"
	corp  = "wwcorp0001"
)

type env struct {
	m      *subuser.Manager
	clock  *fakes.Clock
	host   *fakes.WeCom
	events *fakes.Events
	store  *memstore.Store
}

func newEnv(t *testing.T) *env {
	t.Helper()
	e := &env{clock: &fakes.Clock{}, host: &fakes.WeCom{}, events: &fakes.Events{}, store: memstore.New()}
	m, err := subuser.New(subuser.Config{
		Store: e.store, Administrators: e.host, Directory: e.host, Granter: e.host, Notifier: e.host,
		Secret: []byte("0123456789abcdef0123456789abcdef"), Now: e.clock.Now, Events: e.events.Hook,
	})
	require.NoError(t, err)
	e.m = m
	e.host.AllowAdmin(acct, owner)
	e.host.AddMember(corp, subuser.Member{UserID: "boss", Name: "老板", Departments: []string{"1"}, Admin: true})
	e.host.AddMember(corp, subuser.Member{UserID: "zhang", Name: "张三", Departments: []string{"10", "1"}})
	e.host.AddMember(corp, subuser.Member{UserID: "li", Name: "李四", Departments: []string{"20"}})
	e.host.AddMember(corp, subuser.Member{UserID: "wang", Name: "王五", Departments: []string{"30"}})
	return e
}

// linked links the enterprise and sets a scope of department 10 and
// members boss and wang.
func (e *env) linked(t *testing.T) {
	t.Helper()
	ctx := t.Context()
	_, err := e.m.Link(ctx, subuser.LinkRequest{AccountID: acct, Principal: owner, CorpID: corp, CorpName: "示例科技", AdminUserID: "boss"})
	require.NoError(t, err)
	_, err = e.m.SetScope(ctx, acct, owner, subuser.Scope{
		Departments: []subuser.Unit{{ID: "10", Name: "研发部"}},
		Members:     []subuser.Unit{{ID: "boss", Name: "老板"}, {ID: "wang", Name: "王五"}},
	})
	require.NoError(t, err)
}

func (e *env) link(t *testing.T, kind subuser.LinkKind) subuser.Link {
	t.Helper()
	l, err := e.m.CreateLink(t.Context(), acct, owner, kind)
	require.NoError(t, err)
	return l
}

func TestLinkIsValidFourHours(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.linked(t)
	early, late := e.link(t, subuser.LinkSubUser), e.link(t, subuser.LinkSubUser)
	assert.Equal(t, e.clock.Now().Add(4*time.Hour), early.ExpiresAt)
	assert.True(t, subuser.ParseToken(early.Token))

	e.clock.Advance(3*time.Hour + 59*time.Minute)
	a, err := e.m.Apply(t.Context(), early.Token, "zhang")
	require.NoError(t, err)
	assert.Equal(t, subuser.StatePending, a.State)
	assert.Equal(t, "张三", a.MemberName)

	e.clock.Advance(time.Minute) // exactly 4 hours
	_, err = e.m.Apply(t.Context(), late.Token, "wang")
	require.ErrorIs(t, err, subuser.ErrLinkInvalid)
	assert.Equal(t, reason.SubUserLinkInvalid, reason.CodeOf(err))
	pending, err := e.m.Pending(t.Context(), acct, owner)
	require.NoError(t, err)
	require.Len(t, pending, 1, "the refused link made no application")
	assert.Equal(t, "zhang", pending[0].MemberID)
}

func TestUsedLinkIsRefused(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.linked(t)
	l := e.link(t, subuser.LinkSubUser)
	_, err := e.m.Apply(t.Context(), l.Token, "zhang")
	require.NoError(t, err)
	_, err = e.m.Apply(t.Context(), l.Token, "wang")
	require.ErrorIs(t, err, subuser.ErrLinkInvalid)
	assert.Equal(t, 1, e.events.Count(event.SubUserApplied))
}

func TestParallelUsesOfOneLinkMakeOneApplication(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.linked(t)
	l := e.link(t, subuser.LinkSubUser)
	members := []string{"zhang", "wang", "boss"}
	var wg sync.WaitGroup
	errs := make([]error, 20)
	for i := range errs {
		wg.Go(func() { _, errs[i] = e.m.Apply(context.Background(), l.Token, members[i%len(members)]) })
	}
	wg.Wait()
	ok := 0
	for _, err := range errs {
		if err == nil {
			ok++
		} else {
			assert.ErrorIs(t, err, subuser.ErrLinkInvalid)
		}
	}
	assert.Equal(t, 1, ok)
	pending, err := e.m.Pending(t.Context(), acct, owner)
	require.NoError(t, err)
	assert.Len(t, pending, 1)
	assert.Equal(t, 1, e.events.Count(event.SubUserApplied))
}

func TestMemberOutsideTheScopeCannotApplyNorBeAdded(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.linked(t)
	l := e.link(t, subuser.LinkSubUser)
	_, err := e.m.Apply(t.Context(), l.Token, "li") // department 20, not listed
	require.ErrorIs(t, err, subuser.ErrOutsideScope)
	assert.Equal(t, reason.SubUserOutsideScope, reason.CodeOf(err))
	_, err = e.m.Apply(t.Context(), l.Token, "nobody")
	require.ErrorIs(t, err, subuser.ErrMemberUnknown)
	pending, err := e.m.Pending(t.Context(), acct, owner)
	require.NoError(t, err)
	assert.Empty(t, pending)

	// The refusal did not spend the link: a member in scope still applies.
	a, err := e.m.Apply(t.Context(), l.Token, "wang")
	require.NoError(t, err)

	// The scope shrinks before the review: the member cannot be added.
	_, err = e.m.SetScope(t.Context(), acct, owner, subuser.Scope{Departments: []subuser.Unit{{ID: "10", Name: "研发部"}}})
	require.NoError(t, err)
	_, err = e.m.Approve(t.Context(), acct, owner, a.ID, subuser.Grant{Policies: []string{"ReadOnlyAccess"}})
	require.ErrorIs(t, err, subuser.ErrOutsideScope)
	assert.Empty(t, e.host.Grants())
	got, err := e.m.Application(t.Context(), acct, owner, a.ID)
	require.NoError(t, err)
	assert.Equal(t, subuser.StatePending, got.State)
}

func TestApproveGrantsAndNotifies(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.linked(t)
	a, err := e.m.Apply(t.Context(), e.link(t, subuser.LinkSubUser).Token, "zhang")
	require.NoError(t, err)
	e.clock.Advance(time.Hour)
	out, err := e.m.Approve(t.Context(), acct, owner, a.ID, subuser.Grant{Policies: []string{"QcloudCVMFullAccess"}, Groups: []string{"dev"}})
	require.NoError(t, err)
	assert.Equal(t, subuser.StateApproved, out.State)
	assert.Equal(t, "sub-1", out.SubUserID)
	require.Len(t, e.host.Grants(), 1)
	assert.Equal(t, []string{"QcloudCVMFullAccess"}, e.host.Grants()[0].Policies)
	assert.False(t, e.host.Grants()[0].CAMAdmin)
	require.Len(t, e.host.Notices(), 1)
	n := e.host.Notices()[0]
	assert.Equal(t, subuser.Approved, n.Decision)
	assert.Equal(t, "zhang", n.MemberID)
	assert.Equal(t, corp, n.CorpID)
	assert.Equal(t, "sub-1", n.SubUserID)
	assert.Equal(t, 1, e.events.Count(event.SubUserApproved))

	// Decided: neither approved again nor rejected, and not listed.
	_, err = e.m.Reject(t.Context(), acct, owner, a.ID, "")
	require.ErrorIs(t, err, subuser.ErrAlreadyDecided)
	_, err = e.m.Approve(t.Context(), acct, owner, a.ID, subuser.Grant{})
	require.ErrorIs(t, err, subuser.ErrAlreadyDecided)
	pending, err := e.m.Pending(t.Context(), acct, owner)
	require.NoError(t, err)
	assert.Empty(t, pending)
	_, err = e.m.Apply(t.Context(), e.link(t, subuser.LinkSubUser).Token, "zhang")
	require.ErrorIs(t, err, subuser.ErrAlreadyApproved)
	assert.Len(t, e.host.Notices(), 1)
}

func TestRejectNotifies(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.linked(t)
	a, err := e.m.Apply(t.Context(), e.link(t, subuser.LinkSubUser).Token, "zhang")
	require.NoError(t, err)
	_, err = e.m.Apply(t.Context(), e.link(t, subuser.LinkSubUser).Token, "zhang")
	require.ErrorIs(t, err, subuser.ErrAlreadyPending)

	out, err := e.m.Reject(t.Context(), acct, owner, a.ID, "请用工作账号申请")
	require.NoError(t, err)
	assert.Equal(t, subuser.StateRejected, out.State)
	assert.Empty(t, e.host.Grants())
	require.Len(t, e.host.Notices(), 1)
	assert.Equal(t, subuser.Rejected, e.host.Notices()[0].Decision)
	assert.Equal(t, "请用工作账号申请", e.host.Notices()[0].Note)
	assert.Equal(t, 1, e.events.Count(event.SubUserRejected))

	_, err = e.m.Approve(t.Context(), acct, owner, a.ID, subuser.Grant{})
	require.ErrorIs(t, err, subuser.ErrAlreadyDecided)
	// After a rejection the member may apply again.
	again, err := e.m.Apply(t.Context(), e.link(t, subuser.LinkSubUser).Token, "zhang")
	require.NoError(t, err)
	assert.Equal(t, a.ID, again.ID)
	assert.Equal(t, subuser.StatePending, again.State)
}

func TestCAMAdministratorNeedsAnAdministratorApplicationOfAWeComAdmin(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.linked(t)
	plain, err := e.m.Apply(t.Context(), e.link(t, subuser.LinkSubUser).Token, "wang")
	require.NoError(t, err)
	_, err = e.m.Approve(t.Context(), acct, owner, plain.ID, subuser.Grant{CAMAdmin: true})
	require.ErrorIs(t, err, subuser.ErrNotAdminEligible)

	adminLink := e.link(t, subuser.LinkAdministrator)
	_, err = e.m.Apply(t.Context(), adminLink.Token, "zhang") // not a WeCom administrator
	require.ErrorIs(t, err, subuser.ErrNotWeComAdmin)
	adm, err := e.m.Apply(t.Context(), adminLink.Token, "boss")
	require.NoError(t, err)
	assert.True(t, adm.AdminEligible())
	out, err := e.m.Approve(t.Context(), acct, owner, adm.ID, subuser.Grant{CAMAdmin: true})
	require.NoError(t, err)
	assert.True(t, out.Grant.CAMAdmin)
	require.Len(t, e.host.Grants(), 1)
	assert.True(t, e.host.Grants()[0].CAMAdmin)
}

func TestOnlyAnAdministratorActs(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := t.Context()
	req := subuser.LinkRequest{AccountID: acct, Principal: "sub:readonly", CorpID: corp, CorpName: "示例科技", AdminUserID: "boss"}
	_, err := e.m.Link(ctx, req)
	require.ErrorIs(t, err, subuser.ErrNotAdministrator)
	req.Principal, req.AdminUserID = owner, "zhang"
	_, err = e.m.Link(ctx, req)
	require.ErrorIs(t, err, subuser.ErrNotWeComAdmin)
	_, err = e.m.CreateLink(ctx, acct, owner, subuser.LinkSubUser)
	require.ErrorIs(t, err, subuser.ErrNotLinked)

	// A sub-user with full access may act for the main account.
	e.host.AllowAdmin(acct, "sub:admin")
	req.Principal, req.AdminUserID = "sub:admin", "boss"
	_, err = e.m.Link(ctx, req)
	require.NoError(t, err)
	_, err = e.m.SetScope(ctx, acct, "sub:readonly", subuser.Scope{})
	require.ErrorIs(t, err, subuser.ErrNotAdministrator)
	_, err = e.m.CreateLink(ctx, acct, "sub:readonly", subuser.LinkSubUser)
	require.ErrorIs(t, err, subuser.ErrNotAdministrator)
	_, err = e.m.Pending(ctx, acct, "sub:readonly")
	require.ErrorIs(t, err, subuser.ErrNotAdministrator)

	// One enterprise, one account.
	e.host.AllowAdmin("100099999999", "main:100099999999")
	_, err = e.m.Link(ctx, subuser.LinkRequest{AccountID: "100099999999", Principal: "main:100099999999", CorpID: corp, CorpName: "x", AdminUserID: "boss"})
	require.ErrorIs(t, err, subuser.ErrEnterpriseTaken)
	assert.Equal(t, 1, e.events.Count(event.SubUserEnterpriseLinked))
}

func TestRacingApproveAndRejectOneWins(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.linked(t)
	a, err := e.m.Apply(t.Context(), e.link(t, subuser.LinkSubUser).Token, "zhang")
	require.NoError(t, err)
	var wg sync.WaitGroup
	errs := make([]error, 10)
	for i := range errs {
		wg.Go(func() {
			if i%2 == 0 {
				_, errs[i] = e.m.Approve(context.Background(), acct, owner, a.ID, subuser.Grant{Policies: []string{"p"}})
			} else {
				_, errs[i] = e.m.Reject(context.Background(), acct, owner, a.ID, "")
			}
		})
	}
	wg.Wait()
	ok := 0
	for _, err := range errs {
		if err == nil {
			ok++
		} else {
			assert.ErrorIs(t, err, subuser.ErrAlreadyDecided)
		}
	}
	assert.Equal(t, 1, ok)
	assert.Len(t, e.host.Notices(), 1)
}

func TestGrantFailureLeavesTheApplicationPending(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.linked(t)
	a, err := e.m.Apply(t.Context(), e.link(t, subuser.LinkSubUser).Token, "zhang")
	require.NoError(t, err)
	cause := errors.New("cam: unavailable")
	e.host.FailGrants(cause)
	_, err = e.m.Approve(t.Context(), acct, owner, a.ID, subuser.Grant{Policies: []string{"p"}})
	require.ErrorIs(t, err, subuser.ErrGrantFailed)
	require.ErrorIs(t, err, cause)
	got, err := e.m.Application(t.Context(), acct, owner, a.ID)
	require.NoError(t, err)
	assert.Equal(t, subuser.StatePending, got.State)
	assert.Empty(t, e.host.Notices())

	e.host.FailGrants(nil)
	e.host.FailNotices(errors.New("wecom: down"))
	out, err := e.m.Approve(t.Context(), acct, owner, a.ID, subuser.Grant{Policies: []string{"p"}})
	require.ErrorIs(t, err, subuser.ErrNotifyFailed)
	assert.Equal(t, subuser.StateApproved, out.State, "a failed notice does not undo the approval")
	assert.Equal(t, 1, e.events.Count(event.SubUserNotifyFailed))
}

func TestApplicationsExpireUnreviewed(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.linked(t)
	a, err := e.m.Apply(t.Context(), e.link(t, subuser.LinkSubUser).Token, "zhang")
	require.NoError(t, err)
	e.clock.Advance(subuser.DefaultReviewTTL)
	_, err = e.m.Approve(t.Context(), acct, owner, a.ID, subuser.Grant{})
	require.ErrorIs(t, err, subuser.ErrApplicationExpired)
	pending, err := e.m.Pending(t.Context(), acct, owner)
	require.NoError(t, err)
	assert.Empty(t, pending)
	_, err = e.m.Apply(t.Context(), e.link(t, subuser.LinkSubUser).Token, "zhang")
	require.NoError(t, err, "an expired application does not block a new one")
}

func TestScopeHoldsNamesOnlyAndIsBounded(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.linked(t)
	ent, err := e.m.Enterprise(t.Context(), acct, owner)
	require.NoError(t, err)
	assert.Equal(t, []subuser.Unit{{ID: "10", Name: "研发部"}}, ent.Scope.Departments)
	assert.Equal(t, "boss", ent.AdminUserID)

	big := subuser.Scope{}
	for i := range subuser.MaxScopeUnits + 1 {
		big.Members = append(big.Members, subuser.Unit{ID: fmt.Sprint("m", i), Name: "n"})
	}
	_, err = e.m.SetScope(t.Context(), acct, owner, big)
	require.ErrorIs(t, err, subuser.ErrScopeTooLarge)
	_, err = e.m.SetScope(t.Context(), acct, owner, subuser.Scope{Members: []subuser.Unit{{ID: "a", Name: "x"}, {ID: "a", Name: "y"}}})
	assert.Equal(t, reason.InputMalformed, reason.CodeOf(err))
	ent2, err := e.m.Enterprise(t.Context(), acct, owner)
	require.NoError(t, err)
	assert.Equal(t, ent.Scope, ent2.Scope, "refused scopes changed nothing")
}

func TestBadInputIsReasonCoded(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.linked(t)
	ctx := t.Context()
	l := e.link(t, subuser.LinkSubUser)
	cases := []struct {
		name string
		call func() error
		code reason.Code
	}{
		{"apply: empty token", func() error { _, err := e.m.Apply(ctx, "", "zhang"); return err }, reason.SubUserLinkMalformed},
		{"apply: padded token", func() error { _, err := e.m.Apply(ctx, l.Token+"=", "zhang"); return err }, reason.SubUserLinkMalformed},
		{"apply: unknown token", func() error {
			_, err := e.m.Apply(ctx, "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "zhang")
			return err
		}, reason.SubUserLinkInvalid},
		{"apply: empty member", func() error { _, err := e.m.Apply(ctx, l.Token, ""); return err }, reason.InputEmpty},
		{"apply: member with a space", func() error { _, err := e.m.Apply(ctx, l.Token, "a b"); return err }, reason.InputMalformed},
		{"link kind", func() error { _, err := e.m.CreateLink(ctx, acct, owner, "admin"); return err }, reason.SubUserUnknownLinkKind},
		{"approve: bad id", func() error { _, err := e.m.Approve(ctx, acct, owner, "x", subuser.Grant{}); return err }, reason.InputMalformed},
		{"approve: unknown id", func() error {
			_, err := e.m.Approve(ctx, acct, owner, "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", subuser.Grant{})
			return err
		}, reason.SubUserApplicationNotFound},
		{"reject: long note", func() error {
			_, err := e.m.Reject(ctx, acct, owner, "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", strings.Repeat("长", subuser.MaxNoteLen+1))
			return err
		}, reason.InputTooLong},
		{"link: invalid UTF-8 name", func() error {
			_, err := e.m.Link(ctx, subuser.LinkRequest{AccountID: acct, Principal: owner, CorpID: corp, CorpName: "\xff", AdminUserID: "boss"})
			return err
		}, reason.InputInvalidUTF8},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.code, reason.CodeOf(tc.call()))
		})
	}
	a, err := e.m.Apply(ctx, l.Token, "zhang")
	require.NoError(t, err, "no refusal spent the link")
	_, err = e.m.Approve(ctx, acct, owner, a.ID, subuser.Grant{Policies: []string{"p", "p"}})
	assert.Equal(t, reason.InputMalformed, reason.CodeOf(err))
	assert.Empty(t, e.host.Grants())
}

func TestPolicyIsValidated(t *testing.T) {
	t.Parallel()
	_, err := subuser.Policy{LinkTTL: 25 * time.Hour}.Resolve()
	assert.Equal(t, reason.PolicyInvalid, reason.CodeOf(err))
	p, err := subuser.Policy{}.Resolve()
	require.NoError(t, err)
	assert.Equal(t, 4*time.Hour, p.LinkTTL)
	_, err = subuser.New(subuser.Config{})
	assert.Equal(t, reason.PolicyInvalid, reason.CodeOf(err))
}

func TestLinkTokenNeverPrints(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.linked(t)
	l := e.link(t, subuser.LinkSubUser)
	for _, s := range []string{fmt.Sprint(l), fmt.Sprintf("%+v", l), fmt.Sprintf("%#v", l)} {
		assert.NotContains(t, s, l.Token)
	}
	for _, ev := range e.events.All() {
		for _, v := range ev.Attrs {
			assert.NotContains(t, v, l.Token)
		}
	}
}
