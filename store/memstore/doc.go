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
// caller passes. Expired entries are removed when a call meets them, and the
// store reclaims the rest by itself, without a goroutine: each shard counts
// its calls and, after about as many calls as it holds older entries (at
// least 16), the call that comes due sweeps that shard with the
// earliest time passed to it since its previous sweep. The work is a few
// entries per call, and what has expired but is not yet reclaimed stays in
// proportion to recent traffic, not to the store's age, so a host need not
// call [Store.Sweep] (which reclaims everything at once). A shard given no
// time since its previous sweep uses the latest time another shard swept
// with. All calls on one Store should pass times from one clock, as the
// library does.
//
// State lives only in the process: it is lost on restart and not shared
// between replicas. Hosts that run several processes need a shared store
// (PostgreSQL, Redis) so that limits, sessions and single-use records hold
// across them.
package memstore
