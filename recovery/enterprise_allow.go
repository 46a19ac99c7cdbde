package recovery

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/accountsec/accountsec/account"
	"github.com/accountsec/accountsec/event"
	"github.com/accountsec/accountsec/internal/codec"
	"github.com/accountsec/accountsec/notify"
	"github.com/accountsec/accountsec/reason"
	"github.com/accountsec/accountsec/state"
)

// The allowances of an approved enterprise recovery: each recovered
// account may, once each, within FlowPolicy.AllowanceTTL of the look-up
// that opened them (docs/RULES.md §8).
const (
	// AllowanceLoginEmail adds a new login email (AddLoginEmail).
	AllowanceLoginEmail = "login_email"
	// AllowanceSMSProtection switches login and operation protection to
	// SMS on a new security phone (SwitchToSMS).
	AllowanceSMSProtection = "sms_protection"
)

// grantV1 is the format of a grant record: the flow's document ID and the
// recovered accounts.
const grantV1 byte = 1

// grantID is the single-use record ID of a grant.
func (e *Enterprise) grantID(grant string) string { return e.f.keys.Key("entg", grant) }

// allowanceID is the single-use record ID of one allowance.
func (e *Enterprise) allowanceID(docID, accountID, kind string) string {
	return e.f.keys.Key("enta", docID, accountID, kind)
}

// openAllowances marks the flow granted (a compare-and-set: of concurrent
// look-ups exactly one opens them) and stores the grant and one allowance
// of each kind for each recovered account.
func (e *Enterprise) openAllowances(ctx context.Context, id string, v int64, d entDoc) (string, time.Time, error) {
	f := e.f
	d.granted = true
	if err := f.putDoc(ctx, id, v+1, d.encode()); err != nil {
		return "", time.Time{}, err
	}
	grant, err := f.newToken()
	if err != nil {
		return "", time.Time{}, err
	}
	now := f.now().Truncate(time.Millisecond)
	until := now.Add(f.policy.AllowanceTTL)
	w := codec.NewWriter(grantV1, 64)
	w.String(id)
	w.Strings(d.matches)
	if _, err := f.store.PutOnce(ctx, state.Once{ID: e.grantID(grant), Data: w.Done(), ExpiresAt: until}, now); err != nil {
		return "", time.Time{}, reason.Store(err)
	}
	for _, aid := range d.matches {
		for _, kind := range []string{AllowanceLoginEmail, AllowanceSMSProtection} {
			if _, err := f.store.PutOnce(ctx, state.Once{ID: e.allowanceID(id, aid, kind), Data: []byte{1}, ExpiresAt: until}, now); err != nil {
				return "", time.Time{}, reason.Store(err)
			}
		}
	}
	return grant, until, nil
}

// allowance checks that grant covers accountID and that its allowance of
// kind is live; it returns the allowance's record ID and expiry.
func (e *Enterprise) allowance(ctx context.Context, grant, accountID, kind string) (string, time.Time, error) {
	f := e.f
	if err := checkRef("grant", grant); err != nil {
		return "", time.Time{}, err
	}
	if accountID == "" {
		return "", time.Time{}, reason.New(reason.InputEmpty).With("field", "account_id")
	}
	if _, err := ValidateAccountID(accountID); err != nil {
		return "", time.Time{}, err
	}
	now := f.now()
	g, found, err := f.store.GetOnce(ctx, e.grantID(grant), now)
	if err != nil {
		return "", time.Time{}, reason.Store(err)
	}
	refuse := func(code reason.Code) error {
		f.emit(ctx, event.RecoveryAllowanceRefused, entScope, accountID, "", map[string]string{"allowance": kind, "reason": string(code)})
		return reason.New(code)
	}
	if !found {
		return "", time.Time{}, refuse(reason.RecoveryGrantInvalid)
	}
	rd, _ := codec.Read(g.Data)
	docID, accounts := strings.Clone(rd.String()), rd.Strings()
	if rd.Err() != nil {
		return "", time.Time{}, reason.Store(codec.ErrCorrupt)
	}
	if !slices.Contains(accounts, accountID) {
		return "", time.Time{}, refuse(reason.RecoveryGrantInvalid)
	}
	aid := e.allowanceID(docID, accountID, kind)
	a, found, err := f.store.GetOnce(ctx, aid, now)
	if err != nil {
		return "", time.Time{}, reason.Store(err)
	}
	if !found {
		return "", time.Time{}, refuse(reason.RecoveryAllowanceUsed)
	}
	return aid, a.ExpiresAt, nil
}

