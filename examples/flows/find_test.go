// Package flows runs the longer flows on the stores a fleet of machines
// would share: PostgreSQL, or PostgreSQL with Redis for hot state.
package flows

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/redis/go-redis/v9"

	"github.com/accountsec/accountsec"
	"github.com/accountsec/accountsec/account"
	"github.com/accountsec/accountsec/fakes"
	"github.com/accountsec/accountsec/recovery"
	"github.com/accountsec/accountsec/store/pgstore"
	"github.com/accountsec/accountsec/store/redisstore"
)

// TestFindByDomainOnPostgresAndRedis finds an account by its domain and a
// face check, on PostgreSQL and on PostgreSQL with Redis, and checks that
// the steps before the face check answer an unknown domain alike. It
// reads the adapters' environment variables, and never skips in CI.
func TestFindByDomainOnPostgresAndRedis(t *testing.T) {
	dsn, addr := os.Getenv("ACCOUNTSEC_PG_DSN"), os.Getenv("ACCOUNTSEC_REDIS_ADDR")
	if dsn == "" || addr == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("ACCOUNTSEC_PG_DSN and ACCOUNTSEC_REDIS_ADDR must be set in CI")
		}
		t.Skip("set ACCOUNTSEC_PG_DSN and ACCOUNTSEC_REDIS_ADDR to run on PostgreSQL and Redis")
	}
	ctx := context.Background()
	for name, deps := range map[string]func(t *testing.T) accountsec.Deps{
		"postgres": func(t *testing.T) accountsec.Deps { return accountsec.Deps{Store: postgres(t, ctx, dsn)} },
		"postgres+redis": func(t *testing.T) accountsec.Deps {
			rd := redisStore(t, addr)
			return accountsec.Deps{Store: postgres(t, ctx, dsn), Counters: rd, Codes: rd, Sessions: rd, Resets: rd}
		},
	} {
		t.Run(name, func(t *testing.T) {
			clock := fakes.NewClock(time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC))
			outbox, assets, faces := &fakes.Outbox{}, &fakes.Assets{}, &fakes.HostVerifier{}
			d := deps(t)
			d.SMS, d.Email, d.Now, d.Assets, d.Face = outbox, outbox, clock.Now, assets, faces
			svc, err := accountsec.New(accountsec.Config{Secret: []byte("flows-test-secret-of-32-bytes..")}, d)
			if err != nil {
				t.Fatal(err)
			}
			a, err := svc.Accounts.Register(ctx, account.Registration{Method: account.MethodQQ, Identifier: "qq-" + suffix(t)})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := svc.Accounts.RecordPersonal(ctx, a.ID, account.PersonalIdentity{Name: "张三", IDNumber: "11010519491231002X"}); err != nil {
				t.Fatal(err)
			}
			assets.Set(recovery.AssetDomain, "shop.example.com", a.ID)

			var answers [2]string
			var tokens [2]string
			for i, dom := range []string{"shop.example.com", "unknown.example.com"} {
				s, err := svc.Find.Start(ctx, recovery.WayDomain, dom, "203.0.113.7")
				if err != nil {
					t.Fatal(err)
				}
				tokens[i] = s.Token
				s.Token = ""
				f, err := svc.Find.StartFace(ctx, tokens[i])
				if err != nil {
					t.Fatal(err)
				}
				r, err := svc.Find.FaceResult(ctx, tokens[i])
				if err != nil {
					t.Fatal(err)
				}
				b, _ := json.Marshal([]any{s, f.ExpiresAt, r})
				answers[i] = string(b)
				faces.Confirm(faces.LastTicket())
			}
			if answers[0] != answers[1] {
				t.Fatalf("a known and an unknown domain are answered differently:\n%s\n%s", answers[0], answers[1])
			}
			r, err := svc.Find.FaceResult(ctx, tokens[0])
			if err != nil {
				t.Fatal(err)
			}
			if r.Status != recovery.FaceMatched || len(r.Accounts) != 1 || r.Accounts[0].AccountID != a.ID || r.Accounts[0].RegistrationMethod != account.MethodQQ {
				t.Fatalf("the known domain after a matched face: %+v", r)
			}
			r, err = svc.Find.FaceResult(ctx, tokens[1])
			if err != nil || r.Status != recovery.FaceRejected {
				t.Fatalf("the unknown domain after a matched face: %+v, %v", r, err)
			}
			if _, err := svc.Find.FaceResult(ctx, tokens[0]); err == nil {
				t.Fatal("a used find session answered again")
			}
		})
	}
}

func suffix(t *testing.T) string {
	b := make([]byte, 6)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(b)
}

func postgres(t *testing.T, ctx context.Context, dsn string) *pgstore.Store {
	pool, err := pgxpool.New(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	schema := "flows_" + suffix(t)
	t.Cleanup(func() {
		_, _ = pool.Exec(context.Background(), "DROP SCHEMA IF EXISTS "+pgx.Identifier{schema}.Sanitize()+" CASCADE")
		pool.Close()
	})
	st, err := pgstore.New(ctx, pool, pgstore.WithSchema(schema))
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	return st
}

func redisStore(t *testing.T, addr string) *redisstore.Store {
	client := redis.NewClient(&redis.Options{Addr: addr})
	prefix := "flows-" + suffix(t) + ":"
	t.Cleanup(func() {
		ctx := context.Background()
		iter := client.Scan(ctx, 0, prefix+"*", 1000).Iterator()
		for iter.Next(ctx) {
			client.Del(ctx, iter.Val())
		}
		_ = client.Close()
	})
	return redisstore.New(client, redisstore.WithKeyPrefix(prefix))
}
