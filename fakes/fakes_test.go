package fakes_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/accountsec/accountsec/event"
	"github.com/accountsec/accountsec/fakes"
	"github.com/accountsec/accountsec/notify"
)

func TestZeroClockStartsAtEpochAndMovesOnlyWhenTold(t *testing.T) {
	t.Parallel()
	var c fakes.Clock
	assert.Equal(t, fakes.Epoch, c.Now())
	assert.Equal(t, fakes.Epoch, c.Now())
	assert.Equal(t, fakes.Epoch.Add(time.Hour), c.Advance(time.Hour))
	at := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	c.Set(at)
	assert.Equal(t, at, c.Now())
}

func TestOutboxRecordsAndFails(t *testing.T) {
	t.Parallel()
	var o fakes.Outbox
	ctx := context.Background()
	require.NoError(t, o.SendEmail(ctx, notify.Message{To: "a@example.com", Code: "111111"}))
	require.NoError(t, o.SendSMS(ctx, notify.Message{To: "+86138", Code: "222222"}))
	require.NoError(t, o.SendEmail(ctx, notify.Message{To: "a@example.com", Code: "333333"}))
	assert.Equal(t, "333333", o.LastCode("a@example.com"))
	assert.Equal(t, "", o.LastCode("nobody"))
	o.FailWith(fakes.ErrUndeliverable)
	require.ErrorIs(t, o.SendSMS(ctx, notify.Message{To: "+86138"}), fakes.ErrUndeliverable)
	assert.Len(t, o.Messages(), 3)
}

func TestEventsRecorder(t *testing.T) {
	t.Parallel()
	var r fakes.Events
	var h event.Hook = r.Hook
	h.Emit(context.Background(), event.Event{Kind: event.Locked})
	h.Emit(context.Background(), event.Event{Kind: event.Unlocked})
	h.Emit(context.Background(), event.Event{Kind: event.Locked})
	assert.Equal(t, 2, r.Count(event.Locked))
	assert.Equal(t, []event.Kind{event.Locked, event.Unlocked, event.Locked}, r.Kinds())
	assert.Len(t, r.All(), 3)
}
