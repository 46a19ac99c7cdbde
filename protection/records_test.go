package protection_test

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/accountsec/accountsec/fakes"
	"github.com/accountsec/accountsec/protection"
	"github.com/accountsec/accountsec/reason"
	"github.com/accountsec/accountsec/state"
	"github.com/accountsec/accountsec/vocab"
)

// authErr keeps the error of an Authorize or Verified call.
func authErr(_ vocab.Proof, err error) error { return err }

// ownerOf is the owner tag a session token carries.
func ownerOf(t *testing.T, token string) string {
	t.Helper()
	owner, _, ok := strings.Cut(token, ".")
	require.True(t, ok)
	return owner
}

// recordIDs lists the IDs of the live records of owner in set, straight
// from the store.
func recordIDs(t *testing.T, e *env, set, owner string) []string {
	t.Helper()
	rs, err := e.mem.ListRecords(t.Context(), set, owner, e.clock.Now())
	require.NoError(t, err)
	ids := make([]string, 0, len(rs))
	for _, r := range rs {
		ids = append(ids, r.ID)
	}
	return ids
}

func TestCityTiesKeepTheGreaterID(t *testing.T) {
	t.Parallel()
	hash := func(city string) string {
		sum := sha256.Sum256([]byte(city))
		return base64.RawURLEncoding.EncodeToString(sum[:])
	}
	want, other := "Hangzhou", "Beijing"
	if hash(other) > hash(want) {
		want, other = other, want
	}
	ips := map[string]string{"Hangzhou": "203.0.113.1", "Beijing": "198.51.100.2"}
	for _, order := range [][2]string{{want, other}, {other, want}} {
		t.Run(order[0]+" first", func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, func(c *protection.Config) { c.Policy.UsualCities = 1 })
			for _, city := range order {
				require.NotNil(t, e.login(t, ips[city], "").Session)
			}
			cities, err := e.m.UsualCities(t.Context(), aliceID)
			require.NoError(t, err)
			require.Len(t, cities, 1, "one city is kept")
			assert.Equal(t, want, cities[0].City, "on equal last logins, the city whose ID (hash of the name) is greater stays")

			e.clock.Advance(time.Millisecond)
			require.NotNil(t, e.login(t, ips[other], "").Session)
			cities, err = e.m.UsualCities(t.Context(), aliceID)
			require.NoError(t, err)
			require.Len(t, cities, 1)
			assert.Equal(t, other, cities[0].City, "a later login wins whatever the IDs")
		})
	}
}

func TestEndSessionEndsItsGrantsOnly(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	a, aToken := e.session(t)
	b, _ := e.session(t)
	e.stepUp(t, a, protection.OpSignOutAll)
	e.stepUp(t, b, protection.OpSignOutAll)
	owner := ownerOf(t, aToken)
	require.Len(t, recordIDs(t, e, "session", owner), 4, "two sessions, two grants")

	require.NoError(t, e.m.EndSession(t.Context(), aliceID, a.ID))
	left := recordIDs(t, e, "session", owner)
	require.Len(t, left, 2, "the session and its grant are gone")
	assert.Contains(t, left, "s/"+b.ID)
	assert.NotContains(t, left, "s/"+a.ID)
	require.NoError(t, authErr(e.m.Authorize(t.Context(), b, protection.OpSignOutAll)))
	requireVerificationRequired(t, authErr(e.m.Authorize(t.Context(), a, protection.OpSignOutAll)))
}

func TestEndSessionDeletesGrantsFirst(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	s, token := e.session(t)
	e.stepUp(t, s, protection.OpSignOutAll)
	e.store.FailOn("DeleteRecord:session:s", nil)
	requireStoreError(t, e.m.EndSession(t.Context(), aliceID, s.ID))
	e.store.Heal()
	_, err := e.m.ValidateSession(t.Context(), token)
	require.NoError(t, err, "the session deletion failed")
	requireVerificationRequired(t, authErr(e.m.Authorize(t.Context(), s, protection.OpSignOutAll)))
	assert.Equal(t, []string{"s/" + s.ID}, recordIDs(t, e, "session", ownerOf(t, token)), "the grant went first")

	require.NoError(t, e.m.EndSession(t.Context(), aliceID, s.ID), "a retry completes")
	_, err = e.m.ValidateSession(t.Context(), token)
	require.ErrorIs(t, err, protection.ErrSessionInvalid)
}

