package memstore

import (
	"cmp"
	"context"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/accountsec/accountsec/protection"
)

// Compile-time check that ProtectionStore implements the interface it
// serves.
var _ protection.Store = (*ProtectionStore)(nil)

// ProtectionStore is the in-memory [protection.Store]: sessions, grants,
// pending logins, challenges, trusted devices and login cities. It is safe
// for concurrent use; its zero value is empty and ready. Like [MFAStore] it
// is a type of its own so that it can be embedded in [Store] or used alone.
// A ProtectionStore must not be copied after first use.
//
// Everything an account owns (its sessions, grants, trusted devices and
// cities) lives in one entry, so each operation on an account locks one
// shard, and ending every session of an account replaces the entry's session
// and grant maps: one write whatever their size (the in-memory form of a
// per-account generation number). A session ID index points from session
// IDs to accounts for validation; entries of ended sessions stay in it until
// the session's absolute expiry, and Sweep removes them.
type ProtectionStore struct {
	accounts   shards[protAccount]
	sessionIdx shards[protSessionRef]
	pendings   shards[protection.PendingLogin]
	challenges shards[protection.ChallengeRecord]
}

// NewProtectionStore returns an empty ProtectionStore.
func NewProtectionStore() *ProtectionStore { return new(ProtectionStore) }

// protAccount is what protection keeps for one account.
type protAccount struct {
	sessions map[string]protection.SessionRecord
	grants   map[protGrantKey]protection.GrantRecord
	trusted  map[string]protection.TrustedDevice
	// cities is sorted by LastAt, latest first.
	cities []protection.LoginCity
}

func (a protAccount) empty() bool {
	return len(a.sessions) == 0 && len(a.grants) == 0 && len(a.trusted) == 0 && len(a.cities) == 0
}

// protGrantKey identifies a grant within its account.
type protGrantKey struct{ binding, scope string }

// protSessionRef is an entry of the session ID index.
type protSessionRef struct {
	accountID string
	expiresAt time.Time
}

var (
	errProtEmptyID      = errors.New("memstore: protection: empty ID")
	errProtEmptyAccount = errors.New("memstore: protection: empty account ID")
	errProtDuplicateID  = errors.New("memstore: protection: ID already exists")
)

// ---- sessions ----

// CreateSession stores r. It returns an error, and changes nothing, when the
// ID or account ID is empty or the ID already exists.
func (s *ProtectionStore) CreateSession(ctx context.Context, r protection.SessionRecord) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	switch {
	case r.ID == "":
		return errProtEmptyID
	case r.AccountID == "":
		return errProtEmptyAccount
	}
	r = protCleanSession(r)
	ix := s.sessionIdx.lock(r.ID)
	if _, dup := ix.m[r.ID]; dup {
		ix.mu.Unlock()
		return errProtDuplicateID
	}
	ix.m[r.ID] = protSessionRef{accountID: r.AccountID, expiresAt: r.ExpiresAt}
	ix.mu.Unlock()

	sh := s.accounts.lock(r.AccountID)
	defer sh.mu.Unlock()
	a := sh.m[r.AccountID]
	if a.sessions == nil {
		a.sessions = make(map[string]protection.SessionRecord)
	}
	a.sessions[r.ID] = r
	sh.m[r.AccountID] = a
	return nil
}

// Session returns the live session with id.
func (s *ProtectionStore) Session(ctx context.Context, id string) (protection.SessionRecord, bool, error) {
	if err := ctx.Err(); err != nil {
		return protection.SessionRecord{}, false, err
	}
	ix := s.sessionIdx.lock(id)
	ref, found := ix.m[id]
	ix.mu.Unlock()
	if !found {
		return protection.SessionRecord{}, false, nil
	}
	sh := s.accounts.lock(ref.accountID)
	defer sh.mu.Unlock()
	r, found := sh.m[ref.accountID].sessions[id]
	return r, found, nil
}

// TouchSession moves the session's LastSeenAt forward to at.
func (s *ProtectionStore) TouchSession(ctx context.Context, id string, at time.Time) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	ix := s.sessionIdx.lock(id)
	ref, found := ix.m[id]
	ix.mu.Unlock()
	if !found {
		return nil
	}
	sh := s.accounts.lock(ref.accountID)
	defer sh.mu.Unlock()
	a := sh.m[ref.accountID]
	r, found := a.sessions[id]
	if !found || !at.After(r.LastSeenAt) {
		return nil
	}
	r.LastSeenAt = at.Round(0)
	a.sessions[id] = r
	return nil
}

