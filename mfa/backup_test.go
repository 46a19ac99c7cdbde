package mfa_test

import (
	"context"
	"errors"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/accountsec/accountsec/event"
	"github.com/accountsec/accountsec/fakes"
	"github.com/accountsec/accountsec/limits"
	"github.com/accountsec/accountsec/mfa"
	"github.com/accountsec/accountsec/state"
	"github.com/accountsec/accountsec/store/memstore"
	"github.com/accountsec/accountsec/vocab"
)

func TestBackupCodes(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()

	_, err := f.m.RegenerateBackupCodes(ctx, allow(account, vocab.OpBindMFA), account)
	require.ErrorIs(t, err, mfa.ErrNotBound)
	f.bound(t, account)

	set, err := f.m.RegenerateBackupCodes(ctx, allow(account, vocab.OpBindMFA), account)
	require.NoError(t, err)
	codes := set.Codes()
	require.Len(t, codes, 10)
	seen := map[string]bool{}
	for _, c := range codes {
		assert.Regexp(t, regexp.MustCompile(`^[2-9A-HJ-NP-Z]{5}-[2-9A-HJ-NP-Z]{5}$`), c)
		assert.False(t, seen[c], "duplicate %s", c)
		seen[c] = true
	}
	assert.True(t, f.clock.Now().Equal(set.GeneratedAt))
	assert.Equal(t, 1, f.events.Count(event.BackupCodesRegenerated))

	left, err := f.m.UseBackupCode(ctx, account, codes[0])
	require.NoError(t, err)
	assert.Equal(t, 9, left)
	_, err = f.m.UseBackupCode(ctx, account, codes[0])
	require.ErrorIs(t, err, mfa.ErrBackupMismatch, "single use")
	assert.Equal(t, 1, f.failures(t, account))

	// Lower case and without the hyphen is the same code.
	left, err = f.m.UseBackupCode(ctx, account, strings.ToLower(strings.Replace(codes[1], "-", "", 1)))
	require.NoError(t, err)
	assert.Equal(t, 8, left)

	// Malformed: refused, not counted.
	for _, s := range []string{"", codes[2] + " ", " " + codes[2], strings.Replace(codes[2], "-", " ", 1), "ABCDE-FGHI1", "OOOOO-OOOOO"} {
		_, err = f.m.UseBackupCode(ctx, account, s)
		require.ErrorIs(t, err, mfa.ErrBackupMalformed, "%q", s)
	}
	assert.Equal(t, 1, f.failures(t, account))

	// Regenerating replaces the whole set.
	fresh, err := f.m.RegenerateBackupCodes(ctx, allow(account, vocab.OpBindMFA), account)
	require.NoError(t, err)
	_, err = f.m.UseBackupCode(ctx, account, codes[2])
	require.ErrorIs(t, err, mfa.ErrBackupMismatch)
	left, err = f.m.UseBackupCode(ctx, account, fresh.Codes()[9])
	require.NoError(t, err)
	assert.Equal(t, 9, left)
	n, err := f.m.BackupCodesLeft(ctx, account)
	require.NoError(t, err)
	assert.Equal(t, 9, n)
}

func TestBackupCodesDieWithTheirDevice(t *testing.T) {
	t.Parallel()
	f := newFixtureAt(t, fakes.Epoch, limits.Lockout{MaxFailures: 100})
	ctx := context.Background()
	p := f.bound(t, account)
	set, err := f.m.RegenerateBackupCodes(ctx, allow(account, vocab.OpBindMFA), account)
	require.NoError(t, err)

	// Unbind deletes the codes in the same write as the device.
	f.clock.Advance(time.Minute)
	_, err = f.m.Unbind(ctx, allow(account, vocab.OpUnbindMFA), account, p.code(t, f.clock.Now()))
	require.NoError(t, err)
	n, err := f.m.BackupCodesLeft(ctx, account)
	require.NoError(t, err)
	require.Zero(t, n)

	f.bound(t, account)
	for _, c := range set.Codes() {
		_, err = f.m.UseBackupCode(ctx, account, c)
		require.ErrorIs(t, err, mfa.ErrBackupMismatch)
	}
}

// interleavingStore runs before once, just before the next write reaches
// the store: the write then finds the document changed under it.
type interleavingStore struct {
	state.Documents
	mu     sync.Mutex
	before func()
}

func (s *interleavingStore) PutDocument(ctx context.Context, d state.Document) (bool, error) {
	s.mu.Lock()
	fn := s.before
	s.before = nil
	s.mu.Unlock()
	if fn != nil {
		fn()
	}
	return s.Documents.PutDocument(ctx, d)
}

func TestRegenerationRacingUnbindStoresNothing(t *testing.T) {
	t.Parallel()
	st := &interleavingStore{Documents: memstore.New()}
	f := newFixture(t, withStore(st))
	ctx := context.Background()
	p := f.bound(t, account)

	// Between reading the device and writing its new codes, the device is
	// unbound and another one bound: the write decides again on the new
	// document and stores nothing.
	st.before = func() {
		f.clock.Advance(time.Minute)
		_, err := f.m.Unbind(ctx, allow(account, vocab.OpUnbindMFA), account, p.code(t, f.clock.Now()))
		require.NoError(t, err)
		f.bound(t, account)
	}
	_, err := f.m.RegenerateBackupCodes(ctx, allow(account, vocab.OpBindMFA), account)
	require.ErrorIs(t, err, mfa.ErrNotBound)
	n, err := f.m.BackupCodesLeft(ctx, account)
	require.NoError(t, err)
	assert.Zero(t, n)
}

func TestConcurrentUsesOfOneBackupCode(t *testing.T) {
	t.Parallel()
	f := newFixtureAt(t, fakes.Epoch, limits.Lockout{MaxFailures: 100})
	ctx := context.Background()
	f.bound(t, account)
	set, err := f.m.RegenerateBackupCodes(ctx, allow(account, vocab.OpBindMFA), account)
	require.NoError(t, err)
	code := set.Codes()[4]

	const goroutines = 20
	var ok, refused, other atomic.Int32
	start := make(chan struct{})
	var wg sync.WaitGroup
	for range goroutines {
		wg.Go(func() {
			<-start
			_, err := f.m.UseBackupCode(ctx, account, code)
			switch {
			case err == nil:
				ok.Add(1)
			case errors.Is(err, mfa.ErrBackupMismatch):
				refused.Add(1)
			default:
				other.Add(1)
			}
		})
	}
	close(start)
	wg.Wait()
	assert.Equal(t, int32(1), ok.Load())
	assert.Equal(t, int32(goroutines-1), refused.Load())
	assert.Zero(t, other.Load())
	n, err := f.m.BackupCodesLeft(ctx, account)
	require.NoError(t, err)
	assert.Equal(t, 9, n)
}

func TestParseBackupCode(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"ABCDE-FGHJK":  "ABCDEFGHJK",
		"abcde-fghjk":  "ABCDEFGHJK",
		"ABCDEFGHJK":   "ABCDEFGHJK",
		"23456-789AB":  "23456789AB",
		"ABCD-EFGHJK":  "",
		"ABCDE--FGHJK": "",
		"ABCDE FGHJK":  "",
		"ABCDEFGHJ":    "",
		"ABCDE-FGHJ1":  "",
		"ABCDE-FGHJO":  "",
		"ABCDE-FGHJI":  "",
		"ＡBCDE-FGHJK":  "",
	} {
		got, ok := mfa.ParseBackupCode(in)
		assert.Equal(t, want != "", ok, "%q", in)
		assert.Equal(t, want, got, "%q", in)
	}
}
