package protection_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/accountsec/accountsec/event"
	"github.com/accountsec/accountsec/fakes"
	"github.com/accountsec/accountsec/limits"
	"github.com/accountsec/accountsec/protection"
	"github.com/accountsec/accountsec/state"
	"github.com/accountsec/accountsec/store/memstore"
)

func TestLoginWithoutProtectionGivesASession(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	res := e.login(t, "203.0.113.1", "")
	require.NotNil(t, res.Session)
	assert.Nil(t, res.Pending)
	assert.Equal(t, aliceID, res.Session.AccountID)
	assert.Equal(t, protection.LoginMethodPassword, res.Session.LoginMethod)
	assert.Equal(t, "Hangzhou", res.Session.City)
	assert.Zero(t, e.hasher.hashes.Load(), "an up-to-date hash is not replaced")
	assert.Equal(t, 1, e.events.Count(event.LoginSucceeded))
}

func TestWrongPasswordAndUnknownLoginLookAlike(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	_, wrong := e.m.Login(t.Context(), protection.LoginRequest{Login: aliceLogin, Password: "nope"})
	_, unknown := e.m.Login(t.Context(), protection.LoginRequest{Login: "nobody@example.com", Password: "nope"})
	require.ErrorIs(t, wrong, protection.ErrWrongCredentials)
	require.ErrorIs(t, unknown, protection.ErrWrongCredentials)
	assert.Equal(t, wrong.Error(), unknown.Error())
	assert.Equal(t, int32(2), e.hasher.checks.Load(), "an unknown login is hashed too")
	failed := eventsOf(e, event.LoginFailed)
	require.Len(t, failed, 2)
	assert.Equal(t, aliceID, failed[0].AccountID)
	assert.Empty(t, failed[1].AccountID)
	assert.NotEmpty(t, failed[1].Subject, "a keyed hash of the login")
	assert.NotContains(t, failed[1].Subject, "nobody")
}

func TestLoginReplacesAnOutdatedHash(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.hasher.rehash = true
	res := e.login(t, "", "")
	require.NotNil(t, res.Session)
	assert.Equal(t, int32(1), e.hasher.checks.Load(), "the password is checked once")
	assert.Equal(t, int32(1), e.hasher.hashes.Load(), "and hashed once more")
	assert.Equal(t, 1, e.accounts.upgrades)
	assert.Equal(t, 1, e.events.Count(event.PasswordRehashed))
}

func TestLoginInputIsChecked(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	for _, req := range []protection.LoginRequest{
		{Login: "", Password: alicePW},
		{Login: string(make([]byte, 2000)), Password: alicePW},
		{Login: "\xff", Password: alicePW},
		{Login: aliceLogin, Password: alicePW, ClientIP: "\xff"},
	} {
		_, err := e.m.Login(t.Context(), req)
		require.Error(t, err)
		require.NotErrorIs(t, err, protection.ErrWrongCredentials)
	}
	assert.Zero(t, e.hasher.checks.Load())
}

func TestLockoutIsReservedBeforeTheHash(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	const n = 50
	var wrong, locked, other atomic.Int32
	var wg sync.WaitGroup
	start := make(chan struct{})
	for range n {
		wg.Go(func() {
			<-start
			_, err := e.m.Login(t.Context(), protection.LoginRequest{Login: aliceLogin, Password: "wrong"})
			var lock *limits.LockedError
			switch {
			case errors.As(err, &lock) && !errors.Is(err, protection.ErrWrongCredentials):
				locked.Add(1)
			case errors.Is(err, protection.ErrWrongCredentials):
				wrong.Add(1)
			default:
				other.Add(1)
			}
		})
	}
	close(start)
	wg.Wait()
	assert.LessOrEqual(t, e.hasher.checks.Load(), int32(10), "at most the limit of hashes")
	assert.Equal(t, int32(10), wrong.Load())
	assert.Equal(t, int32(n-10), locked.Load())
	assert.Zero(t, other.Load())

	// The right password is refused too, without hashing.
	before := e.hasher.checks.Load()
	_, err := e.m.Login(t.Context(), protection.LoginRequest{Login: aliceLogin, Password: alicePW})
	require.ErrorIs(t, err, limits.ErrLocked)
	assert.Equal(t, before, e.hasher.checks.Load())
	assert.GreaterOrEqual(t, e.events.Count(event.LoginLocked), n-10)
}

