package storetest

import (
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/accountsec/accountsec/limits"
	"github.com/accountsec/accountsec/notify"
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
			if err := s.Release(ctx, "bench", r.ExpiresAt, at(0)); err != nil {
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
				if err := s.Release(ctx, key, r.ExpiresAt, at(0)); err != nil {
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
			if err := s.PutCode(ctx, "bench", rec, at(0)); err != nil {
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
				if err := s.PutCode(ctx, key, rec, at(0)); err != nil {
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
