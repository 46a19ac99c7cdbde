package reason

// Codes of features the host did not wire.
const (
	// FeatureUnavailable: the feature needs a dependency the host did not
	// supply (for example the password reset without an email sender); it
	// answers this error instead of failing later. Params: feature, needs.
	FeatureUnavailable Code = "feature.unavailable"
)

var featureMessages = map[Language]map[Code]string{
	English: {
		FeatureUnavailable: "{feature} is not available on this service (it needs {needs})",
	},
	SimplifiedChinese: {
		FeatureUnavailable: "此服务未提供{feature}功能（需要 {needs}）",
	},
}

// Unavailable returns the FeatureUnavailable error of feature, which needs
// the dependency needs (for example "accountsec.Deps.Email").
func Unavailable(feature, needs string) *Error {
	return New(FeatureUnavailable).With("feature", feature).With("needs", needs)
}
