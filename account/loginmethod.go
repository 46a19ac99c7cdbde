package account

import (
	"context"
	"errors"
	"strings"

	"github.com/accountsec/accountsec/account/password"
	"github.com/accountsec/accountsec/event"
	"github.com/accountsec/accountsec/notify"
	"github.com/accountsec/accountsec/reason"
	"github.com/accountsec/accountsec/vocab"
)

// Binding is a request to bind a login method or to change it (re-bind it
// to another identifier).
type Binding struct {
	// Method is the login method.
	Method Method
	// Identifier is the email address or the provider subject ID the
	// host's OAuth login returned.
	Identifier string
	// Password is the new email login password (MethodEmail only).
	Password string
	// Confirm repeats Password (MethodEmail only).
	Confirm string
	// Code is the code SendLoginEmailCode sent to the address (MethodEmail
	// only).
	Code string
}

// check validates b and returns the normalised identifier.
func (b Binding) check(s *Service) (string, error) {
	if !b.Method.Valid() {
		return "", ErrUnknownMethod.With("allowed", allowedMethods)
	}
	ident, err := s.normalize(KindOf(b.Method), b.Identifier)
	if err != nil {
		return "", err
	}
	if b.Method != MethodEmail && (b.Password != "" || b.Confirm != "" || b.Code != "") {
		return "", malformed("password")
	}
	return ident, nil
}

// SendLoginEmailCode sends the 6-digit code that binding an email login
// method (BindLoginMethod, purpose notify.PurposeBindEmail) or changing it
// (ChangeLoginEmail, purpose notify.PurposeChangeLoginEmail) needs, to the
// new address. It needs the proof of
// the operation itself: OpBindLoginMethod for a first email, otherwise
// OpChangeLoginEmail.
func (s *Service) SendLoginEmailCode(ctx context.Context, proof vocab.Proof, id, email, clientIP string) (notify.Sent, error) {
	if err := checkID("account_id", id); err != nil {
		return notify.Sent{}, err
	}
	e, err := s.normalize(KindEmail, email)
	if err != nil {
		return notify.Sent{}, err
	}
	a, err := s.Account(ctx, id)
	if err != nil {
		return notify.Sent{}, err
	}
	purpose, op := notify.PurposeBindEmail, OpBindLoginMethod
	if a.HasLoginMethod(MethodEmail) {
		purpose, op = notify.PurposeChangeLoginEmail, OpChangeLoginEmail
		if a.LoginEmail() == e {
			return notify.Sent{}, ErrSameIdentifier.With("field", "email")
		}
	}
	if err := s.require(proof, id, op); err != nil {
		return notify.Sent{}, err
	}
	return s.sendCode(ctx, purpose, notify.Email, e, id, clientIP)
}

// BindLoginMethod binds a login method the account does not have yet, after
// checking that proof proves OpBindLoginMethod (docs/RULES.md §5). The identifier's binding
// quota (WeChat 50, WeCom 20, QQ, email and Official Account 1 by default)
// is enforced atomically with the write. An email needs the code from
// SendLoginEmailCode and a new password under the policy with its
// confirmation (ErrConfirmMismatch; it must also differ from the account's
// recent passwords); WeCom needs the
// WeComAuthorizer's consent.
func (s *Service) BindLoginMethod(ctx context.Context, proof vocab.Proof, id string, b Binding) (Account, error) {
	if err := checkID("account_id", id); err != nil {
		return Account{}, err
	}
	ident, err := b.check(s)
	if err != nil {
		return Account{}, err
	}
	if b.Method == MethodEmail {
		if err := s.checkNewPassword(b.Password); err != nil {
			return Account{}, err
		}
		if b.Confirm != b.Password {
			return Account{}, ErrConfirmMismatch
		}
	}
	if err := s.require(proof, id, OpBindLoginMethod); err != nil {
		return Account{}, err
	}
	a, err := s.Account(ctx, id)
	if err != nil {
		return Account{}, err
	}
	if a.HasLoginMethod(b.Method) {
		return Account{}, ErrMethodAlreadyBound.With("method", string(b.Method))
	}
	var pw Password
	switch b.Method {
	case MethodEmail:
		if err := s.checkHistory(ctx, a.Password, b.Password); err != nil {
			return Account{}, err
		}
		if err := s.checkCode(ctx, notify.PurposeBindEmail, notify.Email, ident, id, b.Code); err != nil {
			return Account{}, err
		}
		if pw, err = s.hashPassword(ctx, b.Password); err != nil {
			return Account{}, err
		}
	case MethodWeCom:
		if err := s.authorizeWeCom(ctx, id, ident); err != nil {
			return Account{}, err
		}
	}
	_, after, err := s.update(ctx, id, func(a *Account) error {
		if a.HasLoginMethod(b.Method) {
			return ErrMethodAlreadyBound.With("method", string(b.Method))
		}
		a.setLoginMethod(LoginMethod{Method: b.Method, Identifier: ident, BoundAt: s.now()})
		if b.Method == MethodEmail {
			pw.History = password.PushHistory(a.Password.History, pw.Hash, s.policy.History)
			a.Password = pw
		}
		return nil
	})
	if err != nil {
		return Account{}, err
	}
	s.emit(ctx, event.LoginMethodBound, id, map[string]string{
		"method": string(b.Method), "identifier": maskIdentifier(KindOf(b.Method), ident),
	})
	return after, nil
}