func TestSecondFactorBySMS(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.settings(aliceID, func(s *protection.Settings) { s.LoginProtection = protection.SMS })
	res := e.login(t, "203.0.113.1", "")
	require.Nil(t, res.Session)
	p := res.Pending
	require.NotNil(t, p)
	assert.True(t, p.SecondFactor)
	assert.False(t, p.UnusualLocation)
	assert.Equal(t, protection.SMS, p.Options.Preferred)
	assert.Empty(t, p.Options.Alternatives, "login protection's method only")
	assert.Equal(t, fakes.Epoch.Add(10*time.Minute), p.ExpiresAt)
	assert.Equal(t, 1, e.events.Count(event.SecondFactorRequired))

	c, err := e.m.StartLoginChallenge(t.Context(), p.Token, "", "203.0.113.1")
	require.NoError(t, err)
	assert.Equal(t, protection.SMS, c.Method, "the preferred method by default")
	assert.Equal(t, "**********8000", c.SentTo)
	code := e.outbox.LastCode(alicePhone)

	_, err = e.m.CompleteLogin(t.Context(), protection.CompleteRequest{PendingToken: p.Token, Challenge: c.ID, Answer: wrongCode(code)})
	require.Error(t, err)
	fin, err := e.m.CompleteLogin(t.Context(), protection.CompleteRequest{PendingToken: p.Token, Challenge: c.ID, Answer: code})
	require.NoError(t, err)
	require.NotNil(t, fin.Session)
	assert.Empty(t, fin.DeviceToken, "not asked to trust")
	_, err = e.m.ValidateSession(t.Context(), fin.Token)
	require.NoError(t, err)

	_, err = e.m.CompleteLogin(t.Context(), protection.CompleteRequest{PendingToken: p.Token, Challenge: c.ID, Answer: code})
	require.ErrorIs(t, err, protection.ErrLoginInvalid, "a pending login finishes once")
}

func TestSecondFactorByMFAAndByWeChatScan(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.settings(aliceID, func(s *protection.Settings) { s.LoginProtection = protection.MFA })
	p := e.login(t, "", "").Pending
	require.NotNil(t, p)
	assert.Equal(t, protection.MFA, p.Options.Preferred)
	c, err := e.m.StartLoginChallenge(t.Context(), p.Token, protection.MFA, "")
	require.NoError(t, err)
	res, err := e.m.CompleteLogin(t.Context(), protection.CompleteRequest{PendingToken: p.Token, Challenge: c.ID, Answer: aliceMFA})
	require.NoError(t, err)
	require.NotNil(t, res.Session)

	e.settings(aliceID, func(s *protection.Settings) { s.LoginProtection = protection.WeChatScan })
	p = e.login(t, "", "").Pending
	c, err = e.m.StartLoginChallenge(t.Context(), p.Token, "", "")
	require.NoError(t, err)
	assert.Equal(t, protection.WeChatScan, c.Method)
	assert.Contains(t, c.URL, "wechat")
	_, err = e.m.CompleteLogin(t.Context(), protection.CompleteRequest{PendingToken: p.Token, Challenge: c.ID})
	require.ErrorIs(t, err, protection.ErrNotConfirmed, "not scanned yet")
	assert.Zero(t, e.events.Count(event.LoginFailed), "waiting for a scan is not a failure")
	assert.Zero(t, e.events.Count(event.VerificationFailed))
	e.host.Confirm(e.host.LastTicket())
	res, err = e.m.CompleteLogin(t.Context(), protection.CompleteRequest{PendingToken: p.Token, Challenge: c.ID})
	require.NoError(t, err)
	require.NotNil(t, res.Session)
	st, err := e.limiter.Status(t.Context(), protection.VerifyScope, aliceID)
	require.NoError(t, err)
	assert.Zero(t, st.Failures, "a scan not finished yet is not a failure")
}