// Sessions returns the account's sessions whose ExpiresAt is after now,
// oldest first.
func (s *ProtectionStore) Sessions(ctx context.Context, accountID string, now time.Time) ([]protection.SessionRecord, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	sh := s.accounts.lock(accountID)
	a := sh.m[accountID]
	out := make([]protection.SessionRecord, 0, len(a.sessions))
	for _, r := range a.sessions {
		if !expired(r.ExpiresAt, now) {
			out = append(out, r)
		}
	}
	sh.mu.Unlock()
	slices.SortFunc(out, func(x, y protection.SessionRecord) int {
		return cmp.Or(x.CreatedAt.Compare(y.CreatedAt), cmp.Compare(x.ID, y.ID))
	})
	return out, nil
}

// EndSession ends the session id of the account and its grants.
func (s *ProtectionStore) EndSession(ctx context.Context, accountID, id string) (bool, error) {
	if err := ctx.Err(); err != nil {
		return false, err
	}
	sh := s.accounts.lock(accountID)
	a, found := sh.m[accountID]
	_, live := a.sessions[id]
	if found && live {
		delete(a.sessions, id)
		binding := protection.SessionBinding(id)
		for k := range a.grants {
			if k.binding == binding {
				delete(a.grants, k)
			}
		}
		protPut(sh, accountID, a)
	}
	sh.mu.Unlock()
	if !live {
		return false, nil
	}
	ix := s.sessionIdx.lock(id)
	delete(ix.m, id)
	ix.mu.Unlock()
	return true, nil
}

// EndAllSessions ends every session of the account but keep, and every
// grant, by replacing the account's maps: one write whatever their size.
func (s *ProtectionStore) EndAllSessions(ctx context.Context, accountID, keep string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if accountID == "" {
		return errProtEmptyAccount
	}
	sh := s.accounts.lock(accountID)
	defer sh.mu.Unlock()
	a, found := sh.m[accountID]
	if !found {
		return nil
	}
	kept, live := a.sessions[keep]
	a.sessions, a.grants = nil, nil
	if keep != "" && live {
		a.sessions = map[string]protection.SessionRecord{keep: kept}
	}
	protPut(sh, accountID, a)
	return nil
}

// ---- grants ----

// PutGrant stores g, replacing the grant with the same account, binding and
// scope.
func (s *ProtectionStore) PutGrant(ctx context.Context, g protection.GrantRecord) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	switch {
	case g.AccountID == "":
		return errProtEmptyAccount
	case g.Binding == "" || g.Scope == "":
		return errors.New("memstore: protection: grant without binding or scope")
	}
	g.GrantedAt, g.ExpiresAt = g.GrantedAt.Round(0), g.ExpiresAt.Round(0)
	sh := s.accounts.lock(g.AccountID)
	defer sh.mu.Unlock()
	a := sh.m[g.AccountID]
	if a.grants == nil {
		a.grants = make(map[protGrantKey]protection.GrantRecord)
	}
	a.grants[protGrantKey{g.Binding, g.Scope}] = g
	sh.m[g.AccountID] = a
	return nil
}

// Grant returns the live grant of the account, binding and scope.
func (s *ProtectionStore) Grant(ctx context.Context, accountID, binding, scope string, now time.Time) (protection.GrantRecord, bool, error) {
	if err := ctx.Err(); err != nil {
		return protection.GrantRecord{}, false, err
	}
	sh := s.accounts.lock(accountID)
	defer sh.mu.Unlock()
	g, found := sh.m[accountID].grants[protGrantKey{binding, scope}]
	if !found || expired(g.ExpiresAt, now) {
		return protection.GrantRecord{}, false, nil
	}
	return g, true, nil
}

// ---- pending logins ----

// PutPendingLogin stores p. It returns an error, and changes nothing, when
// the ID is empty or already exists.
func (s *ProtectionStore) PutPendingLogin(ctx context.Context, p protection.PendingLogin) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if p.ID == "" {
		return errProtEmptyID
	}
	p = protClonePending(p)
	sh := s.pendings.lock(p.ID)
	defer sh.mu.Unlock()
	if old, dup := sh.m[p.ID]; dup && !expired(old.ExpiresAt, p.CreatedAt) {
		return errProtDuplicateID
	}
	sh.m[p.ID] = p
	return nil
}

// PendingLogin returns the pending login with id if it has not expired.
func (s *ProtectionStore) PendingLogin(ctx context.Context, id string, now time.Time) (protection.PendingLogin, bool, error) {
	return s.pending(ctx, id, now, false)
}

// ConsumePendingLogin returns and deletes the pending login with id.
func (s *ProtectionStore) ConsumePendingLogin(ctx context.Context, id string, now time.Time) (protection.PendingLogin, bool, error) {
	return s.pending(ctx, id, now, true)
}

