package storetest

import (
	"fmt"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/accountsec/accountsec/account"
)

// accountTest is one subtest of RunAccountStore.
type accountTest struct {
	name string
	run  func(t *testing.T, s account.Store, k keyspace)
}

// RunAccountStore runs the conformance suite for [account.Store] against the
// stores that newStore returns, one per subtest. Account IDs, APPIDs and
// slot values are under the subtest's random prefix.
func RunAccountStore(t *testing.T, newStore func(t *testing.T) account.Store) {
	t.Helper()
	tests := []accountTest{
		{"CreateAndRead", testAccountCreateAndRead},
		{"CreateSetsVersionOne", testAccountCreateSetsVersionOne},
		{"CreateRefusesUsedID", testAccountCreateRefusesUsedID},
		{"CreateRefusesUsedAPPID", testAccountCreateRefusesUsedAPPID},
		{"CreateRefusedWhenSlotFull", testAccountCreateRefusedWhenSlotFull},
		{"CreateTakesAllOrNothing", testAccountCreateTakesAllOrNothing},
		{"ReadAbsent", testAccountReadAbsent},
		{"UpdateChecksVersion", testAccountUpdateChecksVersion},
		{"UpdateMissing", testAccountUpdateMissing},
		{"UpdateTakesAndReleases", testAccountUpdateTakesAndReleases},
		{"UpdateRefusedWhenSlotFullChangesNothing", testAccountUpdateFullChangesNothing},
		{"TakeAlreadyHeldIsGranted", testAccountTakeAlreadyHeld},
		{"ReleaseNotHeldIsNoop", testAccountReleaseNotHeld},
		{"SlotsAreIndependent", testAccountSlotsIndependent},
		{"DeleteReleasesEverySlot", testAccountDeleteReleasesEverySlot},
		{"DeleteKeepsIDsReserved", testAccountDeleteKeepsIDsReserved},
		{"DeleteAbsent", testAccountDeleteAbsent},
		{"RecordsAreCopied", testAccountRecordsAreCopied},
		{"ConcurrentPhoneBindings", testAccountConcurrentPhoneBindings},
		{"ConcurrentRegistrations", testAccountConcurrentRegistrations},
		{"ConcurrentCreateSameID", testAccountConcurrentCreateSameID},
		{"ConcurrentUpdatesLoseNothing", testAccountConcurrentUpdatesLoseNothing},
		{"ConcurrentDeleteAndUpdate", testAccountConcurrentDeleteAndUpdate},
		{"CancelledContext", testAccountCancelledContext},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := newStore(t)
			require.NotNil(t, s, "newStore returned nil")
			tc.run(t, s, newKeys())
		})
	}
}

// newAccount returns a record for account n of keyspace k.
func acctRecord(k keyspace, n int) account.Account {
	id := k.key(fmt.Sprint("id", n))
	return account.Account{
		ID:                     id,
		APPID:                  k.key(fmt.Sprint("app", n)),
		Nickname:               "nick",
		RegisteredAt:           at(time.Duration(n) * time.Millisecond),
		RegistrationMethod:     account.MethodWeChat,
		RegistrationIdentifier: k.key("wx"),
		State:                  account.StateActive,
		RealName:               account.RealName{Status: account.RealNameUnverified},
		LoginMethods:           []account.LoginMethod{{Method: account.MethodWeChat, Identifier: k.key("wx"), BoundAt: at(0)}},
		Password:               account.Password{Hash: "h1", History: []string{"h1", "h0"}, ChangedAt: at(0)},
		Security:               account.SecuritySettings{LoginProtection: account.VerifyNone, SessionMaxLifetime: time.Hour},
	}
}

// slot returns a slot of keyspace k.
func acctSlot(k keyspace, scope account.Scope, kind account.Kind, name string) account.Slot {
	return account.Slot{Scope: scope, Kind: kind, Value: k.key(name)}
}

func acctCreate(t *testing.T, s account.Store, a account.Account, take []account.Take, want account.WriteStatus) account.WriteResult {
	t.Helper()
	res, err := s.CreateAccount(t.Context(), a, take)
	require.NoError(t, err)
	require.Equal(t, want, res.Status, "CreateAccount status")
	return res
}

