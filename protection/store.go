package protection

import (
	"time"

	"github.com/accountsec/accountsec/state"
)

// Store is what protection keeps its state in: owner-scoped record sets and
// single-use records (see package state). memstore.Store, pgstore.Store and
// redisstore.Store implement it.
//
// The records of an account belong to an owner that is a keyed tag of the
// account ID (so a store never sees account IDs), in these sets:
//
//   - "session": sessions (IDs "s/" + session ID; Order is the last-seen
//     time in milliseconds, ExpiresAt the absolute end) and step-up grants
//     (IDs "g/" + the hash of the binding + "/" + the scope). Signing out
//     everywhere is one EndRecords of the set, which ends every session and
//     every grant of the account in one write.
//   - "device": trusted devices (ID: the device ID).
//   - "city": the cities of successful logins (ID: the hash of the name;
//     Order is the last login in milliseconds; only Policy.UsualCities
//     stay).
//
// Single-use records: pending logins (IDs "login/" + the hash of the token)
// and started verifications (IDs "challenge/" + the hash of the token).
//
// protection fails closed on every store error.
type Store interface {
	state.Records
	state.Onces
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

// LoginCity is a city the account logged in from.
type LoginCity struct {
	// City is the city's name, as the GeoLocator returned it.
	City string
	// LastAt is the last successful login from it.
	LastAt time.Time
}
