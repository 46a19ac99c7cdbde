package memstore

import (
	"context"
	"errors"
	"fmt"
	"hash/maphash"
	"slices"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/accountsec/accountsec/account"
)

// Compile-time check that AccountStore implements the interface it serves.
var _ account.Store = (*AccountStore)(nil)

// AccountStore is the in-memory [account.Store]: account records, their
// APPIDs and the quota slots they hold. It is safe for concurrent use; its
// zero value is empty and ready. It is a type of its own so that it can be
// embedded in [Store] or used alone. An AccountStore must not be copied
// after first use.
//
// Nothing in it expires, so Sweep has nothing to do here.
//
// Each write is atomic over several keys (the account, its APPID, the slots
// it takes and releases). To stay deadlock-free every operation locks in one
// global order: the account's record shard, then its APPID shard, then the
// slot shards in ascending index order; none locks backwards or holds two
// record or APPID shards.
type AccountStore struct {
	records shards[*accountEntry]
	appids  shards[string]
	// slots maps a slot's key (slotKey) to its holders' ID strings, the
	// ones their records hold.
	slots shards[[]string]
	// lastSecurity is the security settings of the last record stored,
	// shared by the next records with equal settings (see storedAccount).
	lastSecurity atomic.Pointer[account.SecuritySettings]
}

// NewAccountStore returns an empty AccountStore.
func NewAccountStore() *AccountStore { return new(AccountStore) }

// accountEntry is one account ID's record and the keys of the slots it
// holds (the same strings as the keys of the slot map). A deleted account
// stays as a tombstone so that its ID is never reused.
type accountEntry struct {
	rec     storedAccount
	slots   []string
	deleted bool
}

var errEmptyID = errors.New("memstore: account: empty account ID or APPID")

// appendSlotKey appends the key of s to b: the scope and the kind, each
// after its length, then the value, so that no two slots share a key
// whatever their fields contain.
func appendSlotKey(b []byte, s account.Slot) []byte {
	b = strconv.AppendInt(b, int64(len(s.Scope)), 10)
	b = append(b, ':')
	b = append(b, s.Scope...)
	b = strconv.AppendInt(b, int64(len(s.Kind)), 10)
	b = append(b, ':')
	b = append(b, s.Kind...)
	return append(b, s.Value...)
}

// slotKey returns the key of s as a string.
func slotKey(s account.Slot) string {
	var buf [64]byte
	return string(appendSlotKey(buf[:0], s))
}

// lockSlotShards locks, in ascending index order and once each, the slot
// shards that hold keys, and returns the function that unlocks them.
func (s *AccountStore) lockSlotShards(keys []string) (unlock func()) {
	idx := make([]int, 0, len(keys))
	for _, k := range keys {
		idx = append(idx, slotShard(k))
	}
	slices.Sort(idx)
	idx = slices.Compact(idx)
	for _, i := range idx {
		sh := &s.slots.parts[i]
		sh.mu.Lock()
		if sh.m == nil {
			sh.m = make(map[string][]string)
		}
	}
	return func() {
		for _, i := range slices.Backward(idx) {
			s.slots.parts[i].mu.Unlock()
		}
	}
}

// slotShard returns the index of the slot shard that holds key.
func slotShard(key string) int { return int(maphash.String(seed, key) % shardCount) }

// apply adds id to the holders of the first len(take) keys and removes it
// from those of the others (the slots of release), recording the change in
// e, if id may take every slot of take: it already holds it, or fewer than
// its limit do. Otherwise it changes nothing and returns the first full
// slot. The caller has locked the slot shards.
func (s *AccountStore) apply(id string, e *accountEntry, take []account.Take, keys []string) (full account.Slot, ok bool) {
	for i, t := range take {
		h := s.slots.parts[slotShard(keys[i])].m[keys[i]]
		if !slices.Contains(h, id) && len(h) >= t.Limit {
			return t.Slot, false
		}
	}
	for i, key := range keys {
		m := s.slots.parts[slotShard(key)].m
		h := m[key]
		if i < len(take) {
			if !slices.Contains(h, id) {
				m[key] = append(h, id)
			}
			if !slices.Contains(e.slots, key) {
				e.slots = append(e.slots, key)
			}
			continue
		}
		if h = slices.DeleteFunc(h, func(x string) bool { return x == id }); len(h) == 0 {
			delete(m, key)
		} else {
			m[key] = h
		}
		if j := slices.Index(e.slots, key); j >= 0 {
			e.slots = slices.Delete(e.slots, j, j+1)
		}
	}
	e.slots = slices.Clip(e.slots)
	return account.Slot{}, true
}

// slotKeys returns the keys of the slots of take, then of release.
func slotKeys(take []account.Take, release []account.Slot) []string {
	keys := make([]string, 0, len(take)+len(release))
	for _, t := range take {
		keys = append(keys, slotKey(t.Slot))
	}
	for _, sl := range release {
		keys = append(keys, slotKey(sl))
	}
	return keys
}

