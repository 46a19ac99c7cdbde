// Command quickstart walks through accountsec in a terminal: the password
// policy, argon2id hashing, the lockout that reserves its budget before
// hashing, one-time codes with send-rate limits, then a whole console
// journey: register, sign in, bind a TOTP device behind identity
// verification, sign in with MFA as the second factor, step up for a
// sensitive operation, sign out everywhere and reset a forgotten password.
//
// It uses the in-memory store, a settable clock and an outbox that prints
// messages instead of sending them, so it runs anywhere:
//
//	go run ./examples/quickstart
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/pquerna/otp/totp"

	"github.com/accountsec/accountsec"
	"github.com/accountsec/accountsec/account"
	"github.com/accountsec/accountsec/fakes"
	"github.com/accountsec/accountsec/limits"
	"github.com/accountsec/accountsec/mfa"
	"github.com/accountsec/accountsec/notify"
	"github.com/accountsec/accountsec/protection"
	"github.com/accountsec/accountsec/reason"
	"github.com/accountsec/accountsec/recovery"
)

func main() {
	if err := run(context.Background(), os.Stdout, accountsec.Deps{}); err != nil {
		fmt.Fprintln(os.Stderr, "quickstart:", err)
		os.Exit(1)
	}
}

// run walks through the library on the stores in deps (the in-memory store
// when deps has none), writing what happens to w.
func run(ctx context.Context, w io.Writer, deps accountsec.Deps) error {
	clock := fakes.NewClock(time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC))
	outbox := &fakes.Outbox{}
	events := &fakes.Events{}
	svc, err := accountsec.New(
		accountsec.Config{Secret: []byte("quickstart-secret-change-me-32by")},
		withFakes(deps, outbox, clock, events),
	)
	if err != nil {
		return err
	}

	step(w, "1. Password policy (console preset: 8-20 characters, upper, lower, digit, punctuation)")
	for _, pw := range []string{"password", "密码密码", "Str0ng!Pass"} {
		if err := svc.PasswordPolicy.Check(pw); err != nil {
			fmt.Fprintf(w, "   %q refused: %v\n", pw, reason.Codes(err))
			var list reason.List
			if errors.As(err, &list) {
				for _, e := range list {
					fmt.Fprintf(w, "      %s\n", reason.Message(e.Code, reason.SimplifiedChinese, e.Params))
				}
			}
			continue
		}
		fmt.Fprintf(w, "   %q accepted\n", pw)
	}

	step(w, "2. Hashing with argon2id (OWASP parameters)")
	hash, err := svc.Passwords.Hash(ctx, "Str0ng!Pass")
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "   stored hash: %s…\n", hash[:30])

	step(w, "3. Lockout: 10 wrong passwords lock the login for 30 minutes")
	for i := 1; i <= 10; i++ {
		_, err := svc.CheckPassword(ctx, "alice@example.com", "wrong-guess", hash)
		var le *limits.LockedError
		if errors.As(err, &le) {
			fmt.Fprintf(w, "   attempt %2d: locked until %s\n", i, le.Until.Format(time.Kitchen))
		}
	}
	_, err = svc.CheckPassword(ctx, "alice@example.com", "Str0ng!Pass", hash)
	fmt.Fprintf(w, "   right password while locked: %v\n", reason.CodeOf(err))
	clock.Advance(30 * time.Minute)
	_, err = svc.CheckPassword(ctx, "alice@example.com", "Str0ng!Pass", hash)
	fmt.Fprintf(w, "   30 minutes later, right password: error=%v\n", err)
	fmt.Fprintf(w, "   events: %v\n", events.Kinds())

	step(w, "4. One-time code by SMS (6 digits, 10 minutes, 5 wrong tries, used once)")
	target := notify.Target{Purpose: notify.PurposeBindPhone, Channel: notify.SMS, Destination: "+8613800138000", AccountID: "100012345678"}
	if _, err := svc.Codes.Send(ctx, target, "203.0.113.7"); err != nil {
		return err
	}
	code := outbox.LastCode(target.Destination)
	fmt.Fprintf(w, "   SMS to %s: your code is %s\n", target.Destination, code)
	_, err = svc.Codes.Send(ctx, target, "203.0.113.7")
	fmt.Fprintf(w, "   second send within 60 s: %v\n", reason.CodeOf(err))
	fmt.Fprintf(w, "   wrong code: %v\n", svc.Codes.Verify(ctx, target, "12345x"))
	fmt.Fprintf(w, "   right code: error=%v\n", svc.Codes.Verify(ctx, target, code))
	fmt.Fprintf(w, "   same code again: %v\n", reason.CodeOf(svc.Codes.Verify(ctx, target, code)))

	return journey(ctx, w, svc, clock, outbox)
}

