package protection_test

import (
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/accountsec/accountsec/event"
	"github.com/accountsec/accountsec/limits"
	"github.com/accountsec/accountsec/protection"
	"github.com/accountsec/accountsec/reason"
)

func mustAtoi(t *testing.T, s string) int {
	t.Helper()
	n, err := strconv.Atoi(s)
	require.NoError(t, err)
	return n
}

// An MFA code is counted once, by the MFA verifier in its own scope: it
// takes no slot of VerifyScope, so wrong TOTP codes neither lock SMS
// verification nor emit a lock event of their own, and the verifier's
// error (with its one "remaining") is what the caller gets.
func TestMFAAnswersAreCountedByTheMFAVerifierOnly(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.lockout(t, limits.Lockout{MaxFailures: 3})
	s, _ := e.session(t)
	req := protection.StartRequest{AccountID: aliceID, Binding: s.Binding(), Purpose: protection.OpSignOutAll, Method: protection.MFA}
	c, err := e.m.StartVerification(t.Context(), req)
	require.NoError(t, err)
	ans := protection.AnswerRequest{AccountID: aliceID, Binding: s.Binding(), Purpose: protection.OpSignOutAll, Challenge: c.ID, Answer: "111111"}
	for i := range 5 {
		_, err := e.m.AnswerVerification(t.Context(), ans)
		require.ErrorIs(t, err, reason.New(reason.MFAMismatch), "answer %d", i+1)
		require.NotErrorIs(t, err, limits.ErrLocked, "answer %d: locked by protection", i+1)
		assert.Equal(t, []any{0}, remainingParams(err), "answer %d: the verifier's remaining only", i+1)
	}
	st, err := e.limiter.Status(t.Context(), protection.VerifyScope, aliceID)
	require.NoError(t, err)
	assert.Zero(t, st.Failures, "MFA answers counted under VerifyScope")
	assert.Zero(t, e.events.Count(event.Locked))

	// The verifier's own lock is passed on as it is.
	until := e.clock.Now().Add(time.Hour)
	e.mfa.FailWith(&limits.LockedError{Until: until})
	ans.Answer = aliceMFA
	_, err = e.m.AnswerVerification(t.Context(), ans)
	var lock *limits.LockedError
	require.ErrorAs(t, err, &lock)
	assert.Equal(t, until, lock.Until)

	// SMS verification of the same account is not locked.
	req.Method = protection.SMS
	c, err = e.m.StartVerification(t.Context(), req)
	require.NoError(t, err)
	_, err = e.m.AnswerVerification(t.Context(), protection.AnswerRequest{AccountID: aliceID, Binding: s.Binding(), Purpose: protection.OpSignOutAll, Challenge: c.ID, Answer: e.outbox.LastCode(alicePhone)})
	require.NoError(t, err)
}

// remainingParams returns the "remaining" parameters of every reason error
// in err's tree.
func remainingParams(err error) []any {
	var out []any
	var walk func(error)
	walk = func(err error) {
		if err == nil {
			return
		}
		if r, ok := err.(*reason.Error); ok {
			if v, ok := r.Params["remaining"]; ok {
				out = append(out, v)
			}
		}
		switch u := err.(type) {
		case interface{ Unwrap() []error }:
			for _, e := range u.Unwrap() {
				walk(e)
			}
		case interface{ Unwrap() error }:
			walk(u.Unwrap())
		}
	}
	walk(err)
	return out
}
