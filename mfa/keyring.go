package mfa

import (
	"crypto/aes"
	"crypto/cipher"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strconv"

	"github.com/accountsec/accountsec/reason"
)

// Keyring holds the host's keys for sealing MFA secrets at rest with
// AES-GCM. New secrets are sealed under the current key; each sealed secret
// records its key's ID, so old secrets stay readable after the current key
// changes, as long as the old key stays in the ring.
//
// Implementations must be safe for concurrent use. Errors are for system
// failures (a key service that cannot be reached); an unknown ID is an error
// too, and makes the operation fail closed with [ErrKeyUnavailable].
type Keyring interface {
	// Current returns the ID and key (16, 24 or 32 bytes) that new secrets
	// are sealed with.
	Current() (id string, key []byte, err error)
	// Key returns the key with the given ID.
	Key(id string) ([]byte, error)
}

// MaxKeyIDBytes is the longest key ID accepted.
const MaxKeyIDBytes = 64

// ErrUnknownKey is what [StaticKeyring.Key] returns for an ID it does not
// hold.
var ErrUnknownKey = errors.New("mfa: no key with this ID in the key ring")

// StaticKeyring is a [Keyring] of fixed keys, for hosts that load their keys
// from configuration at start-up. Rotate by adding a key under a new ID,
// making it current, and keeping the old one until no secret uses it.
type StaticKeyring struct {
	current string
	keys    map[string][]byte
}

// NewStaticKeyring returns a key ring holding keys (copied) whose current
// key is keys[current]. Every key must be 16, 24 or 32 bytes (AES-128, -192
// or -256; 32 is recommended) and every ID 1 to MaxKeyIDBytes bytes.
func NewStaticKeyring(current string, keys map[string][]byte) (*StaticKeyring, error) {
	if _, ok := keys[current]; !ok {
		return nil, reason.New(reason.PolicyInvalid).With("field", "mfa.StaticKeyring.current").With("value", strconv.Quote(current)).With("allowed", "the ID of one of the keys")
	}
	r := &StaticKeyring{current: current, keys: make(map[string][]byte, len(keys))}
	for id, k := range keys {
		if id == "" || len(id) > MaxKeyIDBytes {
			return nil, reason.New(reason.PolicyInvalid).With("field", "mfa.StaticKeyring.keys").With("value", "an ID of "+strconv.Itoa(len(id))+" bytes").With("allowed", "IDs of 1.."+strconv.Itoa(MaxKeyIDBytes)+" bytes")
		}
		if n := len(k); n != 16 && n != 24 && n != 32 {
			return nil, reason.New(reason.PolicyInvalid).With("field", "mfa.StaticKeyring.keys["+id+"]").With("value", "a key of "+strconv.Itoa(n)+" bytes").With("allowed", "16, 24 or 32 bytes")
		}
		r.keys[id] = append([]byte(nil), k...)
	}
	return r, nil
}

// Current returns the current key.
func (r *StaticKeyring) Current() (string, []byte, error) { return r.current, r.keys[r.current], nil }

// Key returns the key with the ID, or ErrUnknownKey.
func (r *StaticKeyring) Key(id string) ([]byte, error) {
	k, ok := r.keys[id]
	if !ok {
		return nil, ErrUnknownKey
	}
	return k, nil
}

// String names the key IDs, never the keys.
func (r StaticKeyring) String() string {
	return "mfa.StaticKeyring{current:" + r.current + " keys:" + strconv.Itoa(len(r.keys)) + "}"
}

// GoString is String.
func (r StaticKeyring) GoString() string { return r.String() }

// Format prints String for every verb, so no verb prints a key.
func (r StaticKeyring) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte(r.String())) }

// Sealed is a secret encrypted with AES-GCM: KeyID names the key in the
// [Keyring], Ciphertext is the 12-byte nonce followed by the GCM output.
// The associated data (not stored) binds it to the record it belongs to, so
// a sealed secret copied onto another device does not open.
type Sealed struct {
	// KeyID is the ID of the key that sealed the secret.
	KeyID string
	// Ciphertext is nonce || ciphertext || tag.
	Ciphertext []byte
}

// String shows the key ID and the size, not the bytes.
func (s Sealed) String() string {
	return "sealed(key=" + s.KeyID + ", " + strconv.Itoa(len(s.Ciphertext)) + " bytes)"
}

// GoString is String.
func (s Sealed) GoString() string { return s.String() }

// Format prints String for every verb.
func (s Sealed) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte(s.String())) }

// LogValue keeps the bytes out of structured logs.
func (s Sealed) LogValue() slog.Value { return slog.StringValue(s.String()) }

const nonceSize = 12

// associated data for the two kinds of sealed secret. A NUL separates the
// parts; IDs and serial numbers never contain one.
func deviceAD(deviceID string) []byte { return []byte("accountsec/mfa/device\x00" + deviceID) }
func tokenAD(serial string) []byte    { return []byte("accountsec/mfa/token\x00" + serial) }

// seal encrypts plain under the ring's current key with a nonce from rnd.
func seal(ring Keyring, rnd io.Reader, plain, ad []byte) (Sealed, error) {
	id, key, err := ring.Current()
	if err != nil {
		return Sealed{}, ErrKeyUnavailable.Wrap(err)
	}
	aead, err := newAEAD(key)
	if err != nil {
		return Sealed{}, ErrKeyUnavailable.Wrap(err)
	}
	out := make([]byte, nonceSize, nonceSize+len(plain)+aead.Overhead())
	if _, err := io.ReadFull(rnd, out); err != nil {
		return Sealed{}, reason.Store(fmt.Errorf("mfa: reading randomness: %w", err))
	}
	return Sealed{KeyID: id, Ciphertext: aead.Seal(out, out, plain, ad)}, nil
}

// open decrypts s. Any failure (unknown key, wrong associated data, changed
// bytes) is ErrKeyUnavailable: the operation fails closed, and the cause
// never says anything about the secret.
func open(ring Keyring, s Sealed, ad []byte) ([]byte, error) {
	key, err := ring.Key(s.KeyID)
	if err != nil {
		return nil, ErrKeyUnavailable.Wrap(err)
	}
	aead, err := newAEAD(key)
	if err != nil {
		return nil, ErrKeyUnavailable.Wrap(err)
	}
	if len(s.Ciphertext) < nonceSize+aead.Overhead() {
		return nil, ErrKeyUnavailable.Wrap(errors.New("mfa: sealed secret too short"))
	}
	plain, err := aead.Open(nil, s.Ciphertext[:nonceSize], s.Ciphertext[nonceSize:], ad)
	if err != nil {
		return nil, ErrKeyUnavailable.Wrap(errors.New("mfa: sealed secret does not open with its key"))
	}
	return plain, nil
}

func newAEAD(key []byte) (cipher.AEAD, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(block)
}
