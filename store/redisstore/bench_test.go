package redisstore_test

import (
	"testing"

	"github.com/accountsec/accountsec/protection"
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

// BenchmarkSessionLookup runs on one server (one script) and on the cluster
// path (GET of the index, then a script).
func BenchmarkSessionLookup(b *testing.B) {
	client := testClient(b)
	b.Run("one-server", func(b *testing.B) {
		storetest.BenchmarkSessionLookup(b, protStore(b, client, false), parallelism)
	})
	b.Run("slot-by-slot", func(b *testing.B) {
		storetest.BenchmarkSessionLookup(b, protStore(b, client, true), parallelism)
	})
}

func BenchmarkEndAllSessions(b *testing.B) {
	client := testClient(b)
	storetest.BenchmarkEndAllSessions(b, func(b *testing.B) protection.Store { return protStore(b, client, false) })
}
