package accountsec_test

import (
	"encoding/base32"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/accountsec/accountsec"
	"github.com/accountsec/accountsec/account"
	"github.com/accountsec/accountsec/account/password"
	"github.com/accountsec/accountsec/fakes"
	"github.com/accountsec/accountsec/internal/proof"
	"github.com/accountsec/accountsec/mfa"
	"github.com/accountsec/accountsec/protection"
	"github.com/accountsec/accountsec/store/memstore"
	"github.com/accountsec/accountsec/vocab"
)

// One door: every exported method that performs an operation of the
// sensitive-operation catalog refuses, with *vocab.VerificationRequiredError
// and without changing anything, every proof but a valid one for its
// account and operation, now. The table below maps each operation to every
// method that performs it; TestDoorTableCoversEveryOperationAndProofMethod
// keeps it complete.

const (
	doorEmail      = "alice@example.com"
	doorPassword   = "Str0ng!Pass"
	doorNewPass    = "N3w!Passw0rd"
	doorPhone      = "+8613800138000"
	doorOther      = "bob@example.com"
	doorOtherPhone = "+8613700137000"
	doorIP         = "203.0.113.1"
	doorSerial     = "TK-000123"
)

// doorSeed is the hardware token's seed (the RFC 6238 SHA-1 seed).
var doorSeed = []byte("12345678901234567890")

// door is a world with two accounts: a (email login, a security phone,
// operation protection by SMS, set through the guarded paths) signed in as
// sa, and b signed in as sb.
type door struct {
	*world
	a, b   account.Account
	sa, sb protection.Session
	secret string // the TOTP secret of a's virtual device, once enrolled
	// enrolled is the enrolment a row's call returned, if any.
	enrolled *mfa.Enrolment
}

func newDoor(t *testing.T) *door {
	t.Helper()
	w := &world{t: t, clock: fakes.NewClock(fakes.Epoch), outbox: &fakes.Outbox{}, events: &fakes.Events{}, store: memstore.New(), ctx: t.Context()}
	svc, err := accountsec.New(
		accountsec.Config{
			Secret:  secret,
			Hashing: password.HasherConfig{Params: password.InsecureTestParams()},
			// An enrolment outlives the expired step-up of the session rows.
			MFA: mfa.Policy{EnrolTTL: time.Hour},
		},
		accountsec.Deps{Store: w.store, SMS: w.outbox, Email: w.outbox, Events: w.events.Hook, Now: w.clock.Now},
	)
	require.NoError(t, err)
	w.svc = svc
	d := &door{world: w}
	d.a = w.register(doorEmail, doorPassword)
	w.clock.Advance(time.Minute)
	d.b = w.register(doorOther, doorPassword)
	d.sa = *w.login(doorEmail, doorPassword).Session
	d.sb = *w.login(doorOther, doorPassword).Session

	d.setPhone(d.sa, doorPhone)
	d.setPhone(d.sb, doorOtherPhone)                 // so that b can verify for every purpose
	d.proof(d.sa, vocab.OpChangeOperationProtection) // a step-up for ChangeSettings
	sms := protection.SMS
	_, err = svc.Protection.ChangeSettings(w.ctx, d.sa, protection.SettingsChange{OperationProtection: &sms})
	require.NoError(t, err)
	return d
}

// setPhone gives s's account a security phone.
func (d *door) setPhone(s protection.Session, phone string) {
	d.t.Helper()
	p := d.proof(s, vocab.OpChangeSecurityPhone)
	_, err := d.svc.Accounts.SendSecurityPhoneCode(d.ctx, p, s.AccountID, phone, doorIP)
	require.NoError(d.t, err)
	_, err = d.svc.Accounts.ChangeSecurityPhone(d.ctx, p, s.AccountID, phone, d.outbox.LastCode(phone))
	require.NoError(d.t, err)
}

// proof returns Authorize's proof of op for session s, passing identity
// verification first when Authorize asks for it.
func (d *door) proof(s protection.Session, op string) vocab.Proof {
	d.t.Helper()
	p, err := d.svc.Protection.Authorize(d.ctx, s, op)
	var vr *vocab.VerificationRequiredError
	if errors.As(err, &vr) {
		d.answer(s, vr)
		p, err = d.svc.Protection.Authorize(d.ctx, s, op)
	}
	require.NoError(d.t, err)
	require.True(d.t, p.Valid(s.AccountID, op, d.clock.Now()))
	return p
}

