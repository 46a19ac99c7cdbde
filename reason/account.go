package reason

// Codes of the account package.
const ()

var accountMessages = map[Language]map[Code]string{
	English:           {},
	SimplifiedChinese: {},
}
