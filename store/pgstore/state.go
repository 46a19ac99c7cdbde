package pgstore

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/accountsec/accountsec/state"
)

// stateQueries holds the statements of the state primitives with the
// store's tables filled in. Records statements take the set as $1 and the
// owner as $2.
type stateQueries struct {
	lockKey                                                           string
	putRecord, trim, getRecord, listRecords, touch, deleteRecord, end string
	keep, putOnce, getOnce, takeOnce, getDoc, createDoc, updateDoc    string
	sweep                                                             string
}

// stateGen is the current generation of the set and owner given by the two
// expressions; it reads the statement's snapshot.
func stateGen(set, owner string) string {
	return `coalesce((SELECT g.gen FROM {gens} g WHERE g.set_name = ` + set + ` AND g.owner = ` + owner + `), 0)`
}

// stateLive is the liveness test of record r at the time $n.
func stateLive(n string) string {
	return `r.expires_at > $` + n + `::timestamptz AND r.gen = ` + stateGen("$1::text", "$2::text")
}

// Every method below is one statement, except PutRecord with keep and
// EndRecords with keep, which are batches of two or three statements in one
// implicit transaction (one round trip). Row locks serialise the writers of
// one key: concurrent deletes, takes and compare-and-set writes queue on the
// row, and the losers find it gone or changed. A put reads the generation
// from its snapshot: an EndRecords that commits while it runs is ordered
// after it and ends it.
func newStateQueries(schema string) stateQueries {
	r := strings.NewReplacer(
		"{records}", pgx.Identifier{schema, "accountsec_state_records"}.Sanitize(),
		"{gens}", pgx.Identifier{schema, "accountsec_state_generations"}.Sanitize(),
		"{onces}", pgx.Identifier{schema, "accountsec_state_onces"}.Sanitize(),
		"{docs}", pgx.Identifier{schema, "accountsec_state_documents"}.Sanitize())
	key := `r.set_name = $1::text AND r.owner = $2::text AND r.id = $3::text`
	return stateQueries{
		lockKey: "accountsec.state:" + schema,
		putRecord: r.Replace(`INSERT INTO {records} (set_name, owner, id, data, ord, gen, expires_at)
VALUES ($1::text, $2::text, $3::text, $4::bytea, $5::bigint, ` + stateGen("$1::text", "$2::text") + `, $6::timestamptz)
ON CONFLICT (set_name, owner, id) DO UPDATE SET
	data = excluded.data, ord = excluded.ord, gen = excluded.gen, expires_at = excluded.expires_at`),
		// trim runs after putRecord under an advisory lock of the set and
		// owner, so its snapshot holds every earlier put with keep.
		trim: r.Replace(`DELETE FROM {records} d WHERE d.set_name = $1::text AND d.owner = $2::text AND d.id NOT IN (
	SELECT r.id FROM {records} r WHERE r.set_name = $1::text AND r.owner = $2::text AND ` + stateLive("4") + `
	ORDER BY r.ord DESC, r.id DESC LIMIT $3::bigint)`),
		getRecord: r.Replace(`SELECT r.data, r.ord, r.expires_at FROM {records} r WHERE ` + key + ` AND ` + stateLive("4")),
		listRecords: r.Replace(`SELECT r.id, r.data, r.ord, r.expires_at FROM {records} r
WHERE r.set_name = $1::text AND r.owner = $2::text AND ` + stateLive("3") + ` ORDER BY r.ord, r.id`),
		// touch writes only when the order grows; the second part answers
		// from the snapshot when it does not.
		touch: r.Replace(`WITH u AS (UPDATE {records} r SET ord = $4::bigint WHERE ` + key + ` AND r.ord < $4::bigint AND ` + stateLive("5") + ` RETURNING 1)
SELECT EXISTS (SELECT 1 FROM u) OR EXISTS (SELECT 1 FROM {records} r WHERE ` + key + ` AND ` + stateLive("5") + `)`),
		deleteRecord: r.Replace(`WITH r AS (DELETE FROM {records} r WHERE ` + key + ` RETURNING r.expires_at, r.gen)
SELECT EXISTS (SELECT 1 FROM r WHERE ` + stateLive("4") + `)`),
		end: r.Replace(`INSERT INTO {gens} AS g (set_name, owner, gen) VALUES ($1::text, $2::text, 1)
ON CONFLICT (set_name, owner) DO UPDATE SET gen = g.gen + 1`),
		// keep runs after end in the same transaction: its snapshot is taken
		// once the generation row is locked and so sees every earlier end.
		keep: r.Replace(`UPDATE {records} r SET gen = g.gen FROM {gens} g
WHERE g.set_name = $1::text AND g.owner = $2::text AND ` + key + `
	AND r.gen = g.gen - 1 AND r.expires_at > $4::timestamptz`),
		putOnce: r.Replace(`INSERT INTO {onces} AS o (id, data, expires_at) VALUES ($1::text, $2::bytea, $3::timestamptz)
ON CONFLICT (id) DO UPDATE SET data = excluded.data, expires_at = excluded.expires_at
WHERE o.expires_at <= $4::timestamptz RETURNING true`),
		getOnce:   r.Replace(`SELECT data, expires_at FROM {onces} WHERE id = $1::text AND expires_at > $2::timestamptz`),
		takeOnce:  r.Replace(`DELETE FROM {onces} WHERE id = $1::text AND expires_at > $2::timestamptz RETURNING data, expires_at`),
		getDoc:    r.Replace(`SELECT version, data FROM {docs} WHERE id = $1::text`),
		createDoc: r.Replace(`INSERT INTO {docs} (id, version, data) VALUES ($1::text, 1, $2::bytea) ON CONFLICT (id) DO NOTHING RETURNING true`),
		updateDoc: r.Replace(`UPDATE {docs} SET version = $2::bigint, data = $3::bytea WHERE id = $1::text AND version = $2::bigint - 1 RETURNING true`),
		sweep: r.Replace(`WITH r AS (
	DELETE FROM {records} r WHERE r.expires_at <= $1::timestamptz OR r.gen < ` + stateGen("r.set_name", "r.owner") + ` RETURNING 1
), o AS (DELETE FROM {onces} WHERE expires_at <= $1::timestamptz RETURNING 1)
SELECT (SELECT count(*) FROM r) + (SELECT count(*) FROM o)`),
	}
}

