package redisstore

import (
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/accountsec/accountsec/limits"
	"github.com/accountsec/accountsec/notify"
	"github.com/accountsec/accountsec/state"
)

// Defaults for the options.
const (
	// DefaultKeyPrefix starts every key the store writes.
	DefaultKeyPrefix = "accountsec:"
	// DefaultExpiryMargin is added to the relative TTL of every key, so
	// that Redis never drops a key the caller's clock still considers live.
	DefaultExpiryMargin = time.Minute
)

var (
	_ limits.CounterStore = (*Store)(nil)
	_ notify.CodeStore    = (*Store)(nil)
	_ state.Store         = (*Store)(nil)
)

// Store keeps counters, one-time codes and the state primitives in Redis
// (the package documentation lists the interfaces it serves). It is safe
// for concurrent use. Each method is one round trip, and touches one key or
// keys of one hash tag, so it works on Redis Cluster too.
type Store struct {
	client *boundedClient // every command goes through it: see WithOpTimeout
	prefix string
	margin int64 // milliseconds
}

// Option configures a Store.
type Option func(*Store)

// WithKeyPrefix starts every key with prefix instead of DefaultKeyPrefix.
// Stores with different prefixes are independent. A prefix holding a Redis
// Cluster hash tag ("{…}") would put every key in one slot; leave hash tags
// out unless that is what you want.
func WithKeyPrefix(prefix string) Option {
	return func(s *Store) { s.prefix = prefix }
}

// WithExpiryMargin sets the margin added to each key's TTL (default
// DefaultExpiryMargin; zero or negative means the default). Expiry itself is
// always decided by comparing the stored expiry with the caller's time; the
// TTL only lets Redis reclaim keys. The margin must cover the largest skew
// between the clocks of the processes that share the store: were Redis to
// drop a counter before the caller's clock reaches its expiry, a lockout
// would end early.
func WithExpiryMargin(d time.Duration) Option {
	return func(s *Store) {
		if d > 0 {
			s.margin = d.Milliseconds()
		}
	}
}

// New returns a Store that uses client (a *redis.Client, *redis.ClusterClient
// or *redis.Ring). It does not contact the server; the scripts are loaded on
// first use. It leaves client as it is (it adds no hook): commands the host
// sends on the same client keep their own deadlines.
func New(client redis.UniversalClient, opts ...Option) *Store {
	if client == nil {
		panic("redisstore: New called with a nil client")
	}
	s := &Store{
		client: newBoundedClient(client),
		prefix: DefaultKeyPrefix,
		margin: DefaultExpiryMargin.Milliseconds(),
	}
	for _, o := range opts {
		o(s)
	}
	return s
}

// KeyPrefix returns the prefix of every key the store writes.
func (s *Store) KeyPrefix() string { return s.prefix }

func (s *Store) counterKey(key string) string { return s.prefix + "counter:" + key }

func (s *Store) codeKey(key string) string { return s.prefix + "code:" + key }

// unixMilli turns a time into the stored form. Flooring both the stored
// expiries and the caller's times keeps every comparison consistent.
func unixMilli(t time.Time) int64 { return t.UnixMilli() }

func fromUnixMilli(ms int64) time.Time { return time.UnixMilli(ms).UTC() }
