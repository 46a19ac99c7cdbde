package recovery

import (
	"context"

	"github.com/accountsec/accountsec/account"
	"github.com/accountsec/accountsec/account/password"
	"github.com/accountsec/accountsec/vocab"
)

// PurposeResetPassword is the verification purpose of a reset: the name of
// the operation protection.OpResetPassword, which always asks for identity
// verification. Start the verification with it and PendingReset.Binding.
const PurposeResetPassword = "reset_password"

// CausePasswordReset is the cause given to SessionEnder after a reset; the
// same as protection.CausePasswordReset.
const CausePasswordReset = "password_reset"

// Verifier says whether the user has passed identity verification for
// purpose on the account, bound to binding (PendingReset.Binding; a reset
// is not a session, so the binding is given rather than read from the
// context). When verified it returns the proof of purpose that
// account.Service.ResetPassword checks. *protection.Manager implements it.
type Verifier interface {
	// VerifiedFor returns the proof of purpose for the account in binding,
	// or *vocab.VerificationRequiredError when it has not been verified.
	VerifiedFor(ctx context.Context, accountID, binding, purpose string) (vocab.Proof, error)
}

// VerifierFunc adapts a function to the Verifier interface.
type VerifierFunc func(ctx context.Context, accountID, binding, purpose string) (vocab.Proof, error)

// VerifiedFor calls f.
func (f VerifierFunc) VerifiedFor(ctx context.Context, accountID, binding, purpose string) (vocab.Proof, error) {
	return f(ctx, accountID, binding, purpose)
}

// SessionEnder ends the sessions of an account; *protection.Manager
// implements it. A reset calls it with keepSessionID "" (end them all) and
// cause CausePasswordReset.
type SessionEnder interface {
	EndOtherSessions(ctx context.Context, accountID, keepSessionID, cause string) error
}

// Accounts is what a reset needs from the accounts; *account.Service
// implements it.
type Accounts interface {
	// PasswordPolicy returns the password policy in force.
	PasswordPolicy() password.Policy
	// AccountsByLogin returns the accounts with login method m bound to
	// the identifier raw.
	AccountsByLogin(ctx context.Context, m account.Method, raw string) ([]account.Account, error)
	// Account returns the account with the ID. A request for an unknown
	// address reads an account with it, so that it reads as much as a
	// known one (which AccountsByLogin found).
	Account(ctx context.Context, id string) (account.Account, error)
	// ResetPassword sets the password without the old one, calling
	// r.Claim just before the write; p proves the reset.
	ResetPassword(ctx context.Context, p vocab.Proof, id string, r account.PasswordReset) (account.Account, error)
}

var _ Accounts = (*account.Service)(nil)