func acctUpdate(t *testing.T, s account.Store, a account.Account, take []account.Take, release []account.Slot, want account.WriteStatus) account.WriteResult {
	t.Helper()
	res, err := s.UpdateAccount(t.Context(), a, take, release)
	require.NoError(t, err)
	require.Equal(t, want, res.Status, "UpdateAccount status")
	return res
}

func acctRead(t *testing.T, s account.Store, id string) (account.Account, bool) {
	t.Helper()
	a, found, err := s.Account(t.Context(), id)
	require.NoError(t, err)
	return a, found
}

func acctHolders(t *testing.T, s account.Store, sl account.Slot) []string {
	t.Helper()
	h, err := s.SlotHolders(t.Context(), sl)
	require.NoError(t, err)
	return h
}

// requireSameAccount compares records, times with time.Equal.
func acctRequireSame(t *testing.T, want, got account.Account) {
	t.Helper()
	require.True(t, want.RegisteredAt.Equal(got.RegisteredAt), "RegisteredAt: want %v, got %v", want.RegisteredAt, got.RegisteredAt)
	require.True(t, want.Password.ChangedAt.Equal(got.Password.ChangedAt), "Password.ChangedAt")
	require.Len(t, got.LoginMethods, len(want.LoginMethods))
	for i := range want.LoginMethods {
		require.True(t, want.LoginMethods[i].BoundAt.Equal(got.LoginMethods[i].BoundAt), "LoginMethods[%d].BoundAt", i)
		got.LoginMethods[i].BoundAt = want.LoginMethods[i].BoundAt
	}
	got.RegisteredAt, got.Password.ChangedAt = want.RegisteredAt, want.Password.ChangedAt
	got.RealName.VerifiedAt, got.ContactPhone.PendingSince, got.ContactEmail.PendingSince = want.RealName.VerifiedAt, want.ContactPhone.PendingSince, want.ContactEmail.PendingSince
	require.Equal(t, want.Password.Hash, got.Password.Hash)
	require.Equal(t, want.Password.History, got.Password.History)
	want.Password, got.Password = account.Password{}, account.Password{}
	require.Equal(t, want, got)
}

func testAccountCreateAndRead(t *testing.T, s account.Store, k keyspace) {
	a := acctRecord(k, 1)
	acctCreate(t, s, a, nil, account.WriteOK)
	a.Version = 1

	got, found := acctRead(t, s, a.ID)
	require.True(t, found)
	acctRequireSame(t, a, got)

	got, found, err := s.AccountByAPPID(t.Context(), a.APPID)
	require.NoError(t, err)
	require.True(t, found)
	acctRequireSame(t, a, got)
}

func testAccountCreateSetsVersionOne(t *testing.T, s account.Store, k keyspace) {
	a := acctRecord(k, 1)
	a.Version = 42
	acctCreate(t, s, a, nil, account.WriteOK)
	got, _ := acctRead(t, s, a.ID)
	assert.Equal(t, int64(1), got.Version)
}

func testAccountCreateRefusesUsedID(t *testing.T, s account.Store, k keyspace) {
	a := acctRecord(k, 1)
	sl := acctSlot(k, account.ScopeRegister, account.KindWeChat, "x")
	acctCreate(t, s, a, nil, account.WriteOK)

	b := acctRecord(k, 2)
	b.ID = a.ID
	b.Nickname = "other"
	acctCreate(t, s, b, []account.Take{{Slot: sl, Limit: 5}}, account.WriteTaken)

	got, _ := acctRead(t, s, a.ID)
	assert.Equal(t, "nick", got.Nickname, "the first account was overwritten")
	assert.Empty(t, acctHolders(t, s, sl), "the refused create took a slot")
	_, found, err := s.AccountByAPPID(t.Context(), b.APPID)
	require.NoError(t, err)
	assert.False(t, found, "the refused create registered its APPID")
}

