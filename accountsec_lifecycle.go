package accountsec

import (
	"context"

	"github.com/accountsec/accountsec/lifecycle"
	"github.com/accountsec/accountsec/protection"
	"github.com/accountsec/accountsec/reason"
)

// wireLifecycle builds the cancellation flow on top of the accounts and
// protection, with its documents in the flows store, when the host supplied
// a resource checker; prev is the error of the step before (returned as it
// is, building nothing).
func (svc *Service) wireLifecycle(prev error, cfg Config, deps Deps, st stores) error {
	if prev != nil || deps.Resources == nil {
		return prev
	}
	var err error
	svc.Cancellation, err = lifecycle.New(lifecycle.Config{
		Store: st.flows, Accounts: svc.Accounts, Protection: svc.Protection, Resources: deps.Resources,
		Face: deps.Face, Calendar: deps.Calendar, SMS: deps.SMS, Email: deps.Email,
		Policy: cfg.Cancellation, Secret: cfg.Secret, Now: deps.Now, Events: deps.Events,
	})
	return err
}

// ApplyCancellation applies to cancel the session's account (docs/RULES.md
// §9): it authorises vocab.OpApplyCancellation for the session (the
// operation always verifies identity: *protection.VerificationRequiredError
// until the session has stepped up) and submits the application. The later
// steps are Cancellation's methods with the session's account ID: Check,
// Abandon, StartIdentityCheck, FinishIdentityCheck, Revoke. It returns
// reason code feature.unavailable when the host wired no resource checker
// (Deps.Resources), as Cancellation's own methods do.
func (s *Service) ApplyCancellation(ctx context.Context, sess protection.Session, a lifecycle.Application) (lifecycle.Cancellation, error) {
	if s.Cancellation == nil {
		return lifecycle.Cancellation{}, reason.Unavailable("account cancellation", "accountsec.Deps.Resources")
	}
	p, err := s.Protection.Authorize(ctx, sess, protection.OpApplyCancellation)
	if err != nil {
		return lifecycle.Cancellation{}, err
	}
	return s.Cancellation.Apply(ctx, p, sess.AccountID, a)
}
