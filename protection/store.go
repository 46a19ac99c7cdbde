package protection

import (
	"context"
	"time"
)

// SessionRecord is a session as stored. ID is the SHA-256 hash of the
// session token; the token itself is never stored.
type SessionRecord struct {
	// ID is base64url(SHA-256(token bytes)). It is safe to show and log.
	ID string
	// AccountID is the account signed in.
	AccountID string
	// LoginMethod is how the user signed in ("password" or the third-party
	// method the host asserted, such as "wechat").
	LoginMethod string
	// ClientIP, City and DeviceName describe where the login came from
	// (for the session list).
	ClientIP   string
	City       string
	DeviceName string
	// CreatedAt is when the session started.
	CreatedAt time.Time
	// ExpiresAt is the absolute end: CreatedAt plus the lifetime the account
	// had at login. Activity never moves it.
	ExpiresAt time.Time
	// IdleTimeout is the idle timeout the account had at login.
	IdleTimeout time.Duration
	// LastSeenAt is the last recorded activity (written at most once per
	// Policy.TouchInterval).
	LastSeenAt time.Time
}

// SessionStore keeps sessions.
//
// Ending every session of an account must cost one write whatever the
// number of sessions, for example by a per-account generation number that
// each session record carries: EndAllSessions increments it, and a record of
// an older generation is ended. The same write must end the account's
// grants (see [GrantStore]).
type SessionStore interface {
	// CreateSession stores r as a live session of r.AccountID. An ID that
	// already exists is an error (IDs are 256-bit random hashes, so it
	// never happens by chance).
	CreateSession(ctx context.Context, r SessionRecord) error
	// Session returns the session with id. found is false when it does not
	// exist or was ended; the caller checks expiry.
	Session(ctx context.Context, id string) (r SessionRecord, found bool, err error)
	// TouchSession sets the session's LastSeenAt to at if at is later;
	// otherwise, or for an absent or ended session, it does nothing.
	TouchSession(ctx context.Context, id string, at time.Time) error
	// Sessions returns the account's sessions that are not ended and whose
	// ExpiresAt is after now, oldest first. Idle sessions are included; the
	// caller filters them.
	Sessions(ctx context.Context, accountID string, now time.Time) ([]SessionRecord, error)
	// EndSession ends the session id if it belongs to accountID, with the
	// grants bound to it, and reports whether it did.
	EndSession(ctx context.Context, accountID, id string) (bool, error)
	// EndAllSessions ends, in one write, every session of the account and
	// every grant of the account; keep, when not empty, names a session that
	// stays live (its grants end too). It is not an error when the account
	// has no session.
	EndAllSessions(ctx context.Context, accountID, keep string) error
}

// GrantRecord is a successful identity verification, kept for a while: a
// step-up of a session, or a verification for one purpose.
type GrantRecord struct {
	// AccountID is the account verified.
	AccountID string
	// Binding is what the grant is bound to: "session:" plus a session ID,
	// or a binding chosen by the host for a flow without a session.
	Binding string
	// Scope is what the grant allows: ScopeStepUp for every sensitive
	// operation, otherwise one purpose.
	Scope string
	// Method is the method that verified.
	Method Method
	// GrantedAt is when the verification succeeded.
	GrantedAt time.Time
	// ExpiresAt is when the grant ends. It never moves.
	ExpiresAt time.Time
}

// GrantStore keeps grants. A grant ends at its ExpiresAt, when its session
// ends (EndSession) and when the account's sessions all end
// (EndAllSessions).
type GrantStore interface {
	// PutGrant stores g, replacing a grant with the same account, binding
	// and scope.
	PutGrant(ctx context.Context, g GrantRecord) error
	// Grant returns the grant of the account, binding and scope. found is
	// false when there is none, it has ended, or its ExpiresAt is not after
	// now.
	Grant(ctx context.Context, accountID, binding, scope string, now time.Time) (g GrantRecord, found bool, err error)
}

// PendingLogin is a login whose password (or third-party login) was
// accepted and that waits for its second step. ID is the SHA-256 hash of
// the pending-login token.
type PendingLogin struct {
	// ID is base64url(SHA-256(token bytes)).
	ID string
	// AccountID is the account signing in.
	AccountID string
	// LoginMethod is "password" or the third-party method.
	LoginMethod string
	// ClientIP, City and DeviceName are those of the first step.
	ClientIP   string
	City       string
	DeviceName string
	// SecondFactor is true when login protection asked for the second step.
	SecondFactor bool
	// UnusualLocation is true when remote-login protection asked for it.
	UnusualLocation bool
	// Methods are the methods offered, the preferred first.
	Methods []Method
	// CreatedAt is when the first step succeeded.
	CreatedAt time.Time
	// ExpiresAt is when the pending login lapses.
	ExpiresAt time.Time
}

