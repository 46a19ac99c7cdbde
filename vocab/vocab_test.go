package vocab

import (
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/accountsec/accountsec/internal/proof"
	"github.com/accountsec/accountsec/reason"
)

func TestRequireRefusesEveryProofButTheRightOne(t *testing.T) {
	now := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	good := proof.Mint("acc", "session:s", OpUnbindMFA, now.Add(time.Minute))
	require.NoError(t, Require(good, "acc", OpUnbindMFA, now))
	for name, p := range map[string]Proof{
		"zero":      {},
		"other op":  proof.Mint("acc", "session:s", OpBindMFA, now.Add(time.Minute)),
		"other acc": proof.Mint("other", "session:s", OpUnbindMFA, now.Add(time.Minute)),
		"expired":   proof.Mint("acc", "session:s", OpUnbindMFA, now),
	} {
		err := Require(p, "acc", OpUnbindMFA, now)
		var vr *VerificationRequiredError
		require.True(t, errors.As(err, &vr), name)
		assert.Equal(t, OpUnbindMFA, vr.Purpose, name)
		assert.ErrorIs(t, err, ErrVerificationRequired, name)
		assert.Equal(t, reason.ProtectionVerificationRequired, reason.CodeOf(err), name)
	}
	// The zero account is never proven, even by a zero proof.
	assert.Error(t, Require(Proof{}, "", "", now))
}

func TestVerificationRequiredErrorMessage(t *testing.T) {
	err := &VerificationRequiredError{Purpose: OpSignOutAll}
	assert.Contains(t, err.Error(), OpSignOutAll)
}

func TestMethods(t *testing.T) {
	for _, m := range VerifyMethods() {
		assert.True(t, m.Valid(), m)
		assert.Equal(t, string(m), m.String())
	}
	assert.False(t, VerifyNone.Valid())
	assert.True(t, VerifyNone.AllowedForProtection())
	assert.False(t, VerifyEmail.AllowedForProtection())
	assert.False(t, VerifyFace.AllowedForProtection())
	for _, m := range LoginMethods() {
		assert.True(t, m.Valid(), m)
		assert.Equal(t, string(m), m.String())
	}
	assert.False(t, LoginMethod("sms").Valid())
	assert.Len(t, Operations(), 18)
}
