package mfa_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/accountsec/accountsec/mfa"
	"github.com/accountsec/accountsec/reason"
	"github.com/accountsec/accountsec/state"
	"github.com/accountsec/accountsec/store/memstore"
	"github.com/accountsec/accountsec/vocab"
)

var errStoreDown = errors.New("store down")

// faultyStore wraps a store and fails the document operations it is told
// to. An operation is a verb and the kind of document: "get account", "put
// account", "get token" or "put token".
type faultyStore struct {
	state.Documents
	mu    sync.Mutex
	fails map[string]fault
}

// fault is what one operation does: pass more calls succeed, then every
// call returns err.
type fault struct {
	pass int
	err  error
}

// failOn makes op return err (nil restores it).
func (s *faultyStore) failOn(op string, err error) { s.failAfter(op, 0, err) }

// failAfter makes op return err after n more calls that succeed.
func (s *faultyStore) failAfter(op string, n int, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.fails == nil {
		s.fails = map[string]fault{}
	}
	s.fails[op] = fault{pass: n, err: err}
}

func (s *faultyStore) err(verb, id string) error {
	op := verb + " account"
	if strings.HasPrefix(id, "mfa/token/") {
		op = verb + " token"
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	f := s.fails[op]
	if f.err == nil {
		return nil
	}
	if f.pass > 0 {
		f.pass--
		s.fails[op] = f
		return nil
	}
	return f.err
}

func (s *faultyStore) GetDocument(ctx context.Context, id string) (state.Document, bool, error) {
	if err := s.err("get", id); err != nil {
		return state.Document{}, false, err
	}
	return s.Documents.GetDocument(ctx, id)
}

func (s *faultyStore) PutDocument(ctx context.Context, d state.Document) (bool, error) {
	if err := s.err("put", d.ID); err != nil {
		return false, err
	}
	return s.Documents.PutDocument(ctx, d)
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

	// Reading the device and writing its step are the account's document.
	for _, op := range []string{"get account", "put account"} {
		t.Run("Verify/"+op, func(t *testing.T) {
			t.Parallel()
			fs := &faultyStore{Documents: memstore.New()}
			f := newFixture(t, withStore(fs))
			p := f.bound(t, account)
			f.clock.Advance(time.Minute)
			code := p.code(t, f.clock.Now())
			fs.failOn(op, errStoreDown)
			_, err := f.m.Verify(ctx, account, code)
			requireStoreError(t, f, err)
			fs.failOn(op, nil)
			_, err = f.m.Verify(ctx, account, code)
			require.NoError(t, err, "the code was not spent by the failed call")
		})
	}

	// A hardware device's step is on its token's document.
	for _, op := range []string{"get token", "put token"} {
		t.Run("VerifyHardware/"+op, func(t *testing.T) {
			t.Parallel()
			fs := &faultyStore{Documents: memstore.New()}
			f := newFixture(t, withStore(fs))
			tok := importToken(t, f, "HW-1")
			_, err := f.m.BindHardware(ctx, allow(account, vocab.OpBindMFA), account, "HW-1", tok.code(t, f.clock.Now()), mfa.Usage{Login: true})
			require.NoError(t, err)
			f.clock.Advance(time.Minute)
			code := tok.code(t, f.clock.Now())
			fs.failOn(op, errStoreDown)
			_, err = f.m.Verify(ctx, account, code)
			requireStoreError(t, f, err)
			fs.failOn(op, nil)
			_, err = f.m.Verify(ctx, account, code)
			require.NoError(t, err, "the code was not spent by the failed call")
		})
	}

	for _, op := range []string{"get account", "put account"} {
		t.Run("Confirm/"+op, func(t *testing.T) {
			t.Parallel()
			fs := &faultyStore{Documents: memstore.New()}
			f := newFixture(t, withStore(fs))
			e, err := f.m.Enrol(ctx, allow(account, vocab.OpBindMFA), account, "")
			require.NoError(t, err)
			fs.failOn(op, errStoreDown)
			_, err = f.m.Confirm(ctx, allow(account, vocab.OpBindMFA), account, e.DeviceID, phoneOf(t, e).code(t, f.clock.Now()), mfa.Usage{Login: true})
			requireStoreError(t, f, err)
			fs.failOn(op, nil)
			_, found, err := f.store.Device(ctx, account)
			require.NoError(t, err)
			assert.False(t, found, "no device on a store error")
		})
	}

	t.Run("Enrol/put account", func(t *testing.T) {
		t.Parallel()
		fs := &faultyStore{Documents: memstore.New()}
		f := newFixture(t, withStore(fs))
		fs.failOn("put account", errStoreDown)
		_, err := f.m.Enrol(ctx, allow(account, vocab.OpBindMFA), account, "")
		requireStoreError(t, f, err)
	})

	// Reading the token, claiming it, activating the device.
	for _, op := range []string{"get token", "put token", "put account"} {
		t.Run("BindHardware/"+op, func(t *testing.T) {
			t.Parallel()
			fs := &faultyStore{Documents: memstore.New()}
			f := newFixture(t, withStore(fs))
			tok := importToken(t, f, "HW-1")
			fs.failOn(op, errStoreDown)
			_, err := f.m.BindHardware(ctx, allow(account, vocab.OpBindMFA), account, "HW-1", tok.code(t, f.clock.Now()), mfa.Usage{Login: true})
			requireStoreError(t, f, err)
			fs.failOn(op, nil)
			rec, _, err := f.store.Token(ctx, "HW-1")
			require.NoError(t, err)
			assert.Empty(t, rec.Holder, "the claim was given back")
		})
	}

	t.Run("Unbind/delete", func(t *testing.T) {
		t.Parallel()
		fs := &faultyStore{Documents: memstore.New()}
		f := newFixture(t, withStore(fs))
		p := f.bound(t, account)
		f.clock.Advance(time.Minute)
		fs.failAfter("put account", 1, errStoreDown) // the code's step is written, the deletion fails
		_, err := f.m.Unbind(ctx, allow(account, vocab.OpUnbindMFA), account, p.code(t, f.clock.Now()))
		requireStoreError(t, f, err)
		fs.failOn("put account", nil)
		_, found, err := f.store.Device(ctx, account)
		require.NoError(t, err)
		assert.True(t, found, "the device stays bound")
	})

	// Reading the device, consuming the code.
	for _, op := range []string{"get account", "put account"} {
		t.Run("UseBackupCode/"+op, func(t *testing.T) {
			t.Parallel()
			fs := &faultyStore{Documents: memstore.New()}
			f := newFixture(t, withStore(fs))
			f.bound(t, account)
			set, err := f.m.RegenerateBackupCodes(ctx, allow(account, vocab.OpBindMFA), account)
			require.NoError(t, err)
			fs.failOn(op, errStoreDown)
			_, err = f.m.UseBackupCode(ctx, account, set.Codes()[0])
			requireStoreError(t, f, err)
			fs.failOn(op, nil)
			_, err = f.m.UseBackupCode(ctx, account, set.Codes()[0])
			require.NoError(t, err)
		})
	}

	t.Run("RegenerateBackupCodes/put account", func(t *testing.T) {
		t.Parallel()
		fs := &faultyStore{Documents: memstore.New()}
		f := newFixture(t, withStore(fs))
		f.bound(t, account)
		fs.failOn("put account", errStoreDown)
		_, err := f.m.RegenerateBackupCodes(ctx, allow(account, vocab.OpBindMFA), account)
		requireStoreError(t, f, err)
	})
}

func TestCorruptDocumentsFailClosed(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := memstore.New()
	f := newFixture(t, withStore(st))
	f.bound(t, account)
	importToken(t, f, "HW-1")
	for _, id := range []string{"mfa/account/" + f.m.AccountTag(account), "mfa/token/HW-1"} {
		doc, found, err := st.GetDocument(ctx, id)
		require.NoError(t, err)
		require.True(t, found, id)
		ok, err := st.PutDocument(ctx, state.Document{ID: id, Version: doc.Version + 1, Data: append([]byte{1}, 0xff)})
		require.NoError(t, err)
		require.True(t, ok)
	}
	_, err := f.m.Verify(ctx, account, "123456")
	require.ErrorIs(t, err, reason.ErrStoreUnavailable)
	_, _, err = f.m.Device(ctx, account)
	require.ErrorIs(t, err, reason.ErrStoreUnavailable)
	_, err = f.m.BindHardware(ctx, allow("100000000002", vocab.OpBindMFA), "100000000002", "HW-1", "123456", mfa.Usage{Login: true})
	require.ErrorIs(t, err, reason.ErrStoreUnavailable)
	assert.Zero(t, f.failures(t, account))
}

func TestReleaseFailureLeavesTokenToItsAccount(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	fs := &faultyStore{Documents: memstore.New()}
	f := newFixture(t, withStore(fs))
	tok := importToken(t, f, "HW-1")
	_, err := f.m.BindHardware(ctx, allow(account, vocab.OpBindMFA), account, "HW-1", tok.code(t, f.clock.Now()), mfa.Usage{Login: true})
	require.NoError(t, err)

	// The code's step is written to the token; the release fails.
	fs.failAfter("put token", 1, errStoreDown)
	f.clock.Advance(time.Minute)
	report, err := f.m.Unbind(ctx, allow(account, vocab.OpUnbindMFA), account, tok.code(t, f.clock.Now()))
	require.ErrorIs(t, err, reason.ErrStoreUnavailable)
	assert.Equal(t, "HW-1", report.Device.Serial, "the device itself was unbound")
	fs.failOn("put token", nil)

	// The token is still held by the account: others cannot take it, the
	// account can bind it again.
	f.clock.Advance(time.Minute)
	_, err = f.m.BindHardware(ctx, allow("100000000002", vocab.OpBindMFA), "100000000002", "HW-1", tok.code(t, f.clock.Now()), mfa.Usage{Login: true})
	require.ErrorIs(t, err, mfa.ErrTokenTaken)
	_, err = f.m.BindHardware(ctx, allow(account, vocab.OpBindMFA), account, "HW-1", tok.code(t, f.clock.Now()), mfa.Usage{Login: true})
	require.NoError(t, err)
}
