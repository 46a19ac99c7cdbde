package protection_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/accountsec/accountsec/event"
	"github.com/accountsec/accountsec/limits"
	"github.com/accountsec/accountsec/protection"
	"github.com/accountsec/accountsec/reason"
)

// lockAlice makes ten wrong password logins of alice and returns the error
// of the tenth, the one that locks.
func lockAlice(t *testing.T, e *env) error {
	t.Helper()
	var err error
	for i := range 10 {
		_, err = e.m.Login(t.Context(), protection.LoginRequest{Login: aliceLogin, Password: "wrong"})
		require.ErrorIs(t, err, protection.ErrWrongCredentials, "failure %d", i+1)
		if i < 9 {
			assert.Equal(t, reason.PasswordWrong, reason.CodeOf(err), "failure %d", i+1)
		}
	}
	return err
}

func TestTheFailureThatLocksSaysSo(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	err := lockAlice(t, e)
	assert.Equal(t, reason.LimitsLocked, reason.CodeOf(err), "the code a host switches on")
	require.ErrorIs(t, err, protection.ErrWrongCredentials)
	var lock *limits.LockedError
	require.ErrorAs(t, err, &lock)
	assert.Equal(t, e.clock.Now().Add(30*time.Minute), lock.Until)

	// An unknown login locks alike, with the same answer.
	var unknown error
	for range 10 {
		_, unknown = e.m.Login(t.Context(), protection.LoginRequest{Login: "nobody@example.com", Password: "wrong"})
	}
	assert.Equal(t, reason.LimitsLocked, reason.CodeOf(unknown))
	assert.Equal(t, err.Error(), unknown.Error())
}

func TestLockedAccountStartsNoSessionByAnyLoginMethod(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	_ = lockAlice(t, e)

	for _, method := range []string{"wechat", "qq", "wecom", "wechat_oa"} {
		res, err := e.m.LoginWith(t.Context(), protection.ThirdPartyLogin{AccountID: aliceID, Method: method, ClientIP: "203.0.113.1"})
		var lock *limits.LockedError
		require.ErrorAs(t, err, &lock, method)
		assert.Equal(t, reason.LimitsLocked, reason.CodeOf(err))
		assert.Equal(t, e.clock.Now().Add(30*time.Minute), lock.Until)
		assert.Nil(t, res.Session, method)
		assert.Nil(t, res.Pending, method)
	}
	list, err := e.m.Sessions(t.Context(), aliceID)
	require.NoError(t, err)
	assert.Empty(t, list)
	locked := eventsOf(e, event.LoginLocked)
	require.NotEmpty(t, locked)
	last := locked[len(locked)-1]
	assert.Equal(t, aliceID, last.AccountID)
	assert.Equal(t, "wechat_oa", last.Attrs["login_method"])

	// Another account is not concerned.
	res, err := e.m.LoginWith(t.Context(), protection.ThirdPartyLogin{AccountID: bobID, Method: "wechat"})
	require.NoError(t, err)
	require.NotNil(t, res.Session)

	// The lock expires by itself, and only then.
	e.clock.Advance(30*time.Minute - time.Second)
	_, err = e.m.LoginWith(t.Context(), protection.ThirdPartyLogin{AccountID: aliceID, Method: "wechat"})
	require.ErrorIs(t, err, limits.ErrLocked)
	e.clock.Advance(time.Second)
	res, err = e.m.LoginWith(t.Context(), protection.ThirdPartyLogin{AccountID: aliceID, Method: "wechat"})
	require.NoError(t, err)
	require.NotNil(t, res.Session)
}

func TestALockAfterTheFirstStepStopsTheSecond(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.settings(aliceID, func(s *protection.Settings) { s.LoginProtection = protection.SMS })
	res, err := e.m.LoginWith(t.Context(), protection.ThirdPartyLogin{AccountID: aliceID, Method: "qq"})
	require.NoError(t, err)
	require.NotNil(t, res.Pending)
	c, err := e.m.StartLoginChallenge(t.Context(), res.Pending.Token, protection.SMS, "")
	require.NoError(t, err)

	_ = lockAlice(t, e)
	fin, err := e.m.CompleteLogin(t.Context(), protection.CompleteRequest{PendingToken: res.Pending.Token, Challenge: c.ID, Answer: e.outbox.LastCode(alicePhone)})
	require.ErrorIs(t, err, limits.ErrLocked)
	assert.Nil(t, fin.Session)
	st, err := e.limiter.Status(t.Context(), protection.VerifyScope, aliceID)
	require.NoError(t, err)
	assert.Zero(t, st.Failures, "the answer was not checked")
}

