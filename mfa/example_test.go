package mfa_test

import (
	"context"
	"encoding/base32"
	"errors"
	"fmt"
	"log"
	"strings"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"

	"github.com/accountsec/accountsec"
	accounts "github.com/accountsec/accountsec/account"
	"github.com/accountsec/accountsec/fakes"
	"github.com/accountsec/accountsec/mfa"
	"github.com/accountsec/accountsec/protection"
	"github.com/accountsec/accountsec/vocab"
)

// authenticator stands for the user's phone: it scans the enrolment and
// shows codes.
func authenticator(e *mfa.Enrolment) func(time.Time) string {
	key, err := otp.NewKeyFromURL(e.URI())
	if err != nil {
		log.Fatal(err)
	}
	return func(at time.Time) string {
		code, err := totp.GenerateCode(key.Secret(), at)
		if err != nil {
			log.Fatal(err)
		}
		return code
	}
}

// signedIn wires the library on the memory store with a fake clock and an
// outbox, registers alice@example.com and signs her in.
func signedIn(ctx context.Context) (*accountsec.Service, *fakes.Clock, protection.Session) {
	clock := fakes.NewClock(fakes.Epoch)
	outbox := &fakes.Outbox{}
	lib, err := accountsec.New(
		accountsec.Config{Secret: []byte("host secret of at least 16 bytes"), Issuer: "Example Cloud"},
		accountsec.Deps{Email: outbox, Now: clock.Now},
	)
	if err != nil {
		log.Fatal(err)
	}
	const email, pw = "alice@example.com", "Str0ng!Pass"
	if _, err := lib.Accounts.SendRegistrationCode(ctx, email, ""); err != nil {
		log.Fatal(err)
	}
	reg := accounts.Registration{Method: accounts.MethodEmail, Identifier: email, Password: pw, Code: outbox.LastCode(email)}
	if _, err := lib.Accounts.Register(ctx, reg); err != nil {
		log.Fatal(err)
	}
	res, err := lib.Protection.Login(ctx, protection.LoginRequest{Login: email, Password: pw})
	if err != nil {
		log.Fatal(err)
	}
	// Binding MFA asks for identity verification first: a code by email.
	clock.Advance(time.Minute) // one code per minute per address
	s := *res.Session
	ch, err := lib.Protection.StartVerification(ctx, protection.StartRequest{
		AccountID: s.AccountID, Binding: s.Binding(), Purpose: vocab.OpBindMFA, Method: vocab.VerifyEmail,
	})
	if err != nil {
		log.Fatal(err)
	}
	if _, err := lib.Protection.AnswerVerification(ctx, protection.AnswerRequest{
		AccountID: s.AccountID, Binding: s.Binding(), Purpose: vocab.OpBindMFA, Challenge: ch.ID, Answer: outbox.LastCode(email),
	}); err != nil {
		log.Fatal(err)
	}
	return lib, clock, s
}

// authorize returns Authorize's proof of op for session s, which has passed
// identity verification.
func authorize(ctx context.Context, lib *accountsec.Service, s protection.Session, op string) vocab.Proof {
	p, err := lib.Protection.Authorize(ctx, s, op)
	if err != nil {
		log.Fatal(err)
	}
	return p
}

// Enrol a virtual device, confirm it, verify a code, and unbind it. Each
// change takes the proof that protection's Authorize returns for the
// signed-in session.
func Example() {
	ctx := context.Background()
	lib, clock, sess := signedIn(ctx)
	m, accountID := lib.MFA, sess.AccountID

	// The user has passed identity verification and asks to bind an app.
	e, err := m.Enrol(ctx, authorize(ctx, lib, sess, vocab.OpBindMFA), accountID, "alice@example.com")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(strings.Split(e.URI(), "?")[0])
	fmt.Println(len(strings.Split(e.Key(), " ")), "groups of four characters to type by hand")
	phone := authenticator(e) // the user scans e.QRCode()

	// The user types the first code and chooses where MFA applies.
	dev, err := m.Confirm(ctx, authorize(ctx, lib, sess, vocab.OpBindMFA), accountID, e.DeviceID, phone(clock.Now()), mfa.Usage{Login: true, Operation: true})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("bound:", dev.Kind, "login:", dev.Usage.Login, "operation:", dev.Usage.Operation)

	// Next login: the second step.
	clock.Advance(30 * time.Second)
	code := phone(clock.Now())
	_, err = m.Verify(ctx, accountID, code)
	fmt.Println("verified:", err == nil)
	_, err = m.Verify(ctx, accountID, code)
	fmt.Println("same code again refused:", errors.Is(err, mfa.ErrReplayed))

	// Unbinding needs the proof of its own operation.
	clock.Advance(30 * time.Second)
	_, err = m.Unbind(ctx, authorize(ctx, lib, sess, vocab.OpBindMFA), accountID, phone(clock.Now()))
	var vr *vocab.VerificationRequiredError
	fmt.Println("unbind with the proof of bind_mfa refused:", errors.As(err, &vr))
	report, err := m.Unbind(ctx, authorize(ctx, lib, sess, vocab.OpUnbindMFA), accountID, phone(clock.Now()))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("unbound:", report.Device.Kind)

	// Output:
	// otpauth://totp/Example%20Cloud:alice%40example.com
	// 8 groups of four characters to type by hand
	// bound: virtual login: true operation: true
	// verified: true
	// same code again refused: true
	// unbind with the proof of bind_mfa refused: true
	// unbound: virtual
}

