package password

import (
	"context"
	"errors"
	"io"
	"strings"
	"sync"
	"testing"
	"testing/synctest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/crypto/argon2"
	"golang.org/x/crypto/bcrypt"

	"github.com/accountsec/accountsec/reason"
)

// zeroReader is an endless source of zero bytes, for deterministic salts.
type zeroReader struct{}

func (zeroReader) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

type failingReader struct{}

func (failingReader) Read([]byte) (int, error) { return 0, errors.New("entropy exhausted") }

func TestHashFormat(t *testing.T) {
	t.Parallel()
	h := newTestHasher(t, HasherConfig{Rand: zeroReader{}})
	encoded, err := h.Hash(t.Context(), "Abcdef1!")
	require.NoError(t, err)

	// 16 zero bytes of salt; the key is argon2id itself, nothing added.
	wantKey := argon2.IDKey([]byte("Abcdef1!"), make([]byte, 16), 1, 8, 1, 32)
	assert.Equal(t, "$argon2id$v=19$m=8,t=1,p=1$AAAAAAAAAAAAAAAAAAAAAA$"+b64().EncodeToString(wantKey), encoded)
	assert.False(t, strings.HasSuffix(encoded, "="), "no base64 padding")

	parsed, ok := parseArgon2id(encoded)
	require.True(t, ok)
	assert.Equal(t, InsecureTestParams(), parsed.params)
	assert.Equal(t, wantKey, parsed.key)
}

func TestHashDefaultParams(t *testing.T) {
	t.Parallel()
	h, err := NewHasher(HasherConfig{})
	require.NoError(t, err)
	assert.Equal(t, Params{Memory: 19456, Time: 2, Threads: 1, SaltLen: 16, KeyLen: 32}, h.Params())
	encoded, err := h.Hash(t.Context(), "Abcdef1!")
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(encoded, "$argon2id$v=19$m=19456,t=2,p=1$"), encoded)
	parts := strings.Split(encoded, "$")
	require.Len(t, parts, 6)
	assert.Len(t, parts[4], 22, "16-byte salt")
	assert.Len(t, parts[5], 43, "32-byte key")
}

func TestHashSaltsDiffer(t *testing.T) {
	t.Parallel()
	h := newTestHasher(t, HasherConfig{})
	a, err := h.Hash(t.Context(), "same")
	require.NoError(t, err)
	b, err := h.Hash(t.Context(), "same")
	require.NoError(t, err)
	assert.NotEqual(t, a, b)
}

func TestVerifyArgon2id(t *testing.T) {
	t.Parallel()
	h := newTestHasher(t, HasherConfig{})
	encoded, err := h.Hash(t.Context(), "Abcdef1!")
	require.NoError(t, err)

	tests := []struct {
		name       string
		pw         string
		ok, rehash bool
	}{
		{"right", "Abcdef1!", true, false},
		{"wrong", "Abcdef1?", false, false},
		{"empty", "", false, false},
		{"prefix", "Abcdef1", false, false},
		{"longer", "Abcdef1!!", false, false},
		{"case", "abcdef1!", false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ok, rehash, err := h.Verify(t.Context(), tt.pw, encoded)
			require.NoError(t, err)
			assert.Equal(t, tt.ok, ok)
			assert.Equal(t, tt.rehash, rehash)
		})
	}
}

func TestVerifyNeedsRehashWhenParamsDiffer(t *testing.T) {
	t.Parallel()
	old := newTestHasher(t, HasherConfig{})
	encoded, err := old.Hash(t.Context(), "Abcdef1!")
	require.NoError(t, err)

	change := func(f func(*Params)) Params {
		p := InsecureTestParams()
		f(&p)
		return p
	}
	tests := []struct {
		name   string
		params Params
		rehash bool
	}{
		{"same", InsecureTestParams(), false},
		{"memory", change(func(p *Params) { p.Memory = 16 }), true},
		{"time", change(func(p *Params) { p.Time = 2 }), true},
		{"threads", change(func(p *Params) { p.Threads = 2; p.Memory = 16 }), true},
		{"salt length", change(func(p *Params) { p.SaltLen = 32 }), true},
		{"key length", change(func(p *Params) { p.KeyLen = 64 }), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			current := newTestHasher(t, HasherConfig{Params: tt.params})
			rec := record(current)
			ok, rehash, err := current.Verify(t.Context(), "Abcdef1!", encoded)
			require.NoError(t, err)
			assert.True(t, ok, "old hashes still verify")
			assert.Equal(t, tt.rehash, rehash)
			// Verification uses the stored parameters, not the current ones.
			assert.Equal(t, []kdfCall{{Time: 1, Memory: 8, Threads: 1, KeyLen: 32, SaltLen: 16}}, rec.take())

			ok, rehash, err = current.Verify(t.Context(), "wrong", encoded)
			require.NoError(t, err)
			assert.False(t, ok)
			assert.False(t, rehash, "no rehash without a match")
		})
	}
}

