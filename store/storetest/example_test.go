package storetest_test

import (
	"testing"

	"github.com/accountsec/accountsec/limits"
	"github.com/accountsec/accountsec/notify"
	"github.com/accountsec/accountsec/store/memstore"
	"github.com/accountsec/accountsec/store/storetest"
)

// An adapter's test file runs the suites of the interfaces it serves, with a
// fresh, isolated store per subtest (a new schema, a new key prefix, …).
func ExampleRunCounterStore() {
	_ = func(t *testing.T) {
		storetest.RunCounterStore(t, func(*testing.T) limits.CounterStore { return memstore.New() })
		storetest.RunCodeStore(t, func(*testing.T) notify.CodeStore { return memstore.New() })
	}
}

// Benchmarks are shared too, so every store is measured alike.
func ExampleBenchmarkCounterStore() {
	_ = func(b *testing.B) {
		storetest.BenchmarkCounterStore(b, memstore.New(), 1)
	}
}
