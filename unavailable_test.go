package accountsec_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/accountsec/accountsec"
	"github.com/accountsec/accountsec/account/password"
	"github.com/accountsec/accountsec/lifecycle"
	"github.com/accountsec/accountsec/protection"
	"github.com/accountsec/accountsec/reason"
	"github.com/accountsec/accountsec/recovery"
)

// A feature whose dependency the host did not supply answers
// feature.unavailable, naming the dependency, instead of panicking on a nil
// service.
func TestFeaturesWithoutTheirDependencyReportThemselvesUnavailable(t *testing.T) {
	t.Parallel()
	svc, err := accountsec.New(
		accountsec.Config{Secret: secret, Hashing: password.HasherConfig{Params: password.InsecureTestParams()}},
		accountsec.Deps{},
	)
	require.NoError(t, err)
	ctx := context.Background()
	checks := map[string]error{
		"reset request":   svc.Resets.Request(ctx, "a@example.com", ""),
		"reset complete":  second(svc.Resets.Complete(ctx, recovery.Completion{Token: "x"})),
		"find by phone":   second(svc.Find.FindByPhone(ctx, "+8613800138000", "")),
		"find start":      second(svc.Find.Start(ctx, recovery.Way("account_id"), "100012345678", "")),
		"cancellation":    second(svc.Cancellation.Check(ctx, "100012345678")),
		"sub-users":       second(svc.SubUsers.Apply(ctx, "token", "member")),
		"apply to cancel": second(svc.ApplyCancellation(ctx, protection.Session{ID: "s", AccountID: "100012345678"}, lifecycle.Application{})),
	}
	for name, err := range checks {
		assert.Equal(t, reason.FeatureUnavailable, reason.CodeOf(err), name)
	}
	var re *reason.Error
	require.ErrorAs(t, checks["reset request"], &re)
	assert.Contains(t, checks["reset request"].Error(), "accountsec.Deps.Email")
}

func second[T any](_ T, err error) error { return err }
