package account_test

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/accountsec/accountsec/account"
	"github.com/accountsec/accountsec/account/password"
	"github.com/accountsec/accountsec/event"
	"github.com/accountsec/accountsec/fakes"
	"github.com/accountsec/accountsec/notify"
	"github.com/accountsec/accountsec/reason"
)

func TestNewRefusesMissingDependencies(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	full := func() account.Config {
		return account.Config{
			Store: e.store, Hasher: e.hasher, Lockout: e.lockout, Codes: nopCodes{},
			Secret: testSecret,
		}
	}
	_, err := account.New(full())
	require.NoError(t, err)
	for name, edit := range map[string]func(*account.Config){
		"Store":    func(c *account.Config) { c.Store = nil },
		"Hasher":   func(c *account.Config) { c.Hasher = nil },
		"Lockout":  func(c *account.Config) { c.Lockout = nil },
		"Codes":    func(c *account.Config) { c.Codes = nil },
		"Secret":   func(c *account.Config) { c.Secret = []byte("short") },
		"Limits":   func(c *account.Config) { c.Limits.Quotas.BindPerWeChat = -1 },
		"Password": func(c *account.Config) { p := password.Console(); p.MaxLength = -1; c.Password = p },
	} {
		t.Run(name, func(t *testing.T) {
			cfg := full()
			edit(&cfg)
			_, err := account.New(cfg)
			requireCode(t, err, reason.PolicyInvalid)
		})
	}
}

func TestRegisterWithEachOfTheFiveMethods(t *testing.T) {
	t.Parallel()
	e := newEnv(t, func(c *account.Config) { c.WeCom = &fakeWeCom{allow: map[string]bool{"*": true}} })
	idRe := regexp.MustCompile(`^1[0-9]{11}$`)
	appRe := regexp.MustCompile(`^1[0-9]{9}$`)
	for _, m := range account.Methods() {
		t.Run(string(m), func(t *testing.T) {
			var a account.Account
			ident := "Sub-" + string(m)
			if m == account.MethodEmail {
				ident = "Alice@Example.com"
				a = e.registerEmail(t, ident, pw1)
				ident = "alice@example.com"
				ok, _, err := e.hasher.Verify(t.Context(), pw1, a.Password.Hash)
				require.NoError(t, err)
				assert.True(t, ok, "the password was not stored")
				assert.Equal(t, ident, a.ContactEmail.Address, "the proven address becomes the contact email")
			} else {
				a = e.register(t, m, ident)
				assert.Empty(t, a.Password.Hash, "a provider login has no password")
			}
			assert.Regexp(t, idRe, a.ID)
			assert.Regexp(t, appRe, a.APPID)
			assert.Equal(t, m, a.RegistrationMethod)
			assert.Equal(t, ident, a.RegistrationIdentifier)
			assert.Equal(t, fakes.Epoch, a.RegisteredAt)
			assert.Equal(t, account.StateActive, a.State)
			assert.Equal(t, account.RealNameUnverified, a.RealName.Status)
			assert.Equal(t, []account.Method{m}, methods(a))
			assert.Equal(t, int64(1), a.Version)
			assert.Equal(t, account.DefaultSessionMaxLifetime, a.Security.SessionMaxLifetime)
			assert.Equal(t, account.VerifyNone, a.Security.LoginProtection)

			stored := e.get(t, a.ID)
			assert.Equal(t, a, stored)
			byApp, err := e.svc.AccountByAPPID(t.Context(), a.APPID)
			require.NoError(t, err)
			assert.Equal(t, a.ID, byApp.ID)
			assert.Equal(t, []string{a.ID}, e.holders(t, account.ScopeRegister, account.KindOf(m), ident))
			assert.Equal(t, []string{a.ID}, e.holders(t, account.ScopeBind, account.KindOf(m), ident))
		})
	}
	for _, ev := range e.events.All() {
		if ev.Kind != event.AccountRegistered {
			continue
		}
		assert.NotContains(t, ev.Attrs["identifier"], "Sub-", "event carries a raw identifier")
		assert.NotContains(t, ev.Attrs["identifier"], "alice@", "event carries a raw email")
	}
	assert.Equal(t, 5, e.events.Count(event.AccountRegistered))
}

