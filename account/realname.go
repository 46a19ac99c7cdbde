package account

import (
	"context"
	"time"
	"unicode/utf8"

	"github.com/accountsec/accountsec/event"
)

// Lengths of real-name fields, in Unicode characters.
const (
	MaxPersonNameLen     = 64
	MaxEnterpriseNameLen = 128
)

// PersonalIdentity is a person's identity as verified by the host (name,
// identity number, face check).
type PersonalIdentity struct {
	// Name is the person's name.
	Name string
	// IDNumber is the identity number (see Normalize, KindPersonalID).
	IDNumber string
}

// EnterpriseIdentity is an enterprise's identity as verified by the host.
type EnterpriseIdentity struct {
	// Name is the enterprise's name, at least the policy's
	// MinEnterpriseNameLength Unicode characters (5 by default).
	Name string
	// CreditCode is the unified social credit code (KindEnterpriseID).
	CreditCode string
	// LegalPersonName is the legal person's name.
	LegalPersonName string
	// LegalPersonID is the legal person's identity number
	// (KindLegalPerson).
	LegalPersonID string
}

// RecordPersonal records a successful personal real-name verification that
// the host performed. The identity number is kept only masked and as a
// keyed hash. Rules (docs/RULES.md §1): one personal identity verifies at most 3
// accounts by default (ErrQuotaExceeded); a verified account may change its
// real-name information only once the change interval (30 days by default)
// has passed since the last verification (ErrRealNameTooSoon, with the
// time it becomes possible); re-recording the same identity is
// ErrRealNameUnchanged. The previous identity's slots are released in the
// same atomic write.
func (s *Service) RecordPersonal(ctx context.Context, id string, p PersonalIdentity) (Account, error) {
	if err := checkID("account_id", id); err != nil {
		return Account{}, err
	}
	name, err := checkText("name", p.Name, MaxPersonNameLen, true)
	if err != nil {
		return Account{}, err
	}
	num, err := s.normalize(KindPersonalID, p.IDNumber)
	if err != nil {
		return Account{}, err
	}
	rn := RealName{
		Status:       RealNamePersonal,
		Name:         name,
		MaskedNumber: MaskIDNumber(num),
		NumberHash:   s.idHash(KindPersonalID, num),
	}
	return s.recordRealName(ctx, id, rn)
}

// RecordEnterprise records a successful enterprise real-name verification
// that the host performed. Rules (docs/RULES.md §1): the name has at least the
// minimum number of Unicode characters (5 by default, so four CJK
// characters are too few: ErrEnterpriseNameTooShort); one enterprise
// identity verifies at most 10 accounts and one legal person at most 20
// enterprise accounts (ErrQuotaExceeded); the change interval applies as
// for RecordPersonal, except that a personally verified account may upgrade
// to enterprise at any time.
func (s *Service) RecordEnterprise(ctx context.Context, id string, e EnterpriseIdentity) (Account, error) {
	if err := checkID("account_id", id); err != nil {
		return Account{}, err
	}
	name, err := checkText("enterprise_name", e.Name, MaxEnterpriseNameLen, true)
	if err != nil {
		return Account{}, err
	}
	min, err := s.minEnterpriseName(ctx, id)
	if err != nil {
		return Account{}, err
	}
	if utf8.RuneCountInString(name) < min {
		return Account{}, ErrEnterpriseNameTooShort.With("min", min)
	}
	code, err := s.normalize(KindEnterpriseID, e.CreditCode)
	if err != nil {
		return Account{}, err
	}
	legalName, err := checkText("legal_person_name", e.LegalPersonName, MaxPersonNameLen, true)
	if err != nil {
		return Account{}, err
	}
	legalID, err := s.normalize(KindLegalPerson, e.LegalPersonID)
	if err != nil {
		return Account{}, err
	}
	rn := RealName{
		Status:          RealNameEnterprise,
		Name:            name,
		MaskedNumber:    MaskIDNumber(code),
		NumberHash:      s.idHash(KindEnterpriseID, code),
		LegalPersonName: legalName,
		LegalPersonHash: s.idHash(KindLegalPerson, legalID),
	}
	return s.recordRealName(ctx, id, rn)
}

func (s *Service) recordRealName(ctx context.Context, id string, rn RealName) (Account, error) {
	_, after, err := s.update(ctx, id, func(a *Account) error {
		now := s.now()
		if err := s.realNameChangeAllowed(a.RealName, rn, now); err != nil {
			return err
		}
		rn.VerifiedAt = now
		a.RealName = rn
		return nil
	})
	if err != nil {
		return Account{}, err
	}
	s.emit(ctx, event.RealNameVerified, id, map[string]string{"status": string(rn.Status)})
	return after, nil
}

// realNameChangeAllowed applies the change rules to replacing cur by next.
func (s *Service) realNameChangeAllowed(cur, next RealName, now time.Time) error {
	switch {
	case cur.Status == RealNameUnverified || cur.Status == "":
		return nil
	case cur.Status == next.Status && cur.Name == next.Name && cur.NumberHash == next.NumberHash &&
		cur.LegalPersonName == next.LegalPersonName && cur.LegalPersonHash == next.LegalPersonHash:
		return ErrRealNameUnchanged
	case cur.Status == RealNamePersonal && next.Status == RealNameEnterprise:
		return nil // the upgrade is exempt from the interval
	}
	until := cur.VerifiedAt.Add(s.quotas.RealNameChangeInterval)
	if now.Before(until) {
		return ErrRealNameTooSoon.With("until", until.UTC().Format(time.RFC3339))
	}
	return nil
}