func TestVerifyBcrypt(t *testing.T) {
	t.Parallel()
	h := newTestHasher(t, HasherConfig{})
	const pw = "Abcdef1!"
	generated, err := bcrypt.GenerateFromPassword([]byte(pw), bcrypt.MinCost)
	require.NoError(t, err)
	require.True(t, strings.HasPrefix(string(generated), "$2a$04$"))

	for _, prefix := range []string{"$2a$", "$2b$", "$2y$"} {
		encoded := prefix + string(generated[4:])
		t.Run(prefix, func(t *testing.T) {
			t.Parallel()
			ok, rehash, err := h.Verify(t.Context(), pw, encoded)
			require.NoError(t, err)
			assert.True(t, ok)
			assert.True(t, rehash, "bcrypt is always migrated")

			ok, rehash, err = h.Verify(t.Context(), "Abcdef1?", encoded)
			require.NoError(t, err)
			assert.False(t, ok)
			assert.False(t, rehash)
		})
	}

	t.Run("no truncation at 72 bytes", func(t *testing.T) {
		t.Parallel()
		pw72 := strings.Repeat("Ab1!", 18)
		long, err := bcrypt.GenerateFromPassword([]byte(pw72), bcrypt.MinCost)
		require.NoError(t, err)
		ok, _, err := h.Verify(t.Context(), pw72, string(long))
		require.NoError(t, err)
		assert.True(t, ok)
		// bcrypt itself would accept this: it ignores everything after byte 72.
		require.NoError(t, bcrypt.CompareHashAndPassword(long, []byte(pw72+"x")))
		ok, rehash, err := h.Verify(t.Context(), pw72+"x", string(long))
		require.NoError(t, err)
		assert.False(t, ok)
		assert.False(t, rehash)
	})
}

