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
	"github.com/accountsec/accountsec/vocab"
)

func TestStepUpLastsThirtyMinutes(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.settings(aliceID, func(s *protection.Settings) { s.OperationProtection = protection.SMS })
	s, token := e.session(t)

	vr := requireVerificationRequired(t, errOf(e.m.Authorize(t.Context(), s, protection.OpViewAPIKey)))
	assert.Equal(t, protection.OpViewAPIKey, vr.Purpose)
	assert.Equal(t, []protection.Method{protection.SMS}, vr.Methods, "operation protection's method first")
	assert.Empty(t, vr.Alternatives, "the configured method is the only one while the account can use it")

	v := e.stepUp(t, s, protection.OpViewAPIKey)
	assert.Equal(t, fakes.Epoch.Add(30*time.Minute), v.ExpiresAt)
	require.NoError(t, errOf(e.m.Authorize(t.Context(), s, protection.OpViewAPIKey)))
	require.NoError(t, errOf(e.m.Authorize(t.Context(), s, protection.OpUnbindMFA)), "a step-up covers every operation of the catalog")

	// Activity does not renew the grant.
	for range 29 {
		e.clock.Advance(time.Minute)
		_, err := e.m.ValidateSession(t.Context(), token)
		require.NoError(t, err)
	}
	e.clock.Advance(59 * time.Second)
	require.NoError(t, errOf(e.m.Authorize(t.Context(), s, protection.OpViewAPIKey)), "valid at 29 min 59 s")
	e.clock.Advance(time.Second)
	requireVerificationRequired(t, errOf(e.m.Authorize(t.Context(), s, protection.OpViewAPIKey)))
	assert.Equal(t, 1, e.events.Count(event.StepUpGranted))
}

func TestStepUpIsBoundToItsSession(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.settings(aliceID, func(s *protection.Settings) { s.OperationProtection = protection.SMS })
	a, _ := e.session(t)
	b, _ := e.session(t)
	e.stepUp(t, a, protection.OpViewAPIKey)
	require.NoError(t, errOf(e.m.Authorize(t.Context(), a, protection.OpViewAPIKey)))
	requireVerificationRequired(t, errOf(e.m.Authorize(t.Context(), b, protection.OpViewAPIKey)))

	// A session of another account with a forged account ID gets nothing.
	forged := a
	forged.AccountID = bobID
	requireVerificationRequired(t, errOf(e.m.Authorize(t.Context(), forged, protection.OpSignOutAll)))
}

func TestEndingASessionEndsItsStepUp(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	s, _ := e.session(t)
	e.stepUp(t, s, protection.OpSignOutAll)
	require.NoError(t, e.m.EndSession(t.Context(), aliceID, s.ID))
	requireVerificationRequired(t, errOf(e.m.Authorize(t.Context(), s, protection.OpSignOutAll)))
}

func TestOperationProtectionNone(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	s, _ := e.session(t)
	require.NoError(t, errOf(e.m.Authorize(t.Context(), s, protection.OpViewAPIKey)), "not AlwaysVerify: allowed")
	requireVerificationRequired(t, errOf(e.m.Authorize(t.Context(), s, protection.OpChangeSecurityPhone)))
	requireVerificationRequired(t, errOf(e.m.Authorize(t.Context(), s, protection.OpChangeLoginProtection))) // changing protection is itself sensitive
	assert.Equal(t, 1, e.events.Count(event.OperationAuthorized))
	assert.Equal(t, 2, e.events.Count(event.VerificationRequired))
}

func TestUnknownOperationIsRefused(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	s, _ := e.session(t)
	err := errOf(e.m.Authorize(t.Context(), s, "delete_bucket"))
	require.ErrorIs(t, err, protection.ErrOperationUnknown)
	require.ErrorIs(t, errOf(e.m.Authorize(t.Context(), protection.Session{}, protection.OpViewAPIKey)), protection.ErrSessionInvalid)
}

