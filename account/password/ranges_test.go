package password

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestInRangeAgreesWithCheck holds the fast range test of stored
// parameters to the validator's answer, at and around every bound.
func TestInRangeAgreesWithCheck(t *testing.T) {
	t.Parallel()
	memories := []uint32{0, 7, 8, 9, 16, 511, 512, 513, 19456, 4194303, 4194304, 4194305}
	times := []uint32{0, 1, 2, 99, 100, 101}
	threads := []uint8{0, 1, 2, 63, 64, 65, 255}
	lens := []uint32{0, 7, 8, 15, 16, 32, 63, 64, 65}
	n := 0
	for _, m := range memories {
		for _, ti := range times {
			for _, th := range threads {
				for _, l := range lens {
					p := Params{Memory: m, Time: ti, Threads: th, SaltLen: l, KeyLen: l}
					if !assert.Equal(t, p.check("p") == nil, p.inRange(), "%+v", p) {
						return
					}
					q := Params{Memory: m, Time: ti, Threads: th, SaltLen: 16, KeyLen: l}
					assert.Equal(t, q.check("p") == nil, q.inRange(), "%+v", q)
					n += 2
				}
			}
		}
	}
	assert.Equal(t, 2*len(memories)*len(times)*len(threads)*len(lens), n, "every combination compared")
}
