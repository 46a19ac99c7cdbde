package attack

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"github.com/accountsec/accountsec"
	"github.com/accountsec/accountsec/account"
	"github.com/accountsec/accountsec/account/password"
	"github.com/accountsec/accountsec/event"
	"github.com/accountsec/accountsec/examples/internal/teststores"
	"github.com/accountsec/accountsec/fakes"
	"github.com/accountsec/accountsec/mfa"
	"github.com/accountsec/accountsec/protection"
	"github.com/accountsec/accountsec/recovery"
)

const (
	victimEmail = "vera@example.com" // her login email and security email: the mailbox
	victimPW    = "Str0ng!Vera"
	victimPhone = "+8613800138000"
	attackerIP  = "198.51.100.9"
	newPW       = "N3w!Passw0rd"
)

// TestOneChannelNeverDefeatsAnother runs the attacks on PostgreSQL alone and
// on PostgreSQL with Redis for hot state. It never skips in CI.
func TestOneChannelNeverDefeatsAnother(t *testing.T) {
	dsn, addr := teststores.Addresses(t)
	stores := map[string]func(t *testing.T) accountsec.Deps{
		"postgres": func(t *testing.T) accountsec.Deps {
			return accountsec.Deps{Store: teststores.Postgres(t, dsn, "attack")}
		},
		"postgres+redis": func(t *testing.T) accountsec.Deps {
			rd := teststores.Redis(t, addr, "attack")
			return accountsec.Deps{Store: teststores.Postgres(t, dsn, "attack"), Counters: rd, Codes: rd, Sessions: rd, Resets: rd}
		},
	}
	for name, deps := range stores {
		t.Run(name+"/mailbox", func(t *testing.T) { mailboxAttack(newWorld(t, deps(t))) })
		t.Run(name+"/phone", func(t *testing.T) { phoneAttack(newWorld(t, deps(t))) })
		t.Run(name+"/owner", func(t *testing.T) { ownerResets(newWorld(t, deps(t))) })
	}
}

// world is the library on real stores, with a fake clock and an outbox in
// place of the SMS gateway and the mailer.
type world struct {
	t      *testing.T
	ctx    context.Context
	svc    *accountsec.Service
	clock  *fakes.Clock
	outbox *fakes.Outbox
	events *fakes.Events
	victim account.Account
	sess   protection.Session // a session of the victim's, left open
	secret string             // her TOTP secret: only she has it
}

func newWorld(t *testing.T, deps accountsec.Deps) *world {
	w := &world{t: t, ctx: context.Background(), clock: fakes.NewClock(fakes.Epoch), outbox: &fakes.Outbox{}, events: &fakes.Events{}}
	deps.SMS, deps.Email, deps.Now, deps.Events = w.outbox, w.outbox, w.clock.Now, w.events.Hook
	svc, err := accountsec.New(accountsec.Config{
		Secret:  []byte("attack-example-secret-32-bytes!!"),
		Hashing: password.HasherConfig{Params: password.InsecureTestParams()},
	}, deps)
	w.must(err)
	w.svc = svc
	w.setUp()
	return w
}

func (w *world) must(err error) {
	w.t.Helper()
	if err != nil {
		w.t.Fatal(err)
	}
}

// refused fails unless err matches target.
func (w *world) refused(err, target error, what string) {
	w.t.Helper()
	if !errors.Is(err, target) {
		w.t.Fatalf("%s: got %v, want %v", what, err, target)
	}
}