func (s *ProtectionStore) pending(ctx context.Context, id string, now time.Time, consume bool) (protection.PendingLogin, bool, error) {
	if err := ctx.Err(); err != nil {
		return protection.PendingLogin{}, false, err
	}
	sh := s.pendings.lock(id)
	defer sh.mu.Unlock()
	p, found := sh.m[id]
	if !found {
		return protection.PendingLogin{}, false, nil
	}
	if expired(p.ExpiresAt, now) {
		delete(sh.m, id)
		return protection.PendingLogin{}, false, nil
	}
	if consume {
		delete(sh.m, id)
	}
	return protClonePending(p), true, nil
}

// ---- challenges ----

// PutChallenge stores c. It returns an error, and changes nothing, when the
// ID is empty or already exists.
func (s *ProtectionStore) PutChallenge(ctx context.Context, c protection.ChallengeRecord) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if c.ID == "" {
		return errProtEmptyID
	}
	c.CreatedAt, c.ExpiresAt = c.CreatedAt.Round(0), c.ExpiresAt.Round(0)
	sh := s.challenges.lock(c.ID)
	defer sh.mu.Unlock()
	if old, dup := sh.m[c.ID]; dup && !expired(old.ExpiresAt, c.CreatedAt) {
		return errProtDuplicateID
	}
	sh.m[c.ID] = c
	return nil
}

// Challenge returns the challenge with id if it has not expired.
func (s *ProtectionStore) Challenge(ctx context.Context, id string, now time.Time) (protection.ChallengeRecord, bool, error) {
	return s.challenge(ctx, id, now, false)
}

// ConsumeChallenge returns and deletes the challenge with id.
func (s *ProtectionStore) ConsumeChallenge(ctx context.Context, id string, now time.Time) (protection.ChallengeRecord, bool, error) {
	return s.challenge(ctx, id, now, true)
}

func (s *ProtectionStore) challenge(ctx context.Context, id string, now time.Time, consume bool) (protection.ChallengeRecord, bool, error) {
	if err := ctx.Err(); err != nil {
		return protection.ChallengeRecord{}, false, err
	}
	sh := s.challenges.lock(id)
	defer sh.mu.Unlock()
	c, found := sh.m[id]
	if !found {
		return protection.ChallengeRecord{}, false, nil
	}
	if expired(c.ExpiresAt, now) {
		delete(sh.m, id)
		return protection.ChallengeRecord{}, false, nil
	}
	if consume {
		delete(sh.m, id)
	}
	return c, true, nil
}

// ---- trusted devices ----

// PutTrustedDevice stores d, replacing the account's device with the same
// ID.
func (s *ProtectionStore) PutTrustedDevice(ctx context.Context, d protection.TrustedDevice) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	switch {
	case d.ID == "":
		return errProtEmptyID
	case d.AccountID == "":
		return errProtEmptyAccount
	}
	d.CreatedAt, d.ExpiresAt = d.CreatedAt.Round(0), d.ExpiresAt.Round(0)
	sh := s.accounts.lock(d.AccountID)
	defer sh.mu.Unlock()
	a := sh.m[d.AccountID]
	if a.trusted == nil {
		a.trusted = make(map[string]protection.TrustedDevice)
	}
	a.trusted[d.ID] = d
	sh.m[d.AccountID] = a
	return nil
}

// TrustedDevice returns the account's device with id if it has not expired.
func (s *ProtectionStore) TrustedDevice(ctx context.Context, accountID, id string, now time.Time) (protection.TrustedDevice, bool, error) {
	if err := ctx.Err(); err != nil {
		return protection.TrustedDevice{}, false, err
	}
	sh := s.accounts.lock(accountID)
	defer sh.mu.Unlock()
	d, found := sh.m[accountID].trusted[id]
	if !found || expired(d.ExpiresAt, now) {
		return protection.TrustedDevice{}, false, nil
	}
	return d, true, nil
}

// TrustedDevices returns the account's devices that have not expired,
// oldest first.
func (s *ProtectionStore) TrustedDevices(ctx context.Context, accountID string, now time.Time) ([]protection.TrustedDevice, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	sh := s.accounts.lock(accountID)
	a := sh.m[accountID]
	out := make([]protection.TrustedDevice, 0, len(a.trusted))
	for _, d := range a.trusted {
		if !expired(d.ExpiresAt, now) {
			out = append(out, d)
		}
	}
	sh.mu.Unlock()
	slices.SortFunc(out, func(x, y protection.TrustedDevice) int {
		return cmp.Or(x.CreatedAt.Compare(y.CreatedAt), cmp.Compare(x.ID, y.ID))
	})
	return out, nil
}

