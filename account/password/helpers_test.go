package password

import (
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/accountsec/accountsec/reason"
)

// newTestHasher returns a Hasher with cfg, using InsecureTestParams when
// cfg.Params is zero.
func newTestHasher(t testing.TB, cfg HasherConfig) *Hasher {
	t.Helper()
	if cfg.Params == (Params{}) {
		cfg.Params = InsecureTestParams()
	}
	h, err := NewHasher(cfg)
	require.NoError(t, err)
	return h
}

// kdfCall is what one KDF call was asked to do.
type kdfCall struct {
	Time, Memory uint32
	Threads      uint8
	KeyLen       uint32
	SaltLen      int
}

// kdfRecorder wraps a Hasher's KDF and records every call.
type kdfRecorder struct {
	mu    sync.Mutex
	calls []kdfCall
}

// record installs the recorder on h. Call it before h is shared.
func record(h *Hasher) *kdfRecorder {
	r := &kdfRecorder{}
	next := h.kdf
	h.kdf = func(pw, salt []byte, time, memory uint32, threads uint8, keyLen uint32) []byte {
		r.mu.Lock()
		r.calls = append(r.calls, kdfCall{Time: time, Memory: memory, Threads: threads, KeyLen: keyLen, SaltLen: len(salt)})
		r.mu.Unlock()
		return next(pw, salt, time, memory, threads, keyLen)
	}
	return r
}

// take returns the calls recorded so far and forgets them.
func (r *kdfRecorder) take() []kdfCall {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := r.calls
	r.calls = nil
	return out
}

// reasons returns the reason-coded members of err (a List or a single Error).
func reasons(t testing.TB, err error) []*reason.Error {
	t.Helper()
	var list reason.List
	if errors.As(err, &list) {
		return list
	}
	var one *reason.Error
	require.ErrorAs(t, err, &one)
	return []*reason.Error{one}
}

// codes returns the codes of err, in order.
func codes(err error) []reason.Code { return reason.Codes(err) }

// policyFields maps each PolicyInvalid field of err to its value and allowed range.
func policyFields(t testing.TB, err error) map[string][2]string {
	t.Helper()
	out := map[string][2]string{}
	for _, e := range reasons(t, err) {
		require.Equal(t, reason.PolicyInvalid, e.Code)
		field, _ := e.Params["field"].(string)
		value, _ := e.Params["value"].(string)
		allowed, _ := e.Params["allowed"].(string)
		out[field] = [2]string{value, allowed}
	}
	return out
}

// leaks reports whether err's message shows pw. A message is fully
// determined by its codes and the policy's limits, so pw may appear only
// when it is text that the same messages, rebuilt from codes and limits
// alone, contain anyway (a password such as "password" or "characters").
func leaks(p Policy, pw string, err error) bool {
	if err == nil || len(pw) < 4 || !strings.Contains(err.Error(), pw) {
		return false
	}
	p = p.Resolved()
	limits := map[string]any{"min": p.MinLength, "max": p.MaxLength, "max_bytes": p.MaxBytes, "history": p.History}
	var ref reason.List
	for _, c := range reason.Codes(err) {
		ref = append(ref, &reason.Error{Code: c, Params: limits})
	}
	return !strings.Contains(ref.Error(), pw)
}