// ChangeLoginMethod re-binds a bound login method to another identifier,
// after checking that proof proves OpChangeLoginMethod. The new identifier's
// binding quota is taken and the old one's released in the same atomic
// write. For MethodEmail it is ChangeLoginEmail without the sync options
// (and proof must then prove OpChangeLoginEmail).
func (s *Service) ChangeLoginMethod(ctx context.Context, proof vocab.Proof, id string, b Binding) (Account, error) {
	if b.Method == MethodEmail {
		return s.ChangeLoginEmail(ctx, proof, id, LoginEmailChange{Email: b.Identifier, Password: b.Password, Confirm: b.Confirm, Code: b.Code})
	}
	if err := checkID("account_id", id); err != nil {
		return Account{}, err
	}
	ident, err := b.check(s)
	if err != nil {
		return Account{}, err
	}
	if err := s.require(proof, id, OpChangeLoginMethod); err != nil {
		return Account{}, err
	}
	a, err := s.Account(ctx, id)
	if err != nil {
		return Account{}, err
	}
	if err := checkChange(a, b.Method, ident); err != nil {
		return Account{}, err
	}
	if b.Method == MethodWeCom {
		if err := s.authorizeWeCom(ctx, id, ident); err != nil {
			return Account{}, err
		}
	}
	_, after, err := s.update(ctx, id, func(a *Account) error {
		if err := checkChange(*a, b.Method, ident); err != nil {
			return err
		}
		a.setLoginMethod(LoginMethod{Method: b.Method, Identifier: ident, BoundAt: s.now()})
		return nil
	})
	if err != nil {
		return Account{}, err
	}
	s.emit(ctx, event.LoginMethodChanged, id, map[string]string{
		"method": string(b.Method), "identifier": maskIdentifier(KindOf(b.Method), ident),
	})
	return after, nil
}

// checkChange refuses changing login method m of a to ident when m is not
// bound or already bound to ident.
func checkChange(a Account, m Method, ident string) error {
	lm, ok := a.LoginMethod(m)
	switch {
	case !ok:
		return ErrMethodNotBound.With("method", string(m))
	case lm.Identifier == ident:
		return ErrSameIdentifier.With("field", string(m))
	}
	return nil
}

// LoginEmailChange is a request to change the email login method's address
// (docs/RULES.md §4: new address + new password + its confirmation +
// 6-digit code).
type LoginEmailChange struct {
	// Email is the new address.
	Email string
	// Password is the new password, under the policy and different from
	// the recent ones.
	Password string
	// Confirm repeats Password.
	Confirm string
	// Code is the code SendLoginEmailCode sent to the new address.
	Code string
	// AlsoSecurityEmail makes the new address the security email too.
	AlsoSecurityEmail bool
	// AlsoContactEmail makes the new address the (confirmed) contact email
	// too.
	AlsoContactEmail bool
}