func testAccountCreateRefusesUsedAPPID(t *testing.T, s account.Store, k keyspace) {
	a := acctRecord(k, 1)
	acctCreate(t, s, a, nil, account.WriteOK)
	b := acctRecord(k, 2)
	b.APPID = a.APPID
	acctCreate(t, s, b, nil, account.WriteTaken)
	_, found := acctRead(t, s, b.ID)
	assert.False(t, found)
	got, found, err := s.AccountByAPPID(t.Context(), a.APPID)
	require.NoError(t, err)
	require.True(t, found)
	assert.Equal(t, a.ID, got.ID)
}

func testAccountCreateRefusedWhenSlotFull(t *testing.T, s account.Store, k keyspace) {
	sl := acctSlot(k, account.ScopeRegister, account.KindEmail, "a@x.cn")
	acctCreate(t, s, acctRecord(k, 1), []account.Take{{Slot: sl, Limit: 1}}, account.WriteOK)
	b := acctRecord(k, 2)
	res := acctCreate(t, s, b, []account.Take{{Slot: sl, Limit: 1}}, account.WriteFull)
	assert.Equal(t, sl, res.Full)
	_, found := acctRead(t, s, b.ID)
	assert.False(t, found, "the refused account exists")
	assert.Equal(t, []string{k.key("id1")}, acctHolders(t, s, sl))
	// The refused create did not reserve its ID or APPID.
	acctCreate(t, s, b, nil, account.WriteOK)
}

func testAccountCreateTakesAllOrNothing(t *testing.T, s account.Store, k keyspace) {
	free := acctSlot(k, account.ScopeBind, account.KindWeChat, "free")
	full := acctSlot(k, account.ScopeBind, account.KindQQ, "full")
	acctCreate(t, s, acctRecord(k, 1), []account.Take{{Slot: full, Limit: 1}}, account.WriteOK)
	res := acctCreate(t, s, acctRecord(k, 2), []account.Take{{Slot: free, Limit: 50}, {Slot: full, Limit: 1}}, account.WriteFull)
	assert.Equal(t, full, res.Full)
	assert.Empty(t, acctHolders(t, s, free), "a slot was taken by a refused create")
}

func testAccountReadAbsent(t *testing.T, s account.Store, k keyspace) {
	_, found := acctRead(t, s, k.key("nobody"))
	assert.False(t, found)
	_, found, err := s.AccountByAPPID(t.Context(), k.key("nobody"))
	require.NoError(t, err)
	assert.False(t, found)
	assert.Empty(t, acctHolders(t, s, acctSlot(k, account.ScopeBind, account.KindEmail, "none")))
}

func testAccountUpdateChecksVersion(t *testing.T, s account.Store, k keyspace) {
	a := acctRecord(k, 1)
	acctCreate(t, s, a, nil, account.WriteOK)
	cur, _ := acctRead(t, s, a.ID)

	first := cur.Clone()
	first.Nickname = "first"
	acctUpdate(t, s, first, nil, nil, account.WriteOK)
	got, _ := acctRead(t, s, a.ID)
	assert.Equal(t, int64(2), got.Version)
	assert.Equal(t, "first", got.Nickname)

	stale := cur.Clone()
	stale.Industry = "stale"
	sl := acctSlot(k, account.ScopeBind, account.KindQQ, "q")
	acctUpdate(t, s, stale, []account.Take{{Slot: sl, Limit: 1}}, nil, account.WriteConflict)
	got, _ = acctRead(t, s, a.ID)
	assert.Equal(t, int64(2), got.Version)
	assert.Equal(t, "first", got.Nickname)
	assert.Empty(t, got.Industry, "a stale update was written")
	assert.Empty(t, acctHolders(t, s, sl), "a stale update took a slot")
}

func testAccountUpdateMissing(t *testing.T, s account.Store, k keyspace) {
	a := acctRecord(k, 1)
	a.Version = 1
	sl := acctSlot(k, account.ScopeBind, account.KindQQ, "q")
	acctUpdate(t, s, a, []account.Take{{Slot: sl, Limit: 1}}, nil, account.WriteMissing)
	_, found := acctRead(t, s, a.ID)
	assert.False(t, found)
	assert.Empty(t, acctHolders(t, s, sl))
}