func TestVerifyMalformed(t *testing.T) {
	t.Parallel()
	h := newTestHasher(t, HasherConfig{Rand: zeroReader{}})
	good, err := h.Hash(t.Context(), "x")
	require.NoError(t, err)
	const salt = "AAAAAAAAAAAAAAAAAAAAAA"
	key := strings.Split(good, "$")[5]
	bc, err := bcrypt.GenerateFromPassword([]byte("x"), bcrypt.MinCost)
	require.NoError(t, err)

	tests := []struct{ name, encoded string }{
		{"empty", ""},
		{"plain text", "Abcdef1!"},
		{"argon2i", "$argon2i$v=19$m=8,t=1,p=1$" + salt + "$" + key},
		{"argon2d", "$argon2d$v=19$m=8,t=1,p=1$" + salt + "$" + key},
		{"scrypt", "$scrypt$ln=16,r=8,p=1$" + salt + "$" + key},
		{"version 16", "$argon2id$v=16$m=8,t=1,p=1$" + salt + "$" + key},
		{"no version", "$argon2id$m=8,t=1,p=1$" + salt + "$" + key},
		{"params out of order", "$argon2id$v=19$t=1,m=8,p=1$" + salt + "$" + key},
		{"extra param", "$argon2id$v=19$m=8,t=1,p=1,keyid=abc$" + salt + "$" + key},
		{"missing param", "$argon2id$v=19$m=8,t=1$" + salt + "$" + key},
		{"leading zero", "$argon2id$v=19$m=08,t=1,p=1$" + salt + "$" + key},
		{"sign", "$argon2id$v=19$m=+8,t=1,p=1$" + salt + "$" + key},
		{"huge number", "$argon2id$v=19$m=99999999999,t=1,p=1$" + salt + "$" + key},
		{"memory too small", "$argon2id$v=19$m=4,t=1,p=1$" + salt + "$" + key},
		{"memory over 4 GiB", "$argon2id$v=19$m=4194305,t=1,p=1$" + salt + "$" + key},
		{"memory below 8×threads", "$argon2id$v=19$m=8,t=1,p=2$" + salt + "$" + key},
		{"zero time", "$argon2id$v=19$m=8,t=0,p=1$" + salt + "$" + key},
		{"zero threads", "$argon2id$v=19$m=8,t=1,p=0$" + salt + "$" + key},
		{"threads over a byte", "$argon2id$v=19$m=8,t=1,p=257$" + salt + "$" + key},
		{"salt too short", "$argon2id$v=19$m=8,t=1,p=1$AAAAAA$" + key},
		{"key too short", "$argon2id$v=19$m=8,t=1,p=1$" + salt + "$AAAAAA"},
		{"empty key", "$argon2id$v=19$m=8,t=1,p=1$" + salt + "$"},
		{"padded base64", "$argon2id$v=19$m=8,t=1,p=1$" + salt + "==$" + key},
		{"url base64", "$argon2id$v=19$m=8,t=1,p=1$" + salt + "$" + strings.NewReplacer("+", "-", "/", "_").Replace(key) + "-_"},
		{"non-canonical base64", "$argon2id$v=19$m=8,t=1,p=1$AAAAAAAAAAAAAAAAAAAAAB$" + key},
		{"newline in base64", "$argon2id$v=19$m=8,t=1,p=1$" + salt[:11] + "\n" + salt[11:] + "$" + key},
		{"carriage return in base64", "$argon2id$v=19$m=8,t=1,p=1$" + salt + "$\r" + key},
		{"trailing dollar", good + "$"},
		{"truncated", good[:len(good)-10]},
		{"bcrypt unknown minor", "$2x$" + string(bc[4:])},
		{"bcrypt old prefix", "$2$" + string(bc[4:])},
		{"bcrypt short", string(bc[:59])},
		{"bcrypt long", string(bc) + "A"},
		{"bcrypt bad cost", "$2a$99$" + string(bc[7:])},
		{"bcrypt cost 3", "$2a$03$" + string(bc[7:])},
		{"bcrypt bad alphabet", string(bc[:58]) + "+"},
		{"bcrypt bad salt encoding", "$2a$04$" + strings.Repeat("+", 53)},
	}
	rec := record(h)
	for _, tt := range tests {
		ok, rehash, err := h.Verify(t.Context(), "x", tt.encoded)
		assert.ErrorIs(t, err, ErrHashMalformed, tt.name)
		assert.Equal(t, []reason.Code{reason.PasswordHashMalformed}, codes(err), tt.name)
		assert.False(t, ok, tt.name)
		assert.False(t, rehash, tt.name)
	}
	assert.Empty(t, rec.take(), "a malformed hash costs no derivation")

	ok, _, err := h.Verify(t.Context(), "x", good)
	require.NoError(t, err, "the base of the malformed cases is well formed")
	assert.True(t, ok)
}

func TestTooLargeBeforeHashing(t *testing.T) {
	t.Parallel()
	h := newTestHasher(t, HasherConfig{})
	stored, err := h.Hash(t.Context(), "Abcdef1!")
	require.NoError(t, err)
	bc, err := bcrypt.GenerateFromPassword([]byte("Abcdef1!"), bcrypt.MinCost)
	require.NoError(t, err)
	rec := record(h)

	huge := strings.Repeat("a", 1<<20)
	isTooLarge := func(err error) {
		t.Helper()
		require.ErrorIs(t, err, ErrTooLarge)
		assert.Equal(t, 1024, reasons(t, err)[0].Params["max_bytes"])
		assert.NotContains(t, err.Error(), "aaaa")
	}
	_, err = h.Hash(t.Context(), huge)
	isTooLarge(err)
	_, _, err = h.Verify(t.Context(), huge, stored)
	isTooLarge(err)
	_, _, err = h.Verify(t.Context(), huge, string(bc))
	isTooLarge(err)
	_, err = h.VerifyDummy(t.Context(), huge)
	isTooLarge(err)
	_, err = h.InHistory(t.Context(), huge, []string{stored}, 3)
	isTooLarge(err)
	assert.Empty(t, rec.take(), "no KDF call for oversized input")

	// The cap is inclusive and configurable.
	small := newTestHasher(t, HasherConfig{MaxBytes: 64})
	_, err = small.Hash(t.Context(), strings.Repeat("a", 64))
	require.NoError(t, err)
	_, err = small.Hash(t.Context(), strings.Repeat("a", 65))
	require.ErrorIs(t, err, ErrTooLarge)
	assert.Equal(t, 64, reasons(t, err)[0].Params["max_bytes"])
}

