package accountsec_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/crypto/bcrypt"

	"github.com/accountsec/accountsec"
	"github.com/accountsec/accountsec/account"
	"github.com/accountsec/accountsec/account/password"
	"github.com/accountsec/accountsec/event"
	"github.com/accountsec/accountsec/fakes"
	"github.com/accountsec/accountsec/mfa"
	"github.com/accountsec/accountsec/protection"
	"github.com/accountsec/accountsec/recovery"
	"github.com/accountsec/accountsec/store/memstore"
)

type world struct {
	t      *testing.T
	svc    *accountsec.Service
	clock  *fakes.Clock
	outbox *fakes.Outbox
	events *fakes.Events
	store  *memstore.Store
	ctx    context.Context
}

func newWorld(t *testing.T) *world {
	t.Helper()
	w := &world{t: t, clock: fakes.NewClock(fakes.Epoch), outbox: &fakes.Outbox{}, events: &fakes.Events{}, store: memstore.New(), ctx: context.Background()}
	svc, err := accountsec.New(
		accountsec.Config{Secret: secret, Hashing: password.HasherConfig{Params: password.InsecureTestParams()}},
		accountsec.Deps{Store: w.store, SMS: w.outbox, Email: w.outbox, Events: w.events.Hook, Now: w.clock.Now},
	)
	require.NoError(t, err)
	w.svc = svc
	return w
}

func (w *world) register(email, pw string) account.Account {
	w.t.Helper()
	_, err := w.svc.Accounts.SendRegistrationCode(w.ctx, email, "203.0.113.1")
	require.NoError(w.t, err)
	a, err := w.svc.Accounts.Register(w.ctx, account.Registration{Method: account.MethodEmail, Identifier: email, Password: pw, Code: w.outbox.LastCode(email)})
	require.NoError(w.t, err)
	return a
}

// setPasswordHash stores hash as the account's password hash, as a host
// migrating hashes from another system would.
func (w *world) setPasswordHash(id, hash string) {
	w.t.Helper()
	a, found, err := w.store.Account(w.ctx, id)
	require.NoError(w.t, err)
	require.True(w.t, found)
	a.Password.Hash = hash
	a.Password.History = []string{hash}
	res, err := w.store.UpdateAccount(w.ctx, a, nil, nil)
	require.NoError(w.t, err)
	require.Equal(w.t, account.WriteOK, res.Status)
}

func (w *world) login(email, pw string) protection.LoginResult {
	w.t.Helper()
	res, err := w.svc.Protection.Login(w.ctx, protection.LoginRequest{Login: email, Password: pw, ClientIP: "203.0.113.1", DeviceName: "laptop"})
	require.NoError(w.t, err)
	return res
}

// verify passes identity verification for purpose in session s with the
// first offered method, answering from the outbox or the authenticator.
func (w *world) verify(s protection.Session, err error, totpSecret string) {
	w.t.Helper()
	var vr *protection.VerificationRequiredError
	require.ErrorAs(w.t, err, &vr)
	require.NotEmpty(w.t, vr.Methods)
	w.clock.Advance(time.Minute) // one code per minute per destination
	ch, err := w.svc.Protection.StartVerification(w.ctx, protection.StartRequest{AccountID: s.AccountID, Binding: s.Binding(), Purpose: vr.Purpose, Method: vr.Methods[0], ClientIP: "203.0.113.1"})
	require.NoError(w.t, err)
	var answer string
	switch ch.Method {
	case protection.MFA:
		answer = w.totp(totpSecret)
	default:
		answer = w.outbox.LastCode(ch.SentTo)
		if answer == "" {
			for _, m := range w.outbox.Messages() {
				answer = m.Code
			}
		}
	}
	_, err = w.svc.Protection.AnswerVerification(w.ctx, protection.AnswerRequest{AccountID: s.AccountID, Binding: s.Binding(), Purpose: vr.Purpose, Challenge: ch.ID, Answer: answer})
	require.NoError(w.t, err)
}