func TestHostOperations(t *testing.T) {
	t.Parallel()
	cat, err := protection.NewCatalog(protection.Operation{Name: "delete_bucket"}, protection.Operation{Name: "terminate_instance", AlwaysVerify: true})
	require.NoError(t, err)
	e := newEnv(t, func(c *protection.Config) { c.Catalog = cat })
	require.NoError(t, cat.Register(protection.Operation{Name: "registered_later"}))
	s, _ := e.session(t)

	require.NoError(t, errOf(e.m.Authorize(t.Context(), s, "delete_bucket")))
	requireVerificationRequired(t, errOf(e.m.Authorize(t.Context(), s, "terminate_instance")))
	require.ErrorIs(t, errOf(e.m.Authorize(t.Context(), s, "registered_later")), protection.ErrOperationUnknown, "the Manager keeps its own copy")

	e.settings(aliceID, func(st *protection.Settings) { st.OperationProtection = protection.WeChatScan })
	vr := requireVerificationRequired(t, errOf(e.m.Authorize(t.Context(), s, "delete_bucket")))
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

// errOf drops the proof of an Authorize or Verified call, for tests of the
// decision alone.
func errOf(_ vocab.Proof, err error) error { return err }

func TestAuthorizeMintsAShortProofForTheSessionAndOperation(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	s, _ := e.session(t)

	// Not AlwaysVerify under operation protection none: a proof without a
	// grant, for ProofTTL.
	p, err := e.m.Authorize(t.Context(), s, protection.OpViewAPIKey)
	require.NoError(t, err)
	now := e.clock.Now()
	assert.True(t, p.Valid(aliceID, protection.OpViewAPIKey, now))
	assert.False(t, p.Valid(aliceID, protection.OpSignOutAll, now), "for its operation only")
	assert.False(t, p.Valid(bobID, protection.OpViewAPIKey, now), "for its account only")
	assert.Equal(t, s.Binding(), p.Binding())
	assert.Equal(t, now.Add(protection.ProofTTL), p.ExpiresAt())
	assert.False(t, p.Valid(aliceID, protection.OpViewAPIKey, now.Add(protection.ProofTTL)), "expires after ProofTTL")

	// Refused: the zero proof.
	p, err = e.m.Authorize(t.Context(), s, protection.OpSignOutAll)
	requireVerificationRequired(t, err)
	assert.Equal(t, vocab.Proof{}, p)

	// With a step-up: the proof never outlives the grant.
	v := e.stepUp(t, s, protection.OpSignOutAll)
	e.clock.Set(v.ExpiresAt.Add(-time.Minute))
	p, err = e.m.Authorize(t.Context(), s, protection.OpSignOutAll)
	require.NoError(t, err)
	assert.Equal(t, v.ExpiresAt, p.ExpiresAt(), "capped at the grant's end")
	assert.True(t, p.Valid(aliceID, protection.OpSignOutAll, e.clock.Now()))
}

func TestVerifiedMintsTheProofOfAFlowBinding(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	reset := protection.WithBinding(t.Context(), "reset:r1")
	p, err := e.m.Verified(reset, aliceID, protection.OpResetPassword)
	requireVerificationRequired(t, err)
	assert.Equal(t, vocab.Proof{}, p)

	ch, err := e.m.StartVerification(t.Context(), protection.StartRequest{AccountID: aliceID, Binding: "reset:r1", Purpose: protection.OpResetPassword, Method: protection.SMS})
	require.NoError(t, err)
	_, err = e.m.AnswerVerification(t.Context(), protection.AnswerRequest{AccountID: aliceID, Binding: "reset:r1", Purpose: protection.OpResetPassword, Challenge: ch.ID, Answer: e.outbox.LastCode(alicePhone)})
	require.NoError(t, err)
	p, err = e.m.Verified(reset, aliceID, protection.OpResetPassword)
	require.NoError(t, err)
	assert.True(t, p.Valid(aliceID, protection.OpResetPassword, e.clock.Now()))
	assert.Equal(t, "reset:r1", p.Binding())

	// A host purpose outside the catalog: the proof of that purpose.
	p, err = e.m.Verified(reset, aliceID, "export_data")
	requireVerificationRequired(t, err)
	assert.Equal(t, vocab.Proof{}, p)
}

func TestBuiltinCatalogIsTheVocabulary(t *testing.T) {
	t.Parallel()
	c, err := protection.NewCatalog()
	require.NoError(t, err)
	var names []string
	for _, op := range c.Operations() {
		names = append(names, op.Name)
	}
	assert.ElementsMatch(t, vocab.Operations(), names)
}
