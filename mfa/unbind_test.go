package mfa_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/accountsec/accountsec/event"
	"github.com/accountsec/accountsec/mfa"
	"github.com/accountsec/accountsec/reason"
	"github.com/accountsec/accountsec/vocab"
)

func TestUnbind(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.prot.fb = mfa.Fallback{Login: "sms", Operation: "none"}
	ctx := context.Background()
	p := f.bound(t, account)
	dev, _, err := f.m.Device(ctx, account)
	require.NoError(t, err)
	_, err = f.m.RegenerateBackupCodes(ctx, allow(account, vocab.OpBindMFA), account)
	require.NoError(t, err)

	f.clock.Advance(time.Minute)
	code := p.code(t, f.clock.Now())
	_, err = f.m.Unbind(ctx, allow(account, vocab.OpUnbindMFA), account, wrongCode(code))
	require.ErrorIs(t, err, mfa.ErrMismatch)
	assert.Empty(t, f.prot.Calls(), "a wrong code changes nothing")

	report, err := f.m.Unbind(ctx, allow(account, vocab.OpUnbindMFA), account, code)
	require.NoError(t, err)
	assert.Equal(t, mfa.UnbindReport{Device: dev, Fallback: mfa.Fallback{Login: "sms", Operation: "none"}, ProtectionUpdated: true}, report)
	assert.Equal(t, []string{account}, f.prot.Calls())

	_, found, err := f.m.Device(ctx, account)
	require.NoError(t, err)
	assert.False(t, found)
	left, err := f.m.BackupCodesLeft(ctx, account)
	require.NoError(t, err)
	assert.Zero(t, left)
	_, err = f.m.Unbind(ctx, allow(account, vocab.OpUnbindMFA), account, code)
	require.ErrorIs(t, err, mfa.ErrNotBound)

	all := f.events.All()
	last := all[len(all)-1]
	assert.Equal(t, event.MFAUnbound, last.Kind)
	assert.Equal(t, "sms", last.Attrs["login_fallback"])
	assert.Equal(t, "none", last.Attrs["operation_fallback"])

	// The account can bind a new device.
	f.bound(t, account)
}

func TestUnbindWithoutProtectionSettings(t *testing.T) {
	t.Parallel()
	f := newFixture(t, withoutProtection())
	ctx := context.Background()
	p := f.bound(t, account)
	f.clock.Advance(time.Minute)
	report, err := f.m.Unbind(ctx, allow(account, vocab.OpUnbindMFA), account, p.code(t, f.clock.Now()))
	require.NoError(t, err)
	assert.False(t, report.ProtectionUpdated)
	assert.Equal(t, mfa.Fallback{}, report.Fallback)
}

// The device goes before protection is turned off: a settings failure
// leaves no device and protection still naming MFA (stricter, never
// weaker), never a bound device with protection switched off.
func TestUnbindRemovesTheDeviceBeforeProtection(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.prot.err = errors.New("settings store down")
	ctx := context.Background()
	p := f.bound(t, account)
	f.clock.Advance(time.Minute)
	report, err := f.m.Unbind(ctx, allow(account, vocab.OpUnbindMFA), account, p.code(t, f.clock.Now()))
	require.ErrorIs(t, err, reason.ErrStoreUnavailable)
	require.NotErrorIs(t, err, mfa.ErrMismatch)
	assert.False(t, report.ProtectionUpdated)
	_, found, err := f.m.Device(ctx, account)
	require.NoError(t, err)
	assert.False(t, found, "the device went first")

	f.prot.err = nil
	f.clock.Advance(time.Minute)
	_, err = f.m.Unbind(ctx, allow(account, vocab.OpUnbindMFA), account, p.code(t, f.clock.Now()))
	require.ErrorIs(t, err, mfa.ErrNotBound, "a retry finds no device; the caller turns MFA off")
}

func TestUnbindReleasesHardwareToken(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	tok := importToken(t, f, "HW-9")
	_, err := f.m.BindHardware(ctx, allow(account, vocab.OpBindMFA), account, "HW-9", tok.code(t, f.clock.Now()), mfa.Usage{Login: true})
	require.NoError(t, err)

	f.clock.Advance(time.Minute)
	report, err := f.m.Unbind(ctx, allow(account, vocab.OpUnbindMFA), account, tok.code(t, f.clock.Now()))
	require.NoError(t, err)
	assert.Equal(t, "HW-9", report.Device.Serial)
	rec, _, err := f.store.Token(ctx, "HW-9")
	require.NoError(t, err)
	assert.Empty(t, rec.Holder)

	// Another account may now bind it, with a later code.
	f.clock.Advance(time.Minute)
	_, err = f.m.BindHardware(ctx, allow("100000000009", vocab.OpBindMFA), "100000000009", "HW-9", tok.code(t, f.clock.Now()), mfa.Usage{Login: true})
	require.NoError(t, err)
}
