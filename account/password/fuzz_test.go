package password

import (
	"context"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/require"
	"golang.org/x/crypto/argon2"
	"golang.org/x/crypto/bcrypt"

	"github.com/accountsec/accountsec/reason"
)

func FuzzCheck(f *testing.F) {
	for _, seed := range []string{
		"", "a", "Abcdef1!", "Abcdefghijklmnopqr1!", "abc def", "Abcd\tef1!",
		"密码密码密码密码", "😀", "👨\u200d👩\u200d👧", "Abcdef1，", "\xff", "\xed\xa0\x80",
		"\x00\x01\x7f\u0085", "password", "PassWordPassword", "qwertyuiopasdfghjkl",
		"aaaaaaaaaaaaaaa", "abcabcabcabcabc", "the password must have at least",
		"characters", "1024", strings.Repeat("x", 1025), strings.Repeat("密", 400),
	} {
		f.Add(seed)
	}
	policies := []Policy{Console(), NIST(), {MinLength: 1, MaxLength: 1, MaxBytes: 64}, {MinLength: 12, MaxLength: 64}}
	f.Fuzz(func(t *testing.T, pw string) {
		for _, p := range policies {
			err := p.Check(pw)
			again := p.Check(pw)
			require.Equal(t, codes(err), codes(again), "deterministic")
			if err != nil {
				require.Equal(t, err.Error(), again.Error(), "deterministic")
				// Not printed: the input would land in the log.
				require.False(t, leaks(p, pw, err), "the message shows the password")
			}

			eff := p.Resolved()
			switch {
			case len(pw) > eff.MaxBytes:
				require.Equal(t, []reason.Code{reason.PasswordTooLarge}, codes(err))
			case !utf8.ValidString(pw):
				require.Equal(t, []reason.Code{reason.PasswordInvalidUTF8}, codes(err))
			case err == nil:
				n := utf8.RuneCountInString(pw)
				require.GreaterOrEqual(t, n, eff.MinLength)
				require.LessOrEqual(t, n, eff.MaxLength)
			}
		}
	})
}

// cheapKDF runs argon2id for small parameters and returns a fixed key for
// large ones, so that the fuzzer explores the parser instead of waiting on
// a 4 GiB derivation that a stored hash may legitimately ask for.
func cheapKDF(pw, salt []byte, time, memory uint32, threads uint8, keyLen uint32) []byte {
	if memory > 1024 || time > 4 {
		return make([]byte, keyLen)
	}
	return argon2.IDKey(pw, salt, time, memory, threads, keyLen)
}

func FuzzVerifyEncoded(f *testing.F) {
	seedHasher := newTestHasher(f, HasherConfig{Rand: zeroReader{}})
	good, err := seedHasher.Hash(context.Background(), "pw")
	require.NoError(f, err)
	bc, err := bcrypt.GenerateFromPassword([]byte("pw"), bcrypt.MinCost)
	require.NoError(f, err)
	for _, seed := range []string{
		good, string(bc), "$2b$" + string(bc[4:]), "$2y$" + string(bc[4:]),
		"", "$", "$$$$$", "$argon2id$", "$argon2id$v=19$", "$argon2id$v=19$m=8,t=1,p=1$$",
		"$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g",
		"$argon2id$v=19$m=4194304,t=100,p=64$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
		"$argon2id$v=19$m=8,t=1,p=1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAA==",
		"$argon2i$v=19$m=8,t=1,p=1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAA",
		"$2a$04$", "$2a$99$" + string(bc[7:]), good[:len(good)/2], good + "\x00",
	} {
		f.Add(seed)
	}
	h := newTestHasher(f, HasherConfig{})
	h.kdf = cheapKDF
	f.Fuzz(func(t *testing.T, encoded string) {
		if isBcrypt(encoded) {
			if cost, err := bcrypt.Cost([]byte(encoded)); err == nil && cost > bcrypt.MinCost+2 {
				t.Skip("bcrypt cost too high for fuzzing")
			}
		}
		ok, rehash, err := h.Verify(context.Background(), "pw", encoded)
		if err != nil {
			require.ErrorIs(t, err, ErrHashMalformed)
			require.False(t, ok)
			require.False(t, rehash)
		}
		if rehash {
			require.True(t, ok, "rehash only with a match")
		}
		// The argon2id parser is canonical: what it accepts, the encoder
		// writes back byte for byte.
		if parsed, valid := parseArgon2id(encoded); valid {
			require.Equal(t, encoded, encodeArgon2id(parsed.params, parsed.salt, parsed.key))
			require.NoError(t, parsed.params.Validate())
		}
	})
}
