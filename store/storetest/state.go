package storetest

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/accountsec/accountsec/state"
)

// recs is the fixture of one RunRecords subtest: a store and two sets of
// its own keyspace, with helpers that fail the test on an error.
type recs struct {
	t          *testing.T
	s          state.Records
	set, other string
}

// rv is a record as the suite compares it: Data as a string (nil and empty
// alike), ExpiresAt in UTC without a monotonic reading (equal exactly when
// the times are time.Equal).
type rv struct {
	Set, Owner, ID, Data string
	Order                int64
	ExpiresAt            time.Time
}

func view(r state.Record) *rv {
	return &rv{r.Set, r.Owner, r.ID, string(r.Data), r.Order, r.ExpiresAt.UTC()}
}

// rec returns a record of owner in the fixture's set with data naming id.
func (f recs) rec(owner, id string, order int64, exp time.Duration) state.Record {
	return state.Record{Set: f.set, Owner: owner, ID: id, Data: []byte("data:" + id), Order: order, ExpiresAt: at(exp)}
}

// put puts each record in turn, keeping keep.
func (f recs) put(keep int, now time.Time, rs ...state.Record) {
	f.t.Helper()
	for _, r := range rs {
		require.NoError(f.t, f.s.PutRecord(f.t.Context(), r, keep, now), "PutRecord %s/%s", r.Owner, r.ID)
	}
}

// get returns the view of the record, or nil when it is not found.
func (f recs) get(owner, id string, now time.Time) *rv {
	f.t.Helper()
	return lookup(f.t, view)(f.s.GetRecord(f.t.Context(), f.set, owner, id, now))
}

func (f recs) list(owner string, now time.Time) []rv {
	f.t.Helper()
	rs := must[[]state.Record](f.t)(f.s.ListRecords(f.t.Context(), f.set, owner, now))
	out := make([]rv, 0, len(rs))
	for _, r := range rs {
		out = append(out, *view(r))
	}
	return out
}

// ids returns the IDs ListRecords returns, in its order.
func (f recs) ids(owner string, now time.Time) []string {
	f.t.Helper()
	out := []string{}
	for _, r := range f.list(owner, now) {
		out = append(out, r.ID)
	}
	return out
}

func (f recs) touch(owner, id string, order int64, now time.Time) bool {
	f.t.Helper()
	return must[bool](f.t)(f.s.TouchRecord(f.t.Context(), f.set, owner, id, order, now))
}

func (f recs) del(owner, id string, now time.Time) bool {
	f.t.Helper()
	return must[bool](f.t)(f.s.DeleteRecord(f.t.Context(), f.set, owner, id, now))
}

func (f recs) end(owner, keep string, now time.Time) {
	f.t.Helper()
	require.NoError(f.t, f.s.EndRecords(f.t.Context(), f.set, owner, keep, now))
}

// invalidKeys returns keys that break the rules, most of them v with one
// bad byte added, so that a store that trimmed or truncated them would hit v.
func invalidKeys(v string) []string {
	return []string{"", v + strings.Repeat("x", state.MaxKeyBytes+1-len(v)), v + " ", " " + v, v + "\x00", v + "é", v + "\x7f", v + "\n"}
}

// allBytes is a payload holding every byte value, 0x00 first.
var allBytes = func() []byte {
	b := make([]byte, 256)
	for i := range b {
		b[i] = byte(i)
	}
	return b
}()