func testAccountUpdateTakesAndReleases(t *testing.T, s account.Store, k keyspace) {
	old := acctSlot(k, account.ScopeSecurityPhone, account.KindPhone, "+8613800000001")
	nw := acctSlot(k, account.ScopeSecurityPhone, account.KindPhone, "+8613800000002")
	a := acctRecord(k, 1)
	acctCreate(t, s, a, []account.Take{{Slot: old, Limit: 5}}, account.WriteOK)
	assert.Equal(t, []string{a.ID}, acctHolders(t, s, old))

	cur, _ := acctRead(t, s, a.ID)
	cur.SecurityPhone = nw.Value
	acctUpdate(t, s, cur, []account.Take{{Slot: nw, Limit: 5}}, []account.Slot{old}, account.WriteOK)
	assert.Empty(t, acctHolders(t, s, old), "the old slot was not released")
	assert.Equal(t, []string{a.ID}, acctHolders(t, s, nw))
	got, _ := acctRead(t, s, a.ID)
	assert.Equal(t, nw.Value, got.SecurityPhone)
	assert.Equal(t, int64(2), got.Version)
}

func testAccountUpdateFullChangesNothing(t *testing.T, s account.Store, k keyspace) {
	held := acctSlot(k, account.ScopeBind, account.KindWeChat, "held")
	full := acctSlot(k, account.ScopeBind, account.KindQQ, "full")
	acctCreate(t, s, acctRecord(k, 1), []account.Take{{Slot: full, Limit: 1}}, account.WriteOK)
	b := acctRecord(k, 2)
	acctCreate(t, s, b, []account.Take{{Slot: held, Limit: 50}}, account.WriteOK)

	cur, _ := acctRead(t, s, b.ID)
	next := cur.Clone()
	next.Nickname = "changed"
	res := acctUpdate(t, s, next, []account.Take{{Slot: full, Limit: 1}}, []account.Slot{held}, account.WriteFull)
	assert.Equal(t, full, res.Full)
	got, _ := acctRead(t, s, b.ID)
	acctRequireSame(t, cur, got)
	assert.Equal(t, []string{b.ID}, acctHolders(t, s, held), "the refused update released a slot")
	assert.Equal(t, []string{k.key("id1")}, acctHolders(t, s, full))
}

func testAccountTakeAlreadyHeld(t *testing.T, s account.Store, k keyspace) {
	sl := acctSlot(k, account.ScopeBind, account.KindEmail, "a@x.cn")
	a := acctRecord(k, 1)
	acctCreate(t, s, a, []account.Take{{Slot: sl, Limit: 1}}, account.WriteOK)
	cur, _ := acctRead(t, s, a.ID)
	// The slot is full, but of this very account: granted, still one holder.
	acctUpdate(t, s, cur, []account.Take{{Slot: sl, Limit: 1}}, nil, account.WriteOK)
	assert.Equal(t, []string{a.ID}, acctHolders(t, s, sl))
}

func testAccountReleaseNotHeld(t *testing.T, s account.Store, k keyspace) {
	sl := acctSlot(k, account.ScopeBind, account.KindEmail, "a@x.cn")
	acctCreate(t, s, acctRecord(k, 1), []account.Take{{Slot: sl, Limit: 2}}, account.WriteOK)
	b := acctRecord(k, 2)
	acctCreate(t, s, b, nil, account.WriteOK)
	cur, _ := acctRead(t, s, b.ID)
	acctUpdate(t, s, cur, nil, []account.Slot{sl}, account.WriteOK)
	assert.Equal(t, []string{k.key("id1")}, acctHolders(t, s, sl), "releasing a slot another account holds")
}

