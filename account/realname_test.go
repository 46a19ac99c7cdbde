package account_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/accountsec/accountsec/account"
	"github.com/accountsec/accountsec/event"
	"github.com/accountsec/accountsec/limits"
	"github.com/accountsec/accountsec/reason"
)

const (
	idZhang = "11010519491231002X"
	idLi    = "110105194912310037"
	idLegal = "440301198001010011"
)

func person(name, id string) account.PersonalIdentity {
	return account.PersonalIdentity{Name: name, IDNumber: id}
}

func enterprise(name, code string) account.EnterpriseIdentity {
	return account.EnterpriseIdentity{Name: name, CreditCode: code, LegalPersonName: "王五", LegalPersonID: idLegal}
}

func TestPersonalIdentityVerifiesAtMostThreeAccounts(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	for i := range 4 {
		a := e.register(t, account.MethodWeChat, sub("wx", i))
		_, err := e.svc.RecordPersonal(t.Context(), a.ID, person("张三", strings.ToLower(idZhang)))
		if i < 3 {
			require.NoError(t, err)
			continue
		}
		requireCode(t, err, reason.LimitsQuotaExceeded)
		assert.Equal(t, account.RealNameUnverified, e.get(t, a.ID).RealName.Status)
	}
}

func TestEnterpriseIdentityVerifiesAtMostTenAccounts(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	for i := range 11 {
		a := e.register(t, account.MethodWeChat, sub("wx", i))
		_, err := e.svc.RecordEnterprise(t.Context(), a.ID, enterprise("深圳市示例科技有限公司", "91440300708461136T"))
		if i < 10 {
			require.NoError(t, err)
			continue
		}
		requireCode(t, err, reason.LimitsQuotaExceeded)
	}
}

func TestLegalPersonHasAtMostTwentyEnterpriseAccounts(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	for i := range 21 {
		a := e.register(t, account.MethodWeChat, sub("wx", i))
		_, err := e.svc.RecordEnterprise(t.Context(), a.ID, enterprise("示例科技有限公司", fmt.Sprintf("9144030070846%05d", i)))
		if i < 20 {
			require.NoError(t, err)
			continue
		}
		requireCode(t, err, reason.LimitsQuotaExceeded)
		var re *reason.Error
		require.ErrorAs(t, err, &re)
		assert.Equal(t, string(account.KindLegalPerson), re.Params["kind"])
	}
	// The legal person's own personal quota is separate.
	a := e.register(t, account.MethodWeChat, "personal")
	_, err := e.svc.RecordPersonal(t.Context(), a.ID, person("王五", idLegal))
	require.NoError(t, err)
}

func TestRealNameChangeIntervalIsThirtyDays(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		first func(s *account.Service, id string) error
		next  func(s *account.Service, id string) error
	}{
		{"personal to personal",
			func(s *account.Service, id string) error {
				_, err := s.RecordPersonal(ctx(), id, person("张三", idZhang))
				return err
			},
			func(s *account.Service, id string) error {
				_, err := s.RecordPersonal(ctx(), id, person("李四", idLi))
				return err
			}},
		{"enterprise to enterprise",
			func(s *account.Service, id string) error {
				_, err := s.RecordEnterprise(ctx(), id, enterprise("示例科技有限公司", "91440300708461136T"))
				return err
			},
			func(s *account.Service, id string) error {
				_, err := s.RecordEnterprise(ctx(), id, enterprise("另一家科技有限公司", "91110000100000000A"))
				return err
			}},
		{"enterprise to personal",
			func(s *account.Service, id string) error {
				_, err := s.RecordEnterprise(ctx(), id, enterprise("示例科技有限公司", "91440300708461136T"))
				return err
			},
			func(s *account.Service, id string) error {
				_, err := s.RecordPersonal(ctx(), id, person("张三", idZhang))
				return err
			}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			a := e.register(t, account.MethodWeChat, "wx")
			require.NoError(t, tc.first(e.svc, a.ID))
			verified := e.clock.Now()
			before := e.get(t, a.ID)

			e.clock.Advance(29 * limits.Day)
			err := tc.next(e.svc, a.ID)
			require.ErrorIs(t, err, account.ErrRealNameTooSoon, "day 29")
			var re *reason.Error
			require.ErrorAs(t, err, &re)
			assert.Equal(t, verified.Add(30*limits.Day).Format(time.RFC3339), re.Params["until"])
			assert.Equal(t, before, e.get(t, a.ID))

			e.clock.Advance(limits.Day)
			require.NoError(t, tc.next(e.svc, a.ID), "day 30")
			assert.Equal(t, e.clock.Now(), e.get(t, a.ID).RealName.VerifiedAt)
		})
	}
}

