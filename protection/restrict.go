package protection

import (
	"context"
	"time"

	"github.com/accountsec/accountsec/account"
	"github.com/accountsec/accountsec/event"
	"github.com/accountsec/accountsec/reason"
)

// ErrAccountRestricted: the account is cancelling (docs/RULES.md §9), so
// Authorize refuses every operation that is neither an account-centre nor a
// billing one. Params: state (the account's state), operation.
var ErrAccountRestricted = reason.New(reason.ProtectionAccountRestricted)

// Restricted reports whether an account in state st may perform only
// account-centre and billing operations: true while it is cancelling.
// Logins are never restricted.
func Restricted(st account.State) bool { return st == account.StateCancelling }

// AllowedWhileCancelling reports whether a cancelling account may still
// perform op: an account-centre operation (every built-in one) or a
// billing one.
func (op Operation) AllowedWhileCancelling() bool { return op.AccountCentre || op.Billing }

// restriction reads the account's profile for an operation a cancelling
// account may not perform, and refuses it when the account is cancelling.
// The profile it returns serves the rest of the decision, so the refusal
// costs no extra read where the profile is read anyway; the step-up path
// reads it only for such operations.
func (m *Manager) restriction(ctx context.Context, accountID string, op Operation) (Profile, error) {
	p, err := m.profile(ctx, accountID)
	if err != nil {
		return Profile{}, err
	}
	if Restricted(p.State) {
		m.emit(ctx, event.OperationRestricted, accountID, "operation", time.Time{},
			map[string]string{"operation": op.Name, "state": string(p.State)})
		return Profile{}, ErrAccountRestricted.With("state", string(p.State)).With("operation", op.Name)
	}
	return p, nil
}