// checkTakes returns an error if a limit of take is below 1.
func checkTakes(take []account.Take) error {
	for _, t := range take {
		if t.Limit < 1 {
			return fmt.Errorf("memstore: account: slot limit %d is below 1", t.Limit)
		}
	}
	return nil
}

// storedAccount is an account.Account as the store keeps it, about half
// its size: the fields most accounts leave empty (the nickname, the
// industry, the real-name record but its status, the contacts' pending
// changes) sit behind a pointer that is nil when they are all zero, and the
// security settings behind a pointer shared by every record with the same
// settings (most keep the defaults). Both are never written through: a
// change stores a new record. account_internal_test.go checks that every
// field of account.Account survives the round trip.
type storedAccount struct {
	ID                     string
	APPID                  string
	RegisteredAt           time.Time
	RegistrationMethod     account.Method
	RegistrationIdentifier string
	State                  account.State
	RealNameStatus         account.RealNameStatus
	ContactPhone           string
	ContactEmail           string
	SecurityPhone          string
	SecurityEmail          string
	LoginMethods           []account.LoginMethod
	// pass is the account's password record (hash and history), which
	// redacts its own hashes when printed.
	pass     account.Password
	Version  int64
	security *account.SecuritySettings
	rare     *rareFields
}

// rareFields are the fields of an account that are usually zero, with the
// fields kept in storedAccount itself (the real-name status, the contacts'
// addresses) zeroed.
type rareFields struct {
	Nickname     string
	Industry     string
	RealName     account.RealName
	ContactPhone account.Contact
	ContactEmail account.Contact
}

// sharedSecurity returns a pointer to settings equal to sec, which nobody
// writes through.
func (s *AccountStore) sharedSecurity(sec account.SecuritySettings) *account.SecuritySettings {
	if p := s.lastSecurity.Load(); p != nil && *p == sec {
		return p
	}
	p := &sec
	s.lastSecurity.Store(p)
	return p
}

// store returns the stored form of a deep copy of a.
func (s *AccountStore) store(a account.Account) storedAccount {
	r := storedAccount{
		ID: a.ID, APPID: a.APPID, RegisteredAt: a.RegisteredAt, RegistrationMethod: a.RegistrationMethod,
		RegistrationIdentifier: a.RegistrationIdentifier, State: a.State, RealNameStatus: a.RealName.Status,
		ContactPhone: a.ContactPhone.Address, ContactEmail: a.ContactEmail.Address,
		SecurityPhone: a.SecurityPhone, SecurityEmail: a.SecurityEmail,
		LoginMethods: slices.Clip(slices.Clone(a.LoginMethods)),
		pass:         a.Password, Version: a.Version,
		security: s.sharedSecurity(a.Security),
	}
	r.pass.History = slices.Clip(slices.Clone(a.Password.History))
	rare := rareFields{Nickname: a.Nickname, Industry: a.Industry, RealName: a.RealName, ContactPhone: a.ContactPhone, ContactEmail: a.ContactEmail}
	rare.RealName.Status, rare.ContactPhone.Address, rare.ContactEmail.Address = "", "", ""
	if rare != (rareFields{}) {
		r.rare = &rare
	}
	return r
}

// account returns a deep copy of r as an account.Account.
func (r *storedAccount) account() account.Account {
	a := account.Account{
		ID: r.ID, APPID: r.APPID, RegisteredAt: r.RegisteredAt, RegistrationMethod: r.RegistrationMethod,
		RegistrationIdentifier: r.RegistrationIdentifier, State: r.State,
		SecurityPhone: r.SecurityPhone, SecurityEmail: r.SecurityEmail,
		LoginMethods: slices.Clone(r.LoginMethods),
		Password:     r.pass, Version: r.Version,
	}
	a.Password.History = slices.Clone(r.pass.History)
	if r.security != nil {
		a.Security = *r.security
	}
	if r.rare != nil {
		a.Nickname, a.Industry = r.rare.Nickname, r.rare.Industry
		a.RealName, a.ContactPhone, a.ContactEmail = r.rare.RealName, r.rare.ContactPhone, r.rare.ContactEmail
	}
	a.RealName.Status, a.ContactPhone.Address, a.ContactEmail.Address = r.RealNameStatus, r.ContactPhone, r.ContactEmail
	return a
}

