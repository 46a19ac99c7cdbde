package mfa_test

import (
	"context"
	"errors"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/accountsec/accountsec/event"
	"github.com/accountsec/accountsec/mfa"
	"github.com/accountsec/accountsec/reason"
	"github.com/accountsec/accountsec/vocab"
)

var tokenSeed = []byte("hardware-token-seed-0001")

func importToken(t *testing.T, f *fixture, serial string) phone {
	t.Helper()
	require.NoError(t, f.m.ImportToken(context.Background(), mfa.HardwareToken{Serial: serial, Seed: tokenSeed, Period: 60 * time.Second}))
	return phoneWithSeed(tokenSeed, mfa.SHA1, 6, 60*time.Second)
}

func TestBindHardware(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	tok := importToken(t, f, "hw-0001")
	assert.Equal(t, 1, f.events.Count(event.MFATokenImported))

	err := f.m.ImportToken(ctx, mfa.HardwareToken{Serial: " HW-0001 ", Seed: tokenSeed})
	require.ErrorIs(t, err, mfa.ErrTokenExists)

	code := tok.code(t, f.clock.Now())
	_, err = f.m.BindHardware(ctx, allow(account, vocab.OpBindMFA), account, "HW-0002", code, mfa.Usage{Login: true})
	require.ErrorIs(t, err, mfa.ErrTokenUnknown)
	_, err = f.m.BindHardware(ctx, allow(account, vocab.OpBindMFA), account, "HW 0001", code, mfa.Usage{Login: true})
	assert.Equal(t, reason.InputMalformed, reason.CodeOf(err))
	_, err = f.m.BindHardware(ctx, allow(account, vocab.OpBindMFA), account, "HW-0001", wrongCode(code), mfa.Usage{Login: true})
	require.ErrorIs(t, err, mfa.ErrMismatch)

	dev, err := f.m.BindHardware(ctx, allow(account, vocab.OpBindMFA), account, "hw-0001", code, mfa.Usage{Login: true, Operation: true})
	require.NoError(t, err)
	assert.Equal(t, mfa.Hardware, dev.Kind)
	assert.Equal(t, "HW-0001", dev.Serial)
	assert.Equal(t, 60*time.Second, dev.Period)

	// The binding code is spent; later codes verify.
	_, err = f.m.Verify(ctx, account, code)
	require.ErrorIs(t, err, mfa.ErrReplayed)
	f.clock.Advance(time.Minute)
	v, err := f.m.Verify(ctx, account, tok.code(t, f.clock.Now()))
	require.NoError(t, err)
	assert.Equal(t, dev.ID, v.DeviceID)
	assert.Equal(t, mfa.Hardware, v.Kind)

	// One token, one account.
	_, err = f.m.BindHardware(ctx, allow("100000000002", vocab.OpBindMFA), "100000000002", "HW-0001", tok.code(t, f.clock.Now()), mfa.Usage{Login: true})
	require.ErrorIs(t, err, mfa.ErrTokenTaken)
	// One device per account.
	importToken(t, f, "HW-0003")
	_, err = f.m.BindHardware(ctx, allow(account, vocab.OpBindMFA), account, "HW-0003", tok.code(t, f.clock.Now()), mfa.Usage{Login: true})
	require.ErrorIs(t, err, mfa.ErrAlreadyBound)
	rec, _, err := f.store.Token(ctx, "HW-0003")
	require.NoError(t, err)
	assert.Empty(t, rec.Holder)
}

func TestImportTokenValidates(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	for name, tok := range map[string]mfa.HardwareToken{
		"short seed":   {Serial: "A", Seed: make([]byte, 15)},
		"long seed":    {Serial: "A", Seed: make([]byte, 65)},
		"digits":       {Serial: "A", Seed: tokenSeed, Digits: 7},
		"algorithm":    {Serial: "A", Seed: tokenSeed, Algorithm: "MD5"},
		"period":       {Serial: "A", Seed: tokenSeed, Period: 10 * time.Second},
		"fractional":   {Serial: "A", Seed: tokenSeed, Period: 30500 * time.Millisecond},
		"serial":       {Serial: "A/B", Seed: tokenSeed},
		"empty serial": {Serial: " ", Seed: tokenSeed},
	} {
		err := f.m.ImportToken(ctx, tok)
		require.Error(t, err, name)
		assert.Contains(t, []reason.Code{reason.PolicyInvalid, reason.InputMalformed}, reason.CodeOf(err), name)
	}
}

func TestConcurrentBindsOfOneToken(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	tok := importToken(t, f, "HW-RACE")
	code := tok.code(t, f.clock.Now())

	const goroutines = 20
	var won, taken, other atomic.Int32
	var winner atomic.Value
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range goroutines {
		acct := "1000000000" + strconv.Itoa(10+i)
		wg.Go(func() {
			<-start
			_, err := f.m.BindHardware(context.Background(), allow(acct, vocab.OpBindMFA), acct, "HW-RACE", code, mfa.Usage{Login: true})
			switch {
			case err == nil:
				won.Add(1)
				winner.Store(acct)
			case errors.Is(err, mfa.ErrTokenTaken):
				taken.Add(1)
			default:
				other.Add(1)
				t.Log(err)
			}
		})
	}
	close(start)
	wg.Wait()
	require.Equal(t, int32(1), won.Load(), "binds that succeeded")
	assert.Equal(t, int32(goroutines-1), taken.Load())
	assert.Zero(t, other.Load())
	rec, _, err := f.store.Token(context.Background(), "HW-RACE")
	require.NoError(t, err)
	assert.Equal(t, f.m.AccountTag(winner.Load().(string)), rec.Holder)
}

func TestNormalizeSerial(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"abc-123":   "ABC-123",
		" ABC-123 ": "ABC-123",
		"":          "",
		"a b":       "",
		"ａｂｃ":       "",
		"a_b":       "",
	} {
		got, ok := mfa.NormalizeSerial(in)
		assert.Equal(t, want != "", ok, "%q", in)
		assert.Equal(t, want, got, "%q", in)
	}
}