// RunRecords runs the conformance suite for [state.Records] against the
// stores that newStore returns, one per subtest.
func RunRecords(t *testing.T, newStore func(t *testing.T) state.Records) {
	t.Helper()
	fixture := func(t *testing.T, s state.Records, k keyspace) recs {
		return recs{t: t, s: s, set: k.key("set"), other: k.key("other")}
	}
	runSuite(t, newStore, fixture, []subtest[recs]{
		{"RoundTrip", func(t *testing.T, f recs) {
			r := f.rec("o", "id", 42, time.Hour)
			r.Data = allBytes
			f.put(0, at(0), r)
			require.Equal(t, view(r), f.get("o", "id", at(0)))
			require.Equal(t, []rv{*view(r)}, f.list("o", at(0)))
			for _, data := range [][]byte{nil, {}, {0}, bytes.Repeat([]byte{0xff}, state.MaxDataBytes)} {
				r.Data = data
				f.put(0, at(0), r)
				got := f.get("o", "id", at(0))
				require.NotNil(t, got)
				require.Equal(t, string(data), got.Data, "data of %d bytes", len(data))
			}
			// The widest keys: MaxKeyBytes bytes, 0x21 and 0x7e included.
			wide := state.Record{Set: f.set + strings.Repeat("~", state.MaxKeyBytes-len(f.set)),
				Owner: "!" + strings.Repeat("o", state.MaxKeyBytes-1), ID: strings.Repeat("~", state.MaxKeyBytes), ExpiresAt: at(time.Hour)}
			f.put(0, at(0), wide)
			require.Equal(t, view(wide), lookup(t, view)(f.s.GetRecord(t.Context(), wide.Set, wide.Owner, wide.ID, at(0))))
		}},
		{"Expiry", func(t *testing.T, f recs) {
			r := f.rec("o", "id", 1, time.Minute)
			f.put(0, at(0), r, f.rec("o", "x", 1, time.Minute))
			live := at(time.Minute - time.Millisecond)
			require.Equal(t, view(r), f.get("o", "id", live), "live at ExpiresAt-1ms")
			require.Equal(t, []string{"id", "x"}, f.ids("o", live))
			require.True(t, f.touch("o", "id", 1, live))
			require.Nil(t, f.get("o", "id", at(time.Minute)), "gone at ExpiresAt")
			require.False(t, f.del("o", "id", at(time.Minute)), "an expired record is not live")
			require.False(t, f.touch("o", "x", 5, at(time.Minute)))
			require.Empty(t, f.ids("o", at(time.Minute)))
			require.Nil(t, f.get("o", "x", at(time.Hour)))
			// Put again, the expired record is replaced and live.
			f.put(0, at(time.Minute), f.rec("o", "id", 0, 2*time.Minute))
			require.Equal(t, view(f.rec("o", "id", 0, 2*time.Minute)), f.get("o", "id", at(time.Minute)))
		}},
		{"PutReplaces", func(t *testing.T, f recs) {
			f.put(0, at(0), f.rec("o", "id", 9, time.Hour))
			r := f.rec("o", "id", 3, 2*time.Minute)
			r.Data = []byte("new")
			f.put(0, at(time.Minute), r)
			require.Equal(t, []rv{*view(r)}, f.list("o", at(time.Minute)), "Order may drop on put")
			require.Nil(t, f.get("o", "id", at(2*time.Minute)), "the new expiry holds")
		}},
		{"ListOrder", func(t *testing.T, f recs) {
			f.put(0, at(0), f.rec("o", "c", 2, time.Hour), f.rec("o", "aa", 1, time.Hour), f.rec("o", "B", 1, time.Hour),
				f.rec("o", "a", 1, time.Hour), f.rec("o", "z", 0, time.Minute), f.rec("o", "d", -5, time.Hour), f.rec("o", "gone", 1, time.Hour),
				f.rec("p", "x", 1, time.Hour))
			require.True(t, f.del("o", "gone", at(0)))
			require.Equal(t, []string{"d", "z", "B", "a", "aa", "c"}, f.ids("o", at(0)))
			require.Equal(t, []string{"d", "B", "a", "aa", "c"}, f.ids("o", at(time.Minute)), "only live records")
			require.Empty(t, f.ids("nobody", at(0)))
		}},
		{"KeepNewest", func(t *testing.T, f recs) {
			f.put(0, at(0), f.rec("p", "x", 9, time.Hour))
			for i, id := range []string{"a", "b", "c", "d"} {
				f.put(0, at(0), f.rec("o", id, int64(i%2), time.Hour)) // orders 0 1 0 1
			}
			f.put(3, at(0), f.rec("o", "e", 1, time.Hour))
			require.Equal(t, []string{"b", "d", "e"}, f.ids("o", at(0)), "ties by ID")
			f.put(3, at(0), f.rec("o", "0", 0, time.Hour))
			require.Nil(t, f.get("o", "0", at(0)), "the put record itself is dropped when older")
			require.Equal(t, []string{"b", "d", "e"}, f.ids("o", at(0)))
			f.put(3, at(0), f.rec("o", "b", 7, time.Hour))
			require.Equal(t, []string{"d", "e", "b"}, f.ids("o", at(0)), "replacing counts once")
			f.put(1, at(0), f.rec("o", "f", 5, time.Hour))
			require.Equal(t, []string{"b"}, f.ids("o", at(0)))
			// Records that are not live take no place.
			f.put(0, at(0), f.rec("o", "old", 100, time.Minute))
			f.put(2, at(time.Minute), f.rec("o", "g", 0, time.Hour))
			require.Equal(t, []string{"g", "b"}, f.ids("o", at(time.Minute)))
			f.end("o", "", at(time.Minute))
			f.put(1, at(time.Minute), f.rec("o", "h", 0, time.Hour))
			require.Equal(t, []string{"h"}, f.ids("o", at(time.Minute)))
			require.Equal(t, []string{"x"}, f.ids("p", at(0)), "other owners untouched")
		}},
		{"Isolation", func(t *testing.T, f recs) {
			g := f
			g.set = f.other
			for _, x := range []recs{f, g} {
				x.put(0, at(0), x.rec("o", "id", 1, time.Hour), x.rec("p", "id", 1, time.Hour))
			}
			f.end("o", "", at(0))
			require.True(t, f.del("p", "id", at(0)))
			require.Nil(t, f.get("o", "id", at(0)))
			require.False(t, f.touch("o", "id", 5, at(0)))
			require.Equal(t, view(g.rec("o", "id", 1, time.Hour)), g.get("o", "id", at(0)), "other set")
			require.Equal(t, []string{"id"}, g.ids("p", at(0)), "other set")
			f.put(0, at(0), f.rec("o", "id", 1, time.Hour))
			require.True(t, f.touch("o", "id", 3, at(0)))
			require.Equal(t, int64(1), g.get("o", "id", at(0)).Order, "other set")
			f.put(1, at(0), f.rec("o", "z", 5, time.Hour), f.rec("q", "a", 9, time.Hour))
			require.Equal(t, []string{"z"}, f.ids("o", at(0)), "keep is per owner")
			require.Equal(t, []string{"id"}, g.ids("o", at(0)), "keep is per set")
		}},
		{"EndRecords", func(t *testing.T, f recs) {
			for i := range 1000 {
				f.put(0, at(0), f.rec("o", fmt.Sprint("r", i), int64(i), time.Hour))
			}
			f.put(0, at(0), f.rec("p", "r1", 1, time.Hour))
			f.end("o", "", at(time.Minute))
			require.Empty(t, f.list("o", at(time.Minute)))
			for _, id := range []string{"r0", "r1", "r500", "r999"} {
				require.Nil(t, f.get("o", id, at(time.Minute)), id)
				require.False(t, f.touch("o", id, 5000, at(time.Minute)), id)
				require.False(t, f.del("o", id, at(time.Minute)), id)
			}
			require.NotNil(t, f.get("p", "r1", at(time.Minute)), "other owner")
			f.end("o", "", at(time.Minute))
			f.end("nobody", "", at(time.Minute))
			f.end("nobody", "x", at(time.Minute))
			// Records put after the end are live, even at an earlier now.
			f.put(0, at(time.Minute), f.rec("o", "r1", 1, time.Hour))
			f.put(0, at(0), f.rec("o", "n", 2, time.Hour))
			require.Equal(t, []string{"r1", "n"}, f.ids("o", at(time.Minute)))
		}},
		{"EndRecordsKeep", func(t *testing.T, f recs) {
			kept := f.rec("o", "k", 7, time.Hour)
			kept.Data = []byte{0, 1, 2}
			f.put(0, at(0), f.rec("o", "a", 1, time.Hour), kept, f.rec("o", "z", 9, time.Hour))
			f.end("o", "k", at(0))
			require.Equal(t, []rv{*view(kept)}, f.list("o", at(0)), "keep keeps exactly that record")
			require.True(t, f.touch("o", "k", 8, at(0)))
			kept.Order = 8
			require.Equal(t, view(kept), f.get("o", "k", at(time.Hour-time.Millisecond)))
			require.Nil(t, f.get("o", "k", at(time.Hour)), "the kept record keeps its expiry")
			f.put(0, at(0), f.rec("o", "y", 1, time.Minute))
			f.end("o", "y", at(time.Minute))
			require.Nil(t, f.get("o", "y", at(0)), "the expired record is ended too: a caller whose clock runs behind does not see it")
			require.Empty(t, f.list("o", at(time.Minute)), "keeping an expired record keeps nothing, and ends the others")
			f.put(0, at(time.Minute), f.rec("o", "b", 1, time.Hour))
			f.end("o", "k", at(time.Minute))
			require.Empty(t, f.list("o", at(time.Minute)), "keeping an ended record revives nothing")
			f.put(0, at(0), f.rec("o", "c", 1, time.Hour))
			require.True(t, f.del("o", "c", at(0)))
			f.end("o", "c", at(0))
			require.Nil(t, f.get("o", "c", at(0)), "keeping a deleted record keeps nothing")
		}},
		{"Touch", func(t *testing.T, f recs) {
			a := f.rec("o", "a", 1, time.Hour)
			f.put(0, at(0), a, f.rec("o", "b", 2, time.Hour))
			for _, o := range []int64{3, 2, 3, -1} {
				require.True(t, f.touch("o", "a", o, at(0)), "touch to %d", o)
			}
			a.Order = 3
			require.Equal(t, view(a), f.get("o", "a", at(0)), "only a greater order raises it")
			require.Equal(t, []string{"b", "a"}, f.ids("o", at(0)))
			require.False(t, f.touch("o", "nope", 5, at(0)), "absent")
			require.Nil(t, f.get("o", "nope", at(0)), "touch creates nothing")
			require.True(t, f.del("o", "a", at(0)))
			require.False(t, f.touch("o", "a", 9, at(0)), "deleted")
			require.Nil(t, f.get("o", "a", at(0)))
			f.end("o", "", at(0))
			require.False(t, f.touch("o", "b", 9, at(0)), "ended")
			require.Empty(t, f.list("o", at(0)))
		}},
		{"Delete", func(t *testing.T, f recs) {
			f.put(0, at(0), f.rec("o", "id", 1, time.Hour), f.rec("o", "id2", 1, time.Hour))
			require.True(t, f.del("o", "id", at(0)))
			require.False(t, f.del("o", "id", at(0)))
			require.False(t, f.del("o", "nope", at(0)))
			require.Nil(t, f.get("o", "id", at(0)))
			require.Equal(t, []string{"id2"}, f.ids("o", at(0)))
		}},
		{"ContractViolations", func(t *testing.T, f recs) {
			ctx := t.Context()
			seed := f.rec("o", "id", 5, time.Hour)
			f.put(0, at(0), seed)
			refuse := func(err error, what string, args ...any) {
				t.Helper()
				require.ErrorIsf(t, err, state.ErrContract, what, args...)
			}
			for pos, v := range []string{f.set, "o", "id"} {
				for _, bad := range invalidKeys(v) {
					k := []string{f.set, "o", "id"}
					k[pos] = bad
					r := state.Record{Set: k[0], Owner: k[1], ID: k[2], Data: []byte("bad"), Order: 99, ExpiresAt: at(time.Hour)}
					refuse(f.s.PutRecord(ctx, r, 0, at(0)), "PutRecord %q", k)
					refuse(errOf2(f.s.GetRecord(ctx, k[0], k[1], k[2], at(0))), "GetRecord %q", k)
					refuse(errOf(f.s.TouchRecord(ctx, k[0], k[1], k[2], 99, at(0))), "TouchRecord %q", k)
					refuse(errOf(f.s.DeleteRecord(ctx, k[0], k[1], k[2], at(0))), "DeleteRecord %q", k)
					if pos < 2 {
						refuse(errOf(f.s.ListRecords(ctx, k[0], k[1], at(0))), "ListRecords %q", k)
						refuse(f.s.EndRecords(ctx, k[0], k[1], "", at(0)), "EndRecords %q", k)
					} else if bad != "" {
						refuse(f.s.EndRecords(ctx, k[0], k[1], bad, at(0)), "EndRecords keeping %q", bad)
					}
				}
			}
			bad := f.rec("o", "id", 99, time.Hour)
			big := bad
			big.Data = make([]byte, state.MaxDataBytes+1)
			refuse(f.s.PutRecord(ctx, big, 0, at(0)), "data over MaxDataBytes")
			refuse(f.s.PutRecord(ctx, bad, -1, at(0)), "negative keep")
			refuse(f.s.PutRecord(ctx, bad, 0, at(time.Hour)), "ExpiresAt at now")
			refuse(f.s.PutRecord(ctx, bad, 0, at(2*time.Hour)), "ExpiresAt before now")
			fresh := f.rec("o", "fresh", 1, 0)
			refuse(f.s.PutRecord(ctx, fresh, 0, at(0)), "ExpiresAt at now")
			require.Equal(t, []rv{*view(seed)}, f.list("o", at(0)), "refused calls change nothing")
		}},
		{"ConcurrentDelete", func(t *testing.T, f recs) {
			f.put(0, at(0), f.rec("o", "id", 1, time.Hour))
			assertOneWinner(t, 32, "DeleteRecord calls that got true", func(int) (bool, error) {
				return f.s.DeleteRecord(context.Background(), f.set, "o", "id", at(0))
			})
			require.Nil(t, f.get("o", "id", at(0)))
		}},
		{"ConcurrentKeep", func(t *testing.T, f recs) {
			raceErrs(t, 20, func(i int) error {
				return f.s.PutRecord(context.Background(), f.rec("o", fmt.Sprintf("r%02d", i), int64(i%10), time.Hour), 3, at(0))
			})
			require.Equal(t, []string{"r18", "r09", "r19"}, f.ids("o", at(0)), "the three greatest (Order, ID)")
		}},
		{"EndRacingTouch", func(t *testing.T, f recs) {
			for round := range 4 {
				owner := fmt.Sprint("o", round)
				for i := range 31 {
					f.put(0, at(0), f.rec(owner, fmt.Sprint("r", i), 1, time.Hour))
				}
				raceErrs(t, 32, func(i int) error {
					if i == 0 {
						return f.s.EndRecords(context.Background(), f.set, owner, "", at(0))
					}
					return errOf(f.s.TouchRecord(context.Background(), f.set, owner, fmt.Sprint("r", i-1), 100, at(0)))
				})
				require.Empty(t, f.list(owner, at(0)), "round %d: a touch revived an ended record", round)
				require.Nil(t, f.get(owner, "r30", at(0)))
			}
		}},
	})
}

