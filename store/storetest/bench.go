package storetest

import (
	"fmt"
	"strconv"
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
	benchSerialParallel(b, parallelism, func(caller int64) func() error {
		key := benchKey(caller)
		return func() error {
			if _, _, err := s.Reserve(ctx, key, r); err != nil {
				return err
			}
			return s.Release(ctx, key, r.ExpiresAt, at(0))
		}
	})
}

// benchKey is the key of a benchmark's caller: "bench" for the serial one.
func benchKey(caller int64) string {
	if caller == 0 {
		return "bench"
	}
	return "bench-" + strconv.FormatInt(caller, 10)
}

// BenchmarkCodeStore measures storing a code and consuming it with the right
// answer, serially and in parallel as BenchmarkCounterStore does.
func BenchmarkCodeStore(b *testing.B, s notify.CodeStore, parallelism int) {
	ctx := b.Context()
	rec := notify.CodeRecord{Hash: hashOf("123456"), ExpiresAt: at(time.Hour), MaxWrong: 5}
	benchSerialParallel(b, parallelism, func(caller int64) func() error {
		key := benchKey(caller)
		return func() error {
			if err := s.PutCode(ctx, key, rec, at(0)); err != nil {
				return err
			}
			if out, _, err := s.ConsumeCode(ctx, key, rec.Hash, at(0)); err != nil || out != notify.Matched {
				return fmt.Errorf("ConsumeCode: outcome %v, %v", out, err)
			}
			return nil
		}
	})
}
