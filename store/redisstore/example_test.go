package redisstore_test

import (
	"context"
	"log"

	"github.com/redis/go-redis/v9"

	"github.com/accountsec/accountsec/limits"
	"github.com/accountsec/accountsec/store/redisstore"
)

// Example wires the store into a lockout limiter. It needs a server, so it
// is compiled but not run.
func Example() {
	ctx := context.Background()
	client := redis.NewClient(&redis.Options{Addr: "127.0.0.1:6379"})
	defer client.Close()

	store := redisstore.New(client, redisstore.WithKeyPrefix("myapp:accountsec:"))
	lim, err := limits.NewLimiter(limits.Config{Store: store, Secret: []byte("a host secret of 16+ bytes")}, limits.Lockout{})
	if err != nil {
		log.Fatal(err)
	}
	ok, err := lim.Do(ctx, "login", "alice@example.com", func(context.Context) (bool, error) {
		return false, nil // the password check goes here
	})
	log.Println(ok, err)
}

// Example_cluster uses Redis Cluster: each operation touches one key, or
// keys that share their account's hash tag, so the prefix needs none.
func Example_cluster() {
	client := redis.NewClusterClient(&redis.ClusterOptions{Addrs: []string{"10.0.0.1:6379", "10.0.0.2:6379", "10.0.0.3:6379"}})
	defer client.Close()
	store := redisstore.New(client)
	_ = store
}
