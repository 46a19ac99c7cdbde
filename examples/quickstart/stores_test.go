package main

import (
	"context"
	"strings"
	"testing"

	"github.com/accountsec/accountsec"
	"github.com/accountsec/accountsec/examples/internal/teststores"
	"github.com/accountsec/accountsec/store/pgstore"
)

// PostgreSQL serves every store interface of the facade.
var _ accountsec.Store = (*pgstore.Store)(nil)

// The same walk-through on the stores a fleet of machines would share:
// PostgreSQL for everything, or PostgreSQL for records and Redis for hot
// state. It reads the adapters' environment variables, and never skips in CI.
func TestQuickstartOnPostgresAndRedis(t *testing.T) {
	dsn, addr := teststores.Addresses(t)
	ctx := context.Background()
	for name, deps := range map[string]func(t *testing.T) accountsec.Deps{
		"postgres": func(t *testing.T) accountsec.Deps {
			return accountsec.Deps{Store: teststores.Postgres(t, dsn, "quickstart")}
		},
		"postgres+redis": func(t *testing.T) accountsec.Deps {
			rd := teststores.Redis(t, addr, "quickstart")
			return accountsec.Deps{Store: teststores.Postgres(t, dsn, "quickstart"), Counters: rd, Codes: rd, Sessions: rd, Resets: rd}
		},
	} {
		t.Run(name, func(t *testing.T) {
			var out strings.Builder
			if err := run(ctx, &out, deps(t)); err != nil {
				t.Fatalf("%v\n%s", err, out.String())
			}
			if !strings.Contains(out.String(), "the same link again: recovery.token_invalid") {
				t.Fatalf("the walk-through stopped early:\n%s", out.String())
			}
		})
	}
}
