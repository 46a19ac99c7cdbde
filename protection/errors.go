package protection

import (
	"github.com/accountsec/accountsec/reason"
	"github.com/accountsec/accountsec/vocab"
)

// Sentinel errors, matched with errors.Is.
var (
	// ErrWrongCredentials: the login identifier or the password is wrong
	// (the two are indistinguishable by design). It is the code
	// reason.PasswordWrong, so it matches the facade's ErrWrongPassword.
	ErrWrongCredentials = reason.New(reason.PasswordWrong)
	// ErrVerificationRequired matches *VerificationRequiredError.
	ErrVerificationRequired = vocab.ErrVerificationRequired
	// ErrMethodUnavailable: the account cannot use the chosen method.
	ErrMethodUnavailable = reason.New(reason.ProtectionMethodUnavailable)
	// ErrNoMethod: the account has no usable verification method.
	ErrNoMethod = reason.New(reason.ProtectionNoMethod)
	// ErrChallengeInvalid: the verification is unknown, expired, answered,
	// or bound to another account, binding or purpose.
	ErrChallengeInvalid = reason.New(reason.ProtectionChallengeInvalid)
	// ErrNotConfirmed: a WeChat scan or face check is not finished yet;
	// nothing was counted.
	ErrNotConfirmed = reason.New(reason.ProtectionNotConfirmed)
	// ErrRejected: a WeChat scan or face check did not match; one failure
	// was counted.
	ErrRejected = reason.New(reason.ProtectionRejected)
	// ErrVerifierUnavailable: a host verification service failed.
	ErrVerifierUnavailable = reason.New(reason.ProtectionVerifierUnavailable)
	// ErrLoginInvalid: the pending login is unknown, expired or finished.
	ErrLoginInvalid = reason.New(reason.ProtectionLoginInvalid)
	// ErrSessionInvalid: the session is unknown, ended or expired.
	ErrSessionInvalid = reason.New(reason.ProtectionSessionInvalid)
	// ErrOperationUnknown: the operation is not in the catalog.
	ErrOperationUnknown = reason.New(reason.ProtectionOperationUnknown)
	// ErrOperationExists: the operation is already in the catalog.
	ErrOperationExists = reason.New(reason.ProtectionOperationExists)
	// ErrSettingInvalid: a protection setting is out of its allowed values.
	ErrSettingInvalid = reason.New(reason.ProtectionSettingInvalid)
	// ErrAccountUnknown: no account has this ID.
	ErrAccountUnknown = reason.New(reason.ProtectionAccountUnknown)
)

// VerificationRequiredError says an operation (or a login) needs identity
// verification first, and which methods the account can use. It is
// [vocab.VerificationRequiredError], which the guarded methods of the other
// packages return too.
type VerificationRequiredError = vocab.VerificationRequiredError
