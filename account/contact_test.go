package account_test

import (
	"fmt"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/accountsec/accountsec/account"
	"github.com/accountsec/accountsec/event"
	"github.com/accountsec/accountsec/notify"
	"github.com/accountsec/accountsec/reason"
	"github.com/accountsec/accountsec/vocab"
)

func TestContactEmailPendingUntilConfirmed(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	a := e.registerEmail(t, "p@example.com", pw1) // contact email p@
	assert.Equal(t, "p@example.com", a.NotifyAddress(notify.Email))

	_, err := e.svc.ChangeContactEmail(t.Context(), a.ID, "P.New@Example.com", "")
	require.NoError(t, err)
	got := e.get(t, a.ID)
	assert.Equal(t, "p.new@example.com", got.ContactEmail.Pending)
	assert.Equal(t, "p@example.com", got.NotifyAddress(notify.Email), "notifications go to the old address until confirmed")

	_, err = e.svc.ConfirmContactEmail(t.Context(), a.ID, "000000")
	requireCode(t, err, reason.CodeMismatch)
	assert.Equal(t, "p@example.com", e.get(t, a.ID).NotifyAddress(notify.Email))

	got, err = e.svc.ConfirmContactEmail(t.Context(), a.ID, e.code("p.new@example.com"))
	require.NoError(t, err)
	assert.Equal(t, account.Contact{Address: "p.new@example.com"}, got.ContactEmail)
	assert.Equal(t, "p.new@example.com", got.NotifyAddress(notify.Email))
	assert.Equal(t, 1, e.events.Count(event.ContactChanged))

	_, err = e.svc.ConfirmContactEmail(t.Context(), a.ID, e.code("p.new@example.com"))
	require.ErrorIs(t, err, account.ErrNoPendingContact)
}

func TestContactPhonePendingUntilConfirmed(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	a := e.register(t, account.MethodWeChat, "wx")
	e.setSecurityPhone(t, a.ID, "+8613800000001")
	assert.Equal(t, "+8613800000001", e.get(t, a.ID).NotifyAddress(notify.SMS), "the security phone until a contact phone is confirmed")

	_, err := e.svc.ChangeContactPhone(t.Context(), a.ID, "+86 138-0000-0002", "")
	require.NoError(t, err)
	assert.Equal(t, "+8613800000001", e.get(t, a.ID).NotifyAddress(notify.SMS))
	// A newer request replaces the pending one; the older code is useless.
	oldCode := e.code("+8613800000002")
	_, err = e.svc.ChangeContactPhone(t.Context(), a.ID, "+8613800000003", "")
	require.NoError(t, err)
	_, err = e.svc.ConfirmContactPhone(t.Context(), a.ID, oldCode)
	require.Error(t, err)

	got, err := e.svc.ConfirmContactPhone(t.Context(), a.ID, e.code("+8613800000003"))
	require.NoError(t, err)
	assert.Equal(t, "+8613800000003", got.NotifyAddress(notify.SMS))
	assert.Empty(t, e.holders(t, account.ScopeSecurityPhone, account.KindPhone, "+8613800000003"), "contact phones take no phone quota")
}

func TestContactChangeWhoseCodeCannotBeSentLeavesNothingPending(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	a := e.register(t, account.MethodWeChat, "wx")
	e.outbox.FailWith(fmt.Errorf("smtp down"))
	_, err := e.svc.ChangeContactEmail(t.Context(), a.ID, "q@example.com", "")
	require.ErrorIs(t, err, notify.ErrSendFailed)
	assert.Equal(t, a, e.get(t, a.ID))
}

func TestSixthAccountOnAPhoneRefused(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	const phone = "+8613800138000"
	ids := make([]string, 6)
	for i := range ids {
		ids[i] = e.register(t, account.MethodWeChat, sub("wx", i)).ID
	}
	// Codes go out to all six while the number is still free…
	for _, id := range ids {
		_, err := e.svc.SendSecurityPhoneCode(t.Context(), allow(id, account.OpChangeSecurityPhone), id, phone, "")
		require.NoError(t, err)
	}
	codes := map[string]string{}
	for _, m := range e.outbox.Messages() {
		codes[m.AccountID] = m.Code
	}
	// …but only five bindings go through.
	for i, id := range ids {
		_, err := e.svc.ChangeSecurityPhone(t.Context(), allow(id, account.OpChangeSecurityPhone), id, phone, codes[id])
		if i < 5 {
			require.NoError(t, err)
			continue
		}
		requireCode(t, err, reason.LimitsQuotaExceeded)
		assert.Empty(t, e.get(t, id).SecurityPhone)
	}
	assert.Len(t, e.holders(t, account.ScopeSecurityPhone, account.KindPhone, phone), 5)

	// A 7th account is refused before an SMS is spent.
	sent := len(e.outbox.Messages())
	seventh := e.register(t, account.MethodWeChat, "wx7")
	_, err := e.svc.SendSecurityPhoneCode(t.Context(), allow(seventh.ID, account.OpChangeSecurityPhone), seventh.ID, "+86 138 0013 8000", "")
	requireCode(t, err, reason.LimitsQuotaExceeded)
	assert.Len(t, e.outbox.Messages(), sent)
}

