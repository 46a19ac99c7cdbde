package account_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/accountsec/accountsec/account"
	"github.com/accountsec/accountsec/reason"
)

// TestNicknameRefusesBidiZeroWidthAndFormatCharacters checks the service
// path: a refused nickname is reason-coded and writes nothing.
func TestNicknameRefusesBidiZeroWidthAndFormatCharacters(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	a := e.register(t, account.MethodQQ, "q-nick")
	ctx := context.Background()
	_, err := e.svc.UpdateProfile(ctx, a.ID, account.ProfileChange{Nickname: ptr("小明")})
	require.NoError(t, err)
	writes := e.store.writes.Load()
	for _, nick := range []string{"admin\u202Enimda", "\u200B", "小\u200B明", "\uFEFF小明", "小明\u2066", "\u3164", "a\u00ADb", "a\x00b"} {
		_, err := e.svc.UpdateProfile(ctx, a.ID, account.ProfileChange{Nickname: ptr(nick)})
		requireCode(t, err, reason.InputMalformed)
		_, err = e.svc.Register(ctx, account.Registration{Method: account.MethodQQ, Identifier: "q-other", Nickname: nick})
		requireCode(t, err, reason.InputMalformed)
	}
	assert.Equal(t, writes, e.store.writes.Load(), "no refused change was written")
	got, err := e.svc.Account(ctx, a.ID)
	require.NoError(t, err)
	assert.Equal(t, "小明", got.Nickname)
}
