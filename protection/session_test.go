package protection_test

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/accountsec/accountsec/event"
	"github.com/accountsec/accountsec/fakes"
	"github.com/accountsec/accountsec/internal/codec"
	"github.com/accountsec/accountsec/protection"
	"github.com/accountsec/accountsec/state"
)

func TestSessionTokenIs256BitsAndStoredOnlyAsHash(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	s, token := e.session(t)
	owner, random, ok := strings.Cut(token, ".")
	require.True(t, ok, "the owner tag, a dot, the random part")
	assert.Len(t, owner, 16, "base64url of 12 bytes of a keyed hash")
	assert.NotContains(t, owner, aliceID)
	assert.Len(t, random, 43, "base64url of 32 bytes")
	assert.NotEqual(t, random, s.ID)
	r, found, err := e.mem.GetRecord(t.Context(), "session", owner, "s/"+s.ID, e.clock.Now())
	require.NoError(t, err)
	require.True(t, found, "the session is stored under the owner the token carries")
	assert.NotContains(t, fmt.Sprintf("%+v %s", r, r.Data), random, "the store never holds the token")
	assert.NotContains(t, r.Owner+r.ID, aliceID, "nor the account ID in a key")
	_, found, err = e.mem.GetRecord(t.Context(), "session", owner, "s/"+random, e.clock.Now())
	require.NoError(t, err)
	assert.False(t, found)
	got, err := e.m.ValidateSession(t.Context(), token)
	require.NoError(t, err)
	assert.Equal(t, s.ID, got.ID)
}

func TestMalformedTokensAreRefusedWithoutAStoreCall(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	_, token := e.session(t)
	n := len(token)
	owner, random, _ := strings.Cut(token, ".")
	for _, bad := range []string{
		"", "x", token + "A", token[:n-1], token[:n-1] + "!", " " + token[1:],
		random, owner, owner + "!" + random, owner + ".." + random[1:], "!" + owner[1:] + "." + random, owner + "." + random[:42] + "!",
	} {
		_, err := e.m.ValidateSession(t.Context(), bad)
		require.ErrorIs(t, err, protection.ErrSessionInvalid, "%q", bad)
	}
	assert.Zero(t, e.store.Calls("GetRecord"))
}

func TestIdleExpiryAtExactlyTheIdleTime(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	_, a := e.session(t)
	_, b := e.session(t)
	idle := protection.DefaultIdleTimeout

	e.clock.Advance(idle - time.Second)
	_, err := e.m.ValidateSession(t.Context(), a)
	require.NoError(t, err, "a second before the idle time")
	e.clock.Advance(time.Second)
	_, err = e.m.ValidateSession(t.Context(), b)
	require.ErrorIs(t, err, protection.ErrSessionInvalid, "at exactly the idle time")
	_, err = e.m.ValidateSession(t.Context(), b)
	require.ErrorIs(t, err, protection.ErrSessionInvalid, "and after")

	// a was used a second before b's end, so it lives idle-1s more.
	e.clock.Advance(idle - 2*time.Second)
	_, err = e.m.ValidateSession(t.Context(), a)
	require.NoError(t, err)
	ended := eventsOf(e, event.SessionEnded)
	require.Len(t, ended, 1, "b ended once")
	assert.Equal(t, "idle", ended[0].Attrs["reason"])
}

func TestActivityNeverExtendsPastTheAbsoluteLifetime(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.settings(aliceID, func(s *protection.Settings) {
		s.SessionMaxLifetime = time.Hour
		s.SessionIdleTimeout = 15 * time.Minute
	})
	s, token := e.session(t)
	assert.Equal(t, fakes.Epoch.Add(time.Hour), s.ExpiresAt)
	for range 5 {
		e.clock.Advance(10 * time.Minute)
		_, err := e.m.ValidateSession(t.Context(), token)
		require.NoError(t, err)
	}
	e.clock.Advance(10*time.Minute - time.Nanosecond)
	_, err := e.m.ValidateSession(t.Context(), token)
	require.NoError(t, err, "just before the lifetime")
	e.clock.Advance(time.Nanosecond)
	_, err = e.m.ValidateSession(t.Context(), token)
	require.ErrorIs(t, err, protection.ErrSessionInvalid, "at the lifetime, however active")
}

