package accountsec_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/accountsec/accountsec/account"
	"github.com/accountsec/accountsec/protection"
	"github.com/accountsec/accountsec/reason"
)

// The operations only the library's own flows prove (the login's hash
// upgrade, the cancellation flow's state change, the recovery's restore)
// can be neither authorised nor verified by a host: no verification may be
// started, answered or looked up for them.
func TestInternalOperationsCannotBeVerifiedByAHost(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	a := w.register("ivy@example.com", "Str0ng!Pass")
	sess := *w.login("ivy@example.com", "Str0ng!Pass").Session
	for _, op := range []string{account.OpUpgradePasswordHash, account.OpSetState, account.OpRecoveryRestore} {
		_, err := w.svc.Protection.StartVerification(w.ctx, protection.StartRequest{
			AccountID: a.ID, Binding: sess.Binding(), Purpose: op, Method: protection.Email,
		})
		assert.Equal(t, reason.InputMalformed, reason.CodeOf(err), "%s: no verification starts", op)
		_, err = w.svc.Protection.VerifiedFor(w.ctx, a.ID, "flow:x", op)
		assert.Equal(t, reason.InputMalformed, reason.CodeOf(err), "%s: no proof is looked up", op)
		_, err = w.svc.Protection.Authorize(w.ctx, sess, op)
		require.Error(t, err, op)
	}
	assert.Empty(t, w.outbox.Messages()[1:], "no code was sent for them")
}
