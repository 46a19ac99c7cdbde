// Package protection is the account's guard: identity verification, the
// login flow with login protection and remote-login protection, trusted
// devices, sessions and operation protection (docs/RULES.md §7, and the identity
// verification that §4–§9 ask for).
//
// One [Manager] does it all. The host supplies a [Store] (any store of
// the state primitives: memstore, pgstore, redisstore), its accounts ([Accounts],
// [Credentials]), a password verifier (*password.Hasher), a
// [limits.Limiter], and the verifiers it has: [CodeSender] (*notify.Codes)
// for SMS and email codes, [MFAVerifier], [WeChatScanner], [FaceVerifier],
// and a [GeoLocator]. A method whose verifier is missing is unavailable,
// and a method the account does not have (no MFA device, no security
// phone, …) can never be chosen.
//
// # Login
//
//	res, err := m.Login(ctx, protection.LoginRequest{Login: email, Password: pw, ClientIP: ip, DeviceToken: cookie})
//	// err: ErrWrongCredentials, *limits.LockedError, or a store error
//	if res.Pending != nil { // login or remote-login protection asks for more
//		c, err := m.StartLoginChallenge(ctx, res.Pending.Token, "", ip) // sends the SMS code, …
//		// … the user types the code …
//		res, err = m.CompleteLogin(ctx, protection.CompleteRequest{
//			PendingToken: res.Pending.Token, Challenge: c.ID, Answer: code, TrustDevice: true,
//		})
//	}
//	// res.Token goes to a Secure, HttpOnly cookie; res.DeviceToken, when set,
//	// to a long-lived one.
//
// The order is fixed: a failure slot of the account (AccountLockScope; of
// the identifier when it names no account) is reserved before the password
// is hashed (so parallel guesses never compute more hashes than the limit),
// then the password, then the account's lock, then remote-login
// protection, then login protection unless the device is trusted or a
// WeChat login already was the WeChat scan it asks for. A locked account
// starts no session by any login method. A failed second step
// counts on its own (VerifyScope) and never resets the password failures.
// A pending login is a random token stored only as a hash; only
// CompleteLogin finishes it, and it is consumed in one atomic step.
//
// # Every request
//
//	s, err := m.ValidateSession(ctx, token) // one read; a write at most once a minute
//	ctx = protection.WithSession(ctx, s)   // for identity gates of other packages
//
// # Sensitive operations
//
//	p, err := m.Authorize(ctx, s, protection.OpChangeSecurityPhone)
//	var vr *protection.VerificationRequiredError
//	if errors.As(err, &vr) { // verify by vr.Methods[0] or an alternative
//		c, _ := m.StartVerification(ctx, protection.StartRequest{AccountID: s.AccountID, Binding: s.Binding(), Purpose: vr.Purpose, Method: vr.Methods[0]})
//		_, err = m.AnswerVerification(ctx, protection.AnswerRequest{AccountID: s.AccountID, Binding: s.Binding(), Purpose: vr.Purpose, Challenge: c.ID, Answer: code})
//		// now s holds a 30-minute step-up
//		p, err = m.Authorize(ctx, s, protection.OpChangeSecurityPhone)
//	}
//	// p is the proof the guarded method takes; it is valid for ProofTTL.
//	_, err = accounts.SendSecurityPhoneCode(ctx, p, s.AccountID, phone, clientIP)
//
// Authorize returns a [vocab.Proof] of the operation for the session's
// account; every exported method of the library that makes a sensitive
// change (packages account, mfa and lifecycle) takes it right after the
// context and refuses a zero proof, one for another account or operation,
// or an expired one, with *VerificationRequiredError and no change. For a host
// operation of the catalog the host checks the proof itself
// (p.Valid(accountID, operation, now)) or simply Authorize's error.
//
// While the account is cancelling (package lifecycle, docs/RULES.md §9),
// Authorize refuses every operation that is neither an account-centre
// ([Operation].AccountCentre, every built-in one) nor a billing one
// (Billing) with ErrAccountRestricted; logins still work.
//
// A step-up is bound to its session (never shared with another), lasts
// Policy.StepUpTTL from the verification (activity does not renew it), and
// ends with the session and with SignOutAll. The account-centre operations
// are built into every [Catalog]; the host registers its own on a catalog
// value it passes in [Config]. ChangeSettings and SignOutAll call Authorize
// themselves.
//
// [Manager.Verified] and [Manager.VerifiedFor] return the proof for a flow
// outside a session, after a verification bound to the flow's binding: the
// password reset (package recovery) verifies with the reset's binding and
// passes the proof of OpResetPassword to account.Service.ResetPassword.
//
// # Sessions
//
// Tokens are 256 random bits; the store keeps only their SHA-256 hash. A
// session lives until the first of its absolute lifetime and its idle
// timeout, both copied from the account's settings at login (so a change
// applies from the next login); see [Session] for the write throttling.
// SignOutAll (after identity verification) and EndOtherSessions (after a
// password change or reset, an MFA change, a cancellation) end sessions in
// one store write whatever their number.
//
// # Remote-login protection
//
// Usual cities are learned only from successful logins: a city is usual
// when it is one of the last Policy.UsualCities (5) distinct cities of
// successful logins within Policy.UsualCityWindow (90 days). An unknown
// city is never usual; an account with no history yet is not challenged on
// its first login from a known city.
//
// # Failing closed
//
// Every store failure is a reason.StoreUnavailable error, distinct from
// ErrWrongCredentials and the other refusals, and leaves no session, no
// grant and no trusted device. Every decision is reported as an event
// (package event) that never carries a password, code, token or ticket.
package protection
