package limits

import (
	"context"
	"time"

	"github.com/accountsec/accountsec/internal/keyhash"
	"github.com/accountsec/accountsec/reason"
)

// SendLimiter limits how often verification codes are sent: per destination
// (one per MinInterval, PerDestinationPerDay in 24 hours) and per client IP
// (PerIPPerHour). It satisfies the send gate that notify.Codes accepts.
type SendLimiter struct {
	base
	policy Send
}

// NewSendLimiter returns a SendLimiter for policy p (zero fields mean
// defaults).
func NewSendLimiter(cfg Config, p Send) (*SendLimiter, error) {
	b, err := newBase(cfg)
	if err != nil {
		return nil, err
	}
	pol, err := Policy{Send: p}.Resolve()
	if err != nil {
		return nil, err
	}
	return &SendLimiter{base: b, policy: pol.Send}, nil
}

// Policy returns the resolved policy.
func (s *SendLimiter) Policy() Send { return s.policy }

// Allow takes one send from every limit that applies to (channel,
// destination) and clientIP; clientIP may be empty when unknown. If any
// limit refuses, the slots already taken are given back and
// *RateLimitedError says how long to wait. The check of each limit is one
// atomic store operation, so concurrent requests never exceed a limit.
func (s *SendLimiter) Allow(ctx context.Context, channel, destination, clientIP string) error {
	type rule struct {
		scope, subject string
		limit          int
		window         time.Duration
	}
	rules := []rule{
		{"send.interval", channel + "\x00" + destination, 1, s.policy.MinInterval},
		{"send.day", channel + "\x00" + destination, s.policy.PerDestinationPerDay, 24 * time.Hour},
	}
	if clientIP != "" {
		rules = append(rules, rule{"send.ip", clientIP, s.policy.PerIPPerHour, time.Hour})
	}
	if channel == "" {
		return reason.New(reason.InputEmpty).With("field", "channel")
	}
	if keyhash.Normalize(destination) == "" {
		return reason.New(reason.InputEmpty).With("field", "destination")
	}
	keys := make([]string, len(rules))
	for i, r := range rules {
		k, err := s.key(r.scope, r.subject)
		if err != nil {
			return err
		}
		keys[i] = k
	}
	now := s.now()
	windows := make([]time.Time, len(rules))
	for i, r := range rules {
		c, ok, err := s.store.Reserve(ctx, keys[i], Reservation{
			Limit:     int64(r.limit),
			Now:       now,
			ExpiresAt: now.Add(r.window),
		})
		if err != nil || !ok {
			// A refund does not depend on ctx being alive (see EndTimeout);
			// it is best effort: a lost refund only errs on the strict side.
			rctx := newEndCtx(ctx, s.reuse)
			for j, k := range keys[:i] {
				_ = s.store.Release(rctx, k, windows[j], now)
			}
			rctx.finish(s.reuse)
			if err != nil {
				return reason.Store(err)
			}
			return &RateLimitedError{RetryAfter: c.ExpiresAt.Sub(now)}
		}
		windows[i] = c.Window
	}
	return nil
}