func TestWrongOldPasswordsAndLoginsShareTheAccountLock(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	for range 3 {
		_, err := e.m.Login(t.Context(), protection.LoginRequest{Login: aliceLogin, Password: "wrong"})
		require.ErrorIs(t, err, protection.ErrWrongCredentials)
	}
	st, err := e.limiter.Status(t.Context(), protection.AccountLockScope, aliceID)
	require.NoError(t, err)
	assert.Equal(t, 3, st.Failures, "counted per account")
	byLogin, err := e.limiter.Status(t.Context(), protection.LoginScope, aliceLogin)
	require.NoError(t, err)
	assert.Zero(t, byLogin.Failures, "a known login does not count per identifier")
}

func TestAWeChatLoginIsNotAskedForAWeChatScan(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.settings(aliceID, func(s *protection.Settings) { s.LoginProtection = protection.WeChatScan })

	res, err := e.m.LoginWith(t.Context(), protection.ThirdPartyLogin{AccountID: aliceID, Method: "wechat", ClientIP: "203.0.113.1"})
	require.NoError(t, err)
	require.NotNil(t, res.Session, "the WeChat login was the scan")
	assert.Nil(t, res.Pending)
	ok := eventsOf(e, event.LoginSucceeded)
	require.Len(t, ok, 1)
	assert.Equal(t, "wechat_login", ok[0].Attrs["skipped"])

	for _, req := range []protection.ThirdPartyLogin{{AccountID: aliceID, Method: "qq"}, {AccountID: aliceID, Method: "wecom"}} {
		res, err := e.m.LoginWith(t.Context(), req)
		require.NoError(t, err)
		require.NotNil(t, res.Pending, req.Method)
		assert.True(t, res.Pending.SecondFactor)
	}
	p := e.login(t, "203.0.113.1", "").Pending
	require.NotNil(t, p, "a password login is asked for the scan")

	// Another login protection still applies to a WeChat login.
	e.settings(aliceID, func(s *protection.Settings) { s.LoginProtection = protection.SMS })
	res, err = e.m.LoginWith(t.Context(), protection.ThirdPartyLogin{AccountID: aliceID, Method: "wechat"})
	require.NoError(t, err)
	require.NotNil(t, res.Pending)
	assert.True(t, res.Pending.SecondFactor)
}

func TestAWeChatLoginStillMeetsRemoteLoginProtection(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.settings(aliceID, func(s *protection.Settings) {
		s.LoginProtection = protection.WeChatScan
		s.RemoteLoginProtection = true
		s.RemoteLoginMethod = protection.SMS
	})
	first, err := e.m.LoginWith(t.Context(), protection.ThirdPartyLogin{AccountID: aliceID, Method: "wechat", ClientIP: "203.0.113.1"})
	require.NoError(t, err)
	require.NotNil(t, first.Session, "the first city is learned")
	res, err := e.m.LoginWith(t.Context(), protection.ThirdPartyLogin{AccountID: aliceID, Method: "wechat", ClientIP: "198.51.100.2"})
	require.NoError(t, err)
	require.NotNil(t, res.Pending, "Beijing is not a usual city")
	assert.False(t, res.Pending.SecondFactor, "the scan is not asked again")
	assert.True(t, res.Pending.UnusualLocation)
	assert.Equal(t, protection.SMS, res.Pending.Options.Preferred)
	assert.Zero(t, e.events.Count(event.SecondFactorRequired))
}

// trustedLogin logs alice in through SMS login protection, trusting the
// device, and returns the session and the device token.
func trustedLogin(t *testing.T, e *env) (protection.Session, string) {
	t.Helper()
	res := e.completeBySMS(t, e.login(t, "203.0.113.1", "").Pending, true)
	require.NotEmpty(t, res.DeviceToken)
	return *res.Session, res.DeviceToken
}

// skips reports whether a password login presenting deviceToken skips login
// protection.
func skips(t *testing.T, e *env, deviceToken string) bool {
	t.Helper()
	return e.login(t, "203.0.113.1", deviceToken).Session != nil
}

func trustingEnv(t *testing.T) *env {
	e := newEnv(t)
	e.settings(aliceID, func(s *protection.Settings) {
		s.LoginProtection = protection.SMS
		s.TrustDevices = true
	})
	return e
}

func TestSessionsKnowTheirTrustedDevice(t *testing.T) {
	t.Parallel()
	e := trustingEnv(t)
	s, token := trustedLogin(t, e)
	devices, err := e.m.TrustedDevices(t.Context(), aliceID)
	require.NoError(t, err)
	require.Len(t, devices, 1)
	assert.Equal(t, devices[0].ID, s.DeviceID, "the login that trusted the device")

	again := e.login(t, "203.0.113.1", token).Session
	require.NotNil(t, again, "the trusted device skips login protection")
	assert.Equal(t, devices[0].ID, again.DeviceID, "the login that used the device")
	list, err := e.m.Sessions(t.Context(), aliceID)
	require.NoError(t, err)
	require.Len(t, list, 2)
	for _, l := range list {
		assert.Equal(t, devices[0].ID, l.DeviceID, "read back from the store")
	}
	plain := e.login(t, "203.0.113.1", "")
	require.NotNil(t, plain.Pending)
}

