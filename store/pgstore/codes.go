package pgstore

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/accountsec/accountsec/notify"
)

// putCodeSQL stores a code, replacing any code already at the key together
// with its wrong-answer count.
const putCodeSQL = `
INSERT INTO %[1]s AS k (key, hash, expires_at, max_wrong, wrong)
VALUES ($1, $2::bytea, $3::timestamptz, $4::integer, 0)
ON CONFLICT (key) DO UPDATE SET
	hash = excluded.hash,
	expires_at = excluded.expires_at,
	max_wrong = excluded.max_wrong,
	wrong = 0`

// consumeCodeSQL checks a code in one statement.
//
// cur locks the code's row (FOR UPDATE waits for any concurrent change and
// then reads the row's latest version) and decides from that version:
// spent deletes the code when the hash matched or this wrong answer was the
// last one allowed, counted adds a wrong answer otherwise. Both act on the
// row cur holds, so no concurrent call can change it between the decision
// and the change: of many calls with the right hash exactly one deletes the
// row, and every wrong answer is counted once. No row out means Missing
// (absent, expired at the caller's $3, or consumed by a concurrent call).
//
// The hash comparison is not constant-time. That is deliberate and safe:
// the stored value is a keyed hash (HMAC under a host secret), so learning
// how many leading bytes of it match tells an attacker nothing about the
// code.
const consumeCodeSQL = `
WITH cur AS (
	SELECT key, hash = $2::bytea AS matched, wrong + 1 >= max_wrong AS last
	FROM %[1]s
	WHERE key = $1 AND expires_at > $3::timestamptz
	FOR UPDATE
), spent AS (
	DELETE FROM %[1]s k USING cur
	WHERE k.key = cur.key AND (cur.matched OR cur.last)
	RETURNING cur.matched, 0 AS remaining
), counted AS (
	UPDATE %[1]s k SET wrong = k.wrong + 1
	FROM cur
	WHERE k.key = cur.key AND NOT cur.matched AND NOT cur.last
	RETURNING false AS matched, k.max_wrong - k.wrong AS remaining
)
SELECT matched, remaining FROM spent
UNION ALL
SELECT matched, remaining FROM counted`

const deleteCodeSQL = `DELETE FROM %[1]s WHERE key = $1`

// PutCode stores rec at key, replacing any code already there (with its
// wrong-answer count).
//
// Like the memory store, it returns an error and changes nothing when
// rec.MaxWrong is below 1, rec.Hash is empty (an empty hash would match an
// empty answer) or rec.ExpiresAt is not after now. Expired codes are
// reclaimed by Sweep.
func (s *Store) PutCode(ctx context.Context, key string, rec notify.CodeRecord, now time.Time) error {
	if err := rec.Check(now); err != nil {
		return fmt.Errorf("pgstore: put code: %w", err)
	}
	_, err := s.pool.Exec(ctx, s.q.putCode, key, rec.Hash, rec.ExpiresAt, rec.MaxWrong)
	return wrapErr("put code", err)
}

// ConsumeCode checks hash against the code at key at time now; see
// notify.CodeStore. It is one SQL statement.
func (s *Store) ConsumeCode(ctx context.Context, key string, hash []byte, now time.Time) (notify.Outcome, int, error) {
	rows, _ := s.pool.Query(ctx, s.q.consumeCode, key, nonNil(hash), now)
	type result struct {
		Matched   bool
		Remaining int
	}
	res, err := pgx.CollectRows(rows, pgx.RowToStructByPos[result])
	if err != nil {
		return notify.Missing, 0, fmt.Errorf("pgstore: consume code: %w", err)
	}
	switch {
	case len(res) == 0:
		return notify.Missing, 0, nil
	case len(res) > 1:
		// Cannot happen: key is the primary key and spent and counted
		// exclude each other.
		return notify.Missing, 0, fmt.Errorf("pgstore: consume code: %d rows for one key", len(res))
	case res[0].Matched:
		return notify.Matched, 0, nil
	default:
		return notify.Mismatched, max(res[0].Remaining, 0), nil
	}
}

// DeleteCode removes the code at key, if any.
func (s *Store) DeleteCode(ctx context.Context, key string) error {
	_, err := s.pool.Exec(ctx, s.q.deleteCode, key)
	return wrapErr("delete code", err)
}

// nonNil turns a nil hash into an empty one: pgx sends nil as NULL, and
// NULL would compare as unknown rather than as a mismatch.
func nonNil(b []byte) []byte {
	if b == nil {
		return []byte{}
	}
	return b
}
