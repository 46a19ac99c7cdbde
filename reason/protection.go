package reason

// Codes of the protection package.
const ()

var protectionMessages = map[Language]map[Code]string{
	English:           {},
	SimplifiedChinese: {},
}
