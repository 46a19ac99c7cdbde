package protection

import (
	"cmp"
	"maps"
	"slices"
	"unicode/utf8"

	"github.com/accountsec/accountsec/reason"
	"github.com/accountsec/accountsec/vocab"
)

// The sensitive operations of the account centre (docs/RULES.md §7), built
// into every [Catalog]. They are the names of package vocab.
const (
	// OpBindMFA is [vocab.OpBindMFA].
	OpBindMFA = vocab.OpBindMFA
	// OpUnbindMFA is [vocab.OpUnbindMFA].
	OpUnbindMFA = vocab.OpUnbindMFA
	// OpBindLoginMethod is [vocab.OpBindLoginMethod].
	OpBindLoginMethod = vocab.OpBindLoginMethod
	// OpChangeLoginMethod is [vocab.OpChangeLoginMethod].
	OpChangeLoginMethod = vocab.OpChangeLoginMethod
	// OpUnbindLoginMethod is [vocab.OpUnbindLoginMethod].
	OpUnbindLoginMethod = vocab.OpUnbindLoginMethod
	// OpViewAPIKey is [vocab.OpViewAPIKey].
	OpViewAPIKey = vocab.OpViewAPIKey
	// OpChangeLoginProtection is [vocab.OpChangeLoginProtection].
	OpChangeLoginProtection = vocab.OpChangeLoginProtection
	// OpChangeOperationProtection is [vocab.OpChangeOperationProtection].
	OpChangeOperationProtection = vocab.OpChangeOperationProtection
	// OpChangeRemoteLogin is [vocab.OpChangeRemoteLogin].
	OpChangeRemoteLogin = vocab.OpChangeRemoteLogin
	// OpChangeSessionSettings is [vocab.OpChangeSessionSettings].
	OpChangeSessionSettings = vocab.OpChangeSessionSettings
	// OpChangeProtection is [vocab.OpChangeProtection].
	OpChangeProtection = vocab.OpChangeProtection
	// OpApplyCancellation is [vocab.OpApplyCancellation].
	OpApplyCancellation = vocab.OpApplyCancellation
	// OpSignOutAll is [vocab.OpSignOutAll].
	OpSignOutAll = vocab.OpSignOutAll
	// OpChangeSecurityPhone is [vocab.OpChangeSecurityPhone].
	OpChangeSecurityPhone = vocab.OpChangeSecurityPhone
	// OpChangeSecurityEmail is [vocab.OpChangeSecurityEmail].
	OpChangeSecurityEmail = vocab.OpChangeSecurityEmail
	// OpChangeLoginEmail is [vocab.OpChangeLoginEmail].
	OpChangeLoginEmail = vocab.OpChangeLoginEmail
	// OpChangePassword is [vocab.OpChangePassword].
	OpChangePassword = vocab.OpChangePassword
	// OpResetPassword is [vocab.OpResetPassword].
	OpResetPassword = vocab.OpResetPassword
)

// MaxOperationBytes is the longest operation name a catalog accepts.
const MaxOperationBytes = 64

// Operation is a sensitive operation.
type Operation struct {
	// Name identifies the operation ("delete_bucket"): 1 to
	// MaxOperationBytes bytes of lower-case ASCII letters, digits, '_', '.',
	// '-' and ':'.
	Name string
	// AlwaysVerify makes the operation need identity verification even
	// when the account's operation protection is None. The account-centre
	// operations that docs/RULES.md introduces with "identity verification first"
	// have it; operations without it are protected only when operation
	// protection is on.
	AlwaysVerify bool
	// AccountCentre marks an operation of the account centre: every
	// operation built into the catalog has it (NewCatalog sets it), and a
	// host may set it on its own account-centre pages. A cancelling
	// account may still perform it (docs/RULES.md §9).
	AccountCentre bool
	// Billing marks a host operation of billing (paying a bill, settling
	// a postpaid resource), which a cancelling account may still perform.
	Billing bool
}

// builtin is the account-centre catalog.
var builtin = []Operation{
	{Name: OpBindMFA, AlwaysVerify: true},
	{Name: OpUnbindMFA, AlwaysVerify: true},
	{Name: OpBindLoginMethod, AlwaysVerify: true},
	{Name: OpChangeLoginMethod, AlwaysVerify: true},
	{Name: OpUnbindLoginMethod, AlwaysVerify: true},
	{Name: OpViewAPIKey},
	{Name: OpChangeLoginProtection, AlwaysVerify: true},
	{Name: OpChangeOperationProtection, AlwaysVerify: true},
	{Name: OpChangeRemoteLogin, AlwaysVerify: true},
	{Name: OpChangeSessionSettings, AlwaysVerify: true},
	{Name: OpChangeProtection, AlwaysVerify: true},
	{Name: OpApplyCancellation, AlwaysVerify: true},
	{Name: OpSignOutAll, AlwaysVerify: true},
	{Name: OpChangeSecurityPhone, AlwaysVerify: true},
	{Name: OpChangeSecurityEmail, AlwaysVerify: true},
	{Name: OpChangeLoginEmail},
	{Name: OpChangePassword},
	{Name: OpResetPassword, AlwaysVerify: true},
}

