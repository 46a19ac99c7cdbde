package account

import (
	"fmt"
	"log/slog"
	"slices"
	"time"

	"github.com/accountsec/accountsec/account/password"
	"github.com/accountsec/accountsec/notify"
)

// Account is a main account as stored. The service hands out copies: change
// an account through the [Service], never by writing a record back.
//
// ID, APPID, RegisteredAt, RegistrationMethod and RegistrationIdentifier
// never change after registration.
type Account struct {
	// ID is the numeric account ID, such as "100012345678".
	ID string
	// APPID maps one to one to the account ID.
	APPID string
	// Nickname is editable, at most MaxNicknameLen characters.
	Nickname string
	// Industry is editable, at most MaxIndustryLen characters.
	Industry string
	// RegisteredAt is when the account was created.
	RegisteredAt time.Time
	// RegistrationMethod is the login method the account was created with.
	RegistrationMethod Method
	// RegistrationIdentifier is the normalised identifier the account was
	// registered with. It holds the registration quota slot for the
	// account's lifetime, even after the method is unbound or changed.
	RegistrationIdentifier string
	// State is the lifecycle state.
	State State
	// RealName is the real-name verification record.
	RealName RealName
	// ContactPhone receives notifications by SMS (E.164).
	ContactPhone Contact
	// ContactEmail receives notifications by email.
	ContactEmail Contact
	// SecurityPhone (E.164) receives identity-verification codes; it holds
	// a phone quota slot.
	SecurityPhone string
	// SecurityEmail receives identity-verification codes.
	SecurityEmail string
	// LoginMethods are the bound login methods, at most one of each Method,
	// in the order they were bound.
	LoginMethods []LoginMethod
	// Password is the email login password; empty without an email login
	// method.
	Password Password
	// Security holds the protection and session settings.
	Security SecuritySettings
	// Version is the store's version of the record; every write increments
	// it. The store uses it to refuse a write based on a stale read.
	Version int64
}

// State is an account's lifecycle state.
type State string

// The lifecycle states. A deleted account has no state: it is gone (its ID
// and APPID stay reserved).
const (
	// StateActive is a normal account.
	StateActive State = "active"
	// StateCancelling is an account in its cancellation cooling-off period:
	// it keeps account-centre access (docs/RULES.md §9).
	StateCancelling State = "cancelling"
)

// LoginMethod is one bound login method.
type LoginMethod struct {
	// Method is the login method.
	Method Method
	// Identifier is the normalised email address or provider subject ID.
	Identifier string
	// BoundAt is when it was bound (or last changed).
	BoundAt time.Time
}

// Contact is a contact address with its pending change.
type Contact struct {
	// Address is the confirmed address; notifications go here.
	Address string
	// Pending is the new address awaiting confirmation, or "".
	Pending string
	// PendingSince is when the pending change was requested.
	PendingSince time.Time
}

// Password is the email login password as stored: argon2id hashes only.
// It never prints its hashes (String, GoString, Format and LogValue show
// only whether one is set).
type Password struct {
	// Hash is the current password's hash (PHC string), or "" for none.
	Hash string
	// History holds the recent hashes, most recent first, the current one
	// included, as password.PushHistory keeps them.
	History []string
	// ChangedAt is when the password was last set.
	ChangedAt time.Time
}

// String describes the password without its hashes.
func (p Password) String() string {
	return fmt.Sprintf("account.Password{Set:%t History:%d ChangedAt:%s}", p.Hash != "", len(p.History), p.ChangedAt.Format(time.RFC3339))
}

// GoString is String, so %#v does not print the hashes.
func (p Password) GoString() string { return p.String() }

// Format prints String for every verb.
func (p Password) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte(p.String())) }

// LogValue keeps the hashes out of structured logs.
func (p Password) LogValue() slog.Value { return slog.StringValue(p.String()) }

// RealNameStatus is an account's real-name status.
type RealNameStatus string

