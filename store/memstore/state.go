package memstore

import (
	"cmp"
	"context"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/accountsec/accountsec/state"
)

// recordEntry is one stored record of an owner's set. Its data is never
// modified in place: a put replaces the entry, so readers may share it.
type recordEntry struct {
	data      []byte
	order     int64
	expiresAt time.Time
	expiresMs int64 // expiresAt.UnixMilli(), for the reads' liveness check
}

// live reports whether the entry is live at nowMs (Unix milliseconds): as
// state.Live, with the entry's end already in milliseconds.
func (e *recordEntry) live(nowMs int64) bool { return nowMs < e.expiresMs }

// record returns the entry as the record with set, owner and id.
func (e recordEntry) record(set, owner, id string) state.Record {
	return state.Record{Set: set, Owner: owner, ID: id, Data: e.data, Order: e.order, ExpiresAt: e.expiresAt}
}

// ownerRecords holds one owner's records, by set and then by ID. An owner
// has records in a handful of sets at most, so the sets are a short slice
// scanned by name, which costs less than hashing the name for a map. Ending
// an owner's set drops that set's records (one write whatever their number), so no
// ended record lingers and no generation is needed.
type ownerRecords struct {
	sets []setRecords
}

// setRecords is one set of an owner's records, by ID.
type setRecords struct {
	name string
	recs *recordSet
}

// fewRecords is the most records a set keeps in its slice: a set that grows
// beyond moves them to a map (and keeps the map).
const fewRecords = 8

// idEntry is one record of a set's slice.
type idEntry struct {
	id string
	e  recordEntry
}

// recordSet is one set's records by ID: a short slice scanned by ID while
// the set holds at most fewRecords (most sets: an account's sessions and
// their grants, its devices), which costs less than hashing the ID for a
// map; a map beyond. Its methods accept a nil recordSet as an empty one,
// except put.
type recordSet struct {
	few []idEntry
	m   map[string]recordEntry
}

// len returns the number of records.
func (r *recordSet) len() int {
	switch {
	case r == nil:
		return 0
	case r.m != nil:
		return len(r.m)
	}
	return len(r.few)
}

// get returns the record with id.
func (r *recordSet) get(id string) (recordEntry, bool) {
	switch {
	case r == nil:
		return recordEntry{}, false
	case r.m != nil:
		e, ok := r.m[id]
		return e, ok
	}
	for i := range r.few {
		if r.few[i].id == id {
			return r.few[i].e, true
		}
	}
	return recordEntry{}, false
}

// put stores e under id.
func (r *recordSet) put(id string, e recordEntry) {
	if r.m != nil {
		r.m[id] = e
		return
	}
	for i := range r.few {
		if r.few[i].id == id {
			r.few[i].e = e
			return
		}
	}
	if len(r.few) < fewRecords {
		r.few = append(r.few, idEntry{id: id, e: e})
		return
	}
	r.m = make(map[string]recordEntry, 2*fewRecords)
	for _, x := range r.few {
		r.m[x.id] = x.e
	}
	r.m[id] = e
	r.few = nil
}

// del removes the record with id: in one step from a map, by a scan of
// the few from the slice.
func (r *recordSet) del(id string) {
	switch {
	case r == nil:
	case r.m != nil:
		delete(r.m, id)
	default:
		r.few = slices.DeleteFunc(r.few, func(x idEntry) bool { return x.id == id })
	}
}

// filter removes the records for which keep returns false and returns how
// many it removed.
func (r *recordSet) filter(keep func(id string, e recordEntry) bool) int {
	if r == nil {
		return 0
	}
	n := r.len()
	if r.m != nil {
		maps.DeleteFunc(r.m, func(id string, e recordEntry) bool { return !keep(id, e) })
	} else {
		r.few = slices.DeleteFunc(r.few, func(x idEntry) bool { return !keep(x.id, x.e) })
	}
	return n - r.len()
}

// get returns the records of set, or nil.
func (o *ownerRecords) get(set string) *recordSet {
	for i := range o.sets {
		if o.sets[i].name == set {
			return o.sets[i].recs
		}
	}
	return nil
}

// put makes recs the records of set.
func (o *ownerRecords) put(set string, recs *recordSet) {
	for i := range o.sets {
		if o.sets[i].name == set {
			o.sets[i].recs = recs
			return
		}
	}
	o.sets = append(o.sets, setRecords{name: set, recs: recs})
}

// drop removes set and its records.
func (o *ownerRecords) drop(set string) {
	o.sets = slices.DeleteFunc(o.sets, func(x setRecords) bool { return x.name == set })
}

// reclaim deletes the records that are no longer live at now, and the sets
// left empty, and returns how many records it deleted.
func (o *ownerRecords) reclaim(now time.Time) int {
	n := 0
	o.sets = slices.DeleteFunc(o.sets, func(x setRecords) bool {
		n += x.recs.filter(func(_ string, e recordEntry) bool { return state.Live(e.expiresAt, now) })
		return x.recs.len() == 0
	})
	return n
}

// onceEntry is one stored single-use record.
type onceEntry struct {
	data      []byte
	expiresAt time.Time
}

