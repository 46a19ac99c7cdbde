package password

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/accountsec/accountsec/reason"
)

// fakeEpoch is a fixed "now" for the rotation checks.
var fakeEpoch = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

func TestPresetsAreValid(t *testing.T) {
	t.Parallel()
	for name, p := range map[string]Policy{"zero": {}, "Console": Console(), "NIST": NIST()} {
		require.NoError(t, p.Validate(), name)
	}
}

func TestZeroPolicyIsConsole(t *testing.T) {
	t.Parallel()
	assert.Equal(t, Console(), Policy{}.Resolved())
	for _, pw := range []string{"", "abc", "Abcdef1!", "Abcdef1", "Abc def1!", "P@ssw0rd", "Ab1!Ab1!"} {
		assert.Equal(t, codes(Console().Check(pw)), codes(Policy{}.Check(pw)), "%q", pw)
	}
}

func TestConsolePreset(t *testing.T) {
	t.Parallel()
	p := Console()
	assert.Equal(t, 8, p.MinLength)
	assert.Equal(t, 20, p.MaxLength)
	assert.False(t, p.UpperOptional || p.LowerOptional || p.DigitOptional || p.PunctOptional || p.AllowWhitespace, "composition on")
	assert.False(t, p.NoBlocklist, "blocklist on")
	assert.Equal(t, 3, p.History)
	assert.False(t, p.NoHistory)
	assert.Equal(t, 90*24*time.Hour, p.RotateAfter)
	assert.False(t, p.NoRotation)
	assert.Equal(t, DefaultMaxBytes, p.MaxBytes)
	assert.Equal(t, p, p.Resolved(), "the preset is resolved")
}

func TestConsoleRefusesCommonPasswords(t *testing.T) {
	t.Parallel()
	assert.Equal(t, []reason.Code{cCommon}, codes(Console().Check("P@ssw0rd")))
	assert.Equal(t, []reason.Code{cRepeat}, codes(Console().Check("Ab1!Ab1!")))
}

func TestNISTPreset(t *testing.T) {
	t.Parallel()
	p := NIST()
	assert.Equal(t, 15, p.MinLength)
	assert.Equal(t, 128, p.MaxLength)
	assert.True(t, p.UpperOptional && p.LowerOptional && p.DigitOptional && p.PunctOptional && p.AllowWhitespace)
	assert.False(t, p.NoBlocklist)
	r := p.Resolved()
	assert.Zero(t, r.RotateAfter)
	assert.Zero(t, r.History)
	assert.False(t, RotationDue(p, time.Time{}, fakeEpoch))
	// No truncation: the byte cap never cuts below the longest allowed password.
	assert.GreaterOrEqual(t, p.MaxBytes, 4*p.MaxLength)
	assert.Equal(t, p, r, "the preset is resolved")
}

// The partial policy of the finding: setting the lengths alone used to
// switch every other console rule off.
func TestPartialPolicyKeepsEveryConsoleRule(t *testing.T) {
	t.Parallel()
	p := Policy{MinLength: 12, MaxLength: 64}
	require.NoError(t, p.Validate())
	r, err := p.Resolve()
	require.NoError(t, err)
	assert.Equal(t, 3, r.History, "history 3")
	assert.Equal(t, 90*24*time.Hour, r.RotateAfter)
	assert.Equal(t, DefaultMaxBytes, r.MaxBytes)
	assert.Equal(t, 12, r.MinLength)
	assert.Equal(t, 64, r.MaxLength)
	runCheckCases(t, p, []checkCase{
		{"valid", "Correct-horse-7Battery", nil},
		{"too short for 12", "Abcdef1!", []reason.Code{cShort}},
		{"composition kept", "correcthorsebattery", []reason.Code{cUpper, cDigit, cPunct}},
		{"white-space rule kept", "Correct horse 7Battery!", []reason.Code{cSpace}},
		{"blocklist kept", "Password@2024", []reason.Code{cCommon}},
		{"repetition kept", "Ab1!Ab1!Ab1!", []reason.Code{cRepeat}},
	})
	assert.True(t, RotationDue(p, fakeEpoch, fakeEpoch.Add(90*24*time.Hour)), "rotation kept")
}

