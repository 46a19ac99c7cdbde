package memstore_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/accountsec/accountsec/account"
	"github.com/accountsec/accountsec/limits"
	"github.com/accountsec/accountsec/notify"
	"github.com/accountsec/accountsec/store/memstore"
	"github.com/accountsec/accountsec/store/storetest"
)

var epoch = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

func TestCounterStore(t *testing.T) {
	t.Parallel()
	storetest.RunCounterStore(t, func(*testing.T) limits.CounterStore { return memstore.New() })
}

func TestCodeStore(t *testing.T) {
	t.Parallel()
	storetest.RunCodeStore(t, func(*testing.T) notify.CodeStore { return memstore.New() })
}

func TestZeroStore(t *testing.T) {
	t.Parallel()
	storetest.RunCounterStore(t, func(*testing.T) limits.CounterStore { return new(memstore.Store) })
	storetest.RunCodeStore(t, func(*testing.T) notify.CodeStore { return new(memstore.Store) })
}

func TestSweep(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	s := memstore.New()
	assert.Zero(t, s.Sweep(epoch), "empty store")

	// Counters expiring at +1m, +2m, …, +5m, and codes likewise.
	for i := 1; i <= 5; i++ {
		exp := epoch.Add(time.Duration(i) * time.Minute)
		_, ok, err := s.Reserve(ctx, fmt.Sprint("counter", i), limits.Reservation{Limit: 1, Now: epoch, ExpiresAt: exp})
		require.NoError(t, err)
		require.True(t, ok)
		require.NoError(t, s.PutCode(ctx, fmt.Sprint("code", i), notify.CodeRecord{Hash: []byte{byte(i)}, ExpiresAt: exp, MaxWrong: 1}, epoch))
	}

	assert.Zero(t, s.Sweep(epoch.Add(time.Minute-time.Millisecond)), "nothing expired yet")
	// An entry is gone at its expiry, not after.
	assert.Equal(t, 4, s.Sweep(epoch.Add(2*time.Minute)), "two counters and two codes")
	assert.Zero(t, s.Sweep(epoch.Add(2*time.Minute)), "second sweep at the same time")

	// What is left still works, at a time before the sweep.
	c, err := s.Get(ctx, "counter3", epoch)
	require.NoError(t, err)
	assert.Equal(t, int64(1), c.Count)
	out, _, err := s.ConsumeCode(ctx, "code3", []byte{3}, epoch)
	require.NoError(t, err)
	assert.Equal(t, notify.Matched, out)

	// code3 was consumed, so four entries are left to expire.
	assert.Equal(t, 5, s.Sweep(epoch.Add(time.Hour)))
	assert.Zero(t, s.Sweep(epoch.Add(time.Hour)))
}

