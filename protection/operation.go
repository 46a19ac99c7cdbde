package protection

import (
	"context"
	"strings"
	"time"

	"github.com/accountsec/accountsec/event"
	"github.com/accountsec/accountsec/internal/proof"
	"github.com/accountsec/accountsec/reason"
	"github.com/accountsec/accountsec/vocab"
)

// ProofTTL is how long a proof that Authorize or Verified returns stays
// valid: long enough for the change it was asked for, short enough that it
// cannot be kept for later. A proof never outlives the step-up grant it came
// from. It does not depend on the Policy.
const ProofTTL = 2 * time.Minute

// Authorize decides whether session s may perform the sensitive operation
// now, and if so returns the [vocab.Proof] to hand to the method that makes
// the change (account, mfa and the host's own guarded code check it). Pass
// the Session that ValidateSession returned for this request. The session
// may perform the operation when it holds a step-up grant (a verification in
// this session within Policy.StepUpTTL, 30 minutes by default, not renewed
// by activity and never shared with another session), or when the account's
// operation protection is None and the operation is not AlwaysVerify. The
// proof is for s.AccountID, s.Binding() and operation, and is valid for
// ProofTTL, never beyond the grant's end. Otherwise it returns
// *VerificationRequiredError naming the methods: start a verification with
// Purpose set to the operation and Binding to s.Binding(), answer it, and
// call Authorize again.
//
// While the account is cancelling (docs/RULES.md §9), an operation that is
// neither AccountCentre nor Billing is refused with ErrAccountRestricted,
// whose state parameter names the state, before any grant is consulted.
//
// An operation missing from the catalog is ErrOperationUnknown (refused);
// a store failure is a reason.StoreUnavailable error (refused). On every
// error the proof is the zero Proof.
func (m *Manager) Authorize(ctx context.Context, s Session, operation string) (vocab.Proof, error) {
	op, ok := m.catalog.Lookup(operation)
	if !ok {
		return vocab.Proof{}, ErrOperationUnknown.With("operation", operation)
	}
	if s.ID == "" || s.AccountID == "" {
		return vocab.Proof{}, ErrSessionInvalid
	}
	return m.authorize(ctx, s.AccountID, s.ID, "", op)
}

// authorize decides operation op for the account in binding and mints its
// proof.
//
// A session's check passes its ID and an empty binding: the step-up grant is
// found under the session ID, and the binding text is built only when the
// grant does not serve (the hot path of a stepped-up session allocates no
// binding).
func (m *Manager) authorize(ctx context.Context, accountID, sessionID, binding string, op Operation) (vocab.Proof, error) {
	now := m.now()
	// A cancelling account: only account centre and billing (restrict.go).
	// p is a pointer so that the step-up path, which needs no profile,
	// does not clear a Profile on every call.
	var p *Profile
	if !op.AllowedWhileCancelling() {
		rp, err := m.restriction(ctx, accountID, op)
		if err != nil {
			return vocab.Proof{}, err
		}
		p = &rp
	}
	var method Method
	var end time.Time
	var found bool
	var err error
	if sessionID != "" {
		method, end, found, err = m.sessionStepUp(ctx, accountID, sessionID, now)
	} else {
		var g grant
		g, found, err = m.grant(ctx, accountID, binding, m.scopeOf(binding, op.Name), now)
		method, end = g.Method, g.ExpiresAt
	}
	if err != nil {
		return vocab.Proof{}, reason.Store(err)
	}
	if found && serves(method, op.Name, "") {
		if m.events != nil { // spare the hot path the map when nobody listens
			m.emit(ctx, event.OperationAuthorized, accountID, "operation", end,
				map[string]string{"operation": op.Name, "via": "step_up"})
		}
		if sessionID != "" {
			return proof.MintSession(accountID, sessionID, op.Name, minExpiry(now, end)), nil
		}
		return mint(accountID, binding, op.Name, now, end), nil
	}
	if binding == "" {
		binding = SessionBinding(sessionID)
	}
	if p == nil || p.AccountID == "" {
		q, err := m.profile(ctx, accountID)
		if err != nil {
			return vocab.Proof{}, err
		}
		p = &q
	}
	if p.Settings.resolved().OperationProtection == None && !op.AlwaysVerify {
		if m.events != nil {
			m.emit(ctx, event.OperationAuthorized, accountID, "operation", time.Time{},
				map[string]string{"operation": op.Name, "via": "not_required"})
		}
		return mint(accountID, binding, op.Name, now, time.Time{}), nil
	}
	if end, ok, err := m.firstMethod(ctx, *p, binding, op.Name, now); err != nil || ok {
		if err != nil {
			return vocab.Proof{}, err
		}
		m.emit(ctx, event.OperationAuthorized, accountID, "operation", end,
			map[string]string{"operation": op.Name, "via": "first_method"})
		return mint(accountID, binding, op.Name, now, end), nil
	}
	o, err := m.offer(ctx, *p, op.Name, m.preferredFor(*p, op.Name), "operation")
	if err != nil {
		return vocab.Proof{}, err
	}
	m.emit(ctx, event.VerificationRequired, accountID, "operation", time.Time{},
		map[string]string{"operation": op.Name, "method": string(o.Preferred)})
	return vocab.Proof{}, &VerificationRequiredError{Purpose: op.Name, Methods: []Method{o.Preferred}, Alternatives: o.Alternatives}
}