func TestEndOtherSessionsKeepsTheSessionButNotItsGrant(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	keep, keepToken := e.session(t)
	_, otherToken := e.session(t)
	e.stepUp(t, keep, protection.OpSignOutAll)
	e.store.ResetCalls()
	require.NoError(t, e.m.EndOtherSessions(t.Context(), aliceID, keep.ID, protection.CausePasswordChanged))
	assert.Equal(t, 2, e.store.Writes(), "one write for the sessions, one for the devices")
	assert.Equal(t, 1, e.store.Calls("EndRecords:session"))
	assert.Equal(t, 1, e.store.Calls("EndRecords:device"))
	_, err := e.m.ValidateSession(t.Context(), keepToken)
	require.NoError(t, err)
	_, err = e.m.ValidateSession(t.Context(), otherToken)
	require.ErrorIs(t, err, protection.ErrSessionInvalid)
	requireVerificationRequired(t, authErr(e.m.Authorize(t.Context(), keep, protection.OpSignOutAll)))
	assert.Equal(t, []string{"s/" + keep.ID}, recordIDs(t, e, "session", ownerOf(t, keepToken)))
}

func TestStoreKeysNeverHoldAccountIDs(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.settings(aliceID, func(s *protection.Settings) {
		s.LoginProtection = protection.SMS
		s.TrustDevices = true
	})
	res := e.completeBySMS(t, e.login(t, "203.0.113.1", "").Pending, true)
	e.stepUp(t, *res.Session, protection.OpSignOutAll)
	owner := ownerOf(t, res.Token)
	assert.NotContains(t, owner, aliceID)
	for _, set := range []string{"session", "device", "city"} {
		ids := recordIDs(t, e, set, owner)
		assert.NotEmpty(t, ids, "set %s", set)
		for _, id := range ids {
			assert.NotContains(t, id, aliceID, "set %s", set)
			require.NoError(t, state.CheckKey("id", id))
		}
	}
}

func TestCorruptSessionRecordFailsClosed(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	s, token := e.session(t)
	owner := ownerOf(t, token)
	require.NoError(t, e.mem.PutRecord(t.Context(), state.Record{
		Set: "session", Owner: owner, ID: "s/" + s.ID, Data: []byte{1, 0xff},
		Order: e.clock.Now().UnixMilli(), ExpiresAt: s.ExpiresAt,
	}, 0, e.clock.Now()))
	_, err := e.m.ValidateSession(t.Context(), token)
	require.ErrorIs(t, err, reason.ErrStoreUnavailable)
	_, err = e.m.Sessions(t.Context(), aliceID)
	require.ErrorIs(t, err, reason.ErrStoreUnavailable)
}

func TestTouchOfASessionEndedMeanwhileRefusesIt(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	_, token := e.session(t)
	e.clock.Advance(2 * e.m.Policy().TouchInterval)
	// The session ends between the read and the touch.
	e.with(t, func(c *protection.Config) { c.Store = &endingStore{StateStore: e.store} })
	_, err := e.m.ValidateSession(t.Context(), token)
	require.ErrorIs(t, err, protection.ErrSessionInvalid)
	assert.Equal(t, 1, e.store.Calls("TouchRecord"), "the touch found the session ended")
}

// endingStore ends every record a TouchRecord names just before touching
// it, as a concurrent sign-out would.
type endingStore struct {
	*fakes.StateStore
}

func (s *endingStore) TouchRecord(ctx context.Context, set, owner, id string, order int64, now time.Time) (bool, error) {
	if err := s.StateStore.EndRecords(ctx, set, owner, "", now); err != nil {
		return false, err
	}
	return s.StateStore.TouchRecord(ctx, set, owner, id, order, now)
}

// TestValidateSessionAllocatesOnlyTheRecordID checks that decoding a
// session allocates nothing: on the memory store, whose reads share the
// payload, a validation allocates the record ID it looks up and nothing
// else.
func TestValidateSessionAllocatesOnlyTheRecordID(t *testing.T) {
	e := newEnv(t, func(c *protection.Config) { c.Events = nil })
	e.with(t, func(c *protection.Config) { c.Store = e.mem })
	_, token := e.session(t)
	ctx := t.Context()
	allocs := testing.AllocsPerRun(100, func() {
		if _, err := e.m.ValidateSession(ctx, token); err != nil {
			t.Fatal(err)
		}
	})
	assert.LessOrEqual(t, allocs, 1.0)
}
