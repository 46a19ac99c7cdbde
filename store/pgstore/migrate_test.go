package pgstore_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/accountsec/accountsec/store/pgstore"
)

func TestMigrateIsIdempotent(t *testing.T) {
	t.Parallel()
	pool := testPool(t)
	ctx := t.Context()
	s, err := pgstore.New(ctx, pool, pgstore.WithSchema(testSchema(t, pool)))
	require.NoError(t, err)

	v, err := s.MigrationVersion(ctx)
	require.NoError(t, err)
	require.Zero(t, v, "before Migrate")

	for range 3 {
		require.NoError(t, s.Migrate(ctx))
	}
	v, err = s.MigrationVersion(ctx)
	require.NoError(t, err)
	require.Equal(t, int64(len(migrationFiles(t))), v)

	var n int
	require.NoError(t, pool.QueryRow(ctx,
		"SELECT count(*) FROM "+pgx.Identifier{s.Schema(), "accountsec_schema_migrations"}.Sanitize()).Scan(&n))
	require.Len(t, migrationFiles(t), n, "each migration is recorded once")
}

func TestMigrateConcurrently(t *testing.T) {
	t.Parallel()
	pool := testPool(t)
	ctx := t.Context()
	for range 5 {
		schema := testSchema(t, pool)
		// Two stores, as two processes would have, on a schema that does
		// not exist yet.
		const processes = 2
		errs := make([]error, processes)
		race(processes, func(i int) {
			s, err := pgstore.New(ctx, pool, pgstore.WithSchema(schema))
			if err == nil {
				err = s.Migrate(ctx)
			}
			errs[i] = err
		})
		for _, err := range errs {
			require.NoError(t, err)
		}
		s, err := pgstore.New(ctx, pool, pgstore.WithSchema(schema))
		require.NoError(t, err)
		v, err := s.MigrationVersion(ctx)
		require.NoError(t, err)
		require.Equal(t, int64(len(migrationFiles(t))), v)
	}
}

// migrationFiles returns the migration files the package embeds. They are
// numbered from 1 without gaps, so their count is the latest version.
func migrationFiles(t *testing.T) []string {
	t.Helper()
	files, err := filepath.Glob("migrations/*.sql")
	require.NoError(t, err)
	require.NotEmpty(t, files)
	return files
}

func TestNewRejectsBadArguments(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	_, err := pgstore.New(ctx, nil)
	require.Error(t, err)

	pool := testPool(t)
	_, err = pgstore.New(ctx, pool, pgstore.WithSchema(""))
	require.Error(t, err)
	_, err = pgstore.New(ctx, pool, pgstore.WithSchema("a_schema_name_that_is_longer_than_sixty_three_bytes_which_postgres_would_cut"))
	require.Error(t, err)
}

func TestSchemaNameIsQuoted(t *testing.T) {
	t.Parallel()
	pool := testPool(t)
	ctx := t.Context()
	schema := testSchema(t, pool) + `"; DROP TABLE x; --`
	t.Cleanup(func() {
		_, _ = pool.Exec(context.Background(), "DROP SCHEMA IF EXISTS "+pgx.Identifier{schema}.Sanitize()+" CASCADE")
	})
	s, err := pgstore.New(ctx, pool, pgstore.WithSchema(schema))
	require.NoError(t, err)
	require.NoError(t, s.Migrate(ctx))
	require.NoError(t, s.Delete(ctx, "k"))
}