func testAccountSlotsIndependent(t *testing.T, s account.Store, k keyspace) {
	base := acctSlot(k, account.ScopeBind, account.KindEmail, "v")
	variants := []account.Slot{
		{Scope: account.ScopeRegister, Kind: base.Kind, Value: base.Value},
		{Scope: base.Scope, Kind: account.KindQQ, Value: base.Value},
		{Scope: base.Scope, Kind: base.Kind, Value: base.Value + "2"},
		// Field boundaries must not blur: "bind"+"email" vs "bin"+"demail".
		{Scope: "bin", Kind: "demail", Value: base.Value},
	}
	acctCreate(t, s, acctRecord(k, 0), []account.Take{{Slot: base, Limit: 1}}, account.WriteOK)
	for i, v := range variants {
		acctCreate(t, s, acctRecord(k, i+1), []account.Take{{Slot: v, Limit: 1}}, account.WriteOK)
		assert.Equal(t, []string{k.key(fmt.Sprint("id", i+1))}, acctHolders(t, s, v))
	}
	assert.Equal(t, []string{k.key("id0")}, acctHolders(t, s, base))
}

func testAccountDeleteReleasesEverySlot(t *testing.T, s account.Store, k keyspace) {
	a := acctRecord(k, 1)
	slots := []account.Slot{
		acctSlot(k, account.ScopeRegister, account.KindWeChat, "wx"),
		acctSlot(k, account.ScopeBind, account.KindWeChat, "wx"),
		acctSlot(k, account.ScopeSecurityPhone, account.KindPhone, "p"),
	}
	other := acctRecord(k, 2)
	acctCreate(t, s, other, []account.Take{{Slot: slots[1], Limit: 50}}, account.WriteOK)
	acctCreate(t, s, a, []account.Take{{Slot: slots[0], Limit: 1}, {Slot: slots[1], Limit: 50}}, account.WriteOK)
	// Slots taken by an update are released too.
	cur, _ := acctRead(t, s, a.ID)
	rn := acctSlot(k, account.ScopeRealName, account.KindPersonalID, "hash")
	acctUpdate(t, s, cur, []account.Take{{Slot: slots[2], Limit: 5}, {Slot: rn, Limit: 3}}, nil, account.WriteOK)

	deleted, err := s.DeleteAccount(t.Context(), a.ID)
	require.NoError(t, err)
	require.True(t, deleted)
	for _, sl := range append(slots, rn) {
		assert.NotContains(t, acctHolders(t, s, sl), a.ID, "slot %+v", sl)
	}
	assert.Equal(t, []string{other.ID}, acctHolders(t, s, slots[1]), "another account's slot was released")

	_, found := acctRead(t, s, a.ID)
	assert.False(t, found)
	_, found, err = s.AccountByAPPID(t.Context(), a.APPID)
	require.NoError(t, err)
	assert.False(t, found)
	cur.Version = 2
	acctUpdate(t, s, cur, nil, nil, account.WriteMissing)
	// Every released slot can be taken by a new account.
	c := acctRecord(k, 3)
	var take []account.Take
	for _, sl := range append(slots, rn) {
		take = append(take, account.Take{Slot: sl, Limit: 1 + len(acctHolders(t, s, sl))})
	}
	acctCreate(t, s, c, take, account.WriteOK)
}

func testAccountDeleteKeepsIDsReserved(t *testing.T, s account.Store, k keyspace) {
	a := acctRecord(k, 1)
	acctCreate(t, s, a, nil, account.WriteOK)
	deleted, err := s.DeleteAccount(t.Context(), a.ID)
	require.NoError(t, err)
	require.True(t, deleted)
	acctCreate(t, s, a, nil, account.WriteTaken)
	b := acctRecord(k, 2)
	b.APPID = a.APPID
	acctCreate(t, s, b, nil, account.WriteTaken)
	c := acctRecord(k, 3)
	c.ID = a.ID
	acctCreate(t, s, c, nil, account.WriteTaken)
}

func testAccountDeleteAbsent(t *testing.T, s account.Store, k keyspace) {
	deleted, err := s.DeleteAccount(t.Context(), k.key("nobody"))
	require.NoError(t, err)
	assert.False(t, deleted)
	a := acctRecord(k, 1)
	acctCreate(t, s, a, nil, account.WriteOK)
	deleted, err = s.DeleteAccount(t.Context(), a.ID)
	require.NoError(t, err)
	require.True(t, deleted)
	deleted, err = s.DeleteAccount(t.Context(), a.ID)
	require.NoError(t, err)
	assert.False(t, deleted, "deleted twice")
}

