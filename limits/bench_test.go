package limits_test

import (
	"context"
	"strconv"
	"testing"

	"github.com/accountsec/accountsec/fakes"
	"github.com/accountsec/accountsec/limits"
	"github.com/accountsec/accountsec/store/memstore"
)

// BenchmarkLimiterReserveRefund is the lockout's overhead on a successful
// login: normalise + HMAC the subject, reserve a slot, give it back.
func BenchmarkLimiterReserveRefund(b *testing.B) {
	clock := fakes.NewClock(fakes.Epoch)
	lim, err := limits.NewLimiter(limits.Config{Store: memstore.New(), Secret: secret, Now: clock.Now}, limits.Lockout{})
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	b.Run("serial", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			a, err := lim.Begin(ctx, "login", "alice@example.com")
			if err != nil {
				b.Fatal(err)
			}
			if err := a.Succeed(ctx); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("parallel", func(b *testing.B) {
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			i := 0
			for pb.Next() {
				i++
				a, err := lim.Begin(ctx, "login", "user"+strconv.Itoa(i%1024)+"@example.com")
				if err != nil {
					b.Fatal(err)
				}
				_ = a.Succeed(ctx)
			}
		})
	})
}

func BenchmarkSendLimiterAllow(b *testing.B) {
	clock := fakes.NewClock(fakes.Epoch)
	s, err := limits.NewSendLimiter(limits.Config{Store: memstore.New(), Secret: secret, Now: clock.Now}, limits.Send{PerDestinationPerDay: 1000, PerIPPerHour: 100000})
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		i++
		if err := s.Allow(ctx, "sms", "+86138"+strconv.Itoa(i), "203.0.113.7"); err != nil {
			b.Fatal(err)
		}
		if i%50000 == 0 {
			clock.Advance(limits.Day) // keep the per-IP limit from filling
		}
	}
}
