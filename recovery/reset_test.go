package recovery_test

import (
	"context"
	"errors"
	"fmt"
	"github.com/accountsec/accountsec/internal/proof"
	"github.com/accountsec/accountsec/vocab"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/accountsec/accountsec/account"
	"github.com/accountsec/accountsec/account/password"
	"github.com/accountsec/accountsec/event"
	"github.com/accountsec/accountsec/fakes"
	"github.com/accountsec/accountsec/limits"
	"github.com/accountsec/accountsec/notify"
	"github.com/accountsec/accountsec/reason"
	"github.com/accountsec/accountsec/recovery"
	"github.com/accountsec/accountsec/store/memstore"
)

func TestWholeReset(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	a := e.registerEmail(t, "alice@example.com", pw1)

	// 1. The request mails a token.
	require.NoError(t, e.resets.Request(ctx, " Alice@Example.com ", "198.51.100.7"))
	msgs := e.resetMessages()
	require.Len(t, msgs, 1)
	m := msgs[0]
	assert.Equal(t, notify.Email, m.Channel)
	assert.Equal(t, "alice@example.com", m.To)
	assert.Equal(t, a.ID, m.AccountID)
	assert.Equal(t, e.clock.Now().Add(30*time.Minute), m.ExpiresAt)
	assert.Empty(t, m.Params, "the token travels in Code, never in Params")
	require.True(t, recovery.ParseToken(m.Code))
	token := m.Code

	// 2. The link is opened.
	p, err := e.resets.Lookup(ctx, token)
	require.NoError(t, err)
	assert.Equal(t, a.ID, p.AccountID)
	assert.True(t, strings.HasPrefix(p.Binding, recovery.BindingPrefix))
	assert.NotContains(t, p.Binding, token)
	assert.Equal(t, m.ExpiresAt, p.ExpiresAt)

	// 3. A new password before verification: the Verifier's error, as is.
	_, err = e.resets.Complete(ctx, complete(token, pw2))
	var nv *errNotVerified
	require.ErrorAs(t, err, &nv)
	require.ErrorIs(t, err, account.ErrVerificationRequired, "an error without a reason code is wrapped")
	assert.True(t, e.hasPassword(t, a.ID, pw1), "nothing changed")
	assert.Empty(t, e.sessions.ended())

	// 4. Verification bound to this reset, then 5. submitted again.
	e.verifier.verify(p)
	got, err := e.resets.Complete(ctx, complete(token, pw2))
	require.NoError(t, err)
	assert.Equal(t, a.ID, got.Account.ID)
	assert.True(t, e.hasPassword(t, a.ID, pw2))
	assert.Equal(t, e.get(t, a.ID), got.Account)
	assert.Zero(t, got.LockedUntil, "the account is not locked")
	assert.Equal(t, [][3]string{{a.ID, "", recovery.CausePasswordReset}}, e.sessions.ended(), "every session ends")
	for _, q := range e.verifier.questions() {
		assert.Equal(t, [3]string{a.ID, p.Binding, recovery.PurposeResetPassword}, q)
	}
	assert.Equal(t, 1, e.events.Count(event.PasswordResetRequested))
	assert.Equal(t, 1, e.events.Count(event.PasswordReset))

	// The token is spent.
	_, err = e.resets.Complete(ctx, complete(token, pw3))
	require.ErrorIs(t, err, recovery.ErrTokenInvalid)
	assert.True(t, e.hasPassword(t, a.ID, pw2))
}

func TestReasonCodedVerifierErrorsPassUnchanged(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	a := e.registerEmail(t, "rc@example.com", pw1)
	token := e.request(t, "rc@example.com")
	locked := &limits.LockedError{Until: e.clock.Now().Add(time.Hour)}
	e.verifier.fail = locked
	_, err := e.resets.Complete(context.Background(), complete(token, pw2))
	require.Same(t, locked, err)
	assert.True(t, e.hasPassword(t, a.ID, pw1))
}