func TestAFailedSecondFactorNeverResetsPasswordFailures(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.settings(aliceID, func(s *protection.Settings) { s.LoginProtection = protection.SMS })
	for range 3 {
		_, err := e.m.Login(t.Context(), protection.LoginRequest{Login: aliceLogin, Password: "wrong"})
		require.ErrorIs(t, err, protection.ErrWrongCredentials)
	}
	p := e.login(t, "", "").Pending
	c, err := e.m.StartLoginChallenge(t.Context(), p.Token, protection.SMS, "")
	require.NoError(t, err)
	_, err = e.m.CompleteLogin(t.Context(), protection.CompleteRequest{PendingToken: p.Token, Challenge: c.ID, Answer: wrongCode(e.outbox.LastCode(alicePhone))})
	require.Error(t, err)

	pw, err := e.limiter.Status(t.Context(), protection.AccountLockScope, aliceID)
	require.NoError(t, err)
	assert.Equal(t, 3, pw.Failures, "the password failures stay")
	second, err := e.limiter.Status(t.Context(), protection.VerifyScope, aliceID)
	require.NoError(t, err)
	assert.Equal(t, 1, second.Failures, "the wrong code counts on its own")
	assert.Equal(t, 1, len(eventsOf(e, event.LoginFailed))-3)
}

func TestTwentyParallelAnswersGiveExactlyOneSession(t *testing.T) {
	t.Parallel()
	for _, method := range []protection.Method{protection.SMS, protection.MFA} {
		t.Run(string(method), func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			e.settings(aliceID, func(s *protection.Settings) { s.LoginProtection = method })
			p := e.login(t, "", "").Pending
			c, err := e.m.StartLoginChallenge(t.Context(), p.Token, method, "")
			require.NoError(t, err)
			code := aliceMFA
			if method == protection.SMS {
				code = e.outbox.LastCode(alicePhone)
			}
			var sessions atomic.Int32
			var wg sync.WaitGroup
			start := make(chan struct{})
			for range 20 {
				wg.Go(func() {
					<-start
					res, err := e.m.CompleteLogin(t.Context(), protection.CompleteRequest{PendingToken: p.Token, Challenge: c.ID, Answer: code})
					if err == nil && res.Session != nil {
						sessions.Add(1)
					}
				})
			}
			close(start)
			wg.Wait()
			assert.Equal(t, int32(1), sessions.Load())
			list, err := e.m.Sessions(t.Context(), aliceID)
			require.NoError(t, err)
			assert.Len(t, list, 1)
		})
	}
}

func TestPendingLoginLapses(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.settings(aliceID, func(s *protection.Settings) { s.LoginProtection = protection.MFA })
	p := e.login(t, "", "").Pending
	c, err := e.m.StartLoginChallenge(t.Context(), p.Token, protection.MFA, "")
	require.NoError(t, err)
	e.clock.Advance(10 * time.Minute)
	_, err = e.m.CompleteLogin(t.Context(), protection.CompleteRequest{PendingToken: p.Token, Challenge: c.ID, Answer: aliceMFA})
	require.ErrorIs(t, err, protection.ErrLoginInvalid)
	_, err = e.m.StartLoginChallenge(t.Context(), "not a token", protection.MFA, "")
	require.ErrorIs(t, err, protection.ErrLoginInvalid)
}

func TestAChallengeOfAnotherLoginDoesNotFinishThisOne(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.settings(aliceID, func(s *protection.Settings) { s.LoginProtection = protection.MFA })
	p1 := e.login(t, "", "").Pending
	p2 := e.login(t, "", "").Pending
	c1, err := e.m.StartLoginChallenge(t.Context(), p1.Token, protection.MFA, "")
	require.NoError(t, err)
	_, err = e.m.CompleteLogin(t.Context(), protection.CompleteRequest{PendingToken: p2.Token, Challenge: c1.ID, Answer: aliceMFA})
	require.ErrorIs(t, err, protection.ErrChallengeInvalid)

	// Nor does a step-up challenge.
	c, err := e.m.StartVerification(t.Context(), protection.StartRequest{AccountID: aliceID, Binding: "session:x", Purpose: protection.OpSignOutAll, Method: protection.MFA})
	require.NoError(t, err)
	_, err = e.m.CompleteLogin(t.Context(), protection.CompleteRequest{PendingToken: p1.Token, Challenge: c.ID, Answer: aliceMFA})
	require.ErrorIs(t, err, protection.ErrChallengeInvalid)
}

