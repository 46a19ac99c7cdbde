package lifecycle

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/accountsec/accountsec/account"
	"github.com/accountsec/accountsec/event"
	"github.com/accountsec/accountsec/reason"
)

// Check runs the host's resource check for the account's application, on
// demand, and moves it on when the check passes: every resource that must
// be handled is gone and every abandonable one was abandoned.
//
//   - In StatusChecking, a passing check with unsettled postpaid resources
//     starts the cooling-off period (StatusCoolingOff; the account becomes
//     account.StateCancelling until Policy.CoolingOff from now); without
//     them the identity check is next (StatusIdentity).
//   - In StatusCoolingOff, the check runs only once the period is over
//     (before, cancellation.cooling_off with its end); a passing check
//     with nothing left unsettled moves to StatusIdentity, the account
//     staying cancelling until the application ends.
//
// A check that does not pass changes nothing and reports what remains.
// Other statuses are cancellation.wrong_status; a failing checker is
// cancellation.checker_failed.
func (m *Manager) Check(ctx context.Context, accountID string) (CheckReport, error) {
	if m == nil {
		return CheckReport{}, reason.Unavailable("account cancellation", "accountsec.Deps.Resources")
	}
	if err := checkAccountID(accountID); err != nil {
		return CheckReport{}, err
	}
	r, err := m.open(ctx, accountID)
	if err != nil {
		return CheckReport{}, err
	}
	seen := r.status
	switch {
	case seen != StatusChecking && seen != StatusCoolingOff:
		return CheckReport{}, ErrWrongStatus.With("status", string(seen))
	case seen == StatusCoolingOff && m.now().Before(r.coolingUntil):
		return CheckReport{}, ErrCoolingOff.With("until", r.coolingUntil.UTC().Format(time.RFC3339))
	}
	inv, err := m.inventory(ctx, accountID)
	if err != nil {
		return CheckReport{}, err
	}
	rep := CheckReport{UnsettledPostpaid: inv.UnsettledPostpaid}
	for _, res := range inv.Resources {
		switch {
		case !res.Abandonable:
			rep.MustHandle = append(rep.MustHandle, res)
		case !slices.Contains(r.abandoned, res.ID):
			rep.NotAbandoned = append(rep.NotAbandoned, res)
		}
	}
	passed := len(rep.MustHandle) == 0 && len(rep.NotAbandoned) == 0
	attrs := map[string]string{
		"must_handle": strconv.Itoa(len(rep.MustHandle)), "not_abandoned": strconv.Itoa(len(rep.NotAbandoned)),
		"unsettled_postpaid": strconv.FormatBool(inv.UnsettledPostpaid), "passed": strconv.FormatBool(passed),
	}
	m.emit(ctx, event.CancellationChecked, accountID, seen, seen, time.Time{}, attrs)
	if !passed || (seen == StatusCoolingOff && inv.UnsettledPostpaid) {
		rep.Cancellation = r.view()
		return rep, nil
	}
	next := StatusIdentity
	if seen == StatusChecking && inv.UnsettledPostpaid {
		next = StatusCoolingOff
		// Restrict first: a failure before the document is written errs on
		// the restricted side, and sync below repairs it.
		if err := m.setState(ctx, accountID, account.StateCancelling); err != nil {
			return CheckReport{}, err
		}
	}
	_, after, err := m.transition(ctx, accountID, func(x *record, _ bool, now time.Time) error {
		if x.status != seen {
			return ErrWrongStatus.With("status", string(x.status))
		}
		x.status = next
		if next == StatusCoolingOff {
			x.restricted, x.coolingUntil = true, now.Add(m.policy.CoolingOff)
		}
		return nil
	})
	if serr := m.sync(ctx, accountID); err == nil {
		err = serr
	}
	if err != nil {
		return CheckReport{}, err
	}
	if next == StatusCoolingOff {
		m.emit(ctx, event.CancellationCoolingOff, accountID, seen, next, after.coolingUntil, nil)
	} else {
		m.emit(ctx, event.CancellationIdentityCheck, accountID, seen, next, time.Time{}, nil)
	}
	rep.Cancellation, rep.Advanced = after.view(), true
	return rep, nil
}

