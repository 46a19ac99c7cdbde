package recovery_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/accountsec/accountsec"
	"github.com/accountsec/accountsec/account"
	"github.com/accountsec/accountsec/account/password"
	"github.com/accountsec/accountsec/fakes"
	"github.com/accountsec/accountsec/protection"
	"github.com/accountsec/accountsec/reason"
	"github.com/accountsec/accountsec/recovery"
	"github.com/accountsec/accountsec/store/memstore"
)

// ExampleResets walks through a forgotten-password reset, with identity
// verification by protection: an SMS code to the security phone, since the
// mailbox the link goes to never verifies its own reset
// (docs/SECURITY.md, "Methods and channels").
func ExampleResets() {
	ctx := context.Background()
	clock := fakes.NewClock(time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC))
	mail := &fakes.Outbox{} // the host's mailer and SMS gateway in production
	secret := []byte("example-secret-of-32-bytes-long!")
	svc, err := accountsec.New(
		accountsec.Config{Secret: secret, Hashing: password.HasherConfig{Params: password.InsecureTestParams()}},
		accountsec.Deps{Email: mail, SMS: mail, Now: clock.Now},
	)
	if err != nil {
		panic(err)
	}
	resets, err := recovery.NewResets(recovery.ResetConfig{
		Store:    memstore.New(),
		Accounts: svc.Accounts,
		Email:    mail,
		Gate:     svc.Sends,
		Verifier: svc.Protection,
		Sessions: svc.Protection,
		Secret:   secret,
		Now:      clock.Now,
	})
	if err != nil {
		panic(err)
	}

	// Alice has an account and a signed-in session somewhere.
	const email = "alice@example.com"
	if _, err := svc.Accounts.SendRegistrationCode(ctx, email, ""); err != nil {
		panic(err)
	}
	if _, err := svc.Accounts.Register(ctx, account.Registration{Method: account.MethodEmail, Identifier: email, Password: "Old-Passw0rd!", Code: mail.LastCode(email)}); err != nil {
		panic(err)
	}
	old, err := svc.Protection.Login(ctx, protection.LoginRequest{Login: email, Password: "Old-Passw0rd!"})
	if err != nil {
		panic(err)
	}
	// She bound a security phone (after verifying by her email).
	const phone = "+8613800138000"
	sess := *old.Session
	clock.Advance(time.Minute)
	ch, err := svc.Protection.StartVerification(ctx, protection.StartRequest{AccountID: sess.AccountID, Binding: sess.Binding(), Purpose: protection.OpChangeSecurityPhone, Method: protection.Email})
	if err != nil {
		panic(err)
	}
	if _, err := svc.Protection.AnswerVerification(ctx, protection.AnswerRequest{AccountID: sess.AccountID, Binding: sess.Binding(), Purpose: protection.OpChangeSecurityPhone, Challenge: ch.ID, Answer: mail.LastCode(email)}); err != nil {
		panic(err)
	}
	bind, err := svc.Protection.Authorize(ctx, sess, protection.OpChangeSecurityPhone)
	if err != nil {
		panic(err)
	}
	if _, err := svc.Accounts.SendSecurityPhoneCode(ctx, bind, sess.AccountID, phone, ""); err != nil {
		panic(err)
	}
	if _, err := svc.Accounts.ChangeSecurityPhone(ctx, bind, sess.AccountID, phone, mail.LastCode(phone)); err != nil {
		panic(err)
	}
	clock.Advance(24 * time.Hour)

	// 1. She forgot her password. Known and unknown addresses get the same answer.
	fmt.Println(resets.Request(ctx, email, "203.0.113.7"), resets.Request(ctx, "nobody@example.com", "203.0.113.7"))
	token := mail.LastCode(email) // the host puts it in a link

	// 2. The link opens.
	p, err := resets.Lookup(ctx, token)
	if err != nil {
		panic(err)
	}

	// 3. The new password: a typo, then verification is asked for.
	_, err = resets.Complete(ctx, recovery.Completion{Token: token, New: "New-Passw0rd!", Confirm: "New-Password!"})
	fmt.Println(reason.CodeOf(err))
	done := recovery.Completion{Token: token, New: "New-Passw0rd!", Confirm: "New-Passw0rd!"}
	_, err = resets.Complete(ctx, done)
	var vr *protection.VerificationRequiredError
	fmt.Println(errors.As(err, &vr), vr.Methods)

	// 4. Identity verification bound to this reset: by SMS.
	ch, err = svc.Protection.StartVerification(ctx, protection.StartRequest{AccountID: p.AccountID, Binding: p.Binding, Purpose: recovery.PurposeResetPassword})
	if err != nil {
		panic(err)
	}
	if _, err := svc.Protection.AnswerVerification(ctx, protection.AnswerRequest{
		AccountID: p.AccountID, Binding: p.Binding, Purpose: recovery.PurposeResetPassword,
		Challenge: ch.ID, Answer: mail.LastCode(phone),
	}); err != nil {
		panic(err)
	}

	// 5. Submitted again: done, once.
	_, err = resets.Complete(ctx, done)
	fmt.Println(err)
	_, err = resets.Complete(ctx, done)
	fmt.Println(reason.CodeOf(err))

	// The old session has ended; the new password works.
	_, err = svc.Protection.ValidateSession(ctx, old.Token)
	fmt.Println(reason.CodeOf(err))
	res, err := svc.Protection.Login(ctx, protection.LoginRequest{Login: email, Password: "New-Passw0rd!"})
	fmt.Println(err, res.Session != nil)
	// Output:
	// <nil> <nil>
	// password.confirm_mismatch
	// true [sms]
	// <nil>
	// recovery.token_invalid
	// protection.session_invalid
	// <nil> true
}
