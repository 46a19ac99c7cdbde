package pgstore

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

// DefaultOpTimeout bounds each call to the server when WithOpTimeout is not
// given.
const DefaultOpTimeout = 2 * time.Second

// WithOpTimeout bounds how long each method waits for the server (default
// DefaultOpTimeout; zero or negative means the default). A method whose ctx
// has an earlier deadline keeps it; one whose ctx has none, or a later one,
// gives up after d with an error that wraps context.DeadlineExceeded, which
// callers treat as a store failure (failing closed). Without a bound a
// stalled server (a lock held by another transaction, a frozen host, a
// network partition) would hold a login until the caller gave up, and a
// caller that set no deadline would wait forever.
//
// The bound covers waiting for a pooled connection, connecting, and the
// statement itself; an account write that takes quota slots is one
// transaction of three round trips, which one bound covers whole. Choose d well above the slowest statement you expect
// under load and below what a user will wait for. Migrate's transaction and
// Sweep are maintenance, which may take longer on a large schema or
// backlog: they are bounded only by their ctx.
func WithOpTimeout(d time.Duration) Option {
	return func(c *config) {
		if d > 0 {
			c.opTimeout = d
		}
	}
}

// boundedPool is the pool as the store's methods use it: every call gets the
// store's op timeout unless its ctx ends earlier. Every query the store sends
// goes through it, so no method can wait for the server without a bound.
type boundedPool struct {
	pool    *pgxpool.Pool
	timeout time.Duration
}

// unboundedKey marks a ctx whose calls skip the op timeout (see unbounded).
type unboundedKey struct{}

// unbounded returns ctx marked so that the pool does not add the op timeout
// to the calls made with it: for maintenance that may legitimately run long
// and is bounded by its caller's ctx.
func unbounded(ctx context.Context) context.Context {
	return context.WithValue(ctx, unboundedKey{}, true)
}

func nop() {}

// bound returns ctx limited to the op timeout, or ctx itself when it is
// marked unbounded or ends within the op timeout already (a call inside a
// bounded write, or a caller with a tighter deadline), which bounds the call
// as tightly.
func (p *boundedPool) bound(ctx context.Context) (context.Context, context.CancelFunc) {
	if ctx.Value(unboundedKey{}) != nil {
		return ctx, nop
	}
	if d, ok := ctx.Deadline(); ok && time.Until(d) <= p.timeout {
		return ctx, nop
	}
	return context.WithTimeout(ctx, p.timeout)
}

// Exec runs sql with the op timeout.
func (p *boundedPool) Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error) {
	ctx, cancel := p.bound(ctx)
	defer cancel()
	return p.pool.Exec(ctx, sql, args...)
}

// Query runs sql with the op timeout, which lasts until the rows are read or
// closed. As with pgx, the rows are never nil and report the error too, so
// the store's callers read (and close) them with pgx.CollectRows and leave
// the error to it.
func (p *boundedPool) Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error) {
	ctx, cancel := p.bound(ctx)
	rows, err := p.pool.Query(ctx, sql, args...)
	return boundedRows{Rows: rows, cancel: cancel}, err
}

// QueryRow runs sql with the op timeout, which lasts until the row is
// scanned.
func (p *boundedPool) QueryRow(ctx context.Context, sql string, args ...any) pgx.Row {
	ctx, cancel := p.bound(ctx)
	return boundedRow{row: p.pool.QueryRow(ctx, sql, args...), cancel: cancel}
}

// SendBatch sends b with the op timeout, which lasts until the results are
// closed.
func (p *boundedPool) SendBatch(ctx context.Context, b *pgx.Batch) pgx.BatchResults {
	ctx, cancel := p.bound(ctx)
	return boundedBatch{BatchResults: p.pool.SendBatch(ctx, b), cancel: cancel}
}

// Begin starts a transaction without the op timeout: the statements of a
// transaction run on it with the caller's ctx (Migrate is the only user).
func (p *boundedPool) Begin(ctx context.Context) (pgx.Tx, error) {
	return p.pool.Begin(ctx)
}

// Ping checks the server with the op timeout.
func (p *boundedPool) Ping(ctx context.Context) error {
	ctx, cancel := p.bound(ctx)
	defer cancel()
	return p.pool.Ping(ctx)
}

// boundedRows releases the op timeout's timer once the rows are done.
type boundedRows struct {
	pgx.Rows
	cancel context.CancelFunc
}

// Next advances to the next row; after the last one the rows are closed.
func (r boundedRows) Next() bool {
	if r.Rows.Next() {
		return true
	}
	r.cancel()
	return false
}

// Close closes the rows.
func (r boundedRows) Close() {
	r.Rows.Close()
	r.cancel()
}

// boundedRow releases the op timeout's timer once the row is scanned.
type boundedRow struct {
	row    pgx.Row
	cancel context.CancelFunc
}

// Scan reads the row into dest.
func (r boundedRow) Scan(dest ...any) error {
	defer r.cancel()
	return r.row.Scan(dest...)
}

// boundedBatch releases the op timeout's timer once the results are closed.
type boundedBatch struct {
	pgx.BatchResults
	cancel context.CancelFunc
}

// Close reads what is left of the results and closes them.
func (b boundedBatch) Close() error {
	defer b.cancel()
	return b.BatchResults.Close()
}
