package pgstore

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/accountsec/accountsec/limits"
)

// reserveSQL takes a slot in one statement. The INSERT creates the counter
// when the key is absent; otherwise ON CONFLICT locks the row and, with the
// row's latest committed version, either restarts an expired counter or
// counts one more slot, but only if its WHERE allows it. Concurrent calls
// on one key therefore queue on the row lock and each sees the count the
// previous one left: no interleaving lets more than $2 calls through. A
// refused call updates nothing, so it reports 0 rows affected.
//
// The call that takes the last slot sets the expiry to $5 (FullExpiresAt)
// when that is not NULL; a new counter takes its last slot at once when the
// limit is 1. A counter's window_expires_at is $4 (ExpiresAt) of the call
// that created or restarted it, and only a restart changes it. $3 is the
// caller's time: the server's clock is never read.
const reserveSQL = `
INSERT INTO %[1]s AS c (key, count, expires_at, window_expires_at)
VALUES ($1, 1, CASE WHEN $2::bigint <= 1 THEN coalesce($5::timestamptz, $4::timestamptz) ELSE $4::timestamptz END, $4::timestamptz)
ON CONFLICT (key) DO UPDATE SET
	count = CASE WHEN c.expires_at <= $3::timestamptz THEN 1 ELSE c.count + 1 END,
	expires_at = CASE
		WHEN c.expires_at <= $3::timestamptz THEN excluded.expires_at
		WHEN c.count + 1 >= $2::bigint THEN coalesce($5::timestamptz, c.expires_at)
		ELSE c.expires_at
	END,
	window_expires_at = CASE
		WHEN c.expires_at <= $3::timestamptz THEN excluded.window_expires_at
		ELSE c.window_expires_at
	END
WHERE c.expires_at <= $3::timestamptz OR c.count < $2::bigint`

// counterAfterSQL reads the counter that reserveSQL left. It runs in the same
// implicit transaction (one batch), after reserveSQL, so it sees that call's
// own change or, for a refused call, the live version reserveSQL found and
// locked, which nobody can change before the batch ends. It does not filter
// on expiry: the row is this call's own result either way.
const counterAfterSQL = `SELECT count, expires_at, window_expires_at FROM %[1]s WHERE key = $1`

// releaseSQL gives a slot back: a single UPDATE that leaves absent, expired
// and empty counters, and counters of another window than $3, alone and
// never touches expires_at or the window. The row lock it takes orders it
// with concurrent Reserve calls, so it sees the window of the latest one.
const releaseSQL = `
UPDATE %[1]s SET count = count - 1
WHERE key = $1 AND expires_at > $2::timestamptz AND count > 0 AND window_expires_at = $3::timestamptz`

const getSQL = `
SELECT count, expires_at, window_expires_at FROM %[1]s WHERE key = $1 AND expires_at > $2::timestamptz`

const deleteCounterSQL = `DELETE FROM %[1]s WHERE key = $1`

// Reserve takes one slot of the counter at key if fewer than r.Limit are
// taken; see limits.CounterStore. It is one round trip: a batch of the
// atomic upsert that decides, and a read of the counter it left.
//
// Like the memory store, it returns an error and changes nothing when r
// breaks the documented rules (see [limits.Reservation.Check]).
func (s *Store) Reserve(ctx context.Context, key string, r limits.Reservation) (limits.Counter, bool, error) {
	if err := r.Check(); err != nil {
		return limits.Counter{}, false, fmt.Errorf("pgstore: reserve: %w", err)
	}
	var full any // NULL unless set
	if !r.FullExpiresAt.IsZero() {
		full = r.FullExpiresAt
	}
	var (
		ok bool
		c  limits.Counter
	)
	b := &pgx.Batch{}
	b.Queue(s.q.reserve, key, r.Limit, r.Now, r.ExpiresAt, full).Exec(func(tag pgconn.CommandTag) error {
		ok = tag.RowsAffected() == 1
		return nil
	})
	b.Queue(s.q.counterAfter, key).QueryRow(func(row pgx.Row) error {
		var err error
		c, err = scanCounter(row)
		return err
	})
	if err := s.pool.SendBatch(ctx, b).Close(); err != nil {
		return limits.Counter{}, false, fmt.Errorf("pgstore: reserve: %w", err)
	}
	return c, ok, nil
}

// Release gives back one slot of the counter at key if it is of window;
// see limits.CounterStore.
func (s *Store) Release(ctx context.Context, key string, window, now time.Time) error {
	_, err := s.pool.Exec(ctx, s.q.release, key, now, window)
	return wrapErr("release", err)
}

// Get returns the counter at key, or the zero Counter when it is absent or
// expired at now.
func (s *Store) Get(ctx context.Context, key string, now time.Time) (limits.Counter, error) {
	c, err := scanCounter(s.pool.QueryRow(ctx, s.q.get, key, now))
	return c, wrapErr("get counter", err)
}

// Delete removes the counter at key; an absent key is not an error.
func (s *Store) Delete(ctx context.Context, key string) error {
	_, err := s.pool.Exec(ctx, s.q.deleteCounter, key)
	return wrapErr("delete counter", err)
}

// scanCounter reads one counter row; no row is the zero Counter.
func scanCounter(row pgx.Row) (limits.Counter, error) {
	var c limits.Counter
	if err := row.Scan(&c.Count, &c.ExpiresAt, &c.Window); err != nil {
		return limits.Counter{}, ignoreNoRows(err)
	}
	c.ExpiresAt, c.Window = c.ExpiresAt.UTC(), c.Window.UTC()
	return c, nil
}
