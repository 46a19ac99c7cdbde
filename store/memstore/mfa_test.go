package memstore_test

import (
	"testing"

	"github.com/accountsec/accountsec/mfa"
	"github.com/accountsec/accountsec/store/memstore"
	"github.com/accountsec/accountsec/store/storetest"
)

func TestMFAStore(t *testing.T) {
	t.Parallel()
	storetest.RunMFAStore(t, func(*testing.T) mfa.Store { return memstore.NewMFAStore() })
}

func TestZeroMFAStore(t *testing.T) {
	t.Parallel()
	storetest.RunMFAStore(t, func(*testing.T) mfa.Store { return new(memstore.MFAStore) })
}
