package account_test

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/accountsec/accountsec/account"
	"github.com/accountsec/accountsec/account/password"
	"github.com/accountsec/accountsec/fakes"
	"github.com/accountsec/accountsec/limits"
	"github.com/accountsec/accountsec/notify"
	"github.com/accountsec/accountsec/store/memstore"
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

// Register with WeChat, bind QQ, then unbind WeChat (the registration
// method): refused until the account has a security phone.
func Example() {
	ctx := context.Background()
	clock := fakes.NewClock(fakes.Epoch)
	outbox := &fakes.Outbox{} // the host's SMS and email senders in production
	secret := []byte("an example secret of 32 bytes...")
	st := memstore.New()

	codes := must(notify.NewCodes(notify.CodesConfig{Store: st, SMS: outbox, Email: outbox, Secret: secret, Now: clock.Now}))
	lockout := must(limits.NewLimiter(limits.Config{Store: st, Secret: secret, Now: clock.Now}, limits.Lockout{}))
	hasher := must(password.NewHasher(password.HasherConfig{}))
	svc := must(account.New(account.Config{
		Store:   memstore.NewAccountStore(),
		Hasher:  hasher,
		Lockout: lockout,
		Codes:   codes,
		// The protection package decides in production; this one allows all.
		IDs:    &countingIDs{},
		Secret: secret,
		Now:    clock.Now,
	}))

	a := must(svc.Register(ctx, account.Registration{Method: account.MethodWeChat, Identifier: "oWx-alice"}))
	fmt.Println("registered", a.ID, "APPID", a.APPID, "with", a.RegistrationMethod)

	a = must(svc.BindLoginMethod(ctx, allow(a.ID, account.OpBindLoginMethod), a.ID, account.Binding{Method: account.MethodQQ, Identifier: "QQ-alice"}))
	fmt.Println("login methods:", methodNames(a))

	_, err := svc.UnbindLoginMethod(ctx, allow(a.ID, account.OpUnbindLoginMethod), a.ID, account.MethodWeChat)
	var blocked *account.UnbindBlockedError
	if errors.As(err, &blocked) {
		for _, unmet := range blocked.Unmet {
			fmt.Println("unbind refused:", unmet.Code)
		}
	}

	must(svc.SendSecurityPhoneCode(ctx, allow(a.ID, account.OpChangeSecurityPhone), a.ID, "+86 138-0013-8000", ""))
	code := outbox.LastCode("+8613800138000") // the user reads it from the SMS
	a = must(svc.ChangeSecurityPhone(ctx, allow(a.ID, account.OpChangeSecurityPhone), a.ID, "+86 138-0013-8000", code))
	fmt.Println("security phone:", account.MaskPhone(a.SecurityPhone))

	a = must(svc.UnbindLoginMethod(ctx, allow(a.ID, account.OpUnbindLoginMethod), a.ID, account.MethodWeChat))
	fmt.Println("login methods:", methodNames(a))
	// Output:
	// registered 100000000001 APPID 1000000001 with wechat
	// login methods: [wechat qq]
	// unbind refused: account.security_phone_required
	// security phone: +86138****8000
	// login methods: [qq]
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
