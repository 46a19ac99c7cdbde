package mfa_test

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/accountsec/accountsec/limits"
	"github.com/accountsec/accountsec/mfa"
	"github.com/accountsec/accountsec/vocab"
)

// The seeds of RFC 6238 Appendix B: the 20-byte ASCII string repeated to
// the hash's block-friendly key size.
var rfcSeeds = map[mfa.Algorithm][]byte{
	mfa.SHA1:   []byte("12345678901234567890"),
	mfa.SHA256: []byte("12345678901234567890123456789012"),
	mfa.SHA512: []byte("1234567890123456789012345678901234567890123456789012345678901234"),
}

// RFC 6238 Appendix B: every time, every algorithm, 8 digits, 30 s step.
var rfc6238 = []struct {
	unix int64
	alg  mfa.Algorithm
	code string
}{
	{59, mfa.SHA1, "94287082"},
	{59, mfa.SHA256, "46119246"},
	{59, mfa.SHA512, "90693936"},
	{1111111109, mfa.SHA1, "07081804"},
	{1111111109, mfa.SHA256, "68084774"},
	{1111111109, mfa.SHA512, "25091201"},
	{1111111111, mfa.SHA1, "14050471"},
	{1111111111, mfa.SHA256, "67062674"},
	{1111111111, mfa.SHA512, "99943326"},
	{1234567890, mfa.SHA1, "89005924"},
	{1234567890, mfa.SHA256, "91819424"},
	{1234567890, mfa.SHA512, "93441116"},
	{2000000000, mfa.SHA1, "69279037"},
	{2000000000, mfa.SHA256, "90698825"},
	{2000000000, mfa.SHA512, "38618901"},
	{20000000000, mfa.SHA1, "65353130"},
	{20000000000, mfa.SHA256, "77737706"},
	{20000000000, mfa.SHA512, "47863826"},
}

// TestRFC6238Vectors runs every vector through the library's own paths:
// confirming a virtual device whose secret is the RFC seed, binding a
// hardware token with that seed, and then Verify refusing the same code.
func TestRFC6238Vectors(t *testing.T) {
	t.Parallel()
	require.Len(t, rfc6238, 18)
	for _, v := range rfc6238 {
		t.Run(strconv.FormatInt(v.unix, 10)+"/"+string(v.alg), func(t *testing.T) {
			t.Parallel()
			at := time.Unix(v.unix, 0).UTC()
			want := v.unix / 30
			seed := rfcSeeds[v.alg]
			pol := mfa.Policy{NoSkew: true, Algorithm: v.alg, Digits: 8, SecretBytes: max(len(seed), 20)}

			t.Run("virtual", func(t *testing.T) {
				f := newFixtureAt(t, at, limits.Lockout{}, withPolicy(pol), withRand(func() []byte { return seed }))
				ctx := context.Background()
				e, err := f.m.Enrol(ctx, allow(account, vocab.OpBindMFA), account, "")
				require.NoError(t, err)
				require.Contains(t, e.URI(), "algorithm="+string(v.alg)+"&digits=8&period=30")
				dev, err := f.m.Confirm(ctx, allow(account, vocab.OpBindMFA), account, e.DeviceID, v.code, mfa.Usage{Login: true})
				require.NoError(t, err)
				assert.Equal(t, v.alg, dev.Algorithm)
				rec, _, err := f.store.Device(ctx, account)
				require.NoError(t, err)
				assert.Equal(t, want, rec.LastStep, "the matched step is T = unix/30")

				_, err = f.m.Verify(ctx, account, v.code)
				require.ErrorIs(t, err, mfa.ErrReplayed)
				f.clock.Advance(30 * time.Second)
				_, err = f.m.Verify(ctx, account, v.code)
				require.ErrorIs(t, err, mfa.ErrMismatch, "without skew the vector is wrong one step later")
			})

			t.Run("hardware", func(t *testing.T) {
				f := newFixtureAt(t, at, limits.Lockout{}, withPolicy(mfa.Policy{NoSkew: true}))
				ctx := context.Background()
				require.NoError(t, f.m.ImportToken(ctx, mfa.HardwareToken{Serial: "rfc-6238", Seed: seed, Algorithm: v.alg, Digits: 8}))
				_, err := f.m.BindHardware(ctx, allow(account, vocab.OpBindMFA), account, "RFC-6238", v.code, mfa.Usage{Operation: true})
				require.NoError(t, err)
				rec, _, err := f.store.Device(ctx, account)
				require.NoError(t, err)
				assert.Equal(t, want, rec.LastStep)
			})
		})
	}
}