// take spends the allowance aid: of concurrent calls exactly one gets it.
func (e *Enterprise) take(ctx context.Context, aid, accountID, kind string) error {
	_, found, err := e.f.store.TakeOnce(ctx, aid, e.f.now())
	switch {
	case err != nil:
		return reason.Store(err)
	case !found:
		e.f.emit(ctx, event.RecoveryAllowanceRefused, entScope, accountID, "", map[string]string{"allowance": kind, "reason": string(reason.RecoveryAllowanceUsed)})
		return reason.New(reason.RecoveryAllowanceUsed)
	}
	return nil
}

// giveBack restores an allowance whose change failed after it was taken,
// unless it has expired meanwhile.
func (e *Enterprise) giveBack(ctx context.Context, aid string, until time.Time) {
	now := e.f.now()
	if state.Live(until, now) {
		_, _ = e.f.store.PutOnce(ctx, state.Once{ID: aid, Data: []byte{1}, ExpiresAt: until}, now)
	}
}

// SendLoginEmailCode sends the code that AddLoginEmail needs to email
// (purpose notify.PurposeRecoverAccount), after checking the grant, the
// allowance and that the address is not registered or bound anywhere.
func (e *Enterprise) SendLoginEmailCode(ctx context.Context, grant, accountID, email, clientIP string) (notify.Sent, error) {
	addr, err := account.Normalize(account.KindEmail, email)
	if err != nil {
		return notify.Sent{}, err
	}
	if _, _, err := e.allowance(ctx, grant, accountID, AllowanceLoginEmail); err != nil {
		return notify.Sent{}, err
	}
	if err := e.f.emailFree(ctx, addr); err != nil {
		return notify.Sent{}, err
	}
	return e.f.codes.Send(ctx, codeTarget(notify.PurposeRecoverAccount, notify.Email, addr, accountID), clientIP)
}

// LoginEmailAllowance is the use of the login email allowance.
type LoginEmailAllowance struct {
	// Grant is EnterpriseResult.Grant.
	Grant string
	// AccountID is one of the recovered accounts.
	AccountID string
	// Email is the new login email: never registered nor bound anywhere.
	Email string
	// Password is the new password, under the policy.
	Password string
	// Confirm repeats Password.
	Confirm string
	// Code is the code SendLoginEmailCode sent to Email.
	Code string
}

// AddLoginEmail uses the login email allowance of an account: it binds
// (or re-binds) the email login method to a.Email with the new password,
// then ends every session of the account. Everything is checked first
// (grant, allowance, address free, password policy and confirmation, the
// email code, which counts under ScopeRecoverySMS); then the allowance is
// taken, atomically, so of concurrent uses exactly one changes the account
// and the others get reason.RecoveryAllowanceUsed. A write that fails
// after the take gives the allowance back.
func (e *Enterprise) AddLoginEmail(ctx context.Context, a LoginEmailAllowance) (account.Account, error) {
	f := e.f
	addr, err := account.Normalize(account.KindEmail, a.Email)
	if err != nil {
		return account.Account{}, err
	}
	if a.Password == "" {
		return account.Account{}, reason.New(reason.InputEmpty).With("field", "password")
	}
	if err := f.accounts.PasswordPolicy().Check(a.Password); err != nil {
		return account.Account{}, err
	}
	if a.Confirm != a.Password {
		return account.Account{}, account.ErrConfirmMismatch
	}
	if err := checkCodeForm(a.Code); err != nil {
		return account.Account{}, err
	}
	aid, until, err := e.allowance(ctx, a.Grant, a.AccountID, AllowanceLoginEmail)
	if err != nil {
		return account.Account{}, err
	}
	if err := f.emailFree(ctx, addr); err != nil {
		return account.Account{}, err
	}
	hash, err := f.accounts.PreparePassword(ctx, a.AccountID, a.Password)
	if err != nil {
		return account.Account{}, err
	}
	if err := f.verifyCode(ctx, ScopeRecoverySMS, a.AccountID, codeTarget(notify.PurposeRecoverAccount, notify.Email, addr, a.AccountID), a.Code); err != nil {
		return account.Account{}, f.refused(ctx, entScope, a.AccountID, "", AllowanceLoginEmail, err)
	}
	return e.use(ctx, aid, until, a.AccountID, AllowanceLoginEmail, account.Restore{LoginEmail: addr, PasswordHash: hash})
}

