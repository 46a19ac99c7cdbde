package account

import (
	"context"

	"github.com/accountsec/accountsec/event"
	"github.com/accountsec/accountsec/notify"
	"github.com/accountsec/accountsec/vocab"
)

// ConfirmContactEmailAlsoSecurity completes the pending contact email
// change, as ConfirmContactEmail, and with the option "also change the
// security email" (docs/RULES.md §4) makes the new address the security
// email too, in the same write.
//
// The option goes through the security email's own door: proof must prove
// OpChangeSecurityEmail for the account, checked before the code is, so
// without it nothing changes and the code stays usable for a plain
// ConfirmContactEmail. The code that ChangeContactEmail sent to the new
// address proves the address, as SendSecurityEmailCode's code would. A
// contact email change without the option needs no proof
// (ConfirmContactEmail); a security email change with the contact option
// is ChangeSecurityEmail with AlsoContactEmail.
func (s *Service) ConfirmContactEmailAlsoSecurity(ctx context.Context, proof vocab.Proof, id, code string) (Account, error) {
	if err := checkID("account_id", id); err != nil {
		return Account{}, err
	}
	if err := s.require(proof, id, OpChangeSecurityEmail); err != nil {
		return Account{}, err
	}
	a, err := s.Account(ctx, id)
	if err != nil {
		return Account{}, err
	}
	pending := a.ContactEmail.Pending
	if pending == "" {
		return Account{}, ErrNoPendingContact.With("field", contactEmail.name)
	}
	if err := s.checkCode(ctx, notify.PurposeConfirmContact, notify.Email, pending, id, code); err != nil {
		return Account{}, err
	}
	before, after, err := s.update(ctx, id, func(a *Account) error {
		if a.ContactEmail.Pending != pending {
			return ErrChangedMeanwhile
		}
		a.ContactEmail = Contact{Address: pending}
		a.SecurityEmail = pending
		return nil
	})
	if err != nil {
		return Account{}, err
	}
	masked := MaskEmail(pending)
	s.emit(ctx, event.ContactChanged, id, map[string]string{"field": contactEmail.name, "identifier": masked})
	if before.SecurityEmail != after.SecurityEmail {
		s.emit(ctx, event.SecurityEmailChanged, id, map[string]string{"identifier": masked})
	}
	return after, nil
}
