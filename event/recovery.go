package event

// The kinds of events of the password reset (package recovery, and
// account's ResetPassword). Their Scope is "reset". Subject is the keyed
// hash of the login email a reset was asked for (never the address). Attrs
// carry only a "reason" (a reason code) where noted. They never carry the
// reset token, its hash, the verification binding or a password.
const (
	// PasswordResetRequested: a reset was asked for a login email.
	// AccountID is the account a reset link was sent to, or empty when no
	// account with a password has that login email (nothing was sent; the
	// requester was told the same as for a known address).
	PasswordResetRequested Kind = "password_reset_requested"
	// PasswordResetSendFailed: the host's email sender failed to take the
	// reset link; the new token was deleted. The requester was not told.
	// Attrs: reason (the sender error's reason code, or "send_failed").
	PasswordResetSendFailed Kind = "password_reset_send_failed"
	// PasswordResetRejected: a well-formed reset token was submitted that
	// is unknown, expired, used or replaced. Attrs: reason.
	PasswordResetRejected Kind = "password_reset_rejected"
	// PasswordReset: the email login password was replaced by a reset
	// (without the old password). AccountID is set.
	PasswordReset Kind = "password_reset"
)