// TestRFC4226Vectors runs the HOTP values of RFC 4226 Appendix D through
// Confirm and Verify: with a 30 s period the counter is the time step, so
// counter c is the code at Unix time 30c.
func TestRFC4226Vectors(t *testing.T) {
	t.Parallel()
	hotp := []string{"755224", "287082", "359152", "969429", "338314", "254676", "287922", "162583", "399871", "520489"}
	seed := rfcSeeds[mfa.SHA1]

	// All ten in order on one device: each verification advances the step.
	f := newFixtureAt(t, time.Unix(15, 0), limits.Lockout{}, withPolicy(mfa.Policy{NoSkew: true}), withRand(func() []byte { return seed }))
	ctx := context.Background()
	e, err := f.m.Enrol(ctx, allow(account, vocab.OpBindMFA), account, "")
	require.NoError(t, err)
	_, err = f.m.Confirm(ctx, allow(account, vocab.OpBindMFA), account, e.DeviceID, hotp[0], mfa.Usage{Login: true})
	require.NoError(t, err)
	for c := 1; c < len(hotp); c++ {
		f.clock.Set(time.Unix(int64(30*c+15), 0))
		v, err := f.m.Verify(ctx, account, hotp[c])
		require.NoError(t, err, "counter %d", c)
		assert.Equal(t, int64(c), v.Step)
	}

	// Each one alone through a hardware token bind.
	for c, code := range hotp {
		f := newFixtureAt(t, time.Unix(int64(30*c), 0), limits.Lockout{}, withPolicy(mfa.Policy{NoSkew: true}))
		require.NoError(t, f.m.ImportToken(ctx, mfa.HardwareToken{Serial: "HOTP", Seed: seed}))
		_, err := f.m.BindHardware(ctx, allow(account, vocab.OpBindMFA), account, "HOTP", code, mfa.Usage{Login: true})
		require.NoError(t, err, "counter %d", c)
	}
}

func TestParseCode(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in     string
		digits int
		ok     bool
	}{
		{"123456", 6, true},
		{"000000", 6, true},
		{"12345678", 8, true},
		{"12345678", 6, false},
		{"123456", 8, false},
		{"12345", 6, false},
		{"1234567", 6, false},
		{"", 6, false},
		{" 123456", 6, false},
		{"123456 ", 6, false},
		{"123 456", 6, false},
		{"123-456", 6, false},
		{"12345a", 6, false},
		{"+12345", 6, false},
		{"-12345", 6, false},
		{"１２３４５６", 6, false}, // full-width digits
		{"١٢٣٤٥٦", 6, false}, // Arabic-Indic digits
		{"12345\x00", 6, false},
		{"123456", 0, false},
		{"", 0, false},
	} {
		assert.Equal(t, tc.ok, mfa.ParseCode(tc.in, tc.digits), "%q (%d digits)", tc.in, tc.digits)
	}
}

// FuzzParseCode checks that ParseCode accepts exactly the strings of ASCII
// digits of the right length, never panics, and that Verify refuses every
// other string as malformed without counting it.
func FuzzParseCode(f *testing.F) {
	for _, s := range []string{"123456", "12345678", " 123456", "123 456", "１２３４５６", "", "\xff\xfe", "12345", "1234567"} {
		f.Add(s)
	}
	fx := newFixture(f)
	fx.bound(f, account)
	ctx := context.Background()
	f.Fuzz(func(t *testing.T, s string) {
		for _, digits := range []int{6, 8} {
			want := len(s) == digits && strings.Trim(s, "0123456789") == ""
			if got := mfa.ParseCode(s, digits); got != want {
				t.Fatalf("ParseCode(%q, %d) = %v, want %v", s, digits, got, want)
			}
		}
		if mfa.ParseCode(s, 6) {
			return // a well-formed code would count; that is tested elsewhere
		}
		_, err := fx.m.Verify(ctx, account, s)
		if !assert.ErrorIs(t, err, mfa.ErrMalformed) {
			return
		}
		assert.Zero(t, fx.failures(t, account), "a malformed code was counted")
	})
}

func FuzzParseBackupCode(f *testing.F) {
	for _, s := range []string{"ABCDE-FGHJK", "abcdefghjk", "ABCDE FGHJK", "ABCDEFGHJK1", "O0I1LABCDE", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		code, ok := mfa.ParseBackupCode(s)
		if !ok {
			require.Empty(t, code)
			return
		}
		require.Len(t, code, mfa.BackupCodeLength)
		require.Equal(t, "", strings.Trim(code, "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"))
		again, ok := mfa.ParseBackupCode(code)
		require.True(t, ok, "the canonical form parses")
		require.Equal(t, code, again)
		require.True(t, strings.EqualFold(strings.Replace(s, "-", "", 1), code))
	})
}

func FuzzNormalizeSerial(f *testing.F) {
	for _, s := range []string{"ABC-123", " abc-123 ", "", "a b", "Ａ"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		serial, ok := mfa.NormalizeSerial(s)
		if !ok {
			return
		}
		require.NotEmpty(t, serial)
		require.LessOrEqual(t, len(serial), mfa.MaxSerialBytes)
		require.Equal(t, "", strings.Trim(serial, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-"))
		again, ok := mfa.NormalizeSerial(serial)
		require.True(t, ok)
		require.Equal(t, serial, again)
	})
}
