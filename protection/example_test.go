package protection_test

import (
	"context"
	"errors"
	"fmt"
	"github.com/accountsec/accountsec/account"
	"github.com/accountsec/accountsec/internal/proof"
	"time"

	"github.com/accountsec/accountsec/account/password"
	"github.com/accountsec/accountsec/fakes"
	"github.com/accountsec/accountsec/limits"
	"github.com/accountsec/accountsec/notify"
	"github.com/accountsec/accountsec/protection"
	"github.com/accountsec/accountsec/store/memstore"
	"github.com/accountsec/accountsec/vocab"
)

// oneAccount is the host's account store in the examples: one account,
// whose login is alice@example.com.
type oneAccount struct {
	profile protection.Profile
	hash    string
}

func (a *oneAccount) Profile(_ context.Context, id string) (protection.Profile, bool, error) {
	return a.profile, id == a.profile.AccountID, nil
}

func (a *oneAccount) UpdateSettings(_ context.Context, _ []vocab.Proof, id string, c protection.SettingsChange) (bool, error) {
	a.profile.Settings = c.Apply(a.profile.Settings)
	return id == a.profile.AccountID, nil
}

func (a *oneAccount) PasswordCredential(_ context.Context, login string) (account.Credential, bool, error) {
	return account.Credential{AccountID: a.profile.AccountID, Hash: a.hash}, login == "alice@example.com", nil
}

func (a *oneAccount) UpgradePasswordHash(context.Context, proof.Proof, account.Credential, string) (bool, error) {
	return false, nil
}

// exampleManager wires a Manager on in-memory stores, a fake clock and an
// outbox that records the SMS codes.
func exampleManager(settings protection.Settings) (*protection.Manager, *fakes.Outbox) {
	ctx := context.Background()
	key := []byte("an example secret of 32 bytes!!!")
	clock := fakes.NewClock(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC))
	st := memstore.New()
	outbox := &fakes.Outbox{}
	lim, _ := limits.NewLimiter(limits.Config{Store: st, Secret: key, Now: clock.Now}, limits.Lockout{})
	codes, _ := notify.NewCodes(notify.CodesConfig{Store: st, SMS: outbox, Secret: key, Now: clock.Now})
	hasher, _ := password.NewHasher(password.HasherConfig{Params: password.InsecureTestParams()})
	hash, _ := hasher.Hash(ctx, "Correct-horse1!")
	acct := &oneAccount{hash: hash, profile: protection.Profile{
		AccountID: "100012345678", SecurityPhone: "+8613800138000", Settings: settings,
	}}
	m, err := protection.New(protection.Config{
		Store: st, Accounts: acct, Limiter: lim,
		Credentials: acct, Passwords: hasher, Codes: codes,
		Secret: key, Now: clock.Now,
	})
	if err != nil {
		panic(err)
	}
	return m, outbox
}

// A password login with SMS login protection: the password step returns a
// pending login, the second step sends a code to the security phone, and
// the right code finishes the login with a session (and, when asked, a
// trusted device for the next 7 days).
func Example_loginWithSecondFactor() {
	ctx := context.Background()
	m, outbox := exampleManager(protection.Settings{LoginProtection: protection.SMS, TrustDevices: true})

	res, err := m.Login(ctx, protection.LoginRequest{
		Login: "alice@example.com", Password: "Correct-horse1!", ClientIP: "203.0.113.1", DeviceName: "Firefox",
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("session:", res.Session != nil, "| second step by:", res.Pending.Options.Preferred)

	c, err := m.StartLoginChallenge(ctx, res.Pending.Token, "", "203.0.113.1")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("code sent to:", c.SentTo)

	fin, err := m.CompleteLogin(ctx, protection.CompleteRequest{
		PendingToken: res.Pending.Token, Challenge: c.ID,
		Answer: outbox.LastCode("+8613800138000"), TrustDevice: true,
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("session until:", fin.Session.ExpiresAt.Format(time.DateTime), "| device trusted:", fin.DeviceToken != "")

	s, err := m.ValidateSession(ctx, fin.Token)
	fmt.Println("valid:", err == nil, s.AccountID)

	// The trusted device skips the second step next time.
	again, _ := m.Login(ctx, protection.LoginRequest{
		Login: "alice@example.com", Password: "Correct-horse1!", DeviceToken: fin.DeviceToken,
	})
	fmt.Println("next login needs a second step:", again.Pending != nil)
	// Output:
	// session: false | second step by: sms
	// code sent to: **********8000
	// session until: 2026-03-04 09:00:00 | device trusted: true
	// valid: true 100012345678
	// next login needs a second step: false
}

// Operation protection: a sensitive operation is refused with the methods
// to verify by; a verification in the session grants a 30-minute step-up to
// that session only.
func ExampleManager_Authorize() {
	ctx := context.Background()
	m, outbox := exampleManager(protection.Settings{OperationProtection: protection.SMS})
	res, _ := m.Login(ctx, protection.LoginRequest{Login: "alice@example.com", Password: "Correct-horse1!"})
	s := *res.Session

	err := errOf(m.Authorize(ctx, s, protection.OpViewAPIKey))
	var vr *protection.VerificationRequiredError
	if errors.As(err, &vr) {
		fmt.Println("verify by:", vr.Methods, "first")
	}

	c, _ := m.StartVerification(ctx, protection.StartRequest{
		AccountID: s.AccountID, Binding: s.Binding(), Purpose: protection.OpViewAPIKey, Method: vr.Methods[0],
	})
	v, err := m.AnswerVerification(ctx, protection.AnswerRequest{
		AccountID: s.AccountID, Binding: s.Binding(), Purpose: protection.OpViewAPIKey,
		Challenge: c.ID, Answer: outbox.LastCode("+8613800138000"),
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("step-up until:", v.ExpiresAt.Format(time.TimeOnly))
	fmt.Println("view API key:", errOf(m.Authorize(ctx, s, protection.OpViewAPIKey)))
	fmt.Println("sign out all:", m.SignOutAll(ctx, s))
	_, err = m.ValidateSession(ctx, res.Token)
	fmt.Println("session after sign-out-all:", err)
	// Output:
	// verify by: [sms] first
	// step-up until: 09:30:00
	// view API key: <nil>
	// sign out all: <nil>
	// session after sign-out-all: your session has ended; sign in again [protection.session_invalid]
}
