package reason

// The codes of the library. Placeholders in braces name the parameters each
// one carries.
const (
	// PolicyInvalid: a policy field is out of range. Params: field, value, allowed.
	PolicyInvalid Code = "policy.invalid"

	// InputEmpty: a required input is empty. Params: field.
	InputEmpty Code = "input.empty"
	// InputTooLong: an input is longer than allowed. Params: field, max.
	InputTooLong Code = "input.too_long"
	// InputMalformed: an input is not of the expected form. Params: field.
	InputMalformed Code = "input.malformed"
	// InputInvalidUTF8: an input is not valid UTF-8. Params: field.
	InputInvalidUTF8 Code = "input.invalid_utf8"

	// StoreUnavailable: the store failed; the operation was refused (fail closed).
	StoreUnavailable Code = "store.unavailable"

	// LimitsLocked: too many failures; locked until a time. Params: until.
	LimitsLocked Code = "limits.locked"
	// LimitsRateLimited: sending too often. Params: retry_after.
	LimitsRateLimited Code = "limits.rate_limited"
	// LimitsQuotaExceeded: an identifier already holds its quota. Params: limit.
	LimitsQuotaExceeded Code = "limits.quota_exceeded"

	// CodeMalformed: a verification code is not 6 ASCII digits.
	CodeMalformed Code = "code.malformed"
	// CodeMismatch: a verification code is wrong. Params: remaining.
	CodeMismatch Code = "code.mismatch"
	// CodeInvalid: no valid code exists (never sent, expired, used or exhausted).
	CodeInvalid Code = "code.invalid"
	// CodeSendFailed: the host's sender failed to deliver a code.
	CodeSendFailed Code = "code.send_failed"

	// PasswordTooShort: fewer characters than the policy minimum. Params: min.
	PasswordTooShort Code = "password.too_short"
	// PasswordTooLong: more characters than the policy maximum. Params: max.
	PasswordTooLong Code = "password.too_long"
	// PasswordTooLarge: more bytes than the byte cap; nothing else was checked. Params: max_bytes.
	PasswordTooLarge Code = "password.too_large"
	// PasswordInvalidUTF8: the password is not valid UTF-8.
	PasswordInvalidUTF8 Code = "password.invalid_utf8"
	// PasswordMissingUpper: no uppercase letter.
	PasswordMissingUpper Code = "password.missing_upper"
	// PasswordMissingLower: no lowercase letter.
	PasswordMissingLower Code = "password.missing_lower"
	// PasswordMissingDigit: no digit.
	PasswordMissingDigit Code = "password.missing_digit"
	// PasswordMissingPunct: no punctuation mark.
	PasswordMissingPunct Code = "password.missing_punct"
	// PasswordHasSpace: contains a space or other white space.
	PasswordHasSpace Code = "password.has_space"
	// PasswordControlChar: contains a control character.
	PasswordControlChar Code = "password.control_char"
	// PasswordReused: equals one of the recent passwords. Params: history.
	PasswordReused Code = "password.reused"
	// PasswordCommon: on the list of common or breached passwords.
	PasswordCommon Code = "password.common"
	// PasswordRepetitive: a repetition of a short pattern.
	PasswordRepetitive Code = "password.repetitive"
	// PasswordConfirmMismatch: the confirmation differs from the new password.
	PasswordConfirmMismatch Code = "password.confirm_mismatch"
	// PasswordWrong: the password does not match.
	PasswordWrong Code = "password.wrong"
	// PasswordHashMalformed: a stored hash is not in a known format.
	PasswordHashMalformed Code = "password.hash_malformed"
)

