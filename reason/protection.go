package reason

// Codes of the protection package.
const (
	// ProtectionVerificationRequired: the operation needs identity
	// verification first. Params: operation.
	ProtectionVerificationRequired Code = "protection.verification_required"
	// ProtectionMethodUnavailable: the account cannot use this verification
	// method (it has no such device, contact or link, or the method is not
	// offered here). Params: method.
	ProtectionMethodUnavailable Code = "protection.method_unavailable"
	// ProtectionNoMethod: the account has no verification method that can
	// be used here.
	ProtectionNoMethod Code = "protection.no_method"
	// ProtectionChallengeInvalid: the verification does not exist, has
	// expired, was already answered, or belongs to another account, session
	// or purpose.
	ProtectionChallengeInvalid Code = "protection.challenge_invalid"
	// ProtectionNotConfirmed: the WeChat scan or face verification has not
	// been completed yet. Nothing was counted.
	ProtectionNotConfirmed Code = "protection.not_confirmed"
	// ProtectionRejected: the WeChat scan or face verification did not
	// match the account; one failure was counted. Params: method.
	ProtectionRejected Code = "protection.rejected"
	// ProtectionVerifierUnavailable: a verification service of the host
	// (WeChat scan, face, MFA, location) failed; the step was refused.
	// Params: method.
	ProtectionVerifierUnavailable Code = "protection.verifier_unavailable"
	// ProtectionLoginInvalid: the pending login does not exist, has expired
	// or was already finished; sign in again.
	ProtectionLoginInvalid Code = "protection.login_invalid"
	// ProtectionSessionInvalid: the session does not exist, has ended or
	// has expired; sign in again.
	ProtectionSessionInvalid Code = "protection.session_invalid"
	// ProtectionOperationUnknown: the operation is not in the catalog of
	// sensitive operations. Params: operation.
	ProtectionOperationUnknown Code = "protection.operation_unknown"
	// ProtectionOperationExists: an operation with this name is already in
	// the catalog. Params: operation.
	ProtectionOperationExists Code = "protection.operation_exists"
	// ProtectionSettingInvalid: a protection setting is outside its allowed
	// values. Params: field, value, allowed.
	ProtectionSettingInvalid Code = "protection.setting_invalid"
	// ProtectionAccountUnknown: no account with this ID exists.
	ProtectionAccountUnknown Code = "protection.account_unknown"
)

var protectionMessages = map[Language]map[Code]string{
	English: {
		ProtectionVerificationRequired: "verify your identity before {operation}",
		ProtectionMethodUnavailable:    "the verification method {method} is not available for this account",
		ProtectionNoMethod:             "this account has no verification method that can be used here",
		ProtectionChallengeInvalid:     "the verification is invalid or has expired; start again",
		ProtectionNotConfirmed:         "the verification has not been completed yet",
		ProtectionRejected:             "the {method} verification did not match this account",
		ProtectionVerifierUnavailable:  "the {method} verification is temporarily unavailable; please try again",
		ProtectionLoginInvalid:         "the sign-in has expired or was already completed; sign in again",
		ProtectionSessionInvalid:       "your session has ended; sign in again",
		ProtectionOperationUnknown:     "{operation} is not a known operation",
		ProtectionOperationExists:      "the operation {operation} is already registered",
		ProtectionSettingInvalid:       "setting {field} has value {value}; allowed: {allowed}",
		ProtectionAccountUnknown:       "the account does not exist",
	},
	SimplifiedChinese: {
		ProtectionVerificationRequired: "执行 {operation} 前请先完成身份验证",
		ProtectionMethodUnavailable:    "该账号无法使用 {method} 验证方式",
		ProtectionNoMethod:             "该账号没有可在此使用的验证方式",
		ProtectionChallengeInvalid:     "验证无效或已过期，请重新开始",
		ProtectionNotConfirmed:         "验证尚未完成",
		ProtectionRejected:             "{method} 验证与该账号不符",
		ProtectionVerifierUnavailable:  "{method} 验证暂时不可用，请稍后重试",
		ProtectionLoginInvalid:         "登录已过期或已完成，请重新登录",
		ProtectionSessionInvalid:       "会话已结束，请重新登录",
		ProtectionOperationUnknown:     "{operation} 不是已知的操作",
		ProtectionOperationExists:      "操作 {operation} 已注册",
		ProtectionSettingInvalid:       "设置项 {field} 的值 {value} 无效，允许范围：{allowed}",
		ProtectionAccountUnknown:       "账号不存在",
	},
}
