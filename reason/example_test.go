package reason_test

import (
	"errors"
	"fmt"

	"github.com/accountsec/accountsec/reason"
)

func Example() {
	var ErrTooShort = reason.New(reason.PasswordTooShort) // a package's sentinel

	err := fmt.Errorf("register: %w", reason.List{
		ErrTooShort.With("min", 8),
		reason.New(reason.PasswordMissingDigit),
	})
	fmt.Println(errors.Is(err, ErrTooShort))
	fmt.Println(reason.Codes(err))

	var list reason.List
	errors.As(err, &list)
	for _, e := range list {
		fmt.Println(reason.Message(e.Code, reason.SimplifiedChinese, e.Params))
	}
	// Output:
	// true
	// [password.too_short password.missing_digit]
	// 密码长度至少为 8 个字符
	// 密码必须包含数字
}
