package storetest

import (
	"fmt"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/accountsec/accountsec/limits"
	"github.com/accountsec/accountsec/notify"
	"github.com/accountsec/accountsec/protection"
)

// BenchmarkCounterStore measures one Reserve and one Release on s, the
// store's cost of a successful guarded attempt: serially on one key, and in
// parallel (parallelism callers per CPU; more than one for stores behind a
// network) on a key per caller. Adapters call it from their own Benchmark
// function, so the numbers of every store are measured alike.
func BenchmarkCounterStore(b *testing.B, s limits.CounterStore, parallelism int) {
	ctx := b.Context()
	r := limits.Reservation{Limit: 5, Now: at(0), ExpiresAt: at(time.Hour)}
	b.Run("serial", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, _, err := s.Reserve(ctx, "bench", r); err != nil {
				b.Fatal(err)
			}
			if err := s.Release(ctx, "bench", at(0)); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("parallel", func(b *testing.B) {
		b.ReportAllocs()
		var n atomic.Int64
		b.SetParallelism(parallelism)
		b.RunParallel(func(pb *testing.PB) {
			key := "bench-" + strconv.FormatInt(n.Add(1), 10)
			for pb.Next() {
				if _, _, err := s.Reserve(ctx, key, r); err != nil {
					b.Error(err)
					return
				}
				if err := s.Release(ctx, key, at(0)); err != nil {
					b.Error(err)
					return
				}
			}
		})
	})
}

// BenchmarkCodeStore measures storing a code and consuming it with the right
// answer, serially and in parallel as BenchmarkCounterStore does.
func BenchmarkCodeStore(b *testing.B, s notify.CodeStore, parallelism int) {
	ctx := b.Context()
	rec := notify.CodeRecord{Hash: hashOf("123456"), ExpiresAt: at(time.Hour), MaxWrong: 5}
	b.Run("serial", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if err := s.PutCode(ctx, "bench", rec); err != nil {
				b.Fatal(err)
			}
			if out, _, err := s.ConsumeCode(ctx, "bench", rec.Hash, at(0)); err != nil || out != notify.Matched {
				b.Fatal(out, err)
			}
		}
	})
	b.Run("parallel", func(b *testing.B) {
		b.ReportAllocs()
		var n atomic.Int64
		b.SetParallelism(parallelism)
		b.RunParallel(func(pb *testing.PB) {
			key := "bench-" + strconv.FormatInt(n.Add(1), 10)
			for pb.Next() {
				if err := s.PutCode(ctx, key, rec); err != nil {
					b.Error(err)
					return
				}
				if out, _, err := s.ConsumeCode(ctx, key, rec.Hash, at(0)); err != nil || out != notify.Matched {
					b.Error(out, err)
					return
				}
			}
		})
	})
}

// BenchmarkSessionLookup measures Session, which runs on every request:
// serially, and in parallel (parallelism callers per CPU, a session each).
func BenchmarkSessionLookup(b *testing.B, s protection.Store, parallelism int) {
	ctx := b.Context()
	const sessions = 64
	for i := range sessions {
		if err := s.CreateSession(ctx, session(fmt.Sprint("acct", i%8), fmt.Sprint("s", i), 0)); err != nil {
			b.Fatal(err)
		}
	}
	b.Run("serial", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, found, err := s.Session(ctx, "s0"); err != nil || !found {
				b.Fatal(found, err)
			}
		}
	})
	b.Run("parallel", func(b *testing.B) {
		b.ReportAllocs()
		var n atomic.Int64
		b.SetParallelism(parallelism)
		b.RunParallel(func(pb *testing.PB) {
			id := fmt.Sprint("s", n.Add(1)%sessions)
			for pb.Next() {
				if _, found, err := s.Session(ctx, id); err != nil || !found {
					b.Error(found, err)
					return
				}
			}
		})
	})
}

// BenchmarkEndAllSessions measures EndAllSessions on an account that holds
// 1 and 1,000 sessions, on a fresh store from newStore for each. Each timed
// call ends a live session created (untimed) before it; the contract makes
// the call's cost independent of the number of sessions.
func BenchmarkEndAllSessions(b *testing.B, newStore func(b *testing.B) protection.Store) {
	for _, n := range []int{1, 1000} {
		b.Run(fmt.Sprint("sessions=", n), func(b *testing.B) {
			s := newStore(b)
			ctx := b.Context()
			for i := range n {
				if err := s.CreateSession(ctx, session("acct", fmt.Sprint("s", i), 0)); err != nil {
					b.Fatal(err)
				}
			}
			i := 0
			for b.Loop() {
				if err := s.EndAllSessions(ctx, "acct", ""); err != nil {
					b.Fatal(err)
				}
				b.StopTimer()
				i++
				if err := s.CreateSession(ctx, session("acct", fmt.Sprint("new", i), 0)); err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
			}
		})
	}
}
