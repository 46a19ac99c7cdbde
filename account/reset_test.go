package account_test

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/accountsec/accountsec/account"
	"github.com/accountsec/accountsec/account/password"
	"github.com/accountsec/accountsec/event"
	"github.com/accountsec/accountsec/reason"
)

// claims counts the calls of a claim function that returns err.
type claims struct {
	n   atomic.Int64
	err error
}

func (c *claims) claim(context.Context) error {
	c.n.Add(1)
	return c.err
}

func TestResetPasswordWithoutTheOldOne(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	a := e.registerEmail(t, "r1@example.com", pw1)
	e.clock.Advance(time.Hour)
	var c claims
	got, err := e.svc.ResetPassword(t.Context(), allow(a.ID, account.OpResetPassword), a.ID, account.PasswordReset{New: pw2, Claim: c.claim})
	require.NoError(t, err)
	assert.Equal(t, int64(1), c.n.Load(), "claimed once")
	ok, _, err := e.hasher.Verify(t.Context(), pw2, got.Password.Hash)
	require.NoError(t, err)
	assert.True(t, ok)
	assert.Equal(t, e.clock.Now(), got.Password.ChangedAt)
	assert.Len(t, got.Password.History, 2)
	assert.Equal(t, got.Password.Hash, got.Password.History[0])
	assert.Equal(t, a.Version+1, got.Version)
	assert.Equal(t, got, e.get(t, a.ID))
	assert.Equal(t, 1, e.events.Count(event.PasswordReset))
	assert.Zero(t, e.events.Count(event.PasswordChanged))

	// A nil Claim is allowed.
	_, err = e.svc.ResetPassword(t.Context(), allow(a.ID, account.OpResetPassword), a.ID, account.PasswordReset{New: pw3})
	require.NoError(t, err)
}

func TestResetPasswordRefusalsClaimAndWriteNothing(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	a := e.registerEmail(t, "r2@example.com", pw1)
	_, err := e.svc.ChangePassword(t.Context(), allow(a.ID, account.OpChangePassword), a.ID, change(pw1, pw2))
	require.NoError(t, err)
	wx := e.register(t, account.MethodWeChat, "wx-r2")
	before := e.store.writes.Load()
	for _, tc := range []struct {
		name string
		id   string
		pw   string
		code reason.Code
	}{
		{"empty password", a.ID, "", reason.InputEmpty},
		{"policy", a.ID, "password", reason.PasswordMissingUpper},
		{"too large", a.ID, string(make([]byte, 10_000)), reason.PasswordTooLarge},
		{"current password", a.ID, pw2, reason.PasswordReused},
		{"previous password", a.ID, pw1, reason.PasswordReused},
		{"no password", wx.ID, pw3, reason.AccountNoPassword},
		{"unknown account", "100000000000", pw3, reason.AccountNotFound},
		{"empty ID", "", pw3, reason.InputEmpty},
		{"bad UTF-8 ID", "\xff", pw3, reason.InputInvalidUTF8},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var c claims
			_, err := e.svc.ResetPassword(t.Context(), allow(tc.id, account.OpResetPassword), tc.id, account.PasswordReset{New: tc.pw, Claim: c.claim})
			requireCode(t, err, tc.code)
			assert.Zero(t, c.n.Load(), "not claimed")
		})
	}
	assert.Equal(t, before, e.store.writes.Load(), "nothing written")
}

func TestResetPasswordClaimRefusalWritesNothing(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	a := e.registerEmail(t, "r3@example.com", pw1)
	refused := errors.New("token already used")
	c := claims{err: refused}
	_, err := e.svc.ResetPassword(t.Context(), allow(a.ID, account.OpResetPassword), a.ID, account.PasswordReset{New: pw2, Claim: c.claim})
	require.ErrorIs(t, err, refused, "the claim's error is returned as is")
	assert.Equal(t, a, e.get(t, a.ID))
	assert.Zero(t, e.events.Count(event.PasswordReset))
}

func TestConcurrentResetsWriteOncePerClaim(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	a := e.registerEmail(t, "r4@example.com", pw1)
	before := e.store.writes.Load()
	var once sync.Once
	claim := func(context.Context) error {
		err := errors.New("claimed already")
		once.Do(func() { err = nil })
		return err
	}
	var ok atomic.Int64
	var wg sync.WaitGroup
	start := make(chan struct{})
	for range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			if _, err := e.svc.ResetPassword(context.Background(), allow(a.ID, account.OpResetPassword), a.ID, account.PasswordReset{New: pw2, Claim: claim}); err == nil {
				ok.Add(1)
			}
		}()
	}
	close(start)
	wg.Wait()
	assert.Equal(t, int64(1), ok.Load())
	assert.Equal(t, before+1, e.store.writes.Load())
	assert.Len(t, e.get(t, a.ID).Password.History, 2)
}

func TestResetPasswordRefusedWhenThePasswordChangedMeanwhile(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	a := e.registerEmail(t, "r5@example.com", pw1)
	// The claim runs between the checks and the write: change the
	// password there, as a concurrent request would.
	claim := func(ctx context.Context) error {
		_, err := e.svc.ChangePassword(ctx, allow(a.ID, account.OpChangePassword), a.ID, change(pw1, pw3))
		return err
	}
	_, err := e.svc.ResetPassword(t.Context(), allow(a.ID, account.OpResetPassword), a.ID, account.PasswordReset{New: pw2, Claim: claim})
	require.ErrorIs(t, err, account.ErrChangedMeanwhile)
	ok, _, err := e.hasher.Verify(t.Context(), pw3, e.get(t, a.ID).Password.Hash)
	require.NoError(t, err)
	assert.True(t, ok, "the concurrent change stands")
}

func TestResetPasswordKeepsTheHistoryPolicy(t *testing.T) {
	t.Parallel()
	e := newEnv(t, func(c *account.Config) { c.Password = password.NIST() })
	a := e.registerEmail(t, "r6@example.com", "correct horse battery")
	got, err := e.svc.ResetPassword(t.Context(), allow(a.ID, account.OpResetPassword), a.ID, account.PasswordReset{New: "another long passphrase"})
	require.NoError(t, err)
	assert.Len(t, got.Password.History, min(2, e.svc.PasswordPolicy().History))
}