// PendingLoginStore keeps pending logins.
type PendingLoginStore interface {
	// PutPendingLogin stores p. An ID that already exists is an error.
	PutPendingLogin(ctx context.Context, p PendingLogin) error
	// PendingLogin returns the pending login with id; found is false when
	// there is none or its ExpiresAt is not after now.
	PendingLogin(ctx context.Context, id string, now time.Time) (p PendingLogin, found bool, err error)
	// ConsumePendingLogin returns and deletes the pending login with id in
	// one atomic step: of concurrent calls, at most one finds it.
	ConsumePendingLogin(ctx context.Context, id string, now time.Time) (p PendingLogin, found bool, err error)
}

// ChallengeRecord is a started identity verification.
type ChallengeRecord struct {
	// ID identifies the challenge (random, 256 bits).
	ID string
	// AccountID is the account to verify.
	AccountID string
	// Binding is what the result will be bound to.
	Binding string
	// Purpose is what the verification is for.
	Purpose string
	// Method is the method chosen.
	Method Method
	// Destination is the phone or email a code was sent to (SMS, Email).
	Destination string
	// Ticket is the host's ticket (WeChat scan, face).
	Ticket string
	// CreatedAt is when the challenge started.
	CreatedAt time.Time
	// ExpiresAt is when it can no longer be answered.
	ExpiresAt time.Time
}

// ChallengeStore keeps started verifications.
type ChallengeStore interface {
	// PutChallenge stores c. An ID that already exists is an error.
	PutChallenge(ctx context.Context, c ChallengeRecord) error
	// Challenge returns the challenge with id; found is false when there is
	// none or its ExpiresAt is not after now.
	Challenge(ctx context.Context, id string, now time.Time) (c ChallengeRecord, found bool, err error)
	// ConsumeChallenge returns and deletes the challenge with id in one
	// atomic step: of concurrent calls, at most one finds it.
	ConsumeChallenge(ctx context.Context, id string, now time.Time) (c ChallengeRecord, found bool, err error)
}

// TrustedDevice is a device trusted to skip login protection. ID is the
// SHA-256 hash of the device token the browser keeps.
type TrustedDevice struct {
	// ID is base64url(SHA-256(device token bytes)).
	ID string
	// AccountID is the account that trusted the device.
	AccountID string
	// Name describes the device (for example a browser and OS), for the
	// list.
	Name string
	// ClientIP and City are where it was trusted from.
	ClientIP string
	City     string
	// CreatedAt is when it was trusted.
	CreatedAt time.Time
	// ExpiresAt is when the trust ends.
	ExpiresAt time.Time
}

// TrustedDeviceStore keeps trusted devices.
type TrustedDeviceStore interface {
	// PutTrustedDevice stores d, replacing a device with the same account
	// and ID.
	PutTrustedDevice(ctx context.Context, d TrustedDevice) error
	// TrustedDevice returns the account's device with id; found is false
	// when there is none or its ExpiresAt is not after now.
	TrustedDevice(ctx context.Context, accountID, id string, now time.Time) (d TrustedDevice, found bool, err error)
	// TrustedDevices returns the account's devices whose ExpiresAt is after
	// now, oldest first.
	TrustedDevices(ctx context.Context, accountID string, now time.Time) ([]TrustedDevice, error)
	// DeleteTrustedDevice removes the account's device with id and reports
	// whether there was one.
	DeleteTrustedDevice(ctx context.Context, accountID, id string) (bool, error)
}

// LoginCity is a city the account logged in from.
type LoginCity struct {
	// City is the city's name, as the GeoLocator returned it.
	City string
	// LastAt is the last successful login from it.
	LastAt time.Time
}

// LoginCityStore keeps the cities of an account's successful logins.
type LoginCityStore interface {
	// RecordLoginCity notes a successful login from city at at, in one
	// atomic step: the city's LastAt becomes at if at is later (the city is
	// added if new), then only the keep cities with the latest LastAt are
	// kept; among cities with equal LastAt, those whose names sort last (by
	// bytes) come first. keep is at least 1.
	RecordLoginCity(ctx context.Context, accountID, city string, at time.Time, keep int) error
	// LoginCities returns the account's cities, latest LastAt first.
	LoginCities(ctx context.Context, accountID string) ([]LoginCity, error)
}

// Store is every store interface protection needs. memstore.ProtectionStore
// implements it.
//
// Every method is one atomic operation, takes its times from the caller and
// returns an error only for a system failure or for arguments that break the
// contract (an empty ID or account ID, keep below 1); absence is not an
// error. The ID of an expired pending login or challenge may be put again.
// protection fails closed on any error.
type Store interface {
	SessionStore
	GrantStore
	PendingLoginStore
	ChallengeStore
	TrustedDeviceStore
	LoginCityStore
}
