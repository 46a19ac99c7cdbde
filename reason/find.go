package reason

// Codes of the account finder (package recovery: finding a forgotten
// account, docs/RULES.md §8) and of its input validation.
const (
	// FindCheckCharacter: an identity number or credit code fails its check
	// character (GB 11643, GB 32100). Params: field.
	FindCheckCharacter Code = "find.check_character"
	// FindNotPublic: a server IP address is not a public unicast address
	// (loopback, private, link-local, multicast, unspecified, with a zone,
	// …). Params: field.
	FindNotPublic Code = "find.not_public"
	// FindTokenMalformed: a find token is not of the form the library
	// issues; nothing was looked up.
	FindTokenMalformed Code = "find.token_malformed"
	// FindSessionInvalid: no find session exists for the token (never
	// issued, expired, used up, or already answered).
	FindSessionInvalid Code = "find.session_invalid"
	// FindWrongStep: the step does not follow the session's last one (a face
	// result asked before a face check was started, a second answer, …).
	FindWrongStep Code = "find.wrong_step"
	// FindUnavailable: the host did not wire what this way needs (an asset
	// directory, a face verifier). Params: way.
	FindUnavailable Code = "find.unavailable"
	// FindUnknownWay: a way or asset kind that the library does not know.
	// Params: allowed.
	FindUnknownWay Code = "find.unknown_way"
)

var findMessages = map[Language]map[Code]string{
	English: {
		FindCheckCharacter: "the check character of {field} is wrong; please check the number",
		FindNotPublic:      "{field} is not a public IP address",
		FindTokenMalformed: "the account search is not valid; please start again",
		FindSessionInvalid: "the account search has expired or has been used; please start again",
		FindWrongStep:      "this step cannot be taken now; please follow the steps in order",
		FindUnavailable:    "finding an account by {way} is not available",
		FindUnknownWay:     "unknown way of finding an account; allowed: {allowed}",
	},
	SimplifiedChinese: {
		FindCheckCharacter: "{field} 的校验位不正确，请检查号码",
		FindNotPublic:      "{field} 不是公网 IP 地址",
		FindTokenMalformed: "账号找回请求无效，请重新开始",
		FindSessionInvalid: "账号找回请求已过期或已使用，请重新开始",
		FindWrongStep:      "当前无法进行此步骤，请按顺序操作",
		FindUnavailable:    "暂不支持通过 {way} 找回账号",
		FindUnknownWay:     "未知的账号找回方式，允许：{allowed}",
	},
}
