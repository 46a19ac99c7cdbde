package redisstore_test

import (
	"testing"

	"github.com/accountsec/accountsec/state"
	"github.com/accountsec/accountsec/store/redisstore"
	"github.com/accountsec/accountsec/store/storetest"
)

// TestMFAOnDocuments runs the mfa package's races (one accepted submission
// of a code, one use of a backup code, no hardware token replay across
// accounts) on Redis documents.
func TestMFAOnDocuments(t *testing.T) {
	onEveryPath(t, func(t *testing.T, newStore func(*testing.T) *redisstore.Store) {
		storetest.RunMFAOnDocuments(t, func(t *testing.T) state.Documents { return newStore(t) })
	})
}
