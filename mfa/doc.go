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
// The typical sequence, after the host has verified the user's identity:
//
//	m, err := mfa.New(mfa.Config{Store: st, Keyring: ring, Limiter: lim, Secret: key, Protection: settings})
//
//	// Bind a virtual device.
//	e, err := m.Enrol(ctx, accountID, "alice@example.com")
//	// show e.QRCode() (a PNG) and e.Key(); the user scans and types a code
//	dev, err := m.Confirm(ctx, accountID, e.DeviceID, code, mfa.Usage{Login: true, Operation: true})
//	codes, err := m.RegenerateBackupCodes(ctx, accountID) // show codes.Codes() once
//
//	// Later: login protection or a sensitive operation.
//	v, err := m.Verify(ctx, accountID, code)
//	// or, without the phone: left, err := m.UseBackupCode(ctx, accountID, backup)
//
//	// Unbind: MFA is turned off in login and operation protection.
//	report, err := m.Unbind(ctx, accountID, code)
//	// report.Fallback says what each protection fell back to.
//
// Hardware tokens: the host calls [Manager.ImportToken] with each token's
// serial number and seed; a user then calls [Manager.BindHardware] with the
// serial number and a code shown on the token.
//
// Errors carry reason codes (package reason); store failures are
// reason.StoreUnavailable errors, distinct from wrong codes, and the
// operation is refused (fail closed). Every bind, unbind, accepted and
// refused code is reported as an event (package event).
package mfa
