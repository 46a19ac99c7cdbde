package pgstore_test

import (
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/accountsec/accountsec/limits"
	"github.com/accountsec/accountsec/notify"
)

// BenchmarkReserveRelease measures one Reserve and one Release, the cost of
// a successful guarded attempt: serially on one key, and in parallel (4 callers per
// CPU) on a key per caller.
func BenchmarkReserveRelease(b *testing.B) {
	s := newStore(b, testPool(b))
	ctx := b.Context()
	r := limits.Reservation{Limit: 5, Now: at(0), ExpiresAt: at(time.Hour)}
	b.Run("serial", func(b *testing.B) {
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
		var n atomic.Int64
		b.SetParallelism(4) // I/O bound: more callers than CPUs
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

// BenchmarkPutConsumeCode measures storing a code and consuming it with the
// right answer.
func BenchmarkPutConsumeCode(b *testing.B) {
	s := newStore(b, testPool(b))
	ctx := b.Context()
	rec := notify.CodeRecord{Hash: hashOf("123456"), ExpiresAt: at(time.Hour), MaxWrong: 5}
	b.Run("serial", func(b *testing.B) {
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
		var n atomic.Int64
		b.SetParallelism(4) // I/O bound: more callers than CPUs
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
