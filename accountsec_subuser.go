package accountsec

import (
	"github.com/accountsec/accountsec/state"
	"github.com/accountsec/accountsec/subuser"
)

// wireSubUsers builds the WeCom sub-users (docs/RULES.md §10) on the flow
// store when the host supplies Deps.SubUserHost, after the services wired
// before it succeeded (err is their error, returned unchanged).
func (svc *Service) wireSubUsers(err error, cfg Config, deps Deps, flows state.Store) error {
	if err != nil || deps.SubUserHost == nil {
		return err
	}
	h := deps.SubUserHost
	svc.SubUsers, err = subuser.New(subuser.Config{
		Store: flows, Administrators: h, Directory: h, Granter: h, Notifier: h,
		Policy: cfg.SubUsers, Secret: cfg.Secret, Now: deps.Now, Rand: deps.Rand, Events: deps.Events,
	})
	return err
}
