package mfa_test

import (
	"bytes"
	"context"
	"errors"
	"image/png"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/accountsec/accountsec/event"
	"github.com/accountsec/accountsec/mfa"
	"github.com/accountsec/accountsec/reason"
	"github.com/accountsec/accountsec/store/memstore"
	"github.com/accountsec/accountsec/vocab"
)

func TestKeyURI(t *testing.T) {
	t.Parallel()
	secret := []byte("12345678901234567890")
	got := mfa.KeyURI("Example Cloud", "alice@example.com", secret, mfa.SHA1, 6, 30*time.Second)
	assert.Equal(t, "otpauth://totp/Example%20Cloud:alice%40example.com?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Example%20Cloud&algorithm=SHA1&digits=6&period=30", got)

	// Characters that mean something in a URI are escaped, the issuer the
	// same way in both places, and a secret whose base32 would be padded
	// is not.
	got = mfa.KeyURI("A&B=C/D?+", "bob smith", secret[:11], mfa.SHA256, 8, 60*time.Second)
	u, err := url.Parse(got)
	require.NoError(t, err)
	assert.Equal(t, "otpauth", u.Scheme)
	assert.Equal(t, "totp", u.Host)
	q := u.Query()
	assert.Equal(t, "A&B=C/D?+", q.Get("issuer"))
	assert.Equal(t, "/A&B=C/D?+:bob smith", u.Path)
	assert.NotContains(t, q.Get("secret"), "=")
	assert.Equal(t, "SHA256", q.Get("algorithm"))
	assert.Equal(t, "8", q.Get("digits"))
	assert.Equal(t, "60", q.Get("period"))
	prefix := strings.TrimPrefix(strings.SplitN(got, ":", 3)[1], "//totp/")
	assert.Equal(t, "issuer="+prefix, strings.Split(u.RawQuery, "&")[1], "issuer prefix and parameter are equal strings")

	// An independent parser reads it back.
	key, err := otp.NewKeyFromURL(got)
	require.NoError(t, err)
	assert.Equal(t, "A&B=C/D?+", key.Issuer())
	assert.Equal(t, "bob smith", key.AccountName())
}

func TestTextKey(t *testing.T) {
	t.Parallel()
	assert.Equal(t, "GEZD GNBV GY3T QOJQ GEZD GNBV GY3T QOJQ", mfa.TextKey([]byte("12345678901234567890")))
	assert.Equal(t, "GEZD GNBV GY3T QOJQ GE", mfa.TextKey([]byte("12345678901")))
	assert.Equal(t, "", mfa.TextKey(nil))
}

func TestEnrol(t *testing.T) {
	t.Parallel()
	f := newFixture(t, withRealQR())
	ctx := context.Background()
	e, err := f.m.Enrol(ctx, allow(account, vocab.OpBindMFA), account, "alice@example.com")
	require.NoError(t, err)

	assert.Equal(t, account, e.AccountID)
	assert.Equal(t, "Example Cloud", e.Issuer)
	assert.Equal(t, "alice@example.com", e.Label)
	assert.Equal(t, mfa.SHA1, e.Algorithm)
	assert.Equal(t, 6, e.Digits)
	assert.Equal(t, 30*time.Second, e.Period)
	assert.True(t, f.clock.Now().Add(10*time.Minute).Equal(e.ExpiresAt))
	assert.True(t, strings.HasPrefix(e.URI(), "otpauth://totp/Example%20Cloud:alice%40example.com?secret="), e.URI())
	assert.True(t, strings.HasSuffix(e.URI(), "&issuer=Example%20Cloud&algorithm=SHA1&digits=6&period=30"), e.URI())

	// 160 bits: 32 base32 characters in 8 groups of 4.
	groups := strings.Split(e.Key(), " ")
	require.Len(t, groups, 8)
	for _, g := range groups {
		assert.Len(t, g, 4)
	}
	p := phoneOf(t, e)
	assert.Len(t, p.secret, 32)

	img, err := png.Decode(bytes.NewReader(e.QRCode()))
	require.NoError(t, err)
	assert.Equal(t, mfa.DefaultQRSize, img.Bounds().Dx())
	assert.Equal(t, mfa.DefaultQRSize, img.Bounds().Dy())

	// Pending, not active: Verify knows no device yet.
	_, found, err := f.m.Device(ctx, account)
	require.NoError(t, err)
	assert.False(t, found)
	_, err = f.m.Verify(ctx, account, p.code(t, f.clock.Now()))
	require.ErrorIs(t, err, mfa.ErrNotBound)

	// Two enrolments never share a secret.
	e2, err := f.m.Enrol(ctx, allow(account, vocab.OpBindMFA), account, "")
	require.NoError(t, err)
	assert.NotEqual(t, e.Key(), e2.Key())
	assert.NotEqual(t, e.DeviceID, e2.DeviceID)
	assert.Contains(t, e2.URI(), ":"+account+"?", "the label defaults to the account ID")
}

