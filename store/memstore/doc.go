// Package memstore is the in-memory implementation of the accountsec store
// interfaces. It is the default for a host that runs as a single process, and
// the fake that tests use.
//
// One *Store serves every interface it implements (today
// [limits.CounterStore] and [notify.CodeStore]); pass the same value wherever
// a store is asked for:
//
//	st := memstore.New()
//	c, ok, err := st.Reserve(ctx, key, limits.Reservation{
//		Limit:     5,
//		Now:       now,
//		ExpiresAt: now.Add(15 * time.Minute),
//	})
//
// Like every store it never reads a clock: expiry is decided by the times the
// caller passes. Expired entries are removed when a call touches their key
// and by [Store.Sweep]. The store starts no goroutines, so a long-running
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
// (Postgres, Redis) so that limits hold across them.
package memstore
