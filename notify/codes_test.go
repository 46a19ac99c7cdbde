package notify_test

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/accountsec/accountsec/fakes"
	"github.com/accountsec/accountsec/limits"
	"github.com/accountsec/accountsec/notify"
	"github.com/accountsec/accountsec/reason"
	"github.com/accountsec/accountsec/store/memstore"
)

var secret = []byte("0123456789abcdef0123456789abcdef")

type fixture struct {
	codes  *notify.Codes
	clock  *fakes.Clock
	outbox *fakes.Outbox
}

func newCodes(t testing.TB, p notify.CodePolicy) fixture {
	t.Helper()
	f := fixture{clock: fakes.NewClock(fakes.Epoch), outbox: &fakes.Outbox{}}
	c, err := notify.NewCodes(notify.CodesConfig{Store: memstore.New(), SMS: f.outbox, Email: f.outbox, Secret: secret, Policy: p, Now: f.clock.Now})
	require.NoError(t, err)
	f.codes = c
	return f
}

var phone = notify.Target{Purpose: notify.PurposeBindPhone, Channel: notify.SMS, Destination: "+8613800000000", AccountID: "100012345678"}

func (f fixture) send(t testing.TB, tg notify.Target) string {
	t.Helper()
	_, err := f.codes.Send(context.Background(), tg, "")
	require.NoError(t, err)
	code := f.outbox.LastCode(tg.Destination)
	require.True(t, notify.ParseCode(code), "a 6-digit code was delivered")
	return code
}

func wrong(code string) string {
	if code == "000000" {
		return "000001"
	}
	return "000000"
}

func TestCodeVerifiedTwiceSucceedsOnce(t *testing.T) {
	t.Parallel()
	f := newCodes(t, notify.CodePolicy{})
	code := f.send(t, phone)
	require.NoError(t, f.codes.Verify(context.Background(), phone, code))
	require.ErrorIs(t, f.codes.Verify(context.Background(), phone, code), notify.ErrInvalid)
}

func TestSixWrongTriesExhaustACode(t *testing.T) {
	t.Parallel()
	f := newCodes(t, notify.CodePolicy{})
	ctx := context.Background()
	code := f.send(t, phone)
	for i := range 5 {
		err := f.codes.Verify(ctx, phone, wrong(code))
		require.ErrorIs(t, err, notify.ErrMismatch)
		var re *reason.Error
		require.ErrorAs(t, err, &re)
		assert.Equal(t, 4-i, re.Params["remaining"])
	}
	require.ErrorIs(t, f.codes.Verify(ctx, phone, code), notify.ErrInvalid, "the 6th try, even right, finds no code")
}

func TestCodeExpiresAfterItsTTL(t *testing.T) {
	t.Parallel()
	f := newCodes(t, notify.CodePolicy{})
	ctx := context.Background()
	code := f.send(t, phone)
	f.clock.Advance(10*time.Minute - time.Millisecond)
	require.NoError(t, f.codes.Verify(ctx, phone, code))

	code = f.send(t, phone)
	f.clock.Advance(10 * time.Minute)
	require.ErrorIs(t, f.codes.Verify(ctx, phone, code), notify.ErrInvalid)
}

func TestNewerCodeReplacesOlder(t *testing.T) {
	t.Parallel()
	f := newCodes(t, notify.CodePolicy{})
	ctx := context.Background()
	var old, cur string
	for old == cur { // two draws can collide one time in a million
		old = f.send(t, phone)
		cur = f.send(t, phone)
	}
	require.ErrorIs(t, f.codes.Verify(ctx, phone, old), notify.ErrMismatch)
	require.NoError(t, f.codes.Verify(ctx, phone, cur))
}

func TestCodeIsBoundToPurposeChannelDestinationAndAccount(t *testing.T) {
	t.Parallel()
	f := newCodes(t, notify.CodePolicy{})
	ctx := context.Background()
	code := f.send(t, phone)
	others := []notify.Target{
		{Purpose: notify.PurposeLogin, Channel: phone.Channel, Destination: phone.Destination, AccountID: phone.AccountID},
		{Purpose: phone.Purpose, Channel: phone.Channel, Destination: "+8613800000001", AccountID: phone.AccountID},
		{Purpose: phone.Purpose, Channel: phone.Channel, Destination: phone.Destination, AccountID: "100012345679"},
		{Purpose: phone.Purpose, Channel: notify.Email, Destination: phone.Destination, AccountID: phone.AccountID},
	}
	for _, o := range others {
		require.ErrorIs(t, f.codes.Verify(ctx, o, code), notify.ErrInvalid, "%+v", o)
	}
	same := phone
	same.Destination = "  +8613800000000 "
	require.NoError(t, f.codes.Verify(ctx, same, code))
}

