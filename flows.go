package accountsec

import (
	"context"
	"errors"

	"github.com/accountsec/accountsec/account"
	"github.com/accountsec/accountsec/mfa"
	"github.com/accountsec/accountsec/protection"
	"github.com/accountsec/accountsec/vocab"
)

// The account-centre flows below span several packages: each authorises the
// operation for the signed-in session (operation protection), makes the
// change, updates what depends on it, and ends the account's other sessions
// (and revokes its trusted devices) where docs/RULES.md asks for it. Each
// returns *protection.VerificationRequiredError when the session must first
// pass identity verification (see Protection.StartVerification with the
// operation as purpose).
//
// A flow that fails half-way (a store failure at any step, or a write whose
// reply was lost) leaves no half: either nothing changed, or what changed
// is safe on its own (the other sessions ended, protection stricter than
// asked) and a retry of the same request completes the rest, follow-ups
// included. A one-time code is spent by the step that checks it, so a retry
// of a step that failed before the change brings a new code; a retry whose
// earlier attempt already ended the other sessions (and with them this
// session's step-up) verifies identity again first.

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
// and ends the account's other sessions, in this order.
//
// The active device is the mark of a confirmed enrolment: when the device
// deviceID is already the account's active device with this usage (an
// earlier call confirmed it and then failed), EnableMFA skips the code,
// which was spent then, and completes the settings and the end of the
// other sessions. Both are idempotent.
func (s *Service) EnableMFA(ctx context.Context, sess protection.Session, deviceID, code string, usage mfa.Usage) (mfa.Device, error) {
	p, err := s.Protection.Authorize(ctx, sess, protection.OpBindMFA)
	if err != nil {
		return mfa.Device{}, err
	}
	d, err := s.MFA.Confirm(ctx, p, sess.AccountID, deviceID, code, usage)
	if errors.Is(err, mfa.ErrEnrolmentInvalid) || errors.Is(err, mfa.ErrAlreadyBound) {
		cur, found, derr := s.MFA.Device(ctx, sess.AccountID)
		if derr != nil {
			return mfa.Device{}, derr
		}
		if !found || cur.ID != deviceID || cur.Usage != usage {
			return mfa.Device{}, err
		}
		d, err = cur, nil // confirmed by an earlier call: complete it
	}
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

// UnbindMFA removes the account's MFA device after a current code. In this
// order: the code, the device, then login and operation protection stop
// using MFA (the report says what they fell back to), then the account's
// other sessions end (and its trusted devices are revoked). The settings
// change comes right after the removal, in the same request and under the
// same step-up, so that settings naming a device that is gone (which
// protection can answer with no method at all) never wait for a new
// verification.
//
// A retry completes an unbind that stopped after the device went: it finds
// no device, turns MFA off in the settings if they still name it (and then
// answers with the report, without asking for a code), and ends the other
// sessions. When nothing named MFA any more it still ends the other
// sessions, which an earlier unbind may have left alive, and answers
// mfa.ErrNotBound.
func (s *Service) UnbindMFA(ctx context.Context, sess protection.Session, code string) (mfa.UnbindReport, error) {
	p, err := s.Protection.Authorize(ctx, sess, protection.OpUnbindMFA)
	if err != nil {
		return mfa.UnbindReport{}, err
	}
	rep, err := s.MFA.Unbind(ctx, p, sess.AccountID, code)
	if errors.Is(err, mfa.ErrNotBound) {
		return s.completeUnbind(ctx, p, sess)
	}
	if err != nil {
		return rep, err
	}
	return rep, s.Protection.EndOtherSessions(ctx, sess.AccountID, sess.ID, protection.CauseMFAChanged)
}

// completeUnbind finishes an unbind whose device is already gone.
func (s *Service) completeUnbind(ctx context.Context, p vocab.Proof, sess protection.Session) (mfa.UnbindReport, error) {
	a, err := s.Accounts.Account(ctx, sess.AccountID)
	if err != nil {
		return mfa.UnbindReport{}, err
	}
	var rep mfa.UnbindReport
	done := usesMFA(a.Security)
	if done {
		if rep.Fallback, err = s.Accounts.DisableMFA(ctx, p, sess.AccountID); err != nil {
			return mfa.UnbindReport{}, err
		}
		rep.ProtectionUpdated = true
	}
	if err := s.Protection.EndOtherSessions(ctx, sess.AccountID, sess.ID, protection.CauseMFAChanged); err != nil {
		return mfa.UnbindReport{}, err
	}
	if !done {
		return mfa.UnbindReport{}, mfa.ErrNotBound
	}
	return rep, nil
}

// usesMFA reports whether any of the settings names MFA.
func usesMFA(st account.SecuritySettings) bool {
	for _, m := range []account.VerifyMethod{st.LoginProtection, st.OperationProtection, st.RemoteLoginMethod, st.MFABindingMethod} {
		if m == account.VerifyMFA {
			return true
		}
	}
	return false
}

// ChangePassword changes the session's account password (old + new +
// confirmation; a wrong old password counts towards the login lockout) and
// then ends the account's other sessions (and revokes its trusted devices
// but this session's).
//
// The changed password is the mark of a change whose follow-up failed: when
// the password was changed during this session, ChangePassword first
// checks c.New against the current password, under the same lockout (a
// locked account is refused before any hashing; the check counts no
// failure, the check of c.Old that follows a mismatch does). When c.New is
// already the password, the retry completes the end of the other sessions
// instead of counting c.Old as wrong. That check costs one more password
// hash, only for a second change within one session.
func (s *Service) ChangePassword(ctx context.Context, sess protection.Session, c account.PasswordChange) error {
	p, err := s.Protection.Authorize(ctx, sess, protection.OpChangePassword)
	if err != nil {
		return err
	}
	done, err := s.passwordIs(ctx, sess, c.New)
	if err != nil {
		return err
	}
	if !done {
		if _, err := s.Accounts.ChangePassword(ctx, p, sess.AccountID, c); err != nil {
			return err
		}
	}
	return s.Protection.EndOtherSessions(ctx, sess.AccountID, sess.ID, protection.CausePasswordChanged)
}

// passwordIs reports whether the password of the session's account, when
// changed during the session, is pw.
func (s *Service) passwordIs(ctx context.Context, sess protection.Session, pw string) (bool, error) {
	if pw == "" {
		return false, nil
	}
	a, err := s.Accounts.Account(ctx, sess.AccountID)
	if err != nil {
		return false, err
	}
	login := a.LoginEmail()
	if login == "" || a.Password.Hash == "" || a.Password.ChangedAt.Before(sess.CreatedAt) {
		return false, nil
	}
	attempt, err := s.Lockout.Begin(ctx, protection.LoginScope, login)
	if err != nil {
		return false, err
	}
	ok, _, err := s.Passwords.Verify(ctx, pw, a.Password.Hash)
	// Not a failure either way: a mismatch is the usual case (a new
	// password), and the check of the old one that follows counts.
	_ = attempt.Succeed(ctx)
	return ok && err == nil, err
}

// DeleteAccount deletes the session's account (the last step of a
// cancellation, docs/RULES.md §9) after authorising OpApplyCancellation. In
// this order: every session of the account ends, this one included, with
// every step-up grant, and every trusted device is revoked; then the
// account is deleted, releasing its identifiers. So no session outlives
// the account: a failure before the deletion leaves the account there with
// everyone signed out, and the user signs in again and retries.
func (s *Service) DeleteAccount(ctx context.Context, sess protection.Session) error {
	p, err := s.Protection.Authorize(ctx, sess, protection.OpApplyCancellation)
	if err != nil {
		return err
	}
	if err := s.Protection.EndOtherSessions(ctx, sess.AccountID, "", protection.CauseCancellation); err != nil {
		return err
	}
	if err := s.Accounts.Delete(ctx, p, sess.AccountID); err != nil && !errors.Is(err, account.ErrNotFound) {
		return err
	}
	return nil
}
