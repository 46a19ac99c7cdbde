// Command quickstart walks through what accountsec does today, in a
// terminal: the password policy, argon2id hashing, the lockout that reserves
// its budget before hashing, and one-time codes with send-rate limits.
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
	"os"
	"time"

	"github.com/accountsec/accountsec"
	"github.com/accountsec/accountsec/fakes"
	"github.com/accountsec/accountsec/limits"
	"github.com/accountsec/accountsec/notify"
	"github.com/accountsec/accountsec/reason"
)

func main() {
	if err := run(context.Background()); err != nil {
		fmt.Fprintln(os.Stderr, "quickstart:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context) error {
	clock := fakes.NewClock(time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC))
	outbox := &fakes.Outbox{}
	events := &fakes.Events{}
	svc, err := accountsec.New(
		accountsec.Config{Secret: []byte("quickstart-secret-change-me-32by")},
		accountsec.Deps{SMS: outbox, Email: outbox, Now: clock.Now, Events: events.Hook},
	)
	if err != nil {
		return err
	}

	step("1. Password policy (console preset: 8-20 characters, upper, lower, digit, punctuation)")
	for _, pw := range []string{"password", "密码密码", "Str0ng!Pass"} {
		if err := svc.PasswordPolicy.Check(pw); err != nil {
			fmt.Printf("   %q refused: %v\n", pw, reason.Codes(err))
			var list reason.List
			if errors.As(err, &list) {
				for _, e := range list {
					fmt.Printf("      %s\n", reason.Message(e.Code, reason.SimplifiedChinese, e.Params))
				}
			}
			continue
		}
		fmt.Printf("   %q accepted\n", pw)
	}

	step("2. Hashing with argon2id (OWASP parameters)")
	hash, err := svc.Passwords.Hash(ctx, "Str0ng!Pass")
	if err != nil {
		return err
	}
	fmt.Printf("   stored hash: %s…\n", hash[:30])

	step("3. Lockout: 10 wrong passwords lock the login for 30 minutes")
	for i := 1; i <= 10; i++ {
		_, err := svc.CheckPassword(ctx, "alice@example.com", "wrong-guess", hash)
		var le *limits.LockedError
		if errors.As(err, &le) {
			fmt.Printf("   attempt %2d: locked until %s\n", i, le.Until.Format(time.Kitchen))
		}
	}
	_, err = svc.CheckPassword(ctx, "alice@example.com", "Str0ng!Pass", hash)
	fmt.Printf("   right password while locked: %v\n", reason.CodeOf(err))
	clock.Advance(30 * time.Minute)
	_, err = svc.CheckPassword(ctx, "alice@example.com", "Str0ng!Pass", hash)
	fmt.Printf("   30 minutes later, right password: error=%v\n", err)
	fmt.Printf("   events: %v\n", events.Kinds())

	step("4. One-time code by SMS (6 digits, 10 minutes, 5 wrong tries, used once)")
	target := notify.Target{Purpose: notify.PurposeBindPhone, Channel: notify.SMS, Destination: "+8613800138000", AccountID: "100012345678"}
	if _, err := svc.Codes.Send(ctx, target, "203.0.113.7"); err != nil {
		return err
	}
	code := outbox.LastCode(target.Destination)
	fmt.Printf("   SMS to %s: your code is %s\n", target.Destination, code)
	_, err = svc.Codes.Send(ctx, target, "203.0.113.7")
	fmt.Printf("   second send within 60 s: %v\n", reason.CodeOf(err))
	fmt.Printf("   wrong code: %v\n", svc.Codes.Verify(ctx, target, "12345x"))
	fmt.Printf("   right code: error=%v\n", svc.Codes.Verify(ctx, target, code))
	fmt.Printf("   same code again: %v\n", reason.CodeOf(svc.Codes.Verify(ctx, target, code)))
	return nil
}

func step(title string) { fmt.Println("\n" + title) }
