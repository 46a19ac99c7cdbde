package event

// The kinds of events of finding a forgotten account (package recovery,
// docs/RULES.md §8). Their Scope is "find". Subject is a keyed hash of the
// identifier the user typed (phone, domain, filing number, IP, account ID,
// identity number), never the identifier. AccountID is set only where
// noted, when an account matched (the host learns it; the user does not).
// Attrs carry "way" (the way's name, recovery.Way) and the values noted;
// never a phone, a name, an identity number, a token, a ticket or a
// registration method.
const (
	// FindStarted: a way was started (an asset or an account ID looked
	// up, an identity's face check begun). AccountID: the account the
	// asset or ID names, when one does. Attrs: way.
	FindStarted Kind = "find_started"
	// FindPhoneLookedUp: the security-phone way looked a phone up. Attrs:
	// way, accounts (how many accounts it is the security phone of).
	FindPhoneLookedUp Kind = "find_phone_looked_up"
	// FindPhoneAnswered: a phone was entered to verify a found account.
	// AccountID when the session's asset named one. Attrs: way, matched
	// ("true" when it is the account's security phone and the information
	// was sent to it).
	FindPhoneAnswered Kind = "find_phone_answered"
	// FindInfoSent: account information went by SMS to a verified phone.
	// Attrs: way, accounts (how many were listed).
	FindInfoSent Kind = "find_info_sent"
	// FindSendFailed: the host's SMS sender failed to take the account
	// information; the user was told the same as on success. Attrs: way,
	// reason (the sender error's reason code, or "send_failed").
	FindSendFailed Kind = "find_send_failed"
	// FindFaceStarted: a face check of a find session began. Attrs: way.
	FindFaceStarted Kind = "find_face_started"
	// FindFacePassed: the face matched; the result was shown. AccountID:
	// the account of an asset way (empty for the personal way, which may
	// list several). Attrs: way, accounts (how many were shown).
	FindFacePassed Kind = "find_face_passed"
	// FindFaceRejected: the face did not match (or the session's asset
	// names no account with a real-name person); one failure was counted.
	// Attrs: way.
	FindFaceRejected Kind = "find_face_rejected"
	// FindRejected: a step was refused for its session: unknown, expired
	// or used token, or a step out of order. Attrs: reason (a reason code).
	FindRejected Kind = "find_rejected"
)
