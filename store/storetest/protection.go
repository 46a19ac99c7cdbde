package storetest

import (
	"fmt"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/accountsec/accountsec/protection"
)

// protectionTest is one subtest of RunProtectionStore.
type protectionTest struct {
	name string
	run  func(t *testing.T, s protection.Store, k keyspace)
}

// RunProtectionStore runs the conformance suite for [protection.Store]
// against the stores that newStore returns, one per subtest. It covers
// sessions (including ending a thousand sessions with EndAllSessions, and
// races on creating, ending and ending all), grants, pending logins and
// challenges (20 goroutines consuming one: exactly one wins), trusted
// devices, login cities, and the refusal of empty IDs and other invalid
// arguments.
func RunProtectionStore(t *testing.T, newStore func(t *testing.T) protection.Store) {
	t.Helper()
	tests := []protectionTest{
		{"SessionRoundTrip", testSessionRoundTrip},
		{"SessionAbsent", testSessionAbsent},
		{"SessionDuplicateID", testSessionDuplicateID},
		{"ConcurrentCreateSessionSameID", testConcurrentCreateSessionSameID},
		{"TouchOnlyForward", testTouchOnlyForward},
		{"TouchAbsent", testTouchAbsent},
		{"SessionsListLiveOldestFirst", testSessionsList},
		{"EndSession", testEndSession},
		{"EndSessionOfOtherAccount", testEndSessionOfOtherAccount},
		{"ConcurrentEndSession", testConcurrentEndSession},
		{"EndAllSessions", testEndAllSessions},
		{"EndAllSessionsKeepsOne", testEndAllSessionsKeepsOne},
		{"EndAllSessionsUnknownAccount", testEndAllSessionsUnknown},
		{"EndAllSessionsThousand", testEndAllSessionsThousand},
		{"SessionsAfterEndAll", testSessionsAfterEndAll},
		{"ConcurrentEndAllSessionsKeepingOne", testConcurrentEndAllSessionsKeep},
		{"GrantRoundTrip", testGrantRoundTrip},
		{"GrantExpiry", testGrantExpiry},
		{"GrantReplaced", testGrantReplaced},
		{"GrantKeysIndependent", testGrantKeysIndependent},
		{"GrantEndsWithItsSession", testGrantEndsWithSession},
		{"PendingLogin", testPendingLogin},
		{"PendingLoginExpiry", testPendingLoginExpiry},
		{"PendingLoginCopied", testPendingLoginCopied},
		{"PendingLoginDuplicateID", testPendingLoginDuplicateID},
		{"PendingLoginReplacesExpired", testPendingLoginReplacesExpired},
		{"PendingLoginMethodsNilOrEmpty", testPendingLoginMethodsNilOrEmpty},
		{"ConcurrentConsumePendingLogin", testConcurrentConsumePending},
		{"Challenge", testChallenge},
		{"ChallengeExpiry", testChallengeExpiry},
		{"ChallengeReplacesExpired", testChallengeReplacesExpired},
		{"ConcurrentConsumeChallenge", testConcurrentConsumeChallenge},
		{"TrustedDevices", testTrustedDevices},
		{"TrustedDeviceExpiry", testTrustedDeviceExpiry},
		{"TrustedDeviceDelete", testTrustedDeviceDelete},
		{"LoginCities", testLoginCities},
		{"LoginCitiesKeep", testLoginCitiesKeep},
		{"LoginCitiesOnlyForward", testLoginCitiesOnlyForward},
		{"ConcurrentRecordLoginCity", testConcurrentRecordLoginCity},
		{"LoginCityTies", testLoginCityTies},
		{"InvalidArgumentsRefused", testProtectionInvalidArguments},
		{"CancelledContext", testProtectionCancelledContext},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := newStore(t)
			require.NotNil(t, s, "newStore returned nil")
			tc.run(t, s, newKeys())
		})
	}
}

// session returns a session record of account with the given ID, created
// at base+created, living 48 hours with a 2-hour idle timeout.
func session(account, id string, created time.Duration) protection.SessionRecord {
	return protection.SessionRecord{
		ID: id, AccountID: account, LoginMethod: "password",
		ClientIP: "203.0.113.7", City: "Hangzhou", DeviceName: "Firefox on Linux",
		CreatedAt: at(created), ExpiresAt: at(created + 48*time.Hour),
		IdleTimeout: 2 * time.Hour, LastSeenAt: at(created),
	}
}

func createSession(t *testing.T, s protection.Store, r protection.SessionRecord) {
	t.Helper()
	require.NoError(t, s.CreateSession(t.Context(), r))
}

func getSession(t *testing.T, s protection.Store, id string) (protection.SessionRecord, bool) {
	t.Helper()
	r, found, err := s.Session(t.Context(), id)
	require.NoError(t, err)
	return r, found
}

// requireSession fails unless got equals want (times by Equal).
func requireSession(t *testing.T, want, got protection.SessionRecord) {
	t.Helper()
	for _, p := range [][2]time.Time{{want.CreatedAt, got.CreatedAt}, {want.ExpiresAt, got.ExpiresAt}, {want.LastSeenAt, got.LastSeenAt}} {
		require.True(t, p[0].Equal(p[1]), "want %s, got %s", p[0], p[1])
	}
	want.CreatedAt, want.ExpiresAt, want.LastSeenAt = time.Time{}, time.Time{}, time.Time{}
	got.CreatedAt, got.ExpiresAt, got.LastSeenAt = time.Time{}, time.Time{}, time.Time{}
	require.Equal(t, want, got)
}

