// Package vocab holds the words that the account, mfa, protection,
// recovery and lifecycle packages share, each defined once: the verification methods, the login
// methods, the names of the sensitive operations, the session-time bounds,
// the [Proof] of a fresh verification, and [VerificationRequiredError], the
// refusal of a change that lacks one.
//
// Every exported method of the library that makes a sensitive change takes
// a Proof as its argument after the context. Only package protection (and,
// for their own internal steps, other packages of this module) can mint one:
// get it from protection.Manager.Authorize for a signed-in session, or from
// protection.Manager.Verified for a flow binding such as a password reset.
// A zero Proof, one for another account or operation, or an expired one is
// refused with *VerificationRequiredError and nothing changes. The recovery
// and cancellation flows mint proofs for their own steps only, after their
// own checks.
//
// A guarded method, the library's or a host's, checks the proof before it
// changes anything:
//
//	p, err := protectionManager.Authorize(ctx, sess, vocab.OpChangeSecurityPhone)
//	// … in the guarded method:
//	if err := vocab.Require(p, accountID, vocab.OpChangeSecurityPhone, now); err != nil {
//		return err // *vocab.VerificationRequiredError
//	}
package vocab

import (
	"slices"
	"time"

	"github.com/accountsec/accountsec/internal/proof"
	"github.com/accountsec/accountsec/reason"
)

// Proof says the account passed (or did not need) identity verification for
// one operation, in one session or flow binding, until its expiry. The zero
// Proof proves nothing. See package doc for where to get one.
type Proof = proof.Proof

// VerifyMethod is an identity verification method, or VerifyNone for a
// protection that is turned off.
type VerifyMethod string

// The verification methods.
const (
	// VerifyNone turns a protection off. It is a setting, never a way to
	// verify.
	VerifyNone VerifyMethod = "none"
	// VerifyMFA is a TOTP code of the account's MFA device.
	VerifyMFA VerifyMethod = "mfa"
	// VerifySMS is a 6-digit code sent to the security phone.
	VerifySMS VerifyMethod = "sms"
	// VerifyEmail is a 6-digit code sent to the security email.
	VerifyEmail VerifyMethod = "email"
	// VerifyWeChatScan is a scan by the account's linked WeChat, confirmed
	// by the host.
	VerifyWeChatScan VerifyMethod = "wechat_scan"
	// VerifyFace is a face verification of the account's real-name person,
	// performed by the host.
	VerifyFace VerifyMethod = "face"
)

// VerifyMethods returns the five ways to verify (not VerifyNone), in the
// order they are preferred when the account's settings name none: the
// strongest and cheapest first.
func VerifyMethods() []VerifyMethod {
	return []VerifyMethod{VerifyMFA, VerifySMS, VerifyEmail, VerifyWeChatScan, VerifyFace}
}

// Valid reports whether m is one of the five verification methods
// (VerifyNone is not one).
func (m VerifyMethod) Valid() bool { return slices.Contains(VerifyMethods(), m) }

// String returns the method's name.
func (m VerifyMethod) String() string { return string(m) }

// ProtectionMethods returns the values login protection and operation
// protection accept: VerifyNone, VerifyMFA, VerifySMS and VerifyWeChatScan.
// The remote-login method and the MFA binding method accept every
// verification method and VerifyNone.
func ProtectionMethods() []VerifyMethod {
	return []VerifyMethod{VerifyNone, VerifyMFA, VerifySMS, VerifyWeChatScan}
}

// AllowedForProtection reports whether m is one of [ProtectionMethods].
func (m VerifyMethod) AllowedForProtection() bool {
	return slices.Contains(ProtectionMethods(), m)
}

// LoginMethod is a way to sign in to an account. The method an account was
// created with is its registration method.
type LoginMethod string