// byOrder orders records by (Order, ID) ascending.
func byOrder(ao int64, aid string, bo int64, bid string) int {
	return cmp.Or(cmp.Compare(ao, bo), strings.Compare(aid, bid))
}

// lockSet returns the locked shard of owner and the owner's records of set,
// creating them when create is true (else they may be nil: none). The
// caller must unlock the shard. now is the caller's time (see shards.lock).
func (s *Store) lockSet(set, owner string, create bool, now time.Time) (*shard[*ownerRecords], *recordSet) {
	sh := s.records.lockTag(&s.hint, owner, now)
	o, _ := sh.find(owner)
	if o == nil {
		if !create {
			return sh, nil
		}
		o = &ownerRecords{}
		sh.remember(owner, o)
	}
	recs := o.get(set)
	if recs == nil && create {
		recs = &recordSet{}
		o.put(set, recs)
	}
	return sh, recs
}

// tidy removes owner's records of set when there are none, and the owner when it
// has no set left. The caller holds the shard's lock.
func tidy(sh *shard[*ownerRecords], set, owner string) {
	o := sh.m[owner]
	if o == nil || o.get(set).len() > 0 {
		return
	}
	o.drop(set)
	if len(o.sets) == 0 {
		sh.forget()
		delete(sh.m, owner)
	}
}

// PutRecord stores r and applies keep; see [state.Records].
func (s *Store) PutRecord(ctx context.Context, r state.Record, keep int, now time.Time) error {
	if err := cmp.Or(ctx.Err(), state.CheckRecord(r, keep, now)); err != nil {
		return err
	}
	sh, recs := s.lockSet(r.Set, r.Owner, true, now)
	defer sh.mu.Unlock()
	recs.put(r.ID, recordEntry{data: r.Data, order: r.Order, expiresAt: r.ExpiresAt, expiresMs: r.ExpiresAt.UnixMilli()})
	if keep == 0 || recs.len() <= keep {
		return nil
	}
	type ranked struct {
		id    string
		order int64
	}
	live := make([]ranked, 0, recs.len())
	recs.filter(func(id string, e recordEntry) bool {
		if !state.Live(e.expiresAt, now) {
			return false
		}
		live = append(live, ranked{id, e.order})
		return true
	})
	slices.SortFunc(live, func(a, b ranked) int { return byOrder(a.order, a.id, b.order, b.id) })
	for _, x := range live[:max(0, len(live)-keep)] {
		recs.del(x.id)
	}
	tidy(sh, r.Set, r.Owner)
	return nil
}

// GetRecord returns the live record; see [state.Records]. It does not
// allocate: the returned Data is the stored slice, which must not be
// modified.
//
// A key that names a stored record is valid (PutRecord checked it), so the
// keys are checked only when no record answers, to tell a contract
// violation from absence.
func (s *Store) GetRecord(ctx context.Context, set, owner, id string, now time.Time) (state.Record, bool, error) {
	if err := ctx.Err(); err != nil {
		return state.Record{}, false, err
	}
	nowMs := now.UnixMilli()
	sh, recs := s.lockSet(set, owner, false, now)
	if recs != nil && recs.m == nil {
		// The usual set: a few records, read in place under the lock.
		for i := range recs.few {
			if x := &recs.few[i]; x.id == id {
				if !x.e.live(nowMs) {
					sh.mu.Unlock()
					return state.Record{}, false, nil
				}
				r := state.Record{Set: set, Owner: owner, ID: id, Data: x.e.data, Order: x.e.order, ExpiresAt: x.e.expiresAt}
				sh.mu.Unlock()
				return r, true, nil
			}
		}
		sh.mu.Unlock()
		return state.Record{}, false, state.CheckRecordKey(set, owner, id)
	}
	e, ok := recs.get(id)
	sh.mu.Unlock()
	if !ok {
		return state.Record{}, false, state.CheckRecordKey(set, owner, id)
	}
	if !e.live(nowMs) {
		return state.Record{}, false, nil
	}
	return e.record(set, owner, id), true, nil
}

// ListRecords returns the owner's live records in set, ordered by (Order,
// ID); see [state.Records]. It reads only that owner's records, and removes
// the expired ones it meets.
func (s *Store) ListRecords(ctx context.Context, set, owner string, now time.Time) ([]state.Record, error) {
	if err := cmp.Or(ctx.Err(), state.CheckOwner(set, owner)); err != nil {
		return nil, err
	}
	sh, recs := s.lockSet(set, owner, false, now)
	out := make([]state.Record, 0, recs.len())
	recs.filter(func(id string, e recordEntry) bool {
		if !state.Live(e.expiresAt, now) {
			return false
		}
		out = append(out, e.record(set, owner, id))
		return true
	})
	tidy(sh, set, owner)
	sh.mu.Unlock()
	slices.SortFunc(out, func(a, b state.Record) int { return byOrder(a.Order, a.ID, b.Order, b.ID) })
	return out, nil
}

