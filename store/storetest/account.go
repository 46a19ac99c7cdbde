package storetest

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/accountsec/accountsec/account"
)

// accts is the fixture of one RunAccountStore subtest: the store and the
// subtest's keyspace, with helpers that fail the test on an error.
type accts struct {
	t *testing.T
	s account.Store
	k keyspace
}

// RunAccountStore runs the conformance suite for [account.Store] against the
// stores that newStore returns, one per subtest. Account IDs, APPIDs and
// slot values are under the subtest's random prefix.
func RunAccountStore(t *testing.T, newStore func(t *testing.T) account.Store) {
	t.Helper()
	fixture := func(t *testing.T, s account.Store, k keyspace) accts { return accts{t, s, k} }
	runSuite(t, newStore, fixture, accountTests)
}

// rec returns a record for account n of the fixture's keyspace.
func (f accts) rec(n int) account.Account {
	return account.Account{
		ID:                     f.id(n),
		APPID:                  f.k.key(fmt.Sprint("app", n)),
		Nickname:               "nick",
		RegisteredAt:           at(time.Duration(n) * time.Millisecond),
		RegistrationMethod:     account.MethodWeChat,
		RegistrationIdentifier: f.k.key("wx"),
		State:                  account.StateActive,
		RealName:               account.RealName{Status: account.RealNameUnverified},
		LoginMethods:           []account.LoginMethod{{Method: account.MethodWeChat, Identifier: f.k.key("wx"), BoundAt: at(0)}},
		Password:               account.Password{Hash: "h1", History: []string{"h1", "h0"}, ChangedAt: at(0)},
		Security:               account.SecuritySettings{LoginProtection: account.VerifyNone, SessionMaxLifetime: time.Hour},
	}
}

// id is the ID of account n of rec.
func (f accts) id(n int) string { return f.k.key(fmt.Sprint("id", n)) }

// slot returns a slot of the fixture's keyspace.
func (f accts) slot(scope account.Scope, kind account.Kind, name string) account.Slot {
	return account.Slot{Scope: scope, Kind: kind, Value: f.k.key(name)}
}

// take asks for sl with the limit.
func take(sl account.Slot, limit int) []account.Take { return []account.Take{{Slot: sl, Limit: limit}} }

func (f accts) create(a account.Account, take []account.Take, want account.WriteStatus) account.WriteResult {
	f.t.Helper()
	res := must[account.WriteResult](f.t)(f.s.CreateAccount(f.t.Context(), a, take))
	require.Equal(f.t, want, res.Status, "CreateAccount status")
	return res
}

func (f accts) update(a account.Account, take []account.Take, release []account.Slot, want account.WriteStatus) account.WriteResult {
	f.t.Helper()
	res := must[account.WriteResult](f.t)(f.s.UpdateAccount(f.t.Context(), a, take, release))
	require.Equal(f.t, want, res.Status, "UpdateAccount status")
	return res
}

// read returns account id, failing the test unless it exists.
func (f accts) read(id string) account.Account {
	f.t.Helper()
	a := f.find(id)
	require.NotNil(f.t, a, "account %s not found", id)
	return *a
}

// find returns account id, or nil when there is none.
func (f accts) find(id string) *account.Account {
	f.t.Helper()
	return lookup(f.t, ptr[account.Account])(f.s.Account(f.t.Context(), id))
}

// byAPPID returns the account of appid, or nil when there is none.
func (f accts) byAPPID(appid string) *account.Account {
	f.t.Helper()
	return lookup(f.t, ptr[account.Account])(f.s.AccountByAPPID(f.t.Context(), appid))
}

// del deletes account id and returns whether it was deleted.
func (f accts) del(id string) bool {
	f.t.Helper()
	return must[bool](f.t)(f.s.DeleteAccount(f.t.Context(), id))
}

func (f accts) holders(sl account.Slot) []string {
	f.t.Helper()
	return must[[]string](f.t)(f.s.SlotHolders(f.t.Context(), sl))
}

// requireSame compares records, times with time.Equal; it ignores the
// times of verifications and pending contacts. A nil got (no record found)
// fails the test.
func (f accts) requireSame(want account.Account, got *account.Account) {
	f.t.Helper()
	require.NotNil(f.t, got, "account %s not found", want.ID)
	for _, a := range []*account.Account{&want, got} {
		*a = a.Clone()
		a.RegisteredAt, a.Password.ChangedAt = a.RegisteredAt.UTC(), a.Password.ChangedAt.UTC()
		for i := range a.LoginMethods {
			a.LoginMethods[i].BoundAt = a.LoginMethods[i].BoundAt.UTC()
		}
		a.RealName.VerifiedAt, a.ContactPhone.PendingSince, a.ContactEmail.PendingSince = time.Time{}, time.Time{}, time.Time{}
	}
	require.Equal(f.t, want, *got)
}