// use takes the allowance, applies r and ends the account's sessions.
func (e *Enterprise) use(ctx context.Context, aid string, until time.Time, accountID, kind string, r account.Restore) (account.Account, error) {
	f := e.f
	if err := e.take(ctx, aid, accountID, kind); err != nil {
		return account.Account{}, err
	}
	acc, err := f.restore(ctx, accountID, "enterprise:"+aid, r)
	if err != nil {
		e.giveBack(ctx, aid, until)
		return account.Account{}, err
	}
	f.emit(ctx, event.RecoveryAllowanceUsed, entScope, accountID, "", map[string]string{"allowance": kind})
	if err := f.sessions.EndOtherSessions(ctx, accountID, "", CauseRecovery); err != nil {
		return acc, ErrSessionsNotEnded.Wrap(err)
	}
	return acc, nil
}

// SendSecurityPhoneCode sends the SMS code that SwitchToSMS needs to the
// new security phone, after checking the grant and the allowance.
func (e *Enterprise) SendSecurityPhoneCode(ctx context.Context, grant, accountID, phone, clientIP string) (notify.Sent, error) {
	p, err := checkPhone("security_phone", phone)
	if err != nil {
		return notify.Sent{}, err
	}
	if _, _, err := e.allowance(ctx, grant, accountID, AllowanceSMSProtection); err != nil {
		return notify.Sent{}, err
	}
	return e.f.codes.Send(ctx, codeTarget(notify.PurposeRecoverAccount, notify.SMS, p, accountID), clientIP)
}

// SMSAllowance is the use of the SMS protection allowance.
type SMSAllowance struct {
	// Grant is EnterpriseResult.Grant.
	Grant string
	// AccountID is one of the recovered accounts.
	AccountID string
	// Phone is the new security phone.
	Phone string
	// Code is the code SendSecurityPhoneCode sent to Phone.
	Code string
}

// SwitchToSMS uses the SMS protection allowance of an account: the new
// security phone replaces the old one and login protection and operation
// protection become SMS (which turns an MFA login off), then every session
// of the account ends. It checks and spends like AddLoginEmail.
func (e *Enterprise) SwitchToSMS(ctx context.Context, a SMSAllowance) (account.Account, error) {
	f := e.f
	p, err := checkPhone("security_phone", a.Phone)
	if err != nil {
		return account.Account{}, err
	}
	if err := checkCodeForm(a.Code); err != nil {
		return account.Account{}, err
	}
	aid, until, err := e.allowance(ctx, a.Grant, a.AccountID, AllowanceSMSProtection)
	if err != nil {
		return account.Account{}, err
	}
	if err := f.verifyCode(ctx, ScopeRecoverySMS, a.AccountID, codeTarget(notify.PurposeRecoverAccount, notify.SMS, p, a.AccountID), a.Code); err != nil {
		return account.Account{}, f.refused(ctx, entScope, a.AccountID, "", AllowanceSMSProtection, err)
	}
	return e.use(ctx, aid, until, a.AccountID, AllowanceSMSProtection, account.Restore{SecurityPhone: p, SMSProtection: true})
}
