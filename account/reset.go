package account

import (
	"context"

	"github.com/accountsec/accountsec/account/password"
	"github.com/accountsec/accountsec/event"
	"github.com/accountsec/accountsec/vocab"
)

// PasswordReset is a request to set the email login password without the
// old one (docs/RULES.md §3, forgotten password).
type PasswordReset struct {
	// New is the new password.
	New string
	// Claim, when not nil, is called once, after every check has passed
	// and the new password is hashed, just before the write. If it returns
	// an error, nothing is written and that error is returned as is.
	// Package recovery consumes the single-use reset token here, so that a
	// token is spent only by a reset that is about to be written, and of
	// concurrent resets with one token only the one whose claim succeeds
	// writes.
	Claim func(ctx context.Context) error
}

// ResetPassword sets the email login password of account id to r.New
// without the old password. proof must prove OpResetPassword for the
// account: protection.Manager.Verified mints it for the binding of a reset
// whose identity verification was passed (package recovery does this after
// checking the single-use reset token). Without it ResetPassword returns
// *vocab.VerificationRequiredError and changes nothing.
//
// The account must have an email login method (ErrNoPassword otherwise);
// the new password must meet the policy and differ from the recent ones
// (the policy's History, the current one included). The write is one
// version-checked update; if the password changed between the checks and
// the write (a concurrent change or hash upgrade), it is refused with
// ErrChangedMeanwhile after r.Claim has run. On success it emits
// PasswordReset. Ending the account's sessions is the caller's job.
func (s *Service) ResetPassword(ctx context.Context, proof vocab.Proof, id string, r PasswordReset) (Account, error) {
	if err := checkID("account_id", id); err != nil {
		return Account{}, err
	}
	if err := s.require(proof, id, OpResetPassword); err != nil {
		return Account{}, err
	}
	if err := s.checkNewPassword(r.New); err != nil {
		return Account{}, err
	}
	a, err := s.Account(ctx, id)
	if err != nil {
		return Account{}, err
	}
	if a.LoginEmail() == "" || a.Password.Hash == "" {
		return Account{}, ErrNoPassword
	}
	if err := s.checkHistory(ctx, a.Password, r.New); err != nil {
		return Account{}, err
	}
	pw, err := s.hashPassword(ctx, r.New)
	if err != nil {
		return Account{}, err
	}
	if r.Claim != nil {
		if err := r.Claim(ctx); err != nil {
			return Account{}, err
		}
	}
	_, after, err := s.update(ctx, id, func(cur *Account) error {
		// The history was checked against the password read above; a
		// newer one would have to be checked again.
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
	s.events.Emit(ctx, event.Event{Kind: event.PasswordReset, At: s.now(), AccountID: id, Scope: "reset"})
	return after, nil
}
