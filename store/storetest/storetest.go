// Package storetest is the conformance suite for accountsec stores. Every
// store implementation, the in-memory one included, runs it from its own
// tests, so that all stores keep the same contract: behaviour, expiry and
// concurrency (many goroutines racing for the last slot, exactly one wins).
//
// An adapter's test passes a function that returns a ready store; the suite
// calls it once per subtest. The PostgreSQL store's conformance test, for
// example, reads the server from ACCOUNTSEC_PG_DSN (the Redis store's reads
// ACCOUNTSEC_REDIS_ADDR and builds its store with redisstore.New):
//
//	func TestConformance(t *testing.T) {
//		dsn := os.Getenv("ACCOUNTSEC_PG_DSN")
//		if dsn == "" {
//			t.Skip("ACCOUNTSEC_PG_DSN is not set; skipping the PostgreSQL store")
//		}
//		pool, err := pgxpool.New(t.Context(), dsn)
//		require.NoError(t, err)
//		t.Cleanup(pool.Close)
//		newStore := func(t *testing.T) *pgstore.Store {
//			st, err := pgstore.New(t.Context(), pool)
//			require.NoError(t, err)
//			require.NoError(t, st.Migrate(t.Context()))
//			return st
//		}
//		storetest.RunCounterStore(t, func(t *testing.T) limits.CounterStore { return newStore(t) })
//		storetest.RunCodeStore(t, func(t *testing.T) notify.CodeStore { return newStore(t) })
//		storetest.RunRecords(t, func(t *testing.T) state.Records { return newStore(t) })
//		storetest.RunOnces(t, func(t *testing.T) state.Onces { return newStore(t) })
//		storetest.RunDocuments(t, func(t *testing.T) state.Documents { return newStore(t) })
//	}
//
// Every subtest uses keys under its own random prefix (printable ASCII), so
// the stores may share one database or server and need not be emptied
// between subtests.
// Subtests run one after another; newStore need not be safe for concurrent
// use.
//
// Times start at 2026-01-01 00:00:00 UTC and move by whole milliseconds,
// because persistent stores may keep no finer precision; they are compared
// with time.Equal, so a store may return them in any location. The suite
// never sleeps and never reads the wall clock.
package storetest

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

// base is the time every subtest starts from.
var base = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// at returns base plus d.
func at(d time.Duration) time.Time { return base.Add(d) }

// keyspace is a random key prefix owned by one subtest.
type keyspace string

// newKeys returns a fresh random key prefix.
func newKeys() keyspace { return keyspace("storetest:" + rand.Text() + ":") }

// key returns the key called name in this keyspace.
func (k keyspace) key(name string) string { return string(k) + name }

// hashOf returns a 32-byte hash standing for the one-time code s.
func hashOf(s string) []byte {
	sum := sha256.Sum256([]byte(s))
	return sum[:]
}

// cancelled returns a context that is already cancelled.
func cancelled() context.Context {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	return ctx
}

// race runs f(i) for i in [0, n) on n goroutines that all start at once,
// and waits for them. f must not call t.FailNow; it records its results for
// the caller to check afterwards.
func race(n int, f func(i int)) {
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			<-start
			f(i)
		})
	}
	close(start)
	wg.Wait()
}

// assertOneWinner races n calls of try (see raceAll), which must all return
// a nil error, and marks the test failed unless exactly one reported a win;
// msg describes the win.
func assertOneWinner(t *testing.T, n int, msg string, try func(i int) (won bool, err error)) {
	t.Helper()
	assert.Equal(t, 1, countOf(raceAll(t, n, try), true), msg)
}
