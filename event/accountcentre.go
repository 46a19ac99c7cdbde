package event

// The kinds of events of the account centre's back office (package
// account). Scope is "quota_exception".
const (
	// QuotaExceptionSet: a back office set (or cleared) a quota exception.
	// For an account exception AccountID is set; for an identifier
	// exception Subject is the keyed hash of the identifier (never the
	// identifier). Attrs: target ("account" or "identifier"), operator,
	// quotas (scope/kind=limit pairs, comma-separated, or "" when
	// cleared), min_enterprise_name_length (account exceptions, "0" when
	// none), note_chars (the length of the operator's note).
	QuotaExceptionSet Kind = "quota_exception_set"
)
