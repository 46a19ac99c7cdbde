package recovery_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/accountsec/accountsec/event"
	"github.com/accountsec/accountsec/fakes"
	"github.com/accountsec/accountsec/notify"
	"github.com/accountsec/accountsec/recovery"
	"github.com/accountsec/accountsec/store/memstore"
)

// gatedSender holds every email until release is closed, and tells on
// started when a send begins.
type gatedSender struct {
	release chan struct{}
	started chan struct{}
	mu      sync.Mutex
	sent    []notify.Message
}

func newGatedSender() *gatedSender {
	return &gatedSender{release: make(chan struct{}), started: make(chan struct{}, 16)}
}

func (g *gatedSender) SendEmail(ctx context.Context, m notify.Message) error {
	g.started <- struct{}{}
	select {
	case <-g.release:
	case <-ctx.Done():
		return ctx.Err()
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	g.sent = append(g.sent, m)
	return nil
}

func (g *gatedSender) messages() []notify.Message {
	g.mu.Lock()
	defer g.mu.Unlock()
	return append([]notify.Message(nil), g.sent...)
}

// A known and an unknown address make the same store calls: one read of the
// index, one account read, one reset written.
func TestKnownAndUnknownAddressesDoTheSameStoreWork(t *testing.T) {
	t.Parallel()
	calls := func(email string, register bool) map[string]int {
		resets := &fakes.StateStore{Store: memstore.New()}
		e := newEnv(t, func(c *recovery.ResetConfig) { c.Store = resets })
		if register {
			e.registerEmail(t, email, pw1)
		}
		require.NoError(t, e.resets.Request(context.Background(), email, ""))
		out := map[string]int{}
		for _, op := range []string{"PutRecord", "GetRecord", "DeleteRecord", "ListRecords", "EndRecords"} {
			out[op] = resets.Calls(op)
		}
		return out
	}
	known := calls("k@example.com", true)
	unknown := calls("u@example.com", false)
	assert.Equal(t, 1, known["PutRecord"], "a known address stores its token")
	assert.Equal(t, known, unknown, "an unknown address stores a decoy the same way")
}

// The decoy of an unknown address does not touch any account's pending
// reset, and a newer decoy of the same address replaces the older one.
func TestDecoyLeavesPendingResetsAlone(t *testing.T) {
	t.Parallel()
	resets := memstore.New()
	e := newEnv(t, func(c *recovery.ResetConfig) { c.Store = resets })
	e.registerEmail(t, "k@example.com", pw1)
	token := e.request(t, "k@example.com")
	e.clock.Advance(2 * time.Minute)
	require.NoError(t, e.resets.Request(context.Background(), "u@example.com", ""))
	e.clock.Advance(2 * time.Minute)
	require.NoError(t, e.resets.Request(context.Background(), "u@example.com", ""))
	_, err := e.resets.Lookup(context.Background(), token)
	require.NoError(t, err, "the known account's token is still valid")
	assert.Len(t, e.resetMessages(), 1, "no email for the unknown address")
}

// With a queue, Request answers before the sender is done, for a known
// address as for an unknown one; Flush waits for the delivery.
func TestQueuedDeliveryIsNotInTheResponse(t *testing.T) {
	t.Parallel()
	g := newGatedSender()
	e := newEnv(t, func(c *recovery.ResetConfig) { c.Email = g; c.Policy.Queue = 4 })
	e.registerEmail(t, "q@example.com", pw1)
	ctx := context.Background()

	require.NoError(t, e.resets.Request(ctx, "q@example.com", ""), "answers while the sender is held")
	<-g.started
	require.NoError(t, e.resets.Request(ctx, "nobody@example.com", ""))
	assert.Empty(t, g.messages(), "not delivered yet")
	close(g.release)
	require.NoError(t, e.resets.Flush(ctx))
	msgs := g.messages()
	require.Len(t, msgs, 1)
	assert.Equal(t, "q@example.com", msgs[0].To)
	assert.True(t, recovery.ParseToken(msgs[0].Code))
	_, err := e.resets.Lookup(ctx, msgs[0].Code)
	require.NoError(t, err, "the delivered token works")
	assert.Equal(t, 2, e.events.Count(event.PasswordResetRequested), "one event per request, known or not")

	// The worker stopped when the queue emptied; a later request starts
	// another.
	e.clock.Advance(2 * time.Minute)
	require.NoError(t, e.resets.Request(ctx, "q@example.com", ""))
	require.NoError(t, e.resets.Flush(ctx))
	assert.Len(t, g.messages(), 2)
}

// A full queue drops a request, known address or not, with the same
// answer; a known one's drop is reported to the host.
func TestFullQueueDropsAlike(t *testing.T) {
	t.Parallel()
	g := newGatedSender()
	e := newEnv(t, func(c *recovery.ResetConfig) { c.Email = g; c.Policy.Queue = 1 })
	for _, a := range []string{"a@example.com", "b@example.com", "c@example.com"} {
		e.registerEmail(t, a, pw1)
	}
	ctx := context.Background()
	require.NoError(t, e.resets.Request(ctx, "a@example.com", ""))
	<-g.started // the worker holds a's email
	require.NoError(t, e.resets.Request(ctx, "b@example.com", ""), "fills the queue")
	require.NoError(t, e.resets.Request(ctx, "c@example.com", ""), "dropped, same answer")
	require.NoError(t, e.resets.Request(ctx, "nobody@example.com", ""), "dropped, same answer")
	dropped := 0
	for _, ev := range e.events.All() {
		if ev.Kind == event.PasswordResetSendFailed && ev.Attrs["reason"] == "queue_full" {
			dropped++
		}
	}
	assert.Equal(t, 1, dropped, "c's drop is reported")
	close(g.release)
	require.NoError(t, e.resets.Flush(ctx))
	var to []string
	for _, m := range g.messages() {
		to = append(to, m.To)
	}
	assert.ElementsMatch(t, []string{"a@example.com", "b@example.com"}, to)
}

// A queued delivery keeps the request's values but not its cancellation: a
// request whose context ends right after the answer is still delivered.
func TestQueuedDeliveryOutlivesTheRequestContext(t *testing.T) {
	t.Parallel()
	e := newEnv(t, func(c *recovery.ResetConfig) { c.Policy.Queue = 2 })
	e.registerEmail(t, "ctx@example.com", pw1)
	ctx, cancel := context.WithCancel(context.Background())
	require.NoError(t, e.resets.Request(ctx, "ctx@example.com", ""))
	cancel()
	require.NoError(t, e.resets.Flush(context.Background()))
	_, ok := e.outbox.Last("ctx@example.com")
	assert.True(t, ok)
}

// Flush gives up when its context ends while the sender holds an email.
func TestFlushStopsWithItsContext(t *testing.T) {
	t.Parallel()
	g := newGatedSender()
	e := newEnv(t, func(c *recovery.ResetConfig) { c.Email = g; c.Policy.Queue = 1 })
	e.registerEmail(t, "f@example.com", pw1)
	require.NoError(t, e.resets.Request(context.Background(), "f@example.com", ""))
	<-g.started
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	require.ErrorIs(t, e.resets.Flush(ctx), context.Canceled)
	close(g.release)
	require.NoError(t, e.resets.Flush(context.Background()))
}

func TestQueuePolicyIsValidated(t *testing.T) {
	t.Parallel()
	for _, q := range []int{-1, recovery.MaxQueue + 1} {
		_, err := recovery.NewResets(recovery.ResetConfig{
			Store: memstore.New(), Accounts: newEnv(t).accounts, Email: &fakes.Outbox{}, Gate: allowAll{},
			Verifier: &verifier{}, Sessions: &sessions{}, Secret: testSecret, Policy: recovery.ResetPolicy{Queue: q},
		})
		require.Error(t, err, q)
	}
}
