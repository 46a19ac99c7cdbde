package redisstore

import (
	"context"
	"errors"
	"fmt"
	"net"
	"time"

	"github.com/redis/go-redis/v9"
)

// DefaultOpTimeout bounds each command when WithOpTimeout is not given and
// the client applies ctx deadlines (ContextTimeoutEnabled: true, the
// recommended setting).
const DefaultOpTimeout = 2 * time.Second

// WithOpTimeout bounds how long each command waits for Redis (default
// DefaultOpTimeout; zero or negative means the default). A command whose ctx
// has an earlier deadline keeps it; one whose ctx has none, or a later one,
// gives up after d with an error that wraps context.DeadlineExceeded, which
// callers treat as a store failure (failing closed). Every method is one
// command, except that a script Redis has not cached yet costs two (EVALSHA,
// then EVAL), each bounded by d.
//
// go-redis applies a ctx deadline to the socket only when the client was
// built with ContextTimeoutEnabled: true — set it: the op timeout (d, or
// DefaultOpTimeout) then bounds every command at no cost. A client without
// it waits out its own ReadTimeout and WriteTimeout (3 s each by default,
// plus DialTimeout, 5 s, for a new connection); by default the store leaves
// such a client to those timeouts, which bound every command too. Given
// WithOpTimeout explicitly, the store also returns after d with such a
// client, by running each command on a goroutine of its own (tens of
// microseconds a command: two more thread wake-ups) and leaving it to
// finish or fail in the background within the client's timeouts.
func WithOpTimeout(d time.Duration) Option {
	return func(s *Store) {
		s.client.explicit = true
		if d > 0 {
			s.client.timeout = d
		}
	}
}

// boundedClient is the client as the store's methods use it: every command
// gets the op timeout unless its ctx ends earlier. It offers only the
// commands the store sends, so none can bypass the bound: a method that
// needs another command adds it here.
type boundedClient struct {
	client  redis.UniversalClient
	timeout time.Duration
	// ctxDeadlines is whether client applies ctx deadlines to its socket
	// (ContextTimeoutEnabled); when it does not and the op timeout was set
	// explicitly (explicit), commands run on their own goroutine and the
	// store stops waiting for them at the deadline.
	ctxDeadlines bool
	explicit     bool
	// primaryReads is whether client sends read-only commands to the
	// server it sends writes to: a *redis.Client and a *redis.Ring always
	// do, a *redis.ClusterClient unless it may route reads to replicas
	// (ReadOnly, RouteByLatency, RouteRandomly). The state reads are then
	// plain commands (HGET, GET, HGETALL); otherwise they are a script,
	// which such a client still sends to the primary.
	primaryReads bool
}

var _ redis.Scripter = (*boundedClient)(nil)

func newBoundedClient(client redis.UniversalClient) *boundedClient {
	b := &boundedClient{client: client, timeout: DefaultOpTimeout}
	switch c := client.(type) {
	case *redis.Client:
		b.ctxDeadlines = c.Options().ContextTimeoutEnabled
		b.primaryReads = true
	case *redis.ClusterClient:
		o := c.Options()
		b.ctxDeadlines = o.ContextTimeoutEnabled
		b.primaryReads = !o.ReadOnly && !o.RouteByLatency && !o.RouteRandomly
	case *redis.Ring:
		b.ctxDeadlines = c.Options().ContextTimeoutEnabled
		b.primaryReads = true
	}
	return b
}

// bounded runs call with ctx limited to the op timeout and returns its
// command, or a command made by failed (one of redis's NewXxxCmd) that holds
// the deadline error when the timeout ends first.
func bounded[C redis.Cmder](b *boundedClient, ctx context.Context, failed func(context.Context, ...any) C, call func(context.Context) C) C {
	ctx, cancel := b.bound(ctx)
	defer cancel()
	if b.ctxDeadlines {
		return deadlineErr(call(ctx))
	}
	if !b.explicit {
		// No WithOpTimeout and a client that ignores ctx deadlines: its own
		// dial, pool, read and write timeouts bound the command, and the
		// hot path pays no goroutine.
		return call(ctx)
	}
	done := make(chan C, 1)
	go func() { done <- call(ctx) }()
	select {
	case cmd := <-done:
		return cmd
	case <-ctx.Done():
		cmd := failed(ctx)
		cmd.SetErr(ctx.Err())
		return cmd
	}
}

// bound returns ctx limited to the op timeout: ctx itself when it ends
// within the op timeout already, which bounds the command as tightly.
func (b *boundedClient) bound(ctx context.Context) (context.Context, context.CancelFunc) {
	if d, ok := ctx.Deadline(); ok && time.Until(d) <= b.timeout {
		return ctx, func() {}
	}
	return context.WithTimeout(ctx, b.timeout)
}

