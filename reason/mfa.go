package reason

// Codes of the mfa package.
const ()

var mfaMessages = map[Language]map[Code]string{
	English:           {},
	SimplifiedChinese: {},
}