func TestSecurityPhoneChangeReleasesTheOldNumber(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	a := e.register(t, account.MethodWeChat, "wx")
	e.setSecurityPhone(t, a.ID, "+8613800000001")
	got := e.setSecurityPhone(t, a.ID, "+8613800000002")
	assert.Equal(t, "+8613800000002", got.SecurityPhone)
	assert.Empty(t, e.holders(t, account.ScopeSecurityPhone, account.KindPhone, "+8613800000001"))
	assert.Equal(t, 2, e.events.Count(event.SecurityPhoneChanged))
	for _, ev := range e.events.All() {
		assert.NotContains(t, ev.Attrs["identifier"], "13800000002", "events carry masked numbers only")
	}

	_, err := e.svc.SendSecurityPhoneCode(t.Context(), allow(a.ID, account.OpChangeSecurityPhone), a.ID, "+8613800000002", "")
	require.ErrorIs(t, err, account.ErrSameIdentifier)
}

func TestSecurityPhoneNeedsVerificationAndTheCodeSentToIt(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	a := e.register(t, account.MethodWeChat, "wx")
	b := e.register(t, account.MethodWeChat, "wx-b")

	_, err := e.svc.SendSecurityPhoneCode(t.Context(), vocab.Proof{}, a.ID, "+8613800000001", "")
	require.ErrorIs(t, err, account.ErrVerificationRequired)
	assert.Empty(t, e.outbox.Messages(), "no SMS before identity verification")

	_, err = e.svc.SendSecurityPhoneCode(t.Context(), allow(a.ID, account.OpChangeSecurityPhone), a.ID, "+8613800000001", "")
	require.NoError(t, err)
	code := e.code("+8613800000001")
	// The code is bound to the number and to the account.
	_, err = e.svc.ChangeSecurityPhone(t.Context(), allow(a.ID, account.OpChangeSecurityPhone), a.ID, "+8613800000009", code)
	require.Error(t, err)
	_, err = e.svc.ChangeSecurityPhone(t.Context(), allow(b.ID, account.OpChangeSecurityPhone), b.ID, "+8613800000001", code)
	require.Error(t, err)
	_, err = e.svc.ChangeSecurityPhone(t.Context(), vocab.Proof{}, a.ID, "+8613800000001", code)
	require.ErrorIs(t, err, account.ErrVerificationRequired)
	_, err = e.svc.ChangeSecurityPhone(t.Context(), allow(a.ID, account.OpChangeSecurityPhone), a.ID, "+8613800000001", code)
	require.NoError(t, err)
}

func TestSecurityEmailChangeWithTheContactEmailOption(t *testing.T) {
	t.Parallel()
	for _, alsoContact := range []bool{false, true} {
		t.Run(fmt.Sprint("also contact ", alsoContact), func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			a := e.registerEmail(t, "r@example.com", pw1)
			_, err := e.svc.SendSecurityEmailCode(t.Context(), allow(a.ID, account.OpChangeSecurityEmail), a.ID, "r.sec@example.com", "")
			require.NoError(t, err)
			got, err := e.svc.ChangeSecurityEmail(t.Context(), allow(a.ID, account.OpChangeSecurityEmail), a.ID, account.SecurityEmailChange{
				Email: "r.sec@example.com", Code: e.code("r.sec@example.com"), AlsoContactEmail: alsoContact,
			})
			require.NoError(t, err)
			assert.Equal(t, "r.sec@example.com", got.SecurityEmail)
			assert.Equal(t, "r@example.com", got.LoginEmail(), "the login email is separate")
			wantContact := "r@example.com"
			if alsoContact {
				wantContact = "r.sec@example.com"
			}
			assert.Equal(t, wantContact, got.ContactEmail.Address)
			assert.Equal(t, 1, e.events.Count(event.SecurityEmailChanged))
		})
	}
}

