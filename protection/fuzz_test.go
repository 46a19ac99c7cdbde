package protection_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/accountsec/accountsec/protection"
)

// FuzzValidateSession feeds arbitrary tokens to session validation: nothing
// but a token the Manager issued is ever valid, and nothing panics.
func FuzzValidateSession(f *testing.F) {
	e := newEnv(f)
	_, token := e.session(f)
	n := len(token)
	for _, seed := range []string{"", "x", token[:n-1], token + "A", "\x00", "ยินดี", token[:n-1] + "B", token[17:], token[:16] + "!" + token[17:]} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := e.m.ValidateSession(t.Context(), s)
		if s == token {
			require.NoError(t, err)
			return
		}
		require.ErrorIs(t, err, protection.ErrSessionInvalid)
		require.Empty(t, got.ID)
	})
}
