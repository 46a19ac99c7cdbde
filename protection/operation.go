package protection

import (
	"context"
	"time"

	"github.com/accountsec/accountsec/event"
	"github.com/accountsec/accountsec/reason"
)

// Authorize decides whether session s may perform the sensitive operation
// now. Pass the Session that ValidateSession returned for this request. It
// returns nil when s holds a step-up grant (a verification in this session
// within Policy.StepUpTTL, 30 minutes by default, not renewed by activity
// and never shared with another session), or when the account's operation
// protection is None and the operation is not AlwaysVerify. Otherwise it
// returns *VerificationRequiredError naming the methods: start a
// verification with Purpose set to the operation and Binding to
// s.Binding(), answer it, and call Authorize again.
//
// An operation missing from the catalog is ErrOperationUnknown (refused);
// a store failure is a reason.StoreUnavailable error (refused).
func (m *Manager) Authorize(ctx context.Context, s Session, operation string) error {
	op, ok := m.catalog.Lookup(operation)
	if !ok {
		return ErrOperationUnknown.With("operation", operation)
	}
	if s.ID == "" || s.AccountID == "" {
		return ErrSessionInvalid
	}
	return m.authorize(ctx, s.AccountID, s.Binding(), op)
}

func (m *Manager) authorize(ctx context.Context, accountID, binding string, op Operation) error {
	g, found, err := m.store.Grant(ctx, accountID, binding, ScopeStepUp, m.now())
	if err != nil {
		return reason.Store(err)
	}
	if found {
		if m.events != nil { // spare the hot path the map when nobody listens
			m.emit(ctx, event.OperationAuthorized, accountID, "operation", g.ExpiresAt,
				map[string]string{"operation": op.Name, "via": "step_up"})
		}
		return nil
	}
	p, err := m.profile(ctx, accountID)
	if err != nil {
		return err
	}
	if p.Settings.resolved().OperationProtection == None && !op.AlwaysVerify {
		if m.events != nil {
			m.emit(ctx, event.OperationAuthorized, accountID, "operation", time.Time{},
				map[string]string{"operation": op.Name, "via": "not_required"})
		}
		return nil
	}
	o, err := m.options(p, op.Name, m.preferredFor(p, op.Name))
	if err != nil {
		return err
	}
	m.emit(ctx, event.VerificationRequired, accountID, "operation", time.Time{},
		map[string]string{"operation": op.Name, "method": string(o.Preferred)})
	return &VerificationRequiredError{Purpose: op.Name, Methods: []Method{o.Preferred}, Alternatives: o.Alternatives}
}
