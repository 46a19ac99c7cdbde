package bench

import (
	"context"
	"testing"
	"time"

	"github.com/go-redis/redis_rate/v10"
	"github.com/sethvargo/go-limiter/memorystore"
	"github.com/stretchr/testify/require"

	"github.com/accountsec/accountsec"
	"github.com/accountsec/accountsec/limits"
	"github.com/accountsec/accountsec/protection"
)

// lockoutSide is the lockout's cost on a right password: the subject
// normalised and keyed, a failure slot reserved, the slot given back.
func lockoutSide(b *testing.B, lim *limits.Limiter) side {
	return side{"accountsec", lockoutOp{b: b, lim: lim}.run}
}

// lockoutOp is one login's use of the lockout, written as a host's handler
// would call it: Begin and Succeed in one function of its own. (A closure
// returned by a function that is inlined is compiled again at every call
// site, and the compiler inlines less into those copies: Begin was not
// inlined there, so the Attempt went to the heap as it does not in a
// handler.)
type lockoutOp struct {
	b   *testing.B
	lim *limits.Limiter
}

func (o lockoutOp) run(int) {
	ctx := context.Background()
	a, err := o.lim.Begin(ctx, protection.LoginScope, userEmail)
	if err != nil {
		o.b.Fatal(err)
	}
	if err := a.Succeed(ctx); err != nil {
		o.b.Fatal(err)
	}
}

// BenchmarkLockout compares the lockout's reserve and refund with a rate
// limiter's single take of the same key: sethvargo/go-limiter's memory
// store, go-redis/redis_rate on Redis and, on PostgreSQL, where no peer
// keeps lockout counters, a bare SELECT 1 (one round trip).
//
// The peers answer a different question (is a token left?) in one step
// and cannot give a token back; the lockout's reservation is what keeps
// 100 parallel wrong passwords at exactly the limit of hashes.
func BenchmarkLockout(b *testing.B) {
	ctx := context.Background()
	b.Run("memstore", func(b *testing.B) {
		w := newWorld(b, config(limits.Lockout{}), accountsec.Deps{})
		peer, err := memorystore.New(&memorystore.Config{Tokens: 1 << 40, Interval: time.Hour})
		require.NoError(b, err)
		b.Cleanup(func() { _ = peer.Close(ctx) })
		compare(b, nil, lockoutSide(b, w.svc.Lockout), side{"go-limiter", func(int) {
			if _, _, _, ok, err := peer.Take(ctx, userEmail); err != nil || !ok {
				b.Fatal(ok, err)
			}
		}})
	})
	b.Run("redis", func(b *testing.B) {
		w := newWorld(b, config(limits.Lockout{}), accountsec.Deps{Counters: redisStore(b), Store: nil})
		prefix := "rate-" + suffix(b) + ":"
		peer := redis_rate.NewLimiter(redisClient(b, prefix))
		compare(b, nil, lockoutSide(b, w.svc.Lockout), side{"redis_rate", func(int) {
			if res, err := peer.Allow(ctx, prefix+userEmail, redis_rate.PerSecond(1<<30)); err != nil || res.Allowed == 0 {
				b.Fatal(res, err)
			}
		}})
	})
	b.Run("postgres", func(b *testing.B) {
		st := pgStore(b)
		w := newWorld(b, config(limits.Lockout{}), accountsec.Deps{Counters: st, Store: nil})
		pool, _ := pgPool(b)
		compare(b, nil, lockoutSide(b, w.svc.Lockout), side{"select1", func(int) {
			var one int
			if err := pool.QueryRow(ctx, "SELECT 1").Scan(&one); err != nil {
				b.Fatal(err)
			}
		}})
	})
}