// Abandon records that the user explicitly abandons the resources with
// the IDs (they are released with the account). Each must be one the
// resource check reports now (cancellation.resource_unknown) and
// abandonable (cancellation.resource_must_be_handled); then nothing is
// recorded. The application must be checking or cooling off. Abandoning
// does not run the check: call Check.
func (m *Manager) Abandon(ctx context.Context, accountID string, ids []string) (Cancellation, error) {
	if m == nil {
		return Cancellation{}, reason.Unavailable("account cancellation", "accountsec.Deps.Resources")
	}
	if err := checkAccountID(accountID); err != nil {
		return Cancellation{}, err
	}
	switch {
	case len(ids) == 0:
		return Cancellation{}, reason.New(reason.InputEmpty).With("field", "resources")
	case len(ids) > MaxResources:
		return Cancellation{}, reason.New(reason.InputTooLong).With("field", "resources").With("max", MaxResources)
	}
	for _, id := range ids {
		if err := checkKey("resource", id, MaxResourceIDBytes); err != nil {
			return Cancellation{}, err
		}
	}
	r, err := m.open(ctx, accountID)
	if err != nil {
		return Cancellation{}, err
	}
	if r.status != StatusChecking && r.status != StatusCoolingOff {
		return Cancellation{}, ErrWrongStatus.With("status", string(r.status))
	}
	inv, err := m.inventory(ctx, accountID)
	if err != nil {
		return Cancellation{}, err
	}
	for _, id := range ids {
		i := slices.IndexFunc(inv.Resources, func(res Resource) bool { return res.ID == id })
		switch {
		case i < 0:
			return Cancellation{}, reason.New(reason.CancellationResourceUnknown).With("resource", id)
		case !inv.Resources[i].Abandonable:
			return Cancellation{}, reason.New(reason.CancellationResourceMustBeHandled).With("resource", id)
		}
	}
	var added []string
	before, after, err := m.transition(ctx, accountID, func(x *record, _ bool, _ time.Time) error {
		if x.status != StatusChecking && x.status != StatusCoolingOff {
			return ErrWrongStatus.With("status", string(x.status))
		}
		added = added[:0]
		for _, id := range ids {
			if !slices.Contains(x.abandoned, id) && !slices.Contains(added, id) {
				added = append(added, id)
			}
		}
		if len(added) == 0 {
			return errStop
		}
		x.abandoned = append(x.abandoned, added...)
		slices.Sort(x.abandoned)
		if len(x.abandoned) > MaxResources {
			return reason.New(reason.InputTooLong).With("field", "resources").With("max", MaxResources)
		}
		return nil
	})
	if err != nil {
		return Cancellation{}, err
	}
	if len(added) > 0 && after.version != before.version {
		m.emit(ctx, event.CancellationResourcesAbandoned, accountID, before.status, after.status, time.Time{},
			map[string]string{"resources": strings.Join(added, ",")})
	}
	return after.view(), nil
}

// inventory runs the host's check and refuses a malformed answer.
func (m *Manager) inventory(ctx context.Context, accountID string) (Inventory, error) {
	inv, err := m.resources.CheckResources(ctx, accountID)
	if err != nil {
		return Inventory{}, ErrCheckerFailed.Wrap(err)
	}
	if len(inv.Resources) > MaxResources {
		return Inventory{}, ErrCheckerFailed.With("detail", "too_many_resources")
	}
	for _, res := range inv.Resources {
		if checkKey("resource", res.ID, MaxResourceIDBytes) != nil {
			return Inventory{}, ErrCheckerFailed.With("detail", "malformed_resource_id")
		}
	}
	return inv, nil
}

// open returns the account's application, or ErrNotFound.
func (m *Manager) open(ctx context.Context, accountID string) (record, error) {
	r, found, err := m.load(ctx, accountID)
	switch {
	case err != nil:
		return record{}, err
	case !found:
		return record{}, ErrNotFound
	}
	return r, nil
}