var core = map[Language]map[Code]string{
	English: {
		PolicyInvalid:    "policy field {field} has value {value}; allowed: {allowed}",
		InputEmpty:       "{field} is required",
		InputTooLong:     "{field} is longer than {max}",
		InputMalformed:   "{field} is not valid",
		InputInvalidUTF8: "{field} is not valid UTF-8 text",
		StoreUnavailable: "the service is temporarily unavailable; please try again",

		LimitsLocked:        "too many failed attempts; locked until {until}",
		LimitsRateLimited:   "too many requests; try again in {retry_after}",
		LimitsQuotaExceeded: "this identifier is already used by the maximum of {limit} accounts",

		CodeMalformed:  "the verification code must be 6 digits",
		CodeMismatch:   "the verification code is wrong; {remaining} tries left",
		CodeInvalid:    "the verification code is invalid or has expired; request a new one",
		CodeSendFailed: "the verification code could not be sent",

		PasswordTooShort:        "the password must have at least {min} characters",
		PasswordTooLong:         "the password must have at most {max} characters",
		PasswordTooLarge:        "the password is larger than {max_bytes} bytes",
		PasswordInvalidUTF8:     "the password is not valid UTF-8 text",
		PasswordMissingUpper:    "the password must contain an uppercase letter",
		PasswordMissingLower:    "the password must contain a lowercase letter",
		PasswordMissingDigit:    "the password must contain a digit",
		PasswordMissingPunct:    "the password must contain a punctuation mark",
		PasswordHasSpace:        "the password must not contain spaces",
		PasswordControlChar:     "the password must not contain control characters",
		PasswordReused:          "the password must differ from your last {history} passwords",
		PasswordCommon:          "the password is too common",
		PasswordRepetitive:      "the password is a repeated pattern",
		PasswordConfirmMismatch: "the confirmation does not match the new password",
		PasswordWrong:           "the password is wrong",
		PasswordHashMalformed:   "the stored password hash is not in a known format",
	},
	SimplifiedChinese: {
		PolicyInvalid:    "策略字段 {field} 的值 {value} 无效，允许范围：{allowed}",
		InputEmpty:       "{field} 不能为空",
		InputTooLong:     "{field} 超过最大长度 {max}",
		InputMalformed:   "{field} 格式不正确",
		InputInvalidUTF8: "{field} 不是有效的 UTF-8 文本",
		StoreUnavailable: "服务暂时不可用，请稍后重试",

		LimitsLocked:        "失败次数过多，账号已锁定至 {until}",
		LimitsRateLimited:   "请求过于频繁，请在 {retry_after} 后重试",
		LimitsQuotaExceeded: "该标识已被最多 {limit} 个账号使用",

		CodeMalformed:  "验证码必须为 6 位数字",
		CodeMismatch:   "验证码错误，还可尝试 {remaining} 次",
		CodeInvalid:    "验证码无效或已过期，请重新获取",
		CodeSendFailed: "验证码发送失败",

		PasswordTooShort:        "密码长度至少为 {min} 个字符",
		PasswordTooLong:         "密码长度最多为 {max} 个字符",
		PasswordTooLarge:        "密码超过 {max_bytes} 字节",
		PasswordInvalidUTF8:     "密码不是有效的 UTF-8 文本",
		PasswordMissingUpper:    "密码必须包含大写字母",
		PasswordMissingLower:    "密码必须包含小写字母",
		PasswordMissingDigit:    "密码必须包含数字",
		PasswordMissingPunct:    "密码必须包含标点符号",
		PasswordHasSpace:        "密码不能包含空格",
		PasswordControlChar:     "密码不能包含控制字符",
		PasswordReused:          "新密码不能与最近 {history} 次使用的密码相同",
		PasswordCommon:          "密码过于常见",
		PasswordRepetitive:      "密码是简单的重复模式",
		PasswordConfirmMismatch: "两次输入的新密码不一致",
		PasswordWrong:           "密码错误",
		PasswordHashMalformed:   "已存储的密码哈希格式无法识别",
	},
}

// catalogs merges the per-area message tables (core here, the others in
// their own files) once at start-up; it is never written afterwards.
var catalogs = merge(core, featureMessages, accountMessages, mfaMessages, protectionMessages, recoveryMessages, findMessages, lifecycleMessages, subUserMessages, appealMessages, accountCentreMessages)

func merge(tables ...map[Language]map[Code]string) map[Language]map[Code]string {
	out := map[Language]map[Code]string{English: {}, SimplifiedChinese: {}}
	for _, t := range tables {
		for lang, msgs := range t {
			for c, m := range msgs {
				out[lang][c] = m
			}
		}
	}
	return out
}

// AllCodes returns every code that has an English message, sorted.
func AllCodes() []Code {
	out := make([]Code, 0, len(catalogs[English]))
	for c := range catalogs[English] {
		out = append(out, c)
	}
	sortCodes(out)
	return out
}