func testAccountRecordsAreCopied(t *testing.T, s account.Store, k keyspace) {
	a := acctRecord(k, 1)
	acctCreate(t, s, a, nil, account.WriteOK)
	a.LoginMethods[0].Identifier = "changed by the caller"
	a.Password.History[0] = "changed by the caller"

	got, _ := acctRead(t, s, a.ID)
	assert.Equal(t, k.key("wx"), got.LoginMethods[0].Identifier)
	assert.Equal(t, "h1", got.Password.History[0])

	got.LoginMethods[0].Identifier = "changed by a reader"
	got.Password.History[1] = "changed by a reader"
	again, _ := acctRead(t, s, a.ID)
	assert.Equal(t, k.key("wx"), again.LoginMethods[0].Identifier)
	assert.Equal(t, "h0", again.Password.History[1])

	next := again.Clone()
	acctUpdate(t, s, next, nil, nil, account.WriteOK)
	next.LoginMethods[0].Identifier = "changed after update"
	final, _ := acctRead(t, s, a.ID)
	assert.Equal(t, k.key("wx"), final.LoginMethods[0].Identifier)
}

// casUpdate reads account id, applies change and writes it back, retrying
// on conflicts, as the account service does. It returns the final status.
func acctCASUpdate(t *testing.T, s account.Store, id string, change func(*account.Account), take []account.Take) (account.WriteStatus, error) {
	for range 1000 {
		cur, found, err := s.Account(t.Context(), id)
		if err != nil {
			return 0, err
		}
		if !found {
			return account.WriteMissing, nil
		}
		change(&cur)
		res, err := s.UpdateAccount(t.Context(), cur, take, nil)
		if err != nil {
			return 0, err
		}
		if res.Status != account.WriteConflict {
			return res.Status, nil
		}
	}
	return account.WriteConflict, nil
}

func testAccountConcurrentPhoneBindings(t *testing.T, s account.Store, k keyspace) {
	const n, limit = 20, 5
	phone := acctSlot(k, account.ScopeSecurityPhone, account.KindPhone, "+8613800138000")
	for i := range n {
		acctCreate(t, s, acctRecord(k, i), nil, account.WriteOK)
	}
	var ok, full atomic.Int32
	errs := make([]error, n)
	race(n, func(i int) {
		st, err := acctCASUpdate(t, s, k.key(fmt.Sprint("id", i)), func(a *account.Account) { a.SecurityPhone = phone.Value }, []account.Take{{Slot: phone, Limit: limit}})
		errs[i] = err
		switch st {
		case account.WriteOK:
			ok.Add(1)
		case account.WriteFull:
			full.Add(1)
		}
	})
	for _, err := range errs {
		require.NoError(t, err)
	}
	assert.Equal(t, int32(limit), ok.Load(), "bindings that succeeded")
	assert.Equal(t, int32(n-limit), full.Load(), "bindings refused as full")
	holders := acctHolders(t, s, phone)
	require.Len(t, holders, limit)
	for _, id := range holders {
		a, _ := acctRead(t, s, id)
		assert.Equal(t, phone.Value, a.SecurityPhone, "a holder's record lacks the phone")
	}
}

func testAccountConcurrentRegistrations(t *testing.T, s account.Store, k keyspace) {
	const n = 20
	sl := acctSlot(k, account.ScopeRegister, account.KindQQ, "qq")
	var ok atomic.Int32
	errs := make([]error, n)
	race(n, func(i int) {
		res, err := s.CreateAccount(t.Context(), acctRecord(k, i), []account.Take{{Slot: sl, Limit: 1}})
		errs[i] = err
		if res.Status == account.WriteOK {
			ok.Add(1)
		}
	})
	for _, err := range errs {
		require.NoError(t, err)
	}
	assert.Equal(t, int32(1), ok.Load())
	assert.Len(t, acctHolders(t, s, sl), 1)
}

