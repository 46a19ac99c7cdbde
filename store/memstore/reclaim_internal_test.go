package memstore

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/accountsec/accountsec/limits"
	"github.com/accountsec/accountsec/state"
)

// entries counts the stored counters, single-use records and records,
// expired or not.
func (s *Store) entries() int {
	n := s.counters.len() + s.onces.len() + s.codes.len()
	for i := range s.records.parts {
		sh := &s.records.parts[i]
		sh.mu.Lock()
		for _, o := range sh.m {
			for _, set := range o.sets {
				n += set.recs.len()
			}
		}
		sh.mu.Unlock()
	}
	return n
}

// mixedOp is the i-th call of a traffic mix in which every key is new and
// every entry expires soon after it is written (as sessions of users who
// never come back, one-time challenges and lockout windows do): sessions
// written as records, single-use records and counters, in turn.
func mixedOp(ctx context.Context, s *Store, i int, now time.Time) error {
	exp := now.Add(10 * time.Millisecond)
	id := strconv.Itoa(i)
	switch i % 3 {
	case 0:
		return s.PutRecord(ctx, state.Record{Set: "session", Owner: "u" + id, ID: "s" + id, Data: []byte("d"), ExpiresAt: exp}, 0, now)
	case 1:
		_, err := s.PutOnce(ctx, state.Once{ID: "o" + id, Data: []byte("d"), ExpiresAt: exp}, now)
		return err
	default:
		_, _, err := s.Reserve(ctx, "c"+id, limits.Reservation{Limit: 5, Now: now, ExpiresAt: exp})
		return err
	}
}

// BenchmarkMixedExpiring runs mixedOp with time advancing 1 ms a call and
// reports how many entries the store holds at the end: without reclaiming,
// every entry ever written (b.N); with it, a bounded number.
func BenchmarkMixedExpiring(b *testing.B) {
	s := New()
	ctx := b.Context()
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	i := 0
	for b.Loop() {
		if err := mixedOp(ctx, s, i, now); err != nil {
			b.Fatal(err)
		}
		i++
		now = now.Add(time.Millisecond)
	}
	b.ReportMetric(float64(s.entries()), "entries")
}
