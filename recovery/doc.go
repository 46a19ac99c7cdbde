// Package recovery lets users regain access to their accounts. It holds the
// forgotten-password reset of docs/RULES.md §3; finding a forgotten account and the
// login appeals of docs/RULES.md §8 belong here too.
//
// # Password reset
//
// The user gives the login email; the library emails a single-use reset
// token; the user sets a new password (the same policy as a change, the
// confirmation must match) and passes identity verification; the password
// is replaced and every session of the account ends.
//
// The token is 256 random bits, sent as 43 characters of unpadded base64url
// in [notify.Message.Code] (Purpose [notify.PurposeResetPassword]); the host
// builds the link from it, preferably with the token in the URL fragment or
// a POST body rather than the query string, which servers log. It is stored
// only as a keyed hash, bound to the account, valid for ResetPolicy.TTL
// (default 30 minutes) and consumed exactly once. A newer request for the
// account replaces the older token.
//
// Typical use (the verification is protection's, bound to the reset by
// PendingReset.Binding):
//
//	resets, err := recovery.NewResets(recovery.ResetConfig{Store: st, Accounts: accounts, Email: mailer,
//		Gate: sendLimiter, Verifier: verifier, Sessions: protectionManager, Secret: key})
//
//	// 1. "Forgot password": the same answer whether or not the email is known.
//	err = resets.Request(ctx, email, clientIP)
//
//	// 2. The user opens the link: check the token without spending it.
//	p, err := resets.Lookup(ctx, token) // p.AccountID, p.Binding
//
//	// 3. The user types the new password twice. Complete checks it, then
//	//    asks the Verifier; until the user is verified it returns the
//	//    Verifier's error (for protection, *protection.VerificationRequiredError)
//	//    and the token stays valid.
//	_, err = resets.Complete(ctx, recovery.Completion{Token: token, New: pw, Confirm: pw2})
//
//	// 4. Identity verification bound to the reset:
//	c, err := pm.StartVerification(ctx, protection.StartRequest{AccountID: p.AccountID,
//		Binding: p.Binding, Purpose: recovery.PurposeResetPassword})
//	_, err = pm.AnswerVerification(ctx, protection.AnswerRequest{AccountID: p.AccountID,
//		Binding: p.Binding, Purpose: recovery.PurposeResetPassword, Challenge: c.ID, Answer: code})
//
//	// 5. Submit again: the password is replaced and every session ends.
//	a, err := resets.Complete(ctx, recovery.Completion{Token: token, New: pw, Confirm: pw2})
//
// Complete checks everything that can fail for the user (the token's form,
// the password policy and confirmation, the token's validity, identity
// verification, the account's password history) before it consumes the
// token, so a typo or a refused verification never spends it; it then
// consumes the token atomically and writes the password in one
// version-checked update. Of any number of concurrent submissions of one
// token, exactly one resets the password.
package recovery
