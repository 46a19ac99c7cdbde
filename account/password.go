package account

import (
	"context"

	"github.com/accountsec/accountsec/account/password"
	"github.com/accountsec/accountsec/event"
	"github.com/accountsec/accountsec/reason"
	"github.com/accountsec/accountsec/vocab"
)

// PasswordChange is a request to change the email login password (docs/RULES.md §3).
type PasswordChange struct {
	// Old is the current password.
	Old string
	// New is the new password.
	New string
	// Confirm repeats New.
	Confirm string
}

// ChangePassword changes the email login password. The account must have
// an email login method (ErrNoPassword otherwise); proof must prove
// OpChangePassword for the account; the new password must meet the policy, equal its
// confirmation and differ from the recent ones (the policy's History, the
// current one included).
//
// The old password is checked under the lockout limiter, in the scope of
// the password login with the account ID as subject (the lock is the
// account's, not its login email's), so wrong old passwords count towards
// the same lock as wrong login passwords: a locked account gets
// *limits.LockedError before any hashing, a wrong old password
// ErrWrongPassword (or *limits.LockedError when it causes the lock) and a
// PasswordChangeFailed event.
func (s *Service) ChangePassword(ctx context.Context, proof vocab.Proof, id string, c PasswordChange) (Account, error) {
	if err := checkID("account_id", id); err != nil {
		return Account{}, err
	}
	if c.Old == "" {
		return Account{}, reason.New(reason.InputEmpty).With("field", "old_password")
	}
	if err := s.checkNewPassword(c.New); err != nil {
		return Account{}, err
	}
	if c.Confirm != c.New {
		return Account{}, ErrConfirmMismatch
	}
	a, err := s.Account(ctx, id)
	if err != nil {
		return Account{}, err
	}
	login := a.LoginEmail()
	if login == "" || a.Password.Hash == "" {
		return Account{}, ErrNoPassword
	}
	if err := s.require(proof, id, OpChangePassword); err != nil {
		return Account{}, err
	}
	attempt, err := s.lockout.Begin(ctx, s.scope, id)
	if err != nil {
		return Account{}, err // locked (nothing hashed) or a store failure
	}
	ok, _, err := s.hasher.Verify(ctx, c.Old, a.Password.Hash)
	if err != nil {
		_ = attempt.Succeed(ctx) // not the user's failure; give the slot back
		return Account{}, err
	}
	if !ok {
		s.emit(ctx, event.PasswordChangeFailed, id, nil)
		if err := attempt.Fail(ctx); err != nil {
			return Account{}, err // *limits.LockedError: this failure locked it
		}
		return Account{}, ErrWrongPassword
	}
	// A failed release only leaves one failure counted: no reason to refuse
	// an owner who knows the password.
	_ = attempt.Succeed(ctx)
	if err := s.checkHistory(ctx, a.Password, c.New); err != nil {
		return Account{}, err
	}
	pw, err := s.hashPassword(ctx, c.New)
	if err != nil {
		return Account{}, err
	}
	_, after, err := s.update(ctx, id, func(cur *Account) error {
		if cur.Password.Hash != a.Password.Hash || cur.LoginEmail() == "" {
			return ErrChangedMeanwhile
		}
		pw.History = password.PushHistory(cur.Password.History, pw.Hash, s.policy.History)
		cur.Password = pw
		return nil
	})
	if err != nil {
		return Account{}, err
	}
	s.emit(ctx, event.PasswordChanged, id, nil)
	return after, nil
}

// checkHistory refuses pw when it matches one of the recent passwords of
// cur (the policy's History, the current one included).
func (s *Service) checkHistory(ctx context.Context, cur Password, pw string) error {
	reused, err := s.hasher.InHistory(ctx, pw, cur.History, s.policy.History)
	if err != nil {
		return err
	}
	if reused {
		return password.ErrReused.With("history", s.policy.History)
	}
	return nil
}

// hashPassword hashes pw into a new Password. The caller pushes the hash
// onto the history of the record it writes.
func (s *Service) hashPassword(ctx context.Context, pw string) (Password, error) {
	hash, err := s.hasher.Hash(ctx, pw)
	if err != nil {
		return Password{}, err
	}
	return Password{Hash: hash, ChangedAt: s.now()}, nil
}
