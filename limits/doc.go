// Package limits holds the quota table of the console, the attempt limiter
// behind lockout and the send-rate limiter for verification codes.
//
// [Policy] is the table of docs/RULES.md §1 (accounts per email, phone, WeChat, …,
// the real-name change interval, the lockout and the send rates). Its zero
// value means the console defaults; [Policy.Resolve] fills them in and
// validates every field.
//
// [Limiter] counts failures per subject. Its budget is reserved atomically
// before the expensive check (a password hash, a TOTP check) and given back
// on success, so N concurrent wrong attempts are never evaluated more than
// the limit allows:
//
//	lim, _ := limits.NewLimiter(limits.Config{Store: store, Secret: key}, limits.Lockout{})
//	ok, err := lim.Do(ctx, "login", email, func(ctx context.Context) (bool, error) {
//		return hasher.Verify(ctx, typed, stored) // only runs when a slot was reserved
//	})
//
// Ending an attempt does not depend on the caller's context: a request
// that is cancelled or runs past its deadline still gives its reservation
// back (under context.WithoutCancel, bounded by [EndTimeout]), and a check
// that fails because its context died is no answer, never a wrong one.
//
// [SendLimiter] limits how often codes go to one destination and one IP.
//
// Subjects are normalised (trimmed, lower-cased) and turned into keyed
// hashes (HMAC-SHA-256 with the host's secret) before they reach the
// [CounterStore], so a store never holds phone numbers or emails.
package limits
