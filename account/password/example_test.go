package password_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/accountsec/accountsec/account/password"
	"github.com/accountsec/accountsec/reason"
)

func ExamplePolicy_Check() {
	policy := password.Console() // the zero Policy means the same

	err := policy.Check("hello")
	fmt.Println(errors.Is(err, password.ErrTooShort))
	// Every broken rule is reported at once, with a stable code.
	var list reason.List
	if errors.As(err, &list) {
		for _, e := range list {
			fmt.Printf("%s: %s\n", e.Code, reason.Message(e.Code, reason.SimplifiedChinese, e.Params))
		}
	}

	fmt.Println(policy.Check("Tr0ub4dor&3") == nil)
	fmt.Println(reason.Codes(password.NIST().Check("QwertyuiopAsdfghjkl")))
	// Output:
	// true
	// password.too_short: 密码长度至少为 8 个字符
	// password.missing_upper: 密码必须包含大写字母
	// password.missing_digit: 密码必须包含数字
	// password.missing_punct: 密码必须包含标点符号
	// true
	// [password.common]
}

func ExamplePolicy_Validate() {
	p := password.Policy{History: 30} // every other field keeps the console value
	fmt.Println(p.Validate())
	// Output:
	// policy field password.Policy.History has value 30; allowed: 0..24 [policy.invalid]
}

func ExamplePolicy_Resolved() {
	// Only the lengths are set: the console rules stay.
	p := password.Policy{MinLength: 12, MaxLength: 64}
	fmt.Println(p.Resolved().History)
	fmt.Println(reason.Codes(p.Check("correcthorsebattery")))
	fmt.Println(reason.Codes(p.Check("Password@2024")))
	// A rule goes only when a field says so.
	fmt.Println(password.Policy{MinLength: 12, NoBlocklist: true}.Check("Password@2024"))
	// Output:
	// 3
	// [password.missing_upper password.missing_digit password.missing_punct]
	// [password.common]
	// <nil>
}

func ExampleHasher() {
	ctx := context.Background()
	h, err := password.NewHasher(password.HasherConfig{}) // argon2id, OWASP parameters
	if err != nil {
		panic(err)
	}

	encoded, err := h.Hash(ctx, "Tr0ub4dor&3")
	if err != nil {
		panic(err)
	}
	fmt.Println(strings.HasPrefix(encoded, "$argon2id$v=19$m=19456,t=2,p=1$"))

	ok, needsRehash, err := h.Verify(ctx, "Tr0ub4dor&3", encoded)
	fmt.Println(ok, needsRehash, err)

	ok, _, err = h.Verify(ctx, "tr0ub4dor&3", encoded)
	fmt.Println(ok, err)

	// An unknown account: the same work as a wrong password, always false.
	ok, err = h.VerifyDummy(ctx, "Tr0ub4dor&3")
	fmt.Println(ok, err)
	// Output:
	// true
	// true false <nil>
	// false <nil>
	// false <nil>
}

func ExampleHasher_Verify_migration() {
	ctx := context.Background()
	// In a test, InsecureTestParams keeps hashing fast. Never in production.
	h, err := password.NewHasher(password.HasherConfig{Params: password.InsecureTestParams()})
	if err != nil {
		panic(err)
	}
	// A hash from an older system: bcrypt, cost 4, of "Tr0ub4dor&3".
	legacy := "$2a$04$3AGpXEyvk7oAoX9d.0jZnus/aBAij.OXuXtm6OzueMSTK2YsD1azu"
	ok, needsRehash, err := h.Verify(ctx, "Tr0ub4dor&3", legacy)
	fmt.Println(ok, needsRehash, err)
	if ok && needsRehash {
		encoded, _ := h.Hash(ctx, "Tr0ub4dor&3") // store this instead
		fmt.Println(encoded[:27])
	}
	_, _, err = h.Verify(ctx, "Tr0ub4dor&3", "not a hash")
	fmt.Println(errors.Is(err, password.ErrHashMalformed))
	// Output:
	// true true <nil>
	// $argon2id$v=19$m=8,t=1,p=1$
	// true
}

func ExamplePushHistory() {
	policy := password.Console()
	history := []string{"hash3", "hash2", "hash1"} // most recent (current) first
	history = password.PushHistory(history, "hash4", policy.History)
	fmt.Println(history)
	// Output:
	// [hash4 hash3 hash2]
}

func ExampleRotationDue() {
	changed := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	fmt.Println(password.RotationDue(password.Console(), changed, changed.AddDate(0, 0, 89)))
	fmt.Println(password.RotationDue(password.Console(), changed, changed.AddDate(0, 0, 90)))
	fmt.Println(password.RotationDue(password.NIST(), changed, changed.AddDate(10, 0, 0)))
	// Output:
	// false
	// true
	// false
}
