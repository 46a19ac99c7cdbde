package account_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/accountsec/accountsec/account"
)

func TestMaskingRules(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		mask func(string) string
		in   string
		want string
	}{
		{"phone CN", account.MaskPhone, "+8613800138000", "+86138****8000"},
		{"phone US", account.MaskPhone, "+14155550123", "+141****0123"},
		{"phone shortest", account.MaskPhone, "+12345678", "+****5678"},
		{"phone too short", account.MaskPhone, "+1234", "*****"},
		{"email", account.MaskEmail, "alice@example.com", "a***e@example.com"},
		{"email hides length", account.MaskEmail, "alexander.hamilton@example.com", "a***n@example.com"},
		{"email local of 2", account.MaskEmail, "al@x.cn", "**@x.cn"},
		{"email local of 1", account.MaskEmail, "a@x.cn", "*@x.cn"},
		{"email without at", account.MaskEmail, "alice", "*****"},
		{"name of 2", account.MaskName, "张三", "*三"},
		{"name of 4", account.MaskName, "欧阳娜娜", "***娜"},
		{"name of 1", account.MaskName, "李", "*"},
		{"latin name", account.MaskName, "Alice", "****e"},
		{"empty name", account.MaskName, "", ""},
		{"enterprise long", account.MaskEnterpriseName, "深圳市腾讯计算机系统有限公司", "深圳**********公司"},
		{"enterprise of 5", account.MaskEnterpriseName, "腾讯云计算", "腾***算"},
		{"enterprise of 6", account.MaskEnterpriseName, "腾讯云计算局", "腾讯**算局"},
		{"enterprise of 2", account.MaskEnterpriseName, "腾讯", "**"},
		{"resident ID", account.MaskIDNumber, "11010519491231002X", "1****************X"},
		{"credit code", account.MaskIDNumber, "91440300708461136T", "9****************T"},
		{"ID of 2", account.MaskIDNumber, "12", "**"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tc.want, tc.mask(tc.in))
		})
	}
}

func TestRealNameMaskedNameFollowsStatus(t *testing.T) {
	t.Parallel()
	assert.Equal(t, "*三", account.RealName{Status: account.RealNamePersonal, Name: "张三"}.MaskedName())
	assert.Equal(t, "腾讯**算局", account.RealName{Status: account.RealNameEnterprise, Name: "腾讯云计算局"}.MaskedName())
}
