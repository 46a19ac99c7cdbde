package reason

// Codes of the recovery package.
const ()

var recoveryMessages = map[Language]map[Code]string{
	English:           {},
	SimplifiedChinese: {},
}
