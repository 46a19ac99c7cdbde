package account

import (
	"context"

	"github.com/accountsec/accountsec/event"
	"github.com/accountsec/accountsec/notify"
	"github.com/accountsec/accountsec/vocab"
)

// contactField describes one of the two contact fields.
type contactField struct {
	name    string // "contact_phone" or "contact_email"
	kind    Kind
	channel notify.Channel
	get     func(*Account) *Contact
}

var (
	contactPhone = contactField{"contact_phone", KindPhone, notify.SMS, func(a *Account) *Contact { return &a.ContactPhone }}
	contactEmail = contactField{"contact_email", KindEmail, notify.Email, func(a *Account) *Contact { return &a.ContactEmail }}
)

// ChangeContactPhone starts a contact phone change: it sends a confirmation
// code to the new number (purpose notify.PurposeConfirmContact) and records
// the number as pending. Until ConfirmContactPhone, notifications keep going
// to the old number (see Account.NotifyAddress). A newer request replaces a
// pending one.
func (s *Service) ChangeContactPhone(ctx context.Context, id, phone, clientIP string) (notify.Sent, error) {
	return s.changeContact(ctx, contactPhone, id, phone, clientIP)
}

// ConfirmContactPhone completes the pending contact phone change with the
// code sent to the new number.
func (s *Service) ConfirmContactPhone(ctx context.Context, id, code string) (Account, error) {
	return s.confirmContact(ctx, contactPhone, id, code)
}

// ChangeContactEmail starts a contact email change, as ChangeContactPhone.
func (s *Service) ChangeContactEmail(ctx context.Context, id, email, clientIP string) (notify.Sent, error) {
	return s.changeContact(ctx, contactEmail, id, email, clientIP)
}

// ConfirmContactEmail completes the pending contact email change with the
// code sent to the new address.
func (s *Service) ConfirmContactEmail(ctx context.Context, id, code string) (Account, error) {
	return s.confirmContact(ctx, contactEmail, id, code)
}

func (s *Service) changeContact(ctx context.Context, f contactField, id, raw, clientIP string) (notify.Sent, error) {
	if err := checkID("account_id", id); err != nil {
		return notify.Sent{}, err
	}
	addr, err := s.normalize(f.kind, raw)
	if err != nil {
		return notify.Sent{}, err
	}
	a, err := s.Account(ctx, id)
	if err != nil {
		return notify.Sent{}, err
	}
	if f.get(&a).Address == addr {
		return notify.Sent{}, ErrSameIdentifier.With("field", f.name)
	}
	// Send first: if delivery fails, nothing is left pending.
	sent, err := s.sendCode(ctx, notify.PurposeConfirmContact, f.channel, addr, id, clientIP)
	if err != nil {
		return notify.Sent{}, err
	}
	_, _, err = s.update(ctx, id, func(a *Account) error {
		c := f.get(a)
		if c.Address == addr {
			return ErrSameIdentifier.With("field", f.name)
		}
		c.Pending, c.PendingSince = addr, s.now()
		return nil
	})
	if err != nil {
		return notify.Sent{}, err
	}
	return sent, nil
}

func (s *Service) confirmContact(ctx context.Context, f contactField, id, code string) (Account, error) {
	if err := checkID("account_id", id); err != nil {
		return Account{}, err
	}
	a, err := s.Account(ctx, id)
	if err != nil {
		return Account{}, err
	}
	pending := f.get(&a).Pending
	if pending == "" {
		return Account{}, ErrNoPendingContact.With("field", f.name)
	}
	if err := s.checkCode(ctx, notify.PurposeConfirmContact, f.channel, pending, id, code); err != nil {
		return Account{}, err
	}
	_, after, err := s.update(ctx, id, func(a *Account) error {
		c := f.get(a)
		if c.Pending != pending {
			return ErrChangedMeanwhile
		}
		*c = Contact{Address: pending}
		return nil
	})
	if err != nil {
		return Account{}, err
	}
	s.emit(ctx, event.ContactChanged, id, map[string]string{"field": f.name, "identifier": maskIdentifier(f.kind, pending)})
	return after, nil
}

// SendSecurityPhoneCode sends the 6-digit SMS code that ChangeSecurityPhone
// needs to the new number (purpose notify.PurposeBindPhone), after checking
// that proof proves OpChangeSecurityPhone. A number that already is the
// security phone of the maximum number of accounts is refused here
// (ErrQuotaExceeded), before an SMS is spent; ChangeSecurityPhone enforces
// the quota again, atomically.
func (s *Service) SendSecurityPhoneCode(ctx context.Context, proof vocab.Proof, id, phone, clientIP string) (notify.Sent, error) {
	if err := checkID("account_id", id); err != nil {
		return notify.Sent{}, err
	}
	p, err := s.normalize(KindPhone, phone)
	if err != nil {
		return notify.Sent{}, err
	}
	if err := s.require(proof, id, OpChangeSecurityPhone); err != nil {
		return notify.Sent{}, err
	}
	a, err := s.Account(ctx, id)
	if err != nil {
		return notify.Sent{}, err
	}
	if a.SecurityPhone == p {
		return notify.Sent{}, ErrSameIdentifier.With("field", "security_phone")
	}
	slot := Slot{ScopeSecurityPhone, KindPhone, p}
	holders, err := s.store.SlotHolders(ctx, slot)
	if err != nil {
		return notify.Sent{}, storeErr(err)
	}
	limit, err := s.limitFor(ctx, id, slot)
	if err != nil {
		return notify.Sent{}, err
	}
	if len(holders) >= limit {
		return notify.Sent{}, s.quotaError(slot)
	}
	return s.sendCode(ctx, notify.PurposeBindPhone, notify.SMS, p, id, clientIP)
}

