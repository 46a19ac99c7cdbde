package event

// The kinds of events of the mfa package. Their Attrs carry the device ID
// ("device"), the device kind ("kind": "virtual" or "hardware") and, where
// it applies, the reason code of a refusal ("reason") or the number of
// backup codes left ("left"); never a code, a secret or a seed.
const (
	// MFABound: an MFA device was bound to an account (a virtual device
	// confirmed, or a hardware token bound).
	MFABound Kind = "mfa_bound"
	// MFAUnbound: an account's MFA device was unbound.
	MFAUnbound Kind = "mfa_unbound"
	// MFAVerified: an MFA code was accepted.
	MFAVerified Kind = "mfa_verified"
	// MFAFailed: an MFA code was refused as wrong or replayed.
	MFAFailed Kind = "mfa_failed"
	// MFATokenImported: the host imported a hardware MFA token.
	MFATokenImported Kind = "mfa_token_imported"
	// BackupCodesRegenerated: an account received a new set of backup codes,
	// which replaced the old set.
	BackupCodesRegenerated Kind = "backup_codes_regenerated"
	// BackupCodeUsed: a backup code was accepted (and is now spent).
	BackupCodeUsed Kind = "backup_code_used"
	// BackupCodeFailed: a backup code was refused.
	BackupCodeFailed Kind = "backup_code_failed"
)
