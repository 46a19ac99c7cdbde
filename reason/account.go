package reason

// Codes of the account package.
const (
	// AccountNotFound: no account has this ID or APPID (or it was deleted).
	AccountNotFound Code = "account.not_found"
	// AccountUnknownMethod: not one of the login methods. Params: allowed.
	AccountUnknownMethod Code = "account.unknown_method"
	// AccountUnknownVerifyMethod: not one of the verification methods.
	// Params: allowed.
	AccountUnknownVerifyMethod Code = "account.unknown_verify_method"
	// AccountMethodAlreadyBound: the account already has a login method of
	// this kind; it can be changed, not bound twice. Params: method.
	AccountMethodAlreadyBound Code = "account.method_already_bound"
	// AccountMethodNotBound: the account has no login method of this kind.
	// Params: method.
	AccountMethodNotBound Code = "account.method_not_bound"
	// AccountSameIdentifier: the new value equals the current one. Params:
	// field.
	AccountSameIdentifier Code = "account.same_identifier"
	// AccountLastLoginMethod: the last login method cannot be unbound (this
	// is also condition 1 of unbinding the registration method).
	AccountLastLoginMethod Code = "account.last_login_method"
	// AccountMethodInUse: the login method is the verification method of
	// security settings that must be changed first (condition 2 of
	// unbinding the registration method). Params: settings.
	AccountMethodInUse Code = "account.method_in_use"
	// AccountSecurityPhoneRequired: the account needs a security phone
	// before its registration method can be unbound (condition 3).
	AccountSecurityPhoneRequired Code = "account.security_phone_required"
	// AccountNoPassword: the account has no email login method, hence no
	// password.
	AccountNoPassword Code = "account.no_password"
	// AccountWeComNotAuthorized: the WeCom administrator did not authorise
	// the binding.
	AccountWeComNotAuthorized Code = "account.wecom_not_authorized"
	// AccountVerificationRequired: identity verification is required first.
	AccountVerificationRequired Code = "account.verification_required"
	// AccountNoPendingContact: no contact change awaits confirmation.
	// Params: field.
	AccountNoPendingContact Code = "account.no_pending_contact"
	// AccountRealNameTooSoon: the real-name information changed less than
	// the minimum interval ago. Params: until.
	AccountRealNameTooSoon Code = "account.realname_too_soon"
	// AccountRealNameUnchanged: the account is already verified with exactly
	// this identity.
	AccountRealNameUnchanged Code = "account.realname_unchanged"
	// AccountEnterpriseNameTooShort: fewer Unicode characters than the
	// policy minimum. Params: min.
	AccountEnterpriseNameTooShort Code = "account.enterprise_name_too_short"
	// AccountChangedMeanwhile: the account changed between the check and the
	// write in a way that invalidates the request.
	AccountChangedMeanwhile Code = "account.changed_meanwhile"
	// AccountVerifyMethodUnavailable: the account lacks what a verification
	// method needs (a security phone for sms, …). Params: method.
	AccountVerifyMethodUnavailable Code = "account.verify_method_unavailable"
	// AccountVerifyMethodNotAllowed: the verification method cannot be used
	// for this setting. Params: method, field.
	AccountVerifyMethodNotAllowed Code = "account.verify_method_not_allowed"
	// AccountSettingOutOfRange: a security setting is outside its range.
	// Params: field, min, max.
	AccountSettingOutOfRange Code = "account.setting_out_of_range"
)

var accountMessages = map[Language]map[Code]string{
	English: {
		AccountNotFound:                "the account does not exist",
		AccountUnknownMethod:           "unknown login method; allowed: {allowed}",
		AccountUnknownVerifyMethod:     "unknown verification method; allowed: {allowed}",
		AccountMethodAlreadyBound:      "a {method} login method is already bound; change it instead",
		AccountMethodNotBound:          "no {method} login method is bound",
		AccountSameIdentifier:          "the new {field} is the same as the current one",
		AccountLastLoginMethod:         "the last login method cannot be unbound; bind another one first",
		AccountMethodInUse:             "this login method is used by {settings}; change those settings first",
		AccountSecurityPhoneRequired:   "set a security phone before unbinding the registration method",
		AccountNoPassword:              "the account has no email login method and so no password; bind an email first",
		AccountWeComNotAuthorized:      "the WeCom administrator has not authorised this binding",
		AccountVerificationRequired:    "identity verification is required",
		AccountNoPendingContact:        "no {field} change is waiting for confirmation",
		AccountRealNameTooSoon:         "the real-name information can be changed again from {until}",
		AccountRealNameUnchanged:       "the account is already verified with this identity",
		AccountEnterpriseNameTooShort:  "the enterprise name must have at least {min} characters",
		AccountChangedMeanwhile:        "the account changed meanwhile; please try again",
		AccountVerifyMethodUnavailable: "the {method} verification method is not available for this account",
		AccountVerifyMethodNotAllowed:  "{method} cannot be used for {field}",
		AccountSettingOutOfRange:       "{field} must be between {min} and {max}",
	},
	SimplifiedChinese: {
		AccountNotFound:                "账号不存在",
		AccountUnknownMethod:           "未知的登录方式，允许：{allowed}",
		AccountUnknownVerifyMethod:     "未知的验证方式，允许：{allowed}",
		AccountMethodAlreadyBound:      "已绑定 {method} 登录方式，请使用更换功能",
		AccountMethodNotBound:          "未绑定 {method} 登录方式",
		AccountSameIdentifier:          "新的 {field} 与当前的相同",
		AccountLastLoginMethod:         "不能解绑最后一种登录方式，请先绑定其他登录方式",
		AccountMethodInUse:             "该登录方式正用于 {settings}，请先修改这些设置",
		AccountSecurityPhoneRequired:   "解绑注册方式前请先设置安全手机",
		AccountNoPassword:              "账号没有邮箱登录方式，因此没有密码，请先绑定邮箱",
		AccountWeComNotAuthorized:      "企业微信管理员未授权此次绑定",
		AccountVerificationRequired:    "需要先进行身份验证",
		AccountNoPendingContact:        "没有待确认的 {field} 变更",
		AccountRealNameTooSoon:         "实名信息需到 {until} 之后才能再次变更",
		AccountRealNameUnchanged:       "账号已使用该身份完成实名认证",
		AccountEnterpriseNameTooShort:  "企业名称至少需要 {min} 个字符",
		AccountChangedMeanwhile:        "账号信息已被修改，请重试",
		AccountVerifyMethodUnavailable: "该账号无法使用 {method} 验证方式",
		AccountVerifyMethodNotAllowed:  "{method} 不能用于 {field}",
		AccountSettingOutOfRange:       "{field} 必须介于 {min} 和 {max} 之间",
	},
}
