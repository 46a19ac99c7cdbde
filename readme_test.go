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
	first := strings.Index(head, "go run ./examples/console")
	second := strings.Index(head, "make test")
	require.GreaterOrEqual(t, first, 0, "the first command runs the main example")
	assert.Greater(t, second, first, "the second runs the tests")
	for _, main := range []string{"examples/console/main.go", "examples/quickstart/main.go"} {
		_, err = os.Stat(main)
		require.NoError(t, err)
	}
	mk, err := os.ReadFile("Makefile")
	require.NoError(t, err)
	assert.True(t, strings.Contains(string(mk), "\ntest:"), "make test exists")
}
