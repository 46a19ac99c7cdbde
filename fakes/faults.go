package fakes

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/accountsec/accountsec/limits"
	"github.com/accountsec/accountsec/protection"
)

// Compile-time checks that the wrappers implement the interfaces they wrap.
var (
	_ protection.Store    = (*ProtectionStore)(nil)
	_ limits.CounterStore = (*CounterStore)(nil)
)

// ErrInjected is the error a Faults returns for an operation told to fail
// without a particular error.
var ErrInjected = errors.New("fakes: injected store failure")

// Faults decides which store operations fail and counts the calls of each.
// Operations are named after the store methods ("CreateSession",
// "Reserve", …). The zero Faults fails nothing. It is safe for concurrent
// use.
type Faults struct {
	mu    sync.Mutex
	fail  map[string]error
	calls map[string]int
}

// FailOn makes every later call of op fail with err (ErrInjected when err
// is nil).
func (f *Faults) FailOn(op string, err error) {
	if err == nil {
		err = ErrInjected
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.fail == nil {
		f.fail = make(map[string]error)
	}
	f.fail[op] = err
}

// Heal makes every operation succeed again.
func (f *Faults) Heal() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.fail = nil
}

// Calls returns how many times op was called (failed calls included).
func (f *Faults) Calls(op string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls[op]
}

// ResetCalls forgets the counts.
func (f *Faults) ResetCalls() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = nil
}

// call counts a call of op and returns its injected error, if any.
func (f *Faults) call(op string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.calls == nil {
		f.calls = make(map[string]int)
	}
	f.calls[op]++
	return f.fail[op]
}

// ProtectionWrites are the protection.Store operations that write.
var ProtectionWrites = []string{
	"CreateSession", "TouchSession", "EndSession", "EndAllSessions", "PutGrant",
	"PutPendingLogin", "ConsumePendingLogin", "PutChallenge", "ConsumeChallenge",
	"PutTrustedDevice", "DeleteTrustedDevice", "RecordLoginCity",
}

// ProtectionStore wraps a protection.Store: it counts every call and fails
// the operations its Faults names, without calling the wrapped store then.
// Use it to check that a flow fails closed, and how many writes it makes.
type ProtectionStore struct {
	// Store is the wrapped store. Required.
	Store protection.Store
	// Faults decides the failures and keeps the counts.
	Faults
}

// Writes returns how many write operations were called.
func (s *ProtectionStore) Writes() int {
	n := 0
	for _, op := range ProtectionWrites {
		n += s.Calls(op)
	}
	return n
}

// CreateSession wraps protection.Store.CreateSession.
func (s *ProtectionStore) CreateSession(ctx context.Context, r protection.SessionRecord) error {
	if err := s.call("CreateSession"); err != nil {
		return err
	}
	return s.Store.CreateSession(ctx, r)
}

// Session wraps protection.Store.Session.
func (s *ProtectionStore) Session(ctx context.Context, id string) (protection.SessionRecord, bool, error) {
	if err := s.call("Session"); err != nil {
		return protection.SessionRecord{}, false, err
	}
	return s.Store.Session(ctx, id)
}

// TouchSession wraps protection.Store.TouchSession.
func (s *ProtectionStore) TouchSession(ctx context.Context, id string, at time.Time) error {
	if err := s.call("TouchSession"); err != nil {
		return err
	}
	return s.Store.TouchSession(ctx, id, at)
}

// Sessions wraps protection.Store.Sessions.
func (s *ProtectionStore) Sessions(ctx context.Context, accountID string, now time.Time) ([]protection.SessionRecord, error) {
	if err := s.call("Sessions"); err != nil {
		return nil, err
	}
	return s.Store.Sessions(ctx, accountID, now)
}

// EndSession wraps protection.Store.EndSession.
func (s *ProtectionStore) EndSession(ctx context.Context, accountID, id string) (bool, error) {
	if err := s.call("EndSession"); err != nil {
		return false, err
	}
	return s.Store.EndSession(ctx, accountID, id)
}

// EndAllSessions wraps protection.Store.EndAllSessions.
func (s *ProtectionStore) EndAllSessions(ctx context.Context, accountID, keep string) error {
	if err := s.call("EndAllSessions"); err != nil {
		return err
	}
	return s.Store.EndAllSessions(ctx, accountID, keep)
}

// PutGrant wraps protection.Store.PutGrant.
func (s *ProtectionStore) PutGrant(ctx context.Context, g protection.GrantRecord) error {
	if err := s.call("PutGrant"); err != nil {
		return err
	}
	return s.Store.PutGrant(ctx, g)
}

// Grant wraps protection.Store.Grant.
func (s *ProtectionStore) Grant(ctx context.Context, accountID, binding, scope string, now time.Time) (protection.GrantRecord, bool, error) {
	if err := s.call("Grant"); err != nil {
		return protection.GrantRecord{}, false, err
	}
	return s.Store.Grant(ctx, accountID, binding, scope, now)
}

// PutPendingLogin wraps protection.Store.PutPendingLogin.
func (s *ProtectionStore) PutPendingLogin(ctx context.Context, p protection.PendingLogin) error {
	if err := s.call("PutPendingLogin"); err != nil {
		return err
	}
	return s.Store.PutPendingLogin(ctx, p)
}

