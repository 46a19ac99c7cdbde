package proof

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestValid(t *testing.T) {
	now := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	p := Mint("100012345678", "session:abc", "bind_mfa", now.Add(time.Minute))
	assert.True(t, p.Valid("100012345678", "bind_mfa", now))
	assert.False(t, p.Valid("100012345679", "bind_mfa", now), "another account")
	assert.False(t, p.Valid("100012345678", "unbind_mfa", now), "another operation")
	assert.False(t, p.Valid("100012345678", "bind_mfa", now.Add(time.Minute)), "expired at its end")
	assert.False(t, Proof{}.Valid("", "", now), "the zero proof proves nothing")
	assert.Equal(t, "session:abc", p.Binding())
	assert.Equal(t, "bind_mfa", p.Operation())
	assert.Equal(t, "100012345678", p.Account())
	assert.True(t, now.Add(time.Minute).Equal(p.ExpiresAt()))
}

func TestMintSessionBuildsItsBindingOnDemand(t *testing.T) {
	now := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	p := MintSession("100012345678", "abc", "sign_out_all", now.Add(time.Minute))
	assert.True(t, p.Valid("100012345678", "sign_out_all", now))
	assert.Equal(t, "session:abc", p.Binding())
	assert.Equal(t, Mint("100012345678", "session:abc", "sign_out_all", now.Add(time.Minute)).Binding(), p.Binding())
}
