// Package proof holds the value that carries a fresh identity verification
// from protection to the domain methods that make sensitive changes. Only
// packages of this module can mint one (the package is internal), so a host
// cannot construct a proof: it gets one from protection (Authorize, or a
// verification bound to a flow) and hands it to the change.
package proof

import "time"

// Proof says: the account passed (or did not need) identity verification
// for one operation, in one session or flow binding, and the change may be
// made until ExpiresAt. The zero Proof proves nothing. Proofs hold no
// secret; they are plain values, safe to copy and to print.
type Proof struct {
	account   string
	binding   string
	session   string // a session's ID, when binding is that session's (built on demand)
	operation string
	expires   time.Time
}

// Mint returns a proof for the account, binding (a session binding or a
// flow's) and operation, valid strictly before expires. Only protection
// mints proofs for users' operations; other packages of the module mint them
// for their own internal steps (for example the login's hash upgrade).
func Mint(account, binding, operation string, expires time.Time) Proof {
	return Proof{account: account, binding: binding, operation: operation, expires: expires}
}

// MintSession is Mint for the binding of the session with ID sessionID
// ("session:" + sessionID), whose text is built only if Binding is asked.
func MintSession(account, sessionID, operation string, expires time.Time) Proof {
	return Proof{account: account, session: sessionID, operation: operation, expires: expires}
}

// Valid reports whether p proves operation for account at now.
func (p Proof) Valid(account, operation string, now time.Time) bool {
	return p.account != "" && p.account == account && p.operation == operation && now.Before(p.expires)
}

// Account returns the account the proof is for ("" for the zero Proof).
func (p Proof) Account() string { return p.account }

// Binding returns the session or flow binding the verification was made in.
func (p Proof) Binding() string {
	if p.binding == "" && p.session != "" {
		return "session:" + p.session
	}
	return p.binding
}

// Operation returns the operation the proof is for.
func (p Proof) Operation() string { return p.operation }

// ExpiresAt returns the end of the proof's validity.
func (p Proof) ExpiresAt() time.Time { return p.expires }
