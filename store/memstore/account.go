package memstore

import (
	"context"
	"encoding/binary"
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
	// slots maps a slot's key (slotKey) to its holders (see holders).
	slots shards[string]
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

// Memory: an account costs its record, its APPID and its slots, and each
// slot both a key in the slot map and its place in the account's list. The
// encodings below keep those small: a known scope and kind take one byte
// each in a slot key, and a slot held by one account (nearly all of them)
// stores that account's ID string itself as its holders.

// scopeCodes and kindCodes give the scopes and kinds the account package
// defines one byte each in a slot key (never 0, which starts the encoding
// of any other value).
var (
	scopeCodes = map[account.Scope]byte{
		account.ScopeRegister: 1, account.ScopeBind: 2, account.ScopeSecurityPhone: 3, account.ScopeRealName: 4,
	}
	kindCodes = map[account.Kind]byte{
		account.KindEmail: 1, account.KindPhone: 2, account.KindWeChat: 3, account.KindQQ: 4, account.KindWeCom: 5,
		account.KindWeChatOA: 6, account.KindPersonalID: 7, account.KindEnterpriseID: 8, account.KindLegalPerson: 9,
	}
)

// appendSlotKey appends the key of s to b: the scope's code byte, or 0 and
// the scope with its length; the same for the kind; then the value. No two
// slots share a key whatever their fields contain.
func appendSlotKey(b []byte, s account.Slot) []byte {
	if c, ok := scopeCodes[s.Scope]; ok {
		b = append(b, c)
	} else {
		b = append(b, 0)
		b = strconv.AppendInt(b, int64(len(s.Scope)), 10)
		b = append(b, ':')
		b = append(b, s.Scope...)
	}
	if c, ok := kindCodes[s.Kind]; ok {
		b = append(b, c)
	} else {
		b = append(b, 0)
		b = strconv.AppendInt(b, int64(len(s.Kind)), 10)
		b = append(b, ':')
		b = append(b, s.Kind...)
	}
	return append(b, s.Value...)
}

// slotKey returns the key of s as a string.
func slotKey(s account.Slot) string {
	var buf [64]byte
	return string(appendSlotKey(buf[:0], s))
}

// Holders are stored as one string: the holder's ID itself when one
// account holds the slot and its ID does not begin with manyMark; otherwise
// manyMark followed by every ID, each after its length as a uvarint.
const manyMark = 0

// decodeHolders calls f with each ID of the holders h until f returns false.
func decodeHolders(h string, f func(id string) bool) {
	if h == "" {
		return
	}
	if h[0] != manyMark {
		f(h)
		return
	}
	for rest := h[1:]; rest != ""; {
		n, w := binary.Uvarint([]byte(rest[:min(len(rest), binary.MaxVarintLen64)]))
		if w <= 0 || uint64(len(rest)-w) < n {
			return // unreachable: only encodeHolders writes these
		}
		id := rest[w : w+int(n)]
		rest = rest[w+int(n):]
		if !f(id) {
			return
		}
	}
}

// encodeHolders returns the holders string of ids.
func encodeHolders(ids []string) string {
	switch {
	case len(ids) == 0:
		return ""
	case len(ids) == 1 && ids[0] != "" && ids[0][0] != manyMark:
		return ids[0]
	}
	n := 1
	for _, id := range ids {
		n += binary.MaxVarintLen64 + len(id)
	}
	b := make([]byte, 1, n)
	b[0] = manyMark
	for _, id := range ids {
		b = binary.AppendUvarint(b, uint64(len(id)))
		b = append(b, id...)
	}
	return string(b)
}

// holderCount returns how many accounts h holds and whether id is one.
func holderCount(h, id string) (n int, held bool) {
	decodeHolders(h, func(x string) bool {
		n++
		if x == id {
			held = true
		}
		return true
	})
	return n, held
}

// withHolder returns h with id added (h must not hold it).
func withHolder(h, id string) string {
	if h == "" {
		return encodeHolders([]string{id})
	}
	var ids []string
	decodeHolders(h, func(x string) bool { ids = append(ids, x); return true })
	return encodeHolders(append(ids, id))
}

// withoutHolder returns h without id.
func withoutHolder(h, id string) string {
	var ids []string
	decodeHolders(h, func(x string) bool {
		if x != id {
			ids = append(ids, x)
		}
		return true
	})
	return encodeHolders(ids)
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
			sh.m = make(map[string]string)
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

// holders returns the holders of key, whose shard the caller has locked.
func (s *AccountStore) holders(key string) string {
	return s.slots.parts[slotShard(key)].m[key]
}

// grant reports whether id may take every slot of take (keys holds their
// keys): it already holds it, or fewer than its limit do. It returns the
// first full slot otherwise. The caller has locked the slot shards.
func (s *AccountStore) grant(id string, take []account.Take, keys []string) (account.Slot, bool) {
	for i, t := range take {
		n, held := holderCount(s.holders(keys[i]), id)
		if held {
			continue
		}
		if n >= t.Limit {
			return t.Slot, false
		}
	}
	return account.Slot{}, true
}

// apply adds id to the holders of the first len(take) keys and removes it
// from those of the others (the slots of release), recording the change in
// e. The caller has locked the slot shards.
func (s *AccountStore) apply(id string, e *accountEntry, take []account.Take, keys []string) {
	for i, key := range keys {
		m := s.slots.parts[slotShard(key)].m
		h := m[key]
		if i < len(take) {
			if _, held := holderCount(h, id); !held {
				m[key] = withHolder(h, id)
			}
			if !slices.Contains(e.slots, key) {
				e.slots = append(e.slots, key)
			}
			continue
		}
		if h != "" {
			if h = withoutHolder(h, id); h == "" {
				delete(m, key)
			} else {
				m[key] = h
			}
		}
		if j := slices.Index(e.slots, key); j >= 0 {
			e.slots = slices.Delete(e.slots, j, j+1)
		}
	}
	e.slots = slices.Clip(e.slots)
}

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
	rsh := s.records.lock(a.ID)
	defer rsh.mu.Unlock()
	if _, used := rsh.m[a.ID]; used {
		return account.WriteResult{Status: account.WriteTaken}, nil
	}
	ash := s.appids.lock(a.APPID)
	defer ash.mu.Unlock()
	if _, used := ash.m[a.APPID]; used {
		return account.WriteResult{Status: account.WriteTaken}, nil
	}
	keys := slotKeys(take, nil)
	defer s.lockSlotShards(keys)()
	if full, ok := s.grant(a.ID, take, keys); !ok {
		return account.WriteResult{Status: account.WriteFull, Full: full}, nil
	}
	e := &accountEntry{rec: s.store(a)}
	e.rec.Version = 1
	s.apply(e.rec.ID, e, take, keys)
	rsh.m[e.rec.ID] = e
	ash.m[e.rec.APPID] = e.rec.ID
	return account.WriteResult{Status: account.WriteOK}, nil
}

// Account returns a copy of the account with the ID.
func (s *AccountStore) Account(ctx context.Context, id string) (account.Account, bool, error) {
	if err := ctx.Err(); err != nil {
		return account.Account{}, false, err
	}
	sh := s.records.lock(id)
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
	sh := s.appids.lock(appid)
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
	rsh := s.records.lock(a.ID)
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
	if full, ok := s.grant(e.rec.ID, take, keys); !ok {
		return account.WriteResult{Status: account.WriteFull, Full: full}, nil
	}
	s.apply(e.rec.ID, e, take, keys)
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
	rsh := s.records.lock(id)
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
	h := sh.m[string(key)]
	var out []string
	if h != "" && h[0] != manyMark {
		out = []string{h}
	} else {
		decodeHolders(h, func(id string) bool { out = append(out, id); return true })
	}
	sh.mu.Unlock()
	slices.Sort(out)
	if out == nil {
		out = []string{}
	}
	return out, nil
}
