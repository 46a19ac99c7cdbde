package reason

// Further codes of the account package: the account-centre lists and the
// back-office quota exceptions.
const (
	// AccountIndustryUnknown: the industry is not one of the list the
	// account centre offers.
	AccountIndustryUnknown Code = "account.industry_unknown"
	// AccountQuotaExceptionInvalid: a quota exception names a quota that
	// cannot be raised for it, or a value out of range. Params: field.
	AccountQuotaExceptionInvalid Code = "account.quota_exception_invalid"
)

var accountCentreMessages = map[Language]map[Code]string{
	English: {
		AccountIndustryUnknown:       "choose the industry from the list",
		AccountQuotaExceptionInvalid: "the quota exception is not valid ({field})",
	},
	SimplifiedChinese: {
		AccountIndustryUnknown:       "请从列表中选择行业",
		AccountQuotaExceptionInvalid: "配额例外无效（{field}）",
	},
}
