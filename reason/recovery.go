package reason

// Codes of the recovery package.
const (
	// RecoveryTokenMalformed: the password reset token is not of the form
	// the library issues; nothing was looked up.
	RecoveryTokenMalformed Code = "recovery.token_malformed"
	// RecoveryTokenInvalid: no valid reset exists for the token (never
	// issued, expired, used, or replaced by a newer request).
	RecoveryTokenInvalid Code = "recovery.token_invalid"
	// RecoverySessionsNotEnded: the password was reset, but ending the
	// account's sessions failed; end them again.
	RecoverySessionsNotEnded Code = "recovery.sessions_not_ended"
)

var recoveryMessages = map[Language]map[Code]string{
	English: {
		RecoveryTokenMalformed:   "the password reset link is not valid",
		RecoveryTokenInvalid:     "the password reset link has expired, has been used or was replaced by a newer one; request a new one",
		RecoverySessionsNotEnded: "the password was reset, but signing out the account's sessions failed; please try again",
	},
	SimplifiedChinese: {
		RecoveryTokenMalformed:   "密码重置链接无效",
		RecoveryTokenInvalid:     "密码重置链接已过期、已使用或已被新的链接取代，请重新申请",
		RecoverySessionsNotEnded: "密码已重置，但退出该账号的会话失败，请重试",
	},
}
