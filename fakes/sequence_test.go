package fakes_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/accountsec/accountsec/fakes"
	"github.com/accountsec/accountsec/state"
	"github.com/accountsec/accountsec/store/memstore"
)

func TestSequenceFailsTheNthCallAcrossWrappers(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	now := fakes.Epoch
	mem := memstore.New()
	seq := &fakes.Sequence{}
	a := &fakes.StateStore{Store: mem, Faults: fakes.Faults{Sequence: seq}}
	b := &fakes.AccountStore{Store: mem, Faults: fakes.Faults{Sequence: seq}}
	rec := state.Record{Set: "s", Owner: "o", ID: "x/1", Data: []byte("d"), ExpiresAt: now.Add(time.Hour)}

	require.NoError(t, a.PutRecord(ctx, rec, 0, now))
	_, _, err := b.Account(ctx, "1")
	require.NoError(t, err)
	assert.Equal(t, []string{"PutRecord:s:x", "Account"}, seq.Calls())

	seq.FailAt(2, nil)
	_, _, err = b.Account(ctx, "1")
	require.NoError(t, err, "the first call passes")
	_, err = a.DeleteRecord(ctx, "s", "o", "x/1", now)
	require.ErrorIs(t, err, fakes.ErrInjected, "the second fails")
	_, found, err := a.GetRecord(ctx, "s", "o", "x/1", now)
	require.NoError(t, err, "and only the second")
	assert.True(t, found, "a failed call does not reach the store")

	seq.LoseAt(1, nil)
	_, err = a.DeleteRecord(ctx, "s", "o", "x/1", now)
	require.ErrorIs(t, err, fakes.ErrInjected)
	_, found, err = a.GetRecord(ctx, "s", "o", "x/1", now)
	require.NoError(t, err)
	assert.False(t, found, "a lost reply's call reached the store")
	seq.Heal()
	assert.Empty(t, seq.Calls())
}

func TestLoseOnCallsTheStoreAndFails(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	now := fakes.Epoch
	s := &fakes.StateStore{Store: memstore.New()}
	s.LoseOn("PutRecord:s:x", nil)
	rec := state.Record{Set: "s", Owner: "o", ID: "x/1", Data: []byte("d"), ExpiresAt: now.Add(time.Hour)}
	require.ErrorIs(t, s.PutRecord(ctx, rec, 0, now), fakes.ErrInjected)
	_, found, err := s.GetRecord(ctx, "s", "o", "x/1", now)
	require.NoError(t, err)
	assert.True(t, found, "the write happened")
	s.Heal()
	require.NoError(t, s.PutRecord(ctx, rec, 0, now))
}
