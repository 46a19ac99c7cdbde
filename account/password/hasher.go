package password

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"io"
	"runtime"
	"strings"
	"sync/atomic"

	"golang.org/x/crypto/argon2"
	"golang.org/x/crypto/bcrypt"

	"github.com/accountsec/accountsec/internal/env"
	"github.com/accountsec/accountsec/internal/policycheck"
	"github.com/accountsec/accountsec/reason"
)

// bcryptMaxBytes is the most bcrypt looks at; it silently ignores the rest.
const bcryptMaxBytes = 72

// HasherConfig configures a [Hasher]. The zero HasherConfig is ready to use:
// default argon2id parameters, GOMAXPROCS concurrent hashes, a
// DefaultMaxBytes cap and crypto/rand.
type HasherConfig struct {
	// Params are the argon2id parameters of new hashes. Zero means
	// [DefaultParams].
	Params Params `validate:"-"`
	// MaxConcurrent bounds how many hashes compute at once (each holds
	// Params.Memory KiB while it runs); further calls wait for a slot or
	// for their context to end. Zero means runtime.GOMAXPROCS(0).
	MaxConcurrent int `validate:"omitempty,min=1,max=4096"`
	// MaxBytes caps the password size in bytes; Hash and Verify refuse
	// longer input with reason.PasswordTooLarge before any hashing. Zero
	// means DefaultMaxBytes. Keep it equal to the Policy's MaxBytes.
	MaxBytes int `validate:"omitempty,min=64,max=65536"`
	// Rand is the source of salts. Nil means crypto/rand. Reads are
	// serialised, so it need not be safe for concurrent use.
	Rand io.Reader
}

func (c HasherConfig) withDefaults() HasherConfig {
	c.Params = c.Params.orDefault()
	if c.MaxConcurrent == 0 {
		c.MaxConcurrent = runtime.GOMAXPROCS(0)
	}
	if c.MaxBytes == 0 {
		c.MaxBytes = DefaultMaxBytes
	}
	c.Rand = env.Rand(c.Rand)
	return c
}

// Validate reports whether c is usable, with reason.PolicyInvalid errors that
// name the field, its value and the allowed range.
func (c HasherConfig) Validate() error {
	c = c.withDefaults()
	var out reason.List
	if err := policycheck.Check("password.HasherConfig", c); err != nil {
		out = appendReasons(out, err)
	}
	if err := c.Params.check("password.HasherConfig.Params"); err != nil {
		out = appendReasons(out, err)
	}
	return out.Err()
}

// kdfFunc has the signature of argon2.IDKey. It is a field of Hasher so that
// tests can count the derivations and see their parameters.
type kdfFunc func(password, salt []byte, time, memory uint32, threads uint8, keyLen uint32) []byte

// Hasher hashes and verifies passwords. New hashes are argon2id in PHC string
// format; argon2id hashes of any parameters and bcrypt hashes ($2a$, $2b$,
// $2y$) are verified, with a hint to rehash those that differ from the
// current parameters. A Hasher is safe for concurrent use and bounds how many
// hashes compute at once. Create one with [NewHasher]; the zero Hasher is
// not usable.
type Hasher struct {
	params   Params
	maxBytes int
	sem      chan struct{}

	rand io.Reader // safe for concurrent use (env.Rand)

	// dummy is a real hash, made at construction with params, of a random
	// secret nobody knows; VerifyDummy verifies against it.
	dummy string

	kdf kdfFunc

	// computed counts the key derivations run (argon2id and bcrypt).
	computed atomic.Uint64
}

// NewHasher returns a Hasher configured by cfg, or the reason.PolicyInvalid
// errors of a bad configuration. It computes one hash (the dummy hash used by
// [Hasher.VerifyDummy]), so it costs as much as one Hash call.
func NewHasher(cfg HasherConfig) (*Hasher, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg = cfg.withDefaults()
	h := &Hasher{
		params:   cfg.Params,
		maxBytes: cfg.MaxBytes,
		sem:      make(chan struct{}, cfg.MaxConcurrent),
		rand:     cfg.Rand,
		kdf:      argon2.IDKey,
	}
	secret := make([]byte, 32)
	if err := h.read(secret); err != nil {
		return nil, err
	}
	dummy, err := h.Hash(context.Background(), string(secret))
	if err != nil {
		return nil, err
	}
	h.dummy = dummy
	return h, nil
}

// Computed returns how many key derivations (argon2id or bcrypt) the Hasher
// has run since it was made, the dummy hash of NewHasher included. Every
// Hash, Verify and VerifyDummy that gets a hashing slot runs exactly one; a
// refused input (over the byte cap, a malformed hash) runs none. It is for
// monitoring: a rise beyond the number of logins means something hashes more
// than it should.
func (h *Hasher) Computed() uint64 { return h.computed.Load() }

// Params returns the argon2id parameters of new hashes.
func (h *Hasher) Params() Params { return h.params }

// Hash returns the argon2id hash of pw in PHC string format, for example
//
//	$argon2id$v=19$m=19456,t=2,p=1$<salt>$<key>
//
// with a fresh random salt. A pw longer than the byte cap is refused with
// reason.PasswordTooLarge before any work. While all hashing slots are busy
// Hash waits; if ctx ends first it returns ctx.Err(), wrapped.
//
// Hash does not apply a Policy: call [Policy.Check] first.
func (h *Hasher) Hash(ctx context.Context, pw string) (string, error) {
	if len(pw) > h.maxBytes {
		return "", ErrTooLarge.With("max_bytes", h.maxBytes)
	}
	salt := make([]byte, h.params.SaltLen)
	if err := h.read(salt); err != nil {
		return "", err
	}
	key, err := h.derive(ctx, []byte(pw), salt, h.params)
	if err != nil {
		return "", err
	}
	return encodeArgon2id(h.params, salt, key), nil
}

