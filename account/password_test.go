package account_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/accountsec/accountsec/account"
	"github.com/accountsec/accountsec/event"
	"github.com/accountsec/accountsec/limits"
	"github.com/accountsec/accountsec/reason"
	"github.com/accountsec/accountsec/vocab"
)

func change(old, nw string) account.PasswordChange {
	return account.PasswordChange{Old: old, New: nw, Confirm: nw}
}

func TestChangePasswordWithOldNewAndConfirmation(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	a := e.registerEmail(t, "j@example.com", pw1)
	e.clock.Advance(time.Hour)
	got, err := e.svc.ChangePassword(t.Context(), allow(a.ID, account.OpChangePassword), a.ID, change(pw1, pw2))
	require.NoError(t, err)
	ok, _, err := e.hasher.Verify(t.Context(), pw2, got.Password.Hash)
	require.NoError(t, err)
	assert.True(t, ok)
	assert.Equal(t, e.clock.Now(), got.Password.ChangedAt)
	assert.Len(t, got.Password.History, 2)
	assert.Equal(t, 1, e.events.Count(event.PasswordChanged))
	assert.False(t, got.PasswordRotationDue(e.svc.PasswordPolicy(), e.clock.Now()))
	assert.True(t, got.PasswordRotationDue(e.svc.PasswordPolicy(), e.clock.Now().Add(90*24*time.Hour)))
}

func TestChangePasswordOnlyWithAnEmailLoginMethod(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	a := e.register(t, account.MethodWeChat, "wx")
	_, err := e.svc.ChangePassword(t.Context(), allow(a.ID, account.OpChangePassword), a.ID, change(pw1, pw2))
	require.ErrorIs(t, err, account.ErrNoPassword)
}

func TestChangePasswordRefusesBadNewPasswords(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	a := e.registerEmail(t, "k@example.com", pw1)
	for _, tc := range []struct {
		name string
		c    account.PasswordChange
		code reason.Code
	}{
		{"no old password", account.PasswordChange{New: pw2, Confirm: pw2}, reason.InputEmpty},
		{"confirmation differs", account.PasswordChange{Old: pw1, New: pw2, Confirm: pw3}, reason.PasswordConfirmMismatch},
		{"policy", change(pw1, "password"), reason.PasswordMissingUpper},
		{"same as current", change(pw1, pw1), reason.PasswordReused},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := e.svc.ChangePassword(t.Context(), allow(a.ID, account.OpChangePassword), a.ID, tc.c)
			requireCode(t, err, tc.code)
			assert.Equal(t, a, e.get(t, a.ID))
		})
	}
}

func TestNewPasswordDiffersFromTheLastThree(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	a := e.registerEmail(t, "l@example.com", pw1)
	_, err := e.svc.ChangePassword(t.Context(), allow(a.ID, account.OpChangePassword), a.ID, change(pw1, pw2))
	require.NoError(t, err)
	_, err = e.svc.ChangePassword(t.Context(), allow(a.ID, account.OpChangePassword), a.ID, change(pw2, pw3))
	require.NoError(t, err)
	// The last three are pw3 (current), pw2 and pw1.
	for _, old := range []string{pw1, pw2, pw3} {
		_, err = e.svc.ChangePassword(t.Context(), allow(a.ID, account.OpChangePassword), a.ID, change(pw3, old))
		requireCode(t, err, reason.PasswordReused)
	}
	_, err = e.svc.ChangePassword(t.Context(), allow(a.ID, account.OpChangePassword), a.ID, change(pw3, pw4))
	require.NoError(t, err)
	// pw1 is now four passwords ago.
	got, err := e.svc.ChangePassword(t.Context(), allow(a.ID, account.OpChangePassword), a.ID, change(pw4, pw1))
	require.NoError(t, err)
	assert.Len(t, got.Password.History, 3)
}

func TestWrongOldPasswordCountsTowardsTheLockout(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	a := e.registerEmail(t, "m@example.com", pw1)
	for i := 1; i < 10; i++ {
		_, err := e.svc.ChangePassword(t.Context(), allow(a.ID, account.OpChangePassword), a.ID, change("Wrong!pass1", pw2))
		require.ErrorIs(t, err, account.ErrWrongPassword, "attempt %d", i)
	}
	// The 10th wrong password locks; the lock holds even for the right one.
	_, err := e.svc.ChangePassword(t.Context(), allow(a.ID, account.OpChangePassword), a.ID, change("Wrong!pass1", pw2))
	require.ErrorIs(t, err, limits.ErrLocked)
	_, err = e.svc.ChangePassword(t.Context(), allow(a.ID, account.OpChangePassword), a.ID, change(pw1, pw2))
	var locked *limits.LockedError
	require.ErrorAs(t, err, &locked)
	assert.Equal(t, e.clock.Now().Add(30*time.Minute), locked.Until)
	assert.Equal(t, 10, e.events.Count(event.PasswordChangeFailed))

	// The failures are those of the password login of the same account.
	st, err := e.lockout.Status(t.Context(), account.DefaultLockoutScope, a.ID)
	require.NoError(t, err)
	assert.Equal(t, 10, st.Failures)
	assert.False(t, st.LockedUntil.IsZero())

	e.clock.Advance(30 * time.Minute)
	_, err = e.svc.ChangePassword(t.Context(), allow(a.ID, account.OpChangePassword), a.ID, change(pw1, pw2))
	require.NoError(t, err)
}

func TestRightOldPasswordGivesItsLockoutSlotBack(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	a := e.registerEmail(t, "n@example.com", pw1)
	_, err := e.svc.ChangePassword(t.Context(), allow(a.ID, account.OpChangePassword), a.ID, change(pw1, pw2))
	require.NoError(t, err)
	st, err := e.lockout.Status(t.Context(), account.DefaultLockoutScope, a.ID)
	require.NoError(t, err)
	assert.Zero(t, st.Failures)
}

func TestChangePasswordAsksTheVerifier(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	a := e.registerEmail(t, "o@example.com", pw1)
	_, err := e.svc.ChangePassword(t.Context(), vocab.Proof{}, a.ID, change(pw1, pw2))
	require.ErrorIs(t, err, account.ErrVerificationRequired)
	st, err := e.lockout.Status(t.Context(), account.DefaultLockoutScope, a.ID)
	require.NoError(t, err)
	assert.Zero(t, st.Failures, "refused before the old password was tried")
	assert.Equal(t, a, e.get(t, a.ID))
}
