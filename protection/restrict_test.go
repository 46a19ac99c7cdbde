package protection_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/accountsec/accountsec/account"
	"github.com/accountsec/accountsec/event"
	"github.com/accountsec/accountsec/protection"
	"github.com/accountsec/accountsec/reason"
)

// A cancelling account performs only account-centre and billing
// operations: a host operation is refused with a reason naming the state,
// even with a step-up grant that would serve it, and a login still works.
func TestCancellingAccountIsRestrictedToAccountCentreAndBilling(t *testing.T) {
	t.Parallel()
	cat, err := protection.NewCatalog(
		protection.Operation{Name: "delete_bucket", AlwaysVerify: true},
		protection.Operation{Name: "pay_bill", Billing: true},
	)
	require.NoError(t, err)
	e := newEnv(t, func(c *protection.Config) { c.Catalog = cat })
	s, _ := e.session(t)
	e.stepUp(t, s, "delete_bucket")
	_, err = e.m.Authorize(t.Context(), s, "delete_bucket")
	require.NoError(t, err, "active: the grant serves")

	e.accounts.update(aliceID, func(p *protection.Profile) { p.State = account.StateCancelling })
	_, err = e.m.Authorize(t.Context(), s, "delete_bucket")
	require.ErrorIs(t, err, protection.ErrAccountRestricted)
	var re *reason.Error
	require.ErrorAs(t, err, &re)
	assert.Equal(t, reason.ProtectionAccountRestricted, re.Code)
	assert.Equal(t, "cancelling", re.Params["state"])
	assert.Equal(t, "delete_bucket", re.Params["operation"])
	assert.Contains(t, reason.Message(re.Code, reason.English, re.Params), "cancelling")
	require.Len(t, eventsOf(e, event.OperationRestricted), 1)

	_, err = e.m.Authorize(t.Context(), s, "pay_bill")
	assert.NoError(t, err, "billing stays open")
	_, err = e.m.Authorize(t.Context(), s, protection.OpSignOutAll)
	assert.NoError(t, err, "the account centre stays open (the step-up serves it)")
	_, err = e.m.Authorize(t.Context(), s, protection.OpApplyCancellation)
	assert.NotErrorIs(t, err, protection.ErrAccountRestricted)

	op, ok := cat.Lookup(protection.OpChangePassword)
	require.True(t, ok)
	assert.True(t, op.AccountCentre, "every built-in operation is the account centre's")
	host, _ := cat.Lookup("delete_bucket")
	assert.False(t, host.AllowedWhileCancelling())

	res := e.login(t, "203.0.113.1", "")
	assert.NotNil(t, res.Session, "logins still work")

	e.accounts.update(aliceID, func(p *protection.Profile) { p.State = account.StateActive })
	_, err = e.m.Authorize(t.Context(), s, "delete_bucket")
	assert.NoError(t, err, "active again")
}
