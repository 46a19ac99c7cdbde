// Package account holds main accounts, their identifiers and login methods,
// the quotas of docs/RULES.md §1, password changes, contacts and security contacts,
// real-name records and the security settings that package protection
// enforces.
//
// # Identifiers and quotas
//
// Every identifier is normalised once, by [Normalize], before it is stored,
// compared or counted: emails lower-cased (ASCII only), phones in E.164,
// provider subject IDs kept as given (trimmed), identity numbers upper-cased
// and then kept only as keyed hashes. Normalisation never aliases: two
// inputs share a normal form only if they are equal after removing
// surrounding ASCII white space and the kind's own folding (ASCII case for
// emails and identity numbers; separators and the +86 trunk prefix "0" for
// phones). Emails are ASCII only, checked before any case mapping (so the
// KELVIN SIGN is not a "k"); internationalised domains are refused as
// U-labels and as "xn--" A-labels alike, and so are IP addresses and
// address literals. Control characters, bidi controls and zero-width or
// other invisible characters are refused anywhere in any identifier, as
// they are in nicknames and names. Hosts that need full phone number
// normalisation pass a [PhoneNormalizer] to [NormalizeWith].
//
// Quotas are [Slot]s: "accounts holding this identifier in this scope".
// The slots an account holds follow from its
// record (registration identifier, login methods, security phone, real-name
// identities), and every write of a record takes and releases the
// corresponding slots in the same atomic [Store] operation, with a version
// check. So a quota can never be exceeded by concurrent requests, a record
// never holds an identifier without its slot, a failed or refused request
// leaves nothing behind, and two concurrent updates of one account never
// lose either change (the [Service] retries a conflicting write on a fresh
// read). Deleting an account releases all its slots.
//
// # Typical use
//
//	svc, err := account.New(account.Config{
//		Store: memstore.NewAccountStore(), Hasher: hasher, Lockout: lockout,
//		Codes: codes, WeCom: wecomAdmin, Secret: key,
//	})
//
//	// Register with WeChat (the host completed the OAuth login).
//	acct, err := svc.Register(ctx, account.Registration{Method: account.MethodWeChat, Identifier: openID})
//
//	// Add a security phone: a proof of the operation from protection (for
//	// the signed-in session sess), then an SMS code.
//	p, err := protectionManager.Authorize(ctx, sess, account.OpChangeSecurityPhone)
//	_, err = svc.SendSecurityPhoneCode(ctx, p, acct.ID, "+86 138-0013-8000", clientIP)
//	// The next request, with the code: a proof lasts protection.ProofTTL,
//	// so each request asks Authorize again.
//	p, err = protectionManager.Authorize(ctx, sess, account.OpChangeSecurityPhone)
//	acct, err = svc.ChangeSecurityPhone(ctx, p, acct.ID, "+8613800138000", smsCode)
//
//	// Bind an email login method: a code to the address and a password.
//	p, err = protectionManager.Authorize(ctx, sess, account.OpBindLoginMethod)
//	_, err = svc.SendLoginEmailCode(ctx, p, acct.ID, "alice@example.com", clientIP)
//	p, err = protectionManager.Authorize(ctx, sess, account.OpBindLoginMethod)
//	acct, err = svc.BindLoginMethod(ctx, p, acct.ID, account.Binding{
//		Method: account.MethodEmail, Identifier: "alice@example.com", Password: pw, Confirm: pw, Code: emailCode,
//	})
//
//	// Unbind the registration method: every unmet condition is reported.
//	p, err = protectionManager.Authorize(ctx, sess, account.OpUnbindLoginMethod)
//	acct, err = svc.UnbindLoginMethod(ctx, p, acct.ID, account.MethodWeChat)
//	var blocked *account.UnbindBlockedError
//	if errors.As(err, &blocked) {
//		for _, e := range blocked.Unmet { /* show e.Code */ }
//	}
//
// Every method that makes a sensitive change takes a [vocab.Proof] of its
// operation (OpBindLoginMethod, …) for the account as its argument after the
// context, and refuses without one, with *vocab.VerificationRequiredError
// and no change. Only package protection mints proofs for users: its
// Manager.Authorize for a signed-in session (after identity verification
// or an operation-protection grant, when the account needs one), and
// Manager.Verified for a flow such as the password reset. [Service.Restore]
// (OpRecoveryRestore), [Service.SetState] (OpSetState) and
// [Service.UpgradePasswordHash] (OpUpgradePasswordHash) take proofs that
// packages recovery, lifecycle and protection's login mint for their own
// steps; Authorize never returns them. Security settings are
// stored and validated here ([Service.UpdateSecurity]) and enforced by
// package protection. Flows that prove an address take two calls: one sends
// a 6-digit code to the new address, the next submits it. Errors carry
// reason codes (package reason); store failures are reason.StoreUnavailable
// errors and the operation is refused. Security-relevant changes are
// reported as events (package event) carrying masked identifiers only (see
// [MaskPhone] and the other masking rules).
//
// # Masking
//
// Masked values are what the library puts in events and what a host may
// show back to a user (or to someone recovering an account); they keep
// enough to recognise one's own data and too little to learn someone
// else's. Each rule works on normalised input and degrades to all stars
// rather than reveal more on short or odd input. Provider subject IDs in
// events keep their first and last 2 characters.
//
//   - Phone (E.164): the last 4 digits are shown, the 4 before them are
//     starred, everything before that (the "+", the country code, the
//     start of the number) is shown: "+8613800138000" → "+86138****8000".
//   - Email: the domain is shown; of the local part the first and the last
//     character are shown around a fixed "***" (so its length is hidden);
//     a local part of one or two characters is all stars:
//     "alice@example.com" → "a***e@example.com", "al@x.cn" → "**@x.cn".
//   - Personal name: every character but the last is a star: "张三" → "*三",
//     "欧阳娜娜" → "***娜"; a single character becomes "*".
//   - Enterprise name: the first 2 and the last 2 characters are shown,
//     the rest starred; names of 5 characters or fewer show only the first
//     and last: "深圳市腾讯计算机系统有限公司" → "深圳**********公司".
//   - Identity number: only the first and the last character are shown,
//     every other character is a star (the length is kept, since it is
//     standard per kind): "11010519491231002X" → "1****************X".
package account