func TestTokenIsSingleUse(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	a := e.registerEmail(t, "once@example.com", pw1)
	token := e.request(t, "once@example.com")
	e.verified(t, token)
	_, err := e.resets.Complete(ctx, complete(token, pw2))
	require.NoError(t, err)

	_, err = e.resets.Complete(ctx, complete(token, pw3))
	require.ErrorIs(t, err, recovery.ErrTokenInvalid)
	_, err = e.resets.Lookup(ctx, token)
	require.ErrorIs(t, err, recovery.ErrTokenInvalid)
	assert.True(t, e.hasPassword(t, a.ID, pw2))
	assert.Len(t, e.sessions.ended(), 1)
	assert.Equal(t, 2, e.events.Count(event.PasswordResetRejected))
}

func TestTokenExpiresAtItsTTL(t *testing.T) {
	t.Parallel()
	for _, ttl := range []time.Duration{0, 5 * time.Minute, time.Hour} {
		t.Run(fmt.Sprint(ttl), func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, func(c *recovery.ResetConfig) { c.Policy.TTL = ttl })
			ctx := context.Background()
			a := e.registerEmail(t, "ttl@example.com", pw1)
			want := ttl
			if want == 0 {
				want = recovery.DefaultResetTTL
			}
			assert.Equal(t, want, e.resets.Policy().TTL)
			token := e.request(t, "ttl@example.com")
			e.verified(t, token)

			e.clock.Advance(want - time.Millisecond)
			_, err := e.resets.Lookup(ctx, token)
			require.NoError(t, err, "valid just before the TTL")
			e.clock.Advance(time.Millisecond)
			_, err = e.resets.Lookup(ctx, token)
			require.ErrorIs(t, err, recovery.ErrTokenInvalid, "gone at exactly the TTL")
			_, err = e.resets.Complete(ctx, complete(token, pw2))
			require.ErrorIs(t, err, recovery.ErrTokenInvalid)
			assert.True(t, e.hasPassword(t, a.ID, pw1))
		})
	}
}

func TestNewerRequestReplacesOlder(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	a := e.registerEmail(t, "twice@example.com", pw1)
	old := e.request(t, "twice@example.com")
	oldPending := e.verified(t, old)
	e.clock.Advance(time.Minute) // the send limiter's interval
	cur := e.request(t, "twice@example.com")
	require.NotEqual(t, old, cur)

	_, err := e.resets.Lookup(ctx, old)
	require.ErrorIs(t, err, recovery.ErrTokenInvalid)
	_, err = e.resets.Complete(ctx, complete(old, pw2))
	require.ErrorIs(t, err, recovery.ErrTokenInvalid)

	p, err := e.resets.Lookup(ctx, cur)
	require.NoError(t, err)
	assert.NotEqual(t, oldPending.Binding, p.Binding, "a verification of the old reset does not carry over")
	_, err = e.resets.Complete(ctx, complete(cur, pw2))
	var nv *errNotVerified
	require.ErrorAs(t, err, &nv)
	e.verifier.verify(p)
	_, err = e.resets.Complete(ctx, complete(cur, pw2))
	require.NoError(t, err)
	assert.True(t, e.hasPassword(t, a.ID, pw2))
}

func TestConcurrentCompletionsResetOnce(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	a := e.registerEmail(t, "race@example.com", pw1)
	token := e.request(t, "race@example.com")
	e.verified(t, token)
	before := e.get(t, a.ID).Version

	const n = 20
	errs := make([]error, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			// Each submits its own new password; exactly one may win.
			_, errs[i] = e.resets.Complete(context.Background(), complete(token, fmt.Sprintf("Passw0rd!x%02d", i)))
		}()
	}
	close(start)
	wg.Wait()

	winner := -1
	for i, err := range errs {
		if err == nil {
			require.Equal(t, -1, winner, "a second submission succeeded")
			winner = i
			continue
		}
		require.ErrorIs(t, err, recovery.ErrTokenInvalid)
	}
	require.NotEqual(t, -1, winner, "one submission succeeded")
	after := e.get(t, a.ID)
	assert.Equal(t, before+1, after.Version, "one write")
	assert.True(t, e.hasPassword(t, a.ID, fmt.Sprintf("Passw0rd!x%02d", winner)))
	assert.Len(t, after.Password.History, 2)
	assert.Len(t, e.sessions.ended(), 1)
	assert.Equal(t, 1, e.events.Count(event.PasswordReset))
}

