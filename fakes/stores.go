package fakes

import (
	"context"
	"time"

	"github.com/accountsec/accountsec/account"
	"github.com/accountsec/accountsec/notify"
)

// Compile-time checks that the wrappers implement the interfaces they wrap.
var (
	_ account.Store    = (*AccountStore)(nil)
	_ notify.CodeStore = (*CodeStore)(nil)
)

// AccountStore wraps an account.Store like StateStore does: it counts every
// call under its method name and fails (or loses the reply of) the calls
// its Faults names.
type AccountStore struct {
	// Store is the wrapped store. Required.
	Store account.Store
	// Faults decides the failures and keeps the counts.
	Faults
}

// CreateAccount wraps account.Store.CreateAccount.
func (s *AccountStore) CreateAccount(ctx context.Context, a account.Account, take []account.Take) (account.WriteResult, error) {
	o := s.begin("CreateAccount")
	if o.fail != nil {
		return account.WriteResult{}, o.fail
	}
	res, err := s.Store.CreateAccount(ctx, a, take)
	if o.lost != nil {
		return account.WriteResult{}, o.lost
	}
	return res, err
}

// Account wraps account.Store.Account.
func (s *AccountStore) Account(ctx context.Context, id string) (account.Account, bool, error) {
	o := s.begin("Account")
	if o.fail != nil {
		return account.Account{}, false, o.fail
	}
	a, found, err := s.Store.Account(ctx, id)
	if o.lost != nil {
		return account.Account{}, false, o.lost
	}
	return a, found, err
}

// AccountByAPPID wraps account.Store.AccountByAPPID.
func (s *AccountStore) AccountByAPPID(ctx context.Context, appid string) (account.Account, bool, error) {
	o := s.begin("AccountByAPPID")
	if o.fail != nil {
		return account.Account{}, false, o.fail
	}
	a, found, err := s.Store.AccountByAPPID(ctx, appid)
	if o.lost != nil {
		return account.Account{}, false, o.lost
	}
	return a, found, err
}

// UpdateAccount wraps account.Store.UpdateAccount.
func (s *AccountStore) UpdateAccount(ctx context.Context, a account.Account, take []account.Take, release []account.Slot) (account.WriteResult, error) {
	o := s.begin("UpdateAccount")
	if o.fail != nil {
		return account.WriteResult{}, o.fail
	}
	res, err := s.Store.UpdateAccount(ctx, a, take, release)
	if o.lost != nil {
		return account.WriteResult{}, o.lost
	}
	return res, err
}

// DeleteAccount wraps account.Store.DeleteAccount.
func (s *AccountStore) DeleteAccount(ctx context.Context, id string) (bool, error) {
	o := s.begin("DeleteAccount")
	if o.fail != nil {
		return false, o.fail
	}
	ok, err := s.Store.DeleteAccount(ctx, id)
	if o.lost != nil {
		return false, o.lost
	}
	return ok, err
}

// SlotHolders wraps account.Store.SlotHolders.
func (s *AccountStore) SlotHolders(ctx context.Context, slot account.Slot) ([]string, error) {
	o := s.begin("SlotHolders")
	if o.fail != nil {
		return nil, o.fail
	}
	ids, err := s.Store.SlotHolders(ctx, slot)
	if o.lost != nil {
		return nil, o.lost
	}
	return ids, err
}

// CodeStore wraps a notify.CodeStore like StateStore does.
type CodeStore struct {
	// Store is the wrapped store. Required.
	Store notify.CodeStore
	// Faults decides the failures and keeps the counts.
	Faults
}

// PutCode wraps notify.CodeStore.PutCode.
func (s *CodeStore) PutCode(ctx context.Context, key string, rec notify.CodeRecord, now time.Time) error {
	o := s.begin("PutCode")
	if o.fail != nil {
		return o.fail
	}
	return o.reply(s.Store.PutCode(ctx, key, rec, now))
}

// ConsumeCode wraps notify.CodeStore.ConsumeCode.
func (s *CodeStore) ConsumeCode(ctx context.Context, key string, hash []byte, now time.Time) (notify.Outcome, int, error) {
	o := s.begin("ConsumeCode")
	if o.fail != nil {
		return 0, 0, o.fail
	}
	out, left, err := s.Store.ConsumeCode(ctx, key, hash, now)
	if o.lost != nil {
		return 0, 0, o.lost
	}
	return out, left, err
}

// DeleteCode wraps notify.CodeStore.DeleteCode.
func (s *CodeStore) DeleteCode(ctx context.Context, key string) error {
	o := s.begin("DeleteCode")
	if o.fail != nil {
		return o.fail
	}
	return o.reply(s.Store.DeleteCode(ctx, key))
}