func TestSessionTimeChangeDoesNotAffectOpenSessions(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	old, oldToken := e.session(t)
	e.settings(aliceID, func(s *protection.Settings) {
		s.SessionMaxLifetime = time.Hour
		s.SessionIdleTimeout = 15 * time.Minute
	})
	fresh, freshToken := e.session(t)
	assert.Equal(t, 48*time.Hour, old.ExpiresAt.Sub(old.CreatedAt))
	assert.Equal(t, 2*time.Hour, old.IdleTimeout)
	assert.Equal(t, time.Hour, fresh.ExpiresAt.Sub(fresh.CreatedAt))
	assert.Equal(t, 15*time.Minute, fresh.IdleTimeout)

	e.clock.Advance(30 * time.Minute) // idle longer than the new 15 minutes
	_, err := e.m.ValidateSession(t.Context(), oldToken)
	require.NoError(t, err, "the old session keeps its 2-hour idle timeout")
	_, err = e.m.ValidateSession(t.Context(), freshToken)
	require.ErrorIs(t, err, protection.ErrSessionInvalid)
	e.clock.Advance(90 * time.Minute)
	_, err = e.m.ValidateSession(t.Context(), oldToken)
	require.NoError(t, err, "and its 48-hour lifetime")
}

func TestValidationWritesAtMostOncePerTouchInterval(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	_, token := e.session(t)
	e.store.ResetCalls()
	for range 100 {
		e.clock.Advance(time.Second)
		_, err := e.m.ValidateSession(t.Context(), token)
		require.NoError(t, err)
	}
	assert.Equal(t, 100, e.store.Calls("GetRecord"), "one read per validation")
	assert.Equal(t, 100, e.store.Calls("GetRecord:session:s"), "of the session")
	assert.Equal(t, 1, e.store.Calls("TouchRecord:session:s"), "100 seconds of requests, one write")
	assert.Equal(t, 1, e.store.Writes())
	s, err := e.m.ValidateSession(t.Context(), token)
	require.NoError(t, err)
	assert.Equal(t, fakes.Epoch.Add(60*time.Second), s.LastSeenAt)
}

func TestListAndEndSessions(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	a, aToken := e.session(t)
	e.clock.Advance(time.Minute)
	b, bToken := e.session(t)
	list, err := e.m.Sessions(t.Context(), aliceID)
	require.NoError(t, err)
	require.Len(t, list, 2)
	assert.Equal(t, []string{a.ID, b.ID}, []string{list[0].ID, list[1].ID}, "oldest first")
	assert.Equal(t, "Hangzhou", list[0].City)

	require.NoError(t, e.m.EndSession(t.Context(), bobID, a.ID), "another account cannot end it")
	_, err = e.m.ValidateSession(t.Context(), aToken)
	require.NoError(t, err)

	require.NoError(t, e.m.EndSession(t.Context(), aliceID, a.ID))
	_, err = e.m.ValidateSession(t.Context(), aToken)
	require.ErrorIs(t, err, protection.ErrSessionInvalid)
	_, err = e.m.ValidateSession(t.Context(), bToken)
	require.NoError(t, err)
	require.NoError(t, e.m.EndSession(t.Context(), aliceID, a.ID), "ending twice is fine")
	assert.Equal(t, 1, e.events.Count(event.SessionEnded))
	list, err = e.m.Sessions(t.Context(), aliceID)
	require.NoError(t, err)
	assert.Len(t, list, 1)
}

func TestSignOutAllNeedsVerification(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	s, token := e.session(t)
	vr := requireVerificationRequired(t, e.m.SignOutAll(t.Context(), s))
	assert.Equal(t, protection.OpSignOutAll, vr.Purpose)
	assert.Equal(t, []protection.Method{protection.MFA}, vr.Methods, "protection none: the first method the account has")
	_, err := e.m.ValidateSession(t.Context(), token)
	require.NoError(t, err, "nothing ended")
}