func sessionIDs(rs []protection.SessionRecord) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = r.ID
	}
	return out
}

func listSessions(t *testing.T, s protection.Store, account string, now time.Time) []string {
	t.Helper()
	rs, err := s.Sessions(t.Context(), account, now)
	require.NoError(t, err)
	return sessionIDs(rs)
}

func testSessionRoundTrip(t *testing.T, s protection.Store, k keyspace) {
	r := session(k.key("acct"), k.key("s1"), 0)
	createSession(t, s, r)
	got, found := getSession(t, s, r.ID)
	require.True(t, found)
	requireSession(t, r, got)
}

func testSessionAbsent(t *testing.T, s protection.Store, k keyspace) {
	_, found := getSession(t, s, k.key("nope"))
	assert.False(t, found)
	assert.Empty(t, listSessions(t, s, k.key("acct"), at(0)))
}

func testSessionDuplicateID(t *testing.T, s protection.Store, k keyspace) {
	r := session(k.key("acct"), k.key("s1"), 0)
	createSession(t, s, r)
	other := session(k.key("other"), r.ID, time.Minute)
	require.Error(t, s.CreateSession(t.Context(), other), "a second session with the same ID")
	got, found := getSession(t, s, r.ID)
	require.True(t, found)
	requireSession(t, r, got)
}

// testConcurrentCreateSessionSameID races sessions of different accounts
// that share one ID: exactly one is created.
func testConcurrentCreateSessionSameID(t *testing.T, s protection.Store, k keyspace) {
	id := k.key("same")
	assertOneWinner(t, 20, "sessions created", func(i int) (bool, error) {
		return s.CreateSession(t.Context(), session(k.key(fmt.Sprint("acct", i)), id, 0)) == nil, nil
	})
}

func testTouchOnlyForward(t *testing.T, s protection.Store, k keyspace) {
	r := session(k.key("acct"), k.key("s1"), 0)
	createSession(t, s, r)
	ctx := t.Context()
	require.NoError(t, s.TouchSession(ctx, r.ID, at(5*time.Minute)))
	got, _ := getSession(t, s, r.ID)
	assert.True(t, got.LastSeenAt.Equal(at(5*time.Minute)), "moved forward")
	require.NoError(t, s.TouchSession(ctx, r.ID, at(time.Minute)))
	got, _ = getSession(t, s, r.ID)
	assert.True(t, got.LastSeenAt.Equal(at(5*time.Minute)), "never backward")
	assert.True(t, got.ExpiresAt.Equal(r.ExpiresAt), "touching never moves the absolute expiry")
}

func testTouchAbsent(t *testing.T, s protection.Store, k keyspace) {
	require.NoError(t, s.TouchSession(t.Context(), k.key("nope"), at(time.Minute)))
	_, found := getSession(t, s, k.key("nope"))
	assert.False(t, found, "touching does not create")
}

func testSessionsList(t *testing.T, s protection.Store, k keyspace) {
	acct := k.key("acct")
	short := session(acct, k.key("short"), time.Minute)
	short.ExpiresAt = at(time.Hour)
	createSession(t, s, session(acct, k.key("b"), 2*time.Minute))
	createSession(t, s, short)
	createSession(t, s, session(acct, k.key("a"), 3*time.Minute))
	createSession(t, s, session(k.key("other"), k.key("o"), 0))
	assert.Equal(t, []string{short.ID, k.key("b"), k.key("a")}, listSessions(t, s, acct, at(time.Hour-time.Millisecond)))
	assert.Equal(t, []string{k.key("b"), k.key("a")}, listSessions(t, s, acct, at(time.Hour)), "expired at ExpiresAt")
}

func testEndSession(t *testing.T, s protection.Store, k keyspace) {
	acct := k.key("acct")
	createSession(t, s, session(acct, k.key("s1"), 0))
	createSession(t, s, session(acct, k.key("s2"), time.Minute))
	ended, err := s.EndSession(t.Context(), acct, k.key("s1"))
	require.NoError(t, err)
	assert.True(t, ended)
	_, found := getSession(t, s, k.key("s1"))
	assert.False(t, found)
	_, found = getSession(t, s, k.key("s2"))
	assert.True(t, found, "the other session lives")
	ended, err = s.EndSession(t.Context(), acct, k.key("s1"))
	require.NoError(t, err)
	assert.False(t, ended, "ending twice")
	require.NoError(t, s.TouchSession(t.Context(), k.key("s1"), at(time.Hour)))
	_, found = getSession(t, s, k.key("s1"))
	assert.False(t, found, "touch does not revive")
}

func testEndSessionOfOtherAccount(t *testing.T, s protection.Store, k keyspace) {
	createSession(t, s, session(k.key("acct"), k.key("s1"), 0))
	ended, err := s.EndSession(t.Context(), k.key("other"), k.key("s1"))
	require.NoError(t, err)
	assert.False(t, ended)
	_, found := getSession(t, s, k.key("s1"))
	assert.True(t, found)
}

func testConcurrentEndSession(t *testing.T, s protection.Store, k keyspace) {
	r := session(k.key("acct"), k.key("s"), 0)
	createSession(t, s, r)
	assertOneWinner(t, 20, "calls that ended the session", func(int) (bool, error) {
		return s.EndSession(t.Context(), r.AccountID, r.ID)
	})
}

