package account

import (
	"context"
	"fmt"

	"github.com/accountsec/accountsec/account/password"
	"github.com/accountsec/accountsec/event"
	"github.com/accountsec/accountsec/notify"
	"github.com/accountsec/accountsec/reason"
)

// Lengths of free-text fields, in Unicode characters.
const (
	MaxNicknameLen = 64
	MaxIndustryLen = 64
)

// Registration is a request to create an account.
type Registration struct {
	// Method is the registration method.
	Method Method
	// Identifier is the email address (MethodEmail) or the provider subject
	// ID the host's OAuth login returned (the other methods).
	Identifier string
	// Password is the email login password (MethodEmail only; refused for
	// the other methods).
	Password string
	// Code is the code SendRegistrationCode sent to the email (MethodEmail
	// only). It proves the address belongs to the registrant, so nobody can
	// use up someone else's email quota.
	Code string
	// Nickname and Industry are optional.
	Nickname string
	// Industry is optional; one of the Service's Industries.
	Industry string
}

// SendRegistrationCode sends the 6-digit code that Register needs for an
// email registration (purpose PurposeRegister). It does not reveal whether
// the address is in use.
func (s *Service) SendRegistrationCode(ctx context.Context, email, clientIP string) (notify.Sent, error) {
	e, err := s.normalize(KindEmail, email)
	if err != nil {
		return notify.Sent{}, err
	}
	return s.sendCode(ctx, PurposeRegister, notify.Email, e, "", clientIP)
}

// Register creates an account with one of the five registration methods.
// The identifier is normalised (see Normalize); an email registration needs
// a password under the policy and the code from SendRegistrationCode, which
// is checked before any quota so that the answer reveals nothing about
// addresses the registrant does not own. A WeCom registration asks the
// WeComAuthorizer (with an empty account ID).
//
// The account, its registration slot and its login-method slot are written
// in one atomic store operation: the registration quota of docs/RULES.md §1 and the
// binding quota of §5 are both enforced (ErrQuotaExceeded), and a refusal
// or failure leaves nothing behind. The registration slot stays with the
// account until it is deleted. An email registration also makes the address
// the confirmed contact email.
func (s *Service) Register(ctx context.Context, r Registration) (Account, error) {
	if !r.Method.Valid() {
		return Account{}, ErrUnknownMethod.With("allowed", allowedMethods)
	}
	ident, err := s.normalize(KindOf(r.Method), r.Identifier)
	if err != nil {
		return Account{}, err
	}
	nick, err := checkText("nickname", r.Nickname, MaxNicknameLen, false)
	if err != nil {
		return Account{}, err
	}
	industry, err := checkText("industry", r.Industry, MaxIndustryLen, false)
	if err != nil {
		return Account{}, err
	}
	if err := s.checkIndustry(industry); err != nil {
		return Account{}, err
	}
	now := s.now()
	a := Account{
		Nickname:               nick,
		Industry:               industry,
		RegisteredAt:           now,
		RegistrationMethod:     r.Method,
		RegistrationIdentifier: ident,
		State:                  StateActive,
		RealName:               RealName{Status: RealNameUnverified},
		LoginMethods:           []LoginMethod{{Method: r.Method, Identifier: ident, BoundAt: now}},
		Security:               defaultSecurity(),
	}
	switch r.Method {
	case MethodEmail:
		if err := s.checkNewPassword(r.Password); err != nil {
			return Account{}, err
		}
		if err := s.checkCode(ctx, PurposeRegister, notify.Email, ident, "", r.Code); err != nil {
			return Account{}, err
		}
		hash, err := s.hasher.Hash(ctx, r.Password)
		if err != nil {
			return Account{}, err
		}
		a.Password = Password{Hash: hash, History: password.PushHistory(nil, hash, s.policy.History), ChangedAt: now}
		// The code just proved the address, so it also becomes the
		// security email: an account registered by email can pass identity
		// verification from its first day.
		a.ContactEmail = Contact{Address: ident}
		a.SecurityEmail = ident
	default:
		if r.Password != "" || r.Code != "" {
			return Account{}, malformed("password")
		}
		if r.Method == MethodWeCom {
			if err := s.authorizeWeCom(ctx, "", ident); err != nil {
				return Account{}, err
			}
		}
	}
	take, _ := slotChanges(Account{}, a, s.quotas)
	if err := s.raiseLimits(ctx, "", take); err != nil {
		return Account{}, err
	}
	for range MaxIDAttempts {
		id, appid, err := s.ids.NewIDs()
		if err != nil {
			return Account{}, reason.Store(err)
		}
		if err := checkID("account_id", id); err != nil {
			return Account{}, reason.Store(fmt.Errorf("account: ID generator: %w", err))
		}
		if err := checkID("appid", appid); err != nil {
			return Account{}, reason.Store(fmt.Errorf("account: ID generator: %w", err))
		}
		a.ID, a.APPID = id, appid
		res, err := s.store.CreateAccount(ctx, a, take)
		if err != nil {
			return Account{}, reason.Store(err)
		}
		switch res.Status {
		case WriteOK:
			a.Version = 1
			s.emit(ctx, event.AccountRegistered, a.ID, map[string]string{
				"method": string(r.Method), "identifier": maskIdentifier(KindOf(r.Method), ident),
			})
			return a.clone(), nil
		case WriteTaken:
			continue
		case WriteFull:
			return Account{}, s.quotaError(res.Full)
		default:
			return Account{}, reason.Store(fmt.Errorf("account: store returned write status %d", res.Status))
		}
	}
	return Account{}, reason.Store(fmt.Errorf("account: no free account ID or APPID after %d attempts", MaxIDAttempts))
}

// checkNewPassword applies the password policy to a new password.
func (s *Service) checkNewPassword(pw string) error {
	if pw == "" {
		return reason.New(reason.InputEmpty).With("field", "password")
	}
	return s.policy.Check(pw)
}

// authorizeWeCom asks the host's WeCom administrator callback.
func (s *Service) authorizeWeCom(ctx context.Context, id, subject string) error {
	if s.wecom == nil {
		return ErrWeComNotAuthorized
	}
	if err := s.wecom.AuthorizeWeCom(ctx, id, subject); err != nil {
		return ErrWeComNotAuthorized.Wrap(err)
	}
	return nil
}
