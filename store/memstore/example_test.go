package memstore_test

import (
	"context"
	"fmt"
	"time"

	"github.com/accountsec/accountsec/limits"
	"github.com/accountsec/accountsec/store/memstore"
)

func ExampleStore_Reserve() {
	ctx := context.Background()
	st := memstore.New()
	now := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)

	// Three attempts per quarter hour for one (already hashed) key.
	r := limits.Reservation{Limit: 3, Now: now, ExpiresAt: now.Add(15 * time.Minute)}
	for range 4 {
		c, ok, err := st.Reserve(ctx, "attempts:3f2a…", r)
		if err != nil {
			panic(err)
		}
		fmt.Println(c.Count, ok)
	}
	// Output:
	// 1 true
	// 2 true
	// 3 true
	// 3 false
}

func ExampleStore_Sweep() {
	ctx := context.Background()
	st := memstore.New()
	now := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)

	r := limits.Reservation{Limit: 1, Now: now, ExpiresAt: now.Add(time.Minute)}
	for _, key := range []string{"a", "b", "c"} {
		if _, _, err := st.Reserve(ctx, key, r); err != nil {
			panic(err)
		}
	}
	fmt.Println(st.Sweep(now.Add(30 * time.Second)))
	fmt.Println(st.Sweep(now.Add(time.Minute)))
	// Output:
	// 0
	// 3
}
