// Package accountsec is the facade of the accountsec library: account
// security policy for services whose accounts own many resources, modelled on
// the account centre of a large public cloud console.
//
// New wires the domain packages together from one Config (the policies,
// every zero field meaning the console default) and one Deps (what the host
// supplies: a store, SMS and email senders, GeoIP, WeChat-scan and face
// verifiers, a resource checker, an asset directory, a WeCom host, an event
// hook, a clock):
//
//	svc, err := accountsec.New(accountsec.Config{Secret: key}, accountsec.Deps{SMS: sms, Email: mail})
//
//	// Register, then sign in: lockout before the hash, remote-login check,
//	// the second factor of login protection, a session.
//	acct, err := svc.Accounts.Register(ctx, account.Registration{…})
//	res, err := svc.Protection.Login(ctx, protection.LoginRequest{…})
//	sess, err := svc.Protection.ValidateSession(ctx, res.Token)
//
//	// Sensitive operations ask for identity verification; a success
//	// grants 30 minutes of step-up to that session only. Authorize then
//	// returns the proof that the guarded method takes after ctx.
//	p, err := svc.Protection.Authorize(ctx, sess, protection.OpChangeSecurityPhone)
//	// err: *protection.VerificationRequiredError → StartVerification,
//	// AnswerVerification, then Authorize again.
//	_, err = svc.Accounts.SendSecurityPhoneCode(ctx, p, sess.AccountID, phone, clientIP)
//	// The next request, with the code from the SMS: a proof lasts
//	// protection.ProofTTL, so each request asks Authorize again.
//	p, err = svc.Protection.Authorize(ctx, sess, protection.OpChangeSecurityPhone)
//	acct, err = svc.Accounts.ChangeSecurityPhone(ctx, p, sess.AccountID, phone, smsCode)
//
//	// Account-centre flows that span packages call Authorize themselves.
//	enr, err := svc.EnrolMFA(ctx, sess, "alice")
//	_, err = svc.EnableMFA(ctx, sess, enr.DeviceID, code, mfa.Usage{Login: true})
//	err = svc.ChangePassword(ctx, sess, account.PasswordChange{Old: old, New: pw, Confirm: pw})
//
//	// Forgotten password: a single-use link by email, identity verification
//	// bound to the reset (Protection.StartVerification with pending.Binding),
//	// then every session ends.
//	err = svc.Resets.Request(ctx, email, clientIP)
//	pending, err := svc.Resets.Lookup(ctx, token)
//	done, err := svc.Resets.Complete(ctx, recovery.Completion{Token: token, New: pw, Confirm: pw})
//
//	// Find a forgotten account (docs/RULES.md §8): the same answer whether
//	// or not anything matched; the information goes only to a verified
//	// channel.
//	_, err = svc.Find.FindByPhone(ctx, phone, clientIP)
//	started, err := svc.Find.Start(ctx, recovery.WayAccountID, accountID, clientIP)
//	_, err = svc.Find.VerifyPhone(ctx, started.Token, phone, clientIP)
//
//	// Every login method lost: svc.Appeals (a personally verified account)
//	// or svc.Enterprise (a company), step by step, then a person decides.
//	st, err := svc.Appeals.Start(ctx, recovery.AppealStart{…})
//	items, err := svc.Review.Pending(ctx)
//	_, err = svc.Review.Decide(ctx, recovery.Decision{ID: items[0].ID, Reviewer: "ops", Approve: true})
//
//	// Cancellation (docs/RULES.md §9): verified, then the resource check,
//	// cooling-off or review, and the account is deleted.
//	c, err := svc.ApplyCancellation(ctx, sess, lifecycle.Application{…})
//	report, err := svc.Cancellation.Check(ctx, sess.AccountID)
//
//	// WeCom sub-users (docs/RULES.md §10): link, scope, application links.
//	ent, err := svc.SubUsers.Link(ctx, subuser.LinkRequest{…})
//	link, err := svc.SubUsers.CreateLink(ctx, sess.AccountID, principal, subuser.LinkSubUser)
//
// Every exported method that performs a sensitive operation takes a
// vocab.Proof of it for the account right after ctx, and refuses the zero
// proof, one for another account or operation, or an expired one, with
// *vocab.VerificationRequiredError, without changing anything. Only the
// library mints proofs: hosts get them from Protection.Authorize for a
// session, or Protection.VerifiedFor for a flow binding such as the
// password reset; the recovery and cancellation flows mint their own for
// their steps, after their own checks.
//
// A feature whose dependency Deps lacks is left nil and its methods answer
// reason.FeatureUnavailable (feature.unavailable) naming the dependency:
// Resets without Email, Find without SMS, Cancellation without Resources,
// SubUsers without SubUserHost. (Service.ApplyCancellation answers
// reason.PolicyInvalid naming Deps.Resources instead.)
//
// The packages can also be used on their own:
//
//   - reason: the reason-coded error every package returns, with English
//     and Simplified Chinese messages.
//   - event: the security events and the host's hook.
//   - limits: the quota table, the lockout limiter and the send-rate limiter.
//   - notify: senders the host implements and one-time codes.
//   - account: accounts, identifiers, login methods and their quotas,
//     contacts, password change, real-name records, security settings.
//   - account/password: the password policy (console and NIST presets) and
//     argon2id hashing.
//   - mfa: TOTP devices, replay-safe verification, QR codes, backup codes.
//   - protection: identity verification, the login flow, sessions, trusted
//     devices, operation and remote-login protection.
//   - recovery: the forgotten-password reset, finding a forgotten account,
//     the enterprise recovery, the login appeal and their review.
//   - lifecycle: account cancellation.
//   - subuser: WeCom sub-users of an enterprise's account.
//   - web: the account centre over HTTP, on a Service.
//   - state: the storage primitives of hot and flow state; vocab: the
//     shared words and the Proof.
//   - store/memstore: the in-memory store (the default); store/pgstore and
//     store/redisstore: PostgreSQL and Redis adapters (nested modules);
//     store/storetest: the conformance suites every store passes.
//   - fakes: a settable clock, a recording outbox, verifiers, GeoIP, an
//     asset directory, a WeCom host and fault-injecting stores for tests and
//     examples.
package accountsec