func TestSignOutAllEndsAThousandSessionsWithOneWrite(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	const n = 1000
	tokens := make([]string, n)
	var current protection.Session
	for i := range n {
		res, err := e.m.LoginWith(t.Context(), protection.ThirdPartyLogin{AccountID: aliceID, Method: "wechat", ClientIP: "203.0.113.1"})
		require.NoError(t, err)
		tokens[i] = res.Token
		current = *res.Session
	}
	bob, err := e.m.LoginWith(t.Context(), protection.ThirdPartyLogin{AccountID: bobID, Method: "wechat"})
	require.NoError(t, err)
	e.stepUp(t, current, protection.OpSignOutAll)
	list, err := e.m.Sessions(t.Context(), aliceID)
	require.NoError(t, err)
	require.Len(t, list, n)

	e.store.ResetCalls()
	require.NoError(t, e.m.SignOutAll(t.Context(), current))
	assert.Equal(t, 2, e.store.Writes(), "one store write for %d sessions, one for the trusted devices", n)
	assert.Equal(t, 1, e.store.Calls("EndRecords:session"))
	assert.Equal(t, 1, e.store.Calls("EndRecords:device"))

	for _, i := range []int{0, 1, n / 2, n - 1} {
		_, err := e.m.ValidateSession(t.Context(), tokens[i])
		require.ErrorIs(t, err, protection.ErrSessionInvalid, "session %d", i)
	}
	list, err = e.m.Sessions(t.Context(), aliceID)
	require.NoError(t, err)
	assert.Empty(t, list)
	_, err = e.m.ValidateSession(t.Context(), bob.Token)
	require.NoError(t, err, "another account's session lives")
	assert.Equal(t, 1, e.events.Count(event.AllSessionsEnded))

	// The step-up ended too: a new session has none, and the old one is
	// refused even if its value is replayed.
	requireVerificationRequired(t, errOf(e.m.Authorize(t.Context(), current, protection.OpSignOutAll)))
}

func TestEndOtherSessionsKeepsTheCurrentOne(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	cur, curToken := e.session(t)
	_, other := e.session(t)
	e.stepUp(t, cur, protection.OpChangePassword)
	require.NoError(t, e.m.EndOtherSessions(t.Context(), aliceID, cur.ID, protection.CausePasswordChanged))
	_, err := e.m.ValidateSession(t.Context(), curToken)
	require.NoError(t, err)
	_, err = e.m.ValidateSession(t.Context(), other)
	require.ErrorIs(t, err, protection.ErrSessionInvalid)
	requireVerificationRequired(t, errOf(e.m.Authorize(t.Context(), cur, protection.OpSignOutAll)))
	others := eventsOf(e, event.OtherSessionsEnded)
	require.Len(t, others, 1)
	assert.Equal(t, protection.CausePasswordChanged, others[0].Attrs["reason"])

	// Without a session to keep (a password reset), every session ends.
	require.NoError(t, e.m.EndOtherSessions(t.Context(), aliceID, "", protection.CausePasswordReset))
	_, err = e.m.ValidateSession(t.Context(), curToken)
	require.ErrorIs(t, err, protection.ErrSessionInvalid)
}

// freshStore is a store whose reads return a fresh copy of the payload, as
// stores that decode a reply do.
type freshStore struct{ protection.Store }

func (s freshStore) GetRecord(ctx context.Context, set, owner, id string, now time.Time) (state.Record, bool, error) {
	r, found, err := s.Store.GetRecord(ctx, set, owner, id, now)
	r.Data = bytes.Clone(r.Data)
	return r, found, err
}

