package account

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/accountsec/accountsec/account/password"
	"github.com/accountsec/accountsec/event"
	"github.com/accountsec/accountsec/internal/redact"
	"github.com/accountsec/accountsec/reason"
	"github.com/accountsec/accountsec/vocab"
)

// OpRecoveryRestore is the operation a proof for [Service.Restore] names.
// The slash is not allowed in protection's operation names, so protection
// never mints it, for a session or a host operation: only package recovery
// does, after the checks of its own flow (an approved login appeal, an
// enterprise recovery's allowance) have passed, the new address's and
// phone's codes included.
const OpRecoveryRestore = "recovery/restore"

// Restore is what a recovery flow sets on an account in one write. Every
// field is optional; at least one must change something.
type Restore struct {
	// LoginEmail binds the email login method to this address, or re-binds
	// it when the account has one. The recovery flow proved the address
	// with a code when the user gave it.
	LoginEmail string
	// PasswordHash is the new password's hash from PreparePassword;
	// required with LoginEmail.
	PasswordHash string
	// SecurityPhone replaces the security phone (proved by an SMS code in
	// the recovery flow).
	SecurityPhone string
	// SMSProtection sets login protection and operation protection to
	// sms; the account must have a security phone after this change.
	SMSProtection bool
	// DisableMFA turns MFA off wherever the security settings use it, as
	// DisableMFA does (login and operation protection fall back to sms
	// with a security phone, to none without; remote-login protection and
	// MFA binding to none). The device itself stays bound.
	DisableMFA bool
}

var restoreSpec = redact.New[Restore]("PasswordHash")

// String describes the Restore with its PasswordHash redacted.
func (r Restore) String() string { return restoreSpec.String(r) }

// GoString is the %#v form of the Restore, secrets redacted.
func (r Restore) GoString() string { return restoreSpec.GoString(r) }

// Format prints the Restore for every verb of fmt, secrets redacted.
func (r Restore) Format(f fmt.State, verb rune) { restoreSpec.Print(f, verb, r) }

// LogValue logs the Restore as a group of its fields, secrets redacted.
func (r Restore) LogValue() slog.Value { return restoreSpec.LogValue(r) }

// PreparePassword checks pw as the next email login password of account
// id (the policy, and none of the recent passwords) and returns its hash,
// for a recovery flow that sets it later with Restore (after a review,
// say), so that the password itself is never kept.
func (s *Service) PreparePassword(ctx context.Context, id, pw string) (string, error) {
	if err := checkID("account_id", id); err != nil {
		return "", err
	}
	if err := s.checkNewPassword(pw); err != nil {
		return "", err
	}
	a, err := s.Account(ctx, id)
	if err != nil {
		return "", err
	}
	if err := s.checkHistory(ctx, a.Password, pw); err != nil {
		return "", err
	}
	p, err := s.hashPassword(ctx, pw)
	if err != nil {
		return "", err
	}
	return p.Hash, nil
}

// Restore applies r to account id in one atomic update (quota slots of the
// new login email and security phone taken, the old ones released, in the
// same write), after checking that p proves OpRecoveryRestore for the
// account. It emits the events of each change: LoginMethodBound or
// LoginMethodChanged and PasswordChanged, SecurityPhoneChanged,
// ProtectionSettingsChanged.
func (s *Service) Restore(ctx context.Context, p vocab.Proof, id string, r Restore) (Account, error) {
	if err := checkID("account_id", id); err != nil {
		return Account{}, err
	}
	var email, phone string
	var err error
	if r.LoginEmail != "" {
		if email, err = s.normalize(KindEmail, r.LoginEmail); err != nil {
			return Account{}, err
		}
		if r.PasswordHash == "" {
			return Account{}, reason.New(reason.InputEmpty).With("field", "password")
		}
	} else if r.PasswordHash != "" {
		return Account{}, malformed("password")
	}
	if r.SecurityPhone != "" {
		if phone, err = s.normalize(KindPhone, r.SecurityPhone); err != nil {
			return Account{}, err
		}
	}
	if email == "" && phone == "" && !r.SMSProtection && !r.DisableMFA {
		return Account{}, reason.New(reason.InputEmpty).With("field", "restore")
	}
	if err := s.require(p, id, OpRecoveryRestore); err != nil {
		return Account{}, err
	}
	var hadEmail bool
	before, after, err := s.update(ctx, id, func(a *Account) error {
		now := s.now()
		hadEmail = a.HasLoginMethod(MethodEmail)
		if email != "" {
			a.setLoginMethod(LoginMethod{Method: MethodEmail, Identifier: email, BoundAt: now})
			a.Password = Password{
				Hash: r.PasswordHash, ChangedAt: now,
				History: password.PushHistory(a.Password.History, r.PasswordHash, s.policy.History),
			}
		}
		if phone != "" {
			a.SecurityPhone = phone
		}
		st := &a.Security
		if r.DisableMFA {
			to := VerifyNone
			if a.SecurityPhone != "" {
				to = VerifySMS
			}
			if st.LoginProtection == VerifyMFA {
				st.LoginProtection = to
			}
			if st.OperationProtection == VerifyMFA {
				st.OperationProtection = to
			}
			if st.RemoteLoginMethod == VerifyMFA {
				st.RemoteLoginMethod = VerifyNone
			}
			if st.MFABindingMethod == VerifyMFA {
				st.MFABindingMethod = VerifyNone
			}
		}
		if r.SMSProtection {
			if a.SecurityPhone == "" {
				return ErrSecurityPhoneRequired
			}
			st.LoginProtection, st.OperationProtection = VerifySMS, VerifySMS
		}
		return nil
	})
	if err != nil {
		return Account{}, err
	}
	if email != "" {
		kind := event.LoginMethodBound
		if hadEmail {
			kind = event.LoginMethodChanged
		}
		s.emit(ctx, kind, id, map[string]string{"method": string(MethodEmail), "identifier": MaskEmail(email), "via": "recovery"})
		s.emit(ctx, event.PasswordChanged, id, map[string]string{"via": "recovery"})
	}
	if before.SecurityPhone != after.SecurityPhone {
		s.emit(ctx, event.SecurityPhoneChanged, id, map[string]string{"identifier": MaskPhone(after.SecurityPhone), "via": "recovery"})
	}
	if before.Security != after.Security {
		s.emit(ctx, event.ProtectionSettingsChanged, id, map[string]string{
			"login_protection": string(after.Security.LoginProtection), "operation_protection": string(after.Security.OperationProtection), "via": "recovery",
		})
	}
	return after, nil
}