func TestTrustedDeviceSkipsLoginProtectionForSevenDays(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.settings(aliceID, func(s *protection.Settings) {
		s.LoginProtection = protection.SMS
		s.TrustDevices = true
	})
	res := e.completeBySMS(t, e.login(t, "203.0.113.1", "").Pending, true)
	device := res.DeviceToken
	require.NotEmpty(t, device)
	assert.Equal(t, 1, e.events.Count(event.DeviceTrusted))
	list, err := e.m.TrustedDevices(t.Context(), aliceID)
	require.NoError(t, err)
	require.Len(t, list, 1)
	assert.Equal(t, "Firefox on Linux", list[0].Name)
	assert.Equal(t, fakes.Epoch.Add(7*24*time.Hour), list[0].ExpiresAt)

	e.clock.Advance(6 * 24 * time.Hour)
	day6 := e.login(t, "203.0.113.1", device)
	require.NotNil(t, day6.Session, "day 6: the trusted device skips the second factor")
	assert.Equal(t, "true", eventsOf(e, event.LoginSucceeded)[1].Attrs["trusted_device"])
	assert.NotNil(t, e.login(t, "203.0.113.1", "").Pending, "another device still verifies")
	assert.NotNil(t, e.login(t, "203.0.113.1", "bogus").Pending, "a bogus device token is no device")

	e.clock.Advance(2 * 24 * time.Hour)
	day8 := e.login(t, "203.0.113.1", device)
	require.NotNil(t, day8.Pending, "day 8: the trust has lapsed")
	list, err = e.m.TrustedDevices(t.Context(), aliceID)
	require.NoError(t, err)
	assert.Empty(t, list)
}

func TestTrustedDevicesAreRevocableOneByOne(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.settings(aliceID, func(s *protection.Settings) {
		s.LoginProtection = protection.SMS
		s.TrustDevices = true
	})
	d1 := e.completeBySMS(t, e.login(t, "", "").Pending, true).DeviceToken
	e.clock.Advance(time.Minute)
	d2 := e.completeBySMS(t, e.login(t, "", "").Pending, true).DeviceToken
	list, err := e.m.TrustedDevices(t.Context(), aliceID)
	require.NoError(t, err)
	require.Len(t, list, 2)

	require.NoError(t, e.m.RevokeTrustedDevice(t.Context(), aliceID, list[0].ID))
	assert.NotNil(t, e.login(t, "", d1).Pending, "the revoked device verifies again")
	assert.NotNil(t, e.login(t, "", d2).Session, "the other one is still trusted")
	require.NoError(t, e.m.RevokeTrustedDevice(t.Context(), aliceID, list[0].ID), "revoking twice is fine")
	assert.Equal(t, 1, e.events.Count(event.TrustedDeviceRevoked))

	// Turning the option off stops every trusted device from skipping.
	e.settings(aliceID, func(s *protection.Settings) { s.TrustDevices = false })
	assert.NotNil(t, e.login(t, "", d2).Pending)
}

func TestTrustIsOnlyOfferedWhenTheAccountAllowsIt(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.settings(aliceID, func(s *protection.Settings) { s.LoginProtection = protection.SMS })
	res := e.completeBySMS(t, e.login(t, "", "").Pending, true)
	assert.Empty(t, res.DeviceToken)
	list, err := e.m.TrustedDevices(t.Context(), aliceID)
	require.NoError(t, err)
	assert.Empty(t, list)
}

