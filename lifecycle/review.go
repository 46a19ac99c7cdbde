package lifecycle

import (
	"context"
	"time"

	"github.com/accountsec/accountsec/event"
	"github.com/accountsec/accountsec/reason"
)

// Approve is the manual review's approval of an enterprise application in
// StatusReview: the account is cancelled at once. reviewer names the
// operator (1 to MaxReviewerLen characters). It is an operator's action:
// the host exposes it only to its reviewers. Approving an application that
// is completing finishes it.
func (m *Manager) Approve(ctx context.Context, accountID, reviewer string) (Cancellation, error) {
	if m == nil {
		return Cancellation{}, reason.Unavailable("account cancellation", "accountsec.Deps.Resources")
	}
	if err := checkAccountID(accountID); err != nil {
		return Cancellation{}, err
	}
	who, err := checkReviewer(reviewer)
	if err != nil {
		return Cancellation{}, err
	}
	r, err := m.open(ctx, accountID)
	if err != nil {
		return Cancellation{}, err
	}
	switch r.status {
	case StatusCompleting:
		return m.finish(ctx, accountID)
	case StatusReview:
	default:
		return Cancellation{}, ErrWrongStatus.With("status", string(r.status))
	}
	acc, err := m.accounts.Account(ctx, accountID)
	if err != nil {
		return Cancellation{}, err
	}
	return m.complete(ctx, acc, StatusReview, "", who)
}

// Reject is the manual review's refusal of an application in
// StatusReview: the application ends (StatusRejected) and the account is
// active again. note (at most MaxReviewNoteLen characters) says why.
func (m *Manager) Reject(ctx context.Context, accountID, reviewer, note string) (Cancellation, error) {
	if m == nil {
		return Cancellation{}, reason.Unavailable("account cancellation", "accountsec.Deps.Resources")
	}
	if err := checkAccountID(accountID); err != nil {
		return Cancellation{}, err
	}
	who, err := checkReviewer(reviewer)
	if err != nil {
		return Cancellation{}, err
	}
	why, err := checkText("review_note", note, MaxReviewNoteLen)
	if err != nil {
		return Cancellation{}, err
	}
	before, after, err := m.transition(ctx, accountID, func(x *record, found bool, now time.Time) error {
		switch {
		case !found:
			return ErrNotFound
		case x.status == StatusCompleting || x.status == StatusCompleted:
			return ErrIrreversible.With("status", string(x.status))
		case x.status != StatusReview:
			return ErrWrongStatus.With("status", string(x.status))
		}
		x.status, x.reviewer, x.reviewNote, x.endedAt = StatusRejected, who, why, now
		return nil
	})
	if err != nil {
		return Cancellation{}, err
	}
	if err := m.sync(ctx, accountID); err != nil {
		return after.view(), err
	}
	m.emit(ctx, event.CancellationRejected, accountID, before.status, after.status, time.Time{},
		map[string]string{"reviewer": who})
	return after.view(), nil
}

// Revoke ends the account's application at any time before it completes
// (checking, cooling off, identity check, review): the application is
// StatusRevoked and the account is active again at once. Revoking a
// revoked application changes nothing (and repairs the account's state if
// an earlier revoke failed half-way). A cancellation that is completing or
// completed is cancellation.irreversible. Of a revoke and a completion that
// race, exactly one happens.
func (m *Manager) Revoke(ctx context.Context, accountID string) (Cancellation, error) {
	if m == nil {
		return Cancellation{}, reason.Unavailable("account cancellation", "accountsec.Deps.Resources")
	}
	if err := checkAccountID(accountID); err != nil {
		return Cancellation{}, err
	}
	before, after, err := m.transition(ctx, accountID, func(x *record, found bool, now time.Time) error {
		switch {
		case !found:
			return ErrNotFound
		case x.status == StatusRevoked:
			return errStop
		case x.status == StatusCompleting || x.status == StatusCompleted:
			return ErrIrreversible.With("status", string(x.status))
		case !x.status.Open():
			return ErrWrongStatus.With("status", string(x.status))
		}
		x.status, x.ticket, x.endedAt = StatusRevoked, "", now
		return nil
	})
	if err != nil {
		return Cancellation{}, err
	}
	if err := m.sync(ctx, accountID); err != nil {
		return after.view(), err
	}
	if after.version != before.version {
		m.emit(ctx, event.CancellationRevoked, accountID, before.status, after.status, time.Time{}, nil)
	}
	return after.view(), nil
}

func checkReviewer(s string) (string, error) {
	who, err := checkText("reviewer", s, MaxReviewerLen)
	if err == nil && who == "" {
		err = reason.New(reason.InputEmpty).With("field", "reviewer")
	}
	return who, err
}
