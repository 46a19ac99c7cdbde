package pgstore

import (
	"cmp"
	"context"
	"embed"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// migration is one embedded SQL file. Its version is the number its name
// starts with ("0001_counters_and_codes.sql" is version 1).
type migration struct {
	version int64
	name    string
	sql     string
}

// loadMigrations returns the embedded migrations in version order.
func loadMigrations() ([]migration, error) {
	names, err := fs.Glob(migrationFiles, "migrations/*.sql")
	if err != nil {
		return nil, err
	}
	ms := make([]migration, 0, len(names))
	for _, name := range names {
		base := path.Base(name)
		digits, _, ok := strings.Cut(base, "_")
		if !ok {
			return nil, fmt.Errorf("pgstore: migration %s: name must be NNNN_description.sql", base)
		}
		v, err := strconv.ParseInt(digits, 10, 64)
		if err != nil || v < 1 {
			return nil, fmt.Errorf("pgstore: migration %s: name must start with a positive version number", base)
		}
		body, err := migrationFiles.ReadFile(name)
		if err != nil {
			return nil, err
		}
		ms = append(ms, migration{version: v, name: base, sql: string(body)})
	}
	slices.SortFunc(ms, func(a, b migration) int { return cmp.Compare(a.version, b.version) })
	for i := 1; i < len(ms); i++ {
		if ms[i].version == ms[i-1].version {
			return nil, fmt.Errorf("pgstore: migrations %s and %s share version %d", ms[i-1].name, ms[i].name, ms[i].version)
		}
	}
	return ms, nil
}

// Migrate creates the schema (if missing) and applies the embedded
// migrations that have not been applied yet, recording each one in the
// accountsec_schema_migrations table of the store's schema. It is
// idempotent.
//
// Everything runs in one transaction that first takes a transaction-level
// advisory lock derived from the schema name, so processes that migrate at
// the same time (several replicas starting together) queue up: the first
// applies the migrations, the others then find nothing left to do. A failed
// migration rolls back entirely.
func (s *Store) Migrate(ctx context.Context) error {
	ms, err := loadMigrations()
	if err != nil {
		return err
	}
	err = pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error { return s.migrate(ctx, tx, ms) })
	return wrapErr("migrate schema "+strconv.Quote(s.schema), err)
}

func (s *Store) migrate(ctx context.Context, tx pgx.Tx, ms []migration) error {
	// hashtextextended gives a 64-bit key; a collision with another
	// application's lock would only make the two wait for each other.
	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, "accountsec.migrate:"+s.schema); err != nil {
		return fmt.Errorf("advisory lock: %w", err)
	}
	// CREATE SCHEMA IF NOT EXISTS checks the CREATE privilege on the
	// database even when the schema exists, so look first: a host may give
	// the library a schema it may use but not create.
	var exists bool
	if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = $1)`, s.schema).Scan(&exists); err != nil {
		return fmt.Errorf("look up schema: %w", err)
	}
	if !exists {
		if _, err := tx.Exec(ctx, "CREATE SCHEMA "+pgx.Identifier{s.schema}.Sanitize()); err != nil {
			return fmt.Errorf("create schema: %w", err)
		}
	}
	if _, err := tx.Exec(ctx, `CREATE TABLE IF NOT EXISTS `+s.migrations+` (
		version    bigint      PRIMARY KEY,
		name       text        NOT NULL,
		applied_at timestamptz NOT NULL DEFAULT now()
	)`); err != nil {
		return fmt.Errorf("create migrations table: %w", err)
	}
	rows, _ := tx.Query(ctx, `SELECT version FROM `+s.migrations)
	applied, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return fmt.Errorf("read applied migrations: %w", err)
	}
	schema := pgx.Identifier{s.schema}.Sanitize()
	for _, m := range ms {
		if slices.Contains(applied, m.version) {
			continue
		}
		// Exec without arguments uses the simple protocol, which allows
		// several statements in one file.
		if _, err := tx.Exec(ctx, strings.ReplaceAll(m.sql, "{schema}", schema)); err != nil {
			return fmt.Errorf("apply %s: %w", m.name, err)
		}
		if _, err := tx.Exec(ctx, `INSERT INTO `+s.migrations+` (version, name) VALUES ($1, $2)`, m.version, m.name); err != nil {
			return fmt.Errorf("record %s: %w", m.name, err)
		}
	}
	return nil
}

// MigrationVersion returns the highest migration version applied to the
// store's schema, or 0 when Migrate has never run there.
func (s *Store) MigrationVersion(ctx context.Context) (int64, error) {
	var exists bool
	err := s.pool.QueryRow(ctx, `SELECT to_regclass($1) IS NOT NULL`, s.migrations).Scan(&exists)
	var v int64
	if err == nil && exists {
		err = s.pool.QueryRow(ctx, `SELECT coalesce(max(version), 0) FROM `+s.migrations).Scan(&v)
	}
	if err != nil {
		return 0, wrapErr("migration version", err)
	}
	return v, nil
}
