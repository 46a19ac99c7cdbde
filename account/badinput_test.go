package account_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/accountsec/accountsec/account"
	"github.com/accountsec/accountsec/reason"
)

// TestBadInputGetsAReasonCodeAndChangesNothing sends malformed, empty,
// unknown and oversized input to every flow and checks that each gets a
// reason-coded error, and that no write happened, no code was sent, no
// event was emitted and the account is as it was.
func TestBadInputGetsAReasonCodeAndChangesNothing(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	a := e.register(t, account.MethodWeChat, "wx")
	e.setSecurityPhone(t, a.ID, "+8613800138000")
	id := a.ID
	huge := strings.Repeat("x", 5000)
	long65 := strings.Repeat("字", 65)

	type call func(s *account.Service) error
	reg := func(r account.Registration) call {
		return func(s *account.Service) error { _, err := s.Register(context.Background(), r); return err }
	}
	bind := func(b account.Binding) call {
		return func(s *account.Service) error {
			_, err := s.BindLoginMethod(context.Background(), allow(id, account.OpBindLoginMethod), id, b)
			return err
		}
	}
	tests := []struct {
		name string
		call call
		code reason.Code
	}{
		{"register: unknown method", reg(account.Registration{Method: "phone", Identifier: "+8613800138000"}), reason.AccountUnknownMethod},
		{"register: empty method", reg(account.Registration{Identifier: "x"}), reason.AccountUnknownMethod},
		{"register: method in capitals", reg(account.Registration{Method: "QQ", Identifier: "x"}), reason.AccountUnknownMethod},
		{"register: empty identifier", reg(account.Registration{Method: account.MethodQQ}), reason.InputEmpty},
		{"register: blank identifier", reg(account.Registration{Method: account.MethodQQ, Identifier: " \t"}), reason.InputEmpty},
		{"register: malformed email", reg(account.Registration{Method: account.MethodEmail, Identifier: "not-an-email", Password: pw1, Code: "123456"}), reason.InputMalformed},
		{"register: oversized email", reg(account.Registration{Method: account.MethodEmail, Identifier: strings.Repeat("a", 250) + "@x.cn", Password: pw1, Code: "123456"}), reason.InputTooLong},
		{"register: huge identifier", reg(account.Registration{Method: account.MethodQQ, Identifier: huge}), reason.InputTooLong},
		{"register: oversized subject", reg(account.Registration{Method: account.MethodWeChat, Identifier: strings.Repeat("o", 129)}), reason.InputTooLong},
		{"register: invalid UTF-8", reg(account.Registration{Method: account.MethodQQ, Identifier: "q\xff"}), reason.InputInvalidUTF8},
		{"register: subject with space", reg(account.Registration{Method: account.MethodQQ, Identifier: "q q"}), reason.InputMalformed},
		{"register: oversized nickname", reg(account.Registration{Method: account.MethodQQ, Identifier: "q-new", Nickname: long65}), reason.InputTooLong},
		{"register: control char in industry", reg(account.Registration{Method: account.MethodQQ, Identifier: "q-new", Industry: "a\x01b"}), reason.InputMalformed},
		{"register: huge password", reg(account.Registration{Method: account.MethodEmail, Identifier: "w@example.com", Password: huge, Code: "123456"}), reason.PasswordTooLarge},
		{"send registration code: malformed", func(s *account.Service) error {
			_, err := s.SendRegistrationCode(context.Background(), "a@", "")
			return err
		}, reason.InputMalformed},
		{"bind: unknown method", bind(account.Binding{Method: "WeChat", Identifier: "x"}), reason.AccountUnknownMethod},
		{"bind: empty identifier", bind(account.Binding{Method: account.MethodQQ}), reason.InputEmpty},
		{"bind: non-ASCII subject", bind(account.Binding{Method: account.MethodQQ, Identifier: "微信"}), reason.InputMalformed},
		{"bind: password for QQ", bind(account.Binding{Method: account.MethodQQ, Identifier: "q", Password: pw1}), reason.InputMalformed},
		{"bind: email without code", bind(account.Binding{Method: account.MethodEmail, Identifier: "w@example.com", Password: pw1, Confirm: pw1}), reason.InputEmpty},
		{"change: unknown method", func(s *account.Service) error {
			_, err := s.ChangeLoginMethod(context.Background(), allow(id, account.OpChangeLoginMethod), id, account.Binding{Method: "sms", Identifier: "x"})
			return err
		}, reason.AccountUnknownMethod},
		{"unbind: unknown method", func(s *account.Service) error {
			_, err := s.UnbindLoginMethod(context.Background(), allow(id, account.OpUnbindLoginMethod), id, "weixin")
			return err
		}, reason.AccountUnknownMethod},
		{"security phone: no country code", func(s *account.Service) error {
			_, err := s.SendSecurityPhoneCode(context.Background(), allow(id, account.OpChangeSecurityPhone), id, "13800138000", "")
			return err
		}, reason.InputMalformed},
		{"security phone: letters", func(s *account.Service) error {
			_, err := s.ChangeSecurityPhone(context.Background(), allow(id, account.OpChangeSecurityPhone), id, "+86 abc", "123456")
			return err
		}, reason.InputMalformed},
		{"security phone: malformed code", func(s *account.Service) error {
			_, err := s.ChangeSecurityPhone(context.Background(), allow(id, account.OpChangeSecurityPhone), id, "+8613900139000", "12ab56")
			return err
		}, reason.CodeMalformed},
		{"security email: malformed", func(s *account.Service) error {
			_, err := s.ChangeSecurityEmail(context.Background(), allow(id, account.OpChangeSecurityEmail), id, account.SecurityEmailChange{Email: "a@b", Code: "123456"})
			return err
		}, reason.InputMalformed},
		{"contact email: malformed", func(s *account.Service) error {
			_, err := s.ChangeContactEmail(context.Background(), id, "a b@c.cn", "")
			return err
		}, reason.InputMalformed},
		{"contact phone: empty", func(s *account.Service) error {
			_, err := s.ChangeContactPhone(context.Background(), id, "", "")
			return err
		}, reason.InputEmpty},
		{"login email: oversized", func(s *account.Service) error {
			_, err := s.ChangeLoginEmail(context.Background(), allow(id, account.OpChangeLoginEmail), id, account.LoginEmailChange{Email: huge, Password: pw1, Confirm: pw1, Code: "123456"})
			return err
		}, reason.InputTooLong},
		{"real name: empty name", func(s *account.Service) error {
			_, err := s.RecordPersonal(context.Background(), id, person("", idZhang))
			return err
		}, reason.InputEmpty},
		{"real name: short ID number", func(s *account.Service) error {
			_, err := s.RecordPersonal(context.Background(), id, person("张三", "123"))
			return err
		}, reason.InputMalformed},
		{"real name: oversized ID number", func(s *account.Service) error {
			_, err := s.RecordPersonal(context.Background(), id, person("张三", strings.Repeat("1", 33)))
			return err
		}, reason.InputTooLong},
		{"real name: oversized name", func(s *account.Service) error {
			_, err := s.RecordPersonal(context.Background(), id, person(long65, idZhang))
			return err
		}, reason.InputTooLong},
		{"real name: 4-character enterprise", func(s *account.Service) error {
			_, err := s.RecordEnterprise(context.Background(), id, enterprise("腾讯科技", "91440300708461136T"))
			return err
		}, reason.AccountEnterpriseNameTooShort},
		{"real name: malformed legal person ID", func(s *account.Service) error {
			e := enterprise("示例科技有限公司", "91440300708461136T")
			e.LegalPersonID = "44-03"
			_, err := s.RecordEnterprise(context.Background(), id, e)
			return err
		}, reason.InputMalformed},
		{"profile: oversized nickname", func(s *account.Service) error {
			_, err := s.UpdateProfile(context.Background(), id, account.ProfileChange{Nickname: ptr(long65)})
			return err
		}, reason.InputTooLong},
		{"profile: control char", func(s *account.Service) error {
			_, err := s.UpdateProfile(context.Background(), id, account.ProfileChange{Industry: ptr("a\nb")})
			return err
		}, reason.InputMalformed},
		{"profile: invalid UTF-8", func(s *account.Service) error {
			_, err := s.UpdateProfile(context.Background(), id, account.ProfileChange{Nickname: ptr("\xc3")})
			return err
		}, reason.InputInvalidUTF8},
		{"security: unknown method", func(s *account.Service) error {
			_, err := s.UpdateSecurity(context.Background(), allowSettings(id), id, account.SecurityChange{OperationProtection: ptr(account.VerifyMethod("otp"))})
			return err
		}, reason.AccountUnknownVerifyMethod},
		{"password: empty old", func(s *account.Service) error {
			_, err := s.ChangePassword(context.Background(), allow(id, account.OpChangePassword), id, account.PasswordChange{New: pw2, Confirm: pw2})
			return err
		}, reason.InputEmpty},
		{"account ID: empty", func(s *account.Service) error {
			_, err := s.UnbindLoginMethod(context.Background(), allow("", account.OpUnbindLoginMethod), "", account.MethodQQ)
			return err
		}, reason.InputEmpty},
		{"account ID: oversized", func(s *account.Service) error {
			_, err := s.Account(context.Background(), huge)
			return err
		}, reason.InputTooLong},
		{"account ID: invalid UTF-8", func(s *account.Service) error {
			return s.Delete(context.Background(), allow("1\xff", account.OpApplyCancellation), "1\xff")
		}, reason.InputInvalidUTF8},
		{"APPID: empty", func(s *account.Service) error {
			_, err := s.AccountByAPPID(context.Background(), "")
			return err
		}, reason.InputEmpty},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before := e.get(t, id)
			writes, sent, events := e.store.writes.Load(), len(e.outbox.Messages()), len(e.events.All())
			err := tc.call(e.svc)
			requireCode(t, err, tc.code)
			assert.Equal(t, writes, e.store.writes.Load(), "a write happened")
			assert.Len(t, e.outbox.Messages(), sent, "a message was sent")
			assert.Len(t, e.events.All(), events, "an event was emitted")
			assert.Equal(t, before, e.get(t, id), "the account changed")
			assert.NotContains(t, err.Error(), huge, "the error echoes the input")
		})
	}
}