// ChangeLoginEmail changes the address of the email login method and its
// password (c.Confirm must repeat it: ErrConfirmMismatch), after checking
// that proof proves OpChangeLoginEmail and the code sent
// to the new address is checked. The new address's binding quota is taken
// and the old one's released atomically; the registration slot, if the
// account registered with the old address, stays.
func (s *Service) ChangeLoginEmail(ctx context.Context, proof vocab.Proof, id string, c LoginEmailChange) (Account, error) {
	if err := checkID("account_id", id); err != nil {
		return Account{}, err
	}
	e, err := s.normalize(KindEmail, c.Email)
	if err != nil {
		return Account{}, err
	}
	if err := s.checkNewPassword(c.Password); err != nil {
		return Account{}, err
	}
	if c.Confirm != c.Password {
		return Account{}, ErrConfirmMismatch
	}
	if err := s.require(proof, id, OpChangeLoginEmail); err != nil {
		return Account{}, err
	}
	a, err := s.Account(ctx, id)
	if err != nil {
		return Account{}, err
	}
	if err := checkChange(a, MethodEmail, e); err != nil {
		return Account{}, err
	}
	// History first: a refusal there leaves the code usable.
	if err := s.checkHistory(ctx, a.Password, c.Password); err != nil {
		return Account{}, err
	}
	if err := s.checkCode(ctx, notify.PurposeChangeLoginEmail, notify.Email, e, id, c.Code); err != nil {
		return Account{}, err
	}
	pw, err := s.hashPassword(ctx, c.Password)
	if err != nil {
		return Account{}, err
	}
	before, after, err := s.update(ctx, id, func(cur *Account) error {
		if err := checkChange(*cur, MethodEmail, e); err != nil {
			return err
		}
		if cur.Password.Hash != a.Password.Hash {
			return ErrChangedMeanwhile
		}
		cur.setLoginMethod(LoginMethod{Method: MethodEmail, Identifier: e, BoundAt: s.now()})
		pw.History = password.PushHistory(cur.Password.History, pw.Hash, s.policy.History)
		cur.Password = pw
		if c.AlsoSecurityEmail {
			cur.SecurityEmail = e
		}
		if c.AlsoContactEmail {
			cur.ContactEmail = Contact{Address: e}
		}
		return nil
	})
	if err != nil {
		return Account{}, err
	}
	masked := MaskEmail(e)
	s.emit(ctx, event.LoginMethodChanged, id, map[string]string{"method": string(MethodEmail), "identifier": masked})
	s.emit(ctx, event.PasswordChanged, id, nil)
	if before.SecurityEmail != after.SecurityEmail {
		s.emit(ctx, event.SecurityEmailChanged, id, map[string]string{"identifier": masked})
	}
	if before.ContactEmail.Address != after.ContactEmail.Address {
		s.emit(ctx, event.ContactChanged, id, map[string]string{"field": "contact_email", "identifier": masked})
	}
	return after, nil
}

// UnbindBlockedError says why a login method cannot be unbound. Unmet lists
// every unmet condition, each with its reason code: ErrLastLoginMethod
// (condition 1: the account needs another login method), ErrMethodInUse
// (condition 2: security settings use the method; its "settings" parameter
// names them: turn those off, or switch them to another method, first) and
// ErrSecurityPhoneRequired (condition 3). Condition 2 applies to every login
// method, condition 3 only to the registration method. errors.Is matches
// each member.
type UnbindBlockedError struct {
	// Method is the login method that was to be unbound.
	Method Method
	// Unmet are the unmet conditions, in the order of docs/RULES.md §5.
	Unmet []*reason.Error
}

// Error lists the unmet conditions' English messages.
func (e *UnbindBlockedError) Error() string {
	parts := make([]string, len(e.Unmet))
	for i, u := range e.Unmet {
		parts[i] = u.Error()
	}
	return "cannot unbind the " + string(e.Method) + " login method: " + strings.Join(parts, "; ")
}

// Unwrap returns the unmet conditions, for errors.Is and errors.As.
func (e *UnbindBlockedError) Unwrap() []error {
	out := make([]error, len(e.Unmet))
	for i, u := range e.Unmet {
		out[i] = u
	}
	return out
}

