// Package flows runs the longer flows on the stores a fleet of machines
// would share: PostgreSQL, or PostgreSQL with Redis for hot state.
package flows

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/accountsec/accountsec"
	"github.com/accountsec/accountsec/account"
	"github.com/accountsec/accountsec/examples/internal/teststores"
	"github.com/accountsec/accountsec/fakes"
	"github.com/accountsec/accountsec/recovery"
)

// TestFindByDomainOnPostgresAndRedis finds an account by its domain and a
// face check, on PostgreSQL and on PostgreSQL with Redis, and checks that
// the steps before the face check answer an unknown domain alike. It
// reads the adapters' environment variables, and never skips in CI.
func TestFindByDomainOnPostgresAndRedis(t *testing.T) {
	dsn, addr := teststores.Addresses(t)
	ctx := context.Background()
	for name, deps := range map[string]func(t *testing.T) accountsec.Deps{
		"postgres": func(t *testing.T) accountsec.Deps {
			return accountsec.Deps{Store: teststores.Postgres(t, dsn, "flows")}
		},
		"postgres+redis": func(t *testing.T) accountsec.Deps {
			rd := teststores.Redis(t, addr, "flows")
			return accountsec.Deps{Store: teststores.Postgres(t, dsn, "flows"), Counters: rd, Codes: rd, Sessions: rd, Resets: rd}
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
			a, err := svc.Accounts.Register(ctx, account.Registration{Method: account.MethodQQ, Identifier: "qq-" + teststores.Suffix(t)})
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