func testEndAllSessions(t *testing.T, s protection.Store, k keyspace) {
	acct, other := k.key("acct"), k.key("other")
	for i := range 5 {
		createSession(t, s, session(acct, k.key(fmt.Sprint("s", i)), time.Duration(i)*time.Minute))
	}
	createSession(t, s, session(other, k.key("o"), 0))
	putGrant(t, s, grant(acct, protection.SessionBinding(k.key("s1")), protection.ScopeStepUp, time.Hour))
	putGrant(t, s, grant(acct, "reset:"+k.key("r"), "reset_password", time.Hour))
	putGrant(t, s, grant(other, protection.SessionBinding(k.key("o")), protection.ScopeStepUp, time.Hour))

	require.NoError(t, s.EndAllSessions(t.Context(), acct, ""))
	for i := range 5 {
		_, found := getSession(t, s, k.key(fmt.Sprint("s", i)))
		assert.False(t, found, "session %d", i)
	}
	assert.Empty(t, listSessions(t, s, acct, at(0)))
	assert.False(t, hasGrant(t, s, acct, protection.SessionBinding(k.key("s1")), protection.ScopeStepUp, at(0)), "step-up grant ended")
	assert.False(t, hasGrant(t, s, acct, "reset:"+k.key("r"), "reset_password", at(0)), "every grant of the account ended")
	_, found := getSession(t, s, k.key("o"))
	assert.True(t, found, "another account's session lives")
	assert.True(t, hasGrant(t, s, other, protection.SessionBinding(k.key("o")), protection.ScopeStepUp, at(0)), "another account's grant lives")
}

func testEndAllSessionsKeepsOne(t *testing.T, s protection.Store, k keyspace) {
	acct := k.key("acct")
	keep := session(acct, k.key("keep"), 0)
	createSession(t, s, keep)
	createSession(t, s, session(acct, k.key("s2"), time.Minute))
	putGrant(t, s, grant(acct, protection.SessionBinding(keep.ID), protection.ScopeStepUp, time.Hour))
	require.NoError(t, s.EndAllSessions(t.Context(), acct, keep.ID))
	got, found := getSession(t, s, keep.ID)
	require.True(t, found)
	requireSession(t, keep, got)
	_, found = getSession(t, s, k.key("s2"))
	assert.False(t, found)
	assert.Equal(t, []string{keep.ID}, listSessions(t, s, acct, at(0)))
	assert.False(t, hasGrant(t, s, acct, protection.SessionBinding(keep.ID), protection.ScopeStepUp, at(0)), "the kept session's grants end too")
	require.NoError(t, s.TouchSession(t.Context(), keep.ID, at(time.Minute)))
	got, _ = getSession(t, s, keep.ID)
	assert.True(t, got.LastSeenAt.Equal(at(time.Minute)), "the kept session still works")
}

func testEndAllSessionsUnknown(t *testing.T, s protection.Store, k keyspace) {
	require.NoError(t, s.EndAllSessions(t.Context(), k.key("nobody"), ""))
	require.NoError(t, s.EndAllSessions(t.Context(), k.key("nobody"), k.key("nothing")))
}

func testEndAllSessionsThousand(t *testing.T, s protection.Store, k keyspace) {
	acct := k.key("acct")
	const n = 1000
	for i := range n {
		createSession(t, s, session(acct, k.key(fmt.Sprint("s", i)), time.Duration(i)*time.Millisecond))
	}
	require.Len(t, listSessions(t, s, acct, at(time.Hour)), n)
	require.NoError(t, s.EndAllSessions(t.Context(), acct, ""))
	assert.Empty(t, listSessions(t, s, acct, at(time.Hour)))
	for _, i := range []int{0, 1, n / 2, n - 1} {
		_, found := getSession(t, s, k.key(fmt.Sprint("s", i)))
		assert.False(t, found, "session %d", i)
	}
}

func testSessionsAfterEndAll(t *testing.T, s protection.Store, k keyspace) {
	acct := k.key("acct")
	createSession(t, s, session(acct, k.key("old"), 0))
	require.NoError(t, s.EndAllSessions(t.Context(), acct, ""))
	fresh := session(acct, k.key("new"), time.Minute)
	createSession(t, s, fresh)
	got, found := getSession(t, s, fresh.ID)
	require.True(t, found, "a session created after ending all is live")
	requireSession(t, fresh, got)
	g := grant(acct, protection.SessionBinding(fresh.ID), protection.ScopeStepUp, time.Hour)
	putGrant(t, s, g)
	assert.True(t, hasGrant(t, s, acct, g.Binding, g.Scope, at(time.Minute)), "a grant stored after ending all is live")
	assert.Equal(t, []string{fresh.ID}, listSessions(t, s, acct, at(time.Minute)))
}

