package mfa_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/accountsec/accountsec/mfa"
	"github.com/accountsec/accountsec/reason"
	"github.com/accountsec/accountsec/store/memstore"
	"github.com/accountsec/accountsec/vocab"
)

var errStoreDown = errors.New("store down")

// faultyStore wraps a store and fails the methods it is told to.
type faultyStore struct {
	mfa.Store
	mu    sync.Mutex
	fails map[string]error
}

// failOn makes method return err (nil restores it).
func (s *faultyStore) failOn(method string, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.fails == nil {
		s.fails = map[string]error{}
	}
	s.fails[method] = err
}

func (s *faultyStore) err(method string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.fails[method]
}

func (s *faultyStore) PutPendingDevice(ctx context.Context, d mfa.DeviceRecord) error {
	if err := s.err("PutPendingDevice"); err != nil {
		return err
	}
	return s.Store.PutPendingDevice(ctx, d)
}

func (s *faultyStore) PendingDevice(ctx context.Context, id string) (mfa.DeviceRecord, bool, error) {
	if err := s.err("PendingDevice"); err != nil {
		return mfa.DeviceRecord{}, false, err
	}
	return s.Store.PendingDevice(ctx, id)
}

func (s *faultyStore) ActivateDevice(ctx context.Context, d mfa.DeviceRecord) (bool, error) {
	if err := s.err("ActivateDevice"); err != nil {
		return false, err
	}
	return s.Store.ActivateDevice(ctx, d)
}

func (s *faultyStore) Device(ctx context.Context, id string) (mfa.DeviceRecord, bool, error) {
	if err := s.err("Device"); err != nil {
		return mfa.DeviceRecord{}, false, err
	}
	return s.Store.Device(ctx, id)
}

func (s *faultyStore) AdvanceStep(ctx context.Context, acct, id string, step int64) (bool, error) {
	if err := s.err("AdvanceStep"); err != nil {
		return false, err
	}
	return s.Store.AdvanceStep(ctx, acct, id, step)
}

func (s *faultyStore) DeleteDevice(ctx context.Context, acct, id string) (bool, error) {
	if err := s.err("DeleteDevice"); err != nil {
		return false, err
	}
	return s.Store.DeleteDevice(ctx, acct, id)
}

func (s *faultyStore) ImportToken(ctx context.Context, t mfa.TokenRecord) (bool, error) {
	if err := s.err("ImportToken"); err != nil {
		return false, err
	}
	return s.Store.ImportToken(ctx, t)
}

func (s *faultyStore) Token(ctx context.Context, serial string) (mfa.TokenRecord, bool, error) {
	if err := s.err("Token"); err != nil {
		return mfa.TokenRecord{}, false, err
	}
	return s.Store.Token(ctx, serial)
}

func (s *faultyStore) ClaimToken(ctx context.Context, serial, acct string) (bool, error) {
	if err := s.err("ClaimToken"); err != nil {
		return false, err
	}
	return s.Store.ClaimToken(ctx, serial, acct)
}

func (s *faultyStore) ReleaseToken(ctx context.Context, serial, acct string) (bool, error) {
	if err := s.err("ReleaseToken"); err != nil {
		return false, err
	}
	return s.Store.ReleaseToken(ctx, serial, acct)
}

func (s *faultyStore) ReplaceBackupCodes(ctx context.Context, acct string, hashes [][]byte) error {
	if err := s.err("ReplaceBackupCodes"); err != nil {
		return err
	}
	return s.Store.ReplaceBackupCodes(ctx, acct, hashes)
}

func (s *faultyStore) ConsumeBackupCode(ctx context.Context, acct string, hash []byte) (bool, int, error) {
	if err := s.err("ConsumeBackupCode"); err != nil {
		return false, 0, err
	}
	return s.Store.ConsumeBackupCode(ctx, acct, hash)
}

func (s *faultyStore) BackupCodesLeft(ctx context.Context, acct string) (int, error) {
	if err := s.err("BackupCodesLeft"); err != nil {
		return 0, err
	}
	return s.Store.BackupCodesLeft(ctx, acct)
}

// requireStoreError checks that err is a store failure, not a verdict on
// the code, and that nothing was counted against the account.
func requireStoreError(t *testing.T, f *fixture, err error) {
	t.Helper()
	require.ErrorIs(t, err, reason.ErrStoreUnavailable)
	require.ErrorIs(t, err, errStoreDown)
	for _, wrong := range []error{mfa.ErrMismatch, mfa.ErrReplayed, mfa.ErrBackupMismatch, mfa.ErrNotBound} {
		require.NotErrorIs(t, err, wrong)
	}
	assert.Zero(t, f.failures(t, account), "a store failure is not the user's failure")
}

