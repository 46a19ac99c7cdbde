package pgstore

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/accountsec/accountsec/account"
	"github.com/accountsec/accountsec/limits"
	"github.com/accountsec/accountsec/notify"
	"github.com/accountsec/accountsec/protection"
	"github.com/accountsec/accountsec/recovery"
	"github.com/accountsec/accountsec/state"
)

// DefaultSchema is the schema the tables live in when WithSchema is not given.
const DefaultSchema = "public"

// maxIdentifierLen is PostgreSQL's NAMEDATALEN - 1: longer names are
// silently truncated by the server, which would make two schemas collide.
const maxIdentifierLen = 63

var (
	_ account.Store       = (*Store)(nil)
	_ limits.CounterStore = (*Store)(nil)
	_ notify.CodeStore    = (*Store)(nil)
	_ protection.Store    = (*Store)(nil)
	_ recovery.Store      = (*Store)(nil)
	_ state.Store         = (*Store)(nil)
)

// Store keeps accountsec's state in PostgreSQL; the package documentation
// lists the interfaces it serves. It is safe for concurrent use. Almost
// every method is a single round trip to the server; the exceptions say so.
type Store struct {
	pool   *boundedPool
	schema string

	migrations string // the table's name, quoted and schema-qualified

	// SQL text with the table names filled in.
	q  queries
	st stateQueries
}

// Option configures a Store.
type Option func(*config)

type config struct {
	schema    string
	opTimeout time.Duration
}

// WithSchema puts the tables in schema instead of DefaultSchema. Migrate
// creates the schema when it does not exist. Different schemas are fully
// independent stores, which is how tests isolate themselves.
func WithSchema(schema string) Option {
	return func(c *config) { c.schema = schema }
}

// New returns a Store that uses pool. It checks that the server answers
// (within the op timeout, see WithOpTimeout) but does not create or change
// tables: call Migrate for that (once at start-up, or from a deploy step).
//
// The statements rely on the server's default READ COMMITTED isolation for
// their row-level waits; under a stricter default_transaction_isolation
// concurrent calls on one key may fail with serialization errors (which
// callers treat as store failures, failing closed).
func New(ctx context.Context, pool *pgxpool.Pool, opts ...Option) (*Store, error) {
	if pool == nil {
		return nil, errors.New("pgstore: nil pool")
	}
	cfg := config{schema: DefaultSchema, opTimeout: DefaultOpTimeout}
	for _, o := range opts {
		o(&cfg)
	}
	if cfg.schema == "" || len(cfg.schema) > maxIdentifierLen {
		return nil, fmt.Errorf("pgstore: schema name %q must be 1 to %d bytes", cfg.schema, maxIdentifierLen)
	}
	bp := &boundedPool{pool: pool, timeout: cfg.opTimeout}
	if err := bp.Ping(ctx); err != nil {
		return nil, fmt.Errorf("pgstore: ping: %w", err)
	}
	s := &Store{
		pool:       bp,
		schema:     cfg.schema,
		migrations: pgx.Identifier{cfg.schema, "accountsec_schema_migrations"}.Sanitize(),
		q:          newQueries(cfg.schema),
		st:         newStateQueries(cfg.schema),
	}
	return s, nil
}

// Schema returns the schema the store's tables live in.
func (s *Store) Schema() string { return s.schema }

// Sweep deletes the counters, codes and state rows (expired records and
// onces, records of ended generations) that no method can see at now and
// returns how many rows it removed. Expired rows are already invisible to every other method;
// sweeping only reclaims space, so run it now and then (for example every
// few minutes) with the same clock the rest of the library uses.
//
// A large backlog may take longer than the op timeout to delete, so Sweep is
// bounded only by ctx: give it a deadline (for example the sweep interval).
func (s *Store) Sweep(ctx context.Context, now time.Time) (int64, error) {
	ctx = unbounded(ctx)
	var n int64
	if err := s.pool.QueryRow(ctx, s.q.sweep, now).Scan(&n); err != nil {
		return 0, fmt.Errorf("pgstore: sweep: %w", err)
	}
	st, err := s.sweepState(ctx, now)
	return n + st, err
}

// queries holds the statements of the accounts, counters and codes with the
// store's table names filled in.
type queries struct {
	createAccount, accountByID, accountByAPPID, updateAccount string
	deleteAccount, deleteSlots, takeSlots, slotHolders        string
	// slotLockPrefix starts the input of every slot's advisory lock key, so
	// that equal slots of different schemas do not wait for each other.
	slotLockPrefix                                     string
	reserve, counterAfter, release, get, deleteCounter string
	putCode, consumeCode, deleteCode                   string
	sweep                                              string
}

func newQueries(schema string) queries {
	accounts := pgx.Identifier{schema, "accountsec_accounts"}.Sanitize()
	slots := pgx.Identifier{schema, "accountsec_account_slots"}.Sanitize()
	counters := pgx.Identifier{schema, "accountsec_counters"}.Sanitize()
	codes := pgx.Identifier{schema, "accountsec_codes"}.Sanitize()
	return queries{
		createAccount:  fmt.Sprintf(createAccountSQL, accounts),
		accountByID:    fmt.Sprintf(accountByIDSQL, accounts),
		accountByAPPID: fmt.Sprintf(accountByAPPIDSQL, accounts),
		updateAccount:  fmt.Sprintf(updateAccountSQL, accounts, slots),
		deleteAccount:  fmt.Sprintf(deleteAccountSQL, accounts),
		deleteSlots:    fmt.Sprintf(deleteAccountSlotsSQL, slots),
		takeSlots:      fmt.Sprintf(takeSlotsSQL, slots),
		slotHolders:    fmt.Sprintf(slotHoldersSQL, slots),
		slotLockPrefix: "accountsec.slot\x00" + schema + "\x00",
		reserve:        fmt.Sprintf(reserveSQL, counters),
		counterAfter:   fmt.Sprintf(counterAfterSQL, counters),
		release:        fmt.Sprintf(releaseSQL, counters),
		get:            fmt.Sprintf(getSQL, counters),
		deleteCounter:  fmt.Sprintf(deleteCounterSQL, counters),
		putCode:        fmt.Sprintf(putCodeSQL, codes),
		consumeCode:    fmt.Sprintf(consumeCodeSQL, codes),
		deleteCode:     fmt.Sprintf(deleteCodeSQL, codes),
		sweep:          fmt.Sprintf(sweepSQL, counters, codes),
	}
}

// sweepSQL deletes from the two tables in one statement.
const sweepSQL = `
WITH c AS (DELETE FROM %[1]s WHERE expires_at <= $1::timestamptz RETURNING 1),
     k AS (DELETE FROM %[2]s WHERE expires_at <= $1::timestamptz RETURNING 1)
SELECT (SELECT count(*) FROM c) + (SELECT count(*) FROM k)`