func TestBadNewPasswordKeepsTheToken(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	a := e.registerEmail(t, "weak@example.com", pw1)
	token := e.request(t, "weak@example.com")
	e.verified(t, token)
	for _, tc := range []struct {
		name string
		c    recovery.Completion
		code reason.Code
	}{
		{"weak", complete(token, "password"), reason.PasswordMissingUpper},
		{"short", complete(token, "Pa1!"), reason.PasswordTooShort},
		{"empty", complete(token, ""), reason.InputEmpty},
		{"too large", complete(token, strings.Repeat("A", 1<<20)), reason.PasswordTooLarge},
		{"bad UTF-8", complete(token, "Passw0rd!\xff"), reason.PasswordInvalidUTF8},
		{"confirmation differs", recovery.Completion{Token: token, New: pw2, Confirm: pw2 + "x"}, reason.PasswordConfirmMismatch},
		{"no confirmation", recovery.Completion{Token: token, New: pw2}, reason.PasswordConfirmMismatch},
		{"current password", complete(token, pw1), reason.PasswordReused},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := e.resets.Complete(ctx, tc.c)
			require.Error(t, err)
			assert.Contains(t, reason.Codes(err), tc.code, "%v", err)
			assert.NotContains(t, err.Error(), token)
		})
	}
	assert.True(t, e.hasPassword(t, a.ID, pw1))
	_, err := e.resets.Complete(ctx, complete(token, pw2))
	require.NoError(t, err, "the token survived every refusal")
	assert.True(t, e.hasPassword(t, a.ID, pw2))
}

func TestPasswordIsCheckedBeforeVerification(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.registerEmail(t, "order@example.com", pw1)
	token := e.request(t, "order@example.com")
	_, err := e.resets.Complete(context.Background(), complete(token, "password"))
	require.ErrorIs(t, err, password.ErrMissingUpper)
	assert.Empty(t, e.verifier.questions(), "a policy refusal comes before verification")
}

func TestHistoryIsCheckedOnlyAfterVerification(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	a := e.registerEmail(t, "hist@example.com", pw1)
	_, err := e.accounts.ChangePassword(ctx, proof.Mint(a.ID, "test", vocab.OpChangePassword, farFuture), a.ID, account.PasswordChange{Old: pw1, New: pw2, Confirm: pw2})
	require.NoError(t, err)
	token := e.request(t, "hist@example.com")

	// Unverified, the current password is not recognised as such: the
	// token alone does not let anyone test guesses against the history.
	_, err = e.resets.Complete(ctx, complete(token, pw2))
	var nv *errNotVerified
	require.ErrorAs(t, err, &nv)

	e.verified(t, token)
	for _, recent := range []string{pw1, pw2} {
		_, err = e.resets.Complete(ctx, complete(token, recent))
		require.ErrorIs(t, err, password.ErrReused, recent)
	}
	_, err = e.resets.Complete(ctx, complete(token, pw3))
	require.NoError(t, err)
	got := e.get(t, a.ID)
	assert.True(t, e.hasPassword(t, a.ID, pw3))
	assert.Len(t, got.Password.History, 3)
}

func TestUnknownEmailIsIndistinguishable(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	e.registerEmail(t, "known@example.com", pw1)
	// An account whose login email has no password (written directly:
	// the flows always set one).
	nopw := account.Account{
		ID: "100000000042", APPID: "1300000042", RegistrationMethod: account.MethodWeChat, RegistrationIdentifier: "wx-42",
		LoginMethods: []account.LoginMethod{{Method: account.MethodEmail, Identifier: "nopw@example.com"}},
	}
	res, err := e.store.CreateAccount(ctx, nopw, []account.Take{{Slot: account.Slot{Scope: account.ScopeBind, Kind: account.KindEmail, Value: "nopw@example.com"}, Limit: 1}})
	require.NoError(t, err)
	require.Equal(t, account.WriteOK, res.Status)

	for _, email := range []string{"known@example.com", "nobody@example.com", "nopw@example.com"} {
		assert.NoError(t, e.resets.Request(ctx, email, "198.51.100.7"), email)
	}
	msgs := e.resetMessages()
	require.Len(t, msgs, 1, "only the known address got a message")
	assert.Equal(t, "known@example.com", msgs[0].To)

	// The rate limit answers alike too: it is asked before the lookup.
	for _, email := range []string{"known@example.com", "nobody@example.com", "nopw@example.com"} {
		err := e.resets.Request(ctx, email, "198.51.100.7")
		var rl *limits.RateLimitedError
		assert.ErrorAs(t, err, &rl, email)
	}
	assert.Len(t, e.resetMessages(), 1)

	var known, unknown int
	for _, ev := range e.events.All() {
		if ev.Kind != event.PasswordResetRequested {
			continue
		}
		assert.NotEmpty(t, ev.Subject)
		if ev.AccountID == "" {
			unknown++
		} else {
			known++
		}
	}
	assert.Equal(t, 1, known)
	assert.Equal(t, 2, unknown)
}