// The login methods.
const (
	// LoginEmail is email address + password.
	LoginEmail LoginMethod = "email"
	// LoginWeChat is a WeChat login.
	LoginWeChat LoginMethod = "wechat"
	// LoginQQ is a QQ login.
	LoginQQ LoginMethod = "qq"
	// LoginWeCom is an enterprise WeChat (WeCom) login.
	LoginWeCom LoginMethod = "wecom"
	// LoginWeChatOA is a WeChat Official Account / mini-program login.
	LoginWeChatOA LoginMethod = "wechat_oa"
)

// LoginMethods returns every login method, in the order the console shows
// them.
func LoginMethods() []LoginMethod {
	return []LoginMethod{LoginEmail, LoginWeChat, LoginQQ, LoginWeCom, LoginWeChatOA}
}

// Valid reports whether m is one of the login methods.
func (m LoginMethod) Valid() bool { return slices.Contains(LoginMethods(), m) }

// String returns the method's name.
func (m LoginMethod) String() string { return string(m) }

// The sensitive operations of the account centre (docs/RULES.md §7), by
// their names in protection's catalog. Each exported method that performs
// one takes a Proof for it.
const (
	// OpBindMFA: binding a virtual or hardware MFA device, and
	// regenerating its backup codes.
	OpBindMFA = "bind_mfa"
	// OpUnbindMFA: unbinding the MFA device (and turning MFA off in the
	// security settings).
	OpUnbindMFA = "unbind_mfa"
	// OpBindLoginMethod: binding a login method (and sending the code that
	// proves a first email).
	OpBindLoginMethod = "bind_login_method"
	// OpChangeLoginMethod: replacing a bound login method other than email.
	OpChangeLoginMethod = "change_login_method"
	// OpUnbindLoginMethod: unbinding a login method.
	OpUnbindLoginMethod = "unbind_login_method"
	// OpViewAPIKey: viewing an API key (a host operation; the library has no
	// method for it).
	OpViewAPIKey = "view_api_key"
	// OpChangeLoginProtection: changing login protection or the trusted
	// devices setting.
	OpChangeLoginProtection = "change_login_protection"
	// OpChangeOperationProtection: changing operation protection.
	OpChangeOperationProtection = "change_operation_protection"
	// OpChangeRemoteLogin: changing remote-login protection or its method.
	OpChangeRemoteLogin = "change_remote_login"
	// OpChangeSessionSettings: changing the session lifetime or idle
	// timeout.
	OpChangeSessionSettings = "change_session_settings"
	// OpChangeProtection: changing the MFA binding method.
	OpChangeProtection = "change_protection"
	// OpApplyCancellation: applying to cancel the account, and deleting it.
	OpApplyCancellation = "apply_cancellation"
	// OpSignOutAll: ending every session of the account.
	OpSignOutAll = "sign_out_all"
	// OpChangeSecurityPhone: changing the security phone.
	OpChangeSecurityPhone = "change_security_phone"
	// OpChangeSecurityEmail: changing the security email.
	OpChangeSecurityEmail = "change_security_email"
	// OpChangeLoginEmail: changing the login email.
	OpChangeLoginEmail = "change_login_email"
	// OpChangePassword: changing the password (knowing the old one).
	OpChangePassword = "change_password"
	// OpResetPassword: resetting a forgotten password; the proof comes from
	// a verification bound to the reset flow.
	OpResetPassword = "reset_password"
)

// Operations returns the names of the account-centre operations, in the
// order above.
func Operations() []string {
	return []string{
		OpBindMFA, OpUnbindMFA, OpBindLoginMethod, OpChangeLoginMethod, OpUnbindLoginMethod,
		OpViewAPIKey, OpChangeLoginProtection, OpChangeOperationProtection, OpChangeRemoteLogin,
		OpChangeSessionSettings, OpChangeProtection, OpApplyCancellation, OpSignOutAll,
		OpChangeSecurityPhone, OpChangeSecurityEmail, OpChangeLoginEmail, OpChangePassword,
		OpResetPassword,
	}
}

