package account

import (
	"context"

	"github.com/accountsec/accountsec/event"
	"github.com/accountsec/accountsec/reason"
	"github.com/accountsec/accountsec/vocab"
)

// OpSetState is the operation of moving an account between its lifecycle
// states (active, cancelling). Only the cancellation flow proves it
// (package lifecycle mints the proof for its own transition), so no caller
// can lift or impose the cancelling restriction on its own.
const OpSetState = "internal/set_account_state"

// SetState moves the account to state st (StateActive or StateCancelling)
// in one version-checked write; an account already in st is left alone.
// p must prove OpSetState for the account; otherwise it returns
// *vocab.VerificationRequiredError and nothing changes. An unknown state is
// reason.InputMalformed (field "state").
func (s *Service) SetState(ctx context.Context, p vocab.Proof, id string, st State) (Account, error) {
	if err := checkID("account_id", id); err != nil {
		return Account{}, err
	}
	if st != StateActive && st != StateCancelling {
		return Account{}, reason.New(reason.InputMalformed).With("field", "state")
	}
	if err := s.require(p, id, OpSetState); err != nil {
		return Account{}, err
	}
	before, after, err := s.update(ctx, id, func(a *Account) error {
		if a.State == st || (a.State == "" && st == StateActive) {
			return errNoChange
		}
		a.State = st
		return nil
	})
	if err != nil {
		return Account{}, err
	}
	if before.Version != after.Version {
		s.emit(ctx, event.AccountStateChanged, id, map[string]string{"from": string(before.State), "state": string(st)})
	}
	return after, nil
}
