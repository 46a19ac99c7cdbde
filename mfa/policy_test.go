package mfa_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/accountsec/accountsec/mfa"
	"github.com/accountsec/accountsec/reason"
)

func TestZeroSkewIsTheDefaultOneStep(t *testing.T) {
	t.Parallel()
	var zero mfa.Policy
	assert.Equal(t, 1, zero.SkewSteps(), "an unresolved zero Skew reads as the default too")
	r, err := zero.Resolve()
	require.NoError(t, err)
	assert.Equal(t, 1, r.Skew)
	assert.False(t, r.NoSkew)
	assert.Equal(t, 1, r.SkewSteps())
	for _, n := range []int{1, 2, 3} {
		r, err := mfa.Policy{Skew: n}.Resolve()
		require.NoError(t, err)
		assert.Equal(t, n, r.SkewSteps())
	}
}

func TestNoSkewAcceptsTheCurrentStepOnly(t *testing.T) {
	t.Parallel()
	p := mfa.Policy{NoSkew: true}
	assert.Equal(t, 0, p.SkewSteps(), "unresolved")
	r, err := p.Resolve()
	require.NoError(t, err)
	assert.Equal(t, 0, r.SkewSteps())
	assert.Zero(t, r.Skew, "NoSkew is not filled with the default")
	again, err := r.Resolve()
	require.NoError(t, err)
	assert.Equal(t, r, again, "resolving twice changes nothing")
}

func TestSkewAndNoSkewTogetherAreRefused(t *testing.T) {
	t.Parallel()
	_, err := mfa.Policy{Skew: 2, NoSkew: true}.Resolve()
	require.ErrorIs(t, err, reason.New(reason.PolicyInvalid))
	var re *reason.Error
	require.ErrorAs(t, err, &re)
	assert.Equal(t, "mfa.Policy.Skew", re.Params["field"])
	assert.Equal(t, "2", re.Params["value"])
	assert.Equal(t, "0 when NoSkew is set", re.Params["allowed"])
}

func TestNegativeSkewIsRefused(t *testing.T) {
	t.Parallel()
	// -1 was once the spelling of "no skew"; it is now an error, not a
	// silent change of meaning.
	_, err := mfa.Policy{Skew: -1}.Resolve()
	require.ErrorIs(t, err, reason.New(reason.PolicyInvalid))
	var re *reason.Error
	require.ErrorAs(t, err, &re)
	assert.Equal(t, "mfa.Policy.Skew", re.Params["field"])
	assert.Equal(t, "-1", re.Params["value"])
	assert.Equal(t, "0..3", re.Params["allowed"])
}
