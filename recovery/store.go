package recovery

import "github.com/accountsec/accountsec/state"

// Store is what the reset flow keeps its pending resets in: owner-scoped
// record sets (see package state). memstore.Store, pgstore.Store and
// redisstore.Store implement it.
//
// A pending reset is a record of set "reset" whose owner is a keyed tag of
// the account ID (a store never sees account IDs) and whose ID is a keyed
// hash of the reset token; it is put with keep 1, so only the newest reset
// of an account is found.
type Store interface {
	state.Records
}