// ms truncates t to the millisecond, the precision the primitives compare.
func ms(t time.Time) time.Time { return time.UnixMilli(t.UnixMilli()) }

// wrapErr wraps err with the failed operation, keeping nil nil.
func wrapErr(op string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("pgstore: %s: %w", op, err)
}

// ignoreNoRows returns err, or nil when it is pgx.ErrNoRows.
func ignoreNoRows(err error) error {
	if errors.Is(err, pgx.ErrNoRows) {
		return nil
	}
	return err
}

// scan runs the one-row query sql unless check (an argument check) failed
// and reports whether it returned a row.
func (s *Store) scan(ctx context.Context, op string, check error, sql string, args []any, dest ...any) (bool, error) {
	if check != nil {
		return false, wrapErr(op, check)
	}
	err := s.pool.QueryRow(ctx, sql, args...).Scan(dest...)
	return err == nil, wrapErr(op, ignoreNoRows(err))
}

// exec sends b, one implicit transaction, unless check failed.
func (s *Store) exec(ctx context.Context, op string, check error, b *pgx.Batch) error {
	if check == nil {
		check = s.pool.SendBatch(ctx, b).Close()
	}
	return wrapErr(op, check)
}

// PutRecord stores r; see state.Records. With keep above zero it is one
// transaction of three statements in one round trip: an advisory lock of
// the set and owner, which serialises the puts that trim, the put, and the
// trim.
func (s *Store) PutRecord(ctx context.Context, r state.Record, keep int, now time.Time) error {
	b := &pgx.Batch{}
	if keep > 0 {
		b.Queue(`SELECT pg_advisory_xact_lock(hashtextextended($1::text, 0))`, s.st.lockKey+" "+r.Set+" "+r.Owner)
	}
	b.Queue(s.st.putRecord, r.Set, r.Owner, r.ID, r.Data, r.Order, ms(r.ExpiresAt))
	if keep > 0 {
		b.Queue(s.st.trim, r.Set, r.Owner, keep, ms(now))
	}
	return s.exec(ctx, "put record", state.CheckRecord(r, keep, now), b)
}

// GetRecord returns the live record; see state.Records. It is one indexed
// statement that reads the record and its generation in one snapshot.
func (s *Store) GetRecord(ctx context.Context, set, owner, id string, now time.Time) (state.Record, bool, error) {
	r := state.Record{Set: set, Owner: owner, ID: id}
	ok, err := s.scan(ctx, "get record", state.CheckRecordKey(set, owner, id), s.st.getRecord,
		[]any{set, owner, id, ms(now)}, &r.Data, &r.Order, &r.ExpiresAt)
	if !ok {
		return state.Record{}, false, err
	}
	r.ExpiresAt = r.ExpiresAt.UTC()
	return r, true, nil
}

