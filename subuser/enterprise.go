package subuser

import (
	"context"
	"strconv"
	"time"

	"github.com/accountsec/accountsec/event"
	"github.com/accountsec/accountsec/reason"
	"github.com/accountsec/accountsec/state"
)

// maxWriteAttempts bounds the read–change–write retries of one operation:
// every conflict means another write succeeded.
const maxWriteAttempts = 32

// Enterprise is the WeCom enterprise linked to an account, with the
// application's visibility scope.
type Enterprise struct {
	// AccountID is the account the enterprise is linked to.
	AccountID string
	// CorpID is the enterprise's WeCom corp ID.
	CorpID string
	// CorpName is the enterprise's name.
	CorpName string
	// AdminUserID is the WeCom administrator who linked it.
	AdminUserID string
	// LinkedBy is the principal (main account or full-access sub-user) who
	// linked it.
	LinkedBy string
	// LinkedAt is when it was linked.
	LinkedAt time.Time
	// Scope is the visibility scope; empty until SetScope.
	Scope Scope
	// ScopeSetAt is when the scope was last set.
	ScopeSetAt time.Time
}

// LinkRequest asks to link a WeCom enterprise to an account.
type LinkRequest struct {
	// AccountID is the account.
	AccountID string
	// Principal is who asks: the main account or a sub-user with full
	// access (Administrators decides).
	Principal string
	// CorpID is the enterprise's WeCom corp ID.
	CorpID string
	// CorpName is the enterprise's name.
	CorpName string
	// AdminUserID is the WeCom user who authorised the link (the host's
	// WeCom login returned it); the Directory must report them an
	// administrator of the enterprise.
	AdminUserID string
}

func (r LinkRequest) check() error {
	for _, f := range []struct{ name, v string }{
		{"account_id", r.AccountID}, {"principal", r.Principal}, {"corp_id", r.CorpID}, {"admin_user_id", r.AdminUserID},
	} {
		if err := checkKey(f.name, f.v); err != nil {
			return err
		}
	}
	return checkName("corp_name", r.CorpName, MaxNameLen, true)
}

// Link links the enterprise r.CorpID to the account (docs/RULES.md §10).
// The principal must administer the account (ErrNotAdministrator) and
// r.AdminUserID must be an administrator of the enterprise
// (ErrNotWeComAdmin). An enterprise is linked to one account
// (ErrEnterpriseTaken) and an account to one enterprise (ErrAlreadyLinked);
// linking the same pair again updates the name and the administrator and
// keeps the scope. Each step is one compare-and-set write, so two accounts
// racing for one enterprise cannot both win.
func (m *Manager) Link(ctx context.Context, r LinkRequest) (Enterprise, error) {
	if m == nil {
		return Enterprise{}, reason.Unavailable("WeCom sub-users", "accountsec.Deps.SubUserHost")
	}
	if err := r.check(); err != nil {
		return Enterprise{}, err
	}
	if err := m.checkAdmin(ctx, r.AccountID, r.Principal); err != nil {
		return Enterprise{}, err
	}
	admin, err := m.member(ctx, r.CorpID, r.AdminUserID)
	if err != nil {
		return Enterprise{}, err
	}
	if !admin.Admin {
		return Enterprise{}, ErrNotWeComAdmin
	}
	cur, ver, err := m.enterprise(ctx, r.AccountID)
	if err != nil {
		return Enterprise{}, err
	}
	if ver > 0 && cur.CorpID != r.CorpID {
		return Enterprise{}, ErrAlreadyLinked
	}
	if err := m.claimCorp(ctx, r.CorpID, r.AccountID); err != nil {
		return Enterprise{}, err
	}
	now := m.clock()
	out, err := m.updateEnterprise(ctx, r.AccountID, true, func(e *Enterprise) error {
		if e.CorpID != "" && e.CorpID != r.CorpID {
			return ErrAlreadyLinked
		}
		e.AccountID, e.CorpID, e.CorpName, e.AdminUserID = r.AccountID, r.CorpID, r.CorpName, r.AdminUserID
		e.LinkedBy, e.LinkedAt = r.Principal, now
		return nil
	})
	if err != nil {
		return Enterprise{}, err
	}
	m.emit(ctx, event.SubUserEnterpriseLinked, r.AccountID, time.Time{}, map[string]string{
		"corp": r.CorpID, "by": r.Principal, "admin": r.AdminUserID,
	})
	return out, nil
}

// claimCorp records that corpID is linked to accountID, unless it is
// linked to another account.
func (m *Manager) claimCorp(ctx context.Context, corpID, accountID string) error {
	id := m.keys.Key(scopeCorp, corpID)
	for range maxWriteAttempts {
		d, found, err := m.store.GetDocument(ctx, id)
		if err != nil {
			return reason.Store(err)
		}
		if found {
			holder, err := decodeCorp(d.Data)
			if err != nil {
				return err
			}
			if holder != accountID {
				return ErrEnterpriseTaken
			}
			return nil
		}
		ok, err := m.store.PutDocument(ctx, state.Document{ID: id, Version: 1, Data: encodeCorp(accountID)})
		if err != nil {
			return reason.Store(err)
		}
		if ok {
			return nil
		}
	}
	return unexpected("%d conflicting writes in a row on one enterprise", maxWriteAttempts)
}