// mint returns the proof of operation for the account in binding, valid for
// ProofTTL from now but never after grantEnd (when it is not zero).
func mint(accountID, binding, operation string, now, grantEnd time.Time) vocab.Proof {
	return proof.Mint(accountID, binding, operation, minExpiry(now, grantEnd))
}

// minExpiry is the end of a proof minted at now: ProofTTL later, but never
// after grantEnd (when it is not zero).
func minExpiry(now, grantEnd time.Time) time.Time {
	exp := now.Add(ProofTTL)
	if !grantEnd.IsZero() && grantEnd.Before(exp) {
		exp = grantEnd
	}
	return exp
}

// firstMethodOps are the operations that add an account's first
// verification method: an MFA device, a security phone, a security email,
// a login method (an email login, whose address becomes a way to reach the
// owner, or a WeChat, which brings WeChat-scan verification).
var firstMethodOps = map[string]bool{
	OpBindMFA:             true,
	OpChangeSecurityPhone: true,
	OpChangeSecurityEmail: true,
	OpBindLoginMethod:     true,
}

// firstMethod decides the rule of docs/SECURITY.md, "First verification
// method": an account that has no verification method it can use at all
// (registered by QQ, Official Account or WeCom, with no phone, email, MFA
// device, WeChat or face) can never pass a verification, so a session in
// binding whose login is at most Policy.FirstMethodWindow old may perform
// the operations that add a first method, and nothing else. It reports
// whether the rule grants op and until when (the end of the window). The
// session's login time is read from the store, never taken from the
// caller; a binding that is not a session's gets nothing.
func (m *Manager) firstMethod(ctx context.Context, p Profile, binding, op string, now time.Time) (time.Time, bool, error) {
	if !firstMethodOps[op] {
		return time.Time{}, false, nil
	}
	for _, method := range defaultOrder {
		if m.available(p, method) {
			return time.Time{}, false, nil
		}
	}
	id, ok := strings.CutPrefix(binding, sessionPrefix)
	if !ok || !validKeyPart(sessionIDPrefix, id) {
		return time.Time{}, false, nil
	}
	var s Session
	found, err := m.session(ctx, m.owner(p.AccountID), sessionIDPrefix+id, now, &s)
	switch {
	case err != nil:
		return time.Time{}, false, reason.Store(err)
	case !found || s.AccountID != p.AccountID:
		return time.Time{}, false, nil
	}
	end := s.CreatedAt.Add(m.policy.FirstMethodWindow)
	if !now.Before(end) || !now.Before(s.ExpiresAt) || !now.Before(s.IdleExpiresAt()) {
		return time.Time{}, false, nil
	}
	return end, true, nil
}
