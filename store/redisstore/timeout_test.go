package redisstore_test

import (
	"context"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/accountsec/accountsec/state"
	"github.com/accountsec/accountsec/store/redisstore"
)

// frozenServer listens on 127.0.0.1, accepts connections and never answers,
// as a Redis that has stopped responding looks to a client. It returns the
// address; everything closes when the test ends.
func frozenServer(tb testing.TB) string {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(tb, err)
	var (
		mu    sync.Mutex
		conns []net.Conn
	)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		}
	}()
	tb.Cleanup(func() {
		_ = ln.Close()
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			_ = c.Close()
		}
	})
	return ln.Addr().String()
}

// frozenClient returns a client of a frozen server whose own timeouts are far
// longer than any test, so that only the store's bound can end a command.
func frozenClient(tb testing.TB, ctxDeadlines bool) *redis.Client {
	tb.Helper()
	client := redis.NewClient(&redis.Options{
		Addr:                  frozenServer(tb),
		DialTimeout:           time.Hour,
		ReadTimeout:           time.Hour,
		WriteTimeout:          time.Hour,
		PoolTimeout:           time.Hour,
		MaxRetries:            -1,
		ContextTimeoutEnabled: ctxDeadlines,
	})
	tb.Cleanup(func() { _ = client.Close() })
	return client
}

// returnsWithin runs call and fails the test if it has not returned after
// guard, which is far longer than any bound under test.
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

// Every method gives up on a Redis that stopped answering, within the op
// timeout, when the caller's ctx has no deadline, whether or not the client
// applies ctx deadlines to its socket.
func TestOpTimeoutBoundsFrozenServer(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	ctx := context.Background()
	for name, ctxDeadlines := range map[string]bool{"ContextTimeoutEnabled": true, "client timeouts only": false} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			s := redisstore.New(frozenClient(t, ctxDeadlines), redisstore.WithOpTimeout(50*time.Millisecond))
			calls := map[string]func() error{
				"Get (HMGET)":  func() error { _, err := s.Get(ctx, "k", now); return err },
				"Delete (DEL)": func() error { return s.Delete(ctx, "k") },
				"DeleteCode":   func() error { return s.DeleteCode(ctx, "k") },
				"TakeOnce":     func() error { _, _, err := s.TakeOnce(ctx, "i", now); return err },
				"GetDocument":  func() error { _, _, err := s.GetDocument(ctx, "d"); return err },
				"GetRecord":    func() error { _, _, err := s.GetRecord(ctx, "s", "o", "i", now); return err },
				"ListRecords":  func() error { _, err := s.ListRecords(ctx, "s", "o", now); return err },
				"EndRecords":   func() error { return s.EndRecords(ctx, "s", "o", "", now) },
				"ConsumeCode":  func() error { _, _, err := s.ConsumeCode(ctx, "k", []byte("h"), now); return err },
				"PutOnce (script)": func() error {
					_, err := s.PutOnce(ctx, state.Once{ID: "i", Data: []byte("d"), ExpiresAt: now.Add(time.Hour)}, now)
					return err
				},
			}
			for name, call := range calls {
				t.Run(name, func(t *testing.T) {
					t.Parallel()
					err := returnsWithin(t, guard, call)
					require.Error(t, err)
					assert.ErrorIs(t, err, context.DeadlineExceeded)
				})
			}
		})
	}
}

// A caller's deadline later than the op timeout does not extend it.
func TestOpTimeoutShortensLaterDeadline(t *testing.T) {
	t.Parallel()
	s := redisstore.New(frozenClient(t, false), redisstore.WithOpTimeout(50*time.Millisecond))
	ctx, cancel := context.WithTimeout(context.Background(), time.Hour)
	defer cancel()
	err := returnsWithin(t, guard, func() error { return s.Delete(ctx, "k") })
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	assert.NoError(t, ctx.Err(), "the op timeout, not the caller's hour, ended the call")
}

// The bound is the default when the option is absent, zero or negative.
func TestOpTimeoutDefault(t *testing.T) {
	t.Parallel()
	s := redisstore.New(frozenClient(t, true), redisstore.WithOpTimeout(0), redisstore.WithOpTimeout(-time.Second))
	err := returnsWithin(t, guard, func() error { return s.Delete(context.Background(), "k") })
	assert.ErrorIs(t, err, context.DeadlineExceeded)
}

// An earlier deadline of the caller wins over the op timeout.
func TestOpTimeoutKeepsEarlierDeadline(t *testing.T) {
	t.Parallel()
	s := redisstore.New(frozenClient(t, false), redisstore.WithOpTimeout(time.Hour))
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	err := returnsWithin(t, guard, func() error { return s.Delete(ctx, "k") })
	assert.ErrorIs(t, err, context.DeadlineExceeded)
}

// The store works as before against a live server with the bound in place.
func TestOpTimeoutLiveServer(t *testing.T) {
	t.Parallel()
	client := testClient(t)
	s := redisstore.New(client, redisstore.WithKeyPrefix(testPrefix(t, client)), redisstore.WithOpTimeout(time.Second))
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	ok, err := s.PutOnce(t.Context(), state.Once{ID: "i", Data: []byte("d"), ExpiresAt: now.Add(time.Hour)}, now)
	require.NoError(t, err)
	require.True(t, ok)
	o, found, err := s.TakeOnce(t.Context(), "i", now)
	require.NoError(t, err)
	require.True(t, found)
	assert.Equal(t, []byte("d"), o.Data)
}
