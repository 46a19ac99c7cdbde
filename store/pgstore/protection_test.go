package pgstore_test

import (
	"fmt"
	"strconv"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/accountsec/accountsec/protection"
	"github.com/accountsec/accountsec/store/pgstore"
	"github.com/accountsec/accountsec/store/storetest"
)

func TestProtectionConformance(t *testing.T) {
	pool := testPool(t)
	storetest.RunProtectionStore(t, func(t *testing.T) protection.Store { return newStore(t, pool) })
}

// protSession returns a session of account created at base+created, living
// 48 hours with a 2-hour idle timeout.
func protSession(account, id string, created time.Duration) protection.SessionRecord {
	return protection.SessionRecord{
		ID: id, AccountID: account, LoginMethod: "password",
		ClientIP: "203.0.113.7", City: "Hangzhou", DeviceName: "Firefox on Linux",
		CreatedAt: at(created), ExpiresAt: at(created + 48*time.Hour),
		IdleTimeout: 2 * time.Hour, LastSeenAt: at(created),
	}
}

// protTable is the quoted name of one of s's tables.
func protTable(s *pgstore.Store, name string) string {
	return pgx.Identifier{s.Schema(), name}.Sanitize()
}

// TestEndAllSessionsWritesOneRow checks the cost promised by the contract:
// ending a thousand sessions leaves every session row as it was (same row
// version) and changes only the account's generation.
func TestEndAllSessionsWritesOneRow(t *testing.T) {
	t.Parallel()
	pool := testPool(t)
	s := newStore(t, pool)
	ctx := t.Context()
	const n = 1000
	for i := range n {
		require.NoError(t, s.CreateSession(ctx, protSession("acct", fmt.Sprint("s", i), time.Duration(i)*time.Millisecond)))
	}
	versions := func() string {
		var v string
		require.NoError(t, pool.QueryRow(ctx, "SELECT string_agg(xmin::text || ':' || generation, ',' ORDER BY id) FROM "+
			protTable(s, "accountsec_sessions")).Scan(&v))
		return v
	}
	before := versions()
	require.NoError(t, s.EndAllSessions(ctx, "acct", ""))
	assert.Equal(t, before, versions(), "no session row was written")
	rs, err := s.Sessions(ctx, "acct", at(0))
	require.NoError(t, err)
	assert.Empty(t, rs)

	// With a session kept, that one row is written too.
	require.NoError(t, s.CreateSession(ctx, protSession("acct", "keep", time.Hour)))
	before = versions()
	require.NoError(t, s.EndAllSessions(ctx, "acct", "keep"))
	var changed int
	require.NoError(t, pool.QueryRow(ctx, "SELECT count(*) FROM "+protTable(s, "accountsec_sessions")+
		" WHERE generation = 2").Scan(&changed))
	assert.Equal(t, 1, changed)
	assert.NotEqual(t, before, versions())
}

// TestProtectionBinaryIDs stores IDs and bindings that are not valid UTF-8
// and contain NUL bytes: bytea keeps them exactly.
func TestProtectionBinaryIDs(t *testing.T) {
	t.Parallel()
	s := newStore(t, testPool(t))
	ctx := t.Context()
	id := "\x00\xff\xfe session \x00"
	r := protSession("acct", id, 0)
	require.NoError(t, s.CreateSession(ctx, r))
	got, found, err := s.Session(ctx, id)
	require.NoError(t, err)
	require.True(t, found)
	assert.Equal(t, id, got.ID)
	_, found, err = s.Session(ctx, "\x00\xff\xfe session ")
	require.NoError(t, err)
	assert.False(t, found, "a prefix is another ID")
	rs, err := s.Sessions(ctx, "acct", at(0))
	require.NoError(t, err)
	require.Len(t, rs, 1)
	assert.Equal(t, id, rs[0].ID)

	g := protection.GrantRecord{AccountID: "acct", Binding: protection.SessionBinding(id), Scope: protection.ScopeStepUp,
		Method: protection.SMS, GrantedAt: at(0), ExpiresAt: at(time.Hour)}
	require.NoError(t, s.PutGrant(ctx, g))
	_, found, err = s.Grant(ctx, "acct", g.Binding, g.Scope, at(0))
	require.NoError(t, err)
	assert.True(t, found)
	ended, err := s.EndSession(ctx, "acct", id)
	require.NoError(t, err)
	assert.True(t, ended)
	_, found, err = s.Grant(ctx, "acct", g.Binding, g.Scope, at(0))
	require.NoError(t, err)
	assert.False(t, found, "the grant ended with its session")

	d := protection.TrustedDevice{ID: "\xff\x00", AccountID: "acct", CreatedAt: at(0), ExpiresAt: at(time.Hour)}
	require.NoError(t, s.PutTrustedDevice(ctx, d))
	gotD, found, err := s.TrustedDevice(ctx, "acct", d.ID, at(0))
	require.NoError(t, err)
	require.True(t, found)
	assert.Equal(t, d.ID, gotD.ID)
}