// testConcurrentEndAllSessionsKeep races, round after round, EndAllSessions
// calls that all keep one session with calls that touch it and calls that
// create other sessions of the account: the kept session survives every
// round, whatever the interleaving, and every session listed is also found
// by its ID.
func testConcurrentEndAllSessionsKeep(t *testing.T, s protection.Store, k keyspace) {
	ctx := t.Context()
	for round := range 10 {
		acct := k.key(fmt.Sprint("acct", round))
		keep := session(acct, k.key(fmt.Sprint("keep", round)), 0)
		createSession(t, s, keep)
		errs := make([]error, 12)
		race(len(errs), func(i int) {
			switch i % 3 {
			case 0:
				errs[i] = s.EndAllSessions(ctx, acct, keep.ID)
			case 1:
				errs[i] = s.TouchSession(ctx, keep.ID, at(time.Duration(i)*time.Second))
			default:
				errs[i] = s.CreateSession(ctx, session(acct, k.key(fmt.Sprint("other", round, "-", i)), time.Second))
			}
		})
		for i, err := range errs {
			require.NoError(t, err, "round %d goroutine %d", round, i)
		}
		_, found := getSession(t, s, keep.ID)
		require.True(t, found, "round %d: the kept session ended", round)
		for _, id := range listSessions(t, s, acct, at(0)) {
			_, found := getSession(t, s, id)
			require.True(t, found, "round %d: listed but not found: %s", round, id)
		}
	}
}

// grant returns a grant granted at base, valid for ttl.
func grant(account, binding, scope string, ttl time.Duration) protection.GrantRecord {
	return protection.GrantRecord{
		AccountID: account, Binding: binding, Scope: scope, Method: protection.SMS,
		GrantedAt: at(0), ExpiresAt: at(ttl),
	}
}

func putGrant(t *testing.T, s protection.Store, g protection.GrantRecord) {
	t.Helper()
	require.NoError(t, s.PutGrant(t.Context(), g))
}

func hasGrant(t *testing.T, s protection.Store, account, binding, scope string, now time.Time) bool {
	t.Helper()
	_, found, err := s.Grant(t.Context(), account, binding, scope, now)
	require.NoError(t, err)
	return found
}

func testGrantRoundTrip(t *testing.T, s protection.Store, k keyspace) {
	g := grant(k.key("acct"), protection.SessionBinding(k.key("s")), protection.ScopeStepUp, 30*time.Minute)
	putGrant(t, s, g)
	got, found, err := s.Grant(t.Context(), g.AccountID, g.Binding, g.Scope, at(time.Minute))
	require.NoError(t, err)
	require.True(t, found)
	assert.True(t, got.GrantedAt.Equal(g.GrantedAt))
	assert.True(t, got.ExpiresAt.Equal(g.ExpiresAt))
	got.GrantedAt, got.ExpiresAt, g.GrantedAt, g.ExpiresAt = time.Time{}, time.Time{}, time.Time{}, time.Time{}
	assert.Equal(t, g, got)
}

func testGrantExpiry(t *testing.T, s protection.Store, k keyspace) {
	g := grant(k.key("acct"), protection.SessionBinding(k.key("s")), protection.ScopeStepUp, 30*time.Minute)
	putGrant(t, s, g)
	assert.True(t, hasGrant(t, s, g.AccountID, g.Binding, g.Scope, at(30*time.Minute-time.Millisecond)))
	assert.False(t, hasGrant(t, s, g.AccountID, g.Binding, g.Scope, at(30*time.Minute)), "gone at ExpiresAt")
}

func testGrantReplaced(t *testing.T, s protection.Store, k keyspace) {
	g := grant(k.key("acct"), protection.SessionBinding(k.key("s")), protection.ScopeStepUp, 30*time.Minute)
	putGrant(t, s, g)
	g.GrantedAt, g.ExpiresAt, g.Method = at(20*time.Minute), at(50*time.Minute), protection.MFA
	putGrant(t, s, g)
	got, found, err := s.Grant(t.Context(), g.AccountID, g.Binding, g.Scope, at(40*time.Minute))
	require.NoError(t, err)
	require.True(t, found)
	assert.Equal(t, protection.MFA, got.Method)
	assert.True(t, got.ExpiresAt.Equal(at(50*time.Minute)))
}

func testGrantKeysIndependent(t *testing.T, s protection.Store, k keyspace) {
	acct, b := k.key("acct"), protection.SessionBinding(k.key("a"))
	putGrant(t, s, grant(acct, b, protection.ScopeStepUp, time.Hour))
	assert.True(t, hasGrant(t, s, acct, b, protection.ScopeStepUp, at(0)))
	assert.False(t, hasGrant(t, s, acct, protection.SessionBinding(k.key("b")), protection.ScopeStepUp, at(0)), "another binding")
	assert.False(t, hasGrant(t, s, acct, b, "reset_password", at(0)), "another scope")
	assert.False(t, hasGrant(t, s, k.key("other"), b, protection.ScopeStepUp, at(0)), "another account")
}

func testGrantEndsWithSession(t *testing.T, s protection.Store, k keyspace) {
	acct := k.key("acct")
	createSession(t, s, session(acct, k.key("a"), 0))
	createSession(t, s, session(acct, k.key("b"), 0))
	ga := grant(acct, protection.SessionBinding(k.key("a")), protection.ScopeStepUp, time.Hour)
	gb := grant(acct, protection.SessionBinding(k.key("b")), protection.ScopeStepUp, time.Hour)
	putGrant(t, s, ga)
	putGrant(t, s, gb)
	ended, err := s.EndSession(t.Context(), acct, k.key("a"))
	require.NoError(t, err)
	require.True(t, ended)
	assert.False(t, hasGrant(t, s, acct, ga.Binding, ga.Scope, at(0)), "ended with its session")
	assert.True(t, hasGrant(t, s, acct, gb.Binding, gb.Scope, at(0)), "another session's grant lives")
}