func testAccountConcurrentCreateSameID(t *testing.T, s account.Store, k keyspace) {
	const n = 20
	var ok, taken atomic.Int32
	errs := make([]error, n)
	race(n, func(i int) {
		a := acctRecord(k, i)
		a.ID = k.key("same")
		res, err := s.CreateAccount(t.Context(), a, nil)
		errs[i] = err
		switch res.Status {
		case account.WriteOK:
			ok.Add(1)
		case account.WriteTaken:
			taken.Add(1)
		}
	})
	for _, err := range errs {
		require.NoError(t, err)
	}
	assert.Equal(t, int32(1), ok.Load())
	assert.Equal(t, int32(n-1), taken.Load())
}

func testAccountConcurrentUpdatesLoseNothing(t *testing.T, s account.Store, k keyspace) {
	const n = 20
	a := acctRecord(k, 1)
	acctCreate(t, s, a, nil, account.WriteOK)
	errs := make([]error, n)
	statuses := make([]account.WriteStatus, n)
	race(n, func(i int) {
		statuses[i], errs[i] = acctCASUpdate(t, s, a.ID, func(a *account.Account) {
			a.LoginMethods = append(a.LoginMethods, account.LoginMethod{Method: account.MethodQQ, Identifier: fmt.Sprint("g", i)})
		}, nil)
	})
	for i := range n {
		require.NoError(t, errs[i])
		require.Equal(t, account.WriteOK, statuses[i])
	}
	got, _ := acctRead(t, s, a.ID)
	assert.Equal(t, int64(n+1), got.Version)
	var ids []string
	for _, lm := range got.LoginMethods[1:] {
		ids = append(ids, lm.Identifier)
	}
	slices.Sort(ids)
	want := make([]string, n)
	for i := range n {
		want[i] = fmt.Sprint("g", i)
	}
	slices.Sort(want)
	assert.Equal(t, want, ids, "every concurrent change is in the record")
}

func testAccountConcurrentDeleteAndUpdate(t *testing.T, s account.Store, k keyspace) {
	const n = 20
	a := acctRecord(k, 1)
	acctCreate(t, s, a, nil, account.WriteOK)
	slots := make([]account.Slot, n)
	for i := range slots {
		slots[i] = acctSlot(k, account.ScopeBind, account.KindWeChat, fmt.Sprint("s", i))
	}
	errs := make([]error, n+1)
	race(n+1, func(i int) {
		if i == n {
			_, errs[i] = s.DeleteAccount(t.Context(), a.ID)
			return
		}
		_, errs[i] = acctCASUpdate(t, s, a.ID, func(*account.Account) {}, []account.Take{{Slot: slots[i], Limit: 50}})
	})
	for _, err := range errs {
		require.NoError(t, err)
	}
	// Whatever the interleaving, the deleted account holds nothing.
	for _, sl := range slots {
		assert.Empty(t, acctHolders(t, s, sl), "a deleted account still holds %+v", sl)
	}
}

func testAccountCancelledContext(t *testing.T, s account.Store, k keyspace) {
	ctx := cancelled()
	a := acctRecord(k, 1)
	sl := acctSlot(k, account.ScopeBind, account.KindQQ, "q")
	_, err := s.CreateAccount(ctx, a, []account.Take{{Slot: sl, Limit: 1}})
	require.Error(t, err)
	_, found := acctRead(t, s, a.ID)
	require.False(t, found, "a cancelled create wrote")

	acctCreate(t, s, a, nil, account.WriteOK)
	cur, _ := acctRead(t, s, a.ID)
	_, _, err = s.Account(ctx, a.ID)
	assert.Error(t, err)
	_, _, err = s.AccountByAPPID(ctx, a.APPID)
	assert.Error(t, err)
	_, err = s.UpdateAccount(ctx, cur, []account.Take{{Slot: sl, Limit: 1}}, nil)
	assert.Error(t, err)
	_, err = s.DeleteAccount(ctx, a.ID)
	assert.Error(t, err)
	_, err = s.SlotHolders(ctx, sl)
	assert.Error(t, err)

	got, found := acctRead(t, s, a.ID)
	require.True(t, found, "a cancelled delete deleted")
	assert.Equal(t, int64(1), got.Version, "a cancelled update wrote")
	assert.Empty(t, acctHolders(t, s, sl))
}