// The host imports a token from its vendor's seed file; a user binds it by
// serial number and the code it shows.
func ExampleManager_BindHardware() {
	ctx := context.Background()
	lib, clock, sess := signedIn(ctx)
	seed := []byte("seed from the vendor's file")
	if err := lib.MFA.ImportToken(ctx, mfa.HardwareToken{Serial: "TK-000123", Seed: seed}); err != nil {
		log.Fatal(err)
	}

	token := func(at time.Time) string { // what the token's screen shows
		code, _ := totp.GenerateCode(base32.StdEncoding.EncodeToString(seed), at)
		return code
	}
	_, err := lib.MFA.BindHardware(ctx, vocab.Proof{}, sess.AccountID, "tk-000123", token(clock.Now()), mfa.Usage{Login: true})
	fmt.Println("without a proof:", errors.As(err, new(*vocab.VerificationRequiredError)))

	p := authorize(ctx, lib, sess, vocab.OpBindMFA)
	dev, err := lib.MFA.BindHardware(ctx, p, sess.AccountID, "tk-000123", token(clock.Now()), mfa.Usage{Login: true})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(dev.Kind, dev.Serial)
	// Output:
	// without a proof: true
	// hardware TK-000123
}

// Backup codes are shown once and each works once.
func ExampleManager_RegenerateBackupCodes() {
	ctx := context.Background()
	lib, clock, sess := signedIn(ctx)
	m, id := lib.MFA, sess.AccountID
	e, err := m.Enrol(ctx, authorize(ctx, lib, sess, vocab.OpBindMFA), id, "")
	if err != nil {
		log.Fatal(err)
	}
	phone := authenticator(e)
	if _, err := m.Confirm(ctx, authorize(ctx, lib, sess, vocab.OpBindMFA), id, e.DeviceID, phone(clock.Now()), mfa.Usage{Login: true}); err != nil {
		log.Fatal(err)
	}

	set, err := m.RegenerateBackupCodes(ctx, authorize(ctx, lib, sess, vocab.OpBindMFA), id)
	if err != nil {
		log.Fatal(err)
	}
	codes := set.Codes() // show these to the user once
	fmt.Println(len(codes), "codes like", len(codes[0]), "characters")
	fmt.Println(set) // safe to log: no code in it

	left, err := m.UseBackupCode(ctx, id, codes[0])
	fmt.Println(left, err)
	_, err = m.UseBackupCode(ctx, id, codes[0])
	fmt.Println(errors.Is(err, mfa.ErrBackupMismatch))
	// Output:
	// 10 codes like 11 characters
	// mfa.BackupCodes{10 codes, generated 2026-01-01T00:01:00Z}
	// 9 <nil>
	// true
}

func ExampleKeyURI() {
	fmt.Println(mfa.KeyURI("Example Cloud", "alice@example.com", []byte("12345678901234567890"), mfa.SHA1, 6, 30*time.Second))
	fmt.Println(mfa.TextKey([]byte("12345678901234567890")))
	// Output:
	// otpauth://totp/Example%20Cloud:alice%40example.com?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Example%20Cloud&algorithm=SHA1&digits=6&period=30
	// GEZD GNBV GY3T QOJQ GEZD GNBV GY3T QOJQ
}

func ExampleParseCode() {
	for _, s := range []string{"123456", "123 456", "１２３４５６", "12345"} {
		fmt.Printf("%q %v\n", s, mfa.ParseCode(s, 6))
	}
	// Output:
	// "123456" true
	// "123 456" false
	// "１２３４５６" false
	// "12345" false
}