// pendingLogin returns a pending login created at base, open for 10 minutes.
func pendingLogin(account, id string) protection.PendingLogin {
	return protection.PendingLogin{
		ID: id, AccountID: account, LoginMethod: "password",
		ClientIP: "203.0.113.7", City: "Hangzhou", DeviceName: "Firefox",
		SecondFactor: true, UnusualLocation: true,
		Methods:   []protection.Method{protection.MFA, protection.SMS},
		CreatedAt: at(0), ExpiresAt: at(10 * time.Minute),
	}
}

func requirePending(t *testing.T, want, got protection.PendingLogin) {
	t.Helper()
	require.True(t, want.CreatedAt.Equal(got.CreatedAt))
	require.True(t, want.ExpiresAt.Equal(got.ExpiresAt))
	want.CreatedAt, want.ExpiresAt, got.CreatedAt, got.ExpiresAt = time.Time{}, time.Time{}, time.Time{}, time.Time{}
	require.Equal(t, want, got)
}

func testPendingLogin(t *testing.T, s protection.Store, k keyspace) {
	ctx := t.Context()
	p := pendingLogin(k.key("acct"), k.key("p"))
	require.NoError(t, s.PutPendingLogin(ctx, p))
	got, found, err := s.PendingLogin(ctx, p.ID, at(time.Minute))
	require.NoError(t, err)
	require.True(t, found)
	requirePending(t, p, got)
	_, found, err = s.PendingLogin(ctx, p.ID, at(time.Minute))
	require.NoError(t, err)
	require.True(t, found, "reading does not consume")
	got, found, err = s.ConsumePendingLogin(ctx, p.ID, at(time.Minute))
	require.NoError(t, err)
	require.True(t, found)
	requirePending(t, p, got)
	_, found, err = s.ConsumePendingLogin(ctx, p.ID, at(time.Minute))
	require.NoError(t, err)
	assert.False(t, found, "consumed once")
	_, found, err = s.PendingLogin(ctx, p.ID, at(time.Minute))
	require.NoError(t, err)
	assert.False(t, found)
}

func testPendingLoginExpiry(t *testing.T, s protection.Store, k keyspace) {
	ctx := t.Context()
	p := pendingLogin(k.key("acct"), k.key("p"))
	require.NoError(t, s.PutPendingLogin(ctx, p))
	_, found, err := s.PendingLogin(ctx, p.ID, at(10*time.Minute-time.Millisecond))
	require.NoError(t, err)
	assert.True(t, found)
	_, found, err = s.ConsumePendingLogin(ctx, p.ID, at(10*time.Minute))
	require.NoError(t, err)
	assert.False(t, found, "gone at ExpiresAt")
}

func testPendingLoginCopied(t *testing.T, s protection.Store, k keyspace) {
	ctx := t.Context()
	p := pendingLogin(k.key("acct"), k.key("p"))
	want := pendingLogin(k.key("acct"), k.key("p"))
	require.NoError(t, s.PutPendingLogin(ctx, p))
	p.Methods[0] = protection.Face
	got, _, err := s.PendingLogin(ctx, p.ID, at(0))
	require.NoError(t, err)
	requirePending(t, want, got)
	got.Methods[0] = protection.Face
	again, _, err := s.PendingLogin(ctx, p.ID, at(0))
	require.NoError(t, err)
	requirePending(t, want, again)
}

func testPendingLoginDuplicateID(t *testing.T, s protection.Store, k keyspace) {
	ctx := t.Context()
	p := pendingLogin(k.key("acct"), k.key("p"))
	require.NoError(t, s.PutPendingLogin(ctx, p))
	other := pendingLogin(k.key("other"), p.ID)
	require.Error(t, s.PutPendingLogin(ctx, other))
	got, _, err := s.PendingLogin(ctx, p.ID, at(0))
	require.NoError(t, err)
	assert.Equal(t, p.AccountID, got.AccountID, "the first one stays")
}

// testPendingLoginReplacesExpired: an ID whose pending login has expired by
// the new one's CreatedAt can be used again, and nothing of the old record
// is left.
func testPendingLoginReplacesExpired(t *testing.T, s protection.Store, k keyspace) {
	ctx := t.Context()
	p := protection.PendingLogin{ID: k.key("p"), AccountID: k.key("a"), Methods: []protection.Method{protection.SMS},
		CreatedAt: at(0), ExpiresAt: at(time.Minute)}
	require.NoError(t, s.PutPendingLogin(ctx, p))
	again := protection.PendingLogin{ID: p.ID, AccountID: k.key("b"), CreatedAt: at(time.Minute), ExpiresAt: at(2 * time.Minute)}
	require.NoError(t, s.PutPendingLogin(ctx, again))
	got, found, err := s.PendingLogin(ctx, p.ID, at(time.Minute))
	require.NoError(t, err)
	require.True(t, found)
	assert.Equal(t, again.AccountID, got.AccountID)
	assert.Nil(t, got.Methods, "no field of the old record is left")
}

// testPendingLoginMethodsNilOrEmpty: nil and empty method lists both
// round-trip as they were.
func testPendingLoginMethodsNilOrEmpty(t *testing.T, s protection.Store, k keyspace) {
	ctx := t.Context()
	for name, ms := range map[string][]protection.Method{"nil": nil, "empty": {}} {
		p := protection.PendingLogin{ID: k.key(name), AccountID: k.key("acct"), Methods: ms, CreatedAt: at(0), ExpiresAt: at(time.Minute)}
		require.NoError(t, s.PutPendingLogin(ctx, p))
		got, found, err := s.ConsumePendingLogin(ctx, p.ID, at(0))
		require.NoError(t, err)
		require.True(t, found, name)
		assert.Equal(t, ms, got.Methods, name)
	}
}