// casUpdate reads account id, applies change and writes it back, retrying
// on conflicts, as the account service does. It returns the final status.
func (f accts) casUpdate(id string, change func(*account.Account), take []account.Take) (account.WriteStatus, error) {
	for range 1000 {
		cur, found, err := f.s.Account(f.t.Context(), id)
		if err != nil || !found {
			return account.WriteMissing, err
		}
		change(&cur)
		res, err := f.s.UpdateAccount(f.t.Context(), cur, take, nil)
		if err != nil || res.Status != account.WriteConflict {
			return res.Status, err
		}
	}
	return account.WriteConflict, nil
}

// raceCreates races CreateAccount calls of the records rec(i) as changed by
// change, each taking take, and returns their statuses.
func (f accts) raceCreates(n int, change func(*account.Account), take []account.Take) []account.WriteStatus {
	f.t.Helper()
	return raceAll(f.t, n, func(i int) (account.WriteStatus, error) {
		a := f.rec(i)
		change(&a)
		res, err := f.s.CreateAccount(f.t.Context(), a, take)
		return res.Status, err
	})
}

var accountTests = []subtest[accts]{
	{"CreateAndRead", func(t *testing.T, f accts) {
		a := f.rec(1)
		f.create(a, nil, account.WriteOK)
		a.Version = 1
		f.requireSame(a, f.find(a.ID))
		f.requireSame(a, f.byAPPID(a.APPID))
	}},
	{"CreateSetsVersionOne", func(t *testing.T, f accts) {
		a := f.rec(1)
		a.Version = 42
		f.create(a, nil, account.WriteOK)
		got := f.read(a.ID)
		assert.Equal(t, int64(1), got.Version)
	}},
	{"CreateRefusesUsedID", func(t *testing.T, f accts) {
		a, b := f.rec(1), f.rec(2)
		sl := f.slot(account.ScopeRegister, account.KindWeChat, "x")
		f.create(a, nil, account.WriteOK)
		b.ID, b.Nickname = a.ID, "other"
		f.create(b, take(sl, 5), account.WriteTaken)
		got := f.read(a.ID)
		assert.Equal(t, "nick", got.Nickname, "the first account was overwritten")
		assert.Empty(t, f.holders(sl), "the refused create took a slot")
		assert.Nil(t, f.byAPPID(b.APPID), "the refused create registered its APPID")
	}},
	{"CreateRefusesUsedAPPID", func(t *testing.T, f accts) {
		a, b := f.rec(1), f.rec(2)
		f.create(a, nil, account.WriteOK)
		b.APPID = a.APPID
		f.create(b, nil, account.WriteTaken)
		assert.Nil(t, f.find(b.ID))
		got := f.byAPPID(a.APPID)
		require.NotNil(t, got)
		assert.Equal(t, a.ID, got.ID)
	}},
	{"CreateRefusedWhenSlotFull", func(t *testing.T, f accts) {
		sl, b := f.slot(account.ScopeRegister, account.KindEmail, "a@x.cn"), f.rec(2)
		f.create(f.rec(1), take(sl, 1), account.WriteOK)
		assert.Equal(t, sl, f.create(b, take(sl, 1), account.WriteFull).Full)
		assert.Nil(t, f.find(b.ID), "the refused account exists")
		assert.Equal(t, []string{f.id(1)}, f.holders(sl))
		// The refused create did not reserve its ID or APPID.
		f.create(b, nil, account.WriteOK)
	}},
	{"CreateTakesAllOrNothing", func(t *testing.T, f accts) {
		free, full := f.slot(account.ScopeBind, account.KindWeChat, "free"), f.slot(account.ScopeBind, account.KindQQ, "full")
		f.create(f.rec(1), take(full, 1), account.WriteOK)
		res := f.create(f.rec(2), []account.Take{{Slot: free, Limit: 50}, {Slot: full, Limit: 1}}, account.WriteFull)
		assert.Equal(t, full, res.Full)
		assert.Empty(t, f.holders(free), "a slot was taken by a refused create")
	}},
	{"ReadAbsent", func(t *testing.T, f accts) {
		assert.Nil(t, f.find(f.k.key("nobody")))
		assert.Nil(t, f.byAPPID(f.k.key("nobody")))
		assert.Empty(t, f.holders(f.slot(account.ScopeBind, account.KindEmail, "none")))
	}},
	{"UpdateChecksVersion", func(t *testing.T, f accts) {
		a := f.rec(1)
		f.create(a, nil, account.WriteOK)
		cur := f.read(a.ID)
		first, stale := cur.Clone(), cur.Clone()
		first.Nickname, stale.Industry = "first", "stale"
		f.update(first, nil, nil, account.WriteOK)
		sl := f.slot(account.ScopeBind, account.KindQQ, "q")
		for i, st := range []account.WriteStatus{account.WriteOK, account.WriteConflict} {
			if i == 1 {
				f.update(stale, take(sl, 1), nil, st)
			}
			got := f.read(a.ID)
			assert.Equal(t, int64(2), got.Version)
			assert.Equal(t, "first", got.Nickname)
			assert.Empty(t, got.Industry, "a stale update was written")
		}
		assert.Empty(t, f.holders(sl), "a stale update took a slot")
	}},
	{"UpdateMissing", func(t *testing.T, f accts) {
		a, sl := f.rec(1), f.slot(account.ScopeBind, account.KindQQ, "q")
		a.Version = 1
		f.update(a, take(sl, 1), nil, account.WriteMissing)
		assert.Nil(t, f.find(a.ID))
		assert.Empty(t, f.holders(sl))
	}},
	{"UpdateTakesAndReleases", func(t *testing.T, f accts) {
		old := f.slot(account.ScopeSecurityPhone, account.KindPhone, "+8613800000001")
		nw := f.slot(account.ScopeSecurityPhone, account.KindPhone, "+8613800000002")
		a := f.rec(1)
		f.create(a, take(old, 5), account.WriteOK)
		assert.Equal(t, []string{a.ID}, f.holders(old))
		cur := f.read(a.ID)
		cur.SecurityPhone = nw.Value
		f.update(cur, take(nw, 5), []account.Slot{old}, account.WriteOK)
		assert.Empty(t, f.holders(old), "the old slot was not released")
		assert.Equal(t, []string{a.ID}, f.holders(nw))
		got := f.read(a.ID)
		assert.Equal(t, nw.Value, got.SecurityPhone)
		assert.Equal(t, int64(2), got.Version)
	}},
	{"UpdateRefusedWhenSlotFullChangesNothing", func(t *testing.T, f accts) {
		held, full, b := f.slot(account.ScopeBind, account.KindWeChat, "held"), f.slot(account.ScopeBind, account.KindQQ, "full"), f.rec(2)
		f.create(f.rec(1), take(full, 1), account.WriteOK)
		f.create(b, take(held, 50), account.WriteOK)
		cur := f.read(b.ID)
		next := cur.Clone()
		next.Nickname = "changed"
		assert.Equal(t, full, f.update(next, take(full, 1), []account.Slot{held}, account.WriteFull).Full)
		f.requireSame(cur, f.find(b.ID))
		assert.Equal(t, []string{b.ID}, f.holders(held), "the refused update released a slot")
		assert.Equal(t, []string{f.id(1)}, f.holders(full))
	}},
	{"TakeAlreadyHeldIsGranted", func(t *testing.T, f accts) {
		sl, a := f.slot(account.ScopeBind, account.KindEmail, "a@x.cn"), f.rec(1)
		f.create(a, take(sl, 1), account.WriteOK)
		cur := f.read(a.ID)
		// The slot is full, but of this very account: granted, still one holder.
		f.update(cur, take(sl, 1), nil, account.WriteOK)
		assert.Equal(t, []string{a.ID}, f.holders(sl))
	}},
	{"ReleaseNotHeldIsNoop", func(t *testing.T, f accts) {
		sl, b := f.slot(account.ScopeBind, account.KindEmail, "a@x.cn"), f.rec(2)
		f.create(f.rec(1), take(sl, 2), account.WriteOK)
		f.create(b, nil, account.WriteOK)
		cur := f.read(b.ID)
		f.update(cur, nil, []account.Slot{sl}, account.WriteOK)
		assert.Equal(t, []string{f.id(1)}, f.holders(sl), "releasing a slot another account holds")
	}},
	{"SlotsAreIndependent", func(t *testing.T, f accts) {
		base := f.slot(account.ScopeBind, account.KindEmail, "v")
		variants := []account.Slot{
			{Scope: account.ScopeRegister, Kind: base.Kind, Value: base.Value},
			{Scope: base.Scope, Kind: account.KindQQ, Value: base.Value},
			{Scope: base.Scope, Kind: base.Kind, Value: base.Value + "2"},
			// Field boundaries must not blur: "bind"+"email" vs "bin"+"demail".
			{Scope: "bin", Kind: "demail", Value: base.Value},
		}
		f.create(f.rec(0), take(base, 1), account.WriteOK)
		for i, v := range variants {
			f.create(f.rec(i+1), take(v, 1), account.WriteOK)
			assert.Equal(t, []string{f.id(i + 1)}, f.holders(v))
		}
		assert.Equal(t, []string{f.id(0)}, f.holders(base))
	}},
	{"DeleteReleasesEverySlot", func(t *testing.T, f accts) {
		a, other := f.rec(1), f.rec(2)
		slots := []account.Slot{f.slot(account.ScopeRegister, account.KindWeChat, "wx"), f.slot(account.ScopeBind, account.KindWeChat, "wx"),
			f.slot(account.ScopeSecurityPhone, account.KindPhone, "p"), f.slot(account.ScopeRealName, account.KindPersonalID, "hash")}
		f.create(other, take(slots[1], 50), account.WriteOK)
		f.create(a, []account.Take{{Slot: slots[0], Limit: 1}, {Slot: slots[1], Limit: 50}}, account.WriteOK)
		// Slots taken by an update are released too.
		cur := f.read(a.ID)
		f.update(cur, []account.Take{{Slot: slots[2], Limit: 5}, {Slot: slots[3], Limit: 3}}, nil, account.WriteOK)
		require.True(t, f.del(a.ID))
		for _, sl := range slots {
			assert.NotContains(t, f.holders(sl), a.ID, "slot %+v", sl)
		}
		assert.Equal(t, []string{other.ID}, f.holders(slots[1]), "another account's slot was released")
		assert.Nil(t, f.find(a.ID))
		assert.Nil(t, f.byAPPID(a.APPID))
		cur.Version = 2
		f.update(cur, nil, nil, account.WriteMissing)
		// Every released slot can be taken by a new account.
		var takes []account.Take
		for _, sl := range slots {
			takes = append(takes, account.Take{Slot: sl, Limit: 1 + len(f.holders(sl))})
		}
		f.create(f.rec(3), takes, account.WriteOK)
	}},
	{"DeleteKeepsIDsReserved", func(t *testing.T, f accts) {
		a, b, c := f.rec(1), f.rec(2), f.rec(3)
		f.create(a, nil, account.WriteOK)
		require.True(t, f.del(a.ID))
		b.APPID, c.ID = a.APPID, a.ID
		for _, x := range []account.Account{a, b, c} {
			f.create(x, nil, account.WriteTaken)
		}
	}},
	{"DeleteAbsent", func(t *testing.T, f accts) {
		assert.False(t, f.del(f.k.key("nobody")))
		a := f.rec(1)
		f.create(a, nil, account.WriteOK)
		require.True(t, f.del(a.ID))
		assert.False(t, f.del(a.ID), "deleted twice")
	}},
	{"RecordsAreCopied", func(t *testing.T, f accts) {
		a := f.rec(1)
		f.create(a, nil, account.WriteOK)
		a.LoginMethods[0].Identifier = "changed by the caller"
		a.Password.History[0] = "changed by the caller"
		got := f.read(a.ID)
		assert.Equal(t, f.k.key("wx"), got.LoginMethods[0].Identifier)
		assert.Equal(t, "h1", got.Password.History[0])
		got.LoginMethods[0].Identifier = "changed by a reader"
		got.Password.History[1] = "changed by a reader"
		again := f.read(a.ID)
		assert.Equal(t, f.k.key("wx"), again.LoginMethods[0].Identifier)
		assert.Equal(t, "h0", again.Password.History[1])
		next := again.Clone()
		f.update(next, nil, nil, account.WriteOK)
		next.LoginMethods[0].Identifier = "changed after update"
		final := f.read(a.ID)
		assert.Equal(t, f.k.key("wx"), final.LoginMethods[0].Identifier)
	}},
	{"ConcurrentPhoneBindings", func(t *testing.T, f accts) {
		const n, limit = 20, 5
		phone := f.slot(account.ScopeSecurityPhone, account.KindPhone, "+8613800138000")
		for i := range n {
			f.create(f.rec(i), nil, account.WriteOK)
		}
		statuses := raceAll(t, n, func(i int) (account.WriteStatus, error) {
			return f.casUpdate(f.id(i), func(a *account.Account) { a.SecurityPhone = phone.Value }, take(phone, limit))
		})
		assert.Equal(t, limit, countOf(statuses, account.WriteOK), "bindings that succeeded")
		assert.Equal(t, n-limit, countOf(statuses, account.WriteFull), "bindings refused as full")
		holders := f.holders(phone)
		require.Len(t, holders, limit)
		for _, id := range holders {
			a := f.read(id)
			assert.Equal(t, phone.Value, a.SecurityPhone, "a holder's record lacks the phone")
		}
	}},
	{"ConcurrentRegistrations", func(t *testing.T, f accts) {
		sl := f.slot(account.ScopeRegister, account.KindQQ, "qq")
		assert.Equal(t, 1, countOf(f.raceCreates(20, func(*account.Account) {}, take(sl, 1)), account.WriteOK))
		assert.Len(t, f.holders(sl), 1)
	}},
	{"ConcurrentCreateSameID", func(t *testing.T, f accts) {
		const n = 20
		statuses := f.raceCreates(n, func(a *account.Account) { a.ID = f.k.key("same") }, nil)
		assert.Equal(t, 1, countOf(statuses, account.WriteOK))
		assert.Equal(t, n-1, countOf(statuses, account.WriteTaken))
	}},
	{"ConcurrentUpdatesLoseNothing", func(t *testing.T, f accts) {
		const n = 20
		a := f.rec(1)
		f.create(a, nil, account.WriteOK)
		statuses := raceAll(t, n, func(i int) (account.WriteStatus, error) {
			return f.casUpdate(a.ID, func(a *account.Account) {
				a.LoginMethods = append(a.LoginMethods, account.LoginMethod{Method: account.MethodQQ, Identifier: fmt.Sprint("g", i)})
			}, nil)
		})
		require.Equal(t, n, countOf(statuses, account.WriteOK), "statuses %v", statuses)
		got := f.read(a.ID)
		assert.Equal(t, int64(n+1), got.Version)
		var ids, want []string
		for _, lm := range got.LoginMethods[1:] {
			ids = append(ids, lm.Identifier)
		}
		for i := range n {
			want = append(want, fmt.Sprint("g", i))
		}
		assert.ElementsMatch(t, want, ids, "every concurrent change is in the record")
	}},
	{"ConcurrentDeleteAndUpdate", func(t *testing.T, f accts) {
		const n = 20
		a := f.rec(1)
		f.create(a, nil, account.WriteOK)
		slots := make([]account.Slot, n)
		for i := range slots {
			slots[i] = f.slot(account.ScopeBind, account.KindWeChat, fmt.Sprint("s", i))
		}
		raceErrs(t, n+1, func(i int) error {
			if i == n {
				return errOf(f.s.DeleteAccount(t.Context(), a.ID))
			}
			return errOf(f.casUpdate(a.ID, func(*account.Account) {}, take(slots[i], 50)))
		})
		// Whatever the interleaving, the deleted account holds nothing.
		for _, sl := range slots {
			assert.Empty(t, f.holders(sl), "a deleted account still holds %+v", sl)
		}
	}},
	{"CancelledContext", func(t *testing.T, f accts) {
		ctx, a, sl := cancelled(), f.rec(1), f.slot(account.ScopeBind, account.KindQQ, "q")
		require.Error(t, errOf(f.s.CreateAccount(ctx, a, take(sl, 1))))
		require.Nil(t, f.find(a.ID), "a cancelled create wrote")
		f.create(a, nil, account.WriteOK)
		cur := f.read(a.ID)
		assert.Error(t, errOf2(f.s.Account(ctx, a.ID)))
		assert.Error(t, errOf2(f.s.AccountByAPPID(ctx, a.APPID)))
		assert.Error(t, errOf(f.s.UpdateAccount(ctx, cur, take(sl, 1), nil)))
		assert.Error(t, errOf(f.s.DeleteAccount(ctx, a.ID)))
		assert.Error(t, errOf(f.s.SlotHolders(ctx, sl)))
		got := f.find(a.ID)
		require.NotNil(t, got, "a cancelled delete deleted")
		assert.Equal(t, int64(1), got.Version, "a cancelled update wrote")
		assert.Empty(t, f.holders(sl))
	}},
}
