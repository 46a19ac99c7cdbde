package password

import (
	_ "embed"
	"strings"
	"sync"
)

// blocklistText is a list of common passwords, one a line, gathered from
// the most frequent entries of public breach corpora (including the ones
// common in China), from long keyboard and repetition patterns that pass a
// 15-character minimum, and, in a generated section, from the patterns of
// the passwords that pass the console composition rules ("Admin@123",
// "P@ssw0rd", "Aa123456."). Lines starting with # are comments. The file
// is committed data, read once; the generated section is rewritten by
// go generate (see blocklist_gen_test.go), never at run time.
//
//go:generate go test -run ^TestComposedBlocklistIsGenerated$ -update-blocklist .
//go:embed blocklist.txt
var blocklistText string

// blocklist is the parsed list, lower-cased. It is built once and only read
// afterwards.
var blocklist = sync.OnceValue(func() map[string]struct{} {
	set := make(map[string]struct{}, 8192)
	for line := range strings.Lines(blocklistText) {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		set[strings.ToLower(line)] = struct{}{}
	}
	return set
})

// isCommon reports whether pw, ignoring case, is on the blocklist.
func isCommon(pw string) bool {
	_, ok := blocklist()[strings.ToLower(pw)]
	return ok
}