func TestRequestRefusesBadInputWithoutSending(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.registerEmail(t, "in@example.com", pw1)
	for _, tc := range []struct {
		name, email, ip string
		code            reason.Code
	}{
		{"empty", "", "", reason.InputEmpty},
		{"blank", "   ", "", reason.InputEmpty},
		{"huge", strings.Repeat("a", 1<<20) + "@example.com", "", reason.InputTooLong},
		{"no at", "in.example.com", "", reason.InputMalformed},
		{"two ats", "in@@example.com", "", reason.InputMalformed},
		{"non-ASCII", "ın@example.com", "", reason.InputMalformed},
		{"full-width at", "in＠example.com", "", reason.InputMalformed},
		{"bad UTF-8", "in\xff@example.com", "", reason.InputInvalidUTF8},
		{"huge IP", "in@example.com", strings.Repeat("1", 1000), reason.InputTooLong},
		{"bad UTF-8 IP", "in@example.com", "10.0.0.\xff", reason.InputInvalidUTF8},
	} {
		err := e.resets.Request(context.Background(), tc.email, tc.ip)
		assert.Equal(t, tc.code, reason.CodeOf(err), tc.name)
	}
	assert.Empty(t, e.resetMessages())
	assert.Zero(t, e.events.Count(event.PasswordResetRequested))
}

func TestMalformedTokensAreRefusedWithoutLookup(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	e.registerEmail(t, "tok@example.com", pw1)
	token := e.request(t, "tok@example.com")
	e.verified(t, token)
	e.resetDB.set("Reset", true) // a lookup would fail differently
	n := len(token)
	for _, bad := range []string{
		"", token[:42], token + "A", " " + token[1:], token[:42] + "=", strings.Repeat("A", 42) + "B",
		strings.ReplaceAll(token[:42], token[:1], "+") + "A", "ｔｏｋｅｎ", token[:40] + "\xff\xff\xff", strings.Repeat("A", 1<<20),
		token[:n-1], token[:n-1] + "=", token[17:], token[:16] + "!" + token[17:], "+" + token[1:],
		token[:16] + "." + strings.Repeat("A", 42) + "B", strings.Repeat("A", n),
	} {
		if bad == token {
			continue
		}
		_, err := e.resets.Lookup(ctx, bad)
		require.ErrorIs(t, err, recovery.ErrTokenMalformed, "%q", bad)
		_, err = e.resets.Complete(ctx, complete(bad, pw2))
		require.ErrorIs(t, err, recovery.ErrTokenMalformed, "%q", bad)
	}
	e.resetDB.set("Reset", false)
	_, err := e.resets.Complete(ctx, complete(token, pw2))
	require.NoError(t, err)
}

func TestUnknownWellFormedTokenIsInvalid(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	_, err := e.resets.Lookup(context.Background(), strings.Repeat("A", 16)+"."+strings.Repeat("A", 43))
	require.ErrorIs(t, err, recovery.ErrTokenInvalid)
	assert.Equal(t, 1, e.events.Count(event.PasswordResetRejected))
}