func TestEveryZeroFieldMeansTheConsoleValue(t *testing.T) {
	t.Parallel()
	c := Console()
	for name, p := range map[string]Policy{
		"MinLength":   {MinLength: 10},
		"MaxLength":   {MaxLength: 30},
		"History":     {History: 5},
		"RotateAfter": {RotateAfter: time.Hour},
		"MaxBytes":    {MaxBytes: 4096},
		"a switch":    {UpperOptional: true},
	} {
		r := p.Resolved()
		if p.MinLength == 0 {
			assert.Equal(t, c.MinLength, r.MinLength, name)
		}
		if p.MaxLength == 0 {
			assert.Equal(t, c.MaxLength, r.MaxLength, name)
		}
		if p.History == 0 {
			assert.Equal(t, c.History, r.History, name)
		}
		if p.RotateAfter == 0 {
			assert.Equal(t, c.RotateAfter, r.RotateAfter, name)
		}
		if p.MaxBytes == 0 {
			assert.Equal(t, c.MaxBytes, r.MaxBytes, name)
		}
		assert.Equal(t, r, r.Resolved(), "%s: resolving twice changes nothing", name)
		require.NoError(t, p.Validate(), name)
	}
}

func TestEachConsoleRuleIsSwitchedOffOnlyByItsOwnField(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		policy Policy
		pw     string
		off    reason.Code
	}{
		{"UpperOptional", Policy{UpperOptional: true}, "abcdef1!", cUpper},
		{"LowerOptional", Policy{LowerOptional: true}, "ABCDEF1!", cLower},
		{"DigitOptional", Policy{DigitOptional: true}, "Abcdefg!", cDigit},
		{"PunctOptional", Policy{PunctOptional: true}, "Abcdefg1", cPunct},
		{"AllowWhitespace", Policy{AllowWhitespace: true}, "Abcd ef1!", cSpace},
		{"NoBlocklist common", Policy{NoBlocklist: true}, "Admin@123", cCommon},
		{"NoBlocklist repetitive", Policy{NoBlocklist: true}, "Ab1!Ab1!", cRepeat},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, []reason.Code{tt.off}, codes(Console().Check(tt.pw)), "the console refuses it")
			assert.NoError(t, tt.policy.Check(tt.pw), "the switch lets it through")
		})
	}
	t.Run("NoHistory", func(t *testing.T) {
		t.Parallel()
		assert.Zero(t, Policy{NoHistory: true}.Resolved().History)
		assert.Equal(t, 3, Policy{}.Resolved().History)
	})
	t.Run("NoRotation", func(t *testing.T) {
		t.Parallel()
		assert.False(t, RotationDue(Policy{NoRotation: true}, time.Time{}, fakeEpoch))
		assert.True(t, RotationDue(Policy{}, time.Time{}, fakeEpoch))
	})
}

func TestSwitchedOffRuleWithAValueIsRefused(t *testing.T) {
	t.Parallel()
	for name, tt := range map[string]struct {
		policy       Policy
		field, value string
	}{
		"History with NoHistory":          {Policy{History: 5, NoHistory: true}, "History", "5"},
		"RotateAfter with NoRotation":     {Policy{RotateAfter: time.Hour, NoRotation: true}, "RotateAfter", "1h0m0s"},
		"NIST with History but NoHistory": {func() Policy { p := NIST(); p.History = 4; return p }(), "History", "4"},
	} {
		err := tt.policy.Validate()
		require.ErrorIs(t, err, reason.New(reason.PolicyInvalid), name)
		fields := policyFields(t, err)
		require.Contains(t, fields, "password.Policy."+tt.field, name)
		assert.Equal(t, tt.value, fields["password.Policy."+tt.field][0], name)
		assert.Contains(t, fields["password.Policy."+tt.field][1], "0 when No", name)
		_, err = tt.policy.Resolve()
		require.Error(t, err, name)
	}
}