func TestMalformedCodesAreRefusedWithoutCountingATry(t *testing.T) {
	t.Parallel()
	f := newCodes(t, notify.CodePolicy{})
	ctx := context.Background()
	code := f.send(t, phone)
	for _, bad := range []string{"", "12345", "1234567", " " + code[:5], code + " ", "12 456", "１２３４５６", "12a456", "-12345", "+12345", "123456\x00", strings.Repeat("9", 1<<20)} {
		require.ErrorIs(t, f.codes.Verify(ctx, phone, bad), notify.ErrMalformed, "%q", bad)
	}
	require.NoError(t, f.codes.Verify(ctx, phone, code))
}

func TestConcurrentRightAnswersConsumeOnce(t *testing.T) {
	t.Parallel()
	f := newCodes(t, notify.CodePolicy{})
	code := f.send(t, phone)
	var wins atomic.Int64
	start := make(chan struct{})
	var wg sync.WaitGroup
	for range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			if f.codes.Verify(context.Background(), phone, code) == nil {
				wins.Add(1)
			}
		}()
	}
	close(start)
	wg.Wait()
	assert.Equal(t, int64(1), wins.Load())
}

func TestSendFailureLeavesNoValidCode(t *testing.T) {
	t.Parallel()
	f := newCodes(t, notify.CodePolicy{})
	ctx := context.Background()
	code := f.send(t, phone)
	f.outbox.FailWith(fakes.ErrUndeliverable)
	_, err := f.codes.Send(ctx, phone, "")
	require.ErrorIs(t, err, notify.ErrSendFailed)
	require.ErrorIs(t, err, fakes.ErrUndeliverable)
	require.ErrorIs(t, f.codes.Verify(ctx, phone, code), notify.ErrInvalid)
}

func TestGateRefusalSendsNothing(t *testing.T) {
	t.Parallel()
	clock := fakes.NewClock(fakes.Epoch)
	outbox := &fakes.Outbox{}
	store := memstore.New()
	gate, err := limits.NewSendLimiter(limits.Config{Store: store, Secret: secret, Now: clock.Now}, limits.Send{})
	require.NoError(t, err)
	codes, err := notify.NewCodes(notify.CodesConfig{Store: store, SMS: outbox, Gate: gate, Secret: secret, Now: clock.Now})
	require.NoError(t, err)
	ctx := context.Background()
	_, err = codes.Send(ctx, phone, "10.0.0.1")
	require.NoError(t, err)
	_, err = codes.Send(ctx, phone, "10.0.0.1")
	require.ErrorIs(t, err, limits.ErrRateLimited)
	assert.Len(t, outbox.Messages(), 1)
}

func TestSendRefusesBadTargets(t *testing.T) {
	t.Parallel()
	f := newCodes(t, notify.CodePolicy{})
	ctx := context.Background()
	cases := map[string]struct {
		t    notify.Target
		code reason.Code
	}{
		"no purpose":      {notify.Target{Channel: notify.SMS, Destination: "+86138"}, reason.InputEmpty},
		"unknown channel": {notify.Target{Purpose: notify.PurposeLogin, Channel: "fax", Destination: "+86138"}, reason.InputMalformed},
		"no destination":  {notify.Target{Purpose: notify.PurposeLogin, Channel: notify.SMS, Destination: " "}, reason.InputEmpty},
		"huge":            {notify.Target{Purpose: notify.PurposeLogin, Channel: notify.SMS, Destination: strings.Repeat("1", 1000)}, reason.InputTooLong},
		"bad UTF-8":       {notify.Target{Purpose: notify.PurposeLogin, Channel: notify.Email, Destination: "a\xff@x"}, reason.InputInvalidUTF8},
	}
	for name, c := range cases {
		_, err := f.codes.Send(ctx, c.t, "")
		assert.Equal(t, c.code, reason.CodeOf(err), name)
		assert.Equal(t, c.code, reason.CodeOf(f.codes.Verify(ctx, c.t, "123456")), name)
	}
	assert.Empty(t, f.outbox.Messages())
}