// Catalog is a set of sensitive operations: the account-centre ones and
// those the host registers. There is no global catalog: build one, register
// the host's operations, and pass it in [Config]; the Manager keeps its own
// copy, so registering later does not change a running Manager. A Catalog is
// not safe for concurrent Register calls.
type Catalog struct {
	ops map[string]Operation
	// builtins is true when ops holds the built-in operations (NewCatalog
	// made it), which Lookup then finds through builtinSlot first.
	builtins bool
}

// NewCatalog returns a catalog of the account-centre operations plus ops.
func NewCatalog(ops ...Operation) (*Catalog, error) {
	c := &Catalog{ops: make(map[string]Operation, len(builtin)+len(ops)), builtins: true}
	for _, op := range builtin {
		op.AccountCentre = true
		c.ops[op.Name] = op
	}
	if err := c.Register(ops...); err != nil {
		return nil, err
	}
	return c, nil
}

// Register adds the host's operations. A malformed name is
// reason.InputMalformed, a name already present ErrOperationExists; then
// nothing is added.
func (c *Catalog) Register(ops ...Operation) error {
	seen := make(map[string]bool, len(ops))
	for _, op := range ops {
		if !validOpName(op.Name) {
			return reason.New(reason.InputMalformed).With("field", "operation")
		}
		if _, dup := c.ops[op.Name]; dup || seen[op.Name] {
			return ErrOperationExists.With("operation", op.Name)
		}
		seen[op.Name] = true
	}
	for _, op := range ops {
		c.ops[op.Name] = op
	}
	return nil
}

// Lookup returns the operation called name.
func (c *Catalog) Lookup(name string) (Operation, bool) {
	// A built-in operation is never replaced (Register refuses its name),
	// so it is found without hashing name for the map.
	if c.builtins {
		if i := builtinSlots[builtinSlot(name, builtinMul)]; i > 0 && builtinOps[i-1].Name == name {
			return builtinOps[i-1], true
		}
	}
	op, ok := c.ops[name]
	return op, ok
}

// builtinOps is builtin as every catalog holds it.
var builtinOps = func() []Operation {
	out := slices.Clone(builtin)
	for i := range out {
		out[i].AccountCentre = true
	}
	return out
}()

// builtinSlotBits is the size (in bits) of the table of built-in
// operations' slots.
const builtinSlotBits = 7

// builtinSlot returns the slot of name in builtinSlots under the multiplier
// mul: a mix of its length and three of its bytes. It reads no byte beyond
// name.
func builtinSlot(name string, mul uint32) uint32 {
	n := len(name)
	if n == 0 {
		return 0
	}
	v := uint32(n)<<24 | uint32(name[0])<<16 | uint32(name[n/2])<<8 | uint32(name[n-1])
	return (v * mul) >> (32 - builtinSlotBits)
}

// builtinMul and builtinSlots make builtinSlot a perfect hash of the
// built-in operations' names: builtinSlots holds 1 + the index in builtinOps
// of the operation in each slot, 0 for none. The multiplier is the first
// odd number for which no two names share a slot; with none (never the case
// for the names of package vocab), every slot is 0 and Lookup uses the map.
var builtinMul, builtinSlots = func() (uint32, [1 << builtinSlotBits]uint8) {
	for mul := uint32(0x9e3779b1); mul < 0x9e3779b1+2*4096; mul += 2 {
		var t [1 << builtinSlotBits]uint8
		ok := true
		for i, op := range builtinOps {
			j := builtinSlot(op.Name, mul)
			if t[j] != 0 {
				ok = false
				break
			}
			t[j] = uint8(i + 1)
		}
		if ok {
			return mul, t
		}
	}
	return 0, [1 << builtinSlotBits]uint8{}
}()

// Operations returns every operation, sorted by name.
func (c *Catalog) Operations() []Operation {
	out := slices.Collect(maps.Values(c.ops))
	slices.SortFunc(out, func(a, b Operation) int { return cmp.Compare(a.Name, b.Name) })
	return out
}

// clone returns an independent copy.
func (c *Catalog) clone() *Catalog { return &Catalog{ops: maps.Clone(c.ops), builtins: c.builtins} }

func validOpName(s string) bool {
	if s == "" || len(s) > MaxOperationBytes || !utf8.ValidString(s) {
		return false
	}
	for i := 0; i < len(s); i++ {
		b := s[i]
		switch {
		case b >= 'a' && b <= 'z', b >= '0' && b <= '9', b == '_', b == '.', b == '-', b == ':':
		default:
			return false
		}
	}
	return true
}
