package protection_test

import (
	"testing"

	"github.com/accountsec/accountsec/protection"
)

// benchEnv is an env without the event recorder, whose memory would grow
// with b.N, and on the memory store itself: the call-counting wrapper of
// the other tests serialises every call on one mutex, which would measure
// the wrapper instead of the store.
func benchEnv(b *testing.B) *env {
	e := newEnv(b)
	e.with(b, func(c *protection.Config) { c.Events, c.Store = nil, e.mem })
	return e
}

// BenchmarkValidateSession is the hot path: one store read per request
// (the last-seen write happens at most once a minute, and the clock does
// not move here).
func BenchmarkValidateSession(b *testing.B) {
	e := benchEnv(b)
	_, token := e.session(b)
	ctx := b.Context()
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := e.m.ValidateSession(ctx, token); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

// BenchmarkAuthorize checks a sensitive operation of a session that holds a
// step-up grant (one store read) and of one whose account does not protect
// the operation (a grant read and a profile read).
func BenchmarkAuthorize(b *testing.B) {
	for _, tc := range []struct {
		name   string
		stepUp bool
	}{{"StepUp", true}, {"NotRequired", false}} {
		b.Run(tc.name, func(b *testing.B) {
			e := benchEnv(b)
			s, _ := e.session(b)
			if tc.stepUp {
				e.stepUp(b, s, protection.OpViewAPIKey)
			}
			ctx := b.Context()
			b.ReportAllocs()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if err := errOf(e.m.Authorize(ctx, s, protection.OpViewAPIKey)); err != nil {
						b.Error(err)
						return
					}
				}
			})
		})
	}
}

// BenchmarkLogin is a whole password login without hashing cost (the
// password check is a constant-time comparison), to show the policy
// overhead: lockout reservation and release, account look-ups, location,
// session creation, city learning. WithMFA adds login protection: the
// pending login, the challenge and the second step.
func BenchmarkLogin(b *testing.B) {
	b.Run("Direct", func(b *testing.B) {
		e := benchEnv(b)
		e.settings(aliceID, func(s *protection.Settings) { s.RemoteLoginProtection = true })
		ctx := b.Context()
		req := protection.LoginRequest{Login: aliceLogin, Password: alicePW, ClientIP: "203.0.113.1"}
		b.ReportAllocs()
		for b.Loop() {
			res, err := e.m.Login(ctx, req)
			if err != nil || res.Session == nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("WithMFA", func(b *testing.B) {
		e := benchEnv(b)
		e.settings(aliceID, func(s *protection.Settings) { s.LoginProtection = protection.MFA })
		ctx := b.Context()
		req := protection.LoginRequest{Login: aliceLogin, Password: alicePW, ClientIP: "203.0.113.1"}
		b.ReportAllocs()
		for b.Loop() {
			e.mfa.SetCode(aliceID, aliceMFA)
			res, err := e.m.Login(ctx, req)
			if err != nil || res.Pending == nil {
				b.Fatal(err)
			}
			c, err := e.m.StartLoginChallenge(ctx, res.Pending.Token, protection.MFA, "")
			if err != nil {
				b.Fatal(err)
			}
			fin, err := e.m.CompleteLogin(ctx, protection.CompleteRequest{PendingToken: res.Pending.Token, Challenge: c.ID, Answer: aliceMFA})
			if err != nil || fin.Session == nil {
				b.Fatal(err)
			}
		}
	})
}

// Lookup finds the built-in operations without the map; a host operation
// whose name has the length and the bytes that pick a built-in's slot is
// still told apart from it, and a zero Catalog holds nothing.
func TestCatalogLookupBuiltinSlots(t *testing.T) {
	t.Parallel()
	// Same length, first, middle and last byte as "view_api_key".
	twin := protection.Operation{Name: "vabc_xpqrsty"}
	c, err := protection.NewCatalog(twin)
	if err != nil {
		t.Fatal(err)
	}
	for _, op := range c.Operations() {
		got, ok := c.Lookup(op.Name)
		if !ok || got != op {
			t.Errorf("Lookup(%q) = %+v, %v; want %+v", op.Name, got, ok, op)
		}
	}
	if got, ok := c.Lookup(protection.OpViewAPIKey); !ok || !got.AccountCentre || got.Name != protection.OpViewAPIKey {
		t.Errorf("Lookup(%q) = %+v, %v", protection.OpViewAPIKey, got, ok)
	}
	for _, name := range []string{"", "v", "view_api_kez", "view_api_key_", "vabc_xpqrstz"} {
		if got, ok := c.Lookup(name); ok {
			t.Errorf("Lookup(%q) = %+v, want none", name, got)
		}
	}
	if _, ok := new(protection.Catalog).Lookup(protection.OpViewAPIKey); ok {
		t.Error("a zero Catalog holds a built-in operation")
	}
}
