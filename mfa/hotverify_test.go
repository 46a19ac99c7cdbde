package mfa_test

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/accountsec/accountsec/mfa"
	"github.com/accountsec/accountsec/state"
	"github.com/accountsec/accountsec/store/memstore"
	"github.com/accountsec/accountsec/vocab"
)

// TestVerifyCachedKeyFollowsTheKeyring: once a device's key is cached, a
// verification still fails closed when the keyring drops the key or
// returns another one under its ID, and works again when it is back.
func TestVerifyCachedKeyFollowsTheKeyring(t *testing.T) {
	ctx := context.Background()
	first, err := mfa.NewStaticKeyring("k1", map[string][]byte{"k1": []byte("0123456789abcdef0123456789abcdef")})
	require.NoError(t, err)
	ring := &swapRing{Keyring: first}
	f := newFixture(t, withKeyring(ring))
	p := f.bound(t, account)
	next := func() string { f.clock.Advance(30 * time.Second); return p.code(t, f.clock.Now()) }

	_, err = f.m.Verify(ctx, account, next())
	require.NoError(t, err)
	require.True(t, f.m.HasCachedKey(ctx, account))

	other, err := mfa.NewStaticKeyring("k1", map[string][]byte{"k1": bytes.Repeat([]byte{9}, 32)})
	require.NoError(t, err)
	ring.Keyring = other
	_, err = f.m.Verify(ctx, account, next())
	assert.ErrorIs(t, err, mfa.ErrKeyUnavailable, "another key under the ID")

	gone, err := mfa.NewStaticKeyring("k2", map[string][]byte{"k2": bytes.Repeat([]byte{9}, 32)})
	require.NoError(t, err)
	ring.Keyring = gone
	_, err = f.m.Verify(ctx, account, next())
	assert.ErrorIs(t, err, mfa.ErrKeyUnavailable, "the key removed")
	assert.Equal(t, 0, f.failures(t, account), "a key failure is not the user's")

	ring.Keyring = first
	_, err = f.m.Verify(ctx, account, next())
	assert.NoError(t, err)
}

// TestVerifyUnbindEvictsTheCachedKey: unbinding a device drops its cached
// key, and a device bound afterwards verifies with its own secret only.
func TestVerifyUnbindEvictsTheCachedKey(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, withoutProtection())
	p := f.bound(t, account)
	f.clock.Advance(30 * time.Second)
	_, err := f.m.Verify(ctx, account, p.code(t, f.clock.Now()))
	require.NoError(t, err)
	require.True(t, f.m.HasCachedKey(ctx, account))

	f.clock.Advance(30 * time.Second)
	_, err = f.m.Unbind(ctx, allow(account, vocab.OpUnbindMFA), account, p.code(t, f.clock.Now()))
	require.NoError(t, err)
	assert.False(t, f.m.HasCachedKey(ctx, account))

	f.clock.Advance(30 * time.Second)
	_, err = f.m.Verify(ctx, account, p.code(t, f.clock.Now()))
	assert.ErrorIs(t, err, mfa.ErrNotBound)

	q := f.bound(t, account)
	f.clock.Advance(30 * time.Second)
	now := f.clock.Now()
	if p.code(t, now) != q.code(t, now) {
		_, err = f.m.Verify(ctx, account, p.code(t, now))
		assert.ErrorIs(t, err, mfa.ErrMismatch, "the old device's code")
	}
	_, err = f.m.Verify(ctx, account, q.code(t, now))
	assert.NoError(t, err)
}

// racingStore runs before ahead of every PutDocument.
type racingStore struct {
	*memstore.Store
	before func()
}

func (s racingStore) PutDocument(ctx context.Context, d state.Document) (bool, error) {
	s.before()
	return s.Store.PutDocument(ctx, d)
}

// TestVerifyAfterAConcurrentWrite: a verification whose compare-and-set
// loses to another write of the document (here new backup codes) decides
// again on the document as it now is: the step is spent once and the other
// write stays.
func TestVerifyAfterAConcurrentWrite(t *testing.T) {
	ctx := context.Background()
	st := memstore.New()
	var race func()
	f := newFixture(t, withStore(racingStore{Store: st, before: func() {
		if r := race; r != nil {
			race = nil
			r()
		}
	}}))
	p := f.bound(t, account)
	var codes []string
	race = func() {
		b, err := f.m.RegenerateBackupCodes(ctx, allow(account, vocab.OpBindMFA), account)
		require.NoError(t, err)
		codes = b.Codes()
	}
	f.clock.Advance(30 * time.Second)
	code := p.code(t, f.clock.Now())
	v, err := f.m.Verify(ctx, account, code)
	require.NoError(t, err)
	require.NotEmpty(t, codes, "the racing write ran")
	d, found, err := f.store.Device(ctx, account)
	require.NoError(t, err)
	require.True(t, found)
	assert.Equal(t, v.Step, d.LastStep)
	_, err = f.m.Verify(ctx, account, code)
	assert.ErrorIs(t, err, mfa.ErrReplayed)
	left, err := f.m.UseBackupCode(ctx, account, codes[0])
	require.NoError(t, err, "the backup codes written in between stay")
	assert.Equal(t, len(codes)-1, left)
}