func TestRegistrationQuotaOneAccountPerIdentifier(t *testing.T) {
	t.Parallel()
	for _, m := range account.Methods() {
		t.Run(string(m), func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, func(c *account.Config) { c.WeCom = &fakeWeCom{allow: map[string]bool{"*": true}} })
			var err error
			if m == account.MethodEmail {
				e.registerEmail(t, "bob@example.com", pw1)
				// Another spelling of the same address is the same address.
				_, err = e.svc.SendRegistrationCode(t.Context(), "Bob@EXAMPLE.com", "")
				require.NoError(t, err)
				_, err = e.svc.Register(t.Context(), account.Registration{Method: m, Identifier: " BOB@example.com", Password: pw1, Code: e.code("bob@example.com")})
			} else {
				e.register(t, m, "subject")
				_, err = e.svc.Register(t.Context(), account.Registration{Method: m, Identifier: "subject"})
			}
			requireCode(t, err, reason.LimitsQuotaExceeded)
			assert.ErrorIs(t, err, account.ErrQuotaExceeded)
			assert.Equal(t, 1, e.events.Count(event.AccountRegistered))
		})
	}
}

func TestRegistrationQuotaIsAPolicyValue(t *testing.T) {
	t.Parallel()
	e := newEnv(t, func(c *account.Config) { c.Limits.Quotas.RegisterPerWeChat = 3 })
	for range 3 {
		e.register(t, account.MethodWeChat, "wx")
	}
	_, err := e.svc.Register(t.Context(), account.Registration{Method: account.MethodWeChat, Identifier: "wx"})
	requireCode(t, err, reason.LimitsQuotaExceeded)
	var re *reason.Error
	require.ErrorAs(t, err, &re)
	assert.Equal(t, 3, re.Params["limit"])
	assert.Equal(t, "register", re.Params["scope"])
}

func TestRegistrationTakesTheBindingSlotToo(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	// q is bound (not registered) to one account: QQ binds to one account.
	a := e.register(t, account.MethodWeChat, "wx")
	e.bind(t, a.ID, account.MethodQQ, "q")
	_, err := e.svc.Register(t.Context(), account.Registration{Method: account.MethodQQ, Identifier: "q"})
	requireCode(t, err, reason.LimitsQuotaExceeded)
	assert.Empty(t, e.holders(t, account.ScopeRegister, account.KindQQ, "q"), "the refused registration kept its registration slot")
}

func TestRegisterEmailNeedsAPasswordUnderThePolicy(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	for _, tc := range []struct {
		pw   string
		code reason.Code
	}{
		{"", reason.InputEmpty},
		{"short1!", reason.PasswordTooShort},
		{"alllowercase1!", reason.PasswordMissingUpper},
		{"NoDigitsHere!", reason.PasswordMissingDigit},
		{"NoPunct1234", reason.PasswordMissingPunct},
		{"Has Space1!", reason.PasswordHasSpace},
		{"Way2Long!Way2Long!Way2Long!", reason.PasswordTooLong},
	} {
		_, err := e.svc.SendRegistrationCode(t.Context(), "carol@example.com", "")
		require.NoError(t, err)
		_, err = e.svc.Register(t.Context(), account.Registration{Method: account.MethodEmail, Identifier: "carol@example.com", Password: tc.pw, Code: e.code("carol@example.com")})
		requireCode(t, err, tc.code)
	}
	assert.Zero(t, e.store.writes.Load())
	assert.Empty(t, e.holders(t, account.ScopeRegister, account.KindEmail, "carol@example.com"))
}

func TestRegisterEmailNeedsTheCodeSentToIt(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	reg := account.Registration{Method: account.MethodEmail, Identifier: "dave@example.com", Password: pw1}
	_, err := e.svc.Register(t.Context(), reg)
	requireCode(t, err, reason.InputEmpty)
	reg.Code = "123456"
	_, err = e.svc.Register(t.Context(), reg)
	requireCode(t, err, reason.CodeInvalid) // none was sent

	// A code sent to another address does not prove this one.
	_, err = e.svc.SendRegistrationCode(t.Context(), "eve@example.com", "")
	require.NoError(t, err)
	reg.Code = e.code("eve@example.com")
	_, err = e.svc.Register(t.Context(), reg)
	requireCode(t, err, reason.CodeInvalid)
	assert.Zero(t, e.store.writes.Load())

	e.registerEmail(t, "dave@example.com", pw1)
}

func TestRegisterRefusesAPasswordForProviderMethods(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	_, err := e.svc.Register(t.Context(), account.Registration{Method: account.MethodQQ, Identifier: "q", Password: pw1})
	requireCode(t, err, reason.InputMalformed)
	assert.Zero(t, e.store.writes.Load())
}

