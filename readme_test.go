package accountsec_test

import (
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The README opens with the two commands a newcomer needs, and both exist.
func TestReadmeStartsWithTheTwoCommands(t *testing.T) {
	t.Parallel()
	b, err := os.ReadFile("README.md")
	require.NoError(t, err)
	require.Less(t, len(b), 64<<10, "the README is a page, not a book")
	head := string(b[:min(len(b), 300)])
	assert.Contains(t, head, "go run ./examples/quickstart")
	assert.Contains(t, head, "make test")
	_, err = os.Stat("examples/quickstart/main.go")
	require.NoError(t, err)
	mk, err := os.ReadFile("Makefile")
	require.NoError(t, err)
	assert.True(t, strings.Contains(string(mk), "\ntest:"), "make test exists")
}