// brokenStore fails every call, as a store that lost its connection.
type brokenStore struct{ account.Store }

var errDown = errors.New("connection refused")

func (brokenStore) CreateAccount(context.Context, account.Account, []account.Take) (account.WriteResult, error) {
	return account.WriteResult{}, errDown
}
func (brokenStore) Account(context.Context, string) (account.Account, bool, error) {
	return account.Account{}, false, errDown
}
func (brokenStore) UpdateAccount(context.Context, account.Account, []account.Take, []account.Slot) (account.WriteResult, error) {
	return account.WriteResult{}, errDown
}
func (brokenStore) DeleteAccount(context.Context, string) (bool, error) { return false, errDown }
func (brokenStore) SlotHolders(context.Context, account.Slot) ([]string, error) {
	return nil, errDown
}

func TestStoreFailuresFailClosed(t *testing.T) {
	t.Parallel()
	e := newEnv(t, func(c *account.Config) { c.Store = brokenStore{} })
	_, err := e.svc.Register(t.Context(), account.Registration{Method: account.MethodQQ, Identifier: "q"})
	require.ErrorIs(t, err, reason.ErrStoreUnavailable)
	require.ErrorIs(t, err, errDown)
	_, err = e.svc.BindLoginMethod(t.Context(), allow("100000000001", account.OpBindLoginMethod), "100000000001", account.Binding{Method: account.MethodQQ, Identifier: "q"})
	require.ErrorIs(t, err, reason.ErrStoreUnavailable)
	_, err = e.svc.UnbindLoginMethod(t.Context(), allow("100000000001", account.OpUnbindLoginMethod), "100000000001", account.MethodQQ)
	require.ErrorIs(t, err, reason.ErrStoreUnavailable)
	require.ErrorIs(t, e.svc.Delete(t.Context(), allow("100000000001", account.OpApplyCancellation), "100000000001"), reason.ErrStoreUnavailable)
	_, err = e.svc.Holders(t.Context(), account.ScopeBind, account.KindQQ, "q")
	require.ErrorIs(t, err, reason.ErrStoreUnavailable)
	assert.Empty(t, e.events.All())
}
