package recovery_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/accountsec/accountsec/recovery"
)

// allowAll is a Gate that lets every request through, so that the
// benchmark can repeat requests for the same addresses.
type allowAll struct{}

func (allowAll) Allow(context.Context, string, string, string) error { return nil }

// BenchmarkRequestKnownVsUnknown runs requests for known and unknown
// addresses interleaved in one run, timing each, and reports the ratio of
// the median known time to the median unknown time ("known/unknown"; 1
// means indistinguishable), with each median in ns (medians, so that a
// pause of the runtime or the machine in one call does not decide). The queue is on (Policy.Queue),
// as advised for production; the worker is drained outside the timed calls
// so that its deliveries do not weigh on either side.
func BenchmarkRequestKnownVsUnknown(b *testing.B) {
	for _, queued := range []bool{true, false} {
		b.Run(fmt.Sprintf("queue=%v", queued), func(b *testing.B) {
			e := newEnv(b, func(c *recovery.ResetConfig) {
				c.Gate = allowAll{}
				if queued {
					c.Policy.Queue = 64
				}
			})
			const n = 8
			known := make([]string, n)
			unknown := make([]string, n)
			for i := range n {
				known[i] = fmt.Sprintf("known%d@example.com", i)
				unknown[i] = fmt.Sprintf("unknown%d@example.com", i)
				e.registerEmail(b, known[i], pw1)
			}
			ctx := context.Background()
			var tk, tu []time.Duration
			b.ReportAllocs()
			b.ResetTimer()
			// one times a request and then drains the queue outside the
			// timer, so that the worker's delivery does not overlap the next
			// request.
			one := func(email string) time.Duration {
				t0 := time.Now()
				err := e.resets.Request(ctx, email, "198.51.100.7")
				d := time.Since(t0)
				b.StopTimer()
				require.NoError(b, err)
				require.NoError(b, e.resets.Flush(ctx))
				b.StartTimer()
				return d
			}
			for i := 0; b.Loop(); i++ {
				// Alternate which side goes first, so that neither always
				// finds the caches warmed by the other.
				if i%2 == 0 {
					tk = append(tk, one(known[i%n]))
					tu = append(tu, one(unknown[i%n]))
				} else {
					tu = append(tu, one(unknown[i%n]))
					tk = append(tk, one(known[i%n]))
				}
			}
			mk, mu := median(tk), median(tu)
			if mu > 0 {
				b.ReportMetric(float64(mk)/float64(mu), "known/unknown")
				b.ReportMetric(float64(mk.Nanoseconds()), "known-ns")
				b.ReportMetric(float64(mu.Nanoseconds()), "unknown-ns")
			}
		})
	}
}

// median returns the median of ds (zero for none).
func median(ds []time.Duration) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[len(s)/2]
}