func TestSweepProtection(t *testing.T) {
	t.Parallel()
	pool := testPool(t)
	s := newStore(t, pool)
	ctx := t.Context()
	n, err := s.SweepProtection(ctx, at(0))
	require.NoError(t, err)
	require.Zero(t, n)

	long := protSession("a", "long", 0)
	idle := protSession("a", "idle", 0)
	idle.IdleTimeout = 15 * time.Minute
	ended := protSession("b", "ended", 0)
	for _, r := range []protection.SessionRecord{long, idle, ended} {
		require.NoError(t, s.CreateSession(ctx, r))
	}
	grant := func(acct, binding string, ttl time.Duration) protection.GrantRecord {
		return protection.GrantRecord{AccountID: acct, Binding: binding, Scope: protection.ScopeStepUp,
			Method: protection.SMS, GrantedAt: at(0), ExpiresAt: at(ttl)}
	}
	require.NoError(t, s.PutGrant(ctx, grant("a", "session:long", 30*time.Minute)))
	require.NoError(t, s.PutGrant(ctx, grant("a", "session:idle", 2*time.Hour)))
	require.NoError(t, s.PutGrant(ctx, grant("b", "session:ended", 2*time.Hour)))
	require.NoError(t, s.EndAllSessions(ctx, "b", ""))
	require.NoError(t, s.PutPendingLogin(ctx, protection.PendingLogin{ID: "p", AccountID: "a", CreatedAt: at(0), ExpiresAt: at(10 * time.Minute)}))
	require.NoError(t, s.PutChallenge(ctx, protection.ChallengeRecord{ID: "c", AccountID: "a", CreatedAt: at(0), ExpiresAt: at(10 * time.Minute)}))
	require.NoError(t, s.PutTrustedDevice(ctx, protection.TrustedDevice{ID: "d", AccountID: "a", CreatedAt: at(0), ExpiresAt: at(7 * 24 * time.Hour)}))
	require.NoError(t, s.RecordLoginCity(ctx, "a", "Hangzhou", at(0), 5))

	// Only the ended session and its grant are gone at once.
	n, err = s.SweepProtection(ctx, at(0))
	require.NoError(t, err)
	assert.Equal(t, int64(2), n)
	// At 31 minutes: the idle session, the 30-minute grant, the pending login
	// and the challenge.
	n, err = s.SweepProtection(ctx, at(31*time.Minute))
	require.NoError(t, err)
	assert.Equal(t, int64(4), n)
	_, found, err := s.Session(ctx, "long")
	require.NoError(t, err)
	assert.True(t, found)
	// After every expiry only the city is left.
	n, err = s.SweepProtection(ctx, at(8*24*time.Hour))
	require.NoError(t, err)
	assert.Equal(t, int64(3), n, "the long session, its sibling's grant and the device")
	cities, err := s.LoginCities(ctx, "a")
	require.NoError(t, err)
	assert.Len(t, cities, 1)
}

// TestRecordLoginCityRaceManyRounds repeats the conformance race many times
// with few cities kept, so a trim that missed a concurrent insert would show.
func TestRecordLoginCityRaceManyRounds(t *testing.T) {
	t.Parallel()
	s := newStore(t, testPool(t))
	ctx := t.Context()
	for round := range 10 {
		acct := "acct" + strconv.Itoa(round)
		errs := make([]error, 16)
		race(len(errs), func(i int) {
			errs[i] = s.RecordLoginCity(ctx, acct, fmt.Sprint("city", i), at(time.Duration(i)*time.Second), 2)
		})
		for _, err := range errs {
			require.NoError(t, err)
		}
		cs, err := s.LoginCities(ctx, acct)
		require.NoError(t, err)
		require.Len(t, cs, 2, "round %d", round)
		assert.Equal(t, "city15", cs[0].City)
		assert.Equal(t, "city14", cs[1].City)
	}
}