// CreateAccount stores a with version 1 and takes the slots of take, if the
// ID and the APPID are unused and every take is granted. See
// [account.Store] for the full contract. It returns an error, and changes
// nothing, when ctx is done, an ID is empty or a limit is below 1.
func (s *AccountStore) CreateAccount(ctx context.Context, a account.Account, take []account.Take) (account.WriteResult, error) {
	if err := ctx.Err(); err != nil {
		return account.WriteResult{}, err
	}
	if a.ID == "" || a.APPID == "" {
		return account.WriteResult{}, errEmptyID
	}
	if err := checkTakes(take); err != nil {
		return account.WriteResult{}, err
	}
	rsh := s.records.lock(nil, a.ID, time.Time{})
	defer rsh.mu.Unlock()
	if _, used := rsh.m[a.ID]; used {
		return account.WriteResult{Status: account.WriteTaken}, nil
	}
	ash := s.appids.lock(nil, a.APPID, time.Time{})
	defer ash.mu.Unlock()
	if _, used := ash.m[a.APPID]; used {
		return account.WriteResult{Status: account.WriteTaken}, nil
	}
	keys := slotKeys(take, nil)
	defer s.lockSlotShards(keys)()
	e := &accountEntry{rec: s.store(a)}
	e.rec.Version = 1
	if full, ok := s.apply(e.rec.ID, e, take, keys); !ok {
		return account.WriteResult{Status: account.WriteFull, Full: full}, nil
	}
	rsh.m[e.rec.ID] = e
	ash.m[e.rec.APPID] = e.rec.ID
	return account.WriteResult{Status: account.WriteOK}, nil
}

// Account returns a copy of the account with the ID.
func (s *AccountStore) Account(ctx context.Context, id string) (account.Account, bool, error) {
	if err := ctx.Err(); err != nil {
		return account.Account{}, false, err
	}
	sh := s.records.lock(nil, id, time.Time{})
	defer sh.mu.Unlock()
	e, ok := sh.m[id]
	if !ok || e.deleted {
		return account.Account{}, false, nil
	}
	return e.rec.account(), true, nil
}

// AccountByAPPID returns a copy of the account with the APPID.
func (s *AccountStore) AccountByAPPID(ctx context.Context, appid string) (account.Account, bool, error) {
	if err := ctx.Err(); err != nil {
		return account.Account{}, false, err
	}
	sh := s.appids.lock(nil, appid, time.Time{})
	id, ok := sh.m[appid]
	sh.mu.Unlock()
	if !ok {
		return account.Account{}, false, nil
	}
	return s.Account(ctx, id)
}

// UpdateAccount replaces the account a.ID with a at version a.Version+1 if
// its stored version is a.Version and every take is granted, then releases
// the slots of release. See [account.Store] for the full contract. It
// returns an error, and changes nothing, when ctx is done, a limit is below
// 1 or a.APPID differs from the stored one.
func (s *AccountStore) UpdateAccount(ctx context.Context, a account.Account, take []account.Take, release []account.Slot) (account.WriteResult, error) {
	if err := ctx.Err(); err != nil {
		return account.WriteResult{}, err
	}
	if err := checkTakes(take); err != nil {
		return account.WriteResult{}, err
	}
	rsh := s.records.lock(nil, a.ID, time.Time{})
	defer rsh.mu.Unlock()
	e, ok := rsh.m[a.ID]
	switch {
	case !ok || e.deleted:
		return account.WriteResult{Status: account.WriteMissing}, nil
	case e.rec.Version != a.Version:
		return account.WriteResult{Status: account.WriteConflict}, nil
	case e.rec.APPID != a.APPID:
		return account.WriteResult{}, fmt.Errorf("memstore: account %s: the APPID cannot change", a.ID)
	}
	keys := slotKeys(take, release)
	defer s.lockSlotShards(keys)()
	if full, ok := s.apply(e.rec.ID, e, take, keys); !ok {
		return account.WriteResult{Status: account.WriteFull, Full: full}, nil
	}
	id, appid := e.rec.ID, e.rec.APPID
	e.rec = s.store(a)
	// The strings the maps hold, so that the record shares them.
	e.rec.ID, e.rec.APPID = id, appid
	e.rec.Version = a.Version + 1
	return account.WriteResult{Status: account.WriteOK}, nil
}

// DeleteAccount removes the account and releases every slot it holds,
// keeping its ID and APPID reserved.
func (s *AccountStore) DeleteAccount(ctx context.Context, id string) (bool, error) {
	if err := ctx.Err(); err != nil {
		return false, err
	}
	rsh := s.records.lock(nil, id, time.Time{})
	defer rsh.mu.Unlock()
	e, ok := rsh.m[id]
	if !ok || e.deleted {
		return false, nil
	}
	held := slices.Clone(e.slots)
	defer s.lockSlotShards(held)()
	s.apply(e.rec.ID, e, nil, held)
	rsh.m[id] = &accountEntry{rec: storedAccount{ID: e.rec.ID, APPID: e.rec.APPID}, deleted: true}
	return true, nil
}

// SlotHolders returns the IDs of the accounts holding sl, sorted.
func (s *AccountStore) SlotHolders(ctx context.Context, sl account.Slot) ([]string, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	// The key on the stack: a look-up allocates only its answer.
	var buf [128]byte
	key := appendSlotKey(buf[:0], sl)
	sh := &s.slots.parts[maphash.Bytes(seed, key)%shardCount]
	sh.mu.Lock()
	out := slices.Clone(sh.m[string(key)])
	sh.mu.Unlock()
	slices.Sort(out)
	if out == nil {
		out = []string{}
	}
	return out, nil
}