func testConcurrentConsumePending(t *testing.T, s protection.Store, k keyspace) {
	p := pendingLogin(k.key("acct"), k.key("p"))
	require.NoError(t, s.PutPendingLogin(t.Context(), p))
	assertOneWinner(t, 20, "exactly one consumer wins", func(int) (bool, error) {
		_, found, err := s.ConsumePendingLogin(t.Context(), p.ID, at(time.Minute))
		return found, err
	})
}

// challenge returns a challenge created at base, open for 10 minutes.
func challenge(account, id string) protection.ChallengeRecord {
	return protection.ChallengeRecord{
		ID: id, AccountID: account, Binding: protection.SessionBinding("s"), Purpose: protection.OpSignOutAll,
		Method: protection.SMS, Destination: "+8613800138000", Ticket: "",
		CreatedAt: at(0), ExpiresAt: at(10 * time.Minute),
	}
}

func testChallenge(t *testing.T, s protection.Store, k keyspace) {
	ctx := t.Context()
	c := challenge(k.key("acct"), k.key("c"))
	require.NoError(t, s.PutChallenge(ctx, c))
	require.Error(t, s.PutChallenge(ctx, challenge(k.key("other"), c.ID)), "duplicate ID")
	got, found, err := s.Challenge(ctx, c.ID, at(time.Minute))
	require.NoError(t, err)
	require.True(t, found)
	assert.True(t, got.ExpiresAt.Equal(c.ExpiresAt))
	assert.True(t, got.CreatedAt.Equal(c.CreatedAt))
	got.CreatedAt, got.ExpiresAt = c.CreatedAt, c.ExpiresAt
	assert.Equal(t, c, got)
	_, found, err = s.ConsumeChallenge(ctx, c.ID, at(time.Minute))
	require.NoError(t, err)
	require.True(t, found)
	_, found, err = s.ConsumeChallenge(ctx, c.ID, at(time.Minute))
	require.NoError(t, err)
	assert.False(t, found)
	_, found, err = s.Challenge(ctx, k.key("nope"), at(0))
	require.NoError(t, err)
	assert.False(t, found)
}

func testChallengeExpiry(t *testing.T, s protection.Store, k keyspace) {
	ctx := t.Context()
	c := challenge(k.key("acct"), k.key("c"))
	require.NoError(t, s.PutChallenge(ctx, c))
	_, found, err := s.Challenge(ctx, c.ID, at(10*time.Minute-time.Millisecond))
	require.NoError(t, err)
	assert.True(t, found)
	_, found, err = s.Challenge(ctx, c.ID, at(10*time.Minute))
	require.NoError(t, err)
	assert.False(t, found, "gone at ExpiresAt")
}

// testChallengeReplacesExpired: a live challenge's ID cannot be used again,
// an expired one's can.
func testChallengeReplacesExpired(t *testing.T, s protection.Store, k keyspace) {
	ctx := t.Context()
	c := protection.ChallengeRecord{ID: k.key("c"), AccountID: k.key("a"), CreatedAt: at(0), ExpiresAt: at(time.Minute)}
	require.NoError(t, s.PutChallenge(ctx, c))
	require.Error(t, s.PutChallenge(ctx, c), "a live duplicate")
	c.AccountID, c.CreatedAt, c.ExpiresAt = k.key("b"), at(time.Minute), at(2*time.Minute)
	require.NoError(t, s.PutChallenge(ctx, c))
}

func testConcurrentConsumeChallenge(t *testing.T, s protection.Store, k keyspace) {
	c := challenge(k.key("acct"), k.key("c"))
	require.NoError(t, s.PutChallenge(t.Context(), c))
	assertOneWinner(t, 20, "exactly one consumer wins", func(int) (bool, error) {
		_, found, err := s.ConsumeChallenge(t.Context(), c.ID, at(time.Minute))
		return found, err
	})
}

// device returns a trusted device trusted at base+created for 7 days.
func device(account, id string, created time.Duration) protection.TrustedDevice {
	return protection.TrustedDevice{
		ID: id, AccountID: account, Name: "Firefox on Linux", ClientIP: "203.0.113.7", City: "Hangzhou",
		CreatedAt: at(created), ExpiresAt: at(created + 7*24*time.Hour),
	}
}

func deviceIDs(t *testing.T, s protection.Store, account string, now time.Time) []string {
	t.Helper()
	ds, err := s.TrustedDevices(t.Context(), account, now)
	require.NoError(t, err)
	out := make([]string, len(ds))
	for i, d := range ds {
		out[i] = d.ID
	}
	return out
}

func testTrustedDevices(t *testing.T, s protection.Store, k keyspace) {
	ctx := t.Context()
	acct := k.key("acct")
	d1, d2 := device(acct, k.key("d1"), time.Minute), device(acct, k.key("d2"), 0)
	require.NoError(t, s.PutTrustedDevice(ctx, d1))
	require.NoError(t, s.PutTrustedDevice(ctx, d2))
	require.NoError(t, s.PutTrustedDevice(ctx, device(k.key("other"), k.key("o"), 0)))
	got, found, err := s.TrustedDevice(ctx, acct, d1.ID, at(time.Hour))
	require.NoError(t, err)
	require.True(t, found)
	assert.True(t, got.CreatedAt.Equal(d1.CreatedAt) && got.ExpiresAt.Equal(d1.ExpiresAt))
	got.CreatedAt, got.ExpiresAt = d1.CreatedAt, d1.ExpiresAt
	assert.Equal(t, d1, got)
	_, found, err = s.TrustedDevice(ctx, k.key("other"), d1.ID, at(time.Hour))
	require.NoError(t, err)
	assert.False(t, found, "another account's device")
	assert.Equal(t, []string{d2.ID, d1.ID}, deviceIDs(t, s, acct, at(time.Hour)), "oldest first")
}

