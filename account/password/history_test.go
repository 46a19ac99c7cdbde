package password

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/crypto/bcrypt"
)

func TestPushHistory(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		previous []string
		n        int
		want     []string
	}{
		{"first password", nil, 3, []string{"new"}},
		{"second", []string{"h1"}, 3, []string{"new", "h1"}},
		{"full", []string{"h2", "h1"}, 3, []string{"new", "h2", "h1"}},
		{"oldest dropped", []string{"h3", "h2", "h1"}, 3, []string{"new", "h3", "h2"}},
		{"longer than n", []string{"h5", "h4", "h3", "h2", "h1"}, 3, []string{"new", "h5", "h4"}},
		{"n 1 keeps only the current", []string{"h1"}, 1, []string{"new"}},
		{"n 0 keeps nothing", []string{"h1"}, 0, nil},
		{"negative n keeps nothing", []string{"h1"}, -1, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			before := append([]string(nil), tt.previous...)
			got := PushHistory(tt.previous, "new", tt.n)
			assert.Equal(t, tt.want, got)
			assert.Equal(t, before, tt.previous, "previous is not modified")
			if len(got) > 1 {
				got[1] = "changed"
				assert.Equal(t, before, tt.previous, "the result does not alias previous")
			}
		})
	}
}

func TestInHistory(t *testing.T) {
	t.Parallel()
	h := newTestHasher(t, HasherConfig{})
	var history []string
	for _, pw := range []string{"Oldest1!", "Older1!x", "Current1!"} {
		encoded, err := h.Hash(t.Context(), pw)
		require.NoError(t, err)
		history = PushHistory(history, encoded, 3)
	}
	require.Len(t, history, 3)
	bc, err := bcrypt.GenerateFromPassword([]byte("Legacy1!"), bcrypt.MinCost)
	require.NoError(t, err)

	tests := []struct {
		name     string
		pw       string
		previous []string
		n        int
		want     bool
		calls    int // argon2id derivations
	}{
		{"current", "Current1!", history, 3, true, 1},
		{"older", "Older1!x", history, 3, true, 2},
		{"oldest", "Oldest1!", history, 3, true, 3},
		{"new", "Brand1!new", history, 3, false, 3},
		{"outside n", "Oldest1!", history, 2, false, 2},
		{"n larger than history", "Brand1!new", history, 10, false, 3},
		{"n zero", "Current1!", history, 0, false, 0},
		{"no history", "Current1!", nil, 3, false, 0},
		{"bcrypt entry", "Legacy1!", []string{history[0], string(bc)}, 3, true, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := newTestHasher(t, HasherConfig{})
			rec := record(h)
			got, err := h.InHistory(t.Context(), tt.pw, tt.previous, tt.n)
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
			assert.Len(t, rec.take(), tt.calls, "stops at the first match, checks at most n")
		})
	}

	t.Run("malformed entry is an error", func(t *testing.T) {
		t.Parallel()
		_, err := h.InHistory(t.Context(), "Brand1!new", []string{history[0], "garbage"}, 3)
		require.ErrorIs(t, err, ErrHashMalformed)
	})
}