// ov is a single-use record as the suite compares it (see rv).
type ov struct {
	ID, Data  string
	ExpiresAt time.Time
}

// onces is the fixture of one RunOnces subtest: a store and an ID of its
// own keyspace, with helpers that fail the test on an error; get and take
// return nil when nothing is found.
type onces struct {
	t  *testing.T
	s  state.Onces
	id string
}

func onceView(r state.Once) *ov { return &ov{r.ID, string(r.Data), r.ExpiresAt.UTC()} }

func (f onces) get(id string, now time.Time) *ov {
	f.t.Helper()
	return lookup(f.t, onceView)(f.s.GetOnce(f.t.Context(), id, now))
}

func (f onces) take(id string, now time.Time) *ov {
	f.t.Helper()
	return lookup(f.t, onceView)(f.s.TakeOnce(f.t.Context(), id, now))
}

func (f onces) put(r state.Once, now time.Time) bool {
	f.t.Helper()
	return must[bool](f.t)(f.s.PutOnce(f.t.Context(), r, now))
}

// RunOnces runs the conformance suite for [state.Onces] against the stores
// that newStore returns, one per subtest.
func RunOnces(t *testing.T, newStore func(t *testing.T) state.Onces) {
	t.Helper()
	fixture := func(t *testing.T, s state.Onces, k keyspace) onces { return onces{t, s, k.key("once")} }
	runSuite(t, newStore, fixture, []subtest[onces]{
		{"PutGetTake", func(t *testing.T, f onces) {
			want := &ov{f.id, string(allBytes), at(time.Minute)}
			require.True(t, f.put(state.Once{ID: f.id, Data: allBytes, ExpiresAt: at(time.Minute)}, at(0)))
			require.Equal(t, want, f.get(f.id, at(0)))
			require.Equal(t, want, f.get(f.id, at(0)), "GetOnce does not consume")
			require.Equal(t, want, f.take(f.id, at(time.Minute-time.Millisecond)))
			require.Nil(t, f.take(f.id, at(0)), "taken once")
			require.Nil(t, f.get(f.id, at(0)))
			require.Nil(t, f.get(f.id+"x", at(0)), "unknown ID")
			for _, data := range [][]byte{nil, {}, {0}} {
				require.True(t, f.put(state.Once{ID: f.id, Data: data, ExpiresAt: at(time.Minute)}, at(0)))
				require.Equal(t, &ov{f.id, string(data), at(time.Minute)}, f.take(f.id, at(0)))
			}
		}},
		{"PutUnlessLive", func(t *testing.T, f onces) {
			for i, now := range []time.Time{at(0), at(time.Minute - time.Millisecond), at(time.Minute)} {
				require.Equal(t, i != 1, f.put(state.Once{ID: f.id, Data: []byte{byte(i)}, ExpiresAt: now.Add(time.Minute)}, now), "put %d", i)
				if i == 1 {
					require.Equal(t, &ov{f.id, "\x00", at(time.Minute)}, f.get(f.id, now), "a refused put changes nothing")
				}
			}
			require.Equal(t, &ov{f.id, "\x02", at(2 * time.Minute)}, f.get(f.id, at(time.Minute)))
			require.Nil(t, f.get(f.id, at(2*time.Minute)), "gone at ExpiresAt")
			require.Nil(t, f.take(f.id, at(2*time.Minute)), "gone at ExpiresAt")
		}},
		{"ContractViolations", func(t *testing.T, f onces) {
			ctx := t.Context()
			require.True(t, f.put(state.Once{ID: f.id, Data: []byte("seed"), ExpiresAt: at(time.Hour)}, at(0)))
			for _, bad := range invalidKeys(f.id) {
				require.ErrorIs(t, errOf(f.s.PutOnce(ctx, state.Once{ID: bad, ExpiresAt: at(time.Hour)}, at(0))), state.ErrContract, "PutOnce %q", bad)
				require.ErrorIs(t, errOf2(f.s.GetOnce(ctx, bad, at(0))), state.ErrContract, "GetOnce %q", bad)
				require.ErrorIs(t, errOf2(f.s.TakeOnce(ctx, bad, at(0))), state.ErrContract, "TakeOnce %q", bad)
			}
			for _, r := range []state.Once{{ID: f.id + "2", ExpiresAt: at(0)}, {ID: f.id + "2", ExpiresAt: at(-time.Millisecond)},
				{ID: f.id + "2", Data: make([]byte, state.MaxDataBytes+1), ExpiresAt: at(time.Hour)}} {
				require.ErrorIs(t, errOf(f.s.PutOnce(ctx, r, at(0))), state.ErrContract, "PutOnce expiring at %v with %d bytes", r.ExpiresAt, len(r.Data))
			}
			require.Nil(t, f.get(f.id+"2", at(0)), "refused puts change nothing")
			require.Equal(t, &ov{f.id, "seed", at(time.Hour)}, f.take(f.id, at(0)), "refused calls change nothing")
		}},
		{"ConcurrentPut", func(t *testing.T, f onces) {
			assertOneWinner(t, 32, "PutOnce calls that created", func(i int) (bool, error) {
				return f.s.PutOnce(context.Background(), state.Once{ID: f.id, Data: []byte{byte(i)}, ExpiresAt: at(time.Minute)}, at(0))
			})
		}},
		{"ConcurrentTake", func(t *testing.T, f onces) {
			require.True(t, f.put(state.Once{ID: f.id, ExpiresAt: at(time.Minute)}, at(0)))
			assertOneWinner(t, 32, "TakeOnce calls that found it", func(int) (bool, error) {
				_, found, err := f.s.TakeOnce(context.Background(), f.id, at(0))
				return found, err
			})
		}},
	})
}