// deadlineErr says that a deadline ended cmd when the client reports the
// socket's deadline, which it takes from ctx, as a network timeout, as the
// goroutine path of bounded does.
func deadlineErr[C redis.Cmder](cmd C) C {
	var ne net.Error
	if err := cmd.Err(); errors.As(err, &ne) && ne.Timeout() && !errors.Is(err, context.DeadlineExceeded) {
		cmd.SetErr(fmt.Errorf("%w: %w", context.DeadlineExceeded, err))
	}
	return cmd
}

// Del deletes keys.
func (b *boundedClient) Del(ctx context.Context, keys ...string) *redis.IntCmd {
	return bounded(b, ctx, redis.NewIntCmd,
		func(ctx context.Context) *redis.IntCmd { return b.client.Del(ctx, keys...) })
}

// HMGet reads fields of the hash at key.
func (b *boundedClient) HMGet(ctx context.Context, key string, fields ...string) *redis.SliceCmd {
	return bounded(b, ctx, redis.NewSliceCmd,
		func(ctx context.Context) *redis.SliceCmd { return b.client.HMGet(ctx, key, fields...) })
}

// Get reads the string at key (directly, as HGet).
func (b *boundedClient) Get(ctx context.Context, key string) *redis.StringCmd {
	if b.ctxDeadlines {
		ctx, cancel := b.bound(ctx)
		defer cancel()
		return deadlineErr(b.client.Get(ctx, key))
	}
	return bounded(b, ctx, redis.NewStringCmd,
		func(ctx context.Context) *redis.StringCmd { return b.client.Get(ctx, key) })
}

// HGet reads the field of the hash at key. On a client that applies ctx
// deadlines it calls the client directly, without the closures of bounded.
func (b *boundedClient) HGet(ctx context.Context, key, field string) *redis.StringCmd {
	if b.ctxDeadlines {
		ctx, cancel := b.bound(ctx)
		defer cancel()
		return deadlineErr(b.client.HGet(ctx, key, field))
	}
	return bounded(b, ctx, redis.NewStringCmd,
		func(ctx context.Context) *redis.StringCmd { return b.client.HGet(ctx, key, field) })
}

// GetDel reads and deletes the string at key.
func (b *boundedClient) GetDel(ctx context.Context, key string) *redis.StringCmd {
	return bounded(b, ctx, redis.NewStringCmd,
		func(ctx context.Context) *redis.StringCmd { return b.client.GetDel(ctx, key) })
}

// Eval runs script.
func (b *boundedClient) Eval(ctx context.Context, script string, keys []string, args ...any) *redis.Cmd {
	return bounded(b, ctx, redis.NewCmd,
		func(ctx context.Context) *redis.Cmd { return b.client.Eval(ctx, script, keys, args...) })
}

// EvalSha runs the cached script sha1.
func (b *boundedClient) EvalSha(ctx context.Context, sha1 string, keys []string, args ...any) *redis.Cmd {
	return bounded(b, ctx, redis.NewCmd,
		func(ctx context.Context) *redis.Cmd { return b.client.EvalSha(ctx, sha1, keys, args...) })
}

// EvalRO runs the read-only script.
func (b *boundedClient) EvalRO(ctx context.Context, script string, keys []string, args ...any) *redis.Cmd {
	return bounded(b, ctx, redis.NewCmd,
		func(ctx context.Context) *redis.Cmd { return b.client.EvalRO(ctx, script, keys, args...) })
}

// EvalShaRO runs the cached read-only script sha1.
func (b *boundedClient) EvalShaRO(ctx context.Context, sha1 string, keys []string, args ...any) *redis.Cmd {
	return bounded(b, ctx, redis.NewCmd,
		func(ctx context.Context) *redis.Cmd { return b.client.EvalShaRO(ctx, sha1, keys, args...) })
}

// ScriptExists reports which of hashes Redis has cached.
func (b *boundedClient) ScriptExists(ctx context.Context, hashes ...string) *redis.BoolSliceCmd {
	return bounded(b, ctx, redis.NewBoolSliceCmd,
		func(ctx context.Context) *redis.BoolSliceCmd { return b.client.ScriptExists(ctx, hashes...) })
}

// ScriptLoad caches script in Redis.
func (b *boundedClient) ScriptLoad(ctx context.Context, script string) *redis.StringCmd {
	return bounded(b, ctx, redis.NewStringCmd,
		func(ctx context.Context) *redis.StringCmd { return b.client.ScriptLoad(ctx, script) })
}