// setUp registers the victim by email, binds her security phone and an MFA
// device for login and operation protection.
func (w *world) setUp() {
	w.t.Helper()
	_, err := w.svc.Accounts.SendRegistrationCode(w.ctx, victimEmail, "203.0.113.1")
	w.must(err)
	w.victim, err = w.svc.Accounts.Register(w.ctx, account.Registration{Method: account.MethodEmail, Identifier: victimEmail, Password: victimPW, Code: w.outbox.LastCode(victimEmail)})
	w.must(err)
	res, err := w.svc.Protection.Login(w.ctx, protection.LoginRequest{Login: victimEmail, Password: victimPW, ClientIP: "203.0.113.1"})
	w.must(err)
	w.sess = *res.Session

	// Operation protection is none yet: she verifies by her email.
	w.clock.Advance(time.Minute)
	ch, err := w.svc.Protection.StartVerification(w.ctx, protection.StartRequest{AccountID: w.sess.AccountID, Binding: w.sess.Binding(), Purpose: protection.OpChangeSecurityPhone, Method: protection.Email})
	w.must(err)
	_, err = w.svc.Protection.AnswerVerification(w.ctx, protection.AnswerRequest{AccountID: w.sess.AccountID, Binding: w.sess.Binding(), Purpose: protection.OpChangeSecurityPhone, Challenge: ch.ID, Answer: w.outbox.LastCode(victimEmail)})
	w.must(err)
	p, err := w.svc.Protection.Authorize(w.ctx, w.sess, protection.OpChangeSecurityPhone)
	w.must(err)
	_, err = w.svc.Accounts.SendSecurityPhoneCode(w.ctx, p, w.sess.AccountID, victimPhone, "")
	w.must(err)
	_, err = w.svc.Accounts.ChangeSecurityPhone(w.ctx, p, w.sess.AccountID, victimPhone, w.outbox.LastCode(victimPhone))
	w.must(err)

	enr, err := w.svc.EnrolMFA(w.ctx, w.sess, "vera")
	w.must(err)
	w.secret = strings.ReplaceAll(enr.Key(), " ", "")
	_, err = w.svc.EnableMFA(w.ctx, w.sess, enr.DeviceID, w.totp(), mfa.Usage{Login: true, Operation: true})
	w.must(err)
	w.victim, err = w.svc.Accounts.Account(w.ctx, w.victim.ID)
	w.must(err)
	if w.victim.Security.LoginProtection != account.VerifyMFA || w.victim.Security.OperationProtection != account.VerifyMFA || w.victim.SecurityPhone != victimPhone {
		w.t.Fatalf("set-up: %+v", w.victim.Security)
	}
	w.clock.Advance(31 * time.Minute) // her step-up has ended
}

// totp is the victim's authenticator.
func (w *world) totp() string {
	w.t.Helper()
	w.clock.Advance(30 * time.Second)
	c, err := totp.GenerateCode(w.secret, w.clock.Now())
	w.must(err)
	return c
}

// tryEveryMethod tries to start a verification of binding for purpose by
// every method but MFA, and requires each to be refused with no code sent.
func (w *world) tryEveryMethod(binding, purpose string) {
	w.t.Helper()
	sent := len(w.outbox.Messages())
	for _, m := range []protection.Method{protection.Email, protection.SMS, protection.WeChatScan, protection.Face} {
		_, err := w.svc.Protection.StartVerification(w.ctx, protection.StartRequest{AccountID: w.victim.ID, Binding: binding, Purpose: purpose, Method: m, ClientIP: attackerIP})
		w.refused(err, protection.ErrMethodUnavailable, string(m)+" for "+purpose)
	}
	if n := len(w.outbox.Messages()); n != sent {
		w.t.Fatalf("%d codes sent for %s", n-sent, purpose)
	}
}

// tryLogin signs in with the password (phished, say) and tries to pass the
// second step by the attacker's channel.
func (w *world) tryLogin(channel protection.Method) {
	w.t.Helper()
	res, err := w.svc.Protection.Login(w.ctx, protection.LoginRequest{Login: victimEmail, Password: victimPW, ClientIP: attackerIP})
	w.must(err)
	if res.Session != nil || res.Pending == nil {
		w.t.Fatal("the password alone signed in")
	}
	if got := res.Pending.Options.Methods(); len(got) != 1 || got[0] != protection.MFA {
		w.t.Fatalf("second step offers %v, want [mfa]", got)
	}
	_, err = w.svc.Protection.StartLoginChallenge(w.ctx, res.Pending.Token, channel, attackerIP)
	w.refused(err, protection.ErrMethodUnavailable, "second step by "+string(channel))
}

