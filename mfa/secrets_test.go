package mfa_test

import (
	"bytes"
	"context"
	"encoding/base32"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/accountsec/accountsec/mfa"
	"github.com/accountsec/accountsec/reason"
	"github.com/accountsec/accountsec/vocab"
)

// leaks returns every rendering of v a careless host might log.
func leaks(t *testing.T, v any) string {
	t.Helper()
	var b strings.Builder
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%d", "%T"} {
		fmt.Fprintf(&b, verb+"\n", v)
	}
	fmt.Fprintln(&b, v)
	if s, ok := v.(fmt.Stringer); ok {
		b.WriteString(s.String())
	}
	if s, ok := v.(fmt.GoStringer); ok {
		b.WriteString(s.GoString())
	}
	var logged bytes.Buffer
	slog.New(slog.NewJSONHandler(&logged, nil)).Info("x", "value", v)
	slog.New(slog.NewTextHandler(&logged, nil)).Info("x", "value", v)
	b.Write(logged.Bytes())
	if j, err := json.Marshal(v); err == nil {
		b.Write(j)
	}
	return b.String()
}

// forms returns the ways a secret could appear in text.
func forms(secret []byte) []string {
	b32 := base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(secret)
	return []string{
		b32, strings.ToLower(b32), b32[:16], hex.EncodeToString(secret), strings.ToUpper(hex.EncodeToString(secret)),
		fmt.Sprint(secret), fmt.Sprintf("%x", secret[:8]),
	}
}

func requireNoSecret(t *testing.T, out string, secret []byte) {
	t.Helper()
	for _, f := range forms(secret) {
		require.NotContains(t, out, f)
	}
}

func TestSecretsNeverPrinted(t *testing.T) {
	t.Parallel()
	seed := []byte("not-a-real-seed-0123456789abcdef")
	f := newFixture(t, withRand(func() []byte { return seed[:20] }))
	ctx := context.Background()
	e, err := f.m.Enrol(ctx, allow(account, vocab.OpBindMFA), account, "")
	require.NoError(t, err)
	require.Contains(t, e.URI(), forms(seed[:20])[0], "the fixture's secret is the chosen one")

	out := leaks(t, e) + leaks(t, *e)
	requireNoSecret(t, out, seed[:20])
	assert.NotContains(t, out, "otpauth")
	assert.NotContains(t, out, e.Key())

	pending, _, err := f.store.PendingDevice(ctx, account)
	require.NoError(t, err)
	out = leaks(t, pending) + leaks(t, pending.Secret)
	assert.NotContains(t, out, fmt.Sprintf("%x", pending.Secret.Ciphertext[:8]))
	assert.NotContains(t, out, fmt.Sprint(pending.Secret.Ciphertext[:8])[1:10])

	tok := mfa.HardwareToken{Serial: "HW-1", Seed: seed}
	requireNoSecret(t, leaks(t, tok), seed)
	require.NoError(t, f.m.ImportToken(ctx, tok))
	rec, _, err := f.store.Token(ctx, "HW-1")
	require.NoError(t, err)
	requireNoSecret(t, leaks(t, rec), seed)
	assert.NotContains(t, leaks(t, rec), fmt.Sprintf("%x", rec.Seed.Ciphertext[:8]))

	requireNoSecret(t, leaks(t, f.ring), []byte("0123456789abcdef0123456789abcdef"))

	// Codes and errors.
	p := phoneOf(t, e)
	_, err = f.m.Confirm(ctx, allow(account, vocab.OpBindMFA), account, e.DeviceID, p.code(t, f.clock.Now()), mfa.Usage{Login: true})
	require.NoError(t, err)
	set, err := f.m.RegenerateBackupCodes(ctx, allow(account, vocab.OpBindMFA), account)
	require.NoError(t, err)
	out = leaks(t, set)
	for _, c := range set.Codes() {
		assert.NotContains(t, out, c)
		assert.NotContains(t, out, strings.Replace(c, "-", "", 1))
	}
	f.clock.Advance(time.Minute)
	code := p.code(t, f.clock.Now())
	_, err = f.m.Verify(ctx, account, wrongCode(code))
	require.Error(t, err)
	assert.NotContains(t, err.Error(), wrongCode(code))

	// Events carry no code, secret or seed.
	_, err = f.m.Verify(ctx, account, code)
	require.NoError(t, err)
	for _, ev := range f.events.All() {
		s := leaks(t, ev)
		requireNoSecret(t, s, seed[:20])
		requireNoSecret(t, s, seed)
		assert.NotContains(t, s, code)
		for _, c := range set.Codes() {
			assert.NotContains(t, s, c)
		}
	}
}

