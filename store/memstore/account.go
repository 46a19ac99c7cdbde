package memstore

import (
	"context"
	"errors"
	"fmt"
	"hash/maphash"
	"slices"
	"strconv"

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
	records shards[accountEntry]
	appids  shards[string]
	slots   shards[map[string]struct{}]
}

// NewAccountStore returns an empty AccountStore.
func NewAccountStore() *AccountStore { return new(AccountStore) }

// accountEntry is one account ID's record and the slots it holds. A deleted
// account stays as a tombstone so that its ID is never reused.
type accountEntry struct {
	rec     account.Account
	slots   map[account.Slot]struct{}
	deleted bool
}

var errEmptyID = errors.New("memstore: account: empty account ID or APPID")

// slotKey encodes s as one string, with lengths so that no two slots share
// a key whatever their fields contain.
func slotKey(s account.Slot) string {
	return strconv.Itoa(len(s.Scope)) + ":" + string(s.Scope) + strconv.Itoa(len(s.Kind)) + ":" + string(s.Kind) + s.Value
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
			sh.m = make(map[string]map[string]struct{})
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

// holders returns the holder set of key, whose shard the caller has locked.
func (s *AccountStore) holders(key string) map[string]struct{} {
	return s.slots.parts[slotShard(key)].m[key]
}

// grant reports whether id may take every slot of take: it already holds
// it, or fewer than its limit do. It returns the first full slot otherwise.
// The caller has locked the slot shards.
func (s *AccountStore) grant(id string, take []account.Take) (account.Slot, bool) {
	for _, t := range take {
		h := s.holders(slotKey(t.Slot))
		if _, held := h[id]; held {
			continue
		}
		if len(h) >= t.Limit {
			return t.Slot, false
		}
	}
	return account.Slot{}, true
}

// apply adds id to the holders of take and removes it from those of
// release, recording the change in e. The caller has locked the slot
// shards.
func (s *AccountStore) apply(id string, e *accountEntry, take []account.Take, release []account.Slot) {
	if e.slots == nil {
		e.slots = make(map[account.Slot]struct{})
	}
	for _, t := range take {
		key := slotKey(t.Slot)
		m := s.slots.parts[slotShard(key)].m
		if m[key] == nil {
			m[key] = make(map[string]struct{})
		}
		m[key][id] = struct{}{}
		e.slots[t.Slot] = struct{}{}
	}
	for _, sl := range release {
		key := slotKey(sl)
		m := s.slots.parts[slotShard(key)].m
		if h := m[key]; h != nil {
			delete(h, id)
			if len(h) == 0 {
				delete(m, key)
			}
		}
		delete(e.slots, sl)
	}
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
	defer s.lockSlotShards(slotKeys(take, nil))()
	if full, ok := s.grant(a.ID, take); !ok {
		return account.WriteResult{Status: account.WriteFull, Full: full}, nil
	}
	e := accountEntry{rec: a.Clone()}
	e.rec.Version = 1
	s.apply(a.ID, &e, take, nil)
	rsh.m[a.ID] = e
	ash.m[a.APPID] = a.ID
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
	return e.rec.Clone(), true, nil
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
	defer s.lockSlotShards(slotKeys(take, release))()
	if full, ok := s.grant(a.ID, take); !ok {
		return account.WriteResult{Status: account.WriteFull, Full: full}, nil
	}
	s.apply(a.ID, &e, take, release)
	e.rec = a.Clone()
	e.rec.Version = a.Version + 1
	rsh.m[a.ID] = e
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
	held := make([]account.Slot, 0, len(e.slots))
	for sl := range e.slots {
		held = append(held, sl)
	}
	defer s.lockSlotShards(slotKeys(nil, held))()
	s.apply(id, &e, nil, held)
	rsh.m[id] = accountEntry{rec: account.Account{ID: id, APPID: e.rec.APPID}, deleted: true}
	return true, nil
}

// SlotHolders returns the IDs of the accounts holding sl, sorted.
func (s *AccountStore) SlotHolders(ctx context.Context, sl account.Slot) ([]string, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	key := slotKey(sl)
	defer s.lockSlotShards([]string{key})()
	h := s.holders(key)
	out := make([]string, 0, len(h))
	for id := range h {
		out = append(out, id)
	}
	slices.Sort(out)
	return out, nil
}
