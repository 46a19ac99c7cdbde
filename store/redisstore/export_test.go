package redisstore

import "github.com/redis/go-redis/v9"

// PrimaryReads reports whether a store on client reads with plain commands.
func PrimaryReads(client redis.UniversalClient) bool {
	return newBoundedClient(client).primaryReads
}

// ReadLikeReplicaClient makes s read as it does through a client that may
// send reads to replicas.
func ReadLikeReplicaClient(s *Store) { s.client.primaryReads = false }
