package bench

import (
	"context"
	"testing"
	"time"

	"github.com/alexedwards/scs/redisstore"
	"github.com/alexedwards/scs/v2"
	"github.com/alexedwards/scs/v2/memstore"
	redigo "github.com/gomodule/redigo/redis"
	"github.com/stretchr/testify/require"

	"github.com/accountsec/accountsec"
	"github.com/accountsec/accountsec/limits"
)

// scsSession is an scs session holding what an accountsec session holds
// (account, login method, IP, city, device), committed to store, and its
// token.
func scsSession(tb testing.TB, store scs.Store) (*scs.SessionManager, string) {
	sm := scs.New()
	sm.Store = store
	sm.Lifetime = 24 * time.Hour
	ctx, err := sm.Load(context.Background(), "")
	require.NoError(tb, err)
	for k, v := range map[string]string{"account_id": "1234567890123456", "login_method": "password", "ip": userIP, "city": "", "device": "laptop"} {
		sm.Put(ctx, k, v)
	}
	token, _, err := sm.Commit(ctx)
	require.NoError(tb, err)
	return sm, token
}

// scsLoad is one scs request: the session loaded (found, decoded) into a
// fresh request context.
func scsLoad(b *testing.B, sm *scs.SessionManager, token string) {
	ctx, err := sm.Load(context.Background(), token)
	if err != nil || sm.GetString(ctx, "account_id") == "" {
		b.Fatal("scs session not found", err)
	}
}

// BenchmarkSession compares ValidateSession (token checked and tagged, its
// record ID and decoded payload taken from the cache of tokens seen lately,
// one store read, no write while the clock stays within the touch interval) with alexedwards/scs's Load of a session with the
// same fields on the same kind of store, and on Redis with a bare PING
// (one round trip, the floor of any Redis-backed session).
func BenchmarkSession(b *testing.B) {
	b.Run("memstore", func(b *testing.B) {
		w := newWorld(b, config(limits.Lockout{}), accountsec.Deps{})
		w.register(b, userEmail)
		_, token := w.login(b, userEmail)
		ctx := context.Background()
		ms := memstore.NewWithCleanupInterval(0)
		sm, scsToken := scsSession(b, ms)
		compare(b, nil,
			side{"accountsec", func(int) {
				if _, err := w.svc.Protection.ValidateSession(ctx, token); err != nil {
					b.Fatal(err)
				}
			}},
			side{"scs", func(int) { scsLoad(b, sm, scsToken) }},
		)
	})
	b.Run("redis", func(b *testing.B) {
		rd := redisStore(b)
		w := newWorld(b, config(limits.Lockout{}), accountsec.Deps{Store: nil, Counters: nil, Sessions: rd})
		w.register(b, userEmail)
		_, token := w.login(b, userEmail)
		ctx := context.Background()
		addr := redisAddr(b)
		pool := &redigo.Pool{MaxIdle: 4, Dial: func() (redigo.Conn, error) { return redigo.Dial("tcp", addr) }}
		b.Cleanup(func() { _ = pool.Close() })
		prefix := "scs-" + suffix(b) + ":"
		ping := redisClient(b, prefix)
		sm, scsToken := scsSession(b, redisstore.NewWithPrefix(pool, prefix))
		compare(b, nil,
			side{"accountsec", func(int) {
				if _, err := w.svc.Protection.ValidateSession(ctx, token); err != nil {
					b.Fatal(err)
				}
			}},
			side{"scs", func(int) { scsLoad(b, sm, scsToken) }},
			side{"ping", func(int) {
				if err := ping.Ping(ctx).Err(); err != nil {
					b.Fatal(err)
				}
			}},
		)
	})
}
