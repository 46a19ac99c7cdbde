// Package mfa binds, verifies and unbinds TOTP devices (RFC 6238): virtual
// devices (authenticator apps, enrolled with a QR code) and hardware tokens
// (imported by the host, bound by serial number), plus single-use backup
// codes.
//
// What it adds to the bare TOTP arithmetic:
//
//   - replay safety: verification returns the time step that matched and
//     advances the device's last-used step in one atomic store operation,
//     so a code is accepted once and a code older than an accepted one is
//     refused ([ErrReplayed]), even when many requests race;
//   - strict parsing: a code is exactly 6 (or 8) ASCII digits, nothing is
//     repaired, and a malformed code is refused without being counted;
//   - an attempt limit: wrong and replayed codes count in a
//     [limits.Limiter] under [LimiterScope] per account, so starting a new
//     login does not reset the count;
//   - ±1 step of clock skew by default ([Policy].Skew up to 3, or
//     [Policy].NoSkew for the current step only);
//   - secrets sealed at rest with AES-GCM under the host's [Keyring] (key
//     ID stored, so keys rotate), bound to their device; they never appear
//     in logs, events or errors;
//   - one hardware token per account, claimed atomically;
//   - backup codes stored as keyed hashes, spent atomically, replaced as a
//     whole set.
//
// Every change (Enrol, Confirm, BindHardware, RegenerateBackupCodes,
// Unbind) takes a [vocab.Proof] of its operation for the account, right
// after the context: protection.Manager.Authorize returns it for the
// signed-in session once the user has passed identity verification. A
// zero proof, one for another account or operation, or an expired one is
// refused with *vocab.VerificationRequiredError and nothing changes. The
// typical sequence:
//
//	m, err := mfa.New(mfa.Config{Store: st, Keyring: ring, Limiter: lim, Secret: key, Protection: settings})
//
//	// Bind a virtual device: binding needs the proof of vocab.OpBindMFA.
//	p, err := protectionManager.Authorize(ctx, sess, vocab.OpBindMFA)
//	// err: *vocab.VerificationRequiredError until the session has verified
//	e, err := m.Enrol(ctx, p, accountID, "alice@example.com")
//	// show e.QRCode() (a PNG) and e.Key(); the user scans and types a code
//	p, err = protectionManager.Authorize(ctx, sess, vocab.OpBindMFA) // a proof lasts protection.ProofTTL
//	dev, err := m.Confirm(ctx, p, accountID, e.DeviceID, code, mfa.Usage{Login: true, Operation: true})
//	codes, err := m.RegenerateBackupCodes(ctx, p, accountID) // show codes.Codes() once
//
//	// Later: login protection or a sensitive operation.
//	v, err := m.Verify(ctx, accountID, code)
//	// or, without the phone: left, err := m.UseBackupCode(ctx, accountID, backup)
//
//	// Unbind, with the proof of vocab.OpUnbindMFA: MFA is turned off in
//	// login and operation protection.
//	p, err = protectionManager.Authorize(ctx, sess, vocab.OpUnbindMFA)
//	report, err := m.Unbind(ctx, p, accountID, code)
//	// report.Fallback says what each protection fell back to.
//
// The facade's EnrolMFA, EnableMFA and UnbindMFA (package accountsec) do
// the Authorize step, and the settings changes around it, for a session.
//
// Hardware tokens: the host calls [Manager.ImportToken] with each token's
// serial number and seed; a user then calls [Manager.BindHardware] with the
// proof of vocab.OpBindMFA, the serial number and a code shown on the
// token.
//
// # State
//
// A Manager keeps its state on versioned documents ([Store] is
// state.Documents), so store adapters implement no MFA code: one document
// per account (pending enrolment, active device, backup-code hashes) and one
// per hardware token (its sealed seed, the account holding it, and the last
// step accepted from it, which outlives bindings so that a code cannot be
// replayed across accounts). Every change is a read and a compare-and-set
// write of one document, so of concurrent submissions of one code, or uses
// of one backup code, exactly one wins. Accounts (account.Store) stay typed
// because their quota slots need PostgreSQL constraints and transactions
// across many rows; an MFA device, by contrast, is one account's document.
//
// Errors carry reason codes (package reason); store failures are
// reason.StoreUnavailable errors, distinct from wrong codes, and the
// operation is refused (fail closed). Every bind, unbind, accepted and
// refused code is reported as an event (package event).
package mfa