// The real-name statuses.
const (
	// RealNameUnverified: no real-name verification.
	RealNameUnverified RealNameStatus = "unverified"
	// RealNamePersonal: verified as a person.
	RealNamePersonal RealNameStatus = "personal"
	// RealNameEnterprise: verified as an enterprise.
	RealNameEnterprise RealNameStatus = "enterprise"
)

// RealName is the real-name verification record. Identity numbers are kept
// only masked (for display) and as keyed hashes (for counting).
type RealName struct {
	// Status is unverified, personal or enterprise.
	Status RealNameStatus
	// Name is the person's or the enterprise's name.
	Name string
	// MaskedNumber is the masked identity number or credit code.
	MaskedNumber string
	// NumberHash is the keyed hash of the identity number or credit code.
	NumberHash string
	// LegalPersonName is the enterprise's legal person (enterprise only).
	LegalPersonName string
	// LegalPersonHash is the keyed hash of the legal person's identity
	// number (enterprise only).
	LegalPersonHash string
	// VerifiedAt is when the current record was verified.
	VerifiedAt time.Time
}

// MaskedName is the name masked by the rule of its status (see MaskName and
// MaskEnterpriseName).
func (r RealName) MaskedName() string {
	if r.Status == RealNameEnterprise {
		return MaskEnterpriseName(r.Name)
	}
	return MaskName(r.Name)
}

// LoginMethod returns the bound login method m and whether there is one.
func (a Account) LoginMethod(m Method) (LoginMethod, bool) {
	for _, lm := range a.LoginMethods {
		if lm.Method == m {
			return lm, true
		}
	}
	return LoginMethod{}, false
}

// HasLoginMethod reports whether login method m is bound.
func (a Account) HasLoginMethod(m Method) bool {
	_, ok := a.LoginMethod(m)
	return ok
}

// LoginEmail returns the email of the email login method, or "".
func (a Account) LoginEmail() string {
	lm, _ := a.LoginMethod(MethodEmail)
	return lm.Identifier
}

// NotifyAddress returns where notifications on channel ch go: the confirmed
// contact address, or the security address when no contact is confirmed. A
// contact change awaiting confirmation does not redirect notifications. It
// returns "" when the account has no address on that channel.
func (a Account) NotifyAddress(ch notify.Channel) string {
	switch ch {
	case notify.SMS:
		return firstSet(a.ContactPhone.Address, a.SecurityPhone)
	case notify.Email:
		return firstSet(a.ContactEmail.Address, a.SecurityEmail)
	}
	return ""
}

func firstSet(first, second string) string {
	if first != "" {
		return first
	}
	return second
}

// PasswordRotationDue reports whether the password should be changed under
// policy p at now (docs/RULES.md §3: advice only). It is false without a password.
func (a Account) PasswordRotationDue(p password.Policy, now time.Time) bool {
	return a.Password.Hash != "" && password.RotationDue(p, a.Password.ChangedAt, now)
}

// clone returns a deep copy of a.
func (a Account) clone() Account {
	a.LoginMethods = slices.Clone(a.LoginMethods)
	a.Password.History = slices.Clone(a.Password.History)
	return a
}

// Clone returns a deep copy of a, for stores that keep records in memory.
func (a Account) Clone() Account { return a.clone() }

// setLoginMethod replaces or appends the login method lm.Method.
func (a *Account) setLoginMethod(lm LoginMethod) {
	for i := range a.LoginMethods {
		if a.LoginMethods[i].Method == lm.Method {
			a.LoginMethods[i] = lm
			return
		}
	}
	a.LoginMethods = append(a.LoginMethods, lm)
}

// removeLoginMethod removes login method m.
func (a *Account) removeLoginMethod(m Method) {
	a.LoginMethods = slices.DeleteFunc(a.LoginMethods, func(lm LoginMethod) bool { return lm.Method == m })
}