// RunDocuments runs the conformance suite for [state.Documents] against the
// stores that newStore returns, one per subtest.
func RunDocuments(t *testing.T, newStore func(t *testing.T) state.Documents) {
	t.Helper()
	t.Run("Versions", func(t *testing.T) {
		s, id := newStore(t), newKeys().key("doc")
		ctx := t.Context()
		doc := func(id string) *state.Document {
			return lookup(t, func(d state.Document) *state.Document {
				return &state.Document{ID: d.ID, Version: d.Version, Data: []byte(string(d.Data))}
			})(s.GetDocument(ctx, id))
		}
		require.Nil(t, doc(id), "unknown ID")
		steps := []struct {
			version int64
			ok      bool
			want    int64 // the stored version afterwards
		}{{2, false, 0}, {1, true, 1}, {1, false, 1}, {3, false, 1}, {2, true, 2}, {2, false, 2}, {1, false, 2}, {3, true, 3}}
		for i, st := range steps {
			require.Equal(t, st.ok, must[bool](t)(s.PutDocument(ctx, state.Document{ID: id, Version: st.version, Data: []byte{0, byte(i)}})), "step %d: version %d", i, st.version)
			if st.ok {
				require.Equal(t, &state.Document{ID: id, Version: st.version, Data: []byte{0, byte(i)}}, doc(id), "step %d", i)
			} else if st.want > 0 {
				require.Equal(t, st.want, doc(id).Version, "step %d changed the document", i)
			} else {
				require.Nil(t, doc(id), "step %d", i)
			}
		}
		for _, d := range []state.Document{{ID: id, Version: 0}, {ID: id, Version: -1},
			{ID: id, Version: 4, Data: make([]byte, state.MaxDataBytes+1)}} {
			require.ErrorIs(t, errOf(s.PutDocument(ctx, d)), state.ErrContract, "version %d, %d bytes", d.Version, len(d.Data))
		}
		for _, bad := range invalidKeys(id) {
			require.ErrorIs(t, errOf(s.PutDocument(ctx, state.Document{ID: bad, Version: 4})), state.ErrContract, "PutDocument %q", bad)
			require.ErrorIs(t, errOf2(s.GetDocument(ctx, bad)), state.ErrContract, "GetDocument %q", bad)
		}
		require.Equal(t, &state.Document{ID: id, Version: 3, Data: []byte{0, 7}}, doc(id), "refused calls change nothing")
		for _, data := range [][]byte{allBytes, nil, {}} {
			other := newKeys().key("doc")
			require.True(t, must[bool](t)(s.PutDocument(ctx, state.Document{ID: other, Version: 1, Data: data})))
			require.Equal(t, string(data), string(doc(other).Data))
		}
	})
	t.Run("ConcurrentWriters", func(t *testing.T) {
		s, id := newStore(t), newKeys().key("doc")
		require.True(t, must[bool](t)(s.PutDocument(t.Context(), state.Document{ID: id, Version: 1})))
		var winner atomic.Int32
		assertOneWinner(t, 32, "PutDocument calls that wrote version 2", func(i int) (bool, error) {
			ok, err := s.PutDocument(context.Background(), state.Document{ID: id, Version: 2, Data: []byte{byte(i)}})
			if ok {
				winner.Store(int32(i))
			}
			return ok, err
		})
		assert.Equal(t, &state.Document{ID: id, Version: 2, Data: []byte{byte(winner.Load())}},
			lookup(t, ptr[state.Document])(s.GetDocument(t.Context(), id)), "the winner's write")
	})
}

