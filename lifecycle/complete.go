package lifecycle

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/accountsec/accountsec/account"
	"github.com/accountsec/accountsec/event"
	"github.com/accountsec/accountsec/notify"
	"github.com/accountsec/accountsec/protection"
	"github.com/accountsec/accountsec/reason"
	"github.com/accountsec/accountsec/vocab"
)

// complete makes the application of acc, in status from (with the face
// ticket ticket, when one was checked), irreversible and finishes it. The
// compare-and-set from from to StatusCompleting is the point of no return:
// a racing revoke either wrote first (and this returns
// cancellation.wrong_status with status revoked) or finds it completing.
func (m *Manager) complete(ctx context.Context, acc account.Account, from Status, ticket, reviewer string) (Cancellation, error) {
	before, _, err := m.transition(ctx, acc.ID, func(x *record, found bool, _ time.Time) error {
		switch {
		case !found:
			return ErrNotFound
		case x.status != from:
			return ErrWrongStatus.With("status", string(x.status))
		case x.ticket != ticket:
			return protection.ErrChallengeInvalid
		}
		x.status, x.ticket, x.restricted = StatusCompleting, "", true
		x.reviewer, x.phone, x.email = reviewer, acc.SecurityPhone, acc.SecurityEmail
		return nil
	})
	if err != nil {
		return Cancellation{}, err
	}
	var attrs map[string]string
	if reviewer != "" {
		attrs = map[string]string{"reviewer": reviewer}
	}
	m.emit(ctx, event.CancellationCompleting, acc.ID, before.status, StatusCompleting, time.Time{}, attrs)
	return m.finish(ctx, acc.ID)
}

// Resume finishes a cancellation that is completing (after a failure
// half-way): every step is idempotent, so it can be called again until it
// succeeds. A completed application is returned as it is; other statuses
// are cancellation.wrong_status.
func (m *Manager) Resume(ctx context.Context, accountID string) (Cancellation, error) {
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
	switch r.status {
	case StatusCompleting:
		return m.finish(ctx, accountID)
	case StatusCompleted:
		return r.view(), nil
	}
	return Cancellation{}, ErrWrongStatus.With("status", string(r.status))
}

// finish runs the irreversible steps of a completing application, in an
// order that a failure half-way and a retry can only carry forward:
//
//  1. every session and step-up grant ends and every trusted device is
//     revoked, so nothing signed in outlives the account;
//  2. the account is deleted with every quota slot it held (gone already
//     on a retry); its ID and APPID stay reserved;
//  3. sessions are ended once more, for a login that slipped in between;
//  4. the result goes to the security phone and the security email kept
//     with the application (each channel once);
//  5. the application is completed and forgets the contacts.
//
// A failure in 1–3 leaves it completing, to be resumed; a sender that fails
// leaves it completing with the channels already sent recorded, and the
// error is code.send_failed (the account is cancelled all the same).
func (m *Manager) finish(ctx context.Context, accountID string) (Cancellation, error) {
	r, err := m.open(ctx, accountID)
	if err != nil {
		return Cancellation{}, err
	}
	switch r.status {
	case StatusCompleted:
		return r.view(), nil
	case StatusCompleting:
	default:
		return Cancellation{}, ErrWrongStatus.With("status", string(r.status))
	}
	if err := m.endSessions(ctx, accountID); err != nil {
		return r.view(), err
	}
	err = m.accounts.Delete(ctx, m.ownProof(accountID, vocab.OpApplyCancellation), accountID)
	if err != nil && !errors.Is(err, account.ErrNotFound) {
		return r.view(), err
	}
	if err := m.protection.EndOtherSessions(ctx, accountID, "", protection.CauseCancellation); err != nil {
		return r.view(), err
	}
	smsSent, emailSent, sendErr := m.notify(ctx, r)
	before, after, err := m.transition(ctx, accountID, func(x *record, found bool, now time.Time) error {
		switch {
		case !found:
			return ErrNotFound
		case x.status == StatusCompleted:
			return errStop
		case x.status != StatusCompleting:
			return ErrWrongStatus.With("status", string(x.status))
		}
		x.smsSent, x.emailSent = x.smsSent || smsSent, x.emailSent || emailSent
		if sendErr != nil {
			return nil
		}
		x.status, x.endedAt, x.phone, x.email = StatusCompleted, now, "", ""
		return nil
	})
	if err != nil {
		return r.view(), err
	}
	if sendErr != nil {
		return after.view(), sendErr
	}
	if after.version != before.version {
		var sent []string
		if after.smsSent {
			sent = append(sent, string(notify.SMS))
		}
		if after.emailSent {
			sent = append(sent, string(notify.Email))
		}
		m.emit(ctx, event.CancellationCompleted, accountID, before.status, after.status, time.Time{},
			map[string]string{"notified": strings.Join(sent, ",")})
	}
	return after.view(), nil
}

// endSessions ends every session and grant and revokes every trusted
// device of the account.
func (m *Manager) endSessions(ctx context.Context, accountID string) error {
	if err := m.protection.EndOtherSessions(ctx, accountID, "", protection.CauseCancellation); err != nil {
		return err
	}
	return m.protection.RevokeTrustedDevices(ctx, accountID)
}

// notify sends the result to the channels of r not yet sent to; a channel
// without an address or a sender counts as done. It reports which
// channels it sent to and the first failure.
func (m *Manager) notify(ctx context.Context, r record) (smsSent, emailSent bool, err error) {
	msg := func(ch notify.Channel, to string) notify.Message {
		return notify.Message{Channel: ch, To: to, Purpose: PurposeCancelled, AccountID: r.accountID,
			Params: map[string]string{"account_id": r.accountID}}
	}
	if !r.smsSent && r.phone != "" && m.sms != nil {
		if e := m.sms.SendSMS(ctx, msg(notify.SMS, r.phone)); e != nil {
			err = reason.New(reason.CodeSendFailed).With("channel", string(notify.SMS)).Wrap(e)
		} else {
			smsSent = true
		}
	}
	if !r.emailSent && r.email != "" && m.email != nil {
		if e := m.email.SendEmail(ctx, msg(notify.Email, r.email)); e != nil {
			if err == nil {
				err = reason.New(reason.CodeSendFailed).With("channel", string(notify.Email)).Wrap(e)
			}
		} else {
			emailSent = true
		}
	}
	return smsSent, emailSent, err
}