// DeleteTrustedDevice removes the account's device with id.
func (s *ProtectionStore) DeleteTrustedDevice(ctx context.Context, accountID, id string) (bool, error) {
	if err := ctx.Err(); err != nil {
		return false, err
	}
	sh := s.accounts.lock(accountID)
	defer sh.mu.Unlock()
	a, found := sh.m[accountID]
	if _, ok := a.trusted[id]; !found || !ok {
		return false, nil
	}
	delete(a.trusted, id)
	protPut(sh, accountID, a)
	return true, nil
}

// ---- login cities ----

// RecordLoginCity notes a successful login from city at at and keeps the
// keep latest cities.
func (s *ProtectionStore) RecordLoginCity(ctx context.Context, accountID, city string, at time.Time, keep int) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	switch {
	case accountID == "":
		return errProtEmptyAccount
	case city == "":
		return errors.New("memstore: protection: empty city")
	case keep < 1:
		return errors.New("memstore: protection: keep is below 1")
	}
	at = at.Round(0)
	sh := s.accounts.lock(accountID)
	defer sh.mu.Unlock()
	a := sh.m[accountID]
	cities := slices.Clone(a.cities)
	if i := slices.IndexFunc(cities, func(c protection.LoginCity) bool { return c.City == city }); i >= 0 {
		if at.After(cities[i].LastAt) {
			cities[i].LastAt = at
		}
	} else {
		cities = append(cities, protection.LoginCity{City: city, LastAt: at})
	}
	slices.SortFunc(cities, func(x, y protection.LoginCity) int {
		if c := y.LastAt.Compare(x.LastAt); c != 0 {
			return c
		}
		return strings.Compare(y.City, x.City) // ties: the name that sorts last first
	})
	if len(cities) > keep {
		cities = cities[:keep]
	}
	a.cities = cities
	sh.m[accountID] = a
	return nil
}

// LoginCities returns the account's cities, latest first.
func (s *ProtectionStore) LoginCities(ctx context.Context, accountID string) ([]protection.LoginCity, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	sh := s.accounts.lock(accountID)
	defer sh.mu.Unlock()
	return slices.Clone(sh.m[accountID].cities), nil
}

// ---- upkeep ----

// Sweep removes what has expired at now: sessions past their absolute
// expiry or idle timeout, grants, trusted devices, pending logins,
// challenges and index entries of expired or ended sessions. It returns how
// many entries it removed. Login cities are kept (they are trimmed when
// recorded). Like [Store.Sweep], it locks one shard at a time.
func (s *ProtectionStore) Sweep(now time.Time) int {
	n := 0
	for i := range s.accounts.parts {
		sh := &s.accounts.parts[i]
		sh.mu.Lock()
		for id, a := range sh.m {
			n += protDeleteFunc(a.sessions, func(r protection.SessionRecord) bool {
				return expired(r.ExpiresAt, now) || expired(r.LastSeenAt.Add(r.IdleTimeout), now)
			})
			n += protDeleteFunc(a.grants, func(g protection.GrantRecord) bool { return expired(g.ExpiresAt, now) })
			n += protDeleteFunc(a.trusted, func(d protection.TrustedDevice) bool { return expired(d.ExpiresAt, now) })
			if a.empty() {
				delete(sh.m, id)
			}
		}
		sh.mu.Unlock()
	}
	n += s.sessionIdx.sweep(func(r protSessionRef) bool { return expired(r.expiresAt, now) })
	n += s.pendings.sweep(func(p protection.PendingLogin) bool { return expired(p.ExpiresAt, now) })
	n += s.challenges.sweep(func(c protection.ChallengeRecord) bool { return expired(c.ExpiresAt, now) })
	return n
}

// protDeleteFunc deletes the entries of m for which gone is true and returns
// how many.
func protDeleteFunc[K comparable, V any](m map[K]V, gone func(V) bool) int {
	n := 0
	for k, v := range m {
		if gone(v) {
			delete(m, k)
			n++
		}
	}
	return n
}

func protCleanSession(r protection.SessionRecord) protection.SessionRecord {
	r.CreatedAt, r.ExpiresAt, r.LastSeenAt = r.CreatedAt.Round(0), r.ExpiresAt.Round(0), r.LastSeenAt.Round(0)
	return r
}

func protClonePending(p protection.PendingLogin) protection.PendingLogin {
	p.Methods = slices.Clone(p.Methods)
	p.CreatedAt, p.ExpiresAt = p.CreatedAt.Round(0), p.ExpiresAt.Round(0)
	return p
}

// protPut stores a under key, or deletes the entry when a holds nothing, so
// that accounts with nothing left do not linger.
func protPut(sh *shard[protAccount], key string, a protAccount) {
	if a.empty() {
		delete(sh.m, key)
		return
	}
	sh.m[key] = a
}
