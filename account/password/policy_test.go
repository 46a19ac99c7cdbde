package password

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/accountsec/accountsec/reason"
)

func TestPresetsAreValid(t *testing.T) {
	t.Parallel()
	for name, p := range map[string]Policy{"zero": {}, "Console": Console(), "NIST": NIST()} {
		require.NoError(t, p.Validate(), name)
	}
}

func TestZeroPolicyIsConsole(t *testing.T) {
	t.Parallel()
	assert.Equal(t, Console(), Policy{}.effective())
	for _, pw := range []string{"", "abc", "Abcdef1!", "Abcdef1", "Abc def1!", "P@ssw0rd"} {
		assert.Equal(t, codes(Console().Check(pw)), codes(Policy{}.Check(pw)), "%q", pw)
	}
}

func TestConsolePreset(t *testing.T) {
	t.Parallel()
	p := Console()
	assert.Equal(t, 8, p.MinLength)
	assert.Equal(t, 20, p.MaxLength)
	assert.True(t, p.RequireUpper && p.RequireLower && p.RequireDigit && p.RequirePunct && p.ForbidWhitespace)
	assert.Equal(t, 3, p.History)
	assert.Equal(t, 90*24*time.Hour, p.RotateAfter)
	assert.Equal(t, DefaultMaxBytes, p.MaxBytes)
}

func TestNISTPreset(t *testing.T) {
	t.Parallel()
	p := NIST()
	assert.Equal(t, 15, p.MinLength)
	assert.Equal(t, 128, p.MaxLength)
	assert.False(t, p.RequireUpper || p.RequireLower || p.RequireDigit || p.RequirePunct || p.ForbidWhitespace)
	assert.Zero(t, p.RotateAfter)
	assert.True(t, p.Blocklist)
	// No truncation: the byte cap never cuts below the longest allowed password.
	assert.GreaterOrEqual(t, p.MaxBytes, 4*p.MaxLength)
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
		{"MinLength 0", with(func(p *Policy) { p.MinLength = 0 }), "MinLength", "0", "1..1024"},
		{"MinLength 5000", with(func(p *Policy) { p.MinLength = 5000; p.MaxLength = 4096 }), "MinLength", "5000", "1..1024"},
		{"MaxLength 0", with(func(p *Policy) { p.MaxLength = 0 }), "MaxLength", "0", "1..4096"},
		{"MaxLength below MinLength", with(func(p *Policy) { p.MinLength = 12; p.MaxLength = 10 }), "MaxLength", "10", "gtefield=MinLength"},
		{"MaxLength 5000", with(func(p *Policy) { p.MaxLength = 5000 }), "MaxLength", "5000", "1..4096"},
		{"History -1", with(func(p *Policy) { p.History = -1 }), "History", "-1", "0..24"},
		{"History 25", with(func(p *Policy) { p.History = 25 }), "History", "25", "0..24"},
		{"RotateAfter negative", with(func(p *Policy) { p.RotateAfter = -time.Hour }), "RotateAfter", "-1h0m0s", "1h..87600h"},
		{"RotateAfter 1m", with(func(p *Policy) { p.RotateAfter = time.Minute }), "RotateAfter", "1m0s", "1h..87600h"},
		{"RotateAfter 20 years", with(func(p *Policy) { p.RotateAfter = 20 * 365 * 24 * time.Hour }), "RotateAfter", "175200h0m0s", "1h..87600h"},
		{"MaxBytes 10", with(func(p *Policy) { p.MaxBytes = 10 }), "MaxBytes", "10", "64..65536"},
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
	p.MinLength, p.History, p.MaxBytes = 0, 99, 1
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