// totp moves the clock to the next time step (so the code is fresh) and
// returns the authenticator's code.
func (w *world) totp(secret string) string {
	w.t.Helper()
	w.clock.Advance(30 * time.Second)
	code, err := totp.GenerateCodeCustom(secret, w.clock.Now(), totp.ValidateOpts{Period: 30, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
	require.NoError(w.t, err)
	return code
}

// The whole console journey through the facade: register, sign in, bind MFA
// behind identity verification, sign in again with MFA as the second
// factor, step up for a sensitive operation, sign out everywhere.
func TestLoginWithMFAAndStepUpThroughTheFacade(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	const email, pw = "alice@example.com", "Str0ng!Pass"
	a := w.register(email, pw)

	first := w.login(email, pw)
	require.NotNil(t, first.Session, "no login protection yet: a session at once")
	sess := *first.Session

	_, err := w.svc.EnrolMFA(w.ctx, sess, "alice")
	w.verify(sess, err, "")
	enr, err := w.svc.EnrolMFA(w.ctx, sess, "alice")
	require.NoError(t, err)
	secret := strings.ReplaceAll(enr.Key(), " ", "")
	assert.True(t, strings.HasPrefix(enr.URI(), "otpauth://totp/"))
	assert.NotEmpty(t, enr.QRCode())

	_, err = w.svc.EnableMFA(w.ctx, sess, enr.DeviceID, w.totp(secret), mfa.Usage{Login: true, Operation: true})
	require.NoError(t, err)
	acc, err := w.svc.Accounts.Account(w.ctx, a.ID)
	require.NoError(t, err)
	assert.Equal(t, account.VerifyMFA, acc.Security.LoginProtection)
	assert.Equal(t, account.VerifyMFA, acc.Security.OperationProtection)

	// A new login now stops at the second factor.
	second := w.login(email, pw)
	require.Nil(t, second.Session)
	require.NotNil(t, second.Pending)
	require.True(t, second.Pending.SecondFactor)
	ch, err := w.svc.Protection.StartLoginChallenge(w.ctx, second.Pending.Token, protection.MFA, "203.0.113.1")
	require.NoError(t, err)
	done, err := w.svc.Protection.CompleteLogin(w.ctx, protection.CompleteRequest{PendingToken: second.Pending.Token, Challenge: ch.ID, Answer: w.totp(secret)})
	require.NoError(t, err)
	require.NotNil(t, done.Session)
	sess2 := *done.Session

	// Sensitive operation: step up with MFA, valid 30 minutes in this session only.
	_, err = w.svc.Protection.Authorize(w.ctx, sess2, protection.OpSignOutAll)
	w.verify(sess2, err, secret)
	p, err := w.svc.Protection.Authorize(w.ctx, sess2, protection.OpSignOutAll)
	require.NoError(t, err)
	assert.Equal(t, sess2.AccountID, p.Account())
	_, err = w.svc.Protection.Authorize(w.ctx, sess, protection.OpSignOutAll)
	require.Error(t, err, "the grant is bound to its session")

	require.NoError(t, w.svc.Protection.SignOutAll(w.ctx, sess2))
	for _, tok := range []string{first.Token, done.Token} {
		_, err := w.svc.Protection.ValidateSession(w.ctx, tok)
		require.Error(t, err)
	}
}

func TestUnbindMFAFallsBackAndEndsOtherSessions(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	const email, pw = "bob@example.com", "Str0ng!Pass"
	w.register(email, pw)
	sess := *w.login(email, pw).Session
	other := w.login(email, pw)

	_, err := w.svc.EnrolMFA(w.ctx, sess, "bob")
	w.verify(sess, err, "")
	enr, err := w.svc.EnrolMFA(w.ctx, sess, "bob")
	require.NoError(t, err)
	secret := strings.ReplaceAll(enr.Key(), " ", "")
	_, err = w.svc.EnableMFA(w.ctx, sess, enr.DeviceID, w.totp(secret), mfa.Usage{Operation: true})
	require.NoError(t, err)
	_, err = w.svc.Protection.ValidateSession(w.ctx, other.Token)
	require.Error(t, err, "binding MFA ends the other sessions")

	third := w.login(email, pw)
	_, err = w.svc.UnbindMFA(w.ctx, sess, w.totp(secret))
	w.verify(sess, err, secret)
	rep, err := w.svc.UnbindMFA(w.ctx, sess, w.totp(secret))
	require.NoError(t, err)
	assert.True(t, rep.ProtectionUpdated)
	assert.Equal(t, "none", rep.Fallback.Operation, "no security phone: operation protection falls back to none")
	_, err = w.svc.Protection.ValidateSession(w.ctx, third.Token)
	require.Error(t, err, "unbinding MFA ends the other sessions")
	_, err = w.svc.Protection.ValidateSession(w.ctx, w.login(email, pw).Token)
	require.NoError(t, err, "and sign-in works without MFA")
}

func TestChangePasswordEndsOtherSessions(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	const email, pw = "carol@example.com", "Str0ng!Pass"
	w.register(email, pw)
	sess := *w.login(email, pw).Session
	other := w.login(email, pw)

	change := account.PasswordChange{Old: pw, New: "N3w!Passw0rd", Confirm: "N3w!Passw0rd"}
	// Operation protection is "none" by default, so the old password is the
	// proof here.
	require.NoError(t, w.svc.ChangePassword(w.ctx, sess, change))
	_, err := w.svc.Protection.ValidateSession(w.ctx, other.Token)
	require.Error(t, err)
	_, err = w.svc.Protection.ValidateSession(w.ctx, w.login(email, "N3w!Passw0rd").Token)
	require.NoError(t, err)
}

func TestLoginUpgradesAnOutdatedHash(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	store := memstore.New()
	cheap := password.InsecureTestParams()
	stronger := cheap
	stronger.Time = 2
	mk := func(p password.Params) *accountsec.Service {
		svc, err := accountsec.New(
			accountsec.Config{Secret: secret, Hashing: password.HasherConfig{Params: p}},
			accountsec.Deps{Store: store, Email: w.outbox, Now: w.clock.Now},
		)
		require.NoError(t, err)
		return svc
	}
	w.svc = mk(cheap)
	a := w.register("dora@example.com", "Str0ng!Pass")
	assert.Contains(t, a.Password.Hash, ",t=1,")

	w.svc = mk(stronger) // the host raised its parameters
	login := func(pw string) (protection.LoginResult, error) {
		return w.svc.Protection.Login(w.ctx, protection.LoginRequest{Login: "dora@example.com", Password: pw, ClientIP: "203.0.113.1"})
	}
	_, err := login("Wr0ng!Pass")
	require.ErrorIs(t, err, protection.ErrWrongCredentials)
	unchanged, err := w.svc.Accounts.Account(w.ctx, a.ID)
	require.NoError(t, err)
	assert.Equal(t, a.Password.Hash, unchanged.Password.Hash, "only the right password upgrades the hash")

	before := w.svc.Passwords.Computed()
	res, err := login("Str0ng!Pass")
	require.NoError(t, err)
	require.NotNil(t, res.Session)
	assert.Equal(t, uint64(2), w.svc.Passwords.Computed()-before, "verify the old hash, hash the new one: nothing more")
	after, err := w.svc.Accounts.Account(w.ctx, a.ID)
	require.NoError(t, err)
	assert.Contains(t, after.Password.Hash, ",t=2,")
	assert.Equal(t, after.Password.Hash, after.Password.History[0])

	// The upgraded hash still verifies, and needs no further upgrade.
	before = w.svc.Passwords.Computed()
	_, err = login("Str0ng!Pass")
	require.NoError(t, err)
	assert.Equal(t, uint64(1), w.svc.Passwords.Computed()-before)
}

// A bcrypt hash (migrated from another system) is verified once and replaced
// by argon2id in the same login: two key derivations in all.
func TestLoginMigratesABcryptHash(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	a := w.register("erin@example.com", "Str0ng!Pass")
	bc, err := bcrypt.GenerateFromPassword([]byte("Str0ng!Pass"), bcrypt.MinCost)
	require.NoError(t, err)
	w.setPasswordHash(a.ID, string(bc))

	before := w.svc.Passwords.Computed()
	res, err := w.svc.Protection.Login(w.ctx, protection.LoginRequest{Login: "erin@example.com", Password: "Str0ng!Pass"})
	require.NoError(t, err)
	require.NotNil(t, res.Session)
	assert.Equal(t, uint64(2), w.svc.Passwords.Computed()-before)
	after, err := w.svc.Accounts.Account(w.ctx, a.ID)
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(after.Password.Hash, "$argon2id$"), after.Password.Hash)
	assert.Equal(t, 1, w.events.Count(event.PasswordRehashed))
}

// The forgotten-password reset through the facade: a link by email, the new
// password, identity verification bound to the reset, every session ended.
func TestPasswordResetThroughTheFacade(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	const email, pw, newPw = "erin@example.com", "Str0ng!Pass", "N3w!Passw0rd"
	const phone = "+8613800138001"
	w.register(email, pw)
	open := w.login(email, pw)
	w.bindPhone(*open.Session, phone) // the mailbox cannot verify its own reset

	w.clock.Advance(time.Minute)
	require.NoError(t, w.svc.Resets.Request(w.ctx, email, "203.0.113.1"))
	require.NoError(t, w.svc.Resets.Request(w.ctx, "nobody@example.com", "203.0.113.1"), "unknown addresses look the same")
	token := w.outbox.LastCode(email)
	require.NotEmpty(t, token)
	assert.Empty(t, w.outbox.LastCode("nobody@example.com"), "but get no email")

	pending, err := w.svc.Resets.Lookup(w.ctx, token)
	require.NoError(t, err)
	completion := recovery.Completion{Token: token, New: newPw, Confirm: newPw}
	_, err = w.svc.Resets.Complete(w.ctx, completion)
	require.Error(t, err, "identity verification comes first")

	// Verify by SMS, bound to this reset (never by the mailbox the link
	// went to).
	w.clock.Advance(time.Minute)
	opts, err := w.svc.Protection.Options(w.ctx, pending.AccountID, protection.OpResetPassword)
	require.NoError(t, err)
	require.Equal(t, []protection.Method{protection.SMS}, opts.Methods())
	ch, err := w.svc.Protection.StartVerification(w.ctx, protection.StartRequest{AccountID: pending.AccountID, Binding: pending.Binding, Purpose: protection.OpResetPassword, Method: opts.Preferred, ClientIP: "203.0.113.1"})
	require.NoError(t, err)
	_, err = w.svc.Protection.AnswerVerification(w.ctx, protection.AnswerRequest{AccountID: pending.AccountID, Binding: pending.Binding, Purpose: protection.OpResetPassword, Challenge: ch.ID, Answer: w.outbox.LastCode(phone)})
	require.NoError(t, err)

	_, err = w.svc.Resets.Complete(w.ctx, completion)
	require.NoError(t, err)
	_, err = w.svc.Resets.Complete(w.ctx, completion)
	require.ErrorIs(t, err, recovery.ErrTokenInvalid, "the link works once")
	_, err = w.svc.Protection.ValidateSession(w.ctx, open.Token)
	require.Error(t, err, "every session ended")
	_, err = w.svc.Protection.Login(w.ctx, protection.LoginRequest{Login: email, Password: pw, ClientIP: "203.0.113.1"})
	require.Error(t, err, "the old password is gone")
	w.login(email, newPw)
}
