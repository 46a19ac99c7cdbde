package redisstore_test

import (
	"testing"

	"github.com/accountsec/accountsec/store/storetest"
)

// Network-bound: more callers than CPUs.
const parallelism = 4

func BenchmarkReserveRelease(b *testing.B) {
	storetest.BenchmarkCounterStore(b, newStore(b, testClient(b)), parallelism)
}

func BenchmarkPutConsumeCode(b *testing.B) {
	storetest.BenchmarkCodeStore(b, newStore(b, testClient(b)), parallelism)
}