func testTrustedDeviceExpiry(t *testing.T, s protection.Store, k keyspace) {
	ctx := t.Context()
	acct := k.key("acct")
	d := device(acct, k.key("d"), 0)
	require.NoError(t, s.PutTrustedDevice(ctx, d))
	_, found, err := s.TrustedDevice(ctx, acct, d.ID, d.ExpiresAt.Add(-time.Millisecond))
	require.NoError(t, err)
	assert.True(t, found)
	_, found, err = s.TrustedDevice(ctx, acct, d.ID, d.ExpiresAt)
	require.NoError(t, err)
	assert.False(t, found, "gone at ExpiresAt")
	assert.Empty(t, deviceIDs(t, s, acct, d.ExpiresAt))
}

func testTrustedDeviceDelete(t *testing.T, s protection.Store, k keyspace) {
	ctx := t.Context()
	acct := k.key("acct")
	d1, d2 := device(acct, k.key("d1"), 0), device(acct, k.key("d2"), time.Minute)
	require.NoError(t, s.PutTrustedDevice(ctx, d1))
	require.NoError(t, s.PutTrustedDevice(ctx, d2))
	deleted, err := s.DeleteTrustedDevice(ctx, k.key("other"), d1.ID)
	require.NoError(t, err)
	assert.False(t, deleted, "another account cannot delete it")
	deleted, err = s.DeleteTrustedDevice(ctx, acct, d1.ID)
	require.NoError(t, err)
	assert.True(t, deleted)
	deleted, err = s.DeleteTrustedDevice(ctx, acct, d1.ID)
	require.NoError(t, err)
	assert.False(t, deleted, "deleting twice")
	assert.Equal(t, []string{d2.ID}, deviceIDs(t, s, acct, at(0)), "one by one")
}

func cityNames(t *testing.T, s protection.Store, account string) []string {
	t.Helper()
	cs, err := s.LoginCities(t.Context(), account)
	require.NoError(t, err)
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = c.City
	}
	return out
}

func testLoginCities(t *testing.T, s protection.Store, k keyspace) {
	ctx := t.Context()
	acct := k.key("acct")
	assert.Empty(t, cityNames(t, s, acct))
	require.NoError(t, s.RecordLoginCity(ctx, acct, "Hangzhou", at(0), 5))
	require.NoError(t, s.RecordLoginCity(ctx, acct, "Beijing", at(time.Hour), 5))
	require.NoError(t, s.RecordLoginCity(ctx, acct, "Hangzhou", at(2*time.Hour), 5))
	require.NoError(t, s.RecordLoginCity(ctx, k.key("other"), "Shenzhen", at(0), 5))
	assert.Equal(t, []string{"Hangzhou", "Beijing"}, cityNames(t, s, acct), "latest first, distinct")
	cs, err := s.LoginCities(ctx, acct)
	require.NoError(t, err)
	assert.True(t, cs[0].LastAt.Equal(at(2*time.Hour)))
	assert.True(t, cs[1].LastAt.Equal(at(time.Hour)))
}

func testLoginCitiesKeep(t *testing.T, s protection.Store, k keyspace) {
	acct := k.key("acct")
	for i, c := range []string{"A", "B", "C", "D"} {
		require.NoError(t, s.RecordLoginCity(t.Context(), acct, c, at(time.Duration(i)*time.Hour), 3))
	}
	assert.Equal(t, []string{"D", "C", "B"}, cityNames(t, s, acct), "only the keep latest")
	require.NoError(t, s.RecordLoginCity(t.Context(), acct, "B", at(10*time.Hour), 3))
	assert.Equal(t, []string{"B", "D", "C"}, cityNames(t, s, acct))
}

func testLoginCitiesOnlyForward(t *testing.T, s protection.Store, k keyspace) {
	acct := k.key("acct")
	require.NoError(t, s.RecordLoginCity(t.Context(), acct, "A", at(2*time.Hour), 5))
	require.NoError(t, s.RecordLoginCity(t.Context(), acct, "B", at(time.Hour), 5))
	require.NoError(t, s.RecordLoginCity(t.Context(), acct, "A", at(0), 5))
	cs, err := s.LoginCities(t.Context(), acct)
	require.NoError(t, err)
	require.Len(t, cs, 2)
	assert.Equal(t, "A", cs[0].City)
	assert.True(t, cs[0].LastAt.Equal(at(2*time.Hour)), "an older login does not move LastAt back")
}

// testLoginCityTies: among cities with equal LastAt, the names that sort
// last are kept first, so every store keeps the same cities.
func testLoginCityTies(t *testing.T, s protection.Store, k keyspace) {
	acct := k.key("acct")
	for _, c := range []string{"B", "A", "C"} {
		require.NoError(t, s.RecordLoginCity(t.Context(), acct, c, at(0), 2))
	}
	cs, err := s.LoginCities(t.Context(), acct)
	require.NoError(t, err)
	require.Len(t, cs, 2)
	require.Equal(t, []string{"C", "B"}, []string{cs[0].City, cs[1].City})
}