func TestRemoteLoginProtection(t *testing.T) {
	t.Parallel()
	const hangzhou, beijing, unknown = "203.0.113.1", "198.51.100.2", "10.0.0.1"
	e := newEnv(t)
	e.settings(aliceID, func(s *protection.Settings) { s.RemoteLoginProtection = true })

	require.NotNil(t, e.login(t, unknown, "").Pending, "an unknown city is unusual even without history")
	require.NotNil(t, e.login(t, hangzhou, "").Session, "no history yet: the first login from a known city is not unusual")
	require.NotNil(t, e.login(t, hangzhou, "").Session, "a usual city")

	res := e.login(t, beijing, "")
	require.NotNil(t, res.Pending, "a new city verifies")
	assert.True(t, res.Pending.UnusualLocation)
	assert.False(t, res.Pending.SecondFactor)
	assert.Equal(t, protection.MFA, res.Pending.Options.Preferred)
	unusual := eventsOf(e, event.UnusualLocation)
	require.Len(t, unusual, 2)
	assert.Empty(t, unusual[0].Attrs["city"])
	assert.Equal(t, "Beijing", unusual[1].Attrs["city"])

	require.NotNil(t, e.login(t, beijing, "").Pending, "an abandoned login teaches nothing")
	e.clock.Advance(time.Minute)
	e.completeBySMS(t, res.Pending, false)
	require.NotNil(t, e.login(t, beijing, "").Session, "learned from the successful login")
	require.NotNil(t, e.login(t, unknown, "").Pending, "an unknown city is never usual")
	e.geo.FailWith(errors.New("geoip down"))
	require.NotNil(t, e.login(t, hangzhou, "").Pending, "a failing GeoLocator is an unknown city")
	e.geo.FailWith(nil)

	cities, err := e.m.UsualCities(t.Context(), aliceID)
	require.NoError(t, err)
	require.Len(t, cities, 2)
	assert.Equal(t, "Beijing", cities[0].City)

	// 90 days after the last login from Hangzhou, it is no longer usual.
	e.clock.Advance(90 * 24 * time.Hour)
	require.NotNil(t, e.login(t, hangzhou, "").Pending)
}

func TestUsualCitiesAreTheLastFive(t *testing.T) {
	t.Parallel()
	e := newEnv(t, func(c *protection.Config) { c.Policy.UsualCities = 2 })
	e.geo.Set("1.1.1.1", "A")
	e.geo.Set("2.2.2.2", "B")
	e.geo.Set("3.3.3.3", "C")
	for _, ip := range []string{"1.1.1.1", "2.2.2.2", "3.3.3.3"} {
		e.clock.Advance(time.Hour)
		require.NotNil(t, e.login(t, ip, "").Session, "remote-login protection is off: cities are still learned")
	}
	e.settings(aliceID, func(s *protection.Settings) { s.RemoteLoginProtection = true })
	assert.NotNil(t, e.login(t, "3.3.3.3", "").Session)
	assert.NotNil(t, e.login(t, "2.2.2.2", "").Session)
	assert.NotNil(t, e.login(t, "1.1.1.1", "").Pending, "A fell out of the last 2 cities")
}

func TestRemoteLoginAndLoginProtectionTakeOneVerification(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.login(t, "203.0.113.1", "")
	e.settings(aliceID, func(s *protection.Settings) {
		s.RemoteLoginProtection = true
		s.LoginProtection = protection.SMS
		s.TrustDevices = true
	})
	dev := e.completeBySMS(t, e.login(t, "203.0.113.1", "").Pending, true).DeviceToken
	p := e.login(t, "198.51.100.2", dev).Pending
	require.NotNil(t, p, "a trusted device skips login protection, not remote-login protection")
	assert.True(t, p.UnusualLocation)
	assert.False(t, p.SecondFactor)

	p = e.login(t, "192.0.2.3", "").Pending
	assert.True(t, p.UnusualLocation)
	assert.True(t, p.SecondFactor)
	assert.Equal(t, protection.SMS, p.Options.Preferred, "login protection's method")
	res := e.completeBySMS(t, p, false)
	assert.NotNil(t, res.Session)
}

func TestThirdPartyLogin(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	res, err := e.m.LoginWith(t.Context(), protection.ThirdPartyLogin{AccountID: aliceID, Method: "wechat", ClientIP: "203.0.113.1"})
	require.NoError(t, err)
	require.NotNil(t, res.Session)
	assert.Equal(t, "wechat", res.Session.LoginMethod)

	e.settings(aliceID, func(s *protection.Settings) { s.LoginProtection = protection.MFA })
	res, err = e.m.LoginWith(t.Context(), protection.ThirdPartyLogin{AccountID: aliceID, Method: "qq"})
	require.NoError(t, err)
	require.NotNil(t, res.Pending, "login protection applies to third-party logins too")

	_, err = e.m.LoginWith(t.Context(), protection.ThirdPartyLogin{AccountID: "nobody", Method: "qq"})
	require.ErrorIs(t, err, protection.ErrAccountUnknown)
	_, err = e.m.LoginWith(t.Context(), protection.ThirdPartyLogin{AccountID: aliceID, Method: protection.LoginMethodPassword})
	require.Error(t, err, "a password login is not third-party")
}

