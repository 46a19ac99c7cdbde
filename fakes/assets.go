package fakes

import (
	"context"
	"fmt"
	"log/slog"
	"sync"

	"github.com/accountsec/accountsec/account"
	"github.com/accountsec/accountsec/internal/redact"
	"github.com/accountsec/accountsec/protection"
	"github.com/accountsec/accountsec/recovery"
)

// Compile-time checks that the fakes implement the interfaces they stand
// for.
var (
	_ recovery.AssetDirectory       = (*Assets)(nil)
	_ recovery.IdentityFaceVerifier = (*IdentityFaces)(nil)
)

// Assets is a host's resource inventory: it implements
// recovery.AssetDirectory from a table of (kind, value) → account ID. The
// zero Assets is empty and ready. It is safe for concurrent use.
type Assets struct {
	mu     sync.Mutex
	owners map[recovery.AssetKind]map[string]string
	calls  int
	fail   error
}

// Set records that the account owns the asset (value in its normal form).
func (a *Assets) Set(kind recovery.AssetKind, value, accountID string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.owners == nil {
		a.owners = make(map[recovery.AssetKind]map[string]string)
	}
	if a.owners[kind] == nil {
		a.owners[kind] = make(map[string]string)
	}
	a.owners[kind][value] = accountID
}

// FailWith makes every later Owner fail with err (nil restores it).
func (a *Assets) FailWith(err error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.fail = err
}

// Calls returns how many times Owner was called.
func (a *Assets) Calls() int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.calls
}

// Owner returns the account set for the asset, or "".
func (a *Assets) Owner(_ context.Context, kind recovery.AssetKind, value string) (string, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.calls++
	if a.fail != nil {
		return "", a.fail
	}
	return a.owners[kind][value], nil
}

// IdentityFaces stands for the host's face check of a person by name and
// identity number: it implements recovery.IdentityFaceVerifier. Each start
// returns a new ticket ("face-1", "face-2", …) that stays pending until the
// test calls Confirm or Reject. The zero IdentityFaces is ready. It is safe
// for concurrent use.
type IdentityFaces struct {
	mu      sync.Mutex
	n       int
	tickets map[string]protection.HostResult
	people  map[string]string
	fail    error
}

// StartIdentityFace begins a face check of the person.
func (v *IdentityFaces) StartIdentityFace(_ context.Context, p account.PersonalIdentity) (protection.HostChallenge, error) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.fail != nil {
		return protection.HostChallenge{}, v.fail
	}
	v.n++
	t := fmt.Sprintf("face-%d", v.n)
	if v.tickets == nil {
		v.tickets, v.people = make(map[string]protection.HostResult), make(map[string]string)
	}
	v.tickets[t] = protection.HostPending
	v.people[t] = p.Name + "\x00" + p.IDNumber
	return protection.HostChallenge{Ticket: t, URL: "https://verify.example.com/identity/" + t}, nil
}

// IdentityFaceResult reports the face check's state; an unknown ticket is
// rejected.
func (v *IdentityFaces) IdentityFaceResult(_ context.Context, ticket string) (protection.HostResult, error) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.fail != nil {
		return protection.HostPending, v.fail
	}
	r, ok := v.tickets[ticket]
	if !ok {
		return protection.HostRejected, nil
	}
	return r, nil
}

// Confirm marks the ticket as answered by the right person.
func (v *IdentityFaces) Confirm(ticket string) { v.set(ticket, protection.HostConfirmed) }

// Reject marks the ticket as answered by someone else.
func (v *IdentityFaces) Reject(ticket string) { v.set(ticket, protection.HostRejected) }

// LastTicket returns the newest ticket, or "".
func (v *IdentityFaces) LastTicket() string {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.n == 0 {
		return ""
	}
	return fmt.Sprintf("face-%d", v.n)
}

// FailWith makes every later call fail with err (nil restores them).
func (v *IdentityFaces) FailWith(err error) {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.fail = err
}

func (v *IdentityFaces) set(ticket string, r protection.HostResult) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if _, ok := v.tickets[ticket]; ok {
		v.tickets[ticket] = r
	}
}

// assetsName and identityFacesName are what the fakes print as: an
// inventory names accounts, and a face check holds identity numbers.
const (
	assetsName        redact.Opaque = "fakes.Assets"
	identityFacesName redact.Opaque = "fakes.IdentityFaces"
)

// String names the Assets without its contents.
func (a *Assets) String() string { return assetsName.String() }

// GoString names the Assets without its contents.
func (a *Assets) GoString() string { return assetsName.GoString() }

// Format prints the name for every verb.
func (a *Assets) Format(f fmt.State, verb rune) { assetsName.Format(f, verb) }

// LogValue logs the name only.
func (a *Assets) LogValue() slog.Value { return assetsName.LogValue() }

// String names the IdentityFaces without its contents.
func (v *IdentityFaces) String() string { return identityFacesName.String() }

// GoString names the IdentityFaces without its contents.
func (v *IdentityFaces) GoString() string { return identityFacesName.GoString() }

// Format prints the name for every verb.
func (v *IdentityFaces) Format(f fmt.State, verb rune) { identityFacesName.Format(f, verb) }

// LogValue logs the name only.
func (v *IdentityFaces) LogValue() slog.Value { return identityFacesName.LogValue() }
