package recovery

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/accountsec/accountsec/account"
	"github.com/accountsec/accountsec/internal/redact"
)

// Completed is the result of a completed reset.
type Completed struct {
	// Account is the account, with its new password.
	Account account.Account
	// LockedUntil is when the account's login lock ends, when its login is
	// locked: a reset does not lift the lock (docs/RULES.md §1), so the
	// user learns when the new password starts to work. Zero when not
	// locked (or when the lock could not be read).
	LockedUntil time.Time
}

// LockReader reads an account's login lock; *account.Service implements
// it.
type LockReader interface {
	// LoginLockedUntil returns when the account's login lock ends, zero
	// when not locked.
	LoginLockedUntil(ctx context.Context, id string) (time.Time, error)
}

var _ LockReader = (*account.Service)(nil)

// completed is the result for the reset account a.
func (r *Resets) completed(ctx context.Context, a account.Account) Completed {
	out := Completed{Account: a}
	if l, ok := r.accounts.(LockReader); ok {
		if until, err := l.LoginLockedUntil(ctx, a.ID); err == nil && until.After(r.now()) {
			out.LockedUntil = until
		}
	}
	return out
}

var completedSpec = redact.New[Completed]()

// String describes the Completed, the account's secrets redacted.
func (c Completed) String() string { return completedSpec.String(c) }

// GoString is the %#v form of the Completed, secrets redacted.
func (c Completed) GoString() string { return completedSpec.GoString(c) }

// Format prints the Completed for every verb of fmt, secrets redacted.
func (c Completed) Format(f fmt.State, verb rune) { completedSpec.Print(f, verb, c) }

// LogValue logs the Completed as a group of its fields, secrets redacted.
func (c Completed) LogValue() slog.Value { return completedSpec.LogValue(c) }
