package accountsec

import (
	"github.com/accountsec/accountsec/recovery"
	"github.com/accountsec/accountsec/state"
)

// wireRecovery builds the recovery flows that a person reviews (the
// enterprise recovery, the login appeal and the review queue) on the flows
// store, after the services they stand on. It returns err unchanged when
// an earlier step failed. A Deps.Face that also implements
// recovery.PersonFaceVerifier (fakes.HostVerifier does) checks the
// enterprise legal person's face too.
func (svc *Service) wireRecovery(err error, cfg Config, deps Deps, flows state.Store) error {
	if err != nil {
		return err
	}
	personFace, _ := deps.Face.(recovery.PersonFaceVerifier)
	fl, err := recovery.NewFlows(recovery.FlowsConfig{
		Store: flows, Accounts: svc.Accounts, Codes: svc.Codes, Limiter: svc.Lockout,
		Sessions: svc.Protection, SMS: deps.SMS, Face: deps.Face, PersonFace: personFace,
		Secret: cfg.Secret, Policy: cfg.Flows, Now: deps.Now, Rand: deps.Rand, Events: deps.Events,
	})
	if err != nil {
		return err
	}
	svc.Enterprise, svc.Appeals, svc.Review = fl.Enterprise, fl.Appeals, fl.Review
	return nil
}