// PendingLogin wraps protection.Store.PendingLogin.
func (s *ProtectionStore) PendingLogin(ctx context.Context, id string, now time.Time) (protection.PendingLogin, bool, error) {
	if err := s.call("PendingLogin"); err != nil {
		return protection.PendingLogin{}, false, err
	}
	return s.Store.PendingLogin(ctx, id, now)
}

// ConsumePendingLogin wraps protection.Store.ConsumePendingLogin.
func (s *ProtectionStore) ConsumePendingLogin(ctx context.Context, id string, now time.Time) (protection.PendingLogin, bool, error) {
	if err := s.call("ConsumePendingLogin"); err != nil {
		return protection.PendingLogin{}, false, err
	}
	return s.Store.ConsumePendingLogin(ctx, id, now)
}

// PutChallenge wraps protection.Store.PutChallenge.
func (s *ProtectionStore) PutChallenge(ctx context.Context, c protection.ChallengeRecord) error {
	if err := s.call("PutChallenge"); err != nil {
		return err
	}
	return s.Store.PutChallenge(ctx, c)
}

// Challenge wraps protection.Store.Challenge.
func (s *ProtectionStore) Challenge(ctx context.Context, id string, now time.Time) (protection.ChallengeRecord, bool, error) {
	if err := s.call("Challenge"); err != nil {
		return protection.ChallengeRecord{}, false, err
	}
	return s.Store.Challenge(ctx, id, now)
}

// ConsumeChallenge wraps protection.Store.ConsumeChallenge.
func (s *ProtectionStore) ConsumeChallenge(ctx context.Context, id string, now time.Time) (protection.ChallengeRecord, bool, error) {
	if err := s.call("ConsumeChallenge"); err != nil {
		return protection.ChallengeRecord{}, false, err
	}
	return s.Store.ConsumeChallenge(ctx, id, now)
}

// PutTrustedDevice wraps protection.Store.PutTrustedDevice.
func (s *ProtectionStore) PutTrustedDevice(ctx context.Context, d protection.TrustedDevice) error {
	if err := s.call("PutTrustedDevice"); err != nil {
		return err
	}
	return s.Store.PutTrustedDevice(ctx, d)
}

// TrustedDevice wraps protection.Store.TrustedDevice.
func (s *ProtectionStore) TrustedDevice(ctx context.Context, accountID, id string, now time.Time) (protection.TrustedDevice, bool, error) {
	if err := s.call("TrustedDevice"); err != nil {
		return protection.TrustedDevice{}, false, err
	}
	return s.Store.TrustedDevice(ctx, accountID, id, now)
}

// TrustedDevices wraps protection.Store.TrustedDevices.
func (s *ProtectionStore) TrustedDevices(ctx context.Context, accountID string, now time.Time) ([]protection.TrustedDevice, error) {
	if err := s.call("TrustedDevices"); err != nil {
		return nil, err
	}
	return s.Store.TrustedDevices(ctx, accountID, now)
}

// DeleteTrustedDevice wraps protection.Store.DeleteTrustedDevice.
func (s *ProtectionStore) DeleteTrustedDevice(ctx context.Context, accountID, id string) (bool, error) {
	if err := s.call("DeleteTrustedDevice"); err != nil {
		return false, err
	}
	return s.Store.DeleteTrustedDevice(ctx, accountID, id)
}

// RecordLoginCity wraps protection.Store.RecordLoginCity.
func (s *ProtectionStore) RecordLoginCity(ctx context.Context, accountID, city string, at time.Time, keep int) error {
	if err := s.call("RecordLoginCity"); err != nil {
		return err
	}
	return s.Store.RecordLoginCity(ctx, accountID, city, at, keep)
}

// LoginCities wraps protection.Store.LoginCities.
func (s *ProtectionStore) LoginCities(ctx context.Context, accountID string) ([]protection.LoginCity, error) {
	if err := s.call("LoginCities"); err != nil {
		return nil, err
	}
	return s.Store.LoginCities(ctx, accountID)
}

// CounterStore wraps a limits.CounterStore like ProtectionStore does.
type CounterStore struct {
	// Store is the wrapped store. Required.
	Store limits.CounterStore
	// Faults decides the failures and keeps the counts.
	Faults
}

// Reserve wraps limits.CounterStore.Reserve.
func (s *CounterStore) Reserve(ctx context.Context, key string, r limits.Reservation) (limits.Counter, bool, error) {
	if err := s.call("Reserve"); err != nil {
		return limits.Counter{}, false, err
	}
	return s.Store.Reserve(ctx, key, r)
}

// Release wraps limits.CounterStore.Release.
func (s *CounterStore) Release(ctx context.Context, key string, now time.Time) error {
	if err := s.call("Release"); err != nil {
		return err
	}
	return s.Store.Release(ctx, key, now)
}

// Get wraps limits.CounterStore.Get.
func (s *CounterStore) Get(ctx context.Context, key string, now time.Time) (limits.Counter, error) {
	if err := s.call("Get"); err != nil {
		return limits.Counter{}, err
	}
	return s.Store.Get(ctx, key, now)
}

// Delete wraps limits.CounterStore.Delete.
func (s *CounterStore) Delete(ctx context.Context, key string) error {
	if err := s.call("Delete"); err != nil {
		return err
	}
	return s.Store.Delete(ctx, key)
}