// TestRepeatedValidationSeesEveryChange validates one token again and again
// (the later calls reuse what the first computed) and checks that each call
// still answers from the record: a touch shows, a changed payload shows, an
// ended session is refused at once, a token differing in one character is
// refused, and a store returning fresh bytes gives the same answers.
func TestRepeatedValidationSeesEveryChange(t *testing.T) {
	t.Parallel()
	for _, fresh := range []bool{false, true} {
		t.Run(fmt.Sprint("fresh=", fresh), func(t *testing.T) {
			e := newEnv(t)
			if fresh {
				e.with(t, func(c *protection.Config) { c.Store = freshStore{c.Store} })
			}
			ctx := t.Context()
			s, token := e.session(t)
			for range 3 {
				got, err := e.m.ValidateSession(ctx, token)
				require.NoError(t, err)
				assert.Equal(t, s, got)
			}
			// One character changed: another token, never found.
			b := []byte(token)
			b[len(b)-2] ^= 1
			_, err := e.m.ValidateSession(ctx, string(b))
			require.ErrorIs(t, err, protection.ErrSessionInvalid)

			// A touch: the last-seen time comes from the record.
			e.clock.Advance(2 * time.Minute)
			got, err := e.m.ValidateSession(ctx, token)
			require.NoError(t, err)
			assert.Equal(t, e.clock.Now(), got.LastSeenAt)
			got, err = e.m.ValidateSession(ctx, token)
			require.NoError(t, err)
			assert.Equal(t, e.clock.Now(), got.LastSeenAt)

			// The record's payload replaced: the new fields show.
			w := codec.NewWriter(2, 64)
			for _, f := range []string{got.AccountID, got.LoginMethod, got.ClientIP, got.City, "another device"} {
				w.String(f)
			}
			w.Time(got.CreatedAt)
			w.Int(got.IdleTimeout.Milliseconds())
			w.String("")
			require.NoError(t, e.mem.PutRecord(ctx, state.Record{
				Set: "session", Owner: token[:16], ID: "s/" + s.ID, Data: w.Done(),
				Order: got.LastSeenAt.UnixMilli(), ExpiresAt: got.ExpiresAt,
			}, 0, e.clock.Now()))
			got, err = e.m.ValidateSession(ctx, token)
			require.NoError(t, err)
			assert.Equal(t, "another device", got.DeviceName)
			assert.Equal(t, s.ID, got.ID)

			// Ended: refused on the next call.
			require.NoError(t, e.m.EndSession(ctx, s.AccountID, s.ID))
			_, err = e.m.ValidateSession(ctx, token)
			require.ErrorIs(t, err, protection.ErrSessionInvalid)
		})
	}
}

// TestRememberedTokenUnderAnotherOwnerTag presents the random part of a
// validated token under other owner tags: one of another form is refused
// as malformed (not as a store failure), one of the right form finds no
// session.
func TestRememberedTokenUnderAnotherOwnerTag(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := t.Context()
	_, token := e.session(t)
	_, err := e.m.ValidateSession(ctx, token)
	require.NoError(t, err)
	other := "B"
	if token[0] == 'B' {
		other = "C"
	}
	for _, tok := range []string{"!" + token[1:], other + token[1:]} {
		_, err := e.m.ValidateSession(ctx, tok)
		require.ErrorIs(t, err, protection.ErrSessionInvalid, tok[:1])
	}
	_, err = e.m.ValidateSession(ctx, token)
	require.NoError(t, err)
}

// TestTouchExactlyAtTheTouchInterval checks the touch threshold at the
// nanosecond, with an interval that is not a whole number of milliseconds
// and a clock that is not on a millisecond: no write one nanosecond before
// the interval has passed since the recorded last-seen time, one write at
// it.
func TestTouchExactlyAtTheTouchInterval(t *testing.T) {
	t.Parallel()
	const interval = 1500*time.Millisecond + 300*time.Microsecond + 7
	e := newEnv(t, func(c *protection.Config) { c.Policy.TouchInterval = interval })
	e.clock.Advance(123456) // off the millisecond
	s, token := e.session(t)
	last := s.LastSeenAt.Truncate(time.Millisecond) // what the record keeps
	require.NotEqual(t, last, s.LastSeenAt)
	e.store.ResetCalls()
	e.clock.Set(last.Add(interval - 1))
	got, err := e.m.ValidateSession(t.Context(), token)
	require.NoError(t, err)
	assert.Equal(t, 0, e.store.Calls("TouchRecord:session:s"))
	assert.Equal(t, last, got.LastSeenAt)
	e.clock.Set(last.Add(interval))
	got, err = e.m.ValidateSession(t.Context(), token)
	require.NoError(t, err)
	assert.Equal(t, 1, e.store.Calls("TouchRecord:session:s"))
	assert.Equal(t, last.Add(interval), got.LastSeenAt)
}
