// Package password holds the password rules of accountsec: the policy a new
// password must meet, hashing and verification, password history and
// rotation advice.
//
// A [Policy] says what a password must look like. The zero Policy is
// [Console], the rules of the console account centre (8–20 characters with
// an uppercase letter, a lowercase letter, a digit and a punctuation mark, no
// white space, not a common password, different from the last 3, rotation
// advised after 90 days); [NIST] follows NIST SP 800-63B (15–128
// characters, no composition rules, common and repetitive passwords
// refused). Every zero field of a Policy means the console's value, and a
// console rule goes only when a field named for it says so (UpperOptional,
// NoBlocklist, NoHistory, …), so Policy{MinLength: 12, MaxLength: 64} keeps
// all the others. [Policy.Check] reports every broken rule at once as a
// reason.List of stable codes such as "password.too_short", which a host
// shows in its own language.
//
// The common-password list is embedded. Besides the most frequent entries
// of breach corpora it holds some nine thousand passwords that pass the
// console composition and top Chinese and international leaks
// ("Admin@123", "P@ssw0rd", "Aa123456.", "Woaini@1314"); it is compared
// case-insensitively.
//
// A [Hasher] stores passwords as argon2id in PHC string format at the OWASP
// parameters, verifies argon2id and bcrypt hashes (asking for a rehash when
// the stored one is bcrypt or uses other parameters), caps the input size
// before any hashing, bounds the number of hashes computing at once, and
// offers [Hasher.VerifyDummy] so that a login to an unknown account costs
// the same as to a known one.
//
// Setting a new password:
//
//	policy := password.Console() // or the host's policy, validated and Resolved
//	h, err := password.NewHasher(password.HasherConfig{})
//	...
//	if err := policy.Check(newPW); err != nil {
//		return err // reason.List: show every code to the user
//	}
//	reused, err := h.InHistory(ctx, newPW, acct.History, policy.History)
//	if err != nil {
//		return err
//	}
//	if reused {
//		return password.ErrReused.With("history", policy.History)
//	}
//	hash, err := h.Hash(ctx, newPW)
//	if err != nil {
//		return err
//	}
//	acct.History = password.PushHistory(acct.History, hash, policy.History)
//	acct.PasswordHash, acct.ChangedAt = hash, now
//
// Logging in (after reserving the lockout budget):
//
//	if acct == nil {
//		_, err := h.VerifyDummy(ctx, pw) // same work, always false
//		...
//	}
//	ok, rehash, err := h.Verify(ctx, pw, acct.PasswordHash)
//	if ok && rehash {
//		newHash, err := h.Hash(ctx, pw) // migrate bcrypt or old parameters
//		...
//	}
//	advise := password.RotationDue(policy, acct.ChangedAt, now)
//
// Passwords never appear in errors: messages carry only limits.
//
// Passwords are compared byte for byte; no Unicode normalisation is applied,
// so a host that wants "é" typed as one code point or as two to match must
// normalise (NFKC, as NIST advises) before calling this package.
package password
