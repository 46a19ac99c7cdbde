package pgstore_test

import (
	"testing"

	"github.com/accountsec/accountsec/state"
	"github.com/accountsec/accountsec/store/storetest"
)

// TestMFAOnDocuments runs the mfa package's races (one accepted submission
// of a code, one use of a backup code, no hardware token replay across
// accounts) on PostgreSQL documents.
func TestMFAOnDocuments(t *testing.T) {
	pool := testPool(t)
	storetest.RunMFAOnDocuments(t, func(t *testing.T) state.Documents { return newStore(t, pool) })
}