// ListRecords returns the owner's live records in set; see state.Records.
func (s *Store) ListRecords(ctx context.Context, set, owner string, now time.Time) ([]state.Record, error) {
	if err := state.CheckOwner(set, owner); err != nil {
		return nil, wrapErr("list records", err)
	}
	rows, _ := s.pool.Query(ctx, s.st.listRecords, set, owner, ms(now))
	rs, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (state.Record, error) {
		r := state.Record{Set: set, Owner: owner}
		err := row.Scan(&r.ID, &r.Data, &r.Order, &r.ExpiresAt)
		r.ExpiresAt = r.ExpiresAt.UTC()
		return r, err
	})
	return rs, wrapErr("list records", err)
}

// TouchRecord raises a live record's order; see state.Records. It writes
// only when the order grows.
func (s *Store) TouchRecord(ctx context.Context, set, owner, id string, order int64, now time.Time) (live bool, err error) {
	_, err = s.scan(ctx, "touch record", state.CheckRecordKey(set, owner, id), s.st.touch,
		[]any{set, owner, id, order, ms(now)}, &live)
	return live, err
}

// DeleteRecord removes the record and reports whether it was live; see
// state.Records. Concurrent calls queue on the row lock, so only the first
// finds the row.
func (s *Store) DeleteRecord(ctx context.Context, set, owner, id string, now time.Time) (deleted bool, err error) {
	_, err = s.scan(ctx, "delete record", state.CheckRecordKey(set, owner, id), s.st.deleteRecord,
		[]any{set, owner, id, ms(now)}, &deleted)
	return deleted, err
}

// EndRecords ends every record of the owner in set by incrementing its
// generation: one row whatever the number of records. With keep it is one
// transaction of two statements in one round trip, the second moving the
// kept record, if live, to the new generation.
func (s *Store) EndRecords(ctx context.Context, set, owner, keep string, now time.Time) error {
	b := &pgx.Batch{}
	b.Queue(s.st.end, set, owner)
	if keep != "" {
		b.Queue(s.st.keep, set, owner, keep, ms(now))
	}
	return s.exec(ctx, "end records", state.CheckEnd(set, owner, keep), b)
}

// PutOnce stores r unless a live record has its ID; see state.Onces. A
// concurrent insert of the same ID waits for the first and then finds it.
func (s *Store) PutOnce(ctx context.Context, r state.Once, now time.Time) (created bool, err error) {
	return s.scan(ctx, "put once", state.CheckOnce(r, now), s.st.putOnce,
		[]any{r.ID, r.Data, ms(r.ExpiresAt), ms(now)}, &created)
}

// GetOnce returns the live record with id; see state.Onces.
func (s *Store) GetOnce(ctx context.Context, id string, now time.Time) (state.Once, bool, error) {
	return s.once(ctx, "get once", s.st.getOnce, id, now)
}

// TakeOnce returns and deletes the live record with id; see state.Onces.
// Concurrent calls queue on the row lock, so only the first finds the row.
func (s *Store) TakeOnce(ctx context.Context, id string, now time.Time) (state.Once, bool, error) {
	return s.once(ctx, "take once", s.st.takeOnce, id, now)
}

func (s *Store) once(ctx context.Context, op, sql, id string, now time.Time) (state.Once, bool, error) {
	r := state.Once{ID: id}
	ok, err := s.scan(ctx, op, state.CheckKey("id", id), sql, []any{id, ms(now)}, &r.Data, &r.ExpiresAt)
	if !ok {
		return state.Once{}, false, err
	}
	r.ExpiresAt = r.ExpiresAt.UTC()
	return r, true, nil
}

// GetDocument returns the document with id; see state.Documents.
func (s *Store) GetDocument(ctx context.Context, id string) (state.Document, bool, error) {
	d := state.Document{ID: id}
	ok, err := s.scan(ctx, "get document", state.CheckKey("id", id), s.st.getDoc, []any{id}, &d.Version, &d.Data)
	if !ok {
		return state.Document{}, false, err
	}
	return d, true, nil
}

// PutDocument writes d over version d.Version-1; see state.Documents.
// Concurrent writers of one version queue on the row (or on the insert of
// it) and only the first finds the version it expects.
func (s *Store) PutDocument(ctx context.Context, d state.Document) (ok bool, err error) {
	sql, args := s.st.updateDoc, []any{d.ID, d.Version, d.Data}
	if d.Version == 1 {
		sql, args = s.st.createDoc, []any{d.ID, d.Data}
	}
	return s.scan(ctx, "put document", state.CheckDocument(d), sql, args, &ok)
}

// sweepState deletes the expired records and onces and the records of
// ended generations.
func (s *Store) sweepState(ctx context.Context, now time.Time) (n int64, err error) {
	_, err = s.scan(ctx, "sweep state", nil, s.st.sweep, []any{ms(now)}, &n)
	return n, err
}
