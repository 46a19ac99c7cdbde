package protection_test

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/accountsec/accountsec/fakes"
	"github.com/accountsec/accountsec/protection"
)

// liveSessions counts alice's live sessions, with every injected failure
// healed.
func liveSessions(t *testing.T, e *env) int {
	t.Helper()
	e.store.Heal()
	rs, err := e.m.Sessions(t.Context(), aliceID)
	require.NoError(t, err)
	return len(rs)
}

// TestLoginFailsClosed injects a store failure at every step of a login
// with remote-login protection, login protection and a trusted device, and
// checks that no session comes out and the error is a store error, never
// "wrong credentials".
func TestLoginFailsClosed(t *testing.T) {
	t.Parallel()
	type step struct {
		name string
		fail func(e *env)
		// present sends the trusted device's token; trust asks to trust
		// the device.
		present, trust bool
	}
	protOp := func(op string) func(*env) { return func(e *env) { e.store.FailOn(op, nil) } }
	steps := []step{
		{"Reserve", func(e *env) { e.counters.FailOn("Reserve", nil) }, false, false},
		{"Release", func(e *env) { e.counters.FailOn("Release", nil) }, false, false},
		{"PasswordHash", func(e *env) { e.accounts.failWith(errors.New("db down")) }, false, false},
		{"LoginCities", protOp("ListRecords:city"), false, false},
		{"TrustedDevice", protOp("GetRecord:device"), true, false},
		{"PutPendingLogin", protOp("PutOnce:login"), false, false},
		{"PendingLogin", protOp("GetOnce:login"), false, false},
		{"PutChallenge", protOp("PutOnce:challenge"), false, false},
		{"PutCode", func(e *env) { e.codes.failOn("PutCode") }, false, false},
		{"Challenge", protOp("GetOnce:challenge"), false, false},
		{"ConsumeCode", func(e *env) { e.codes.failOn("ConsumeCode") }, false, false},
		{"ConsumeChallenge", protOp("TakeOnce:challenge"), false, false},
		{"ConsumePendingLogin", protOp("TakeOnce:login"), false, false},
		{"CreateSession", protOp("PutRecord:session:s"), false, false},
		{"RecordLoginCity", protOp("PutRecord:city"), false, false},
		{"PutTrustedDevice", protOp("PutRecord:device"), false, true},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			e.settings(aliceID, func(s *protection.Settings) {
				s.LoginProtection = protection.SMS
				s.TrustDevices = true
			})
			// Trust a device and learn a city first, then turn remote-login
			// protection on.
			dev := e.completeBySMS(t, e.login(t, "203.0.113.1", "").Pending, true).DeviceToken
			e.settings(aliceID, func(s *protection.Settings) { s.RemoteLoginProtection = true })
			before := liveSessions(t, e)

			st.fail(e)
			err := loginAllTheWay(t, e, dev, st.present, st.trust)
			requireStoreError(t, err)
			assert.Equal(t, before, liveSessions(t, e), "no session was left behind")
		})
	}
}

// loginAllTheWay runs a login from a new city through its second step and
// returns the first error.
func loginAllTheWay(t *testing.T, e *env, device string, present, trust bool) error {
	t.Helper()
	ip := "198.51.100.2"
	if !present {
		device = ""
	}
	res, err := e.m.Login(t.Context(), protection.LoginRequest{Login: aliceLogin, Password: alicePW, ClientIP: ip, DeviceToken: device})
	if err != nil {
		return err
	}
	if res.Session != nil {
		return errors.New("a session without the second step")
	}
	c, err := e.m.StartLoginChallenge(t.Context(), res.Pending.Token, protection.SMS, ip)
	if err != nil {
		return err
	}
	fin, err := e.m.CompleteLogin(t.Context(), protection.CompleteRequest{PendingToken: res.Pending.Token, Challenge: c.ID, Answer: e.outbox.LastCode(alicePhone), TrustDevice: trust})
	if err != nil {
		if fin.Session != nil || fin.Token != "" {
			return errors.New("a session came out with an error")
		}
		return err
	}
	return errors.New("the login succeeded")
}

func TestSessionsAndStepUpFailClosed(t *testing.T) {
	t.Parallel()
	for _, op := range []string{"GetRecord:session:s", "TouchRecord:session:s"} {
		t.Run("ValidateSession/"+op, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			_, token := e.session(t)
			e.clock.Advance(2 * e.m.Policy().TouchInterval)
			e.store.FailOn(op, nil)
			_, err := e.m.ValidateSession(t.Context(), token)
			requireStoreError(t, err)
		})
	}
	t.Run("Authorize/Grant", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t)
		s, _ := e.session(t)
		e.stepUp(t, s, protection.OpViewAPIKey)
		e.store.FailOn("GetRecord:session:g", nil)
		requireStoreError(t, errOf(e.m.Authorize(t.Context(), s, protection.OpViewAPIKey)))
		requireStoreError(t, errOf(e.m.Verified(protection.WithSession(t.Context(), s), aliceID, protection.OpViewAPIKey)))
	})
	t.Run("Authorize/Profile", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t)
		s, _ := e.session(t)
		e.accounts.failWith(errors.New("db down"))
		requireStoreError(t, errOf(e.m.Authorize(t.Context(), s, protection.OpViewAPIKey)))
	})
	t.Run("AnswerVerification/PutGrant", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t)
		s, _ := e.session(t)
		c, err := e.m.StartVerification(t.Context(), protection.StartRequest{AccountID: aliceID, Binding: s.Binding(), Purpose: protection.OpSignOutAll, Method: protection.MFA})
		require.NoError(t, err)
		e.store.FailOn("PutRecord:session:g", nil)
		_, err = e.m.AnswerVerification(t.Context(), protection.AnswerRequest{AccountID: aliceID, Binding: s.Binding(), Purpose: protection.OpSignOutAll, Challenge: c.ID, Answer: aliceMFA})
		requireStoreError(t, err)
		e.store.Heal()
		requireVerificationRequired(t, errOf(e.m.Authorize(t.Context(), s, protection.OpSignOutAll)))
	})
	t.Run("SignOutAll/EndAllSessions", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t)
		s, _ := e.session(t)
		e.stepUp(t, s, protection.OpSignOutAll)
		e.store.FailOn("EndRecords:session", nil)
		requireStoreError(t, e.m.SignOutAll(t.Context(), s))
		assert.Zero(t, e.events.Count("all_sessions_ended"), "no event for what did not happen")
	})
	t.Run("EndOtherSessions", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t)
		s, _ := e.session(t)
		e.store.FailOn("EndRecords:session", fakes.ErrInjected)
		requireStoreError(t, e.m.EndOtherSessions(t.Context(), aliceID, s.ID, protection.CauseMFAChanged))
	})
}
