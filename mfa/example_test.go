package mfa_test

import (
	"context"
	"encoding/base32"
	"errors"
	"fmt"
	"log"
	"strings"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"

	"github.com/accountsec/accountsec/fakes"
	"github.com/accountsec/accountsec/limits"
	"github.com/accountsec/accountsec/mfa"
	"github.com/accountsec/accountsec/store/memstore"
	"github.com/accountsec/accountsec/vocab"
)

// settings stands for the account package's security settings.
type settings struct{}

func (settings) DisableMFA(context.Context, vocab.Proof, string) (mfa.Fallback, error) {
	return mfa.Fallback{Login: "none", Operation: "sms"}, nil
}

// authenticator stands for the user's phone: it scans the enrolment and
// shows codes.
func authenticator(e *mfa.Enrolment) func(time.Time) string {
	key, err := otp.NewKeyFromURL(e.URI())
	if err != nil {
		log.Fatal(err)
	}
	return func(at time.Time) string {
		code, err := totp.GenerateCode(key.Secret(), at)
		if err != nil {
			log.Fatal(err)
		}
		return code
	}
}

// newManager wires a Manager on the memory stores with a fake clock.
func newManager() (*mfa.Manager, *fakes.Clock) {
	clock := fakes.NewClock(fakes.Epoch)
	secret := []byte("host secret of at least 16 bytes")
	lim, err := limits.NewLimiter(limits.Config{Store: memstore.New(), Secret: secret, Now: clock.Now}, limits.Lockout{})
	if err != nil {
		log.Fatal(err)
	}
	ring, err := mfa.NewStaticKeyring("2026-01", map[string][]byte{"2026-01": []byte("32-byte key from the host's KMS!")})
	if err != nil {
		log.Fatal(err)
	}
	m, err := mfa.New(mfa.Config{
		Store:      memstore.NewMFAStore(),
		Keyring:    ring,
		Limiter:    lim,
		Secret:     secret,
		Protection: settings{},
		Issuer:     "Example Cloud",
		Now:        clock.Now,
	})
	if err != nil {
		log.Fatal(err)
	}
	return m, clock
}

// Enrol a virtual device, confirm it, verify a code, and unbind it.
func Example() {
	ctx := context.Background()
	m, clock := newManager()
	const accountID = "100012345678"

	// The user has passed identity verification and asks to bind an app.
	e, err := m.Enrol(ctx, allow(accountID, vocab.OpBindMFA), accountID, "alice@example.com")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(strings.Split(e.URI(), "?")[0])
	fmt.Println(len(strings.Split(e.Key(), " ")), "groups of four characters to type by hand")
	phone := authenticator(e) // the user scans e.QRCode()

	// The user types the first code and chooses where MFA applies.
	dev, err := m.Confirm(ctx, allow(accountID, vocab.OpBindMFA), accountID, e.DeviceID, phone(clock.Now()), mfa.Usage{Login: true, Operation: true})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("bound:", dev.Kind, "login:", dev.Usage.Login, "operation:", dev.Usage.Operation)

	// Next login: the second step.
	clock.Advance(30 * time.Second)
	code := phone(clock.Now())
	v, err := m.Verify(ctx, accountID, code)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("verified at step", v.Step)
	_, err = m.Verify(ctx, accountID, code)
	fmt.Println("same code again refused:", errors.Is(err, mfa.ErrReplayed))

	// Unbind with a current code.
	clock.Advance(30 * time.Second)
	report, err := m.Unbind(ctx, allow(accountID, vocab.OpUnbindMFA), accountID, phone(clock.Now()))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("unbound; login protection falls back to", report.Fallback.Login+", operation protection to", report.Fallback.Operation)

	// Output:
	// otpauth://totp/Example%20Cloud:alice%40example.com
	// 8 groups of four characters to type by hand
	// bound: virtual login: true operation: true
	// verified at step 58907521
	// same code again refused: true
	// unbound; login protection falls back to none, operation protection to sms
}

// The host imports a token from its vendor's seed file; a user binds it by
// serial number and the code it shows.
func ExampleManager_BindHardware() {
	ctx := context.Background()
	m, clock := newManager()
	seed := []byte("seed from the vendor's file")
	if err := m.ImportToken(ctx, mfa.HardwareToken{Serial: "TK-000123", Seed: seed}); err != nil {
		log.Fatal(err)
	}

	token := func(at time.Time) string { // what the token's screen shows
		code, _ := totp.GenerateCode(base32.StdEncoding.EncodeToString(seed), at)
		return code
	}
	dev, err := m.BindHardware(ctx, allow("100012345678", vocab.OpBindMFA), "100012345678", "tk-000123", token(clock.Now()), mfa.Usage{Login: true})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(dev.Kind, dev.Serial)

	_, err = m.BindHardware(ctx, allow("100099999999", vocab.OpBindMFA), "100099999999", "TK-000123", token(clock.Now()), mfa.Usage{Login: true})
	fmt.Println(errors.Is(err, mfa.ErrTokenTaken))
	// Output:
	// hardware TK-000123
	// true
}

// Backup codes are shown once and each works once.
func ExampleManager_RegenerateBackupCodes() {
	ctx := context.Background()
	m, clock := newManager()
	e, _ := m.Enrol(ctx, allow("100012345678", vocab.OpBindMFA), "100012345678", "")
	phone := authenticator(e)
	if _, err := m.Confirm(ctx, allow("100012345678", vocab.OpBindMFA), "100012345678", e.DeviceID, phone(clock.Now()), mfa.Usage{Login: true}); err != nil {
		log.Fatal(err)
	}

	set, err := m.RegenerateBackupCodes(ctx, allow("100012345678", vocab.OpBindMFA), "100012345678")
	if err != nil {
		log.Fatal(err)
	}
	codes := set.Codes() // show these to the user once
	fmt.Println(len(codes), "codes like", len(codes[0]), "characters")
	fmt.Println(set) // safe to log: no code in it

	left, err := m.UseBackupCode(ctx, "100012345678", codes[0])
	fmt.Println(left, err)
	_, err = m.UseBackupCode(ctx, "100012345678", codes[0])
	fmt.Println(errors.Is(err, mfa.ErrBackupMismatch))
	// Output:
	// 10 codes like 11 characters
	// mfa.BackupCodes{10 codes, generated 2026-01-01T00:00:00Z}
	// 9 <nil>
	// true
}

func ExampleKeyURI() {
	fmt.Println(mfa.KeyURI("Example Cloud", "alice@example.com", []byte("12345678901234567890"), mfa.SHA1, 6, 30*time.Second))
	fmt.Println(mfa.TextKey([]byte("12345678901234567890")))
	// Output:
	// otpauth://totp/Example%20Cloud:alice%40example.com?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Example%20Cloud&algorithm=SHA1&digits=6&period=30
	// GEZD GNBV GY3T QOJQ GEZD GNBV GY3T QOJQ
}

func ExampleParseCode() {
	for _, s := range []string{"123456", "123 456", "１２３４５６", "12345"} {
		fmt.Printf("%q %v\n", s, mfa.ParseCode(s, 6))
	}
	// Output:
	// "123456" true
	// "123 456" false
	// "１２３４５６" false
	// "12345" false
}
