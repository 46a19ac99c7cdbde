package lifecycle

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/accountsec/accountsec/event"
	"github.com/accountsec/accountsec/reason"
	"github.com/accountsec/accountsec/vocab"
)

// maxListed bounds the lists of an Application (conditions, reasons)
// before they are looked at.
const maxListed = 64

// Apply starts the cancellation of the account: p must prove
// vocab.OpApplyCancellation for it (protection.Manager.Authorize; the
// operation always verifies identity), otherwise it returns
// *vocab.VerificationRequiredError. The application must confirm every
// condition in force and pick at least one reason; "other" needs its free
// text. A bad application is a reason-coded error (input.too_long,
// input.malformed for control or invisible characters,
// cancellation.condition_unconfirmed, cancellation.reason_required, …) and
// nothing is stored. An open application is cancellation.in_progress; a
// revoked or rejected one is replaced. The new application is
// StatusChecking: run [Manager.Check] next.
func (m *Manager) Apply(ctx context.Context, p vocab.Proof, accountID string, a Application) (Cancellation, error) {
	if m == nil {
		return Cancellation{}, reason.Unavailable("account cancellation", "accountsec.Deps.Resources")
	}
	if err := checkAccountID(accountID); err != nil {
		return Cancellation{}, err
	}
	if err := vocab.Require(p, accountID, vocab.OpApplyCancellation, m.now()); err != nil {
		return Cancellation{}, err
	}
	app, err := m.validate(a)
	if err != nil {
		return Cancellation{}, err
	}
	if _, err := m.accounts.Account(ctx, accountID); err != nil {
		return Cancellation{}, err
	}
	before, after, err := m.transition(ctx, accountID, func(r *record, found bool, now time.Time) error {
		if found && r.status.Open() {
			return ErrInProgress.With("status", string(r.status))
		}
		*r = app
		r.status, r.appliedAt = StatusChecking, now
		return nil
	})
	if err != nil {
		return Cancellation{}, err
	}
	m.emit(ctx, event.CancellationApplied, accountID, before.status, after.status, time.Time{},
		map[string]string{"reasons": strings.Join(after.reasons, ",")})
	return after.view(), m.sync(ctx, accountID)
}

// validate checks a and returns it as a record (without status or times).
func (m *Manager) validate(a Application) (record, error) {
	var r record
	if len(a.Confirmed) > maxListed {
		return record{}, reason.New(reason.InputTooLong).With("field", "confirmed").With("max", maxListed)
	}
	if len(a.Reasons) > maxListed {
		return record{}, reason.New(reason.InputTooLong).With("field", "reasons").With("max", maxListed)
	}
	for _, c := range a.Confirmed {
		if !slices.Contains(m.conditions, c) {
			return record{}, reason.New(reason.CancellationConditionUnknown).With("condition", printable(string(c)))
		}
	}
	for _, c := range m.conditions {
		if !slices.Contains(a.Confirmed, c) {
			return record{}, reason.New(reason.CancellationConditionUnconfirmed).With("condition", string(c))
		}
		r.confirmed = append(r.confirmed, string(c))
	}
	if len(a.Reasons) == 0 {
		return record{}, reason.New(reason.CancellationReasonRequired)
	}
	for i, x := range a.Reasons {
		if !slices.Contains(Reasons(), x) {
			return record{}, reason.New(reason.CancellationReasonUnknown).With("reason", printable(string(x)))
		}
		if slices.Contains(a.Reasons[:i], x) {
			return record{}, reason.New(reason.InputMalformed).With("field", "reasons").With("detail", "repeated")
		}
		r.reasons = append(r.reasons, string(x))
	}
	other, err := checkText("other_reason", a.OtherReason, m.policy.MaxOtherReasonLen)
	if err != nil {
		return record{}, err
	}
	switch hasOther := slices.Contains(a.Reasons, ReasonOther); {
	case hasOther && other == "":
		return record{}, reason.New(reason.InputEmpty).With("field", "other_reason")
	case !hasOther && other != "":
		return record{}, reason.New(reason.InputMalformed).With("field", "other_reason").With("detail", "without_other")
	}
	remark, err := checkText("remark", a.Remark, m.policy.MaxRemarkLen)
	if err != nil {
		return record{}, err
	}
	r.otherReason, r.remark = other, remark
	return r, nil
}

// printable returns s for an error parameter when it is short printable
// ASCII, or "?" (the parameter echoes the caller's input).
func printable(s string) string {
	if len(s) > MaxConditionBytes {
		return "?"
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x21 || c > 0x7e {
			return "?"
		}
	}
	return s
}