func TestSecretsSealedAtRest(t *testing.T) {
	t.Parallel()
	seed := []byte("chosen-secret-for-the-test")
	f := newFixture(t, withRand(func() []byte { return seed[:20] }))
	ctx := context.Background()
	e, err := f.m.Enrol(ctx, allow(account, vocab.OpBindMFA), account, "")
	require.NoError(t, err)
	rec, _, err := f.store.PendingDevice(ctx, account)
	require.NoError(t, err)
	assert.Equal(t, "k1", rec.Secret.KeyID)
	assert.Len(t, rec.Secret.Ciphertext, 12+20+16, "nonce, secret, tag")
	assert.False(t, bytes.Contains(rec.Secret.Ciphertext, seed[:20]))
	assert.False(t, bytes.Contains(rec.Secret.Ciphertext, seed[:8]))

	// The sealed secret is bound to its device: moved onto another
	// device ID it does not open, and the attempt is refused as a system
	// failure, not counted as a wrong code.
	moved := rec
	moved.ID = "another-device"
	moved.LastStep = 0
	moved.ActivatedAt = f.clock.Now()
	ok, err := f.store.ActivateDevice(ctx, moved)
	require.NoError(t, err)
	require.True(t, ok)
	_, err = f.m.Verify(ctx, account, phoneOf(t, e).code(t, f.clock.Now()))
	require.ErrorIs(t, err, mfa.ErrKeyUnavailable)
	assert.Equal(t, reason.MFAKeyUnavailable, reason.CodeOf(err))
	assert.Zero(t, f.failures(t, account))
}

// swapRing is a Keyring whose keys a test can change.
type swapRing struct{ mfa.Keyring }

func TestKeyRotation(t *testing.T) {
	t.Parallel()
	k1 := bytes.Repeat([]byte{1}, 32)
	k2 := bytes.Repeat([]byte{2}, 16)
	ring := &swapRing{}
	var err error
	ring.Keyring, err = mfa.NewStaticKeyring("k1", map[string][]byte{"k1": k1})
	require.NoError(t, err)
	f := newFixture(t, withKeyring(ring))
	ctx := context.Background()
	p := f.bound(t, account)

	// k2 becomes current; k1 stays for the secrets it sealed.
	ring.Keyring, err = mfa.NewStaticKeyring("k2", map[string][]byte{"k1": k1, "k2": k2})
	require.NoError(t, err)
	f.clock.Advance(time.Minute)
	_, err = f.m.Verify(ctx, account, p.code(t, f.clock.Now()))
	require.NoError(t, err)
	_, err = f.m.Enrol(ctx, allow("100000000002", vocab.OpBindMFA), "100000000002", "")
	require.NoError(t, err)
	rec, _, err := f.store.PendingDevice(ctx, "100000000002")
	require.NoError(t, err)
	assert.Equal(t, "k2", rec.Secret.KeyID)

	// Without k1 the old device fails closed.
	ring.Keyring, err = mfa.NewStaticKeyring("k2", map[string][]byte{"k2": k2})
	require.NoError(t, err)
	f.clock.Advance(time.Minute)
	_, err = f.m.Verify(ctx, account, p.code(t, f.clock.Now()))
	require.ErrorIs(t, err, mfa.ErrKeyUnavailable)
	require.ErrorIs(t, err, mfa.ErrUnknownKey)
	assert.Zero(t, f.failures(t, account))

	// A key that was replaced under the same ID does not open either.
	ring.Keyring, err = mfa.NewStaticKeyring("k1", map[string][]byte{"k1": bytes.Repeat([]byte{9}, 32)})
	require.NoError(t, err)
	_, err = f.m.Verify(ctx, account, p.code(t, f.clock.Now()))
	require.ErrorIs(t, err, mfa.ErrKeyUnavailable)
}

func TestStaticKeyringValidates(t *testing.T) {
	t.Parallel()
	for name, tc := range map[string]struct {
		current string
		keys    map[string][]byte
	}{
		"no current": {"k2", map[string][]byte{"k1": make([]byte, 32)}},
		"short key":  {"k1", map[string][]byte{"k1": make([]byte, 15)}},
		"odd key":    {"k1", map[string][]byte{"k1": make([]byte, 20)}},
		"empty ID":   {"", map[string][]byte{"": make([]byte, 32)}},
		"long ID":    {strings.Repeat("k", 65), map[string][]byte{strings.Repeat("k", 65): make([]byte, 32)}},
		"nil":        {"k1", nil},
	} {
		_, err := mfa.NewStaticKeyring(tc.current, tc.keys)
		require.ErrorIs(t, err, reason.New(reason.PolicyInvalid), name)
	}
	key := bytes.Repeat([]byte{7}, 24)
	r, err := mfa.NewStaticKeyring("a", map[string][]byte{"a": key})
	require.NoError(t, err)
	key[0] = 0 // the ring copied it
	_, got, err := r.Current()
	require.NoError(t, err)
	assert.Equal(t, byte(7), got[0])
	_, err = r.Key("b")
	require.ErrorIs(t, err, mfa.ErrUnknownKey)
}