func TestLoginEmailChangeWithBothSyncOptions(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ security, contact bool }{{false, false}, {true, false}, {false, true}, {true, true}} {
		t.Run(fmt.Sprintf("security %t contact %t", tc.security, tc.contact), func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			a := e.registerEmail(t, "s@example.com", pw1)
			_, err := e.svc.SendLoginEmailCode(t.Context(), loginEmailProof(e.svc, a.ID), a.ID, "s.new@example.com", "")
			require.NoError(t, err)
			got, err := e.svc.ChangeLoginEmail(t.Context(), allow(a.ID, account.OpChangeLoginEmail), a.ID, account.LoginEmailChange{
				Email: "s.new@example.com", Password: pw2, Confirm: pw2, Code: e.code("s.new@example.com"),
				AlsoSecurityEmail: tc.security, AlsoContactEmail: tc.contact,
			})
			require.NoError(t, err)
			assert.Equal(t, "s.new@example.com", got.LoginEmail())
			ok, _, err := e.hasher.Verify(t.Context(), pw2, got.Password.Hash)
			require.NoError(t, err)
			assert.True(t, ok, "the new password is set")
			assert.Equal(t, tc.security, got.SecurityEmail == "s.new@example.com")
			assert.Equal(t, tc.contact, got.ContactEmail.Address == "s.new@example.com")
			assert.Equal(t, 1, e.events.Count(event.PasswordChanged))

			// The old address may be bound by another account; the
			// registration slot stays with this one.
			assert.Empty(t, e.holders(t, account.ScopeBind, account.KindEmail, "s@example.com"))
			assert.Equal(t, []string{a.ID}, e.holders(t, account.ScopeRegister, account.KindEmail, "s@example.com"))
		})
	}
}

func TestLoginEmailChangeRules(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	a := e.registerEmail(t, "t@example.com", pw1)
	other := e.registerEmail(t, "u@example.com", pw1)
	ch := func(email, pw, code string) error {
		_, err := e.svc.ChangeLoginEmail(t.Context(), allow(a.ID, account.OpChangeLoginEmail), a.ID, account.LoginEmailChange{Email: email, Password: pw, Confirm: pw, Code: code})
		return err
	}
	require.ErrorIs(t, ch("T@example.com", pw2, "123456"), account.ErrSameIdentifier)
	requireCode(t, ch("t2@example.com", "weak", "123456"), reason.PasswordTooShort)
	requireCode(t, ch("t2@example.com", pw2, ""), reason.InputEmpty)

	_, err := e.svc.SendLoginEmailCode(t.Context(), loginEmailProof(e.svc, a.ID), a.ID, "t2@example.com", "")
	require.NoError(t, err)
	requireCode(t, ch("t2@example.com", pw1, e.code("t2@example.com")), reason.PasswordReused)
	_, err = e.svc.SendLoginEmailCode(t.Context(), loginEmailProof(e.svc, a.ID), a.ID, "u@example.com", "")
	require.NoError(t, err)
	requireCode(t, ch("u@example.com", pw2, e.code("u@example.com")), reason.LimitsQuotaExceeded)
	assert.Equal(t, "u@example.com", e.get(t, other.ID).LoginEmail())
	// A refused password left the code usable.
	require.NoError(t, ch("t2@example.com", pw2, e.code("t2@example.com")))

	wx := e.register(t, account.MethodWeChat, "wx")
	_, err = e.svc.ChangeLoginEmail(t.Context(), allow(wx.ID, account.OpChangeLoginEmail), wx.ID, account.LoginEmailChange{Email: "v@example.com", Password: pw2, Confirm: pw2, Code: "123456"})
	require.ErrorIs(t, err, account.ErrMethodNotBound)
}

func TestConcurrentSecurityPhoneBindingsExactlyFiveSucceed(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	const n, phone = 20, "+8613800138000"
	ids := make([]string, n)
	codes := make([]string, n)
	for i := range n {
		ids[i] = e.register(t, account.MethodWeChat, sub("wx", i)).ID
		_, err := e.svc.SendSecurityPhoneCode(t.Context(), allow(ids[i], account.OpChangeSecurityPhone), ids[i], phone, "")
		require.NoError(t, err)
		codes[i] = e.code(phone)
	}
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			_, errs[i] = e.svc.ChangeSecurityPhone(t.Context(), allow(ids[i], account.OpChangeSecurityPhone), ids[i], phone, codes[i])
		})
	}
	wg.Wait()
	ok := 0
	for _, err := range errs {
		if err == nil {
			ok++
			continue
		}
		requireCode(t, err, reason.LimitsQuotaExceeded)
	}
	assert.Equal(t, 5, ok)
	assert.Len(t, e.holders(t, account.ScopeSecurityPhone, account.KindPhone, phone), 5)
}