// Enterprise returns the enterprise linked to the account, for a principal
// who administers it; ErrNotLinked when there is none.
func (m *Manager) Enterprise(ctx context.Context, accountID, principal string) (Enterprise, error) {
	if m == nil {
		return Enterprise{}, reason.Unavailable("WeCom sub-users", "accountsec.Deps.SubUserHost")
	}
	if err := checkKey("account_id", accountID); err != nil {
		return Enterprise{}, err
	}
	if err := checkKey("principal", principal); err != nil {
		return Enterprise{}, err
	}
	if err := m.checkAdmin(ctx, accountID, principal); err != nil {
		return Enterprise{}, err
	}
	return m.linked(ctx, accountID)
}

// linked returns the account's enterprise, or ErrNotLinked.
func (m *Manager) linked(ctx context.Context, accountID string) (Enterprise, error) {
	e, ver, err := m.enterprise(ctx, accountID)
	if err != nil {
		return Enterprise{}, err
	}
	if ver == 0 {
		return Enterprise{}, ErrNotLinked
	}
	return e, nil
}

// enterprise reads the account's enterprise document; version 0 when none.
func (m *Manager) enterprise(ctx context.Context, accountID string) (Enterprise, int64, error) {
	d, found, err := m.store.GetDocument(ctx, m.keys.Key(scopeEnterprise, accountID))
	if err != nil {
		return Enterprise{}, 0, reason.Store(err)
	}
	if !found {
		return Enterprise{}, 0, nil
	}
	e, err := decodeEnterprise(d.Data)
	if err != nil {
		return Enterprise{}, 0, err
	}
	return e, d.Version, nil
}

// updateEnterprise applies change to the account's enterprise and writes it
// by compare-and-set, retrying on a conflict with a fresh read. create
// allows a first write; otherwise an absent enterprise is ErrNotLinked.
func (m *Manager) updateEnterprise(ctx context.Context, accountID string, create bool, change func(*Enterprise) error) (Enterprise, error) {
	id := m.keys.Key(scopeEnterprise, accountID)
	for range maxWriteAttempts {
		e, ver, err := m.enterprise(ctx, accountID)
		if err != nil {
			return Enterprise{}, err
		}
		if ver == 0 && !create {
			return Enterprise{}, ErrNotLinked
		}
		if err := change(&e); err != nil {
			return Enterprise{}, err
		}
		data := encodeEnterprise(e)
		if state.CheckData(data) != nil {
			return Enterprise{}, ErrScopeTooLarge.With("field", "units").With("max", MaxScopeUnits)
		}
		ok, err := m.store.PutDocument(ctx, state.Document{ID: id, Version: ver + 1, Data: data})
		if err != nil {
			return Enterprise{}, reason.Store(err)
		}
		if ok {
			return e, nil
		}
	}
	return Enterprise{}, unexpected("%d conflicting writes in a row on one enterprise", maxWriteAttempts)
}

// SetScope replaces the visibility scope of the account's enterprise: the
// departments and members the application may see, by ID and name only.
// The principal must administer the account. At most MaxScopeUnits units
// in all; a unit listed twice is refused (InputMalformed).
func (m *Manager) SetScope(ctx context.Context, accountID, principal string, s Scope) (Enterprise, error) {
	if m == nil {
		return Enterprise{}, reason.Unavailable("WeCom sub-users", "accountsec.Deps.SubUserHost")
	}
	if err := checkKey("account_id", accountID); err != nil {
		return Enterprise{}, err
	}
	if err := checkKey("principal", principal); err != nil {
		return Enterprise{}, err
	}
	s, err := checkScope(s)
	if err != nil {
		return Enterprise{}, err
	}
	if err := m.checkAdmin(ctx, accountID, principal); err != nil {
		return Enterprise{}, err
	}
	now := m.clock()
	out, err := m.updateEnterprise(ctx, accountID, false, func(e *Enterprise) error {
		e.Scope, e.ScopeSetAt = s, now
		return nil
	})
	if err != nil {
		return Enterprise{}, err
	}
	m.emit(ctx, event.SubUserScopeChanged, accountID, time.Time{}, map[string]string{
		"corp": out.CorpID, "by": principal,
		"departments": strconv.Itoa(len(s.Departments)), "members": strconv.Itoa(len(s.Members)),
	})
	return out, nil
}

// checkScope validates s and returns a copy.
func checkScope(s Scope) (Scope, error) {
	if n := len(s.Departments) + len(s.Members); n > MaxScopeUnits {
		return Scope{}, ErrScopeTooLarge.With("field", "units").With("max", MaxScopeUnits)
	}
	out := Scope{}
	for _, part := range []struct {
		field string
		in    []Unit
		out   *[]Unit
	}{{"department", s.Departments, &out.Departments}, {"member", s.Members, &out.Members}} {
		seen := make(map[string]bool, len(part.in))
		for _, u := range part.in {
			if err := checkKey(part.field+"_id", u.ID); err != nil {
				return Scope{}, err
			}
			if err := checkName(part.field+"_name", u.Name, MaxNameLen, false); err != nil {
				return Scope{}, err
			}
			if seen[u.ID] {
				return Scope{}, reason.New(reason.InputMalformed).With("field", part.field+"_id")
			}
			seen[u.ID] = true
			*part.out = append(*part.out, u)
		}
	}
	return out, nil
}
