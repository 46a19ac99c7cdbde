package limits_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/accountsec/accountsec/fakes"
	"github.com/accountsec/accountsec/limits"
	"github.com/accountsec/accountsec/reason"
	"github.com/accountsec/accountsec/store/memstore"
)

func newSend(t *testing.T, p limits.Send) (*limits.SendLimiter, *fakes.Clock) {
	t.Helper()
	clock := fakes.NewClock(fakes.Epoch)
	s, err := limits.NewSendLimiter(limits.Config{Store: memstore.New(), Secret: secret, Now: clock.Now}, p)
	require.NoError(t, err)
	return s, clock
}

func TestOneCodePerDestinationPerInterval(t *testing.T) {
	t.Parallel()
	s, clock := newSend(t, limits.Send{})
	ctx := context.Background()
	require.NoError(t, s.Allow(ctx, "sms", "+8613800000000", "10.0.0.1"))
	clock.Advance(59 * time.Second)
	err := s.Allow(ctx, "sms", "+8613800000000", "10.0.0.2")
	var rl *limits.RateLimitedError
	require.ErrorAs(t, err, &rl)
	assert.Equal(t, time.Second, rl.RetryAfter)
	assert.Equal(t, reason.LimitsRateLimited, reason.CodeOf(err))
	// Another channel or destination is independent.
	require.NoError(t, s.Allow(ctx, "email", "+8613800000000", "10.0.0.1"))
	require.NoError(t, s.Allow(ctx, "sms", "+8613800000001", "10.0.0.1"))
	clock.Advance(time.Second)
	require.NoError(t, s.Allow(ctx, "sms", "+8613800000000", "10.0.0.1"))
}

func TestDailyCapPerDestination(t *testing.T) {
	t.Parallel()
	s, clock := newSend(t, limits.Send{})
	ctx := context.Background()
	for i := range 10 {
		require.NoError(t, s.Allow(ctx, "email", "a@example.com", fmt.Sprintf("10.0.0.%d", i)), "send %d", i+1)
		clock.Advance(time.Minute)
	}
	err := s.Allow(ctx, "email", "a@example.com", "10.0.1.1")
	var rl *limits.RateLimitedError
	require.ErrorAs(t, err, &rl)
	assert.Equal(t, 24*time.Hour-10*time.Minute, rl.RetryAfter)
	clock.Advance(rl.RetryAfter)
	require.NoError(t, s.Allow(ctx, "email", "a@example.com", "10.0.1.1"))
}

func TestPerIPCapAndRefundOfEarlierSlots(t *testing.T) {
	t.Parallel()
	s, _ := newSend(t, limits.Send{PerIPPerHour: 2})
	ctx := context.Background()
	require.NoError(t, s.Allow(ctx, "sms", "+8613800000001", "10.9.9.9"))
	require.NoError(t, s.Allow(ctx, "sms", "+8613800000002", "10.9.9.9"))
	require.ErrorIs(t, s.Allow(ctx, "sms", "+8613800000003", "10.9.9.9"), limits.ErrRateLimited)
	// The refused request gave back the destination's interval slot.
	require.NoError(t, s.Allow(ctx, "sms", "+8613800000003", "10.9.9.8"))
}

func TestSendLimiterRefusesBadInput(t *testing.T) {
	t.Parallel()
	s, _ := newSend(t, limits.Send{})
	ctx := context.Background()
	assert.Equal(t, reason.InputEmpty, reason.CodeOf(s.Allow(ctx, "", "a@example.com", "")))
	assert.Equal(t, reason.InputEmpty, reason.CodeOf(s.Allow(ctx, "sms", "  ", "")))
	assert.Equal(t, reason.InputInvalidUTF8, reason.CodeOf(s.Allow(ctx, "sms", "\xff\xfe", "")))
	// Nothing was taken by the refused calls.
	require.NoError(t, s.Allow(ctx, "sms", "+8613800000009", ""))
}