func TestCodePolicyIsValidated(t *testing.T) {
	t.Parallel()
	for _, p := range []notify.CodePolicy{{TTL: 11 * time.Minute}, {TTL: 30 * time.Second}, {MaxWrong: 11}, {MaxWrong: -1}} {
		_, err := notify.NewCodes(notify.CodesConfig{Store: memstore.New(), Secret: secret, Policy: p})
		assert.Equal(t, reason.PolicyInvalid, reason.CodeOf(err), "%+v", p)
	}
	f := newCodes(t, notify.CodePolicy{})
	assert.Equal(t, notify.CodePolicy{TTL: 10 * time.Minute, MaxWrong: 5}, f.codes.Policy())
}

func TestCodesAreUniformDigitsFromTheRandomSource(t *testing.T) {
	t.Parallel()
	// 0xFFFFFFFF is above the largest multiple of 10^6 below 2^32, so it must
	// be rejected; 0x0001E240 is 123456.
	src := bytes.NewReader([]byte{0xFF, 0xFF, 0xFF, 0xFF, 0x00, 0x01, 0xE2, 0x40})
	outbox := &fakes.Outbox{}
	codes, err := notify.NewCodes(notify.CodesConfig{Store: memstore.New(), SMS: outbox, Secret: secret, Rand: src})
	require.NoError(t, err)
	_, err = codes.Send(context.Background(), phone, "")
	require.NoError(t, err)
	assert.Equal(t, "123456", outbox.LastCode(phone.Destination))
}

func TestCodesNeverAppearInErrors(t *testing.T) {
	t.Parallel()
	f := newCodes(t, notify.CodePolicy{})
	code := f.send(t, phone)
	err := f.codes.Verify(context.Background(), phone, wrong(code))
	assert.NotContains(t, err.Error(), code)
	assert.NotContains(t, err.Error(), wrong(code))
}

func FuzzVerify(f *testing.F) {
	for _, s := range []string{"123456", "", "12345", "１２３４５６", "12 456", "\xff\xff\xff\xff\xff\xff", "000000"} {
		f.Add(s)
	}
	fx := newCodes(f, notify.CodePolicy{MaxWrong: 10})
	f.Fuzz(func(t *testing.T, s string) {
		code := fx.send(t, phone)
		err := fx.codes.Verify(context.Background(), phone, s)
		switch {
		case !notify.ParseCode(s):
			if !errors.Is(err, notify.ErrMalformed) {
				t.Fatalf("%q: want malformed, got %v", s, err)
			}
			// Nothing counted: the right code still works.
			if err := fx.codes.Verify(context.Background(), phone, code); err != nil {
				t.Fatalf("after %q: %v", s, err)
			}
		case s == code:
			if err != nil {
				t.Fatalf("right code refused: %v", err)
			}
		default:
			if !errors.Is(err, notify.ErrMismatch) {
				t.Fatalf("%q: want mismatch, got %v", s, err)
			}
		}
	})
}

// CodeRecord.Check refuses exactly what the store contract forbids.
func TestCodeRecordCheck(t *testing.T) {
	t.Parallel()
	now := time.Unix(1_700_000_000, 0)
	for name, tc := range map[string]struct {
		r  notify.CodeRecord
		ok bool
	}{
		"valid":          {notify.CodeRecord{Hash: []byte{1}, ExpiresAt: now.Add(time.Millisecond), MaxWrong: 1}, true},
		"max wrong zero": {notify.CodeRecord{Hash: []byte{1}, ExpiresAt: now.Add(time.Minute)}, false},
		"empty hash":     {notify.CodeRecord{Hash: []byte{}, ExpiresAt: now.Add(time.Minute), MaxWrong: 3}, false},
		"nil hash":       {notify.CodeRecord{ExpiresAt: now.Add(time.Minute), MaxWrong: 3}, false},
		"expiry at now":  {notify.CodeRecord{Hash: []byte{1}, ExpiresAt: now, MaxWrong: 3}, false},
	} {
		if err := tc.r.Check(now); (err == nil) != tc.ok {
			t.Errorf("%s: Check() = %v, want ok %v", name, err, tc.ok)
		}
	}
}