func TestPolicyValidateRefusesBadValues(t *testing.T) {
	t.Parallel()
	with := func(change func(*Policy)) Policy {
		p := Console()
		change(&p)
		return p
	}
	tests := []struct {
		name    string
		policy  Policy
		field   string
		value   string
		allowed string
	}{
		{"MinLength -1", with(func(p *Policy) { p.MinLength = -1 }), "MinLength", "-1", "1..1024"},
		{"MinLength 5000", with(func(p *Policy) { p.MinLength = 5000; p.MaxLength = 4096 }), "MinLength", "5000", "1..1024"},
		{"MaxLength -1", with(func(p *Policy) { p.MaxLength = -1 }), "MaxLength", "-1", "1..4096"},
		{"MinLength above the default MaxLength", Policy{MinLength: 30}, "MaxLength", "20", "gtefield=MinLength"},
		{"MaxLength below MinLength", with(func(p *Policy) { p.MinLength = 12; p.MaxLength = 10 }), "MaxLength", "10", "gtefield=MinLength"},
		{"MaxLength 5000", with(func(p *Policy) { p.MaxLength = 5000 }), "MaxLength", "5000", "1..4096"},
		{"History -1", with(func(p *Policy) { p.History = -1 }), "History", "-1", "0..24"},
		{"History 25", with(func(p *Policy) { p.History = 25 }), "History", "25", "0..24"},
		{"RotateAfter negative", with(func(p *Policy) { p.RotateAfter = -time.Hour }), "RotateAfter", "-1h0m0s", "1h..87600h"},
		{"RotateAfter 1m", with(func(p *Policy) { p.RotateAfter = time.Minute }), "RotateAfter", "1m0s", "1h..87600h"},
		{"RotateAfter 20 years", with(func(p *Policy) { p.RotateAfter = 20 * 365 * 24 * time.Hour }), "RotateAfter", "175200h0m0s", "1h..87600h"},
		{"MaxBytes 10", with(func(p *Policy) { p.MaxBytes = 10 }), "MaxBytes", "10", "64..65536"},
		{"MaxBytes -1", with(func(p *Policy) { p.MaxBytes = -1 }), "MaxBytes", "-1", "64..65536"},
		{"MaxBytes 1 MiB", with(func(p *Policy) { p.MaxBytes = 1 << 20 }), "MaxBytes", "1048576", "64..65536"},
		{"MaxBytes below 4×MaxLength", with(func(p *Policy) { p.MaxBytes = 64 }), "MaxBytes", "64", ">= 4×MaxLength (80)"},
		{"default MaxBytes below 4×MaxLength", with(func(p *Policy) { p.MaxBytes = 0; p.MaxLength = 1000 }), "MaxBytes", "1024", ">= 4×MaxLength (4000)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := tt.policy.Validate()
			require.Error(t, err)
			require.ErrorIs(t, err, reason.New(reason.PolicyInvalid))
			fields := policyFields(t, err)
			got, ok := fields["password.Policy."+tt.field]
			require.True(t, ok, "no error for %s in %v", tt.field, fields)
			assert.Equal(t, tt.value, got[0])
			assert.Contains(t, got[1], tt.allowed)
			// The message names all three, for a human reading a log.
			assert.Contains(t, err.Error(), "password.Policy."+tt.field)
			assert.Contains(t, err.Error(), tt.value)
			assert.Contains(t, err.Error(), tt.allowed)
		})
	}
}

func TestPolicyValidateReportsEveryBadField(t *testing.T) {
	t.Parallel()
	p := Console()
	p.MinLength, p.History, p.MaxBytes = -1, 99, 1
	fields := policyFields(t, p.Validate())
	assert.Contains(t, fields, "password.Policy.MinLength")
	assert.Contains(t, fields, "password.Policy.History")
	assert.Contains(t, fields, "password.Policy.MaxBytes")
}

func TestRotationDue(t *testing.T) {
	t.Parallel()
	changed := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	day := 24 * time.Hour
	hourly := Console()
	hourly.RotateAfter = time.Hour
	tests := []struct {
		name   string
		policy Policy
		age    time.Duration
		want   bool
	}{
		{"console fresh", Console(), 0, false},
		{"console 89 days", Console(), 89 * day, false},
		{"console 90 days", Console(), 90 * day, true},
		{"console a year", Console(), 365 * day, true},
		{"zero policy is console", Policy{}, 90 * day, true},
		{"NIST never", NIST(), 10 * 365 * day, false},
		{"custom hour", hourly, time.Hour, true},
		{"custom 59 minutes", hourly, 59 * time.Minute, false},
		{"clock behind", Console(), -day, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tt.want, RotationDue(tt.policy, changed, changed.Add(tt.age)))
		})
	}
	t.Run("unknown change time is due", func(t *testing.T) {
		t.Parallel()
		assert.True(t, RotationDue(Console(), time.Time{}, changed))
		assert.False(t, RotationDue(NIST(), time.Time{}, changed))
	})
}
