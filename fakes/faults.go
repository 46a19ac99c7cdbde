package fakes

import (
	"context"
	"errors"
	"strings"
	"sync"
	"time"

	"github.com/accountsec/accountsec/limits"
	"github.com/accountsec/accountsec/state"
)

// Compile-time checks that the wrappers implement the interfaces they wrap.
var (
	_ state.Store         = (*StateStore)(nil)
	_ limits.CounterStore = (*CounterStore)(nil)
)

// ErrInjected is the error a Faults returns for an operation told to fail
// without a particular error.
var ErrInjected = errors.New("fakes: injected store failure")

// Faults decides which store operations fail and counts the calls of each.
// Operations are named after the store methods ("GetRecord",
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

// StateWrites are the state.Store operations that write.
var StateWrites = []string{
	"PutRecord", "TouchRecord", "DeleteRecord", "EndRecords", "PutOnce", "TakeOnce", "PutDocument",
}

// StateStore wraps a state.Store: it counts every call and fails the
// operations its Faults names, without calling the wrapped store then.
// Use it to check that a flow fails closed, and how many writes it makes.
//
// A call answers to three names, each counted and each able to fail it:
// the method ("GetRecord"), the method and the set or, for single-use
// records, the start of the ID up to its first '/' ("GetRecord:session",
// "TakeOnce:login"), and for records also the start of the ID up to its
// first '/' ("GetRecord:session:g" for a step-up grant of protection).
type StateStore struct {
	// Store is the wrapped store. Required.
	Store state.Store
	// Faults decides the failures and keeps the counts.
	Faults
}

// Writes returns how many write operations were called.
func (s *StateStore) Writes() int {
	n := 0
	for _, op := range StateWrites {
		n += s.Calls(op)
	}
	return n
}

// kind is the start of id up to its first '/' ("" when it has none).
func kind(id string) string {
	if i := strings.IndexByte(id, '/'); i >= 0 {
		return id[:i]
	}
	return ""
}

// callKey is what a call's names are made of.
type callKey struct{ op, set, kind string }

// callNames caches the names of each callKey, so that counting a call
// allocates nothing and benchmarks through a StateStore measure the store.
var callNames sync.Map // callKey → []string

// names returns the names a call answers to.
func names(k callKey) []string {
	if v, ok := callNames.Load(k); ok {
		return v.([]string)
	}
	ns := []string{k.op}
	switch {
	case k.set != "":
		ns = append(ns, k.op+":"+k.set)
		if k.kind != "" {
			ns = append(ns, k.op+":"+k.set+":"+k.kind)
		}
	case k.kind != "":
		ns = append(ns, k.op+":"+k.kind)
	}
	callNames.Store(k, ns)
	return ns
}

// calls counts a call under each of its names and returns the first
// injected error.
func (s *StateStore) calls(k callKey) error {
	var first error
	for _, n := range names(k) {
		if err := s.call(n); err != nil && first == nil {
			first = err
		}
	}
	return first
}

// record counts a call of op on a record and returns its injected error.
func (s *StateStore) record(op, set, id string) error {
	return s.calls(callKey{op: op, set: set, kind: kind(id)})
}

// once counts a call of op on a single-use record and returns its injected
// error.
func (s *StateStore) once(op, id string) error {
	return s.calls(callKey{op: op, kind: kind(id)})
}

// PutRecord wraps state.Records.PutRecord.
func (s *StateStore) PutRecord(ctx context.Context, r state.Record, keep int, now time.Time) error {
	if err := s.record("PutRecord", r.Set, r.ID); err != nil {
		return err
	}
	return s.Store.PutRecord(ctx, r, keep, now)
}

// GetRecord wraps state.Records.GetRecord.
func (s *StateStore) GetRecord(ctx context.Context, set, owner, id string, now time.Time) (state.Record, bool, error) {
	if err := s.record("GetRecord", set, id); err != nil {
		return state.Record{}, false, err
	}
	return s.Store.GetRecord(ctx, set, owner, id, now)
}

// ListRecords wraps state.Records.ListRecords.
func (s *StateStore) ListRecords(ctx context.Context, set, owner string, now time.Time) ([]state.Record, error) {
	if err := s.record("ListRecords", set, ""); err != nil {
		return nil, err
	}
	return s.Store.ListRecords(ctx, set, owner, now)
}

// TouchRecord wraps state.Records.TouchRecord.
func (s *StateStore) TouchRecord(ctx context.Context, set, owner, id string, order int64, now time.Time) (bool, error) {
	if err := s.record("TouchRecord", set, id); err != nil {
		return false, err
	}
	return s.Store.TouchRecord(ctx, set, owner, id, order, now)
}

// DeleteRecord wraps state.Records.DeleteRecord.
func (s *StateStore) DeleteRecord(ctx context.Context, set, owner, id string, now time.Time) (bool, error) {
	if err := s.record("DeleteRecord", set, id); err != nil {
		return false, err
	}
	return s.Store.DeleteRecord(ctx, set, owner, id, now)
}

// EndRecords wraps state.Records.EndRecords.
func (s *StateStore) EndRecords(ctx context.Context, set, owner, keep string, now time.Time) error {
	if err := s.record("EndRecords", set, ""); err != nil {
		return err
	}
	return s.Store.EndRecords(ctx, set, owner, keep, now)
}

// PutOnce wraps state.Onces.PutOnce.
func (s *StateStore) PutOnce(ctx context.Context, r state.Once, now time.Time) (bool, error) {
	if err := s.once("PutOnce", r.ID); err != nil {
		return false, err
	}
	return s.Store.PutOnce(ctx, r, now)
}

// GetOnce wraps state.Onces.GetOnce.
func (s *StateStore) GetOnce(ctx context.Context, id string, now time.Time) (state.Once, bool, error) {
	if err := s.once("GetOnce", id); err != nil {
		return state.Once{}, false, err
	}
	return s.Store.GetOnce(ctx, id, now)
}

// TakeOnce wraps state.Onces.TakeOnce.
func (s *StateStore) TakeOnce(ctx context.Context, id string, now time.Time) (state.Once, bool, error) {
	if err := s.once("TakeOnce", id); err != nil {
		return state.Once{}, false, err
	}
	return s.Store.TakeOnce(ctx, id, now)
}

// GetDocument wraps state.Documents.GetDocument.
func (s *StateStore) GetDocument(ctx context.Context, id string) (state.Document, bool, error) {
	if err := s.once("GetDocument", id); err != nil {
		return state.Document{}, false, err
	}
	return s.Store.GetDocument(ctx, id)
}

// PutDocument wraps state.Documents.PutDocument.
func (s *StateStore) PutDocument(ctx context.Context, d state.Document) (bool, error) {
	if err := s.once("PutDocument", d.ID); err != nil {
		return false, err
	}
	return s.Store.PutDocument(ctx, d)
}

// CounterStore wraps a limits.CounterStore like StateStore does.
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
func (s *CounterStore) Release(ctx context.Context, key string, window, now time.Time) error {
	if err := s.call("Release"); err != nil {
		return err
	}
	return s.Store.Release(ctx, key, window, now)
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