// wrongCode returns a 6-digit code that differs from code.
func wrongCode(code string) string {
	if code == "000000" {
		return "111111"
	}
	return "000000"
}

// barrier lets n calls through together: each waits until all n have
// arrived, or fails after a bound, so that calls made one after the other
// fail instead of hanging.
type barrier struct {
	n       int
	mu      sync.Mutex
	arrived []string
	all     chan struct{}
}

func newBarrier(n int) *barrier { return &barrier{n: n, all: make(chan struct{})} }

func (b *barrier) wait(name string) error {
	b.mu.Lock()
	b.arrived = append(b.arrived, name)
	if len(b.arrived) == b.n {
		close(b.all)
	}
	b.mu.Unlock()
	select {
	case <-b.all:
		return nil
	case <-time.After(10 * time.Second):
		b.mu.Lock()
		defer b.mu.Unlock()
		return fmt.Errorf("%s waited in vain: only %v arrived, the others wait for it to return", name, b.arrived)
	}
}

// overlapCounters sends the refund and the lock read of the login to the
// barrier once armed.
type overlapCounters struct {
	limits.CounterStore
	armed atomic.Pointer[barrier]
}

func (c *overlapCounters) Release(ctx context.Context, key string, window, now time.Time) error {
	if b := c.armed.Load(); b != nil {
		if err := b.wait("refund"); err != nil {
			return err
		}
	}
	return c.CounterStore.Release(ctx, key, window, now)
}

func (c *overlapCounters) Get(ctx context.Context, key string, now time.Time) (limits.Counter, error) {
	if b := c.armed.Load(); b != nil {
		if err := b.wait("lock read"); err != nil {
			return limits.Counter{}, err
		}
	}
	return c.CounterStore.Get(ctx, key, now)
}

// overlapStore sends the session write to the barrier once armed.
type overlapStore struct {
	protection.Store
	armed atomic.Pointer[barrier]
}

func (s *overlapStore) PutRecord(ctx context.Context, r state.Record, keep int, now time.Time) error {
	if b := s.armed.Load(); b != nil && r.Set == "session" {
		if err := b.wait("session write"); err != nil {
			return err
		}
	}
	return s.Store.PutRecord(ctx, r, keep, now)
}

// A right password's login waits for two round trips of the stores: the
// reservation, then the refund, the second read of the lock and the
// session write together. The three calls meet at a barrier that lets them
// through only when all have arrived, so any two made one after the other
// fail the login.
func TestRightPasswordRefundsReadsLockAndWritesSessionTogether(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	counters := &overlapCounters{CounterStore: memstore.New()}
	st := &overlapStore{Store: e.mem}
	lim, err := limits.NewLimiter(limits.Config{Store: counters, Secret: secret, Now: e.clock.Now}, limits.Lockout{})
	require.NoError(t, err)
	e.with(t, func(c *protection.Config) { c.Store, c.Limiter = st, lim })

	b := newBarrier(3)
	counters.armed.Store(b)
	st.armed.Store(b)
	res, err := e.m.Login(t.Context(), protection.LoginRequest{Login: aliceLogin, Password: alicePW, ClientIP: "203.0.113.1"})
	require.NoError(t, err)
	require.NotNil(t, res.Session)
	assert.ElementsMatch(t, []string{"refund", "lock read", "session write"}, b.arrived)

	counters.armed.Store(nil)
	st.armed.Store(nil)
	got, err := e.m.ValidateSession(t.Context(), res.Token)
	require.NoError(t, err)
	assert.Equal(t, res.Session.ID, got.ID)
	st2, err := lim.Status(t.Context(), protection.AccountLockScope, aliceID)
	require.NoError(t, err)
	assert.Zero(t, st2.Failures, "the slot was given back")
}

// A refund that fails fails the login with a store error even though the
// session was written meanwhile: that session is deleted, its token never
// given out.
func TestFailedRefundLeavesNoSession(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.counters.FailOn("Release", errors.New("counter store down"))
	_, err := e.m.Login(t.Context(), protection.LoginRequest{Login: aliceLogin, Password: alicePW, ClientIP: "203.0.113.1"})
	requireStoreError(t, err)
	e.counters.Heal()
	sessions, err := e.m.Sessions(t.Context(), aliceID)
	require.NoError(t, err)
	assert.Empty(t, sessions, "the session written beside the refund was deleted")
	assert.Zero(t, e.events.Count(event.LoginSucceeded))
}