func TestPasswordChangeKeepsOnlyTheCurrentDevice(t *testing.T) {
	t.Parallel()
	e := trustingEnv(t)
	current, here := trustedLogin(t, e)
	_, there := trustedLogin(t, e)
	require.True(t, skips(t, e, there))

	e.store.ResetCalls()
	require.NoError(t, e.m.EndOtherSessions(t.Context(), aliceID, current.ID, protection.CausePasswordChanged))
	assert.Equal(t, 1, e.store.Calls("EndRecords:device"), "one write for the devices")
	assert.True(t, skips(t, e, here), "the device of the session that changed the password stays")
	assert.False(t, skips(t, e, there), "the other device is revoked")
	devices, err := e.m.TrustedDevices(t.Context(), aliceID)
	require.NoError(t, err)
	require.Len(t, devices, 1)
	assert.Equal(t, current.DeviceID, devices[0].ID)
	revoked := eventsOf(e, event.TrustedDevicesRevoked)
	require.Len(t, revoked, 1)
	assert.Equal(t, protection.CausePasswordChanged, revoked[0].Attrs["reason"])
	assert.Equal(t, current.DeviceID, revoked[0].Attrs["kept"])
}

func TestResetMFAChangeAndSignOutAllRevokeEveryDevice(t *testing.T) {
	t.Parallel()
	for _, cause := range []string{protection.CausePasswordReset, protection.CauseMFAChanged, protection.CauseSignOutAll, protection.CauseCancellation} {
		t.Run(cause, func(t *testing.T) {
			t.Parallel()
			e := trustingEnv(t)
			current, here := trustedLogin(t, e)
			_, there := trustedLogin(t, e)
			if cause == protection.CauseSignOutAll {
				e.stepUp(t, current, protection.OpSignOutAll)
				require.NoError(t, e.m.SignOutAll(t.Context(), current))
			} else {
				require.NoError(t, e.m.EndOtherSessions(t.Context(), aliceID, current.ID, cause))
			}
			assert.False(t, skips(t, e, here), "even the current session's device")
			assert.False(t, skips(t, e, there))
			devices, err := e.m.TrustedDevices(t.Context(), aliceID)
			require.NoError(t, err)
			assert.Empty(t, devices)
			revoked := eventsOf(e, event.TrustedDevicesRevoked)
			require.Len(t, revoked, 1)
			assert.Equal(t, cause, revoked[0].Attrs["reason"])
			assert.Empty(t, revoked[0].Attrs["kept"])
		})
	}
}

func TestRevokeTrustedDevicesRevokesThemAllAtOnce(t *testing.T) {
	t.Parallel()
	e := trustingEnv(t)
	_, here := trustedLogin(t, e)
	_, there := trustedLogin(t, e)
	token := e.completeBySMS(t, e.login(t, "203.0.113.1", "").Pending, false).Token
	e.store.ResetCalls()
	require.NoError(t, e.m.RevokeTrustedDevices(t.Context(), aliceID))
	assert.Equal(t, 1, e.store.Writes(), "one write")
	assert.False(t, skips(t, e, here))
	assert.False(t, skips(t, e, there))
	_, err := e.m.ValidateSession(t.Context(), token)
	require.NoError(t, err, "revoking devices ends no session")
	assert.Equal(t, 1, e.events.Count(event.TrustedDevicesRevoked))
	require.Error(t, e.m.RevokeTrustedDevices(t.Context(), ""))
}

func TestRevokingDevicesFailsClosed(t *testing.T) {
	t.Parallel()
	e := trustingEnv(t)
	current, here := trustedLogin(t, e)
	e.store.FailOn("EndRecords:device", nil)
	other := e.completeBySMS(t, e.login(t, "", "").Pending, false)
	requireStoreError(t, e.m.EndOtherSessions(t.Context(), aliceID, current.ID, protection.CausePasswordReset))
	_, err := e.m.ValidateSession(t.Context(), other.Token)
	require.NoError(t, err, "the sessions were not ended either, so the call can be retried")
	e.store.Heal()
	require.NoError(t, e.m.EndOtherSessions(t.Context(), aliceID, current.ID, protection.CausePasswordReset))
	assert.False(t, skips(t, e, here))
}
