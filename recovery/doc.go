// Package recovery lets users regain access to their accounts: the
// forgotten-password reset of docs/RULES.md §3 ([Resets]), and the flows of
// docs/RULES.md §8: finding a forgotten account ([Finder], six ways), the
// enterprise recovery with its 24-hour allowances ([Enterprise]), the
// application to log in of a personally verified account ([Appeals]), and
// the back office that reviews both ([Review]). The facade builds them as
// Service.Resets, Service.Find, Service.Enterprise, Service.Appeals and
// Service.Review.
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
//
// With ResetPolicy.Queue set, Request hands every delivery (known address
// or not) to a bounded queue whose worker sends the emails, so the
// sender's latency is not in the response; Flush waits for it. The result
// of Complete says when the account's login lock ends, if it is locked
// (Completed.LockedUntil): a reset does not lift it.
//
// # Finding a forgotten account
//
// A [Finder] delivers account information only through a verified
// channel, and answers the same, value and work, whether or not anything
// matched:
//
//	f, err := recovery.NewFinder(recovery.FindConfig{Store: st, Accounts: accounts, SMS: sms,
//		Gate: sendLimiter, Limiter: lockout, Assets: inventory, Faces: face, Secret: key})
//
//	// The security-phone way: every account whose security phone it is, by SMS.
//	sent, err := f.FindByPhone(ctx, phone, clientIP) // sent.To is the phone, masked
//
//	// A domain, an ICP filing, a server IP or an account ID, then a verification.
//	s, err := f.Start(ctx, recovery.WayDomain, "example.com", clientIP) // s.Methods
//	sent, err = f.VerifyPhone(ctx, s.Token, phone, clientIP) // the information by SMS
//	// or: fc, err := f.StartFace(ctx, s.Token); res, err := f.FaceResult(ctx, s.Token)
//
//	// The personal way: name and identity number, then a face check of the person.
//	s, err = f.StartPersonal(ctx, name, idNumber, clientIP) // s.Face is started
//	res, err := f.FaceResult(ctx, s.Token) // res.Accounts once res.Status is FaceMatched
//
// # Enterprise recovery, appeals and review
//
// [NewFlows] builds the two flows that a person reviews, on one store and
// one review queue. Each step answers a [FlowState] whose Ref the next step
// takes; steps run in order only, each one compare-and-set of the flow's
// document.
//
//	fl, err := recovery.NewFlows(recovery.FlowsConfig{Store: st, Accounts: accounts, Codes: codes,
//		Limiter: lockout, Sessions: protectionManager, SMS: sms, Face: face, PersonFace: legalFace, Secret: key})
//
//	// Enterprise: company, legal person, face, contact phone, review, result.
//	st, err := fl.Enterprise.Start(ctx, recovery.EnterpriseStart{Company: name,
//		CreditCode: code, Reason: recovery.ReasonEmployeeLeft})
//	st, err = fl.Enterprise.LegalPerson(ctx, st.Ref, legalName, legalID)
//	ch, err := fl.Enterprise.StartFace(ctx, st.Ref) // the host's face page; then FaceResult
//	_, err = fl.Enterprise.SendContactCode(ctx, st.Ref, phone, clientIP)
//	query, err := fl.Enterprise.Submit(ctx, st.Ref, phone, smsCode) // shown once
//
//	// The back office decides (enterprise recoveries are always reviewed).
//	items, err := fl.Review.Pending(ctx)
//	_, err = fl.Review.Decide(ctx, recovery.Decision{ID: items[0].ID, Reviewer: "ops", Approve: true})
//
//	// The result, with the query code, the same phone and a new SMS code; the
//	// first look-up of an approved result returns the grant of the allowances.
//	_, err = fl.Enterprise.SendQueryCode(ctx, query, phone, clientIP)
//	r, err := fl.Enterprise.Result(ctx, recovery.EnterpriseQuery{QueryCode: query, Phone: phone, Code: smsCode2})
//	_, err = fl.Enterprise.SendLoginEmailCode(ctx, r.Grant, r.Accounts[0].AccountID, email, clientIP)
//	a, err := fl.Enterprise.AddLoginEmail(ctx, recovery.LoginEmailAllowance{Grant: r.Grant, …})
//	// and once: SendSecurityPhoneCode, SwitchToSMS (protection becomes SMS)
//
//	// Appeal: the account, its real-name person and a contact phone; a new
//	// login email and password; optionally a new security phone; a face check.
//	_, err = fl.Appeals.SendContactCode(ctx, phone, clientIP)
//	st, err = fl.Appeals.Start(ctx, recovery.AppealStart{Account: id, Name: name, IDNumber: idNumber,
//		Reason: recovery.AppealEmailLost, ContactPhone: phone, Code: smsCode})
//	_, err = fl.Appeals.SendEmailCode(ctx, st.Ref, email, clientIP)
//	st, err = fl.Appeals.SetLoginEmail(ctx, st.Ref, recovery.AppealLoginEmail{Email: email, Password: pw, Confirm: pw, Code: emailCode})
//	st, err = fl.Appeals.SkipSecurityPhone(ctx, st.Ref) // or SendPhoneCode, SetSecurityPhone
//	ch, err = fl.Appeals.StartFace(ctx, st.Ref)
//	st, err = fl.Appeals.FaceResult(ctx, st.Ref) // submitted for review
//	// after Review.Decide approves: the new login email signs in, every session ended
//
// Nothing changes on an account before approval (an appeal) or before an
// allowance is used (an enterprise recovery); then the change is one write
// under a proof the flow mints for itself (account.OpRecoveryRestore, which
// protection never mints) and every session of the account ends. Wrong
// codes, rejected face checks and wrong look-ups count under the lockout of
// the Limiter (ScopeRecoverySMS, ScopeRecoveryFace, ScopeRecoveryQuery).
package recovery