func TestStoreFailuresFailClosed(t *testing.T) {
	t.Parallel()
	ctx := context.Background()

	t.Run("put", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t)
		e.registerEmail(t, "s1@example.com", pw1)
		e.resetDB.set("PutReset", true)
		require.ErrorIs(t, e.resets.Request(ctx, "s1@example.com", ""), reason.ErrStoreUnavailable)
		assert.Empty(t, e.resetMessages(), "no token mailed that was not stored")
	})
	t.Run("decoy write", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t)
		e.resetDB.set("PutReset", true)
		require.ErrorIs(t, e.resets.Request(ctx, "nobody@example.com", ""), reason.ErrStoreUnavailable,
			"an unknown address fails like a known one: both write")
	})
	t.Run("lookup", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t)
		a := e.registerEmail(t, "s2@example.com", pw1)
		token := e.request(t, "s2@example.com")
		e.verified(t, token)
		e.resetDB.set("Reset", true)
		_, err := e.resets.Lookup(ctx, token)
		require.ErrorIs(t, err, reason.ErrStoreUnavailable)
		assert.NotErrorIs(t, err, recovery.ErrTokenInvalid)
		_, err = e.resets.Complete(ctx, complete(token, pw2))
		require.ErrorIs(t, err, reason.ErrStoreUnavailable)
		assert.True(t, e.hasPassword(t, a.ID, pw1))
	})
	t.Run("consume", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t)
		a := e.registerEmail(t, "s3@example.com", pw1)
		token := e.request(t, "s3@example.com")
		e.verified(t, token)
		e.resetDB.set("ConsumeReset", true)
		_, err := e.resets.Complete(ctx, complete(token, pw2))
		require.ErrorIs(t, err, reason.ErrStoreUnavailable)
		assert.True(t, e.hasPassword(t, a.ID, pw1), "no write without the consume")
		assert.Empty(t, e.sessions.ended())
		e.resetDB.set("ConsumeReset", false)
		_, err = e.resets.Complete(ctx, complete(token, pw2))
		require.NoError(t, err, "a failed consume spent nothing")
	})
}

func TestSendFailureIsNotRevealed(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	a := e.registerEmail(t, "bounce@example.com", pw1)
	old := e.request(t, "bounce@example.com")
	e.clock.Advance(time.Minute)
	e.outbox.FailWith(fakes.ErrUndeliverable)
	require.NoError(t, e.resets.Request(ctx, "bounce@example.com", ""), "the same answer as for any address")
	assert.Equal(t, 1, e.events.Count(event.PasswordResetSendFailed))
	for _, ev := range e.events.All() {
		if ev.Kind == event.PasswordResetSendFailed {
			assert.Equal(t, a.ID, ev.AccountID)
			assert.Equal(t, "send_failed", ev.Attrs["reason"])
		}
	}
	_, err := e.resets.Lookup(ctx, old)
	require.ErrorIs(t, err, recovery.ErrTokenInvalid, "the newer request replaced the older token")
}

func TestSessionEndFailureIsReported(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	a := e.registerEmail(t, "sess@example.com", pw1)
	token := e.request(t, "sess@example.com")
	e.verified(t, token)
	e.sessions.fail = reason.Store(errStoreDown)
	got, err := e.resets.Complete(context.Background(), complete(token, pw2))
	require.ErrorIs(t, err, recovery.ErrSessionsNotEnded)
	require.ErrorIs(t, err, reason.ErrStoreUnavailable)
	assert.Equal(t, reason.RecoverySessionsNotEnded, reason.CodeOf(err))
	assert.Equal(t, a.ID, got.Account.ID, "the reset account is returned with the error")
	assert.True(t, e.hasPassword(t, a.ID, pw2), "the password was reset all the same")
}

func TestAccountDeletedAfterTheRequest(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	a := e.registerEmail(t, "gone@example.com", pw1)
	token := e.request(t, "gone@example.com")
	e.verified(t, token)
	deleted, err := e.store.DeleteAccount(ctx, a.ID)
	require.NoError(t, err)
	require.True(t, deleted)
	_, err = e.resets.Complete(ctx, complete(token, pw2))
	require.ErrorIs(t, err, account.ErrNotFound)
	assert.Empty(t, e.sessions.ended())
}

