package limits

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

type ctxKey struct{}

func TestEndContextKeepsValuesNotCancellation(t *testing.T) {
	t.Parallel()
	parent, cancel := context.WithCancel(context.WithValue(context.Background(), ctxKey{}, "v"))
	cancel()
	ctx, stop := endContext(parent)
	defer stop()
	assert.NoError(t, ctx.Err())
	assert.Equal(t, "v", ctx.Value(ctxKey{}))
	select {
	case <-ctx.Done():
		t.Fatal("done at once")
	default:
	}
	dl, ok := ctx.Deadline()
	assert.True(t, ok)
	assert.WithinDuration(t, time.Now().Add(EndTimeout), dl, time.Second)
	assert.NoError(t, ctx.Err(), "not done before the deadline")
}

func TestEndContextEndsAtItsDeadline(t *testing.T) {
	t.Parallel()
	c := newEndCtx(context.Background(), false)
	c.once.Do(func() { // an armed context whose timer has fired
		c.done = make(chan struct{})
		close(c.done)
		c.timer = time.NewTimer(time.Hour)
		c.armed.Store(true)
	})
	<-c.Done()
	assert.ErrorIs(t, c.Err(), context.DeadlineExceeded)
	c.stop()
}

func TestEndContextDerivesLikeAnyContext(t *testing.T) {
	t.Parallel()
	ctx, stop := endContext(context.Background())
	child, cancel := context.WithCancel(ctx)
	cancel()
	<-child.Done()
	assert.ErrorIs(t, child.Err(), context.Canceled)
	assert.NoError(t, ctx.Err())
	stop()
}
