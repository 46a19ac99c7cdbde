package account_test

import (
	"context"
	"strconv"
	"testing"

	"github.com/accountsec/accountsec/account"
)

func BenchmarkRegister(b *testing.B) {
	b.Run("qq", func(b *testing.B) {
		e := newEnv(b, quiet)
		ctx := context.Background()
		i := 0
		for b.Loop() {
			i++
			if _, err := e.svc.Register(ctx, account.Registration{Method: account.MethodQQ, Identifier: "q" + strconv.Itoa(i)}); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("email", func(b *testing.B) {
		// Code sent and checked, password checked and hashed (with the
		// test-only cheap argon2id parameters: production hashing dominates).
		e := newEnv(b, quiet)
		ctx := context.Background()
		i := 0
		for b.Loop() {
			i++
			email := "u" + strconv.Itoa(i) + "@example.com"
			if _, err := e.svc.SendRegistrationCode(ctx, email, ""); err != nil {
				b.Fatal(err)
			}
			if _, err := e.svc.Register(ctx, account.Registration{Method: account.MethodEmail, Identifier: email, Password: pw1, Code: e.outbox.LastCode(email)}); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// accounts registers n accounts with WeChat and returns their IDs.
func accounts(b *testing.B, e *env, n int) []string {
	ids := make([]string, n)
	for i := range ids {
		ids[i] = e.register(b, account.MethodWeChat, "wx"+strconv.Itoa(i)).ID
	}
	return ids
}

func BenchmarkBind(b *testing.B) {
	e := newEnv(b, quiet)
	ctx := context.Background()
	ids := accounts(b, e, b.N)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := e.svc.BindLoginMethod(ctx, allow(ids[i], account.OpBindLoginMethod), ids[i], account.Binding{Method: account.MethodQQ, Identifier: "q" + strconv.Itoa(i)}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkUnbind(b *testing.B) {
	e := newEnv(b, quiet)
	ctx := context.Background()
	ids := accounts(b, e, b.N)
	for i, id := range ids {
		e.bind(b, id, account.MethodQQ, "q"+strconv.Itoa(i))
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := e.svc.UnbindLoginMethod(ctx, allow(ids[i], account.OpUnbindLoginMethod), ids[i], account.MethodQQ); err != nil {
			b.Fatal(err)
		}
	}
}

// quiet drops the recording fakes, whose growing logs would be measured
// too.
func quiet(c *account.Config) {
	c.Events = nil

}
