package protection

import (
	"context"

	"github.com/accountsec/accountsec/account"
	"github.com/accountsec/accountsec/internal/proof"
	"github.com/accountsec/accountsec/notify"
	"github.com/accountsec/accountsec/vocab"
)

// Accounts gives protection the accounts' security profiles and stores
// changes to their protection settings. The account package holds both; the
// facade adapts it.
type Accounts interface {
	// Profile returns the profile of the account with ID accountID. found is
	// false (and err nil) when there is no such account; err is for system
	// failures only.
	Profile(ctx context.Context, accountID string) (p Profile, found bool, err error)
	// UpdateSettings applies c to the account's protection settings in one
	// atomic update (fields left nil are unchanged), so that two concurrent
	// changes of different fields both survive. It returns found false when
	// there is no such account. Values reach it already validated. proofs
	// are the proofs of the operations the change needs (see
	// vocab.SettingOperation), for account.Service.UpdateSecurity.
	UpdateSettings(ctx context.Context, proofs []vocab.Proof, accountID string, c SettingsChange) (found bool, err error)
}

// Credentials finds the password of a login identifier, for the first step
// of a password login, and replaces an outdated hash. *account.Service
// implements it.
type Credentials interface {
	// PasswordCredential returns the account and the stored password hash
	// of the login identifier login (an email login, normalised by the
	// implementation). found is false when no account has this login, the
	// account has no password or the login is malformed; err is for system
	// failures only.
	PasswordCredential(ctx context.Context, login string) (c account.Credential, found bool, err error)
	// UpgradePasswordHash replaces c's hash by fresh (a new hash of the
	// password just checked) unless the account changed since c was read.
	// p proves account.OpUpgradePasswordHash; the login mints it.
	UpgradePasswordHash(ctx context.Context, p proof.Proof, c account.Credential, fresh string) (replaced bool, err error)
}

// PasswordVerifier checks and hashes passwords. *password.Hasher
// implements it.
type PasswordVerifier interface {
	// Verify reports whether pw matches the stored hash encoded, and
	// whether the hash should be replaced by a fresh one.
	Verify(ctx context.Context, pw, encoded string) (ok, needsRehash bool, err error)
	// VerifyDummy does the work of a failing Verify, for an unknown login,
	// so that timing does not reveal which logins exist. It reports false.
	VerifyDummy(ctx context.Context, pw string) (bool, error)
	// Hash returns a fresh hash of pw at the current parameters.
	Hash(ctx context.Context, pw string) (string, error)
}

// MFAVerifier checks a TOTP code of the account's MFA device, once: a code
// accepted here is never accepted again. A thin adapter over
// (*mfa.Manager).Verify implements it (see [MFAFunc]). It counts wrong
// codes itself, as mfa.Manager does under mfa.LimiterScope: protection
// does not count them again.
type MFAVerifier interface {
	// Verify returns nil when code is right. Wrong, malformed and replayed
	// codes are reason-coded errors; a locked account is
	// *limits.LockedError; a store failure is a reason.StoreUnavailable
	// error.
	Verify(ctx context.Context, accountID, code string) error
}

// MFAFunc adapts a function to [MFAVerifier].
type MFAFunc func(ctx context.Context, accountID, code string) error

// Verify calls f.
func (f MFAFunc) Verify(ctx context.Context, accountID, code string) error {
	return f(ctx, accountID, code)
}

// CodeSender sends and checks one-time codes. *notify.Codes implements it.
type CodeSender interface {
	// Send issues a code for t and delivers it.
	Send(ctx context.Context, t notify.Target, clientIP string) (notify.Sent, error)
	// Verify checks code for t and consumes it on success.
	Verify(ctx context.Context, t notify.Target, code string) error
}

// HostResult is the state of a verification the host performs (a WeChat
// scan, a face check).
type HostResult int

// The states of a host verification.
const (
	// HostPending: the user has not finished yet (not scanned, not
	// confirmed). Asking again later is fine; nothing is counted.
	HostPending HostResult = iota
	// HostConfirmed: the linked WeChat confirmed, or the face matched the
	// account's real-name person.
	HostConfirmed
	// HostRejected: someone else scanned, or the face did not match. One
	// failure is counted.
	HostRejected
)

// HostChallenge is what the host returns when it starts a verification.
type HostChallenge struct {
	// Ticket identifies the verification at the host. protection keeps it
	// with the challenge and gives it back when the user answers; it is
	// never put in events.
	Ticket string
	// URL is what the user opens or scans (a QR code's content, a face
	// verification page), if any.
	URL string
}

// WeChatScanner is the host's WeChat-scan verification: the user scans a code
// with WeChat and the host confirms that the WeChat user who scanned is the
// account's linked WeChat.
type WeChatScanner interface {
	// StartScan begins a scan for the account.
	StartScan(ctx context.Context, accountID string) (HostChallenge, error)
	// ScanResult reports the state of the scan with the ticket.
	ScanResult(ctx context.Context, accountID, ticket string) (HostResult, error)
}

// FaceVerifier is the host's face verification of the account's real-name
// person.
type FaceVerifier interface {
	// StartFace begins a face verification for the account.
	StartFace(ctx context.Context, accountID string) (HostChallenge, error)
	// FaceResult reports the state of the face verification with the
	// ticket.
	FaceResult(ctx context.Context, accountID, ticket string) (HostResult, error)
}

// GeoLocator resolves a client IP address to a city, for remote-login
// protection. The host implements it (a GeoIP database).
type GeoLocator interface {
	// City returns the city of ip, or "" when it is unknown (a private
	// address, an address not in the database). An unknown city is never
	// a usual one.
	City(ctx context.Context, ip string) (string, error)
}
