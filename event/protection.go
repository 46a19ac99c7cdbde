package event

// The kinds of events of the protection package. Their AccountID is the
// account concerned (empty for a failed login to an unknown identifier, whose
// Subject is then the identifier's keyed hash) and their Scope the flow
// ("login", "verify", "session", "operation", "device", "settings"). Attrs
// carry only non-secret details: "session" (a session ID, which is the
// SHA-256 hash of the token, never the token), "ip", "city", "method"
// (verification method), "login_method", "purpose", "operation", "reason"
// (a reason code or a short cause such as "idle"), "device" (a trusted
// device ID, also a hash), "count", "configured" (the verification method
// the account's settings name for the step, "none" when they name none),
// "methods" (verification methods, comma-separated) and the names of
// changed settings. They never carry a password, a code, a token or a host
// ticket.
const (
	// LoginSucceeded: a login finished and a session was created.
	LoginSucceeded Kind = "login_succeeded"
	// LoginFailed: a login was refused (wrong password or unknown
	// identifier, or a failed second step).
	LoginFailed Kind = "login_failed"
	// LoginLocked: a login was refused because its identifier is locked, or
	// the failure just locked it. Until is the end of the lock.
	LoginLocked Kind = "login_locked"
	// SecondFactorRequired: the password was right and login protection asks
	// for a second factor.
	SecondFactorRequired Kind = "second_factor_required"
	// UnusualLocation: remote-login protection found the client's city is
	// not one of the account's usual login cities, and asks for identity
	// verification.
	UnusualLocation Kind = "unusual_location"
	// VerificationStarted: an identity verification challenge was started
	// (a code sent, a scan or face check begun).
	VerificationStarted Kind = "verification_started"
	// VerificationSucceeded: an identity verification was answered.
	VerificationSucceeded Kind = "verification_succeeded"
	// VerificationFailed: an identity verification answer was refused.
	VerificationFailed Kind = "verification_failed"
	// AlternativeOffered: a step was offered methods other than the one the
	// account's settings name for it ("configured"), because the account
	// cannot use that method ("reason": "not_bound", "verifier_missing",
	// "excluded_channel") or the settings name none ("not_configured").
	// "methods" lists what was offered, "purpose" the step ("login" for a
	// login's second step). See docs/SECURITY.md, "Methods and channels".
	AlternativeOffered Kind = "alternative_offered"
	// AlternativeUsed: a verification succeeded by a method other than the
	// configured one ("method", "configured", "purpose").
	AlternativeUsed Kind = "alternative_used"
	// MethodRefused: a verification was started or answered with a method
	// the step does not accept: one the account cannot use, a weaker one
	// than the configured method, or one whose channel may not serve the
	// step (email for a password login or a password reset). "method",
	// "purpose" and "reason" ("not_offered", "not_accepted") say which.
	MethodRefused Kind = "method_refused"
	// NoAcceptableMethod: a step asks for identity verification but the
	// account has no method that may serve it (for a password reset: none
	// but email), so it cannot be completed ("purpose", "configured").
	NoAcceptableMethod Kind = "no_acceptable_method"
	// StepUpGranted: a verification granted step-up to a session (or other
	// binding) until Until.
	StepUpGranted Kind = "step_up_granted"
	// VerificationRequired: a sensitive operation was refused until the
	// user verifies their identity.
	VerificationRequired Kind = "verification_required"
	// OperationAuthorized: a sensitive operation was allowed (by a step-up
	// grant, or because the account's protection does not ask for one).
	OperationAuthorized Kind = "operation_authorized"
	// SessionEnded: one session ended (signed out, ended from the session
	// list, or expired: Attrs["reason"] says which).
	SessionEnded Kind = "session_ended"
	// AllSessionsEnded: every session of the account ended ("sign out all").
	AllSessionsEnded Kind = "all_sessions_ended"
	// OtherSessionsEnded: every session of the account but one ended (after a
	// password change or reset, an MFA change or a cancellation).
	OtherSessionsEnded Kind = "other_sessions_ended"
	// DeviceTrusted: a device was trusted to skip login protection until
	// Until.
	DeviceTrusted Kind = "device_trusted"
	// TrustedDeviceRevoked: a trusted device was revoked.
	TrustedDeviceRevoked Kind = "trusted_device_revoked"
	// ProtectionSettingsChanged: login protection, operation protection,
	// remote-login protection or session times were changed.
	ProtectionSettingsChanged Kind = "protection_settings_changed"
)

// Kinds of lockout and revocation.
const (
	// TrustedDevicesRevoked: every trusted device of the account was revoked
	// at once (Attrs["kept"], when set, is the one device kept: the device
	// of the session that changed the password). Attrs["reason"] is the
	// cause: "revoked" (the user revoked them all), "sign_out_all",
	// "password_changed", "password_reset", "mfa_changed", "cancellation"
	// or the host's own.
	TrustedDevicesRevoked Kind = "trusted_devices_revoked"
)
