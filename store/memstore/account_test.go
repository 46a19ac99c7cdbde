package memstore_test

import (
	"testing"

	"github.com/accountsec/accountsec/account"
	"github.com/accountsec/accountsec/store/memstore"
	"github.com/accountsec/accountsec/store/storetest"
)

func TestAccountStore(t *testing.T) {
	t.Parallel()
	storetest.RunAccountStore(t, func(*testing.T) account.Store { return memstore.NewAccountStore() })
}

func TestZeroAccountStore(t *testing.T) {
	t.Parallel()
	storetest.RunAccountStore(t, func(*testing.T) account.Store { return new(memstore.AccountStore) })
}
