package account_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/accountsec/accountsec"
	"github.com/accountsec/accountsec/account"
	"github.com/accountsec/accountsec/fakes"
	"github.com/accountsec/accountsec/protection"
	"github.com/accountsec/accountsec/vocab"
)

// countingIDs numbers accounts 100000000001, 100000000002, … so that the
// example's output is stable; the default generator is random.
type countingIDs struct {
	mu sync.Mutex
	n  int
}

func (g *countingIDs) NewIDs() (string, string, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.n++
	return fmt.Sprintf("1%011d", g.n), fmt.Sprintf("1%09d", g.n), nil
}

func methodNames(a account.Account) []account.Method {
	var out []account.Method
	for _, lm := range a.LoginMethods {
		out = append(out, lm.Method)
	}
	return out
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// Register by email, sign in, bind QQ, then unbind the email login (the
// registration method): refused until the account has a security phone.
// Every change takes the proof that protection's Authorize returns for the
// signed-in session, once the user has verified their identity.
func Example() {
	ctx := context.Background()
	clock := fakes.NewClock(fakes.Epoch)
	outbox := &fakes.Outbox{} // the host's SMS and email senders in production
	lib := must(accountsec.New(
		accountsec.Config{Secret: []byte("an example secret of 32 bytes...")},
		accountsec.Deps{SMS: outbox, Email: outbox, Now: clock.Now, IDs: &countingIDs{}},
	))
	svc := lib.Accounts

	must(svc.SendRegistrationCode(ctx, "alice@example.com", ""))
	a := must(svc.Register(ctx, account.Registration{
		Method: account.MethodEmail, Identifier: "alice@example.com", Password: "Str0ng!Pass",
		Code: outbox.LastCode("alice@example.com"), // the user reads it from the email
	}))
	fmt.Println("registered", a.ID, "APPID", a.APPID, "with", a.RegistrationMethod)
	sess := *must(lib.Protection.Login(ctx, protection.LoginRequest{Login: "alice@example.com", Password: "Str0ng!Pass"})).Session

	// Binding a login method asks for identity verification first.
	_, err := lib.Protection.Authorize(ctx, sess, account.OpBindLoginMethod)
	var vr *vocab.VerificationRequiredError
	if errors.As(err, &vr) {
		fmt.Println("verify by:", vr.Methods)
		clock.Advance(time.Minute) // one code per minute per address
		ch := must(lib.Protection.StartVerification(ctx, protection.StartRequest{
			AccountID: a.ID, Binding: sess.Binding(), Purpose: vr.Purpose, Method: vr.Methods[0],
		}))
		must(lib.Protection.AnswerVerification(ctx, protection.AnswerRequest{
			AccountID: a.ID, Binding: sess.Binding(), Purpose: vr.Purpose,
			Challenge: ch.ID, Answer: outbox.LastCode("alice@example.com"),
		}))
	}

	// The session now holds a step-up: Authorize returns each change's proof.
	p := must(lib.Protection.Authorize(ctx, sess, account.OpBindLoginMethod))
	a = must(svc.BindLoginMethod(ctx, p, a.ID, account.Binding{Method: account.MethodQQ, Identifier: "QQ-alice"}))
	fmt.Println("login methods:", methodNames(a))

	p = must(lib.Protection.Authorize(ctx, sess, account.OpUnbindLoginMethod))
	_, err = svc.UnbindLoginMethod(ctx, p, a.ID, account.MethodEmail)
	var blocked *account.UnbindBlockedError
	if errors.As(err, &blocked) {
		for _, unmet := range blocked.Unmet {
			fmt.Println("unbind refused:", unmet.Code)
		}
	}

	p = must(lib.Protection.Authorize(ctx, sess, account.OpChangeSecurityPhone))
	must(svc.SendSecurityPhoneCode(ctx, p, a.ID, "+86 138-0013-8000", ""))
	code := outbox.LastCode("+8613800138000") // the user reads it from the SMS
	a = must(svc.ChangeSecurityPhone(ctx, p, a.ID, "+86 138-0013-8000", code))
	fmt.Println("security phone:", account.MaskPhone(a.SecurityPhone))

	p = must(lib.Protection.Authorize(ctx, sess, account.OpUnbindLoginMethod))
	a = must(svc.UnbindLoginMethod(ctx, p, a.ID, account.MethodEmail))
	fmt.Println("login methods:", methodNames(a))

	// Without a proof of its operation a change is refused.
	_, err = svc.UnbindLoginMethod(ctx, vocab.Proof{}, a.ID, account.MethodQQ)
	fmt.Println("no proof:", errors.As(err, &vr))
	// Output:
	// registered 100000000001 APPID 1000000001 with email
	// verify by: [email]
	// login methods: [email qq]
	// unbind refused: account.security_phone_required
	// security phone: +86138****8000
	// login methods: [qq]
	// no proof: true
}

func ExampleNormalize() {
	for _, in := range []struct {
		kind account.Kind
		raw  string
	}{
		{account.KindEmail, " Alice@Example.COM "},
		{account.KindPhone, "+86 138-0013-8000"},
		{account.KindPhone, "13800138000"},
		{account.KindQQ, "AbC123"},
		{account.KindPersonalID, "11010519491231002x"},
	} {
		v, err := account.Normalize(in.kind, in.raw)
		if err != nil {
			fmt.Printf("%s %q: %v\n", in.kind, in.raw, err)
			continue
		}
		fmt.Printf("%s %q → %q\n", in.kind, in.raw, v)
	}
	// Output:
	// email " Alice@Example.COM " → "alice@example.com"
	// phone "+86 138-0013-8000" → "+8613800138000"
	// phone "13800138000": phone is not valid [input.malformed]
	// qq "AbC123" → "AbC123"
	// personal_id "11010519491231002x" → "11010519491231002X"
}

func Example_masking() {
	fmt.Println(account.MaskPhone("+8613800138000"))
	fmt.Println(account.MaskEmail("alice@example.com"))
	fmt.Println(account.MaskName("张三"))
	fmt.Println(account.MaskEnterpriseName("深圳市腾讯计算机系统有限公司"))
	fmt.Println(account.MaskIDNumber("11010519491231002X"))
	// Output:
	// +86138****8000
	// a***e@example.com
	// *三
	// 深圳**********公司
	// 1****************X
}