// mint returns a proof of op for s's account as the library mints it for
// its internal steps: only for the operation no host can ask Authorize for
// (the login's hash upgrade), and for the refused cases.
func (d *door) mint(s protection.Session, op string) vocab.Proof {
	return proof.Mint(s.AccountID, s.Binding(), op, d.clock.Now().Add(protection.ProofTTL))
}

// stepUp passes identity verification in session s, which then holds a
// step-up grant.
func (d *door) stepUp(s protection.Session) {
	d.t.Helper()
	_, err := d.svc.Protection.Authorize(d.ctx, s, vocab.OpSignOutAll)
	var vr *vocab.VerificationRequiredError
	require.ErrorAs(d.t, err, &vr)
	d.answer(s, vr)
}

// answer passes the verification vr asks for by its first method, with the
// code from the outbox or the authenticator.
func (d *door) answer(s protection.Session, vr *vocab.VerificationRequiredError) {
	d.t.Helper()
	require.NotEmpty(d.t, vr.Methods)
	d.clock.Advance(time.Minute) // one code per minute per destination
	ch, err := d.svc.Protection.StartVerification(d.ctx, protection.StartRequest{
		AccountID: s.AccountID, Binding: s.Binding(), Purpose: vr.Purpose, Method: vr.Methods[0], ClientIP: doorIP,
	})
	require.NoError(d.t, err)
	var code string
	if ch.Method == protection.MFA {
		code = d.code()
	} else {
		msgs := d.outbox.Messages()
		require.NotEmpty(d.t, msgs)
		code = msgs[len(msgs)-1].Code
	}
	_, err = d.svc.Protection.AnswerVerification(d.ctx, protection.AnswerRequest{
		AccountID: s.AccountID, Binding: s.Binding(), Purpose: vr.Purpose, Challenge: ch.ID, Answer: code,
	})
	require.NoError(d.t, err)
}

// code is a fresh code of a's virtual device.
func (d *door) code() string {
	d.t.Helper()
	require.NotEmpty(d.t, d.secret, "no device enrolled")
	return d.totp(d.secret)
}

// tokenCode is a fresh code shown by the hardware token.
func (d *door) tokenCode() string {
	return d.totp(base32.StdEncoding.EncodeToString(doorSeed))
}

// enrol starts binding a virtual device for a.
func (d *door) enrol() *mfa.Enrolment {
	d.t.Helper()
	enr, err := d.svc.MFA.Enrol(d.ctx, d.proof(d.sa, vocab.OpBindMFA), d.a.ID, "alice")
	require.NoError(d.t, err)
	d.secret = strings.ReplaceAll(enr.Key(), " ", "")
	return enr
}

// bindDevice binds a virtual device to a (its settings stay as they are).
func (d *door) bindDevice() {
	d.t.Helper()
	enr := d.enrol()
	_, err := d.svc.MFA.Confirm(d.ctx, d.proof(d.sa, vocab.OpBindMFA), d.a.ID, enr.DeviceID, d.code(), mfa.Usage{Login: true})
	require.NoError(d.t, err)
}

// bindQQ gives a a second login method.
func (d *door) bindQQ() {
	d.t.Helper()
	_, err := d.svc.Accounts.BindLoginMethod(d.ctx, d.proof(d.sa, vocab.OpBindLoginMethod), d.a.ID, account.Binding{Method: account.MethodQQ, Identifier: "QQ-alice"})
	require.NoError(d.t, err)
}

// dropEmail leaves a without an email login method (QQ instead).
func (d *door) dropEmail() {
	d.t.Helper()
	d.bindQQ()
	_, err := d.svc.Accounts.UnbindLoginMethod(d.ctx, d.proof(d.sa, vocab.OpUnbindLoginMethod), d.a.ID, account.MethodEmail)
	require.NoError(d.t, err)
}

// sendLoginEmailCode sends the code of the login email to address and
// returns it.
func (d *door) sendLoginEmailCode(op, address string) string {
	d.t.Helper()
	_, err := d.svc.Accounts.SendLoginEmailCode(d.ctx, d.proof(d.sa, op), d.a.ID, address, doorIP)
	require.NoError(d.t, err)
	return d.outbox.LastCode(address)
}