// Session time defaults and bounds (docs/RULES.md §7).
const (
	// DefaultSessionLifetime is a new account's maximum session lifetime.
	DefaultSessionLifetime = 48 * time.Hour
	// MinSessionLifetime is the shortest allowed maximum session lifetime.
	MinSessionLifetime = time.Hour
	// MaxSessionLifetime is the longest allowed maximum session lifetime.
	MaxSessionLifetime = 48 * time.Hour
	// DefaultIdleTimeout is a new account's session idle timeout.
	DefaultIdleTimeout = 120 * time.Minute
	// MinIdleTimeout is the shortest allowed idle timeout.
	MinIdleTimeout = 15 * time.Minute
	// MaxIdleTimeout is the longest allowed idle timeout.
	MaxIdleTimeout = 720 * time.Minute
)

// ErrVerificationRequired matches every *VerificationRequiredError with
// errors.Is (code protection.verification_required).
var ErrVerificationRequired = reason.New(reason.ProtectionVerificationRequired)

// VerificationRequiredError says an operation (or a login) needs identity
// verification first, and which methods the account can use. A guarded
// method refused for lack of a valid Proof returns it with only Purpose
// set: ask protection for a proof, which lists the methods when it too
// needs a verification.
type VerificationRequiredError struct {
	// Purpose is the operation or purpose to verify for.
	Purpose string
	// Methods are the methods to offer first: the one the account's
	// settings name, or the first that qualifies when the account cannot
	// use that one (docs/SECURITY.md, "Methods and channels").
	Methods []VerifyMethod
	// Alternatives are the other methods that qualify, which the user may
	// pick instead: only when the configured method cannot be used or none
	// is configured, never weaker than the configured one (empty under
	// protection's Policy.StrictMethods).
	Alternatives []VerifyMethod
}

// Error renders the English message.
func (e *VerificationRequiredError) Error() string { return e.Unwrap().Error() }

// Unwrap returns the reason-coded form (code
// protection.verification_required, param operation).
func (e *VerificationRequiredError) Unwrap() error {
	return ErrVerificationRequired.With("operation", e.Purpose)
}

// Require returns nil when p proves operation for account at now, and
// otherwise a *VerificationRequiredError for operation. Guarded methods
// call it before they change anything.
func Require(p Proof, account, operation string, now time.Time) error {
	if p.Valid(account, operation, now) {
		return nil
	}
	return &VerificationRequiredError{Purpose: operation}
}

// The security settings of an account, by the names errors and events use.
const (
	// SettingLoginProtection is the second step of a login.
	SettingLoginProtection = "login_protection"
	// SettingTrustDevices offers "trust this device" after login protection.
	SettingTrustDevices = "trust_devices"
	// SettingOperationProtection guards the sensitive operations.
	SettingOperationProtection = "operation_protection"
	// SettingRemoteLoginProtection turns remote-login protection on.
	SettingRemoteLoginProtection = "remote_login_protection"
	// SettingRemoteLoginMethod is the method remote-login protection
	// prefers.
	SettingRemoteLoginMethod = "remote_login_method"
	// SettingMFABindingMethod is the method asked before binding or
	// unbinding MFA.
	SettingMFABindingMethod = "mfa_binding_method"
	// SettingSessionMaxLifetime is the longest a session lives.
	SettingSessionMaxLifetime = "session_max_lifetime"
	// SettingSessionIdleTimeout ends an idle session.
	SettingSessionIdleTimeout = "session_idle_timeout"
)

// SettingOperation returns the operation that authorises a change of the
// security setting named setting (one of the Setting constants), or "" for
// an unknown name.
func SettingOperation(setting string) string {
	switch setting {
	case SettingLoginProtection, SettingTrustDevices:
		return OpChangeLoginProtection
	case SettingOperationProtection:
		return OpChangeOperationProtection
	case SettingRemoteLoginProtection, SettingRemoteLoginMethod:
		return OpChangeRemoteLogin
	case SettingMFABindingMethod:
		return OpChangeProtection
	case SettingSessionMaxLifetime, SettingSessionIdleTimeout:
		return OpChangeSessionSettings
	}
	return ""
}
