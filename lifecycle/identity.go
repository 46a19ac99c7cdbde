package lifecycle

import (
	"context"
	"time"

	"github.com/accountsec/accountsec/account"
	"github.com/accountsec/accountsec/event"
	"github.com/accountsec/accountsec/protection"
	"github.com/accountsec/accountsec/reason"
)

// StartIdentityCheck begins the identity check of an application in
// StatusIdentity, by the account's real-name type:
//
//   - unverified: there is no one to check, and the account is cancelled
//     at once (the returned application is completed);
//   - personal: a face check of the real-name person is started
//     (IdentityCheck.Face, Challenge.URL to open), and
//     FinishIdentityCheck then cancels the account at once;
//   - enterprise: a face check of the legal person is started, and
//     FinishIdentityCheck then hands the application to manual review.
//
// Starting again replaces a face check that was not finished. Without a
// face verifier, personal and enterprise accounts get
// cancellation.no_face_verifier. An application that is completing is
// finished (a retry of its completion).
func (m *Manager) StartIdentityCheck(ctx context.Context, accountID string) (IdentityCheck, error) {
	if m == nil {
		return IdentityCheck{}, reason.Unavailable("account cancellation", "accountsec.Deps.Resources")
	}
	if err := checkAccountID(accountID); err != nil {
		return IdentityCheck{}, err
	}
	r, err := m.open(ctx, accountID)
	if err != nil {
		return IdentityCheck{}, err
	}
	if r.status == StatusCompleting {
		c, err := m.finish(ctx, accountID)
		return IdentityCheck{Cancellation: c}, err
	}
	if r.status != StatusIdentity {
		return IdentityCheck{}, ErrWrongStatus.With("status", string(r.status))
	}
	acc, err := m.accounts.Account(ctx, accountID)
	if err != nil {
		return IdentityCheck{}, err
	}
	rn := acc.RealName.Status
	if rn != account.RealNamePersonal && rn != account.RealNameEnterprise {
		c, err := m.complete(ctx, acc, StatusIdentity, "", "")
		return IdentityCheck{Cancellation: c}, err
	}
	if m.face == nil {
		return IdentityCheck{}, ErrNoFaceVerifier
	}
	ch, err := m.face.StartFace(ctx, accountID)
	if err != nil {
		return IdentityCheck{}, protection.ErrVerifierUnavailable.Wrap(err)
	}
	if ch.Ticket == "" || checkKey("ticket", ch.Ticket, 1024) != nil {
		return IdentityCheck{}, protection.ErrVerifierUnavailable.With("detail", "malformed_ticket")
	}
	before, after, err := m.transition(ctx, accountID, func(x *record, _ bool, _ time.Time) error {
		if x.status != StatusIdentity {
			return ErrWrongStatus.With("status", string(x.status))
		}
		x.ticket, x.realName = ch.Ticket, string(rn)
		return nil
	})
	if err != nil {
		return IdentityCheck{}, err
	}
	m.emit(ctx, event.CancellationFaceStarted, accountID, before.status, after.status, time.Time{},
		map[string]string{"real_name": string(rn)})
	return IdentityCheck{Cancellation: after.view(), Face: true, Challenge: ch}, nil
}

// FinishIdentityCheck asks the host for the result of the face check that
// StartIdentityCheck began. Not finished yet: protection.ErrNotConfirmed
// (nothing changes; ask again). No match: protection.ErrRejected, and the
// face check must be started again. A match: a personal account is
// cancelled at once (the returned application is completed); an
// enterprise account goes to manual review (StatusReview, the account
// cancelling), due Policy.ReviewWorkingDays working days from now. An
// application that is completing is finished (a retry of its completion).
func (m *Manager) FinishIdentityCheck(ctx context.Context, accountID string) (Cancellation, error) {
	if m == nil {
		return Cancellation{}, reason.Unavailable("account cancellation", "accountsec.Deps.Resources")
	}
	if err := checkAccountID(accountID); err != nil {
		return Cancellation{}, err
	}
	r, err := m.open(ctx, accountID)
	if err != nil {
		return Cancellation{}, err
	}
	switch {
	case r.status == StatusCompleting:
		return m.finish(ctx, accountID)
	case r.status != StatusIdentity:
		return Cancellation{}, ErrWrongStatus.With("status", string(r.status))
	case r.ticket == "":
		return Cancellation{}, protection.ErrChallengeInvalid
	case m.face == nil:
		return Cancellation{}, ErrNoFaceVerifier
	}
	res, err := m.face.FaceResult(ctx, accountID, r.ticket)
	if err != nil {
		return Cancellation{}, protection.ErrVerifierUnavailable.Wrap(err)
	}
	sameCheck := func(x *record) error {
		if x.status != StatusIdentity {
			return ErrWrongStatus.With("status", string(x.status))
		}
		if x.ticket != r.ticket {
			return protection.ErrChallengeInvalid
		}
		return nil
	}
	switch res {
	case protection.HostConfirmed:
	case protection.HostRejected:
		before, after, err := m.transition(ctx, accountID, func(x *record, _ bool, _ time.Time) error {
			if err := sameCheck(x); err != nil {
				return err
			}
			x.ticket = ""
			return nil
		})
		if err != nil {
			return Cancellation{}, err
		}
		m.emit(ctx, event.CancellationFaceRejected, accountID, before.status, after.status, time.Time{}, nil)
		return after.view(), protection.ErrRejected
	default:
		return r.view(), protection.ErrNotConfirmed
	}
	if account.RealNameStatus(r.realName) != account.RealNameEnterprise {
		acc, err := m.accounts.Account(ctx, accountID)
		if err != nil {
			return Cancellation{}, err
		}
		return m.complete(ctx, acc, StatusIdentity, r.ticket, "")
	}
	deadline, err := AddWorkingDays(ctx, m.calendar, m.zone, m.now(), m.policy.ReviewWorkingDays)
	if err != nil {
		return Cancellation{}, err
	}
	if err := m.setState(ctx, accountID, account.StateCancelling); err != nil {
		return Cancellation{}, err
	}
	before, after, err := m.transition(ctx, accountID, func(x *record, _ bool, _ time.Time) error {
		if err := sameCheck(x); err != nil {
			return err
		}
		x.status, x.ticket, x.restricted, x.reviewDeadline = StatusReview, "", true, deadline
		return nil
	})
	if serr := m.sync(ctx, accountID); err == nil {
		err = serr
	}
	if err != nil {
		return Cancellation{}, err
	}
	m.emit(ctx, event.CancellationReview, accountID, before.status, after.status, deadline, nil)
	return after.view(), nil
}
