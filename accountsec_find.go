package accountsec

import (
	"github.com/accountsec/accountsec/recovery"
	"github.com/accountsec/accountsec/state"
)

// wireFind builds Service.Find on the flow store when err is nil and the
// host supplied an SMS sender (account information goes only by SMS or on
// screen), and returns err or its own error. The asset ways need
// Deps.Assets, the face checks Deps.Face (of an account's real-name
// person) and Deps.Identities (of a person by name and identity number).
func (svc *Service) wireFind(err error, cfg Config, deps Deps, flows state.Store) error {
	if err != nil || deps.SMS == nil {
		return err
	}
	svc.Find, err = recovery.NewFinder(recovery.FindConfig{
		Store: flows, Accounts: svc.Accounts, SMS: deps.SMS, Gate: svc.Sends, Limiter: svc.Lockout,
		Assets: deps.Assets, Faces: deps.Face, Identities: deps.Identities, Secret: cfg.Secret,
		Policy: cfg.Find, Now: deps.Now, Rand: deps.Rand, Events: deps.Events,
	})
	return err
}