func TestVerifyDummyDoesTheSameWork(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		params Params
	}{
		{"test params", Params{Memory: 16, Time: 2, Threads: 2, SaltLen: 24, KeyLen: 48}},
		{"default params", DefaultParams()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h, err := NewHasher(HasherConfig{Params: tt.params})
			require.NoError(t, err)
			stored, err := h.Hash(t.Context(), "Abcdef1!")
			require.NoError(t, err)
			rec := record(h)

			ok, _, err := h.Verify(t.Context(), "Wrong1!x", stored)
			require.NoError(t, err)
			require.False(t, ok)
			real := rec.take()

			ok, err = h.VerifyDummy(t.Context(), "Wrong1!x")
			require.NoError(t, err)
			require.False(t, ok)
			dummy := rec.take()

			want := kdfCall{Time: tt.params.Time, Memory: tt.params.Memory, Threads: tt.params.Threads,
				KeyLen: tt.params.KeyLen, SaltLen: int(tt.params.SaltLen)}
			assert.Equal(t, []kdfCall{want}, real)
			assert.Equal(t, real, dummy)
		})
	}
}

func TestVerifyDummyAlwaysFalse(t *testing.T) {
	t.Parallel()
	h := newTestHasher(t, HasherConfig{Rand: zeroReader{}})
	// With a known Rand the dummy secret is known (32 zero bytes): even the
	// right password is reported false.
	secret := string(make([]byte, 32))
	ok, _, err := h.Verify(t.Context(), secret, h.dummy)
	require.NoError(t, err)
	require.True(t, ok, "the dummy hash is a real hash")
	ok, err = h.VerifyDummy(t.Context(), secret)
	require.NoError(t, err)
	assert.False(t, ok)
}

func TestWaitingForASlotHonoursContext(t *testing.T) {
	t.Parallel()
	calls := map[string]func(ctx context.Context, h *Hasher, stored string) error{
		"Hash": func(ctx context.Context, h *Hasher, _ string) error {
			_, err := h.Hash(ctx, "Abcdef1!")
			return err
		},
		"Verify": func(ctx context.Context, h *Hasher, stored string) error {
			_, _, err := h.Verify(ctx, "Abcdef1!", stored)
			return err
		},
		"VerifyDummy": func(ctx context.Context, h *Hasher, _ string) error {
			_, err := h.VerifyDummy(ctx, "Abcdef1!")
			return err
		},
		"InHistory": func(ctx context.Context, h *Hasher, stored string) error {
			_, err := h.InHistory(ctx, "Abcdef1!", []string{stored}, 3)
			return err
		},
	}
	for name, call := range calls {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			synctest.Test(t, func(t *testing.T) {
				h := newTestHasher(t, HasherConfig{MaxConcurrent: 1})
				stored, err := h.Hash(t.Context(), "Abcdef1!")
				require.NoError(t, err)

				// Fill the only slot with a derivation that waits for release.
				entered, release := make(chan struct{}), make(chan struct{})
				next := h.kdf
				h.kdf = func(pw, salt []byte, time, memory uint32, threads uint8, keyLen uint32) []byte {
					entered <- struct{}{}
					<-release
					return next(pw, salt, time, memory, threads, keyLen)
				}
				holder := make(chan error, 1)
				go func() {
					_, err := h.Hash(context.Background(), "holder")
					holder <- err
				}()
				<-entered

				ctx, cancel := context.WithCancel(t.Context())
				waiter := make(chan error, 1)
				go func() { waiter <- call(ctx, h, stored) }()
				synctest.Wait() // the waiter is now blocked on the full semaphore
				select {
				case err := <-waiter:
					t.Fatalf("returned before cancellation: %v", err)
				default:
				}
				cancel()
				err = <-waiter // a deadlock here fails the test
				require.ErrorIs(t, err, context.Canceled)
				assert.Contains(t, err.Error(), "hashing slot")

				close(release)
				require.NoError(t, <-holder)
			})
		})
	}
}

func TestCancelledContextNeverTakesAFreeSlot(t *testing.T) {
	t.Parallel()
	h := newTestHasher(t, HasherConfig{})
	rec := record(h)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	for range 50 {
		_, err := h.Hash(ctx, "Abcdef1!")
		require.ErrorIs(t, err, context.Canceled)
	}
	assert.Empty(t, rec.take())
}