// Verify reports whether pw matches the stored hash encoded, and whether the
// stored hash should be replaced by a new Hash(pw) now that the password is
// known (needsRehash is only ever true together with ok):
//
//   - argon2id in PHC format, with any parameters in the ranges of Params:
//     needsRehash when they differ from the Hasher's.
//   - bcrypt ($2a$, $2b$, $2y$): always needsRehash, to migrate to argon2id.
//     bcrypt reads only 72 bytes; a longer pw never matches a bcrypt hash,
//     because accepting it would mean ignoring its end.
//
// A wrong password is ok == false with a nil error. An encoded hash in no
// known format is reason.PasswordHashMalformed. A pw longer than the byte
// cap is reason.PasswordTooLarge, before any work. While all hashing slots
// are busy Verify waits; if ctx ends first it returns ctx.Err(), wrapped.
// The comparison of keys is constant-time.
func (h *Hasher) Verify(ctx context.Context, pw, encoded string) (ok, needsRehash bool, err error) {
	if len(pw) > h.maxBytes {
		return false, false, ErrTooLarge.With("max_bytes", h.maxBytes)
	}
	switch {
	case strings.HasPrefix(encoded, argon2idPrefix):
		return h.verifyArgon2id(ctx, pw, encoded)
	case isBcrypt(encoded):
		return h.verifyBcrypt(ctx, pw, encoded)
	default:
		return false, false, ErrHashMalformed
	}
}

// VerifyDummy does the work of a Verify call that fails, for a login to an
// account that does not exist: it verifies pw against a real argon2id hash
// made at construction with the Hasher's parameters, so the response takes
// as long as for a real account and does not reveal which accounts exist.
// It always reports false. Its errors are those of Verify (byte cap,
// context).
func (h *Hasher) VerifyDummy(ctx context.Context, pw string) (bool, error) {
	_, _, err := h.Verify(ctx, pw, h.dummy)
	return false, err
}

func (h *Hasher) verifyArgon2id(ctx context.Context, pw, encoded string) (ok, needsRehash bool, err error) {
	stored, valid := parseArgon2id(encoded)
	if !valid {
		return false, false, ErrHashMalformed
	}
	key, err := h.derive(ctx, []byte(pw), stored.salt, stored.params)
	if err != nil {
		return false, false, err
	}
	if subtle.ConstantTimeCompare(key, stored.key) != 1 {
		return false, false, nil
	}
	return true, stored.params != h.params, nil
}

// isBcrypt reports whether s has the shape of a bcrypt hash: a known prefix,
// a two-digit cost and 53 characters of bcrypt's base64 alphabet.
func isBcrypt(s string) bool {
	if len(s) != 60 || s[0] != '$' || s[1] != '2' || s[3] != '$' || s[6] != '$' {
		return false
	}
	switch s[2] {
	case 'a', 'b', 'y':
	default:
		return false
	}
	for i := 7; i < len(s); i++ {
		c := s[i]
		if !(c == '.' || c == '/' || isASCIIAlnum(rune(c))) {
			return false
		}
	}
	return true
}

func (h *Hasher) verifyBcrypt(ctx context.Context, pw, encoded string) (ok, needsRehash bool, err error) {
	// Parse before taking a slot so that a malformed hash costs nothing.
	if _, err := bcrypt.Cost([]byte(encoded)); err != nil {
		return false, false, ErrHashMalformed
	}
	if len(pw) > bcryptMaxBytes {
		return false, false, nil
	}
	if err := h.acquire(ctx); err != nil {
		return false, false, err
	}
	defer h.release()
	h.computed.Add(1)
	err = bcrypt.CompareHashAndPassword([]byte(encoded), []byte(pw))
	switch {
	case err == nil:
		return true, true, nil
	case errors.Is(err, bcrypt.ErrMismatchedHashAndPassword):
		return false, false, nil
	default:
		return false, false, ErrHashMalformed
	}
}

// derive runs the KDF in a hashing slot.
func (h *Hasher) derive(ctx context.Context, pw, salt []byte, p Params) ([]byte, error) {
	if err := h.acquire(ctx); err != nil {
		return nil, err
	}
	defer h.release()
	h.computed.Add(1)
	return h.kdf(pw, salt, p.Time, p.Memory, p.Threads, p.KeyLen), nil
}

// acquire takes a hashing slot, or gives up when ctx ends.
func (h *Hasher) acquire(ctx context.Context) error {
	// Checked first because select picks at random among ready cases: a
	// cancelled caller must not win a free slot.
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("password: waiting for a hashing slot: %w", err)
	}
	select {
	case h.sem <- struct{}{}:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("password: waiting for a hashing slot: %w", ctx.Err())
	}
}

func (h *Hasher) release() { <-h.sem }

func (h *Hasher) read(b []byte) error {
	if _, err := io.ReadFull(h.rand, b); err != nil {
		return fmt.Errorf("password: reading random bytes: %w", err)
	}
	return nil
}
