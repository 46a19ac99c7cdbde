package pgstore_test

import (
	"context"
	"log"
	"os"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/accountsec/accountsec/limits"
	"github.com/accountsec/accountsec/store/pgstore"
)

// Example wires the store into a lockout limiter. It needs a server, so it
// is compiled but not run.
func Example() {
	ctx := context.Background()
	pool, err := pgxpool.New(ctx, os.Getenv("DATABASE_URL"))
	if err != nil {
		log.Fatal(err)
	}
	defer pool.Close()

	store, err := pgstore.New(ctx, pool, pgstore.WithSchema("accountsec"))
	if err != nil {
		log.Fatal(err)
	}
	if err := store.Migrate(ctx); err != nil {
		log.Fatal(err)
	}

	lim, err := limits.NewLimiter(limits.Config{Store: store, Secret: []byte("a host secret of 16+ bytes")}, limits.Lockout{})
	if err != nil {
		log.Fatal(err)
	}
	ok, err := lim.Do(ctx, "login", "alice@example.com", func(context.Context) (bool, error) {
		return false, nil // the password check goes here
	})
	log.Println(ok, err)
}

// ExampleStore_Sweep reclaims the space of expired rows now and then.
func ExampleStore_Sweep() {
	var store *pgstore.Store // from pgstore.New
	ctx := context.Background()
	tick := time.NewTicker(5 * time.Minute)
	defer tick.Stop()
	for range tick.C {
		n, err := store.Sweep(ctx, time.Now())
		if err != nil {
			log.Println("sweep:", err)
			continue
		}
		log.Println("swept", n, "expired rows")
	}
}