func testConcurrentRecordLoginCity(t *testing.T, s protection.Store, k keyspace) {
	acct := k.key("acct")
	var errs atomic.Int32
	race(20, func(i int) {
		city := fmt.Sprint("city", i%4)
		if err := s.RecordLoginCity(t.Context(), acct, city, at(time.Duration(i)*time.Second), 3); err != nil {
			errs.Add(1)
		}
	})
	assert.Zero(t, errs.Load())
	got := cityNames(t, s, acct)
	// The latest logins were from city19%4=3, city18%4=2, city17%4=1.
	assert.Equal(t, []string{"city3", "city2", "city1"}, got)
	assert.False(t, slices.Contains(got, "city0"))
}

// testProtectionInvalidArguments: records without an ID or an account, grants
// without an account, binding or scope, and login cities without an account
// or a city or with keep below 1 are refused with an error.
func testProtectionInvalidArguments(t *testing.T, s protection.Store, k keyspace) {
	ctx := t.Context()
	acct := k.key("acct")
	require.Error(t, s.CreateSession(ctx, session(acct, "", 0)))
	require.Error(t, s.CreateSession(ctx, session("", k.key("s"), 0)))
	require.Error(t, s.EndAllSessions(ctx, "", ""))
	require.Error(t, s.PutGrant(ctx, protection.GrantRecord{Binding: "b", Scope: "s"}))
	require.Error(t, s.PutGrant(ctx, protection.GrantRecord{AccountID: acct, Scope: "s"}))
	require.Error(t, s.PutGrant(ctx, protection.GrantRecord{AccountID: acct, Binding: "b"}))
	require.Error(t, s.PutPendingLogin(ctx, protection.PendingLogin{AccountID: acct}))
	require.Error(t, s.PutChallenge(ctx, protection.ChallengeRecord{AccountID: acct}))
	require.Error(t, s.PutTrustedDevice(ctx, protection.TrustedDevice{AccountID: acct}))
	require.Error(t, s.PutTrustedDevice(ctx, protection.TrustedDevice{ID: k.key("d")}))
	require.Error(t, s.RecordLoginCity(ctx, "", "A", at(0), 3))
	require.Error(t, s.RecordLoginCity(ctx, acct, "", at(0), 3))
	require.Error(t, s.RecordLoginCity(ctx, acct, "A", at(0), 0))
}

func testProtectionCancelledContext(t *testing.T, s protection.Store, k keyspace) {
	ctx := cancelled()
	acct := k.key("acct")
	r := session(acct, k.key("s"), 0)
	assert.Error(t, s.CreateSession(ctx, r), "CreateSession")
	_, found := getSession(t, s, r.ID)
	assert.False(t, found, "a cancelled CreateSession changed nothing")
	createSession(t, s, r)
	_, _, err := s.Session(ctx, r.ID)
	assert.Error(t, err, "Session")
	assert.Error(t, s.TouchSession(ctx, r.ID, at(time.Hour)), "TouchSession")
	_, err = s.Sessions(ctx, acct, at(0))
	assert.Error(t, err, "Sessions")
	_, err = s.EndSession(ctx, acct, r.ID)
	assert.Error(t, err, "EndSession")
	assert.Error(t, s.EndAllSessions(ctx, acct, ""), "EndAllSessions")
	_, found = getSession(t, s, r.ID)
	assert.True(t, found, "cancelled calls ended nothing")
	assert.Error(t, s.PutGrant(ctx, grant(acct, r.ID, protection.ScopeStepUp, time.Hour)), "PutGrant")
	_, _, err = s.Grant(ctx, acct, r.ID, protection.ScopeStepUp, at(0))
	assert.Error(t, err, "Grant")
	assert.Error(t, s.PutPendingLogin(ctx, pendingLogin(acct, k.key("p"))), "PutPendingLogin")
	_, _, err = s.PendingLogin(ctx, k.key("p"), at(0))
	assert.Error(t, err, "PendingLogin")
	_, _, err = s.ConsumePendingLogin(ctx, k.key("p"), at(0))
	assert.Error(t, err, "ConsumePendingLogin")
	assert.Error(t, s.PutChallenge(ctx, challenge(acct, k.key("c"))), "PutChallenge")
	_, _, err = s.Challenge(ctx, k.key("c"), at(0))
	assert.Error(t, err, "Challenge")
	_, _, err = s.ConsumeChallenge(ctx, k.key("c"), at(0))
	assert.Error(t, err, "ConsumeChallenge")
	assert.Error(t, s.PutTrustedDevice(ctx, device(acct, k.key("d"), 0)), "PutTrustedDevice")
	_, _, err = s.TrustedDevice(ctx, acct, k.key("d"), at(0))
	assert.Error(t, err, "TrustedDevice")
	_, err = s.TrustedDevices(ctx, acct, at(0))
	assert.Error(t, err, "TrustedDevices")
	_, err = s.DeleteTrustedDevice(ctx, acct, k.key("d"))
	assert.Error(t, err, "DeleteTrustedDevice")
	assert.Error(t, s.RecordLoginCity(ctx, acct, "A", at(0), 5), "RecordLoginCity")
	_, err = s.LoginCities(ctx, acct)
	assert.Error(t, err, "LoginCities")
}