// doorState is everything a guarded method could change, as the library's
// reads show it: both accounts' records, a's MFA device and backup codes,
// both accounts' sessions and the outbox. Enrolled is the pending
// enrolment the Enrol rows made, which no read shows.
type doorState struct {
	Accounts    [2]string
	Device      string
	BackupLeft  string
	Sessions    [2]string
	OutboxCount int
	Enrolled    string
}

func (d *door) state() doorState {
	d.t.Helper()
	show := func(v any, rest ...any) string { return fmt.Sprintf("%+v %v", v, rest) }
	var st doorState
	for i, id := range []string{d.a.ID, d.b.ID} {
		st.Accounts[i] = show(d.svc.Accounts.Account(d.ctx, id))
		st.Sessions[i] = show(d.svc.Protection.Sessions(d.ctx, id))
	}
	dev, found, err := d.svc.MFA.Device(d.ctx, d.a.ID)
	st.Device = show(dev, found, err)
	st.BackupLeft = show(d.svc.MFA.BackupCodesLeft(d.ctx, d.a.ID))
	st.OutboxCount = len(d.outbox.Messages())
	if d.enrolled != nil {
		st.Enrolled = d.enrolled.DeviceID
	}
	return st
}

// refused asserts that err is the refusal of a change that lacks the proof
// of op.
func (d *door) refused(err error, op, what string) {
	d.t.Helper()
	var vr *vocab.VerificationRequiredError
	require.Truef(d.t, errors.As(err, &vr), "%s: want *vocab.VerificationRequiredError, got %v", what, err)
	assert.Equal(d.t, op, vr.Purpose, what)
}

// doorRow is one method performing one operation. Proof rows call a method
// that takes the proof; session rows call one that asks Authorize itself.
type doorRow struct {
	op      string
	method  string // as reflection names it: "account.Service.Delete"
	variant string // what distinguishes rows of one method and operation
	// prepare sets up what the call needs and returns the call, which must
	// succeed given a valid proof.
	prepare func(d *door) func(p vocab.Proof) error
	// session is prepare for session rows.
	session func(d *door) func(s protection.Session) error
	// minted: the proof is minted inside the library (by the login), never
	// by Authorize.
	minted bool
	// readOnly: success changes nothing (Authorize for a host operation).
	readOnly bool
	// after, when set, checks the change further once the call succeeded.
	after func(d *door)
}

func (r doorRow) name() string {
	n := r.method + "/" + r.op
	if r.variant != "" {
		n += "/" + r.variant
	}
	return n
}

// settingChange is one security setting, changed to a value other than a
// default, through account.Service.UpdateSecurity and through
// protection.Manager.ChangeSettings.
type settingChange struct {
	setting    string
	account    account.SecurityChange
	protection protection.SettingsChange
}

func settingChanges() []settingChange {
	sms, none, yes := vocab.VerifySMS, vocab.VerifyNone, true
	day, halfHour := 24*time.Hour, 30*time.Minute
	return []settingChange{
		{vocab.SettingLoginProtection, account.SecurityChange{LoginProtection: &sms}, protection.SettingsChange{LoginProtection: &sms}},
		{vocab.SettingTrustDevices, account.SecurityChange{TrustDevices: &yes}, protection.SettingsChange{TrustDevices: &yes}},
		// Operation protection is SMS in the door: turn it off.
		{vocab.SettingOperationProtection, account.SecurityChange{OperationProtection: &none}, protection.SettingsChange{OperationProtection: &none}},
		{vocab.SettingRemoteLoginProtection, account.SecurityChange{RemoteLoginProtection: &yes}, protection.SettingsChange{RemoteLoginProtection: &yes}},
		{vocab.SettingRemoteLoginMethod, account.SecurityChange{RemoteLoginMethod: &sms}, protection.SettingsChange{RemoteLoginMethod: &sms}},
		{vocab.SettingMFABindingMethod, account.SecurityChange{MFABindingMethod: &sms}, protection.SettingsChange{MFABindingMethod: &sms}},
		{vocab.SettingSessionMaxLifetime, account.SecurityChange{SessionMaxLifetime: &day}, protection.SettingsChange{SessionMaxLifetime: &day}},
		{vocab.SettingSessionIdleTimeout, account.SecurityChange{SessionIdleTimeout: &halfHour}, protection.SettingsChange{SessionIdleTimeout: &halfHour}},
	}
}

