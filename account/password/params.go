package password

import (
	"strconv"

	"github.com/accountsec/accountsec/internal/policycheck"
	"github.com/accountsec/accountsec/reason"
)

// Params are the argon2id cost parameters. The zero Params means
// [DefaultParams]; to customise, start from DefaultParams and change fields.
//
// The ranges are wide enough to allow [InsecureTestParams] and hashes
// written by other systems; they are not a recommendation.
type Params struct {
	// Memory is the memory cost in KiB (8 KiB to 4 GiB). It must be at
	// least 8×Threads.
	Memory uint32 `validate:"min=8,max=4194304"`
	// Time is the number of passes over the memory.
	Time uint32 `validate:"min=1,max=100"`
	// Threads is the degree of parallelism.
	Threads uint8 `validate:"min=1,max=64"`
	// SaltLen is the length of the random salt in bytes.
	SaltLen uint32 `validate:"min=8,max=64"`
	// KeyLen is the length of the derived key in bytes.
	KeyLen uint32 `validate:"min=16,max=64"`
}

// DefaultParams returns the parameters of the OWASP Password Storage Cheat
// Sheet for argon2id: 19 MiB of memory, 2 passes, 1 thread, a 16-byte salt
// and a 32-byte key.
func DefaultParams() Params {
	return Params{Memory: 19 * 1024, Time: 2, Threads: 1, SaltLen: 16, KeyLen: 32}
}

// InsecureTestParams returns the cheapest parameters a Hasher accepts
// (8 KiB, 1 pass, 1 thread). They are for tests only: a hash made with them
// offers almost no protection. Other packages use them to get a fast
// Hasher in their tests:
//
//	h, err := password.NewHasher(password.HasherConfig{Params: password.InsecureTestParams()})
func InsecureTestParams() Params {
	return Params{Memory: 8, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}
}

// orDefault resolves the documented zero value.
func (p Params) orDefault() Params {
	if p == (Params{}) {
		return DefaultParams()
	}
	return p
}

// Validate reports whether p is usable, with reason.PolicyInvalid errors that
// name the field, its value and the allowed range. The zero Params means
// DefaultParams and is valid.
func (p Params) Validate() error {
	return p.orDefault().check("password.Params")
}

func (p Params) check(prefix string) error {
	var out reason.List
	if err := policycheck.Check(prefix, p); err != nil {
		out = appendReasons(out, err)
	}
	// argon2 silently raises a smaller memory to 8×Threads, which would make
	// the encoded m= differ from the work actually done.
	if need := 8 * uint32(p.Threads); len(out) == 0 && p.Memory < need {
		out = append(out, reason.New(reason.PolicyInvalid).
			With("field", prefix+".Memory").
			With("value", strconv.FormatUint(uint64(p.Memory), 10)).
			With("allowed", ">= 8×Threads ("+strconv.FormatUint(uint64(need), 10)+"), <= 4194304"))
	}
	return out.Err()
}