func TestPersonalToEnterpriseUpgradeIsExemptFromTheInterval(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	a := e.register(t, account.MethodWeChat, "wx")
	_, err := e.svc.RecordPersonal(t.Context(), a.ID, person("张三", idZhang))
	require.NoError(t, err)
	e.clock.Advance(time.Hour)
	got, err := e.svc.RecordEnterprise(t.Context(), a.ID, enterprise("示例科技有限公司", "91440300708461136T"))
	require.NoError(t, err)
	assert.Equal(t, account.RealNameEnterprise, got.RealName.Status)
	// The upgrade restarts the interval.
	_, err = e.svc.RecordEnterprise(t.Context(), a.ID, enterprise("另一家科技有限公司", "91110000100000000A"))
	require.ErrorIs(t, err, account.ErrRealNameTooSoon)
}

func TestRealNameIntervalIsAPolicyValue(t *testing.T) {
	t.Parallel()
	e := newEnv(t, func(c *account.Config) { c.Limits.Quotas.RealNameChangeInterval = 7 * limits.Day })
	a := e.register(t, account.MethodWeChat, "wx")
	_, err := e.svc.RecordPersonal(t.Context(), a.ID, person("张三", idZhang))
	require.NoError(t, err)
	e.clock.Advance(7 * limits.Day)
	_, err = e.svc.RecordPersonal(t.Context(), a.ID, person("李四", idLi))
	require.NoError(t, err)
}

func TestEnterpriseNameHasAtLeastFiveCharacters(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	for i, tc := range []struct {
		name string
		ok   bool
	}{
		{"腾讯科技", false}, // 4 CJK characters (12 bytes) are too few
		{"ABCD", false},
		{" Acme ", false}, // trimmed to 4
		{"😀😀😀😀", false},
		{"腾讯云计算", true},
		{"Acme2", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := e.register(t, account.MethodWeChat, sub("wx", i))
			_, err := e.svc.RecordEnterprise(t.Context(), a.ID, enterprise(tc.name, "91440300708461136T"))
			if tc.ok {
				require.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, account.ErrEnterpriseNameTooShort)
			var re *reason.Error
			require.ErrorAs(t, err, &re)
			assert.Equal(t, 5, re.Params["min"])
		})
	}
}

func TestIdentityNumbersAreKeptOnlyAsKeyedHashes(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	a := e.register(t, account.MethodWeChat, "wx")
	got, err := e.svc.RecordPersonal(t.Context(), a.ID, person("张三", idZhang))
	require.NoError(t, err)
	assert.Equal(t, "1****************X", got.RealName.MaskedNumber)
	assert.Equal(t, "*三", got.RealName.MaskedName())
	assert.NotContains(t, fmt.Sprintf("%#v", got), idZhang)
	assert.NotContains(t, got.RealName.NumberHash, idZhang)
	for _, ev := range e.events.All() {
		assert.NotContains(t, fmt.Sprint(ev), idZhang)
	}
	assert.Equal(t, 1, e.events.Count(event.RealNameVerified))
	// The quota is found through the hash of the normalised number.
	assert.Equal(t, []string{a.ID}, e.holders(t, account.ScopeRealName, account.KindPersonalID, strings.ToLower(idZhang)))

	// Another secret gives other hashes: the store alone does not reveal
	// which accounts share an identity number with a known one.
	other := newEnv(t, func(c *account.Config) { c.Secret = []byte("another secret of 32 bytes......") })
	b := other.register(t, account.MethodWeChat, "wx")
	gotB, err := other.svc.RecordPersonal(t.Context(), b.ID, person("张三", idZhang))
	require.NoError(t, err)
	assert.NotEqual(t, got.RealName.NumberHash, gotB.RealName.NumberHash)
}

func TestRealNameChangeReleasesThePreviousIdentity(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ids := make([]string, 3)
	for i := range ids {
		ids[i] = e.register(t, account.MethodWeChat, sub("wx", i)).ID
		_, err := e.svc.RecordPersonal(t.Context(), ids[i], person("张三", idZhang))
		require.NoError(t, err)
	}
	e.clock.Advance(30 * limits.Day)
	_, err := e.svc.RecordPersonal(t.Context(), ids[0], person("李四", idLi))
	require.NoError(t, err)
	fourth := e.register(t, account.MethodWeChat, "wx-4")
	_, err = e.svc.RecordPersonal(t.Context(), fourth.ID, person("张三", idZhang))
	require.NoError(t, err, "the slot freed by the change was not released")
}

func TestRecordingTheSameIdentityAgainRefused(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	a := e.register(t, account.MethodWeChat, "wx")
	_, err := e.svc.RecordPersonal(t.Context(), a.ID, person("张三", idZhang))
	require.NoError(t, err)
	e.clock.Advance(40 * limits.Day)
	_, err = e.svc.RecordPersonal(t.Context(), a.ID, person("张三", strings.ToLower(idZhang)))
	require.ErrorIs(t, err, account.ErrRealNameUnchanged)
}

func ctx() context.Context { return context.Background() }
