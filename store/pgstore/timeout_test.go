package pgstore_test

import (
	"context"
	"net"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/accountsec/accountsec/account"
	"github.com/accountsec/accountsec/state"
	"github.com/accountsec/accountsec/store/pgstore"
)

// freezer is a TCP proxy on 127.0.0.1 in front of the test server. Once
// frozen it forwards nothing more and answers no new connection, as a server
// that has stopped responding (a frozen host, a partition) looks to a client:
// the connections stay open and every read waits.
type freezer struct {
	ln     net.Listener
	target string
	frozen atomic.Bool
	done   chan struct{}
	closed sync.Once

	mu    sync.Mutex
	conns []net.Conn
}

// startFreezer starts a proxy to target (host:port; empty for a server that
// never answers, as if frozen from the start) and stops it when the test
// ends.
func startFreezer(tb testing.TB, target string) *freezer {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(tb, err)
	f := &freezer{ln: ln, target: target, done: make(chan struct{})}
	f.frozen.Store(target == "")
	go f.serve()
	tb.Cleanup(f.close)
	return f
}

// freeze stops all forwarding for good.
func (f *freezer) freeze() { f.frozen.Store(true) }

// addr is the proxy's host and port.
func (f *freezer) addr() (string, uint16) {
	a := f.ln.Addr().(*net.TCPAddr)
	return a.IP.String(), uint16(a.Port)
}

func (f *freezer) track(c net.Conn) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.conns = append(f.conns, c)
}

func (f *freezer) serve() {
	for {
		c, err := f.ln.Accept()
		if err != nil {
			return
		}
		f.track(c)
		if f.frozen.Load() {
			continue // accepted, never answered
		}
		up, err := net.Dial("tcp", f.target)
		if err != nil {
			_ = c.Close()
			continue
		}
		f.track(up)
		go f.pipe(up, c)
		go f.pipe(c, up)
	}
}

// pipe copies src to dst until either fails or the proxy freezes, after
// which what it reads is dropped.
func (f *freezer) pipe(dst, src net.Conn) {
	buf := make([]byte, 32<<10)
	for {
		n, err := src.Read(buf)
		if n > 0 {
			if f.frozen.Load() {
				<-f.done
				return
			}
			if _, werr := dst.Write(buf[:n]); werr != nil {
				return
			}
		}
		if err != nil {
			return
		}
	}
}

func (f *freezer) close() { f.closed.Do(f.stop) }

func (f *freezer) stop() {
	close(f.done)
	_ = f.ln.Close()
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, c := range f.conns {
		_ = c.Close()
	}
}

// proxiedPool returns a pool that reaches the test server through f.
func proxiedPool(tb testing.TB, f *freezer) *pgxpool.Pool {
	tb.Helper()
	cfg, err := pgxpool.ParseConfig(os.Getenv(dsnVar))
	require.NoError(tb, err)
	cfg.ConnConfig.Host, cfg.ConnConfig.Port = f.addr()
	cfg.ConnConfig.Fallbacks = nil
	cfg.ConnConfig.ConnectTimeout = 0 // only the store bounds the wait
	pool, err := pgxpool.NewWithConfig(context.Background(), cfg)
	require.NoError(tb, err)
	tb.Cleanup(pool.Close)
	tb.Cleanup(f.close) // before pool.Close, which would wait for the frozen server
	if !f.frozen.Load() {
		// Connect now, without the store's short bound: connecting
		// under load may take longer than the timeouts under test.
		require.NoError(tb, pool.Ping(context.Background()))
	}
	return pool
}

// serverAddr is the test server's host:port.
func serverAddr(tb testing.TB) string {
	tb.Helper()
	testPool(tb).Close() // skips or fails as the other tests do without a server
	cfg, err := pgxpool.ParseConfig(os.Getenv(dsnVar))
	require.NoError(tb, err)
	return net.JoinHostPort(cfg.ConnConfig.Host, strconv.Itoa(int(cfg.ConnConfig.Port)))
}

// returnsWithin runs call and fails the test if it has not returned after
// guard, which is far longer than any bound under test: without the bound
// the call would wait forever.
func returnsWithin(t *testing.T, guard time.Duration, call func() error) error {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- call() }()
	select {
	case err := <-done:
		return err
	case <-time.After(guard):
		t.Fatalf("the call was still waiting for the frozen server after %v", guard)
		return nil
	}
}

const guard = 10 * time.Second