func errOf[T any](_ T, err error) error { return err }

// doorRows maps every operation of the catalog to every exported method
// that performs it. Each call has valid arguments but for the proof.
func doorRows() []doorRow {
	const newPhone, secEmail, newEmail = "+8613900139000", "alice.security@example.com", "alice.new@example.com"
	change := account.PasswordChange{Old: doorPassword, New: doorNewPass, Confirm: doorNewPass}
	rows := []doorRow{
		// account.Service
		{op: vocab.OpChangeSecurityPhone, method: "account.Service.SendSecurityPhoneCode",
			prepare: func(d *door) func(vocab.Proof) error {
				return func(p vocab.Proof) error {
					return errOf(d.svc.Accounts.SendSecurityPhoneCode(d.ctx, p, d.a.ID, newPhone, doorIP))
				}
			}},
		{op: vocab.OpChangeSecurityPhone, method: "account.Service.ChangeSecurityPhone",
			prepare: func(d *door) func(vocab.Proof) error {
				_, err := d.svc.Accounts.SendSecurityPhoneCode(d.ctx, d.proof(d.sa, vocab.OpChangeSecurityPhone), d.a.ID, newPhone, doorIP)
				require.NoError(d.t, err)
				code := d.outbox.LastCode(newPhone)
				return func(p vocab.Proof) error {
					return errOf(d.svc.Accounts.ChangeSecurityPhone(d.ctx, p, d.a.ID, newPhone, code))
				}
			}},
		{op: vocab.OpChangeSecurityEmail, method: "account.Service.SendSecurityEmailCode",
			prepare: func(d *door) func(vocab.Proof) error {
				return func(p vocab.Proof) error {
					return errOf(d.svc.Accounts.SendSecurityEmailCode(d.ctx, p, d.a.ID, secEmail, doorIP))
				}
			}},
		{op: vocab.OpChangeSecurityEmail, method: "account.Service.ChangeSecurityEmail",
			prepare: func(d *door) func(vocab.Proof) error {
				_, err := d.svc.Accounts.SendSecurityEmailCode(d.ctx, d.proof(d.sa, vocab.OpChangeSecurityEmail), d.a.ID, secEmail, doorIP)
				require.NoError(d.t, err)
				c := account.SecurityEmailChange{Email: secEmail, Code: d.outbox.LastCode(secEmail)}
				return func(p vocab.Proof) error { return errOf(d.svc.Accounts.ChangeSecurityEmail(d.ctx, p, d.a.ID, c)) }
			}},
		{op: vocab.OpChangeSecurityEmail, method: "account.Service.ConfirmContactEmailAlsoSecurity",
			prepare: func(d *door) func(vocab.Proof) error {
				_, err := d.svc.Accounts.ChangeContactEmail(d.ctx, d.a.ID, secEmail, doorIP)
				require.NoError(d.t, err)
				code := d.outbox.LastCode(secEmail)
				return func(p vocab.Proof) error {
					return errOf(d.svc.Accounts.ConfirmContactEmailAlsoSecurity(d.ctx, p, d.a.ID, code))
				}
			}},
		{op: vocab.OpChangeLoginEmail, method: "account.Service.SendLoginEmailCode", variant: "change",
			prepare: func(d *door) func(vocab.Proof) error {
				return func(p vocab.Proof) error {
					return errOf(d.svc.Accounts.SendLoginEmailCode(d.ctx, p, d.a.ID, newEmail, doorIP))
				}
			}},
		{op: vocab.OpBindLoginMethod, method: "account.Service.SendLoginEmailCode", variant: "first email",
			prepare: func(d *door) func(vocab.Proof) error {
				d.dropEmail()
				return func(p vocab.Proof) error {
					return errOf(d.svc.Accounts.SendLoginEmailCode(d.ctx, p, d.a.ID, newEmail, doorIP))
				}
			}},
		{op: vocab.OpBindLoginMethod, method: "account.Service.BindLoginMethod", variant: "qq",
			prepare: func(d *door) func(vocab.Proof) error {
				b := account.Binding{Method: account.MethodQQ, Identifier: "QQ-alice"}
				return func(p vocab.Proof) error { return errOf(d.svc.Accounts.BindLoginMethod(d.ctx, p, d.a.ID, b)) }
			}},
		{op: vocab.OpBindLoginMethod, method: "account.Service.BindLoginMethod", variant: "email",
			prepare: func(d *door) func(vocab.Proof) error {
				d.dropEmail()
				code := d.sendLoginEmailCode(vocab.OpBindLoginMethod, newEmail)
				b := account.Binding{Method: account.MethodEmail, Identifier: newEmail, Password: doorNewPass, Confirm: doorNewPass, Code: code}
				return func(p vocab.Proof) error { return errOf(d.svc.Accounts.BindLoginMethod(d.ctx, p, d.a.ID, b)) }
			}},
		{op: vocab.OpChangeLoginMethod, method: "account.Service.ChangeLoginMethod", variant: "qq",
			prepare: func(d *door) func(vocab.Proof) error {
				d.bindQQ()
				b := account.Binding{Method: account.MethodQQ, Identifier: "QQ-alice-2"}
				return func(p vocab.Proof) error { return errOf(d.svc.Accounts.ChangeLoginMethod(d.ctx, p, d.a.ID, b)) }
			}},
		{op: vocab.OpChangeLoginEmail, method: "account.Service.ChangeLoginMethod", variant: "email",
			prepare: func(d *door) func(vocab.Proof) error {
				code := d.sendLoginEmailCode(vocab.OpChangeLoginEmail, newEmail)
				b := account.Binding{Method: account.MethodEmail, Identifier: newEmail, Password: doorNewPass, Confirm: doorNewPass, Code: code}
				return func(p vocab.Proof) error { return errOf(d.svc.Accounts.ChangeLoginMethod(d.ctx, p, d.a.ID, b)) }
			}},
		{op: vocab.OpChangeLoginEmail, method: "account.Service.ChangeLoginEmail",
			prepare: func(d *door) func(vocab.Proof) error {
				code := d.sendLoginEmailCode(vocab.OpChangeLoginEmail, newEmail)
				c := account.LoginEmailChange{Email: newEmail, Password: doorNewPass, Confirm: doorNewPass, Code: code, AlsoSecurityEmail: true}
				return func(p vocab.Proof) error { return errOf(d.svc.Accounts.ChangeLoginEmail(d.ctx, p, d.a.ID, c)) }
			}},
		{op: vocab.OpUnbindLoginMethod, method: "account.Service.UnbindLoginMethod",
			prepare: func(d *door) func(vocab.Proof) error {
				d.bindQQ()
				return func(p vocab.Proof) error {
					return errOf(d.svc.Accounts.UnbindLoginMethod(d.ctx, p, d.a.ID, account.MethodQQ))
				}
			}},
		{op: vocab.OpChangePassword, method: "account.Service.ChangePassword",
			prepare: func(d *door) func(vocab.Proof) error {
				return func(p vocab.Proof) error { return errOf(d.svc.Accounts.ChangePassword(d.ctx, p, d.a.ID, change)) }
			}},
		{op: vocab.OpResetPassword, method: "account.Service.ResetPassword",
			prepare: func(d *door) func(vocab.Proof) error {
				r := account.PasswordReset{New: doorNewPass}
				return func(p vocab.Proof) error { return errOf(d.svc.Accounts.ResetPassword(d.ctx, p, d.a.ID, r)) }
			}},
		{op: vocab.OpUnbindMFA, method: "account.Service.DisableMFA",
			prepare: func(d *door) func(vocab.Proof) error {
				// MFA in the settings, through the facade's flow.
				d.proof(d.sa, vocab.OpBindMFA)
				enr, err := d.svc.EnrolMFA(d.ctx, d.sa, "alice")
				require.NoError(d.t, err)
				d.secret = strings.ReplaceAll(enr.Key(), " ", "")
				_, err = d.svc.EnableMFA(d.ctx, d.sa, enr.DeviceID, d.code(), mfa.Usage{Login: true, Operation: true})
				require.NoError(d.t, err)
				return func(p vocab.Proof) error { return errOf(d.svc.Accounts.DisableMFA(d.ctx, p, d.a.ID)) }
			}},
		{op: vocab.OpApplyCancellation, method: "account.Service.Delete",
			prepare: func(d *door) func(vocab.Proof) error {
				return func(p vocab.Proof) error { return d.svc.Accounts.Delete(d.ctx, p, d.a.ID) }
			}},
		{op: account.OpUpgradePasswordHash, method: "account.Service.UpgradePasswordHash", minted: true,
			prepare: func(d *door) func(vocab.Proof) error {
				_, err := d.svc.Protection.Authorize(d.ctx, d.sa, account.OpUpgradePasswordHash)
				require.ErrorIs(d.t, err, protection.ErrOperationUnknown, "no host can ask for this proof")
				cred, found, err := d.svc.Accounts.PasswordCredential(d.ctx, doorEmail)
				require.NoError(d.t, err)
				require.True(d.t, found)
				fresh, err := d.svc.Passwords.Hash(d.ctx, doorPassword)
				require.NoError(d.t, err)
				return func(p vocab.Proof) error {
					replaced, err := d.svc.Accounts.UpgradePasswordHash(d.ctx, p, cred, fresh)
					if err == nil && !replaced {
						return errors.New("hash not replaced")
					}
					return err
				}
			}},
		{op: account.OpSetState, method: "account.Service.SetState", minted: true,
			prepare: func(d *door) func(vocab.Proof) error {
				_, err := d.svc.Protection.Authorize(d.ctx, d.sa, account.OpSetState)
				require.ErrorIs(d.t, err, protection.ErrOperationUnknown, "no host can ask for this proof")
				return func(p vocab.Proof) error {
					return errOf(d.svc.Accounts.SetState(d.ctx, p, d.a.ID, account.StateCancelling))
				}
			}},
		{op: account.OpRecoveryRestore, method: "account.Service.Restore", minted: true,
			prepare: func(d *door) func(vocab.Proof) error {
				_, err := d.svc.Protection.Authorize(d.ctx, d.sa, account.OpRecoveryRestore)
				require.Error(d.t, err, "no host can ask for this proof")
				return func(p vocab.Proof) error {
					return errOf(d.svc.Accounts.Restore(d.ctx, p, d.a.ID, account.Restore{SMSProtection: true}))
				}
			}},

		// mfa.Manager
		{op: vocab.OpBindMFA, method: "mfa.Manager.Enrol",
			prepare: func(d *door) func(vocab.Proof) error {
				return func(p vocab.Proof) error {
					enr, err := d.svc.MFA.Enrol(d.ctx, p, d.a.ID, "alice")
					if err == nil {
						d.enrolled, d.secret = enr, strings.ReplaceAll(enr.Key(), " ", "")
					}
					return err
				}
			},
			after: func(d *door) {
				// The enrolment was stored: its first code confirms it.
				_, err := d.svc.MFA.Confirm(d.ctx, d.proof(d.sa, vocab.OpBindMFA), d.a.ID, d.enrolled.DeviceID, d.code(), mfa.Usage{Login: true})
				require.NoError(d.t, err)
			}},
		{op: vocab.OpBindMFA, method: "mfa.Manager.Confirm",
			prepare: func(d *door) func(vocab.Proof) error {
				enr := d.enrol()
				return func(p vocab.Proof) error {
					return errOf(d.svc.MFA.Confirm(d.ctx, p, d.a.ID, enr.DeviceID, d.code(), mfa.Usage{Login: true}))
				}
			}},
		{op: vocab.OpBindMFA, method: "mfa.Manager.BindHardware",
			prepare: func(d *door) func(vocab.Proof) error {
				require.NoError(d.t, d.svc.MFA.ImportToken(d.ctx, mfa.HardwareToken{Serial: doorSerial, Seed: doorSeed}))
				return func(p vocab.Proof) error {
					return errOf(d.svc.MFA.BindHardware(d.ctx, p, d.a.ID, doorSerial, d.tokenCode(), mfa.Usage{Operation: true}))
				}
			}},
		{op: vocab.OpBindMFA, method: "mfa.Manager.RegenerateBackupCodes",
			prepare: func(d *door) func(vocab.Proof) error {
				d.bindDevice()
				return func(p vocab.Proof) error { return errOf(d.svc.MFA.RegenerateBackupCodes(d.ctx, p, d.a.ID)) }
			}},
		{op: vocab.OpUnbindMFA, method: "mfa.Manager.Unbind",
			prepare: func(d *door) func(vocab.Proof) error {
				d.bindDevice()
				return func(p vocab.Proof) error { return errOf(d.svc.MFA.Unbind(d.ctx, p, d.a.ID, d.code())) }
			}},

		// protection.Manager
		{op: vocab.OpSignOutAll, method: "protection.Manager.SignOutAll",
			session: func(d *door) func(protection.Session) error {
				return func(s protection.Session) error { return d.svc.Protection.SignOutAll(d.ctx, s) }
			}},
		{op: vocab.OpViewAPIKey, method: "protection.Manager.Authorize", readOnly: true,
			session: func(d *door) func(protection.Session) error {
				return func(s protection.Session) error {
					return errOf(d.svc.Protection.Authorize(d.ctx, s, vocab.OpViewAPIKey))
				}
			}},

		// accountsec.Service
		{op: vocab.OpBindMFA, method: "accountsec.Service.EnrolMFA",
			session: func(d *door) func(protection.Session) error {
				return func(s protection.Session) error {
					enr, err := d.svc.EnrolMFA(d.ctx, s, "alice")
					if err == nil {
						d.enrolled, d.secret = enr, strings.ReplaceAll(enr.Key(), " ", "")
					}
					return err
				}
			},
			after: func(d *door) {
				_, err := d.svc.MFA.Confirm(d.ctx, d.proof(d.sa, vocab.OpBindMFA), d.a.ID, d.enrolled.DeviceID, d.code(), mfa.Usage{Login: true})
				require.NoError(d.t, err)
			}},
		{op: vocab.OpBindMFA, method: "accountsec.Service.EnableMFA",
			session: func(d *door) func(protection.Session) error {
				enr := d.enrol()
				return func(s protection.Session) error {
					return errOf(d.svc.EnableMFA(d.ctx, s, enr.DeviceID, d.code(), mfa.Usage{Login: true, Operation: true}))
				}
			}},
		{op: vocab.OpUnbindMFA, method: "accountsec.Service.UnbindMFA",
			session: func(d *door) func(protection.Session) error {
				d.bindDevice()
				return func(s protection.Session) error { return errOf(d.svc.UnbindMFA(d.ctx, s, d.code())) }
			}},
		{op: vocab.OpChangePassword, method: "accountsec.Service.ChangePassword",
			session: func(d *door) func(protection.Session) error {
				return func(s protection.Session) error { return d.svc.ChangePassword(d.ctx, s, change) }
			}},
		{op: vocab.OpApplyCancellation, method: "accountsec.Service.DeleteAccount",
			session: func(d *door) func(protection.Session) error {
				return func(s protection.Session) error { return d.svc.DeleteAccount(d.ctx, s) }
			}},
	}
	for _, sc := range settingChanges() {
		op := vocab.SettingOperation(sc.setting)
		rows = append(rows,
			doorRow{op: op, method: "account.Service.UpdateSecurity", variant: sc.setting,
				prepare: func(d *door) func(vocab.Proof) error {
					return func(p vocab.Proof) error {
						return errOf(d.svc.Accounts.UpdateSecurity(d.ctx, []vocab.Proof{p}, d.a.ID, sc.account))
					}
				}},
			doorRow{op: op, method: "protection.Manager.ChangeSettings", variant: sc.setting,
				session: func(d *door) func(protection.Session) error {
					return func(s protection.Session) error {
						return errOf(d.svc.Protection.ChangeSettings(d.ctx, s, sc.protection))
					}
				}},
		)
	}
	return rows
}