// journey is the console's account centre end to end.
func journey(ctx context.Context, w io.Writer, svc *accountsec.Service, clock *fakes.Clock, outbox *fakes.Outbox) error {
	const email, pw = "bob@example.com", "Sup3r!Secret"
	step(w, "5. Register by email (the code proves the address)")
	clock.Advance(time.Minute)
	if _, err := svc.Accounts.SendRegistrationCode(ctx, email, "203.0.113.7"); err != nil {
		return err
	}
	acc, err := svc.Accounts.Register(ctx, account.Registration{Method: account.MethodEmail, Identifier: email, Password: pw, Code: outbox.LastCode(email)})
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "   account %s (APPID %s), login methods: %d\n", acc.ID, acc.APPID, len(acc.LoginMethods))

	step(w, "6. Sign in: no login protection yet, so a session at once")
	res, err := svc.Protection.Login(ctx, protection.LoginRequest{Login: email, Password: pw, ClientIP: "203.0.113.7", DeviceName: "laptop"})
	if err != nil {
		return err
	}
	sess := *res.Session
	fmt.Fprintf(w, "   session ends by %s, idles out after %s\n", sess.ExpiresAt.Format(time.DateTime), sess.IdleTimeout)

	step(w, "7. Bind a TOTP device: binding MFA is sensitive, so verify identity first")
	_, err = svc.EnrolMFA(ctx, sess, "bob")
	var vr *protection.VerificationRequiredError
	if !errors.As(err, &vr) {
		return fmt.Errorf("expected a verification request, got %v", err)
	}
	fmt.Fprintf(w, "   verification required: offer %v\n", vr.Methods)
	clock.Advance(time.Minute)
	ch, err := svc.Protection.StartVerification(ctx, protection.StartRequest{AccountID: sess.AccountID, Binding: sess.Binding(), Purpose: vr.Purpose, Method: vr.Methods[0], ClientIP: "203.0.113.7"})
	if err != nil {
		return err
	}
	if _, err := svc.Protection.AnswerVerification(ctx, protection.AnswerRequest{AccountID: sess.AccountID, Binding: sess.Binding(), Purpose: vr.Purpose, Challenge: ch.ID, Answer: outbox.LastCode(email)}); err != nil {
		return err
	}
	enr, err := svc.EnrolMFA(ctx, sess, "bob")
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "   scan %s… (QR PNG of %d bytes) or type the key\n", enr.URI()[:32], len(enr.QRCode()))
	authenticator := func() string { // the user's phone
		clock.Advance(30 * time.Second)
		c, _ := totp.GenerateCode(strings.ReplaceAll(enr.Key(), " ", ""), clock.Now())
		return c
	}
	if _, err := svc.EnableMFA(ctx, sess, enr.DeviceID, authenticator(), mfa.Usage{Login: true, Operation: true}); err != nil {
		return err
	}
	fmt.Fprintln(w, "   MFA on for login and operation protection")

	step(w, "8. Sign in again: MFA is the second factor")
	res, err = svc.Protection.Login(ctx, protection.LoginRequest{Login: email, Password: pw, ClientIP: "203.0.113.7", DeviceName: "phone"})
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "   password accepted, second factor required: %v\n", res.Pending.SecondFactor)
	lc, err := svc.Protection.StartLoginChallenge(ctx, res.Pending.Token, protection.MFA, "203.0.113.7")
	if err != nil {
		return err
	}
	res, err = svc.Protection.CompleteLogin(ctx, protection.CompleteRequest{PendingToken: res.Pending.Token, Challenge: lc.ID, Answer: authenticator()})
	if err != nil {
		return err
	}
	phone := *res.Session
	fmt.Fprintln(w, "   signed in on the phone")

	step(w, "9. A sensitive operation steps up for 30 minutes, in this session only")
	_, err = svc.Protection.Authorize(ctx, phone, protection.OpSignOutAll)
	fmt.Fprintf(w, "   sign out all sessions: %v\n", reason.CodeOf(err))
	ch, err = svc.Protection.StartVerification(ctx, protection.StartRequest{AccountID: phone.AccountID, Binding: phone.Binding(), Purpose: protection.OpSignOutAll, Method: protection.MFA, ClientIP: "203.0.113.7"})
	if err != nil {
		return err
	}
	if _, err := svc.Protection.AnswerVerification(ctx, protection.AnswerRequest{AccountID: phone.AccountID, Binding: phone.Binding(), Purpose: protection.OpSignOutAll, Challenge: ch.ID, Answer: authenticator()}); err != nil {
		return err
	}
	proof, err := svc.Protection.Authorize(ctx, phone, protection.OpSignOutAll)
	fmt.Fprintf(w, "   after MFA: authorized=%v, proof valid until %s\n", err == nil, proof.ExpiresAt().Format(time.TimeOnly))
	if err := svc.Protection.SignOutAll(ctx, phone); err != nil {
		return err
	}
	_, err = svc.Protection.ValidateSession(ctx, res.Token)
	fmt.Fprintf(w, "   signed out everywhere; the phone's session: %v\n", reason.CodeOf(err))

	step(w, "10. Forgotten password: a single-use link, then identity verification bound to it")
	clock.Advance(time.Minute)
	if err := svc.Resets.Request(ctx, email, "203.0.113.7"); err != nil {
		return err
	}
	token := outbox.LastCode(email) // the host puts it in a link
	pending, err := svc.Resets.Lookup(ctx, token)
	if err != nil {
		return err
	}
	opts, err := svc.Protection.Options(ctx, pending.AccountID, protection.OpResetPassword)
	if err != nil {
		return err
	}
	ch, err = svc.Protection.StartVerification(ctx, protection.StartRequest{AccountID: pending.AccountID, Binding: pending.Binding, Purpose: protection.OpResetPassword, Method: opts.Preferred, ClientIP: "203.0.113.7"})
	if err != nil {
		return err
	}
	answer := authenticator()
	if ch.Method != protection.MFA {
		answer = outbox.LastCode(email)
	}
	if _, err := svc.Protection.AnswerVerification(ctx, protection.AnswerRequest{AccountID: pending.AccountID, Binding: pending.Binding, Purpose: protection.OpResetPassword, Challenge: ch.ID, Answer: answer}); err != nil {
		return err
	}
	fmt.Fprintf(w, "   verified by %s\n", ch.Method)
	const newPw = "N3w!Secret"
	if _, err := svc.Resets.Complete(ctx, recovery.Completion{Token: token, New: newPw, Confirm: newPw}); err != nil {
		return err
	}
	_, err = svc.Resets.Complete(ctx, recovery.Completion{Token: token, New: newPw, Confirm: newPw})
	fmt.Fprintf(w, "   password reset; the same link again: %v\n", reason.CodeOf(err))
	_, err = svc.Protection.Login(ctx, protection.LoginRequest{Login: email, Password: pw, ClientIP: "203.0.113.7"})
	fmt.Fprintf(w, "   the old password: %v\n", reason.CodeOf(err))
	if err := findAccount(ctx, w, svc, clock, outbox, acc.ID); err != nil {
		return err
	}
	if err := appeal(ctx, w, svc, clock, outbox); err != nil {
		return err
	}
	return cancel(ctx, w, svc, clock, outbox)
}

func step(w io.Writer, title string) { fmt.Fprintln(w, "\n"+title) }

// withFakes completes deps with the outbox (instead of an SMS gateway and a
// mailer), the settable clock and the event recorder.
func withFakes(deps accountsec.Deps, outbox *fakes.Outbox, clock *fakes.Clock, events *fakes.Events) accountsec.Deps {
	deps.SMS, deps.Email, deps.Now, deps.Events = outbox, outbox, clock.Now, events.Hook
	deps.Resources = resources // the host's resource check, for the cancellation (cancel.go)
	// The host's face check, for the appeal (appeal.go).
	deps.Face = hostFace
	return deps
}