// Every method gives up on a server that stopped answering, within the op
// timeout, when the caller's ctx has no deadline: a frozen database must
// not hold a login forever.
func TestOpTimeoutBoundsFrozenServer(t *testing.T) {
	t.Parallel()
	f := startFreezer(t, serverAddr(t))
	s, err := pgstore.New(t.Context(), proxiedPool(t, f), pgstore.WithOpTimeout(50*time.Millisecond))
	require.NoError(t, err, "the server answers through the proxy before it freezes")
	f.freeze()

	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	ctx := context.Background()
	calls := map[string]func() error{
		"Get (QueryRow)": func() error { _, err := s.Get(ctx, "k", now); return err },
		"Delete (Exec)":  func() error { return s.Delete(ctx, "k") },
		"ConsumeCode (Query)": func() error {
			_, _, err := s.ConsumeCode(ctx, "k", []byte("h"), now)
			return err
		},
		"PutRecord (SendBatch)": func() error {
			return s.PutRecord(ctx, state.Record{Set: "s", Owner: "o", ID: "i", Data: []byte("d"), ExpiresAt: now.Add(time.Hour)}, 1, now)
		},
		"ListRecords (Query)": func() error { _, err := s.ListRecords(ctx, "s", "o", now); return err },
		"Account":             func() error { _, _, err := s.Account(ctx, "a"); return err },
		"MigrationVersion":    func() error { _, err := s.MigrationVersion(ctx); return err },
	}
	for name, call := range calls {
		t.Run(name, func(t *testing.T) {
			err := returnsWithin(t, guard, call)
			require.Error(t, err)
			assert.ErrorIs(t, err, context.DeadlineExceeded)
		})
	}
}

// A caller's deadline later than the op timeout does not extend it.
func TestOpTimeoutShortensLaterDeadline(t *testing.T) {
	t.Parallel()
	f := startFreezer(t, serverAddr(t))
	s, err := pgstore.New(t.Context(), proxiedPool(t, f), pgstore.WithOpTimeout(50*time.Millisecond))
	require.NoError(t, err)
	f.freeze()

	ctx, cancel := context.WithTimeout(context.Background(), time.Hour)
	defer cancel()
	err = returnsWithin(t, guard, func() error {
		_, err := s.Get(ctx, "k", time.Now())
		return err
	})
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	assert.NoError(t, ctx.Err(), "the op timeout, not the caller's hour, ended the call")
}

// New's check that the server answers is bounded too.
func TestOpTimeoutBoundsNew(t *testing.T) {
	t.Parallel()
	testPool(t).Close()
	f := startFreezer(t, "") // accepts and never answers
	err := returnsWithin(t, guard, func() error {
		_, err := pgstore.New(context.Background(), proxiedPool(t, f), pgstore.WithOpTimeout(50*time.Millisecond))
		return err
	})
	require.Error(t, err)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
}

// Sweep is maintenance that may run long: only its ctx bounds it, not the
// op timeout.
func TestSweepBoundedByCtxOnly(t *testing.T) {
	t.Parallel()
	f := startFreezer(t, serverAddr(t))
	s, err := pgstore.New(t.Context(), proxiedPool(t, f), pgstore.WithOpTimeout(20*time.Millisecond))
	require.NoError(t, err)
	f.freeze()

	ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
	defer cancel()
	err = returnsWithin(t, guard, func() error {
		_, err := s.Sweep(ctx, time.Now())
		return err
	})
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	assert.ErrorIs(t, ctx.Err(), context.DeadlineExceeded, "Sweep waited for its ctx, not for the op timeout")
}

// A zero or negative op timeout means the default, not "no bound".
func TestOpTimeoutZeroMeansDefault(t *testing.T) {
	t.Parallel()
	f := startFreezer(t, serverAddr(t))
	s, err := pgstore.New(t.Context(), proxiedPool(t, f), pgstore.WithOpTimeout(0), pgstore.WithOpTimeout(-time.Second))
	require.NoError(t, err)
	f.freeze()
	err = returnsWithin(t, guard, func() error { return s.Delete(context.Background(), "k") })
	assert.ErrorIs(t, err, context.DeadlineExceeded)
}

// A write that takes slots is one transaction of three round trips: the op
// timeout bounds all of them, not only the first. A transaction holding the
// slot table makes the take wait; the write gives up within the bound and
// leaves nothing behind.
func TestOpTimeoutBoundsTheWholeTransaction(t *testing.T) {
	t.Parallel()
	pool := testPool(t)
	ctx := t.Context()
	schema := testSchema(t, pool)
	s, err := pgstore.New(ctx, pool, pgstore.WithSchema(schema), pgstore.WithOpTimeout(100*time.Millisecond))
	require.NoError(t, err)
	require.NoError(t, s.Migrate(ctx))

	holder, err := pool.Begin(ctx)
	require.NoError(t, err)
	defer func() { _ = holder.Rollback(context.Background()) }()
	_, err = holder.Exec(ctx, "LOCK TABLE "+pgx.Identifier{schema, "accountsec_account_slots"}.Sanitize()+" IN ACCESS EXCLUSIVE MODE")
	require.NoError(t, err)

	take := []account.Take{{Slot: account.Slot{Scope: account.ScopeBind, Kind: account.KindEmail, Value: "a@x.cn"}, Limit: 5}}
	err = returnsWithin(t, guard, func() error {
		_, err := s.CreateAccount(context.Background(), testAccount("1"), take)
		return err
	})
	assert.ErrorIs(t, err, context.DeadlineExceeded)

	require.NoError(t, holder.Rollback(ctx))
	_, found, err := s.Account(ctx, "1")
	require.NoError(t, err)
	assert.False(t, found, "the refused write left no account")
}
