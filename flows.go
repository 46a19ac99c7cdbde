package accountsec

import (
	"context"

	"github.com/accountsec/accountsec/account"
	"github.com/accountsec/accountsec/mfa"
	"github.com/accountsec/accountsec/protection"
	"github.com/accountsec/accountsec/vocab"
)

// The account-centre flows below span several packages: each authorises the
// operation for the signed-in session (operation protection), makes the
// change, updates what depends on it, and ends the account's other sessions
// where docs/RULES.md asks for it. Each returns *protection.VerificationRequiredError
// when the session must first pass identity verification (see
// Protection.StartVerification with the operation as purpose).

// EnrolMFA starts binding a virtual MFA device for the session's account:
// it returns the secret as an otpauth URI, a QR code and a text key. The
// device stays inactive until EnableMFA confirms a first code.
func (s *Service) EnrolMFA(ctx context.Context, sess protection.Session, label string) (*mfa.Enrolment, error) {
	p, err := s.Protection.Authorize(ctx, sess, protection.OpBindMFA)
	if err != nil {
		return nil, err
	}
	return s.MFA.Enrol(ctx, p, sess.AccountID, label)
}

// EnableMFA confirms the device enrolled by EnrolMFA with a current code,
// turns MFA on where usage says (login protection, operation protection),
// and ends the account's other sessions.
func (s *Service) EnableMFA(ctx context.Context, sess protection.Session, deviceID, code string, usage mfa.Usage) (mfa.Device, error) {
	p, err := s.Protection.Authorize(ctx, sess, protection.OpBindMFA)
	if err != nil {
		return mfa.Device{}, err
	}
	d, err := s.MFA.Confirm(ctx, p, sess.AccountID, deviceID, code, usage)
	if err != nil {
		return mfa.Device{}, err
	}
	var change account.SecurityChange
	on := account.VerifyMFA
	if usage.Login {
		change.LoginProtection = &on
	}
	if usage.Operation {
		change.OperationProtection = &on
	}
	if _, err := s.Accounts.UpdateSecurity(ctx, []vocab.Proof{p}, sess.AccountID, change); err != nil {
		return d, err
	}
	return d, s.Protection.EndOtherSessions(ctx, sess.AccountID, sess.ID, protection.CauseMFAChanged)
}

// UnbindMFA removes the account's MFA device after a current code. Login and
// operation protection stop using MFA (the report says what they fell back
// to), and the account's other sessions end.
func (s *Service) UnbindMFA(ctx context.Context, sess protection.Session, code string) (mfa.UnbindReport, error) {
	p, err := s.Protection.Authorize(ctx, sess, protection.OpUnbindMFA)
	if err != nil {
		return mfa.UnbindReport{}, err
	}
	rep, err := s.MFA.Unbind(ctx, p, sess.AccountID, code)
	if err != nil {
		return mfa.UnbindReport{}, err
	}
	return rep, s.Protection.EndOtherSessions(ctx, sess.AccountID, sess.ID, protection.CauseMFAChanged)
}

// ChangePassword changes the session's account password (old + new +
// confirmation; a wrong old password counts towards the login lockout) and
// ends the account's other sessions.
func (s *Service) ChangePassword(ctx context.Context, sess protection.Session, c account.PasswordChange) error {
	p, err := s.Protection.Authorize(ctx, sess, protection.OpChangePassword)
	if err != nil {
		return err
	}
	if _, err := s.Accounts.ChangePassword(ctx, p, sess.AccountID, c); err != nil {
		return err
	}
	return s.Protection.EndOtherSessions(ctx, sess.AccountID, sess.ID, protection.CausePasswordChanged)
}