// scanMethod is the verification method that relies on login method m, or
// "" when none does: wechat_scan checks the scanning WeChat user against the
// account's WeChat login method.
func scanMethod(m Method) VerifyMethod {
	if m == MethodWeChat {
		return VerifyWeChatScan
	}
	return ""
}

// UnbindBlockers returns every condition of docs/RULES.md §5 that unbinding login
// method m from a would break, or nil when it may be unbound. It does not
// say whether m is bound.
//
//  1. The account keeps at least one login method (for the registration
//     method: has at least two).
//  2. No security setting uses m as its verification method (login,
//     operation or remote-login protection, MFA binding; only wechat_scan
//     relies on a login method, the WeChat one). This holds for every
//     login method, not only the registration one: a protection whose
//     method went away would silently fall back to another method or to
//     none. The error's "settings" parameter names the settings to turn
//     off (or switch to another method) first.
//  3. Registration method only: the account has a security phone.
//
// The registration method is a method, not an identifier: WeChat stays the
// registration method of an account registered with WeChat after
// ChangeLoginMethod re-binds it to another WeChat.
func (a Account) UnbindBlockers(m Method) []*reason.Error {
	var unmet []*reason.Error
	if len(a.LoginMethods) < 2 {
		unmet = append(unmet, ErrLastLoginMethod)
	}
	if vm := scanMethod(m); vm != "" {
		if uses := a.Security.uses(vm); len(uses) > 0 {
			unmet = append(unmet, ErrMethodInUse.With("settings", strings.Join(uses, ", ")))
		}
	}
	if m == a.RegistrationMethod && a.SecurityPhone == "" {
		unmet = append(unmet, ErrSecurityPhoneRequired)
	}
	return unmet
}

// UnbindLoginMethod unbinds login method m after checking that proof proves
// OpUnbindLoginMethod. It returns *UnbindBlockedError listing every unmet
// condition (see Account.UnbindBlockers), checked on the record it writes,
// so a concurrent change cannot slip past them. The identifier's binding
// slot is released in the same write, so it may be bound again at once.
// Unbinding the email login method removes the password (its history is
// kept, so an old password still cannot be reused).
func (s *Service) UnbindLoginMethod(ctx context.Context, proof vocab.Proof, id string, m Method) (Account, error) {
	if err := checkID("account_id", id); err != nil {
		return Account{}, err
	}
	if !m.Valid() {
		return Account{}, ErrUnknownMethod.With("allowed", allowedMethods)
	}
	if err := s.require(proof, id, OpUnbindLoginMethod); err != nil {
		return Account{}, err
	}
	var removed LoginMethod
	before, after, err := s.update(ctx, id, func(a *Account) error {
		lm, ok := a.LoginMethod(m)
		if !ok {
			return ErrMethodNotBound.With("method", string(m))
		}
		if unmet := a.UnbindBlockers(m); len(unmet) > 0 {
			return &UnbindBlockedError{Method: m, Unmet: unmet}
		}
		removed = lm
		a.removeLoginMethod(m)
		if m == MethodEmail {
			a.Password.Hash = ""
		}
		return nil
	})
	if err != nil {
		var blocked *UnbindBlockedError
		if errors.As(err, &blocked) {
			s.emit(ctx, event.LoginMethodUnbindRefused, id, map[string]string{
				"method": string(m), "reason": unbindReasons(blocked),
			})
		}
		return Account{}, err
	}
	s.emit(ctx, event.LoginMethodUnbound, id, map[string]string{
		"method":       string(m),
		"identifier":   maskIdentifier(KindOf(m), removed.Identifier),
		"registration": boolString(m == before.RegistrationMethod),
	})
	return after, nil
}

// unbindReasons joins the reason codes of e's unmet conditions.
func unbindReasons(e *UnbindBlockedError) string {
	codes := make([]string, len(e.Unmet))
	for i, u := range e.Unmet {
		codes[i] = string(u.Code)
	}
	return strings.Join(codes, ",")
}

func boolString(b bool) string {
	if b {
		return "true"
	}
	return "false"
}
