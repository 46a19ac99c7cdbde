package pgstore_test

import (
	"testing"

	"github.com/accountsec/accountsec/protection"
	"github.com/accountsec/accountsec/store/storetest"
)

// Network-bound: more callers than CPUs.
const parallelism = 4

func BenchmarkReserveRelease(b *testing.B) {
	storetest.BenchmarkCounterStore(b, newStore(b, testPool(b)), parallelism)
}

func BenchmarkPutConsumeCode(b *testing.B) {
	storetest.BenchmarkCodeStore(b, newStore(b, testPool(b)), parallelism)
}

func BenchmarkSessionLookup(b *testing.B) {
	storetest.BenchmarkSessionLookup(b, newStore(b, testPool(b)), parallelism)
}

func BenchmarkEndAllSessions(b *testing.B) {
	pool := testPool(b)
	storetest.BenchmarkEndAllSessions(b, func(b *testing.B) protection.Store { return newStore(b, pool) })
}
