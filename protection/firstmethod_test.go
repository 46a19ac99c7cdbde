package protection_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/accountsec/accountsec/event"
	"github.com/accountsec/accountsec/protection"
)

// carolID registered by QQ and has no verification method at all.
const carolID = "100000000003"

func carolSession(t *testing.T, e *env) protection.Session {
	t.Helper()
	e.accounts.update(carolID, func(*protection.Profile) {})
	res, err := e.m.LoginWith(t.Context(), protection.ThirdPartyLogin{AccountID: carolID, Method: "qq"})
	require.NoError(t, err)
	require.NotNil(t, res.Session)
	return *res.Session
}

var firstMethodOps = []string{
	protection.OpBindMFA, protection.OpChangeSecurityPhone, protection.OpChangeSecurityEmail, protection.OpBindLoginMethod,
}

func TestAFreshLoginAddsTheFirstVerificationMethod(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	s := carolSession(t, e)
	e.clock.Advance(9 * time.Minute)
	for _, op := range firstMethodOps {
		p, err := e.m.Authorize(t.Context(), s, op)
		require.NoError(t, err, op)
		assert.True(t, p.Valid(carolID, op, e.clock.Now()), op)
		assert.False(t, p.Valid(carolID, op, s.CreatedAt.Add(10*time.Minute)), "never beyond the window")
	}
	var via []string
	for _, ev := range eventsOf(e, event.OperationAuthorized) {
		via = append(via, ev.Attrs["via"])
	}
	assert.Equal(t, []string{"first_method", "first_method", "first_method", "first_method"}, via)

	// Nothing else.
	for _, op := range []string{protection.OpSignOutAll, protection.OpUnbindLoginMethod, protection.OpChangeLoginProtection, protection.OpApplyCancellation} {
		_, err := e.m.Authorize(t.Context(), s, op)
		require.ErrorIs(t, err, protection.ErrNoMethod, op)
	}

	// Only within the window from the login.
	e.clock.Advance(time.Minute)
	_, err := e.m.Authorize(t.Context(), s, protection.OpBindMFA)
	require.ErrorIs(t, err, protection.ErrNoMethod)
}

func TestTheFirstMethodRuleReadsTheSessionFromTheStore(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	s := carolSession(t, e)
	e.clock.Advance(time.Hour)
	forged := s
	forged.CreatedAt = e.clock.Now()
	_, err := e.m.Authorize(t.Context(), forged, protection.OpBindMFA)
	require.ErrorIs(t, err, protection.ErrNoMethod, "the login time the caller gives is not believed")

	fresh := carolSession(t, e)
	require.NoError(t, e.m.EndSession(t.Context(), carolID, fresh.ID))
	_, err = e.m.Authorize(t.Context(), fresh, protection.OpBindMFA)
	require.ErrorIs(t, err, protection.ErrNoMethod, "an ended session gets nothing")
}

func TestAnAccountWithAMethodMustVerifyToAddAnother(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.accounts.update(carolID, func(p *protection.Profile) { p.SecurityEmail = "carol@example.com" })
	res, err := e.m.LoginWith(t.Context(), protection.ThirdPartyLogin{AccountID: carolID, Method: "qq"})
	require.NoError(t, err)
	s := *res.Session
	for _, op := range firstMethodOps {
		requireVerificationRequired(t, authErr(e.m.Authorize(t.Context(), s, op)))
	}

	// A method the host wired no verifier for is no method: the rule holds.
	e.accounts.update(carolID, func(p *protection.Profile) { p.SecurityEmail, p.HasFace = "", true })
	e.with(t, func(c *protection.Config) { c.Face = nil })
	_, err = e.m.Authorize(t.Context(), s, protection.OpBindMFA)
	require.NoError(t, err)
}

func TestFirstMethodWindowIsAPolicy(t *testing.T) {
	t.Parallel()
	e := newEnv(t, func(c *protection.Config) { c.Policy.FirstMethodWindow = 2 * time.Minute })
	assert.Equal(t, 2*time.Minute, e.m.Policy().FirstMethodWindow)
	s := carolSession(t, e)
	e.clock.Advance(2 * time.Minute)
	_, err := e.m.Authorize(t.Context(), s, protection.OpBindMFA)
	require.ErrorIs(t, err, protection.ErrNoMethod)
	assert.Equal(t, 10*time.Minute, protection.DefaultPolicy().FirstMethodWindow)

	_, err = protection.New(protection.Config{Store: e.store, Accounts: e.accounts, Limiter: e.limiter, Secret: secret, Policy: protection.Policy{FirstMethodWindow: time.Hour}})
	require.Error(t, err, "at most 30 minutes")
}