// benchSerialParallel runs an operation serially, then in parallel
// (parallelism callers per CPU). newOp returns the operation of one caller,
// numbered from 0 (the serial one).
func benchSerialParallel(b *testing.B, parallelism int, newOp func(caller int64) func() error) {
	b.Run("serial", func(b *testing.B) {
		b.ReportAllocs()
		op := newOp(0)
		for b.Loop() {
			if err := op(); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("parallel", func(b *testing.B) {
		b.ReportAllocs()
		var next atomic.Int64
		b.SetParallelism(parallelism)
		b.RunParallel(func(pb *testing.PB) {
			op := newOp(next.Add(1))
			for pb.Next() {
				if err := op(); err != nil {
					b.Error(err)
					return
				}
			}
		})
	})
}

// BenchmarkRecordGet measures GetRecord, which runs on every request (a
// session lookup): serially, and in parallel (parallelism callers per CPU,
// each reading one of 64 records of 8 owners).
func BenchmarkRecordGet(b *testing.B, s state.Records, parallelism int) {
	ctx, set := b.Context(), newKeys().key("bench")
	const n = 64
	for i := range n {
		r := state.Record{Set: set, Owner: fmt.Sprint("o", i%8), ID: fmt.Sprint("r", i), Data: make([]byte, 100), ExpiresAt: at(time.Hour)}
		if err := s.PutRecord(ctx, r, 0, at(0)); err != nil {
			b.Fatal(err)
		}
	}
	benchSerialParallel(b, parallelism, func(caller int64) func() error {
		owner, id := fmt.Sprint("o", caller%n%8), fmt.Sprint("r", caller%n)
		return func() error {
			if _, found, err := s.GetRecord(ctx, set, owner, id, at(0)); err != nil || !found {
				return fmt.Errorf("GetRecord: found %v, %v", found, err)
			}
			return nil
		}
	})
}

// BenchmarkEndRecords measures EndRecords on an owner that holds 1 and
// 1,000 records, on a fresh store from newStore for each. Each timed call
// ends a live record put (untimed) before it; the contract makes the cost
// independent of the number of records.
func BenchmarkEndRecords(b *testing.B, newStore func(b *testing.B) state.Records) {
	for _, n := range []int{1, 1000} {
		b.Run(fmt.Sprint("records=", n), func(b *testing.B) {
			s, ctx, set := newStore(b), b.Context(), newKeys().key("bench")
			put := func(id string) {
				if err := s.PutRecord(ctx, state.Record{Set: set, Owner: "o", ID: id, ExpiresAt: at(time.Hour)}, 0, at(0)); err != nil {
					b.Fatal(err)
				}
			}
			for i := range n {
				put(fmt.Sprint("r", i))
			}
			i := 0
			for b.Loop() {
				if err := s.EndRecords(ctx, set, "o", "", at(0)); err != nil {
					b.Fatal(err)
				}
				b.StopTimer()
				i++
				put(fmt.Sprint("new", i))
				b.StartTimer()
			}
		})
	}
}

// BenchmarkOnce measures PutOnce followed by TakeOnce (a pending login
// started and finished), serially and in parallel (a record per caller).
func BenchmarkOnce(b *testing.B, s state.Onces, parallelism int) {
	ctx, k := b.Context(), newKeys()
	benchSerialParallel(b, parallelism, func(caller int64) func() error {
		r := state.Once{ID: k.key(fmt.Sprint(caller)), Data: make([]byte, 100), ExpiresAt: at(time.Hour)}
		return func() error {
			if created, err := s.PutOnce(ctx, r, at(0)); err != nil || !created {
				return fmt.Errorf("PutOnce: created %v, %v", created, err)
			}
			if _, found, err := s.TakeOnce(ctx, r.ID, at(0)); err != nil || !found {
				return fmt.Errorf("TakeOnce: found %v, %v", found, err)
			}
			return nil
		}
	})
}