// trySession rides the victim's open session: no step-up, so no change of
// contacts or protection.
func (w *world) trySession() {
	w.t.Helper()
	for _, op := range []string{protection.OpChangeSecurityPhone, protection.OpChangeSecurityEmail, protection.OpChangeLoginProtection, protection.OpChangeOperationProtection, protection.OpUnbindMFA} {
		w.tryEveryMethod(w.sess.Binding(), op)
	}
	sms := protection.SMS
	_, err := w.svc.Protection.ChangeSettings(w.ctx, w.sess, protection.SettingsChange{LoginProtection: &sms, OperationProtection: &sms})
	w.refused(err, protection.ErrVerificationRequired, "protection change")
	p, err := w.svc.Protection.Authorize(w.ctx, w.sess, protection.OpChangeSecurityPhone)
	w.refused(err, protection.ErrVerificationRequired, "security phone change")
	_, err = w.svc.Accounts.ChangeSecurityPhone(w.ctx, p, w.victim.ID, "+8613900139000", "123456")
	w.refused(err, protection.ErrVerificationRequired, "security phone change with no proof")
}

// unchanged requires the account to be as the victim left it, and no
// alternative method to have verified anything.
func (w *world) unchanged(alternativesBefore int) {
	w.t.Helper()
	after, err := w.svc.Accounts.Account(w.ctx, w.victim.ID)
	w.must(err)
	switch {
	case after.SecurityPhone != w.victim.SecurityPhone, after.SecurityEmail != w.victim.SecurityEmail, after.LoginEmail() != w.victim.LoginEmail():
		w.t.Fatal("a security contact changed")
	case after.Security != w.victim.Security:
		w.t.Fatalf("protection changed: %+v", after.Security)
	case after.Password.Hash != w.victim.Password.Hash:
		w.t.Fatal("the password was reset")
	}
	if n := w.events.Count(event.AlternativeUsed); n != alternativesBefore {
		w.t.Fatalf("%d verifications by an alternative method", n-alternativesBefore)
	}
	if w.events.Count(event.MethodRefused) == 0 {
		w.t.Fatal("no refusal was reported")
	}
}

// mailboxAttack: the attacker reads the login mailbox and nothing else.
func mailboxAttack(w *world) {
	alternatives := w.events.Count(event.AlternativeUsed)
	w.must(w.svc.Resets.Request(w.ctx, victimEmail, attackerIP))
	token := w.outbox.LastCode(victimEmail)
	pending, err := w.svc.Resets.Lookup(w.ctx, token)
	w.must(err)
	w.tryEveryMethod(pending.Binding, protection.OpResetPassword)
	w.tryEveryMethod(pending.Binding, protection.OpSignOutAll)
	_, err = w.svc.Resets.Complete(w.ctx, recovery.Completion{Token: token, New: newPW, Confirm: newPW})
	w.refused(err, protection.ErrVerificationRequired, "reset")
	w.tryLogin(protection.Email)
	w.trySession()
	w.unchanged(alternatives)
}

// phoneAttack: the attacker holds the security phone's SIM and nothing else.
func phoneAttack(w *world) {
	alternatives := w.events.Count(event.AlternativeUsed)
	before := len(w.outbox.Messages())
	w.must(w.svc.Resets.Request(w.ctx, victimEmail, attackerIP))
	for _, m := range w.outbox.Messages()[before:] {
		if m.To == victimPhone {
			w.t.Fatal("the reset sent something to the phone")
		}
	}
	// Were the reset's binding known, the phone could not verify it.
	pending, err := w.svc.Resets.Lookup(w.ctx, w.outbox.LastCode(victimEmail))
	w.must(err)
	w.tryEveryMethod(pending.Binding, protection.OpResetPassword)
	w.tryLogin(protection.SMS)
	w.trySession()
	w.unchanged(alternatives)
}

// ownerResets: the owner, with her MFA device, still resets her password.
func ownerResets(w *world) {
	w.must(w.svc.Resets.Request(w.ctx, victimEmail, "203.0.113.1"))
	token := w.outbox.LastCode(victimEmail)
	pending, err := w.svc.Resets.Lookup(w.ctx, token)
	w.must(err)
	ch, err := w.svc.Protection.StartVerification(w.ctx, protection.StartRequest{AccountID: w.victim.ID, Binding: pending.Binding, Purpose: protection.OpResetPassword})
	w.must(err)
	_, err = w.svc.Protection.AnswerVerification(w.ctx, protection.AnswerRequest{AccountID: w.victim.ID, Binding: pending.Binding, Purpose: protection.OpResetPassword, Challenge: ch.ID, Answer: w.totp()})
	w.must(err)
	_, err = w.svc.Resets.Complete(w.ctx, recovery.Completion{Token: token, New: newPW, Confirm: newPW})
	w.must(err)
}