// ChangeSecurityPhone sets the security phone to phone (docs/RULES.md §4), after checking
// that proof proves OpChangeSecurityPhone and with the code
// SendSecurityPhoneCode sent to it. The phone quota (5 accounts per number
// by default) is taken and the old number's slot released atomically.
func (s *Service) ChangeSecurityPhone(ctx context.Context, proof vocab.Proof, id, phone, code string) (Account, error) {
	if err := checkID("account_id", id); err != nil {
		return Account{}, err
	}
	p, err := s.normalize(KindPhone, phone)
	if err != nil {
		return Account{}, err
	}
	if err := s.require(proof, id, OpChangeSecurityPhone); err != nil {
		return Account{}, err
	}
	a, err := s.Account(ctx, id)
	if err != nil {
		return Account{}, err
	}
	if a.SecurityPhone == p {
		return Account{}, ErrSameIdentifier.With("field", "security_phone")
	}
	if err := s.checkCode(ctx, notify.PurposeBindPhone, notify.SMS, p, id, code); err != nil {
		return Account{}, err
	}
	_, after, err := s.update(ctx, id, func(a *Account) error {
		if a.SecurityPhone == p {
			return errNoChange
		}
		a.SecurityPhone = p
		return nil
	})
	if err != nil {
		return Account{}, err
	}
	s.emit(ctx, event.SecurityPhoneChanged, id, map[string]string{"identifier": MaskPhone(p)})
	return after, nil
}

// SecurityEmailChange is a request to change the security email.
type SecurityEmailChange struct {
	// Email is the new address.
	Email string
	// Code is the code SendSecurityEmailCode sent to it.
	Code string
	// AlsoContactEmail makes the new address the (confirmed) contact email
	// too, replacing any pending contact email change.
	AlsoContactEmail bool
}

// SendSecurityEmailCode sends the 6-digit code that ChangeSecurityEmail
// needs to the new address (purpose PurposeSecurityEmail), after checking
// that proof proves OpChangeSecurityEmail.
func (s *Service) SendSecurityEmailCode(ctx context.Context, proof vocab.Proof, id, email, clientIP string) (notify.Sent, error) {
	if err := checkID("account_id", id); err != nil {
		return notify.Sent{}, err
	}
	e, err := s.normalize(KindEmail, email)
	if err != nil {
		return notify.Sent{}, err
	}
	if err := s.require(proof, id, OpChangeSecurityEmail); err != nil {
		return notify.Sent{}, err
	}
	a, err := s.Account(ctx, id)
	if err != nil {
		return notify.Sent{}, err
	}
	if a.SecurityEmail == e {
		return notify.Sent{}, ErrSameIdentifier.With("field", "security_email")
	}
	return s.sendCode(ctx, PurposeSecurityEmail, notify.Email, e, id, clientIP)
}

// ChangeSecurityEmail sets the security email (docs/RULES.md §4), after checking that
// proof proves OpChangeSecurityEmail and with the code SendSecurityEmailCode sent
// to the new address; optionally the contact email too.
func (s *Service) ChangeSecurityEmail(ctx context.Context, proof vocab.Proof, id string, c SecurityEmailChange) (Account, error) {
	if err := checkID("account_id", id); err != nil {
		return Account{}, err
	}
	e, err := s.normalize(KindEmail, c.Email)
	if err != nil {
		return Account{}, err
	}
	if err := s.require(proof, id, OpChangeSecurityEmail); err != nil {
		return Account{}, err
	}
	a, err := s.Account(ctx, id)
	if err != nil {
		return Account{}, err
	}
	if a.SecurityEmail == e {
		return Account{}, ErrSameIdentifier.With("field", "security_email")
	}
	if err := s.checkCode(ctx, PurposeSecurityEmail, notify.Email, e, id, c.Code); err != nil {
		return Account{}, err
	}
	before, after, err := s.update(ctx, id, func(a *Account) error {
		a.SecurityEmail = e
		if c.AlsoContactEmail {
			a.ContactEmail = Contact{Address: e}
		}
		return nil
	})
	if err != nil {
		return Account{}, err
	}
	masked := MaskEmail(e)
	if before.SecurityEmail != after.SecurityEmail {
		s.emit(ctx, event.SecurityEmailChanged, id, map[string]string{"identifier": masked})
	}
	if before.ContactEmail.Address != after.ContactEmail.Address {
		s.emit(ctx, event.ContactChanged, id, map[string]string{"field": "contact_email", "identifier": masked})
	}
	return after, nil
}
