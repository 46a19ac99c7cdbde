package account_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/accountsec/accountsec/account"
)

// TestConcurrentUpdatesOfOneAccountLoseNothing runs 20 different changes of
// one account at once. Each reads, changes and writes with a version check,
// retrying on conflict, so every change must be in the final record.
func TestConcurrentUpdatesOfOneAccountLoseNothing(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.wecom.allow["wc"] = true
	a := e.register(t, account.MethodWeChat, "wx")
	id := a.ID
	bg := context.Background()

	// Codes and pending contacts are prepared first; the writes race.
	_, err := e.svc.SendSecurityPhoneCode(bg, allow(id, account.OpChangeSecurityPhone), id, "+8613800000001", "")
	require.NoError(t, err)
	_, err = e.svc.SendSecurityEmailCode(bg, allow(id, account.OpChangeSecurityEmail), id, "sec@example.com", "")
	require.NoError(t, err)
	_, err = e.svc.SendLoginEmailCode(bg, loginEmailProof(e.svc, id), id, "login@example.com", "")
	require.NoError(t, err)
	_, err = e.svc.ChangeContactPhone(bg, id, "+8613800000002", "")
	require.NoError(t, err)
	contactPhoneCode := e.code("+8613800000002")

	changes := []func() error{
		func() error {
			_, err := e.svc.UpdateProfile(bg, id, account.ProfileChange{Nickname: ptr("nick")})
			return err
		},
		func() error {
			_, err := e.svc.UpdateProfile(bg, id, account.ProfileChange{Industry: ptr("internet")})
			return err
		},
		func() error {
			_, err := e.svc.UpdateSecurity(bg, allowSettings(id), id, account.SecurityChange{LoginProtection: ptr(account.VerifyMFA)})
			return err
		},
		func() error {
			_, err := e.svc.UpdateSecurity(bg, allowSettings(id), id, account.SecurityChange{OperationProtection: ptr(account.VerifyMFA)})
			return err
		},
		func() error {
			_, err := e.svc.UpdateSecurity(bg, allowSettings(id), id, account.SecurityChange{RemoteLoginProtection: ptr(true)})
			return err
		},
		func() error {
			_, err := e.svc.UpdateSecurity(bg, allowSettings(id), id, account.SecurityChange{RemoteLoginMethod: ptr(account.VerifyMFA)})
			return err
		},
		func() error {
			_, err := e.svc.UpdateSecurity(bg, allowSettings(id), id, account.SecurityChange{MFABindingMethod: ptr(account.VerifyMFA)})
			return err
		},
		func() error {
			_, err := e.svc.UpdateSecurity(bg, allowSettings(id), id, account.SecurityChange{SessionMaxLifetime: ptr(2 * time.Hour)})
			return err
		},
		func() error {
			_, err := e.svc.UpdateSecurity(bg, allowSettings(id), id, account.SecurityChange{SessionIdleTimeout: ptr(30 * time.Minute)})
			return err
		},
		func() error {
			_, err := e.svc.BindLoginMethod(bg, allow(id, account.OpBindLoginMethod), id, account.Binding{Method: account.MethodQQ, Identifier: "q"})
			return err
		},
		func() error {
			_, err := e.svc.BindLoginMethod(bg, allow(id, account.OpBindLoginMethod), id, account.Binding{Method: account.MethodWeCom, Identifier: "wc"})
			return err
		},
		func() error {
			_, err := e.svc.BindLoginMethod(bg, allow(id, account.OpBindLoginMethod), id, account.Binding{Method: account.MethodWeChatOA, Identifier: "oa"})
			return err
		},
		func() error {
			_, err := e.svc.BindLoginMethod(bg, allow(id, account.OpBindLoginMethod), id, account.Binding{Method: account.MethodEmail, Identifier: "login@example.com", Password: pw1, Confirm: pw1, Code: e.code("login@example.com")})
			return err
		},
		func() error {
			_, err := e.svc.ChangeLoginMethod(bg, allow(id, account.OpChangeLoginMethod), id, account.Binding{Method: account.MethodWeChat, Identifier: "wx2"})
			return err
		},
		func() error {
			_, err := e.svc.ChangeSecurityPhone(bg, allow(id, account.OpChangeSecurityPhone), id, "+8613800000001", e.code("+8613800000001"))
			return err
		},
		func() error {
			_, err := e.svc.ChangeSecurityEmail(bg, allow(id, account.OpChangeSecurityEmail), id, account.SecurityEmailChange{Email: "sec@example.com", Code: e.code("sec@example.com")})
			return err
		},
		func() error { _, err := e.svc.ConfirmContactPhone(bg, id, contactPhoneCode); return err },
		func() error { _, err := e.svc.RecordPersonal(bg, id, person("张三", idZhang)); return err },
		func() error {
			_, err := e.svc.UpdateProfile(bg, id, account.ProfileChange{Nickname: ptr("nick")})
			return err // the same change twice is harmless
		},
		func() error {
			_, err := e.svc.UpdateSecurity(bg, allowSettings(id), id, account.SecurityChange{TrustDevices: ptr(true)})
			return err
		},
	}
	require.Len(t, changes, 20)
	errs := make([]error, len(changes))
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i, f := range changes {
		wg.Go(func() {
			<-start
			errs[i] = f()
		})
	}
	close(start)
	wg.Wait()
	for i, err := range errs {
		require.NoError(t, err, "change %d", i)
	}

	got := e.get(t, id)
	assert.Equal(t, "nick", got.Nickname)
	assert.Equal(t, "internet", got.Industry)
	assert.Equal(t, account.SecuritySettings{
		LoginProtection: account.VerifyMFA, TrustDevices: true, OperationProtection: account.VerifyMFA,
		RemoteLoginProtection: true, RemoteLoginMethod: account.VerifyMFA, MFABindingMethod: account.VerifyMFA,
		SessionMaxLifetime: 2 * time.Hour, SessionIdleTimeout: 30 * time.Minute,
	}, got.Security)
	assert.ElementsMatch(t, []account.Method{account.MethodWeChat, account.MethodQQ, account.MethodWeCom, account.MethodWeChatOA, account.MethodEmail}, methods(got))
	lm, _ := got.LoginMethod(account.MethodWeChat)
	assert.Equal(t, "wx2", lm.Identifier)
	assert.NotEmpty(t, got.Password.Hash)
	assert.Equal(t, "+8613800000001", got.SecurityPhone)
	assert.Equal(t, "sec@example.com", got.SecurityEmail)
	assert.Equal(t, "+8613800000002", got.ContactPhone.Address)
	assert.Equal(t, account.RealNamePersonal, got.RealName.Status)

	// And the slots follow the record exactly.
	assert.Equal(t, []string{id}, e.holders(t, account.ScopeBind, account.KindWeChat, "wx2"))
	assert.Empty(t, e.holders(t, account.ScopeBind, account.KindWeChat, "wx"))
	assert.Equal(t, []string{id}, e.holders(t, account.ScopeBind, account.KindEmail, "login@example.com"))
	assert.Equal(t, []string{id}, e.holders(t, account.ScopeSecurityPhone, account.KindPhone, "+8613800000001"))
	assert.Equal(t, []string{id}, e.holders(t, account.ScopeRealName, account.KindPersonalID, idZhang))
}

// TestConcurrentBindAndUnbindKeepSlotsInStep races binds and unbinds of
// one QQ between two accounts: at the end the slot's holders are exactly the
// accounts whose records hold the QQ.
func TestConcurrentBindAndUnbindKeepSlotsInStep(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	a := e.register(t, account.MethodWeChat, "wx-a")
	b := e.register(t, account.MethodWeChat, "wx-b")
	bg := context.Background()
	var wg sync.WaitGroup
	for _, id := range []string{a.ID, b.ID} {
		wg.Go(func() {
			for range 50 {
				_, _ = e.svc.BindLoginMethod(bg, allow(id, account.OpBindLoginMethod), id, account.Binding{Method: account.MethodQQ, Identifier: "q"})
				_, _ = e.svc.UnbindLoginMethod(bg, allow(id, account.OpUnbindLoginMethod), id, account.MethodQQ)
			}
		})
	}
	wg.Wait()
	var want []string
	for _, id := range []string{a.ID, b.ID} {
		if e.get(t, id).HasLoginMethod(account.MethodQQ) {
			want = append(want, id)
		}
	}
	assert.LessOrEqual(t, len(want), 1)
	assert.ElementsMatch(t, want, e.holders(t, account.ScopeBind, account.KindQQ, "q"))
}