// A failed lock read fails the login with a store error and leaves no
// session.
func TestFailedLockReadLeavesNoSession(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.counters.FailOn("Get", errors.New("counter store down"))
	_, err := e.m.Login(t.Context(), protection.LoginRequest{Login: aliceLogin, Password: alicePW, ClientIP: "203.0.113.1"})
	requireStoreError(t, err)
	e.counters.Heal()
	sessions, err := e.m.Sessions(t.Context(), aliceID)
	require.NoError(t, err)
	assert.Empty(t, sessions)
}

// orderedCounters holds the refund until the lock read has returned, so
// that the read counts the login's own reservation.
type orderedCounters struct {
	limits.CounterStore
	read chan struct{}
	once sync.Once
}

func (c *orderedCounters) Get(ctx context.Context, key string, now time.Time) (limits.Counter, error) {
	defer c.once.Do(func() { close(c.read) })
	return c.CounterStore.Get(ctx, key, now)
}

func (c *orderedCounters) Release(ctx context.Context, key string, window, now time.Time) error {
	select {
	case <-c.read:
	case <-time.After(10 * time.Second):
		return errors.New("the lock read never came")
	}
	return c.CounterStore.Release(ctx, key, window, now)
}

// The right password after all failures but one takes the last slot, so a
// lock read made before the refund lands sees the account at its limit:
// the login reads again after the refund and signs in, as when the refund
// came first. A real lock still refuses it.
func TestLockReadBeforeTheRefundDoesNotLockTheRightPassword(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	counters := &orderedCounters{CounterStore: memstore.New(), read: make(chan struct{})}
	lim, err := limits.NewLimiter(limits.Config{Store: counters, Secret: secret, Now: e.clock.Now}, limits.Lockout{MaxFailures: 3})
	require.NoError(t, err)
	e.with(t, func(c *protection.Config) { c.Limiter = lim })
	for range 2 {
		counters.read = make(chan struct{})
		counters.once = sync.Once{}
		close(counters.read) // wrong passwords read no lock
		_, err := e.m.Login(t.Context(), protection.LoginRequest{Login: aliceLogin, Password: "wrong", ClientIP: "203.0.113.1"})
		require.ErrorIs(t, err, protection.ErrWrongCredentials)
	}
	counters.read = make(chan struct{})
	counters.once = sync.Once{}
	res, err := e.m.Login(t.Context(), protection.LoginRequest{Login: aliceLogin, Password: alicePW, ClientIP: "203.0.113.1"})
	require.NoError(t, err)
	require.NotNil(t, res.Session)
	assert.Zero(t, e.events.Count(event.LoginLocked))
	st, err := lim.Status(t.Context(), protection.AccountLockScope, aliceID)
	require.NoError(t, err)
	assert.Equal(t, 2, st.Failures)
}

// A login refused when its attempt ends (the refund or the lock read
// failed) learns no city: the city of a refused login must not count as
// usual for remote-login protection.
func TestRefusedRightPasswordLearnsNoCity(t *testing.T) {
	t.Parallel()
	for _, op := range []string{"Release", "Get"} {
		t.Run(op, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			e.counters.FailOn(op, errors.New("counter store down"))
			_, err := e.m.Login(t.Context(), protection.LoginRequest{Login: aliceLogin, Password: alicePW, ClientIP: "203.0.113.1"})
			requireStoreError(t, err)
			e.counters.Heal()
			cities, err := e.m.UsualCities(t.Context(), aliceID)
			require.NoError(t, err)
			assert.Empty(t, cities)
			sessions, err := e.m.Sessions(t.Context(), aliceID)
			require.NoError(t, err)
			assert.Empty(t, sessions)

			// The same login afterwards signs in and learns the city.
			res, err := e.m.Login(t.Context(), protection.LoginRequest{Login: aliceLogin, Password: alicePW, ClientIP: "203.0.113.1"})
			require.NoError(t, err)
			require.NotNil(t, res.Session)
			cities, err = e.m.UsualCities(t.Context(), aliceID)
			require.NoError(t, err)
			require.Len(t, cities, 1)
			assert.Equal(t, "Hangzhou", cities[0].City)
		})
	}
}
