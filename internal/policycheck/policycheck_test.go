package policycheck_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/accountsec/accountsec/internal/policycheck"
	"github.com/accountsec/accountsec/reason"
)

type inner struct {
	Window time.Duration `validate:"min=1m,max=720h"`
}

type policy struct {
	Count int    `validate:"min=1,max=10"`
	Mode  string `validate:"omitempty,oneof=a b"`
	Inner inner
}

func TestEveryBadFieldIsNamedWithValueAndWholeRange(t *testing.T) {
	t.Parallel()
	err := policycheck.Check("pkg.Policy", policy{Count: 11, Mode: "c", Inner: inner{Window: time.Second}})
	var list reason.List
	require.ErrorAs(t, err, &list)
	require.Len(t, list, 3)
	got := map[string][2]any{}
	for _, e := range list {
		assert.Equal(t, reason.PolicyInvalid, e.Code)
		got[e.Params["field"].(string)] = [2]any{e.Params["value"], e.Params["allowed"]}
	}
	assert.Equal(t, [2]any{"11", "1..10"}, got["pkg.Policy.Count"])
	assert.Equal(t, [2]any{"c", "one of a b"}, got["pkg.Policy.Mode"])
	assert.Equal(t, [2]any{"1s", "1m..720h"}, got["pkg.Policy.Inner.Window"])
}

func TestValidPolicyPasses(t *testing.T) {
	t.Parallel()
	require.NoError(t, policycheck.Check("pkg.Policy", policy{Count: 1, Inner: inner{Window: time.Hour}}))
	require.NoError(t, policycheck.Check("pkg.Policy", &policy{Count: 10, Mode: "b", Inner: inner{Window: 720 * time.Hour}}))
}
