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
//
// Sequence, when set, numbers the calls of every wrapper that shares it, so
// that a test can fail the first, the second, … store call of a flow in
// turn, whatever the store of each.
type Faults struct {
	// Sequence, when not nil, counts each call once, in order, and fails
	// the call it is told to (see [Sequence.FailAt], [Sequence.LoseAt]).
	Sequence *Sequence

	mu    sync.Mutex
	fail  map[string]error
	lose  map[string]error
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

// LoseOn makes every later call of op reach the wrapped store and then
// return err (ErrInjected when err is nil), as when the store did the work
// but its reply was lost.
func (f *Faults) LoseOn(op string, err error) {
	if err == nil {
		err = ErrInjected
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.lose == nil {
		f.lose = make(map[string]error)
	}
	f.lose[op] = err
}

// Heal makes every operation succeed again (FailOn and LoseOn; a Sequence
// has its own Heal).
func (f *Faults) Heal() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.fail = nil
	f.lose = nil
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

// outcome is what a wrapper does with a call: fail it without calling the
// wrapped store, or call it and lose its reply.
type outcome struct{ fail, lost error }

// merge keeps the first failure and the first lost reply of o and p.
func (o outcome) merge(p outcome) outcome {
	if o.fail == nil {
		o.fail = p.fail
	}
	if o.lost == nil {
		o.lost = p.lost
	}
	return o
}

// reply is the error a call returns after the wrapped store answered err.
func (o outcome) reply(err error) error {
	if o.lost != nil {
		return o.lost
	}
	return err
}

// call counts a call of op and returns its injected outcome, if any.
func (f *Faults) call(op string) outcome {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.calls == nil {
		f.calls = make(map[string]int)
	}
	f.calls[op]++
	return outcome{fail: f.fail[op], lost: f.lose[op]}
}

// begin counts a call under each of its names (the most specific last) in
// the Faults and once in the Sequence, and returns what to do with it.
func (f *Faults) begin(names ...string) outcome {
	var o outcome
	for _, n := range names {
		o = o.merge(f.call(n))
	}
	if f.Sequence != nil {
		o = o.merge(f.Sequence.step(names[len(names)-1]))
	}
	return o
}

// Sequence numbers store calls across wrappers, in the order they are
// made, and fails one of them. Give the same Sequence to the Faults of
// every wrapper of a flow's stores, run the flow once to count its calls
// (Calls), then fail each in turn. It is safe for concurrent use; the zero
// Sequence fails nothing.
type Sequence struct {
	mu    sync.Mutex
	calls []string
	at    int
	lost  bool
	err   error
}

// FailAt makes the nth call from now on (1 is the next) fail with err
// (ErrInjected when nil) without reaching its store; it also forgets the
// calls made so far.
func (q *Sequence) FailAt(n int, err error) { q.set(n, false, err) }

// LoseAt makes the nth call from now on (1 is the next) reach its store and
// then return err (ErrInjected when nil), a lost reply; it also forgets the
// calls made so far.
func (q *Sequence) LoseAt(n int, err error) { q.set(n, true, err) }

func (q *Sequence) set(n int, lost bool, err error) {
	if err == nil {
		err = ErrInjected
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	q.calls, q.at, q.lost, q.err = nil, n, lost, err
}

// Heal cancels the failure to come and forgets the calls made so far.
func (q *Sequence) Heal() {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.calls, q.at, q.err = nil, 0, nil
}

// Calls returns the names of the calls made since the last FailAt, LoseAt
// or Heal, in order: the most specific name of each ("PutRecord:session:s",
// "UpdateAccount").
func (q *Sequence) Calls() []string {
	q.mu.Lock()
	defer q.mu.Unlock()
	return append([]string(nil), q.calls...)
}

// step notes a call and returns its outcome.
func (q *Sequence) step(name string) outcome {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.calls = append(q.calls, name)
	if len(q.calls) != q.at {
		return outcome{}
	}
	if q.lost {
		return outcome{lost: q.err}
	}
	return outcome{fail: q.err}
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

// record counts a call of op on a record and returns its outcome.
func (s *StateStore) record(op, set, id string) outcome {
	return s.begin(names(callKey{op: op, set: set, kind: kind(id)})...)
}

// once counts a call of op on a single-use record or a document and returns
// its outcome.
func (s *StateStore) once(op, id string) outcome {
	return s.begin(names(callKey{op: op, kind: kind(id)})...)
}

// PutRecord wraps state.Records.PutRecord.
func (s *StateStore) PutRecord(ctx context.Context, r state.Record, keep int, now time.Time) error {
	o := s.record("PutRecord", r.Set, r.ID)
	if o.fail != nil {
		return o.fail
	}
	return o.reply(s.Store.PutRecord(ctx, r, keep, now))
}

// GetRecord wraps state.Records.GetRecord.
func (s *StateStore) GetRecord(ctx context.Context, set, owner, id string, now time.Time) (state.Record, bool, error) {
	o := s.record("GetRecord", set, id)
	if o.fail != nil {
		return state.Record{}, false, o.fail
	}
	r, found, err := s.Store.GetRecord(ctx, set, owner, id, now)
	if o.lost != nil {
		return state.Record{}, false, o.lost
	}
	return r, found, err
}

// ListRecords wraps state.Records.ListRecords.
func (s *StateStore) ListRecords(ctx context.Context, set, owner string, now time.Time) ([]state.Record, error) {
	o := s.record("ListRecords", set, "")
	if o.fail != nil {
		return nil, o.fail
	}
	rs, err := s.Store.ListRecords(ctx, set, owner, now)
	if o.lost != nil {
		return nil, o.lost
	}
	return rs, err
}

// TouchRecord wraps state.Records.TouchRecord.
func (s *StateStore) TouchRecord(ctx context.Context, set, owner, id string, order int64, now time.Time) (bool, error) {
	o := s.record("TouchRecord", set, id)
	if o.fail != nil {
		return false, o.fail
	}
	ok, err := s.Store.TouchRecord(ctx, set, owner, id, order, now)
	if o.lost != nil {
		return false, o.lost
	}
	return ok, err
}

// DeleteRecord wraps state.Records.DeleteRecord.
func (s *StateStore) DeleteRecord(ctx context.Context, set, owner, id string, now time.Time) (bool, error) {
	o := s.record("DeleteRecord", set, id)
	if o.fail != nil {
		return false, o.fail
	}
	ok, err := s.Store.DeleteRecord(ctx, set, owner, id, now)
	if o.lost != nil {
		return false, o.lost
	}
	return ok, err
}

// EndRecords wraps state.Records.EndRecords.
func (s *StateStore) EndRecords(ctx context.Context, set, owner, keep string, now time.Time) error {
	o := s.record("EndRecords", set, "")
	if o.fail != nil {
		return o.fail
	}
	return o.reply(s.Store.EndRecords(ctx, set, owner, keep, now))
}

// PutOnce wraps state.Onces.PutOnce.
func (s *StateStore) PutOnce(ctx context.Context, r state.Once, now time.Time) (bool, error) {
	o := s.once("PutOnce", r.ID)
	if o.fail != nil {
		return false, o.fail
	}
	ok, err := s.Store.PutOnce(ctx, r, now)
	if o.lost != nil {
		return false, o.lost
	}
	return ok, err
}

// GetOnce wraps state.Onces.GetOnce.
func (s *StateStore) GetOnce(ctx context.Context, id string, now time.Time) (state.Once, bool, error) {
	o := s.once("GetOnce", id)
	if o.fail != nil {
		return state.Once{}, false, o.fail
	}
	r, found, err := s.Store.GetOnce(ctx, id, now)
	if o.lost != nil {
		return state.Once{}, false, o.lost
	}
	return r, found, err
}

// TakeOnce wraps state.Onces.TakeOnce.
func (s *StateStore) TakeOnce(ctx context.Context, id string, now time.Time) (state.Once, bool, error) {
	o := s.once("TakeOnce", id)
	if o.fail != nil {
		return state.Once{}, false, o.fail
	}
	r, found, err := s.Store.TakeOnce(ctx, id, now)
	if o.lost != nil {
		return state.Once{}, false, o.lost
	}
	return r, found, err
}

// GetDocument wraps state.Documents.GetDocument.
func (s *StateStore) GetDocument(ctx context.Context, id string) (state.Document, bool, error) {
	o := s.once("GetDocument", id)
	if o.fail != nil {
		return state.Document{}, false, o.fail
	}
	d, found, err := s.Store.GetDocument(ctx, id)
	if o.lost != nil {
		return state.Document{}, false, o.lost
	}
	return d, found, err
}

// PutDocument wraps state.Documents.PutDocument.
func (s *StateStore) PutDocument(ctx context.Context, d state.Document) (bool, error) {
	o := s.once("PutDocument", d.ID)
	if o.fail != nil {
		return false, o.fail
	}
	ok, err := s.Store.PutDocument(ctx, d)
	if o.lost != nil {
		return false, o.lost
	}
	return ok, err
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
	o := s.begin("Reserve")
	if o.fail != nil {
		return limits.Counter{}, false, o.fail
	}
	c, ok, err := s.Store.Reserve(ctx, key, r)
	if o.lost != nil {
		return limits.Counter{}, false, o.lost
	}
	return c, ok, err
}

// Release wraps limits.CounterStore.Release.
func (s *CounterStore) Release(ctx context.Context, key string, window, now time.Time) error {
	o := s.begin("Release")
	if o.fail != nil {
		return o.fail
	}
	return o.reply(s.Store.Release(ctx, key, window, now))
}

// Get wraps limits.CounterStore.Get.
func (s *CounterStore) Get(ctx context.Context, key string, now time.Time) (limits.Counter, error) {
	o := s.begin("Get")
	if o.fail != nil {
		return limits.Counter{}, o.fail
	}
	c, err := s.Store.Get(ctx, key, now)
	if o.lost != nil {
		return limits.Counter{}, o.lost
	}
	return c, err
}

// Delete wraps limits.CounterStore.Delete.
func (s *CounterStore) Delete(ctx context.Context, key string) error {
	o := s.begin("Delete")
	if o.fail != nil {
		return o.fail
	}
	return o.reply(s.Store.Delete(ctx, key))
}