func TestConcurrentHashesAreBounded(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		const limit, callers = 2, 6
		h := newTestHasher(t, HasherConfig{MaxConcurrent: limit})
		var mu sync.Mutex
		running, most := 0, 0
		release := make(chan struct{})
		next := h.kdf
		h.kdf = func(pw, salt []byte, time, memory uint32, threads uint8, keyLen uint32) []byte {
			mu.Lock()
			running++
			most = max(most, running)
			mu.Unlock()
			<-release
			mu.Lock()
			running--
			mu.Unlock()
			return next(pw, salt, time, memory, threads, keyLen)
		}
		var wg sync.WaitGroup
		for range callers {
			wg.Go(func() {
				_, err := h.Hash(t.Context(), "Abcdef1!")
				assert.NoError(t, err)
			})
		}
		synctest.Wait()
		mu.Lock()
		assert.Equal(t, limit, running, "exactly MaxConcurrent derivations run, the rest wait")
		mu.Unlock()
		close(release)
		wg.Wait()
		assert.Equal(t, limit, most)
	})
}

func TestHasherConfigValidate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		cfg     HasherConfig
		field   string
		value   string
		allowed string
	}{
		{"MaxConcurrent negative", HasherConfig{MaxConcurrent: -1}, "MaxConcurrent", "-1", "1..4096"},
		{"MaxConcurrent huge", HasherConfig{MaxConcurrent: 10000}, "MaxConcurrent", "10000", "1..4096"},
		{"MaxBytes small", HasherConfig{MaxBytes: 8}, "MaxBytes", "8", "64..65536"},
		{"MaxBytes huge", HasherConfig{MaxBytes: 1 << 20}, "MaxBytes", "1048576", "64..65536"},
		{"Memory small", HasherConfig{Params: Params{Memory: 4, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}}, "Params.Memory", "4", "8..4194304"},
		{"Memory huge", HasherConfig{Params: Params{Memory: 1 << 23, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}}, "Params.Memory", "8388608", "8..4194304"},
		{"Memory below 8×Threads", HasherConfig{Params: Params{Memory: 8, Time: 1, Threads: 4, SaltLen: 16, KeyLen: 32}}, "Params.Memory", "8", ">= 8×Threads (32)"},
		{"Time zero", HasherConfig{Params: Params{Memory: 8, Time: 0, Threads: 1, SaltLen: 16, KeyLen: 32}}, "Params.Time", "0", "1..100"},
		{"Threads zero", HasherConfig{Params: Params{Memory: 8, Time: 1, Threads: 0, SaltLen: 16, KeyLen: 32}}, "Params.Threads", "0", "1..64"},
		{"SaltLen short", HasherConfig{Params: Params{Memory: 8, Time: 1, Threads: 1, SaltLen: 4, KeyLen: 32}}, "Params.SaltLen", "4", "8..64"},
		{"KeyLen short", HasherConfig{Params: Params{Memory: 8, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 8}}, "Params.KeyLen", "8", "16..64"},
		{"partial Params are not defaulted", HasherConfig{Params: Params{Memory: 65536}}, "Params.Time", "0", "1..100"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := NewHasher(tt.cfg)
			require.Error(t, err)
			fields := policyFields(t, err)
			got, ok := fields["password.HasherConfig."+tt.field]
			require.True(t, ok, "no error for %s in %v", tt.field, fields)
			assert.Equal(t, tt.value, got[0])
			assert.Contains(t, got[1], tt.allowed)
			assert.Contains(t, err.Error(), "password.HasherConfig."+tt.field)
		})
	}
	t.Run("defaults are valid", func(t *testing.T) {
		t.Parallel()
		require.NoError(t, HasherConfig{}.Validate())
		require.NoError(t, Params{}.Validate())
		require.NoError(t, DefaultParams().Validate())
		require.NoError(t, InsecureTestParams().Validate())
	})
	t.Run("Params.Validate names its own fields", func(t *testing.T) {
		t.Parallel()
		fields := policyFields(t, Params{Memory: 8, Time: 1, Threads: 1, SaltLen: 16}.Validate())
		assert.Equal(t, [2]string{"0", "16..64"}, fields["password.Params.KeyLen"])
	})
}

func TestRandomnessFailure(t *testing.T) {
	t.Parallel()
	_, err := NewHasher(HasherConfig{Params: InsecureTestParams(), Rand: failingReader{}})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "entropy exhausted")

	// A reader that works for the dummy hash and then fails.
	r := io.MultiReader(io.LimitReader(zeroReader{}, 32+16), failingReader{})
	h, err := NewHasher(HasherConfig{Params: InsecureTestParams(), Rand: r})
	require.NoError(t, err)
	_, err = h.Hash(t.Context(), "Abcdef1!")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "entropy exhausted")
	assert.NotContains(t, err.Error(), "Abcdef1!")
}
