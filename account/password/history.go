package password

import "context"

// InHistory reports whether pw matches one of the first n hashes of previous.
// previous holds the stored hashes most recent first, the current
// password's hash included (as [PushHistory] keeps them), so with n =
// Policy.History a new password must differ from the current one and the
// n-1 before it. n <= 0 reports false without work.
//
// It verifies one hash after another and stops at the first match, so it
// costs up to n hash computations. A malformed stored hash is an error
// (reason.PasswordHashMalformed), not a silent pass. On a match the caller
// reports [ErrReused] with the policy's History.
func (h *Hasher) InHistory(ctx context.Context, pw string, previous []string, n int) (bool, error) {
	if n <= 0 {
		return false, nil
	}
	if len(pw) > h.maxBytes {
		return false, ErrTooLarge.With("max_bytes", h.maxBytes)
	}
	for _, encoded := range previous[:min(n, len(previous))] {
		ok, _, err := h.Verify(ctx, pw, encoded)
		if err != nil {
			return false, err
		}
		if ok {
			return true, nil
		}
	}
	return false, nil
}

// PushHistory returns the history after a password change: newHash first,
// then the most recent of previous, n entries at most. previous is not
// modified. n <= 0 returns nil (no history kept).
func PushHistory(previous []string, newHash string, n int) []string {
	if n <= 0 {
		return nil
	}
	out := make([]string, 0, n)
	out = append(out, newHash)
	return append(out, previous[:min(n-1, len(previous))]...)
}
