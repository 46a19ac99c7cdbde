package event

// The kinds of events of the account package. AccountID is always set. Their
// Attrs carry the login method ("method"), a masked identifier
// ("identifier", for example "a***e@example.com" or "+86138****8000"), the
// real-name status ("status"); never a password, a hash, a code or a raw identity number.
const (
	// AccountRegistered: an account was created. Attrs: method, identifier.
	AccountRegistered Kind = "account_registered"
	// AccountDeleted: an account was deleted and its quota slots released.
	AccountDeleted Kind = "account_deleted"
	// LoginMethodBound: a login method was bound. Attrs: method, identifier.
	LoginMethodBound Kind = "login_method_bound"
	// LoginMethodChanged: a login method was re-bound to another
	// identifier. Attrs: method, identifier (the new one, masked).
	LoginMethodChanged Kind = "login_method_changed"
	// LoginMethodUnbound: a login method was unbound. Attrs: method,
	// identifier, registration ("true" when it was the registration method).
	LoginMethodUnbound Kind = "login_method_unbound"
	// LoginMethodUnbindRefused: unbinding a login method was refused
	// because conditions of docs/RULES.md §5 are unmet. Attrs: method,
	// reason (the reason codes of the unmet conditions, comma-separated).
	LoginMethodUnbindRefused Kind = "login_method_unbind_refused"
	// PasswordChanged: the email login password was changed (by a password
	// change or a login email change).
	PasswordChanged Kind = "password_changed"
	// PasswordRehashed: a login replaced an outdated password hash (a
	// migrated bcrypt hash, weaker argon2id parameters) by a fresh hash of
	// the same password.
	PasswordRehashed Kind = "password_rehashed"
	// PasswordChangeFailed: a password change was refused because the old
	// password was wrong; it counted towards the lockout.
	PasswordChangeFailed Kind = "password_change_failed"
	// SecurityPhoneChanged: the security phone was set or changed. Attrs:
	// identifier.
	SecurityPhoneChanged Kind = "security_phone_changed"
	// SecurityEmailChanged: the security email was set or changed. Attrs:
	// identifier.
	SecurityEmailChanged Kind = "security_email_changed"
	// ContactChanged: a contact phone or email change was confirmed. Attrs:
	// field ("contact_phone" or "contact_email"), identifier.
	ContactChanged Kind = "contact_changed"
	// RealNameVerified: a real-name verification was recorded. Attrs:
	// status ("personal" or "enterprise").
	RealNameVerified Kind = "real_name_verified"
)