func TestConfirm(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	e, err := f.m.Enrol(ctx, allow(account, vocab.OpBindMFA), account, "")
	require.NoError(t, err)
	p := phoneOf(t, e)
	f.clock.Advance(5 * time.Minute)
	code := p.code(t, f.clock.Now())

	_, err = f.m.Confirm(ctx, allow(account, vocab.OpBindMFA), account, e.DeviceID, code, mfa.Usage{})
	require.ErrorIs(t, err, mfa.ErrUsageRequired)
	_, err = f.m.Confirm(ctx, allow(account, vocab.OpBindMFA), account, "other", code, mfa.Usage{Login: true})
	require.ErrorIs(t, err, mfa.ErrEnrolmentInvalid)
	_, err = f.m.Confirm(ctx, allow("100000000000", vocab.OpBindMFA), "100000000000", e.DeviceID, code, mfa.Usage{Login: true})
	require.ErrorIs(t, err, mfa.ErrEnrolmentInvalid, "another account's enrolment")
	_, err = f.m.Confirm(ctx, allow(account, vocab.OpBindMFA), account, e.DeviceID, wrongCode(code), mfa.Usage{Login: true})
	require.ErrorIs(t, err, mfa.ErrMismatch)
	assert.Equal(t, 1, f.failures(t, account))

	dev, err := f.m.Confirm(ctx, allow(account, vocab.OpBindMFA), account, e.DeviceID, code, mfa.Usage{Operation: true})
	require.NoError(t, err)
	assert.Equal(t, mfa.Device{
		ID: e.DeviceID, AccountID: account, Kind: mfa.Virtual,
		Algorithm: mfa.SHA1, Digits: 6, Period: 30 * time.Second,
		Usage: mfa.Usage{Operation: true}, BoundAt: f.clock.Now(),
	}, dev)
	got, found, err := f.m.Device(ctx, account)
	require.NoError(t, err)
	require.True(t, found)
	assert.Equal(t, dev, got)

	bound := f.events.All()[len(f.events.All())-1]
	assert.Equal(t, event.MFABound, bound.Kind)
	assert.Equal(t, account, bound.AccountID)
	assert.Equal(t, map[string]string{"device": e.DeviceID, "kind": "virtual", "login": "false", "operation": "true"}, bound.Attrs)

	// Confirmed once: the enrolment is gone, and no new one can start.
	_, err = f.m.Confirm(ctx, allow(account, vocab.OpBindMFA), account, e.DeviceID, code, mfa.Usage{Login: true})
	require.ErrorIs(t, err, mfa.ErrEnrolmentInvalid)
	_, err = f.m.Enrol(ctx, allow(account, vocab.OpBindMFA), account, "")
	require.ErrorIs(t, err, mfa.ErrAlreadyBound)
}

func TestConfirmAfterExpiry(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	e, err := f.m.Enrol(ctx, allow(account, vocab.OpBindMFA), account, "")
	require.NoError(t, err)
	p := phoneOf(t, e)
	f.clock.Set(e.ExpiresAt)
	_, err = f.m.Confirm(ctx, allow(account, vocab.OpBindMFA), account, e.DeviceID, p.code(t, f.clock.Now()), mfa.Usage{Login: true})
	require.ErrorIs(t, err, mfa.ErrEnrolmentInvalid)
	assert.Zero(t, f.failures(t, account), "not counted")
}

func TestNewerEnrolmentReplacesOlder(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	old, err := f.m.Enrol(ctx, allow(account, vocab.OpBindMFA), account, "")
	require.NoError(t, err)
	newer, err := f.m.Enrol(ctx, allow(account, vocab.OpBindMFA), account, "")
	require.NoError(t, err)
	_, err = f.m.Confirm(ctx, allow(account, vocab.OpBindMFA), account, old.DeviceID, phoneOf(t, old).code(t, f.clock.Now()), mfa.Usage{Login: true})
	require.ErrorIs(t, err, mfa.ErrEnrolmentInvalid)
	_, err = f.m.Confirm(ctx, allow(account, vocab.OpBindMFA), account, newer.DeviceID, phoneOf(t, newer).code(t, f.clock.Now()), mfa.Usage{Login: true})
	require.NoError(t, err)
}

func TestEnrolInput(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	for label, code := range map[string]reason.Code{
		"a:b":                       reason.InputMalformed,
		"   ":                       reason.InputEmpty,
		strings.Repeat("x", 129):    reason.InputTooLong,
		"\xff":                      reason.InputInvalidUTF8,
		"with\x00nul":               reason.InputMalformed,
		"张三@example.com":            "",
		"bob+tag@example.com?x=&y/": "",
	} {
		e, err := f.m.Enrol(ctx, allow(account, vocab.OpBindMFA), account, label)
		if code == "" {
			require.NoError(t, err, "%q", label)
			key, err := otp.NewKeyFromURL(e.URI())
			require.NoError(t, err)
			assert.Equal(t, label, key.AccountName())
			continue
		}
		assert.Equal(t, code, reason.CodeOf(err), "%q", label)
	}
	_, err := f.m.Enrol(ctx, allow(strings.Repeat("1", mfa.MaxAccountIDBytes+1), vocab.OpBindMFA), strings.Repeat("1", mfa.MaxAccountIDBytes+1), "")
	assert.Equal(t, reason.InputTooLong, reason.CodeOf(err))
}

