package redisstore_test

import (
	"testing"

	"github.com/accountsec/accountsec/limits"
	"github.com/accountsec/accountsec/notify"
	"github.com/accountsec/accountsec/store/storetest"
)

func TestConformance(t *testing.T) {
	client := testClient(t)
	t.Run("CounterStore", func(t *testing.T) {
		storetest.RunCounterStore(t, func(t *testing.T) limits.CounterStore { return newStore(t, client) })
	})
	t.Run("CodeStore", func(t *testing.T) {
		storetest.RunCodeStore(t, func(t *testing.T) notify.CodeStore { return newStore(t, client) })
	})
}