func TestStoreFailuresFailClosed(t *testing.T) {
	t.Parallel()
	ctx := context.Background()

	for _, method := range []string{"Device", "AdvanceStep"} {
		t.Run("Verify/"+method, func(t *testing.T) {
			t.Parallel()
			fs := &faultyStore{Store: memstore.NewMFAStore()}
			f := newFixture(t, withStore(fs))
			p := f.bound(t, account)
			f.clock.Advance(time.Minute)
			code := p.code(t, f.clock.Now())
			fs.failOn(method, errStoreDown)
			_, err := f.m.Verify(ctx, account, code)
			requireStoreError(t, f, err)
			fs.failOn(method, nil)
			_, err = f.m.Verify(ctx, account, code)
			require.NoError(t, err, "the code was not spent by the failed call")
		})
	}

	for _, method := range []string{"PendingDevice", "Device", "ActivateDevice"} {
		t.Run("Confirm/"+method, func(t *testing.T) {
			t.Parallel()
			fs := &faultyStore{Store: memstore.NewMFAStore()}
			f := newFixture(t, withStore(fs))
			e, err := f.m.Enrol(ctx, allow(account, vocab.OpBindMFA), account, "")
			require.NoError(t, err)
			fs.failOn(method, errStoreDown)
			_, err = f.m.Confirm(ctx, allow(account, vocab.OpBindMFA), account, e.DeviceID, phoneOf(t, e).code(t, f.clock.Now()), mfa.Usage{Login: true})
			requireStoreError(t, f, err)
			_, found, err := fs.Store.Device(ctx, account)
			require.NoError(t, err)
			assert.False(t, found, "no device on a store error")
		})
	}

	t.Run("Enrol/PutPendingDevice", func(t *testing.T) {
		t.Parallel()
		fs := &faultyStore{Store: memstore.NewMFAStore()}
		f := newFixture(t, withStore(fs))
		fs.failOn("PutPendingDevice", errStoreDown)
		_, err := f.m.Enrol(ctx, allow(account, vocab.OpBindMFA), account, "")
		requireStoreError(t, f, err)
	})

	for _, method := range []string{"Token", "ClaimToken", "ActivateDevice"} {
		t.Run("BindHardware/"+method, func(t *testing.T) {
			t.Parallel()
			fs := &faultyStore{Store: memstore.NewMFAStore()}
			f := newFixture(t, withStore(fs))
			tok := importToken(t, f, "HW-1")
			fs.failOn(method, errStoreDown)
			_, err := f.m.BindHardware(ctx, allow(account, vocab.OpBindMFA), account, "HW-1", tok.code(t, f.clock.Now()), mfa.Usage{Login: true})
			requireStoreError(t, f, err)
			rec, _, err := fs.Store.Token(ctx, "HW-1")
			require.NoError(t, err)
			assert.Empty(t, rec.AccountID, "the claim was given back")
		})
	}

	t.Run("Unbind/DeleteDevice", func(t *testing.T) {
		t.Parallel()
		fs := &faultyStore{Store: memstore.NewMFAStore()}
		f := newFixture(t, withStore(fs))
		p := f.bound(t, account)
		f.clock.Advance(time.Minute)
		fs.failOn("DeleteDevice", errStoreDown)
		_, err := f.m.Unbind(ctx, allow(account, vocab.OpUnbindMFA), account, p.code(t, f.clock.Now()))
		requireStoreError(t, f, err)
	})

	for _, method := range []string{"Device", "ConsumeBackupCode"} {
		t.Run("UseBackupCode/"+method, func(t *testing.T) {
			t.Parallel()
			fs := &faultyStore{Store: memstore.NewMFAStore()}
			f := newFixture(t, withStore(fs))
			f.bound(t, account)
			set, err := f.m.RegenerateBackupCodes(ctx, allow(account, vocab.OpBindMFA), account)
			require.NoError(t, err)
			fs.failOn(method, errStoreDown)
			_, err = f.m.UseBackupCode(ctx, account, set.Codes()[0])
			requireStoreError(t, f, err)
			fs.failOn(method, nil)
			_, err = f.m.UseBackupCode(ctx, account, set.Codes()[0])
			require.NoError(t, err)
		})
	}

	t.Run("RegenerateBackupCodes/ReplaceBackupCodes", func(t *testing.T) {
		t.Parallel()
		fs := &faultyStore{Store: memstore.NewMFAStore()}
		f := newFixture(t, withStore(fs))
		f.bound(t, account)
		fs.failOn("ReplaceBackupCodes", errStoreDown)
		_, err := f.m.RegenerateBackupCodes(ctx, allow(account, vocab.OpBindMFA), account)
		requireStoreError(t, f, err)
	})
}

func TestReleaseFailureLeavesTokenToItsAccount(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	fs := &faultyStore{Store: memstore.NewMFAStore()}
	f := newFixture(t, withStore(fs))
	tok := importToken(t, f, "HW-1")
	_, err := f.m.BindHardware(ctx, allow(account, vocab.OpBindMFA), account, "HW-1", tok.code(t, f.clock.Now()), mfa.Usage{Login: true})
	require.NoError(t, err)

	fs.failOn("ReleaseToken", errStoreDown)
	f.clock.Advance(time.Minute)
	report, err := f.m.Unbind(ctx, allow(account, vocab.OpUnbindMFA), account, tok.code(t, f.clock.Now()))
	require.ErrorIs(t, err, reason.ErrStoreUnavailable)
	assert.Equal(t, "HW-1", report.Device.Serial, "the device itself was unbound")
	fs.failOn("ReleaseToken", nil)

	// The token is still held by the account: others cannot take it, the
	// account can bind it again.
	f.clock.Advance(time.Minute)
	_, err = f.m.BindHardware(ctx, allow("100000000002", vocab.OpBindMFA), "100000000002", "HW-1", tok.code(t, f.clock.Now()), mfa.Usage{Login: true})
	require.ErrorIs(t, err, mfa.ErrTokenTaken)
	_, err = f.m.BindHardware(ctx, allow(account, vocab.OpBindMFA), account, "HW-1", tok.code(t, f.clock.Now()), mfa.Usage{Login: true})
	require.NoError(t, err)
}