func TestSweepWhileInUse(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	s := memstore.New()
	const writers, rounds = 8, 200

	var wg sync.WaitGroup
	errs := make(chan error, writers)
	for w := range writers {
		wg.Go(func() {
			for i := range rounds {
				// Each entry expires a millisecond after it is written, at
				// a time that grows with i.
				now := epoch.Add(time.Duration(i) * time.Millisecond)
				key := fmt.Sprint(w, "/", i%10)
				r := limits.Reservation{Limit: 3, Now: now, ExpiresAt: now.Add(time.Millisecond)}
				if _, _, err := s.Reserve(ctx, key, r); err != nil {
					errs <- err
					return
				}
				rec := notify.CodeRecord{Hash: []byte{1}, ExpiresAt: now.Add(time.Millisecond), MaxWrong: 1}
				if err := s.PutCode(ctx, key, rec, now); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	swept := 0
	for i := range rounds {
		swept += s.Sweep(epoch.Add(time.Duration(i) * time.Millisecond))
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	// After the writers stop, everything written has expired: at most ten
	// counters and ten codes per writer were still held.
	rest := s.Sweep(epoch.Add(time.Hour))
	assert.LessOrEqual(t, rest, writers*20)
	assert.Zero(t, s.Sweep(epoch.Add(time.Hour)))
}

func TestCounterAndCodeShareKey(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	s := memstore.New()
	const key = "same"
	exp := epoch.Add(time.Minute)

	_, ok, err := s.Reserve(ctx, key, limits.Reservation{Limit: 1, Now: epoch, ExpiresAt: exp})
	require.NoError(t, err)
	require.True(t, ok)
	require.NoError(t, s.PutCode(ctx, key, notify.CodeRecord{Hash: []byte("h"), ExpiresAt: exp, MaxWrong: 1}, epoch))

	require.NoError(t, s.Delete(ctx, key))
	out, _, err := s.ConsumeCode(ctx, key, []byte("h"), epoch)
	require.NoError(t, err)
	assert.Equal(t, notify.Matched, out, "deleting the counter left the code")

	_, ok, err = s.Reserve(ctx, key, limits.Reservation{Limit: 1, Now: epoch, ExpiresAt: exp})
	require.NoError(t, err)
	require.True(t, ok)
	require.NoError(t, s.DeleteCode(ctx, key))
	c, err := s.Get(ctx, key, epoch)
	require.NoError(t, err)
	assert.Equal(t, int64(1), c.Count, "deleting the code left the counter")
}

func TestInvalidArguments(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	exp := epoch.Add(time.Minute)

	reservations := map[string]limits.Reservation{
		"zero limit":           {Limit: 0, Now: epoch, ExpiresAt: exp},
		"negative limit":       {Limit: -1, Now: epoch, ExpiresAt: exp},
		"expiry at now":        {Limit: 1, Now: epoch, ExpiresAt: epoch},
		"expiry before now":    {Limit: 1, Now: exp, ExpiresAt: epoch},
		"zero expiry":          {Limit: 1, Now: epoch},
		"zero reservation":     {},
		"expiry before now, 2": {Limit: 5, Now: exp, ExpiresAt: exp.Add(-time.Millisecond)},
	}
	for name, r := range reservations {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			s := memstore.New()
			c, ok, err := s.Reserve(ctx, "k", r)
			require.Error(t, err)
			assert.False(t, ok)
			assert.Equal(t, limits.Counter{}, c)
			assert.Zero(t, s.Sweep(epoch.Add(time.Hour)), "the failed call stored something")
		})
	}

	records := map[string]notify.CodeRecord{
		"zero max wrong":     {Hash: []byte("h"), ExpiresAt: exp},
		"negative max wrong": {Hash: []byte("h"), ExpiresAt: exp, MaxWrong: -1},
		"nil hash":           {ExpiresAt: exp, MaxWrong: 1},
		"empty hash":         {Hash: []byte{}, ExpiresAt: exp, MaxWrong: 1},
	}
	for name, rec := range records {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			s := memstore.New()
			require.NoError(t, s.PutCode(ctx, "k", notify.CodeRecord{Hash: []byte("old"), ExpiresAt: exp, MaxWrong: 1}, epoch))
			require.Error(t, s.PutCode(ctx, "k", rec, epoch))
			// The old code is untouched.
			out, _, err := s.ConsumeCode(ctx, "k", []byte("old"), epoch)
			require.NoError(t, err)
			assert.Equal(t, notify.Matched, out)
		})
	}
}

func TestCancelledContext(t *testing.T) {
	t.Parallel()
	s := memstore.New()
	bg := t.Context()
	ctx, cancel := context.WithCancel(bg)
	cancel()
	exp := epoch.Add(time.Minute)
	r := limits.Reservation{Limit: 2, Now: epoch, ExpiresAt: exp}
	rec := notify.CodeRecord{Hash: []byte("h"), ExpiresAt: exp, MaxWrong: 2}

	_, _, err := s.Reserve(bg, "k", r)
	require.NoError(t, err)
	require.NoError(t, s.PutCode(bg, "k", rec, epoch))

	// Every call fails with the context's error and changes nothing.
	_, _, err = s.Reserve(ctx, "k", r)
	assert.ErrorIs(t, err, context.Canceled)
	assert.ErrorIs(t, s.Release(ctx, "k", exp, epoch), context.Canceled)
	_, err = s.Get(ctx, "k", epoch)
	assert.ErrorIs(t, err, context.Canceled)
	assert.ErrorIs(t, s.Delete(ctx, "k"), context.Canceled)
	assert.ErrorIs(t, s.PutCode(ctx, "k", notify.CodeRecord{Hash: []byte("new"), ExpiresAt: exp, MaxWrong: 1}, epoch), context.Canceled)
	_, _, err = s.ConsumeCode(ctx, "k", []byte("wrong"), epoch)
	assert.ErrorIs(t, err, context.Canceled)
	assert.ErrorIs(t, s.DeleteCode(ctx, "k"), context.Canceled)

	c, err := s.Get(bg, "k", epoch)
	require.NoError(t, err)
	assert.Equal(t, limits.Counter{Count: 1, ExpiresAt: exp, Window: exp}, c)
	out, remaining, err := s.ConsumeCode(bg, "k", []byte("wrong"), epoch)
	require.NoError(t, err)
	assert.Equal(t, notify.Mismatched, out)
	assert.Equal(t, 1, remaining, "the cancelled ConsumeCode counted a wrong answer")
}

// The combined Store passes every area's suite, not only the per-area types.
func TestStoreServesEveryArea(t *testing.T) {
	t.Run("Account", func(t *testing.T) {
		storetest.RunAccountStore(t, func(*testing.T) account.Store { return memstore.New() })
	})
}
