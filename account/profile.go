package account

import (
	"context"

	"github.com/accountsec/accountsec/event"
	"github.com/accountsec/accountsec/reason"
	"github.com/accountsec/accountsec/vocab"
)

// ProfileChange changes the editable account information; nil fields are
// left alone. The account ID, APPID and registration time cannot be
// changed: they have no field here.
type ProfileChange struct {
	// Nickname, at most MaxNicknameLen characters; "" clears it.
	Nickname *string
	// Industry, one of the Service's Industries; "" clears it.
	Industry *string
}

// UpdateProfile changes the nickname and/or the industry.
func (s *Service) UpdateProfile(ctx context.Context, id string, p ProfileChange) (Account, error) {
	if err := checkID("account_id", id); err != nil {
		return Account{}, err
	}
	var nick, industry string
	var err error
	if p.Nickname != nil {
		if nick, err = checkText("nickname", *p.Nickname, MaxNicknameLen, false); err != nil {
			return Account{}, err
		}
	}
	if p.Industry != nil {
		if industry, err = checkText("industry", *p.Industry, MaxIndustryLen, false); err != nil {
			return Account{}, err
		}
		if err = s.checkIndustry(industry); err != nil {
			return Account{}, err
		}
	}
	_, after, err := s.update(ctx, id, func(a *Account) error {
		changed := false
		if p.Nickname != nil && a.Nickname != nick {
			a.Nickname, changed = nick, true
		}
		if p.Industry != nil && a.Industry != industry {
			a.Industry, changed = industry, true
		}
		if !changed {
			return errNoChange
		}
		return nil
	})
	return after, err
}

// Delete removes the account and releases every quota slot it holds
// (registration, login methods, security phone, real-name identities), in
// one atomic store operation, so the identifiers can serve other accounts
// (docs/RULES.md §1). It is the last step of a cancellation that has passed its
// checks and review (docs/RULES.md §9). proof must prove
// OpApplyCancellation for the account; without it Delete returns
// *vocab.VerificationRequiredError and deletes nothing. The ID and APPID
// stay reserved and are never given to another account.
func (s *Service) Delete(ctx context.Context, proof vocab.Proof, id string) error {
	if err := checkID("account_id", id); err != nil {
		return err
	}
	if err := s.require(proof, id, OpApplyCancellation); err != nil {
		return err
	}
	ok, err := s.store.DeleteAccount(ctx, id)
	if err != nil {
		return storeErr(err)
	}
	if !ok {
		return ErrNotFound
	}
	s.emit(ctx, event.AccountDeleted, id, nil)
	return nil
}

func storeErr(err error) error { return reason.Store(err) }
