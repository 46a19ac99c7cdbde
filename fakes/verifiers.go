package fakes

import (
	"context"
	"fmt"
	"sync"

	"github.com/accountsec/accountsec/protection"
	"github.com/accountsec/accountsec/reason"
)

// Compile-time checks that the fakes implement the interfaces they stand
// for.
var (
	_ protection.WeChatScanner = (*HostVerifier)(nil)
	_ protection.FaceVerifier  = (*HostVerifier)(nil)
	_ protection.MFAVerifier   = (*MFA)(nil)
)

// HostVerifier stands for the host's WeChat-scan and face verification: it
// implements protection.WeChatScanner and protection.FaceVerifier. Each
// start returns a new ticket ("ticket-1", "ticket-2", …) that stays pending
// until the test calls Confirm or Reject. The zero HostVerifier is ready. It
// is safe for concurrent use.
type HostVerifier struct {
	mu      sync.Mutex
	n       int
	tickets map[string]hostTicket
	fail    error
}

type hostTicket struct {
	accountID string
	kind      string
	result    protection.HostResult
}

// StartScan begins a WeChat scan for the account.
func (v *HostVerifier) StartScan(_ context.Context, accountID string) (protection.HostChallenge, error) {
	return v.start(accountID, "wechat")
}

// ScanResult reports the scan's state.
func (v *HostVerifier) ScanResult(_ context.Context, accountID, ticket string) (protection.HostResult, error) {
	return v.result(accountID, "wechat", ticket)
}

// StartFace begins a face verification for the account.
func (v *HostVerifier) StartFace(_ context.Context, accountID string) (protection.HostChallenge, error) {
	return v.start(accountID, "face")
}

// FaceResult reports the face verification's state.
func (v *HostVerifier) FaceResult(_ context.Context, accountID, ticket string) (protection.HostResult, error) {
	return v.result(accountID, "face", ticket)
}

// Confirm marks the ticket as confirmed by the right person.
func (v *HostVerifier) Confirm(ticket string) { v.set(ticket, protection.HostConfirmed) }

// Reject marks the ticket as answered by the wrong person.
func (v *HostVerifier) Reject(ticket string) { v.set(ticket, protection.HostRejected) }

// LastTicket returns the newest ticket, or "".
func (v *HostVerifier) LastTicket() string {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.n == 0 {
		return ""
	}
	return fmt.Sprintf("ticket-%d", v.n)
}

// FailWith makes every later call fail with err (nil restores them).
func (v *HostVerifier) FailWith(err error) {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.fail = err
}

func (v *HostVerifier) start(accountID, kind string) (protection.HostChallenge, error) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.fail != nil {
		return protection.HostChallenge{}, v.fail
	}
	v.n++
	t := fmt.Sprintf("ticket-%d", v.n)
	if v.tickets == nil {
		v.tickets = make(map[string]hostTicket)
	}
	v.tickets[t] = hostTicket{accountID: accountID, kind: kind}
	return protection.HostChallenge{Ticket: t, URL: "https://verify.example.com/" + kind + "/" + t}, nil
}

func (v *HostVerifier) result(accountID, kind, ticket string) (protection.HostResult, error) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.fail != nil {
		return protection.HostPending, v.fail
	}
	t, ok := v.tickets[ticket]
	if !ok || t.accountID != accountID || t.kind != kind {
		return protection.HostRejected, nil
	}
	return t.result, nil
}

func (v *HostVerifier) set(ticket string, r protection.HostResult) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if t, ok := v.tickets[ticket]; ok {
		t.result = r
		v.tickets[ticket] = t
	}
}

// MFA stands for an MFA verifier: it implements protection.MFAVerifier and
// accepts, for each account, the code set with SetCode exactly once (a
// second use is refused as replayed, as the mfa package does). Wrong codes
// are reason.MFAMismatch errors. The zero MFA is ready. It is safe for
// concurrent use.
type MFA struct {
	mu    sync.Mutex
	codes map[string]string
	used  map[string]bool
	fail  error
}

// SetCode makes code the account's current code.
func (f *MFA) SetCode(accountID, code string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.codes == nil {
		f.codes, f.used = make(map[string]string), make(map[string]bool)
	}
	f.codes[accountID] = code
	f.used[accountID] = false
}

// FailWith makes every later Verify fail with err (nil restores it).
func (f *MFA) FailWith(err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.fail = err
}

// Verify accepts the account's current code once.
func (f *MFA) Verify(_ context.Context, accountID, code string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	switch {
	case f.fail != nil:
		return f.fail
	case f.codes[accountID] == "":
		return reason.New(reason.MFANotBound)
	case len(code) != 6:
		return reason.New(reason.MFAMalformed).With("digits", 6)
	case code != f.codes[accountID]:
		return reason.New(reason.MFAMismatch).With("remaining", 0)
	case f.used[accountID]:
		return reason.New(reason.MFAReplayed).With("remaining", 0)
	}
	f.used[accountID] = true
	return nil
}