func TestTokensNeverAppearInEventsOrErrors(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	e.registerEmail(t, "leak@example.com", pw1)
	token := e.request(t, "leak@example.com")
	var errs []error
	_, err := e.resets.Complete(ctx, complete(token, pw2))
	errs = append(errs, err)
	_, err = e.resets.Complete(ctx, recovery.Completion{Token: token, New: pw2, Confirm: pw3})
	errs = append(errs, err)
	p := e.verified(t, token)
	_, err = e.resets.Complete(ctx, complete(token, pw2))
	require.NoError(t, err)
	_, err = e.resets.Complete(ctx, complete(token, pw2))
	errs = append(errs, err)
	_, err = e.resets.Lookup(ctx, token)
	errs = append(errs, err)

	for _, err := range errs {
		require.Error(t, err)
		assert.NotContains(t, err.Error(), token)
		assert.NotContains(t, fmt.Sprintf("%+v", err), token)
	}
	evs := e.events.All()
	require.NotEmpty(t, evs)
	for _, ev := range evs {
		s := fmt.Sprintf("%+v", ev)
		assert.NotContains(t, s, token, "event %s", ev.Kind)
		assert.NotContains(t, s, p.Binding, "event %s", ev.Kind)
		assert.NotContains(t, s, pw2, "event %s", ev.Kind)
	}
}

func TestResetConfigIsValidated(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	base := recovery.ResetConfig{
		Store: memstore.New(), Accounts: e.accounts, Email: e.outbox,
		Gate:     gateFunc(func(context.Context, string, string, string) error { return nil }),
		Verifier: e.verifier, Sessions: e.sessions, Secret: testSecret,
	}
	_, err := recovery.NewResets(base)
	require.NoError(t, err)
	for name, edit := range map[string]func(*recovery.ResetConfig){
		"no store":     func(c *recovery.ResetConfig) { c.Store = nil },
		"no accounts":  func(c *recovery.ResetConfig) { c.Accounts = nil },
		"no email":     func(c *recovery.ResetConfig) { c.Email = nil },
		"no gate":      func(c *recovery.ResetConfig) { c.Gate = nil },
		"no verifier":  func(c *recovery.ResetConfig) { c.Verifier = nil },
		"no sessions":  func(c *recovery.ResetConfig) { c.Sessions = nil },
		"short secret": func(c *recovery.ResetConfig) { c.Secret = []byte("short") },
		"TTL too short": func(c *recovery.ResetConfig) {
			c.Policy.TTL = 5*time.Minute - time.Second
		},
		"TTL too long": func(c *recovery.ResetConfig) { c.Policy.TTL = 61 * time.Minute },
		"negative TTL": func(c *recovery.ResetConfig) { c.Policy.TTL = -time.Minute },
	} {
		cfg := base
		edit(&cfg)
		_, err := recovery.NewResets(cfg)
		assert.ErrorIs(t, err, reason.New(reason.PolicyInvalid), name)
	}
}

type gateFunc func(ctx context.Context, channel, destination, clientIP string) error

func (f gateFunc) Allow(ctx context.Context, channel, destination, clientIP string) error {
	return f(ctx, channel, destination, clientIP)
}

func TestGateIsAskedForEveryAddress(t *testing.T) {
	t.Parallel()
	var asked atomic.Int64
	var channels sync.Map
	e := newEnv(t, func(c *recovery.ResetConfig) {
		c.Gate = gateFunc(func(_ context.Context, ch, dest, ip string) error {
			asked.Add(1)
			channels.Store(ch+"|"+dest+"|"+ip, true)
			return nil
		})
	})
	e.registerEmail(t, "gate@example.com", pw1)
	require.NoError(t, e.resets.Request(context.Background(), "Gate@Example.com", "203.0.113.9"))
	require.NoError(t, e.resets.Request(context.Background(), "none@example.com", "203.0.113.9"))
	assert.Equal(t, int64(2), asked.Load())
	_, ok := channels.Load(recovery.GateChannel + "|gate@example.com|203.0.113.9")
	assert.True(t, ok, "asked with the normalised address")
	_, ok = channels.Load(recovery.GateChannel + "|none@example.com|203.0.113.9")
	assert.True(t, ok)
}

func TestRandomnessFailureFailsClosed(t *testing.T) {
	t.Parallel()
	e := newEnv(t, func(c *recovery.ResetConfig) { c.Rand = failingReader{} })
	e.registerEmail(t, "rand@example.com", pw1)
	err := e.resets.Request(context.Background(), "rand@example.com", "")
	require.ErrorIs(t, err, reason.ErrStoreUnavailable)
	assert.Empty(t, e.resetMessages())
}

type failingReader struct{}

func (failingReader) Read([]byte) (int, error) { return 0, errors.New("entropy exhausted") }
