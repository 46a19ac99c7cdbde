package mfa_test

import (
	"testing"

	"github.com/accountsec/accountsec/state"
	"github.com/accountsec/accountsec/store/memstore"
	"github.com/accountsec/accountsec/store/storetest"
)

// TestOnDocuments runs the races that every store's documents must decide
// (see storetest.RunMFAOnDocuments) on the memory store; the PostgreSQL and
// Redis stores run them from their own tests.
func TestOnDocuments(t *testing.T) {
	t.Parallel()
	storetest.RunMFAOnDocuments(t, func(*testing.T) state.Documents { return memstore.New() })
}
