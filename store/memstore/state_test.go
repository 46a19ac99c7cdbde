package memstore_test

import (
	"testing"

	"github.com/accountsec/accountsec/state"
	"github.com/accountsec/accountsec/store/memstore"
	"github.com/accountsec/accountsec/store/storetest"
)

func TestRecords(t *testing.T) {
	t.Parallel()
	storetest.RunRecords(t, func(*testing.T) state.Records { return memstore.New() })
}

func TestOnces(t *testing.T) {
	t.Parallel()
	storetest.RunOnces(t, func(*testing.T) state.Onces { return memstore.New() })
}

func TestDocuments(t *testing.T) {
	t.Parallel()
	storetest.RunDocuments(t, func(*testing.T) state.Documents { return new(memstore.Store) })
}

func BenchmarkRecordGet(b *testing.B) {
	storetest.BenchmarkRecordGet(b, memstore.New(), 1)
}

func BenchmarkEndRecords(b *testing.B) {
	storetest.BenchmarkEndRecords(b, func(*testing.B) state.Records { return memstore.New() })
}

func BenchmarkOnce(b *testing.B) {
	storetest.BenchmarkOnce(b, memstore.New(), 1)
}
