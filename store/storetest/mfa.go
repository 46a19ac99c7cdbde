package storetest

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha1"
	"encoding/base32"
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/accountsec/accountsec/fakes"
	"github.com/accountsec/accountsec/internal/proof"
	"github.com/accountsec/accountsec/limits"
	"github.com/accountsec/accountsec/mfa"
	"github.com/accountsec/accountsec/state"
	"github.com/accountsec/accountsec/store/memstore"
	"github.com/accountsec/accountsec/vocab"
)

// RunMFAOnDocuments runs the races of the mfa package, which keeps its
// state on state.Documents, through an mfa.Manager on the store newStore
// returns: of concurrent submissions of one TOTP code (of a virtual device
// and of a hardware token) exactly one is accepted, of concurrent uses of
// one backup code exactly one succeeds, and a hardware token's code spent by
// one account cannot bind the token to another. Each subtest uses its own
// Manager secret and token serial, so the documents of different runs never
// meet.
func RunMFAOnDocuments(t *testing.T, newStore func(t *testing.T) state.Documents) {
	const racers = 32
	ctx := context.Background()
	fixture := func(t *testing.T, s state.Documents, _ keyspace) *mfaEnv { return newMFAEnv(t, s) }
	runSuite(t, newStore, fixture, []subtest[*mfaEnv]{
		{"ConcurrentVerify", func(t *testing.T, e *mfaEnv) {
			secret := e.enrol(t, "acct-a")
			e.clock.Advance(time.Minute)
			code := totpCode(secret, e.clock.Now())
			e.assertOneOf(t, "mfa/account/", racers, mfa.ErrReplayed, "submissions accepted", "submissions refused as replayed", func() error { return errOf(e.m.Verify(ctx, "acct-a", code)) })
		}},
		{"ConcurrentVerifyHardware", func(t *testing.T, e *mfaEnv) {
			seed := e.enrolToken(t, "acct-a")
			e.clock.Advance(time.Minute)
			code := totpCode(seed, e.clock.Now())
			e.assertOneOf(t, "mfa/token/", racers, mfa.ErrReplayed, "submissions accepted", "submissions refused as replayed", func() error { return errOf(e.m.Verify(ctx, "acct-a", code)) })
		}},
		{"ConcurrentBackupCode", func(t *testing.T, e *mfaEnv) {
			e.enrol(t, "acct-a")
			set := must[mfa.BackupCodes](t)(e.m.RegenerateBackupCodes(ctx, e.allow("acct-a", vocab.OpBindMFA), "acct-a"))
			code := set.Codes()[0]
			e.assertOneOf(t, "mfa/account/", racers, mfa.ErrBackupMismatch, "uses that succeeded", "uses refused as spent", func() error {
				if left, err := e.m.UseBackupCode(ctx, "acct-a", code); err != nil || left != len(set.Codes())-1 {
					return fmt.Errorf("%d codes left: %w", left, err)
				}
				return nil
			})
			assert.Equal(t, len(set.Codes())-1, must[int](t)(e.m.BackupCodesLeft(ctx, "acct-a")))
		}},
		{"TokenReplayAcrossAccounts", func(t *testing.T, e *mfaEnv) {
			seed := e.enrolToken(t, "acct-a")
			e.clock.Advance(time.Minute)
			require.NoError(t, errOf(e.m.Verify(ctx, "acct-a", totpCode(seed, e.clock.Now()))))
			e.clock.Advance(time.Minute)
			code := totpCode(seed, e.clock.Now())
			require.NoError(t, errOf(e.m.Unbind(ctx, e.allow("acct-a", vocab.OpUnbindMFA), "acct-a", code)))

			// The code that unbound the token cannot bind it to another
			// account, in the same step or the next (within the skew).
			require.ErrorIs(t, e.bindToken("acct-b", code), mfa.ErrReplayed)
			e.clock.Advance(30 * time.Second)
			require.ErrorIs(t, e.bindToken("acct-b", code), mfa.ErrReplayed)
			require.Nil(t, lookup(t, ptr[mfa.Device])(e.m.Device(ctx, "acct-b")))

			// A later code binds it.
			require.NoError(t, e.bindToken("acct-b", totpCode(seed, e.clock.Now())))
		}},
	})
}

// mfaEnv is an mfa.Manager on a store under test, with a fake clock.
type mfaEnv struct {
	m      *mfa.Manager
	docs   *heldDocs
	clock  *fakes.Clock
	serial string
}

