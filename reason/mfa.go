package reason

// Codes of the mfa package.
const (
	// MFAMalformed: an MFA code is not exactly the device's number of ASCII
	// digits. Nothing was counted. Params: digits.
	MFAMalformed Code = "mfa.malformed"
	// MFAMismatch: an MFA code is wrong; one failure was counted. Params:
	// remaining.
	MFAMismatch Code = "mfa.mismatch"
	// MFAReplayed: an MFA code was already accepted, or is for a time step
	// before the last accepted one; one failure was counted. Params:
	// remaining.
	MFAReplayed Code = "mfa.replayed"
	// MFANotBound: the account has no MFA device.
	MFANotBound Code = "mfa.not_bound"
	// MFAAlreadyBound: the account already has an MFA device.
	MFAAlreadyBound Code = "mfa.already_bound"
	// MFAEnrolmentInvalid: the enrolment to confirm does not exist, belongs
	// to another account, was replaced or has expired.
	MFAEnrolmentInvalid Code = "mfa.enrolment_invalid"
	// MFAUsageRequired: neither login protection nor operation protection
	// was chosen when confirming a device.
	MFAUsageRequired Code = "mfa.usage_required"
	// MFATokenUnknown: no hardware token with the serial number was
	// imported.
	MFATokenUnknown Code = "mfa.token_unknown"
	// MFATokenTaken: the hardware token is bound to another account.
	MFATokenTaken Code = "mfa.token_taken"
	// MFATokenExists: a hardware token with the serial number was already
	// imported.
	MFATokenExists Code = "mfa.token_exists"
	// MFABackupMalformed: a backup code is not of the form the library
	// issues. Nothing was counted. Params: length.
	MFABackupMalformed Code = "mfa.backup_malformed"
	// MFABackupMismatch: a backup code is wrong or already used; one failure
	// was counted. Params: remaining.
	MFABackupMismatch Code = "mfa.backup_mismatch"
	// MFAKeyUnavailable: a stored MFA secret could not be decrypted (its key
	// is missing from the host's key ring, or the record was tampered with).
	// The operation was refused.
	MFAKeyUnavailable Code = "mfa.key_unavailable"
)

var mfaMessages = map[Language]map[Code]string{
	English: {
		MFAMalformed:        "the MFA code must be {digits} digits",
		MFAMismatch:         "the MFA code is wrong; {remaining} tries left",
		MFAReplayed:         "this MFA code was already used; wait for the next code ({remaining} tries left)",
		MFANotBound:         "no MFA device is bound to this account",
		MFAAlreadyBound:     "an MFA device is already bound to this account; unbind it first",
		MFAEnrolmentInvalid: "the MFA binding has expired or was replaced; start again",
		MFAUsageRequired:    "choose where MFA applies: login protection, operation protection or both",
		MFATokenUnknown:     "no hardware MFA device has this serial number",
		MFATokenTaken:       "this hardware MFA device is bound to another account",
		MFATokenExists:      "a hardware MFA device with this serial number already exists",
		MFABackupMalformed:  "a backup code has {length} letters and digits",
		MFABackupMismatch:   "the backup code is wrong or was already used; {remaining} tries left",
		MFAKeyUnavailable:   "the MFA device cannot be read at the moment; please try again later",
	},
	SimplifiedChinese: {
		MFAMalformed:        "MFA 验证码必须为 {digits} 位数字",
		MFAMismatch:         "MFA 验证码错误，还可尝试 {remaining} 次",
		MFAReplayed:         "该 MFA 验证码已使用过，请等待下一个验证码（还可尝试 {remaining} 次）",
		MFANotBound:         "该账号未绑定 MFA 设备",
		MFAAlreadyBound:     "该账号已绑定 MFA 设备，请先解绑",
		MFAEnrolmentInvalid: "MFA 绑定已过期或已被新的绑定替代，请重新开始",
		MFAUsageRequired:    "请选择 MFA 的应用范围：登录保护、操作保护或两者",
		MFATokenUnknown:     "不存在该序列号的硬件 MFA 设备",
		MFATokenTaken:       "该硬件 MFA 设备已绑定其他账号",
		MFATokenExists:      "该序列号的硬件 MFA 设备已存在",
		MFABackupMalformed:  "备用验证码由 {length} 位字母和数字组成",
		MFABackupMismatch:   "备用验证码错误或已使用，还可尝试 {remaining} 次",
		MFAKeyUnavailable:   "暂时无法读取 MFA 设备，请稍后重试",
	},
}