// otherOp is an operation of the catalog other than op.
func otherOp(op string) string {
	ops := vocab.Operations()
	for i, o := range ops {
		if o == op {
			return ops[(i+1)%len(ops)]
		}
	}
	return vocab.OpChangePassword
}

func TestEveryGuardedMethodRefusesAllButItsProof(t *testing.T) {
	t.Parallel()
	for _, r := range doorRows() {
		t.Run(r.name(), func(t *testing.T) {
			t.Parallel()
			d := newDoor(t)
			if r.prepare != nil {
				d.proofRow(r)
			} else {
				d.sessionRow(r)
			}
		})
	}
}

// proofRow calls the row's method with (a) the zero proof, (b) a valid proof
// of another operation, (c) a valid proof for another account and (d) an
// expired proof, each refused without a change, then with a valid proof
// from Authorize, which makes the change.
func (d *door) proofRow(r doorRow) {
	t := d.t
	call := r.prepare(d)
	grant := d.proof
	if r.minted {
		grant = d.mint
	}
	for _, c := range []struct {
		name  string
		proof func() vocab.Proof
	}{
		{"zero proof", func() vocab.Proof { return vocab.Proof{} }},
		{"proof of another operation", func() vocab.Proof { return grant(d.sa, otherOp(r.op)) }},
		{"proof for another account", func() vocab.Proof { return grant(d.sb, r.op) }},
		{"expired proof", func() vocab.Proof {
			p := grant(d.sa, r.op)
			d.clock.Advance(protection.ProofTTL + time.Second)
			require.False(t, p.Valid(d.a.ID, r.op, d.clock.Now()))
			return p
		}},
	} {
		p := c.proof()
		before := d.state()
		d.refused(call(p), r.op, c.name)
		require.Equal(t, before, d.state(), "%s: nothing changes", c.name)
	}
	p := grant(d.sa, r.op)
	before := d.state()
	require.NoError(t, call(p), "the valid proof")
	assert.NotEqual(t, before, d.state(), "the valid proof makes the change")
	if r.after != nil {
		r.after(d)
	}
}