func TestRegisterWithWeComAsksTheAdministrator(t *testing.T) {
	t.Parallel()
	t.Run("no callback", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t, func(c *account.Config) { c.WeCom = nil })
		_, err := e.svc.Register(t.Context(), account.Registration{Method: account.MethodWeCom, Identifier: "wc"})
		require.ErrorIs(t, err, account.ErrWeComNotAuthorized)
	})
	t.Run("declined", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t)
		_, err := e.svc.Register(t.Context(), account.Registration{Method: account.MethodWeCom, Identifier: "wc"})
		require.ErrorIs(t, err, account.ErrWeComNotAuthorized)
		assert.Equal(t, []string{"/wc"}, e.wecom.asked)
		assert.Zero(t, e.store.writes.Load())
	})
	t.Run("authorised", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t)
		e.wecom.allow["wc"] = true
		e.register(t, account.MethodWeCom, "wc")
	})
}

// seqIDs hands out the IDs in order, then fails.
type seqIDs struct {
	mu  sync.Mutex
	ids [][2]string
}

func (g *seqIDs) NewIDs() (string, string, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if len(g.ids) == 0 {
		return "", "", errors.New("out of IDs")
	}
	p := g.ids[0]
	g.ids = g.ids[1:]
	return p[0], p[1], nil
}

func TestRegisterRetriesWhenTheIDOrAPPIDIsTaken(t *testing.T) {
	t.Parallel()
	gen := &seqIDs{ids: [][2]string{
		{"100000000001", "1000000001"},
		{"100000000001", "1000000002"}, // ID taken
		{"100000000002", "1000000001"}, // APPID taken
		{"100000000003", "1000000003"},
	}}
	e := newEnv(t, func(c *account.Config) { c.IDs = gen })
	a := e.register(t, account.MethodQQ, "q1")
	assert.Equal(t, "100000000001", a.ID)
	b := e.register(t, account.MethodQQ, "q2")
	assert.Equal(t, "100000000003", b.ID)
	assert.Equal(t, "1000000003", b.APPID)

	// A generator that only repeats used IDs gives up after MaxIDAttempts.
	rep := &seqIDs{}
	for range account.MaxIDAttempts {
		rep.ids = append(rep.ids, [2]string{"100000000001", "1000000001"})
	}
	e2 := newEnv(t, func(c *account.Config) { c.IDs = rep; c.Store = e.store })
	_, err := e2.svc.Register(t.Context(), account.Registration{Method: account.MethodQQ, Identifier: "q3"})
	require.ErrorIs(t, err, reason.ErrStoreUnavailable)
	assert.Empty(t, e.holders(t, account.ScopeRegister, account.KindQQ, "q3"))
}

func TestRandomIDsHaveTheDocumentedShape(t *testing.T) {
	t.Parallel()
	g := &account.RandomIDs{Rand: strings.NewReader(strings.Repeat("\x00\x01\x02\x03\x04\x05\x06\x07", 2))}
	id, app, err := g.NewIDs()
	require.NoError(t, err)
	assert.Len(t, id, 12)
	assert.Len(t, app, 10)
	assert.Equal(t, "1", id[:1])
	_, _, err = g.NewIDs()
	assert.Error(t, err, "exhausted randomness must be an error")
}

func TestRegistrationSlotStaysAfterUnbindingTheRegistrationMethod(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	a := e.register(t, account.MethodQQ, "q")
	e.bind(t, a.ID, account.MethodWeChat, "wx")
	e.setSecurityPhone(t, a.ID, "+8613800138000")
	_, err := e.svc.UnbindLoginMethod(t.Context(), allow(a.ID, account.OpUnbindLoginMethod), a.ID, account.MethodQQ)
	require.NoError(t, err)

	// q may be bound again like any other identifier…
	b := e.register(t, account.MethodWeChat, "wx2")
	e.bind(t, b.ID, account.MethodQQ, "q")
	// …but registering a second account with it is still refused.
	_, err = e.svc.Register(t.Context(), account.Registration{Method: account.MethodQQ, Identifier: "q"})
	requireCode(t, err, reason.LimitsQuotaExceeded)
}

func TestConcurrentRegistrationsWithOneIdentifierExactlyOneWins(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	const n = 20
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Go(func() {
			_, errs[i] = e.svc.Register(context.Background(), account.Registration{Method: account.MethodQQ, Identifier: "same"})
		})
	}
	wg.Wait()
	ok := 0
	for _, err := range errs {
		if err == nil {
			ok++
		} else {
			requireCode(t, err, reason.LimitsQuotaExceeded)
		}
	}
	assert.Equal(t, 1, ok)
	assert.Len(t, e.holders(t, account.ScopeRegister, account.KindQQ, "same"), 1)
}

// nopCodes is a CodeSender for configuration tests.
type nopCodes struct{}

func (nopCodes) Send(context.Context, notify.Target, string) (notify.Sent, error) {
	return notify.Sent{}, nil
}
func (nopCodes) Verify(context.Context, notify.Target, string) error { return fmt.Errorf("no code") }
