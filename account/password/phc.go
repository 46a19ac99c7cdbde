package password

import (
	"encoding/base64"
	"strconv"
	"strings"
)

// The PHC string format of argon2id, as written by the reference
// implementation and most libraries:
//
//	$argon2id$v=19$m=19456,t=2,p=1$<salt>$<key>
//
// with salt and key in standard base64 without padding.
const (
	argon2idPrefix = "$argon2id$"
	argon2Version  = 19 // 0x13, the only version golang.org/x/crypto/argon2 computes
)

// b64 is strict so that every hash has exactly one accepted spelling.
func b64() *base64.Encoding { return base64.RawStdEncoding.Strict() }

// argon2Hash is a parsed argon2id PHC string.
type argon2Hash struct {
	params Params
	salt   []byte
	key    []byte
}

func encodeArgon2id(p Params, salt, key []byte) string {
	enc := b64()
	var b strings.Builder
	b.Grow(len(argon2idPrefix) + 40 + enc.EncodedLen(len(salt)) + enc.EncodedLen(len(key)))
	b.WriteString(argon2idPrefix)
	b.WriteString("v=")
	b.WriteString(strconv.Itoa(argon2Version))
	b.WriteString("$m=")
	b.WriteString(strconv.FormatUint(uint64(p.Memory), 10))
	b.WriteString(",t=")
	b.WriteString(strconv.FormatUint(uint64(p.Time), 10))
	b.WriteString(",p=")
	b.WriteString(strconv.FormatUint(uint64(p.Threads), 10))
	b.WriteByte('$')
	b.WriteString(enc.EncodeToString(salt))
	b.WriteByte('$')
	b.WriteString(enc.EncodeToString(key))
	return b.String()
}

// parseArgon2id parses s strictly: version 19 only, the parameters m, t and p
// in that order and nothing else, canonical decimal numbers, strict base64,
// and every value within the ranges of Params. ok is false for anything
// else; the caller reports it as a malformed hash without saying why, since
// the stored hash is not the user's business.
func parseArgon2id(s string) (h argon2Hash, ok bool) {
	rest, found := strings.CutPrefix(s, argon2idPrefix)
	if !found {
		return h, false
	}
	parts := strings.Split(rest, "$")
	if len(parts) != 4 {
		return h, false
	}
	version, ok := cutUint(parts[0], "v=")
	if !ok || version != argon2Version {
		return h, false
	}
	fields := strings.Split(parts[1], ",")
	if len(fields) != 3 {
		return h, false
	}
	m, okM := cutUint(fields[0], "m=")
	t, okT := cutUint(fields[1], "t=")
	p, okP := cutUint(fields[2], "p=")
	if !okM || !okT || !okP || m > 1<<32-1 || t > 1<<32-1 || p > 255 {
		return h, false
	}
	// The decoder skips \r and \n even in strict mode; a stored hash has none.
	if !isB64(parts[2]) || !isB64(parts[3]) {
		return h, false
	}
	enc := b64()
	salt, err := enc.DecodeString(parts[2])
	if err != nil {
		return h, false
	}
	key, err := enc.DecodeString(parts[3])
	if err != nil {
		return h, false
	}
	h = argon2Hash{
		params: Params{
			Memory:  uint32(m),
			Time:    uint32(t),
			Threads: uint8(p),
			SaltLen: uint32(len(salt)),
			KeyLen:  uint32(len(key)),
		},
		salt: salt,
		key:  key,
	}
	// The ranges bound the work a stored hash can ask for, and rule out the
	// values for which argon2 would panic (zero time or threads).
	if !h.params.inRange() {
		return argon2Hash{}, false
	}
	return h, true
}

// isB64 reports whether s uses only the standard base64 alphabet.
func isB64(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c == '+' || c == '/' || isASCIIAlnum(rune(c))) {
			return false
		}
	}
	return true
}

// cutUint parses "<prefix><digits>" where digits is a canonical decimal
// number (no sign, no leading zero, at most 10 digits).
func cutUint(s, prefix string) (uint64, bool) {
	digits, found := strings.CutPrefix(s, prefix)
	if !found || digits == "" || len(digits) > 10 || (len(digits) > 1 && digits[0] == '0') {
		return 0, false
	}
	for i := 0; i < len(digits); i++ {
		if digits[i] < '0' || digits[i] > '9' {
			return 0, false
		}
	}
	n, err := strconv.ParseUint(digits, 10, 64)
	return n, err == nil
}
