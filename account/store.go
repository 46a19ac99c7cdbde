package account

import (
	"context"
	"slices"

	"github.com/accountsec/accountsec/limits"
)

// Scope is a quota namespace: the same identifier counts separately in
// each scope (an email's registration quota is not its binding quota).
type Scope string

// The scopes.
const (
	// ScopeRegister counts the accounts registered with an identifier. An
	// account keeps its slot for its lifetime, even after it unbinds or
	// changes the registration method, so that "register, unbind,
	// register again" cannot mint unlimited accounts per identifier.
	ScopeRegister Scope = "register"
	// ScopeBind counts the accounts an identifier is bound to as a login
	// method (the registration method included). Unbinding releases it.
	ScopeBind Scope = "bind"
	// ScopeSecurityPhone counts the accounts a phone is the security phone
	// of. Contact phones are not counted.
	ScopeSecurityPhone Scope = "security_phone"
	// ScopeRealName counts the accounts verified with an identity (personal
	// or enterprise) and the enterprise accounts per legal person.
	ScopeRealName Scope = "realname"
)

// Slot names one quota: the set of accounts holding identifier Value of
// Kind in Scope. Value is the normalised identifier, or its keyed hash for
// identity numbers.
type Slot struct {
	// Scope is the quota namespace.
	Scope Scope
	// Kind is the kind of identifier.
	Kind Kind
	// Value is the normalised identifier or its keyed hash.
	Value string
}

// Take asks for a place among the holders of Slot: granted when the account
// already holds it, or when fewer than Limit accounts do.
type Take struct {
	// Slot is the quota asked for.
	Slot Slot
	// Limit is the most accounts that may hold it; at least 1.
	Limit int
}

// WriteStatus is the outcome of a store write.
type WriteStatus int

// The outcomes of CreateAccount and UpdateAccount. Only WriteOK changed
// anything.
const (
	// WriteOK: the record and its slot changes were written.
	WriteOK WriteStatus = iota + 1
	// WriteConflict: UpdateAccount found another version (someone wrote
	// since the record was read). Read again and retry.
	WriteConflict
	// WriteTaken: CreateAccount found the ID or the APPID in use (by a live
	// or a deleted account).
	WriteTaken
	// WriteFull: a Take's slot already had Limit holders; WriteResult.Full
	// names it.
	WriteFull
	// WriteMissing: UpdateAccount found no account with the ID (never
	// created, or deleted).
	WriteMissing
)

// WriteResult reports a store write.
type WriteResult struct {
	// Status is the outcome.
	Status WriteStatus
	// Full is the first full slot met, when Status is WriteFull.
	Full Slot
}

// Store keeps accounts and the quota slots they hold. The account package
// declares it; store/memstore implements it and store/storetest is its
// conformance suite.
//
// Each write is one atomic operation covering the record and its slots, so
// a quota can never be exceeded, a record can never hold an identifier
// without its slot (or the reverse), and nothing is half-written if the
// process stops. Stores never read a clock: times are in the records.
// Records and their slices are copied in both directions. Errors are for
// system failures only: absent records, conflicts and full slots are
// reported by the results, never by an error.
type Store interface {
	// CreateAccount stores a with version 1 (whatever a.Version says) and
	// takes every slot of take for a.ID, if a.ID and a.APPID are unused and
	// every take is granted. IDs and APPIDs of deleted accounts stay used.
	// It returns WriteOK, WriteTaken or WriteFull.
	CreateAccount(ctx context.Context, a Account, take []Take) (WriteResult, error)
	// Account returns the account with the ID.
	Account(ctx context.Context, id string) (a Account, found bool, err error)
	// AccountByAPPID returns the account with the APPID.
	AccountByAPPID(ctx context.Context, appid string) (a Account, found bool, err error)
	// UpdateAccount replaces the account a.ID with a, at version
	// a.Version+1, if its stored version is a.Version, every take is granted
	// and a.APPID is unchanged; it then also releases every slot of release
	// held by the account. It returns WriteOK, WriteConflict, WriteFull or
	// WriteMissing. A take the account already holds is granted whatever
	// its limit; releasing a slot the account does not hold is a no-op.
	UpdateAccount(ctx context.Context, a Account, take []Take, release []Slot) (WriteResult, error)
	// DeleteAccount removes the account and releases every slot it holds.
	// Its ID and APPID stay reserved. It reports whether there was an
	// account to delete.
	DeleteAccount(ctx context.Context, id string) (deleted bool, err error)
	// SlotHolders returns the IDs of the accounts holding s, sorted.
	SlotHolders(ctx context.Context, s Slot) ([]string, error)
}

// slotsOf returns the slots record a must hold.
func slotsOf(a Account) []Slot {
	var out []Slot
	if a.RegistrationIdentifier != "" {
		out = append(out, Slot{ScopeRegister, KindOf(a.RegistrationMethod), a.RegistrationIdentifier})
	}
	for _, lm := range a.LoginMethods {
		out = append(out, Slot{ScopeBind, KindOf(lm.Method), lm.Identifier})
	}
	if a.SecurityPhone != "" {
		out = append(out, Slot{ScopeSecurityPhone, KindPhone, a.SecurityPhone})
	}
	switch a.RealName.Status {
	case RealNamePersonal:
		out = append(out, Slot{ScopeRealName, KindPersonalID, a.RealName.NumberHash})
	case RealNameEnterprise:
		out = append(out,
			Slot{ScopeRealName, KindEnterpriseID, a.RealName.NumberHash},
			Slot{ScopeRealName, KindLegalPerson, a.RealName.LegalPersonHash})
	}
	return out
}

// slotChanges returns the slots next holds that prev does not (to take,
// with their limits under q) and those prev holds that next does not (to
// release).
func slotChanges(prev, next Account, q limits.Quotas) (take []Take, release []Slot) {
	before, after := slotsOf(prev), slotsOf(next)
	for _, s := range after {
		if !slices.Contains(before, s) {
			take = append(take, Take{Slot: s, Limit: limitOf(s, q)})
		}
	}
	for _, s := range before {
		if !slices.Contains(after, s) {
			release = append(release, s)
		}
	}
	return take, release
}

// limitOf returns the number of accounts that may hold s under q.
func limitOf(s Slot, q limits.Quotas) int {
	switch s.Scope {
	case ScopeRegister:
		switch s.Kind {
		case KindEmail:
			return q.RegisterPerEmail
		case KindQQ:
			return q.RegisterPerQQ
		case KindWeChat:
			return q.RegisterPerWeChat
		case KindWeChatOA:
			return q.RegisterPerWeChatOA
		case KindWeCom:
			return q.RegisterPerWeCom
		}
	case ScopeBind:
		switch s.Kind {
		case KindEmail:
			return q.BindPerEmail
		case KindQQ:
			return q.BindPerQQ
		case KindWeChat:
			return q.BindPerWeChat
		case KindWeChatOA:
			return q.BindPerWeChatOA
		case KindWeCom:
			return q.BindPerWeCom
		}
	case ScopeSecurityPhone:
		return q.AccountsPerPhone
	case ScopeRealName:
		switch s.Kind {
		case KindPersonalID:
			return q.AccountsPerPersonalIdentity
		case KindEnterpriseID:
			return q.AccountsPerEnterpriseIdentity
		case KindLegalPerson:
			return q.EnterpriseAccountsPerLegalPerson
		}
	}
	return 1 // unreachable for the slots slotsOf makes; 1 is the safe side
}