func newMFAEnv(t *testing.T, st state.Documents) *mfaEnv {
	t.Helper()
	e := &mfaEnv{docs: &heldDocs{Documents: st}, clock: fakes.NewClock(base), serial: "T-" + rand.Text()}
	secret := []byte(rand.Text()) // a fresh secret: fresh account tags
	lim := must[*limits.Limiter](t)(limits.NewLimiter(limits.Config{Store: memstore.New(), Secret: secret, Now: e.clock.Now}, limits.Lockout{MaxFailures: 1000}))
	key := make([]byte, 32)
	_, _ = rand.Read(key) // never fails
	ring := must[*mfa.StaticKeyring](t)(mfa.NewStaticKeyring("k", map[string][]byte{"k": key}))
	e.m = must[*mfa.Manager](t)(mfa.New(mfa.Config{Store: e.docs, Keyring: ring, Limiter: lim, Secret: secret, QR: textQR{}, Now: e.clock.Now}))
	return e
}

func (e *mfaEnv) allow(accountID, op string) vocab.Proof {
	return proof.Mint(accountID, "session:storetest", op, e.clock.Now().Add(time.Hour))
}

// enrol binds a virtual device to the account and returns its secret.
func (e *mfaEnv) enrol(t *testing.T, accountID string) []byte {
	t.Helper()
	ctx := context.Background()
	en := must[*mfa.Enrolment](t)(e.m.Enrol(ctx, e.allow(accountID, vocab.OpBindMFA), accountID, ""))
	secret := must[[]byte](t)(base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(strings.ReplaceAll(en.Key(), " ", "")))
	require.NoError(t, errOf(e.m.Confirm(ctx, e.allow(accountID, vocab.OpBindMFA), accountID, en.DeviceID, totpCode(secret, e.clock.Now()), mfa.Usage{Login: true})))
	return secret
}

// enrolToken imports the token e.serial, binds it to the account with its
// current code and returns its seed.
func (e *mfaEnv) enrolToken(t *testing.T, accountID string) []byte {
	t.Helper()
	seed := []byte(rand.Text())[:20]
	require.NoError(t, e.m.ImportToken(context.Background(), mfa.HardwareToken{Serial: e.serial, Seed: seed}))
	require.NoError(t, e.bindToken(accountID, totpCode(seed, e.clock.Now())))
	return seed
}

// bindToken binds the token e.serial to the account with code.
func (e *mfaEnv) bindToken(accountID, code string) error {
	_, err := e.m.BindHardware(context.Background(), e.allow(accountID, vocab.OpBindMFA), accountID, e.serial, code, mfa.Usage{Login: true})
	return err
}

// assertOneOf races n calls of try, the reads of documents whose ID starts
// with prefix held until all n have read (see heldDocs.hold), and checks
// that exactly one returned nil and every other an error that is refused;
// won and lost describe the two.
func (e *mfaEnv) assertOneOf(t *testing.T, prefix string, n int, refused error, won, lost string, try func() error) {
	t.Helper()
	e.docs.hold(prefix, n)
	errs := make([]error, n)
	race(n, func(i int) { errs[i] = try() })
	nils, refusals := countOf(errs, nil), 0
	for _, err := range errs {
		if errors.Is(err, refused) {
			refusals++
		}
	}
	assert.Equal(t, 1, nils, won)
	assert.Equal(t, n-1, refusals, lost)
	assert.Zero(t, n-nils-refusals, "calls that failed otherwise")
}

// totpCode is the 6-digit TOTP code (RFC 6238, SHA-1, 30 s) of secret at t.
func totpCode(secret []byte, t time.Time) string {
	var msg [8]byte
	binary.BigEndian.PutUint64(msg[:], uint64(t.Unix()/30))
	h := hmac.New(sha1.New, secret)
	h.Write(msg[:])
	sum := h.Sum(nil)
	off := sum[len(sum)-1] & 15
	return fmt.Sprintf("%06d", (binary.BigEndian.Uint32(sum[off:])&0x7fffffff)%1_000_000)
}

// heldDocs holds back readers of documents so that racers all read the
// same version before any of them writes: on a fast store the calls of a
// race would otherwise often run one after the other.
type heldDocs struct {
	state.Documents
	mu      sync.Mutex
	prefix  string
	waiting int           // readers still to arrive
	release chan struct{} // closed when the last one arrives
}

// hold makes the next n reads of documents whose ID starts with prefix
// wait until all n have read.
func (d *heldDocs) hold(prefix string, n int) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.prefix, d.waiting, d.release = prefix, n, make(chan struct{})
}

func (d *heldDocs) GetDocument(ctx context.Context, id string) (state.Document, bool, error) {
	doc, found, err := d.Documents.GetDocument(ctx, id)
	d.mu.Lock()
	if d.waiting == 0 || !strings.HasPrefix(id, d.prefix) {
		d.mu.Unlock()
		return doc, found, err
	}
	d.waiting--
	release := d.release
	if d.waiting == 0 {
		close(release)
	}
	d.mu.Unlock()
	select {
	case <-release:
	case <-ctx.Done():
	}
	return doc, found, err
}

// textQR skips rendering QR codes.
type textQR struct{}

func (textQR) Render(content string) ([]byte, error) { return []byte(content), nil }