// sessionRow calls the row's method, which asks Authorize itself, from a
// session whose step-up expired and from one that never had one (operation
// protection is on), each refused without a change, then from a session
// that has just passed identity verification, which makes the change.
func (d *door) sessionRow(r doorRow) {
	t := d.t
	call := r.session(d)
	expired := *d.login(doorEmail, doorPassword).Session
	d.stepUp(expired)
	d.clock.Advance(d.svc.Protection.Policy().StepUpTTL + time.Second)
	fresh := *d.login(doorEmail, doorPassword).Session
	for _, c := range []struct {
		name string
		s    protection.Session
	}{{"session whose step-up expired", expired}, {"session without a step-up", fresh}} {
		before := d.state()
		d.refused(call(c.s), r.op, c.name)
		require.Equal(t, before, d.state(), "%s: nothing changes", c.name)
	}
	d.stepUp(fresh)
	before := d.state()
	require.NoError(t, call(fresh), "the verified session")
	if r.readOnly {
		assert.Equal(t, before, d.state())
	} else {
		assert.NotEqual(t, before, d.state(), "the verified session makes the change")
	}
	if r.after != nil {
		r.after(d)
	}
}

// The table covers every operation of the default catalog and of package
// vocab, and every exported method of the library that takes a proof; and
// each of its methods exists.
func TestDoorTableCoversEveryOperationAndProofMethod(t *testing.T) {
	t.Parallel()
	ops, methods := map[string]bool{}, map[string]bool{}
	for _, r := range doorRows() {
		ops[r.op], methods[r.method] = true, true
	}

	cat, err := protection.NewCatalog()
	require.NoError(t, err)
	var names []string
	for _, op := range cat.Operations() {
		names = append(names, op.Name)
		assert.True(t, ops[op.Name], "catalog operation %s has no row", op.Name)
	}
	assert.ElementsMatch(t, vocab.Operations(), names)
	for _, op := range vocab.Operations() {
		assert.True(t, ops[op], "operation %s has no row", op)
	}

	proofType, proofsType := reflect.TypeFor[vocab.Proof](), reflect.TypeFor[[]vocab.Proof]()
	types := map[string]reflect.Type{}
	var guarded []string
	for _, typ := range []reflect.Type{
		reflect.TypeFor[*account.Service](), reflect.TypeFor[*mfa.Manager](),
		reflect.TypeFor[*protection.Manager](), reflect.TypeFor[*accountsec.Service](),
	} {
		types[typ.Elem().String()] = typ
		for i := range typ.NumMethod() {
			m := typ.Method(i)
			for j := range m.Type.NumIn() {
				if in := m.Type.In(j); in == proofType || in == proofsType {
					guarded = append(guarded, typ.Elem().String()+"."+m.Name)
					break
				}
			}
		}
	}
	assert.Contains(t, guarded, "account.Service.UpdateSecurity", "a []vocab.Proof parameter counts")
	assert.Contains(t, guarded, "mfa.Manager.Unbind")
	for _, name := range guarded {
		assert.True(t, methods[name], "%s takes a proof but has no row", name)
	}
	for name := range methods {
		i := strings.LastIndex(name, ".")
		typ, ok := types[name[:i]]
		if assert.True(t, ok, name) {
			_, ok = typ.MethodByName(name[i+1:])
			assert.True(t, ok, "%s is not a method", name)
		}
	}
}
