// Package memstore is the in-memory implementation of the accountsec store
// interfaces. It is the default for a host that runs as a single process, and
// the fake that tests use.
//
// One *Store serves every store interface of the library: counters
// ([limits.CounterStore]), one-time codes ([notify.CodeStore]), accounts,
// MFA devices and the state primitives ([state.Store]: owner-scoped records,
// single-use records and versioned documents, on which sessions, grants,
// pending logins, password resets and the other flows keep their state).
// Pass the same value wherever a store is asked for:
//
//	st := memstore.New()
//	c, ok, err := st.Reserve(ctx, key, limits.Reservation{
//		Limit:     5,
//		Now:       now,
//		ExpiresAt: now.Add(15 * time.Minute),
//	})
//
// Records are indexed by owner, so listing or keeping the newest of an
// owner's records reads only that owner's, and ending them all drops them
// in one step. Reads return the stored data without copying it.
//
// Like every store it never reads a clock: expiry is decided by the times the
// caller passes. Expired entries are removed by [Store.Sweep], and often
// sooner, when a call meets them. The store starts no goroutines, so a long-running
// host with many keys that are never touched again should call Sweep
// periodically:
//
//	go func() {
//		for now := range time.Tick(time.Minute) {
//			st.Sweep(now)
//		}
//	}()
//
// State lives only in the process: it is lost on restart and not shared
// between replicas. Hosts that run several processes need a shared store
// (PostgreSQL, Redis) so that limits, sessions and single-use records hold
// across them.
package memstore
