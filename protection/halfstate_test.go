package protection_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/accountsec/accountsec/protection"
)

// A session write whose reply is lost (the store wrote it, the call
// failed) leaves no session behind: the login deletes the ID it tried to
// create.
func TestLostSessionWriteLeavesNoSession(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.store.LoseOn("PutRecord:session:s", nil)
	_, err := e.m.Login(t.Context(), protection.LoginRequest{Login: aliceLogin, Password: alicePW, ClientIP: "203.0.113.1"})
	requireStoreError(t, err)
	e.store.Heal()
	sessions, err := e.m.Sessions(t.Context(), aliceID)
	require.NoError(t, err)
	assert.Empty(t, sessions, "the half-written session was deleted")
	assert.Equal(t, 1, e.store.Calls("DeleteRecord:session:s"))

	s, _ := e.session(t)
	sessions, err = e.m.Sessions(t.Context(), aliceID)
	require.NoError(t, err)
	require.Len(t, sessions, 1, "a retry signs in")
	assert.Equal(t, s.ID, sessions[0].ID)
}

// A verification bound to a flow without a session (a password reset)
// authorises its own purpose only, never the other operations of the
// catalog, whereas a session's verification is a step-up for all of them.
func TestResetVerificationAuthorisesTheResetOnly(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	const binding = "reset:abc"
	ch, err := e.m.StartVerification(t.Context(), protection.StartRequest{AccountID: aliceID, Binding: binding, Purpose: protection.OpResetPassword, Method: protection.SMS})
	require.NoError(t, err)
	_, err = e.m.AnswerVerification(t.Context(), protection.AnswerRequest{
		AccountID: aliceID, Binding: binding, Purpose: protection.OpResetPassword, Challenge: ch.ID, Answer: e.outbox.LastCode(alicePhone),
	})
	require.NoError(t, err)

	p, err := e.m.VerifiedFor(t.Context(), aliceID, binding, protection.OpResetPassword)
	require.NoError(t, err, "the reset is verified")
	assert.True(t, p.Valid(aliceID, protection.OpResetPassword, e.clock.Now()))
	for _, op := range []string{protection.OpBindLoginMethod, protection.OpUnbindMFA, protection.OpChangeSecurityPhone, protection.OpSignOutAll} {
		p, err := e.m.Verified(protection.WithBinding(t.Context(), binding), aliceID, op)
		requireVerificationRequired(t, err)
		assert.False(t, p.Valid(aliceID, op, e.clock.Now()), op)
	}

	// In a session, a verification for one operation still steps up for
	// every operation.
	s, _ := e.session(t)
	e.stepUp(t, s, protection.OpChangeSecurityPhone)
	for _, op := range []string{protection.OpBindLoginMethod, protection.OpUnbindMFA, protection.OpSignOutAll} {
		_, err := e.m.Authorize(t.Context(), s, op)
		require.NoError(t, err, op)
		_, err = e.m.Verified(protection.WithSession(t.Context(), s), aliceID, op)
		require.NoError(t, err, op)
	}
}
