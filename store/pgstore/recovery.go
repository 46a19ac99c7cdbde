package pgstore

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/accountsec/accountsec/recovery"
)

var _ recovery.ResetStore = (*Store)(nil)

var errResetEmpty = errors.New("empty token ID or account ID")

// Pending password resets live in the table of migration 0005, keyed by
// account (one reset each) with the token ID unique. Each method is one
// statement.

// resetQueries holds the reset statements with the store's table name
// filled in.
type resetQueries struct {
	put, find, consume, remove string
}

func newResetQueries(schema string) resetQueries {
	resets := resetTable(schema)
	return resetQueries{
		put:     fmt.Sprintf(putResetSQL, resets),
		find:    fmt.Sprintf(findResetSQL, resets),
		consume: fmt.Sprintf(consumeResetSQL, resets),
		remove:  fmt.Sprintf(deleteResetSQL, resets),
	}
}

// resetTable is the quoted name of the resets table of schema; Sweep's
// statement uses it too.
func resetTable(schema string) string {
	return pgx.Identifier{schema, "accountsec_password_resets"}.Sanitize()
}

// putResetSQL stores the account's reset, replacing the one it had: an
// upsert on the account, so concurrent puts of one account queue on its row
// (or on the insert of it) and exactly one reset is left, the last
// written. moved first removes the same ID from another account (only a
// caller's mistake, but as in the memory store the ID then belongs to the
// new account rather than failing on the unique ID); the INSERT reads
// moved, so the DELETE runs before it.
const putResetSQL = `
WITH moved AS (
	DELETE FROM %[1]s WHERE id = $2::text AND account_id <> $1::text
	RETURNING 1
)
INSERT INTO %[1]s AS r (account_id, id, expires_at)
SELECT $1::text, $2::text, $3::timestamptz FROM (SELECT count(*) FROM moved) AS m
ON CONFLICT (account_id) DO UPDATE SET
	id = excluded.id,
	expires_at = excluded.expires_at`

// findResetSQL returns the reset if it is live at the caller's time and
// deletes it if it has expired, so that a later call with an earlier time
// cannot bring it back. Both parts read the statement's snapshot and their
// conditions exclude each other; the DELETE re-checks them on the row's
// latest version, so it never removes a reset that a concurrent put has
// just replaced or renewed.
const findResetSQL = `
WITH expired AS (
	DELETE FROM %[1]s WHERE id = $1::text AND expires_at <= $2::timestamptz
)
SELECT account_id, expires_at, true FROM %[1]s
WHERE id = $1::text AND expires_at > $2::timestamptz`

// consumeResetSQL deletes the reset and returns it with whether it was
// still live at the caller's time (an expired one is deleted too).
// Concurrent calls queue on the row lock; the first deletes the row and the
// others then find none, so exactly one consumer gets it. A put that
// replaces the reset meanwhile changes the row's ID, and the waiting DELETE
// re-checks the ID on the row's latest version, so it finds nothing.
const consumeResetSQL = `
DELETE FROM %[1]s WHERE id = $1::text
RETURNING account_id, expires_at, expires_at > $2::timestamptz`

const deleteResetSQL = `DELETE FROM %[1]s WHERE id = $1::text`

// PutReset stores r and removes the account's older reset; see
// recovery.ResetStore. It returns an error, and changes nothing, when r.ID
// or r.AccountID is empty. It is one statement.
func (s *Store) PutReset(ctx context.Context, r recovery.ResetRecord) error {
	if r.ID == "" || r.AccountID == "" {
		return fmt.Errorf("pgstore: put reset: %w", errResetEmpty)
	}
	if _, err := s.pool.Exec(ctx, s.rec.put, r.AccountID, r.ID, r.ExpiresAt); err != nil {
		return fmt.Errorf("pgstore: put reset: %w", err)
	}
	return nil
}

// Reset returns the reset with ID id if it is alive at now; see
// recovery.ResetStore. It changes nothing but to delete the reset if it has
// expired. It is one statement.
func (s *Store) Reset(ctx context.Context, id string, now time.Time) (recovery.ResetRecord, bool, error) {
	r, found, err := scanReset(s.pool.QueryRow(ctx, s.rec.find, id, now))
	if err != nil {
		return recovery.ResetRecord{}, false, fmt.Errorf("pgstore: reset: %w", err)
	}
	if found {
		r.ID = id
	}
	return r, found, nil
}

// ConsumeReset removes the reset with ID id and returns it, if it is alive
// at now; see recovery.ResetStore. It is one DELETE … RETURNING: of
// concurrent calls, exactly one finds a live reset. An expired reset is
// deleted and not returned.
func (s *Store) ConsumeReset(ctx context.Context, id string, now time.Time) (recovery.ResetRecord, bool, error) {
	r, found, err := scanReset(s.pool.QueryRow(ctx, s.rec.consume, id, now))
	if err != nil {
		return recovery.ResetRecord{}, false, fmt.Errorf("pgstore: consume reset: %w", err)
	}
	if found {
		r.ID = id
	}
	return r, found, nil
}

// DeleteReset removes the reset with ID id, if any.
func (s *Store) DeleteReset(ctx context.Context, id string) error {
	if _, err := s.pool.Exec(ctx, s.rec.remove, id); err != nil {
		return fmt.Errorf("pgstore: delete reset: %w", err)
	}
	return nil
}

// scanReset reads account_id, expires_at and a live flag; no row, or a row
// that is not live, is not found.
func scanReset(row pgx.Row) (recovery.ResetRecord, bool, error) {
	var (
		r    recovery.ResetRecord
		live bool
	)
	err := row.Scan(&r.AccountID, &r.ExpiresAt, &live)
	if errors.Is(err, pgx.ErrNoRows) {
		return recovery.ResetRecord{}, false, nil
	}
	if err != nil {
		return recovery.ResetRecord{}, false, err
	}
	if !live {
		return recovery.ResetRecord{}, false, nil
	}
	r.ExpiresAt = r.ExpiresAt.UTC()
	return r, true, nil
}
