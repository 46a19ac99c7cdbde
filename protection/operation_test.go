package protection_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/accountsec/accountsec/event"
	"github.com/accountsec/accountsec/fakes"
	"github.com/accountsec/accountsec/protection"
	"github.com/accountsec/accountsec/reason"
)

func TestStepUpLastsThirtyMinutes(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.settings(aliceID, func(s *protection.Settings) { s.OperationProtection = protection.SMS })
	s, token := e.session(t)

	vr := requireVerificationRequired(t, e.m.Authorize(t.Context(), s, protection.OpViewAPIKey))
	assert.Equal(t, protection.OpViewAPIKey, vr.Purpose)
	assert.Equal(t, []protection.Method{protection.SMS}, vr.Methods, "operation protection's method first")
	assert.Equal(t, []protection.Method{protection.MFA, protection.Email, protection.WeChatScan}, vr.Alternatives)

	v := e.stepUp(t, s, protection.OpViewAPIKey)
	assert.Equal(t, fakes.Epoch.Add(30*time.Minute), v.ExpiresAt)
	require.NoError(t, e.m.Authorize(t.Context(), s, protection.OpViewAPIKey))
	require.NoError(t, e.m.Authorize(t.Context(), s, protection.OpUnbindMFA), "a step-up covers every operation of the catalog")

	// Activity does not renew the grant.
	for range 29 {
		e.clock.Advance(time.Minute)
		_, err := e.m.ValidateSession(t.Context(), token)
		require.NoError(t, err)
	}
	e.clock.Advance(59 * time.Second)
	require.NoError(t, e.m.Authorize(t.Context(), s, protection.OpViewAPIKey), "valid at 29 min 59 s")
	e.clock.Advance(time.Second)
	requireVerificationRequired(t, e.m.Authorize(t.Context(), s, protection.OpViewAPIKey))
	assert.Equal(t, 1, e.events.Count(event.StepUpGranted))
}

func TestStepUpIsBoundToItsSession(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.settings(aliceID, func(s *protection.Settings) { s.OperationProtection = protection.MFA })
	a, _ := e.session(t)
	b, _ := e.session(t)
	e.stepUp(t, a, protection.OpViewAPIKey)
	require.NoError(t, e.m.Authorize(t.Context(), a, protection.OpViewAPIKey))
	requireVerificationRequired(t, e.m.Authorize(t.Context(), b, protection.OpViewAPIKey))

	// A session of another account with a forged account ID gets nothing.
	forged := a
	forged.AccountID = bobID
	requireVerificationRequired(t, e.m.Authorize(t.Context(), forged, protection.OpSignOutAll))
}

func TestEndingASessionEndsItsStepUp(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	s, _ := e.session(t)
	e.stepUp(t, s, protection.OpSignOutAll)
	require.NoError(t, e.m.EndSession(t.Context(), aliceID, s.ID))
	requireVerificationRequired(t, e.m.Authorize(t.Context(), s, protection.OpSignOutAll))
}

func TestOperationProtectionNone(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	s, _ := e.session(t)
	require.NoError(t, e.m.Authorize(t.Context(), s, protection.OpViewAPIKey), "not AlwaysVerify: allowed")
	requireVerificationRequired(t, e.m.Authorize(t.Context(), s, protection.OpChangeSecurityPhone))
	requireVerificationRequired(t, e.m.Authorize(t.Context(), s, protection.OpChangeLoginProtection)) // changing protection is itself sensitive
	assert.Equal(t, 1, e.events.Count(event.OperationAuthorized))
	assert.Equal(t, 2, e.events.Count(event.VerificationRequired))
}

func TestUnknownOperationIsRefused(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	s, _ := e.session(t)
	err := e.m.Authorize(t.Context(), s, "delete_bucket")
	require.ErrorIs(t, err, protection.ErrOperationUnknown)
	require.ErrorIs(t, e.m.Authorize(t.Context(), protection.Session{}, protection.OpViewAPIKey), protection.ErrSessionInvalid)
}

func TestHostOperations(t *testing.T) {
	t.Parallel()
	cat, err := protection.NewCatalog(protection.Operation{Name: "delete_bucket"}, protection.Operation{Name: "terminate_instance", AlwaysVerify: true})
	require.NoError(t, err)
	e := newEnv(t, func(c *protection.Config) { c.Catalog = cat })
	require.NoError(t, cat.Register(protection.Operation{Name: "registered_later"}))
	s, _ := e.session(t)

	require.NoError(t, e.m.Authorize(t.Context(), s, "delete_bucket"))
	requireVerificationRequired(t, e.m.Authorize(t.Context(), s, "terminate_instance"))
	require.ErrorIs(t, e.m.Authorize(t.Context(), s, "registered_later"), protection.ErrOperationUnknown, "the Manager keeps its own copy")

	e.settings(aliceID, func(st *protection.Settings) { st.OperationProtection = protection.WeChatScan })
	vr := requireVerificationRequired(t, e.m.Authorize(t.Context(), s, "delete_bucket"))
	assert.Equal(t, []protection.Method{protection.WeChatScan}, vr.Methods)
}

func TestCatalog(t *testing.T) {
	t.Parallel()
	cat, err := protection.NewCatalog()
	require.NoError(t, err)
	for _, name := range []string{
		protection.OpBindMFA, protection.OpUnbindMFA, protection.OpBindLoginMethod, protection.OpUnbindLoginMethod,
		protection.OpViewAPIKey, protection.OpChangeLoginProtection, protection.OpChangeOperationProtection,
		protection.OpApplyCancellation, protection.OpSignOutAll, protection.OpChangeSecurityPhone,
		protection.OpChangeSecurityEmail, protection.OpChangePassword, protection.OpChangeRemoteLogin,
		protection.OpResetPassword, protection.OpChangeProtection, protection.OpChangeLoginEmail,
	} {
		_, ok := cat.Lookup(name)
		assert.True(t, ok, name)
	}
	err = cat.Register(protection.Operation{Name: protection.OpSignOutAll})
	require.ErrorIs(t, err, protection.ErrOperationExists)
	err = cat.Register(protection.Operation{Name: "a"}, protection.Operation{Name: "a"})
	require.ErrorIs(t, err, protection.ErrOperationExists)
	for _, bad := range []string{"", "Delete", "delete bucket", "删除", string(make([]byte, 65))} {
		require.ErrorIs(t, cat.Register(protection.Operation{Name: bad}), reason.New(reason.InputMalformed), "%q", bad)
	}
	_, ok := cat.Lookup("a")
	assert.False(t, ok, "a refused Register adds nothing")
	ops := cat.Operations()
	for i := 1; i < len(ops); i++ {
		assert.Less(t, ops[i-1].Name, ops[i].Name)
	}
}
