package limits_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/accountsec/accountsec/limits"
	"github.com/accountsec/accountsec/reason"
)

func TestDefaultPolicyIsTheConsoleTable(t *testing.T) {
	t.Parallel()
	p := limits.DefaultPolicy()
	q := p.Quotas
	assert.Equal(t, 1, q.RegisterPerEmail)
	assert.Equal(t, 1, q.RegisterPerQQ)
	assert.Equal(t, 1, q.RegisterPerWeChat)
	assert.Equal(t, 1, q.RegisterPerWeChatOA)
	assert.Equal(t, 1, q.RegisterPerWeCom)
	assert.Equal(t, 5, q.AccountsPerPhone)
	assert.Equal(t, 3, q.AccountsPerPersonalIdentity)
	assert.Equal(t, 10, q.AccountsPerEnterpriseIdentity)
	assert.Equal(t, 50, q.BindPerWeChat)
	assert.Equal(t, 20, q.BindPerWeCom)
	assert.Equal(t, 1, q.BindPerQQ)
	assert.Equal(t, 1, q.BindPerEmail)
	assert.Equal(t, 1, q.BindPerWeChatOA)
	assert.Equal(t, 20, q.EnterpriseAccountsPerLegalPerson)
	assert.Equal(t, 30*24*time.Hour, q.RealNameChangeInterval)
	assert.Equal(t, 5, q.MinEnterpriseNameLength)
	assert.Equal(t, 10, p.Lockout.MaxFailures)
	assert.Equal(t, time.Hour, p.Lockout.Window)
	assert.Equal(t, 30*time.Minute, p.Lockout.LockDuration)
	assert.Equal(t, time.Minute, p.Send.MinInterval)
	assert.Equal(t, 10, p.Send.PerDestinationPerDay)
	assert.Equal(t, 20, p.Send.PerIPPerHour)

	r, err := limits.Policy{}.Resolve()
	require.NoError(t, err)
	assert.Equal(t, p, r)
}

func TestPolicyKeepsChangedValues(t *testing.T) {
	t.Parallel()
	r, err := limits.Policy{Quotas: limits.Quotas{AccountsPerPhone: 2}, Lockout: limits.Lockout{MaxFailures: 5}}.Resolve()
	require.NoError(t, err)
	assert.Equal(t, 2, r.Quotas.AccountsPerPhone)
	assert.Equal(t, 5, r.Lockout.MaxFailures)
	assert.Equal(t, 50, r.Quotas.BindPerWeChat)
}

func TestBadPolicyValuesAreRefusedWithFieldAndRange(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name    string
		p       limits.Policy
		field   string
		value   string
		allowed string
	}{
		{"negative phone quota", limits.Policy{Quotas: limits.Quotas{AccountsPerPhone: -1}}, "limits.Policy.Quotas.AccountsPerPhone", "-1", "0..10000"},
		{"huge failures", limits.Policy{Lockout: limits.Lockout{MaxFailures: 5000}}, "limits.Policy.Lockout.MaxFailures", "5000", "0..1000"},
		{"lock too short", limits.Policy{Lockout: limits.Lockout{LockDuration: 30 * time.Second}}, "limits.Policy.Lockout.LockDuration", "30s", "1m..720h"},
		{"window too long", limits.Policy{Lockout: limits.Lockout{Window: 1000 * time.Hour}}, "limits.Policy.Lockout.Window", "1000h0m0s", "0..720h"},
		{"interval too long", limits.Policy{Send: limits.Send{MinInterval: 2 * time.Hour}}, "limits.Policy.Send.MinInterval", "2h0m0s", "0..1h"},
		{"short name length", limits.Policy{Quotas: limits.Quotas{MinEnterpriseNameLength: 201}}, "limits.Policy.Quotas.MinEnterpriseNameLength", "201", "0..200"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			_, err := c.p.Resolve()
			require.Error(t, err)
			require.ErrorIs(t, err, reason.New(reason.PolicyInvalid))
			var re *reason.Error
			require.ErrorAs(t, err, &re)
			assert.Equal(t, c.field, re.Params["field"])
			assert.Equal(t, c.value, re.Params["value"])
			assert.Equal(t, c.allowed, re.Params["allowed"])
			assert.Contains(t, err.Error(), c.field)
		})
	}
}

func TestEveryBadFieldIsReported(t *testing.T) {
	t.Parallel()
	_, err := limits.Policy{Quotas: limits.Quotas{BindPerQQ: -1, BindPerEmail: -2}}.Resolve()
	assert.Len(t, reason.Codes(err), 2)
}
