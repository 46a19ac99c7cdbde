package memstore_test

import (
	"crypto/sha256"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/accountsec/accountsec/limits"
	"github.com/accountsec/accountsec/notify"
	"github.com/accountsec/accountsec/store/memstore"
)

// benchKeys returns n keys shaped like the hashed keys the store receives.
func benchKeys(n int) []string {
	keys := make([]string, n)
	for i := range keys {
		sum := sha256.Sum256([]byte(strconv.Itoa(i)))
		keys[i] = "k:" + string(sum[:16])
	}
	return keys
}

func BenchmarkReserveRelease(b *testing.B) {
	r := limits.Reservation{Limit: 10, Now: epoch, ExpiresAt: epoch.Add(time.Hour)}
	keys := benchKeys(1024)

	b.Run("serial", func(b *testing.B) {
		s := memstore.New()
		ctx := b.Context()
		i := 0
		for b.Loop() {
			key := keys[i%len(keys)]
			i++
			if _, _, err := s.Reserve(ctx, key, r); err != nil {
				b.Fatal(err)
			}
			if err := s.Release(ctx, key, r.ExpiresAt, epoch); err != nil {
				b.Fatal(err)
			}
		}
	})

	// Every goroutine works on its own keys: the case sharding is for.
	b.Run("parallel", func(b *testing.B) {
		s := memstore.New()
		ctx := b.Context()
		var next atomic.Int64
		b.RunParallel(func(pb *testing.PB) {
			i := int(next.Add(1)) * 7919
			for pb.Next() {
				key := keys[i%len(keys)]
				i++
				if _, _, err := s.Reserve(ctx, key, r); err != nil {
					b.Error(err)
					return
				}
				if err := s.Release(ctx, key, r.ExpiresAt, epoch); err != nil {
					b.Error(err)
					return
				}
			}
		})
	})

	// Every goroutine hits one key, as in an attack on one account.
	b.Run("parallel-one-key", func(b *testing.B) {
		s := memstore.New()
		ctx := b.Context()
		key := keys[0]
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if _, _, err := s.Reserve(ctx, key, r); err != nil {
					b.Error(err)
					return
				}
				if err := s.Release(ctx, key, r.ExpiresAt, epoch); err != nil {
					b.Error(err)
					return
				}
			}
		})
	})
}

func BenchmarkPutConsumeCode(b *testing.B) {
	sum := sha256.Sum256([]byte("123456"))
	rec := notify.CodeRecord{Hash: sum[:], ExpiresAt: epoch.Add(10 * time.Minute), MaxWrong: 5}
	keys := benchKeys(1024)

	putConsume := func(b *testing.B, s *memstore.Store, key string) bool {
		ctx := b.Context()
		if err := s.PutCode(ctx, key, rec, epoch); err != nil {
			b.Error(err)
			return false
		}
		out, _, err := s.ConsumeCode(ctx, key, rec.Hash, epoch)
		if err != nil || out != notify.Matched {
			b.Errorf("ConsumeCode = %v, %v; want Matched", out, err)
			return false
		}
		return true
	}

	b.Run("serial", func(b *testing.B) {
		s := memstore.New()
		i := 0
		for b.Loop() {
			if !putConsume(b, s, keys[i%len(keys)]) {
				return
			}
			i++
		}
	})

	b.Run("parallel", func(b *testing.B) {
		s := memstore.New()
		var next atomic.Int64
		b.RunParallel(func(pb *testing.PB) {
			// Goroutines take disjoint keys so that each Put is followed
			// by its own Consume.
			g := int(next.Add(1))
			i := 0
			for pb.Next() {
				if !putConsume(b, s, keys[(g*64+i%64)%len(keys)]) {
					return
				}
				i++
			}
		})
	})
}
