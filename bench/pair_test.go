package bench

import (
	"runtime"
	"testing"
	"time"
)

// side is one implementation of a compared operation. op runs the i-th
// iteration (i counts that side's own iterations from 0, so a side that
// must not repeat an input, such as a TOTP code, can index inputs prepared
// beforehand).
type side struct {
	name string
	op   func(i int)
}

// maxChunk bounds the iterations of one side run in a row.
const maxChunk = 512

// compare runs the sides interleaved in one benchmark: alternating chunks
// of iterations, the order of the sides reversed at every chunk, so that a
// noisy neighbour, a frequency change or a GC slows all of them alike. It
// reports, besides the usual ns/op (all sides together), each side's own
// ns and allocations per operation ("<name>-ns/op", "<name>-allocs/op",
// "<name>-B/op") and the ratio of the first side (ours) to each other one:
// "x-peer" for the second, "x-<name>" for the others. A ratio below 1 means
// ours is faster.
//
// prepare, when not nil, is called with b.N before the timer starts, for
// sides that index inputs.
func compare(b *testing.B, prepare func(n int), sides ...side) {
	b.Helper()
	res := measure(b, prepare, sides...)
	for k, s := range sides {
		b.ReportMetric(res[k].ns, s.name+"-ns/op")
		b.ReportMetric(res[k].allocs, s.name+"-allocs/op")
		b.ReportMetric(res[k].bytes, s.name+"-B/op")
	}
	for k := 1; k < len(sides); k++ {
		unit := "x-" + sides[k].name
		if k == 1 {
			unit = "x-peer"
		}
		b.ReportMetric(res[0].ns/res[k].ns, unit)
	}
}

// cost is one side's time, allocations and bytes per operation.
type cost struct{ ns, allocs, bytes float64 }

// measure runs the sides interleaved as compare describes and returns each
// side's cost per operation instead of reporting it.
func measure(b *testing.B, prepare func(n int), sides ...side) []cost {
	b.Helper()
	if prepare != nil {
		prepare(b.N + allocRuns + 1)
	}
	// Allocations per side, measured apart so that the timed loop reads no
	// memory statistics (and reported at the end: ResetTimer drops reported
	// metrics). Each side's iterations go on from there.
	next := make([]int, len(sides))
	res := make([]cost, len(sides))
	for k, s := range sides {
		s.op(next[k]) // warm-up: pools, caches, connections
		next[k]++
		res[k].allocs, res[k].bytes = allocsOf(func() {
			s.op(next[k])
			next[k]++
		})
	}
	spent := make([]time.Duration, len(sides))
	chunk := min(maxChunk, max(1, b.N/32))
	b.ResetTimer()
	for done, round := 0, 0; done < b.N; round++ {
		n := min(chunk, b.N-done)
		for j := range sides {
			k := j
			if round%2 == 1 {
				k = len(sides) - 1 - j
			}
			op, start := sides[k].op, next[k]
			t0 := time.Now()
			for i := start; i < start+n; i++ {
				op(i)
			}
			spent[k] += time.Since(t0)
			next[k] += n
		}
		done += n
	}
	b.StopTimer()
	for k := range res {
		res[k].ns = float64(spent[k].Nanoseconds()) / float64(b.N)
	}
	return res
}

// allocRuns is how many calls allocsOf averages over.
const allocRuns = 64

// allocsOf returns the mean allocations and bytes of allocRuns calls of f.
func allocsOf(f func()) (allocs, bytes float64) {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	for range allocRuns {
		f()
	}
	runtime.ReadMemStats(&after)
	return float64(after.Mallocs-before.Mallocs) / allocRuns, float64(after.TotalAlloc-before.TotalAlloc) / allocRuns
}

// heapInUse returns the live heap after a full collection.
func heapInUse() uint64 {
	var m runtime.MemStats
	runtime.GC()
	runtime.GC()
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}