type brokenQR struct{}

func (brokenQR) Render(string) ([]byte, error) { return nil, errors.New("no printer") }

func TestQRRenderer(t *testing.T) {
	t.Parallel()
	png1, err := mfa.PNGRenderer{Size: 10}.Render("otpauth://totp/x:y?secret=AAAA")
	require.NoError(t, err)
	img, err := png.Decode(bytes.NewReader(png1))
	require.NoError(t, err)
	assert.Greater(t, img.Bounds().Dx(), 10, "raised to the code's own size")

	f := newFixture(t, func(c *mfa.Config) { c.QR = brokenQR{} })
	_, err = f.m.Enrol(context.Background(), allow(account, vocab.OpBindMFA), account, "")
	require.ErrorContains(t, err, "no printer")
	_, found, err := f.store.PendingDevice(context.Background(), account)
	require.NoError(t, err)
	assert.False(t, found, "nothing is stored when the QR code fails")
}

func TestPolicy(t *testing.T) {
	t.Parallel()
	def := mfa.DefaultPolicy()
	assert.Equal(t, mfa.Policy{Skew: 1, Algorithm: mfa.SHA1, Digits: 6, Period: 30 * time.Second, SecretBytes: 20, EnrolTTL: 10 * time.Minute, BackupCodes: 10}, def)
	again, err := def.Resolve()
	require.NoError(t, err)
	assert.Equal(t, def, again)
	none, err := mfa.Policy{NoSkew: true}.Resolve()
	require.NoError(t, err)
	assert.Equal(t, 0, none.SkewSteps())
	none, err = none.Resolve()
	require.NoError(t, err)
	assert.Equal(t, 0, none.SkewSteps(), "resolving twice keeps NoSkew")

	for _, tc := range []struct {
		p     mfa.Policy
		field string
	}{
		{mfa.Policy{Skew: 4}, "mfa.Policy.Skew"},
		{mfa.Policy{Skew: -2}, "mfa.Policy.Skew"},
		{mfa.Policy{Digits: 7}, "mfa.Policy.Digits"},
		{mfa.Policy{Algorithm: "MD5"}, "mfa.Policy.Algorithm"},
		{mfa.Policy{Period: 10 * time.Second}, "mfa.Policy.Period"},
		{mfa.Policy{Period: 30500 * time.Millisecond}, "mfa.Policy.Period"},
		{mfa.Policy{Period: time.Hour}, "mfa.Policy.Period"},
		{mfa.Policy{SecretBytes: 10}, "mfa.Policy.SecretBytes"},
		{mfa.Policy{SecretBytes: 65}, "mfa.Policy.SecretBytes"},
		{mfa.Policy{EnrolTTL: time.Second}, "mfa.Policy.EnrolTTL"},
		{mfa.Policy{BackupCodes: 4}, "mfa.Policy.BackupCodes"},
	} {
		_, err := tc.p.Resolve()
		require.ErrorIs(t, err, reason.New(reason.PolicyInvalid), "%+v", tc.p)
		var re *reason.Error
		require.ErrorAs(t, err, &re)
		assert.Equal(t, tc.field, re.Params["field"], "%+v", tc.p)
	}
	_, err = mfa.Policy{Skew: 4}.Resolve()
	assert.Contains(t, err.Error(), "0..3")
}

func TestNewValidatesConfig(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ring, err := mfa.NewStaticKeyring("k", map[string][]byte{"k": make([]byte, 32)})
	require.NoError(t, err)
	good := mfa.Config{Store: memstore.New(), Keyring: ring, Limiter: f.limiter, Secret: hostSecret}
	_, err = mfa.New(good)
	require.NoError(t, err)
	for name, change := range map[string]func(*mfa.Config){
		"Store":   func(c *mfa.Config) { c.Store = nil },
		"Keyring": func(c *mfa.Config) { c.Keyring = nil },
		"Limiter": func(c *mfa.Config) { c.Limiter = nil },
		"Secret":  func(c *mfa.Config) { c.Secret = []byte("short") },
		"Issuer":  func(c *mfa.Config) { c.Issuer = "a:b" },
		"Policy":  func(c *mfa.Config) { c.Policy.Skew = 9 },
	} {
		c := good
		change(&c)
		_, err := mfa.New(c)
		require.ErrorIs(t, err, reason.New(reason.PolicyInvalid), name)
	}
}
