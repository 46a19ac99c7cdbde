package accountsec_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/accountsec/accountsec/event"
	"github.com/accountsec/accountsec/limits"
	"github.com/accountsec/accountsec/mfa"
	"github.com/accountsec/accountsec/protection"
	"github.com/accountsec/accountsec/reason"
)

// A wrong TOTP code answered through protection's verification counts
// once, in the MFA scope: ten of them lock MFA with exactly one lock event,
// and an SMS verification of the same account still works.
func TestWrongTOTPCodesLockOnlyMFA(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	const email, pw, phone = "carol@example.com", "Str0ng!Pass", "+8613700137000"
	w.register(email, pw)
	sess := *w.login(email, pw).Session

	// A security phone, behind a step-up that covers binding MFA too.
	_, err := w.svc.Protection.Authorize(w.ctx, sess, protection.OpChangeSecurityPhone)
	w.verify(sess, err, "")
	p, err := w.svc.Protection.Authorize(w.ctx, sess, protection.OpChangeSecurityPhone)
	require.NoError(t, err)
	_, err = w.svc.Accounts.SendSecurityPhoneCode(w.ctx, p, sess.AccountID, phone, "203.0.113.1")
	require.NoError(t, err)
	_, err = w.svc.Accounts.ChangeSecurityPhone(w.ctx, p, sess.AccountID, phone, w.outbox.LastCode(phone))
	require.NoError(t, err)
	enr, err := w.svc.EnrolMFA(w.ctx, sess, "carol")
	require.NoError(t, err)
	secret := strings.ReplaceAll(enr.Key(), " ", "")
	_, err = w.svc.EnableMFA(w.ctx, sess, enr.DeviceID, w.totp(secret), mfa.Usage{Operation: true})
	require.NoError(t, err)

	// A host purpose outside the catalog accepts every method the account
	// has.
	const purpose = "host_export"
	w.clock.Advance(time.Minute)
	start := protection.StartRequest{AccountID: sess.AccountID, Binding: sess.Binding(), Purpose: purpose, Method: protection.MFA}
	ch, err := w.svc.Protection.StartVerification(w.ctx, start)
	require.NoError(t, err)
	before := len(w.events.All())
	wrong := wrongTOTP(t, secret, w.clock.Now())
	for i := range 10 {
		_, err := w.svc.Protection.AnswerVerification(w.ctx, protection.AnswerRequest{
			AccountID: sess.AccountID, Binding: sess.Binding(), Purpose: purpose, Challenge: ch.ID, Answer: wrong,
		})
		require.ErrorIs(t, err, mfa.ErrMismatch, "answer %d", i+1)
		if i < 9 {
			require.NotErrorIs(t, err, limits.ErrLocked, "answer %d", i+1)
			var r *reason.Error
			require.ErrorAs(t, err, &r)
			assert.Equal(t, 9-i, r.Params["remaining"], "answer %d", i+1)
		} else {
			require.ErrorIs(t, err, limits.ErrLocked, "the tenth wrong code locks")
		}
	}
	var scopes []string
	for _, e := range w.events.All()[before:] {
		if e.Kind == event.Locked {
			scopes = append(scopes, e.Scope)
		}
	}
	assert.Equal(t, []string{mfa.LimiterScope}, scopes, "lock events of ten wrong TOTP codes")

	// SMS verification of the same account is not locked.
	w.clock.Advance(time.Minute)
	start.Method = protection.SMS
	ch, err = w.svc.Protection.StartVerification(w.ctx, start)
	require.NoError(t, err)
	_, err = w.svc.Protection.AnswerVerification(w.ctx, protection.AnswerRequest{
		AccountID: sess.AccountID, Binding: sess.Binding(), Purpose: purpose, Challenge: ch.ID, Answer: w.outbox.LastCode(phone),
	})
	require.NoError(t, err)
}

// wrongTOTP returns a six-digit code that matches none of the steps around
// now.
func wrongTOTP(t *testing.T, secret string, now time.Time) string {
	t.Helper()
	near := map[string]bool{}
	for k := -3; k <= 3; k++ {
		c, err := totp.GenerateCodeCustom(secret, now.Add(time.Duration(k)*30*time.Second), totp.ValidateOpts{Period: 30, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
		require.NoError(t, err)
		near[c] = true
	}
	for n := 0; ; n++ {
		c := fmt.Sprintf("%06d", n)
		if !near[c] {
			return c
		}
	}
}