// TouchRecord raises the live record's Order; see [state.Records]. Like
// GetRecord, it checks the keys only when no record answers.
func (s *Store) TouchRecord(ctx context.Context, set, owner, id string, order int64, now time.Time) (bool, error) {
	if err := ctx.Err(); err != nil {
		return false, err
	}
	sh, recs := s.lockSet(set, owner, false, now)
	e, ok := recs.get(id)
	if !ok {
		sh.mu.Unlock()
		return false, state.CheckRecordKey(set, owner, id)
	}
	defer sh.mu.Unlock()
	if !state.Live(e.expiresAt, now) {
		return false, nil
	}
	if order > e.order {
		e.order = order
		recs.put(id, e)
	}
	return true, nil
}

// DeleteRecord removes the record and reports whether it was live; see
// [state.Records]. Like GetRecord, it checks the keys only when no record
// answers.
func (s *Store) DeleteRecord(ctx context.Context, set, owner, id string, now time.Time) (bool, error) {
	if err := ctx.Err(); err != nil {
		return false, err
	}
	sh, recs := s.lockSet(set, owner, false, now)
	e, ok := recs.get(id)
	if !ok {
		sh.mu.Unlock()
		return false, state.CheckRecordKey(set, owner, id)
	}
	defer sh.mu.Unlock()
	recs.del(id)
	tidy(sh, set, owner)
	return state.Live(e.expiresAt, now), nil
}

// EndRecords ends every record of the owner in set but the live one named
// keep; see [state.Records]. It costs the same whatever their number: the
// set's records are dropped whole (or replaced by the kept record alone).
func (s *Store) EndRecords(ctx context.Context, set, owner, keep string, now time.Time) error {
	if err := cmp.Or(ctx.Err(), state.CheckEnd(set, owner, keep)); err != nil {
		return err
	}
	sh, recs := s.lockSet(set, owner, false, now)
	defer sh.mu.Unlock()
	if e, ok := recs.get(keep); ok && state.Live(e.expiresAt, now) {
		sh.m[owner].put(set, &recordSet{few: []idEntry{{id: keep, e: e}}})
		return nil
	}
	if o := sh.m[owner]; o != nil {
		o.drop(set)
		if len(o.sets) == 0 {
			sh.forget()
			delete(sh.m, owner)
		}
	}
	return nil
}

// PutOnce stores r unless a live record with its ID exists; see
// [state.Onces].
func (s *Store) PutOnce(ctx context.Context, r state.Once, now time.Time) (bool, error) {
	if err := cmp.Or(ctx.Err(), state.CheckOnce(r, now)); err != nil {
		return false, err
	}
	sh := s.onces.lock(&s.hint, r.ID, now)
	defer sh.mu.Unlock()
	if e, ok := sh.m[r.ID]; ok && state.Live(e.expiresAt, now) {
		return false, nil
	}
	sh.m[r.ID] = onceEntry{data: r.Data, expiresAt: r.ExpiresAt}
	return true, nil
}

// GetOnce returns the live record with id; see [state.Onces].
func (s *Store) GetOnce(ctx context.Context, id string, now time.Time) (state.Once, bool, error) {
	return s.once(ctx, id, now, false)
}

// TakeOnce returns and removes the live record with id; see [state.Onces].
func (s *Store) TakeOnce(ctx context.Context, id string, now time.Time) (state.Once, bool, error) {
	return s.once(ctx, id, now, true)
}

// once serves GetOnce and TakeOnce. An expired record it meets is removed.
func (s *Store) once(ctx context.Context, id string, now time.Time, take bool) (state.Once, bool, error) {
	if err := cmp.Or(ctx.Err(), state.CheckKey("id", id)); err != nil {
		return state.Once{}, false, err
	}
	sh := s.onces.lock(&s.hint, id, now)
	defer sh.mu.Unlock()
	e, ok := sh.m[id]
	live := ok && state.Live(e.expiresAt, now)
	if ok && (take || !live) {
		delete(sh.m, id)
	}
	if !live {
		return state.Once{}, false, nil
	}
	return state.Once{ID: id, Data: e.data, ExpiresAt: e.expiresAt}, true, nil
}

// GetDocument returns the document with id; see [state.Documents]. Its
// ID is checked only when no document answers: a stored one was checked
// when it was put. Documents never expire, so their shards never sweep.
func (s *Store) GetDocument(ctx context.Context, id string) (state.Document, bool, error) {
	if err := ctx.Err(); err != nil {
		return state.Document{}, false, err
	}
	sh := s.documents.lockTag(nil, id, time.Time{})
	d, ok := sh.m[id]
	sh.mu.Unlock()
	if ok {
		return d, true, nil
	}
	if err := state.CheckKey("id", id); err != nil {
		return state.Document{}, false, err
	}
	return state.Document{}, false, nil
}

// PutDocument writes d over version d.Version-1; see [state.Documents].
func (s *Store) PutDocument(ctx context.Context, d state.Document) (bool, error) {
	if err := cmp.Or(ctx.Err(), state.CheckDocument(d)); err != nil {
		return false, err
	}
	sh := s.documents.lockTag(nil, d.ID, time.Time{})
	defer sh.mu.Unlock()
	if sh.m[d.ID].Version != d.Version-1 {
		return false, nil
	}
	sh.m[d.ID] = d
	return true, nil
}
