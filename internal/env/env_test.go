package env

import (
	"bytes"
	"crypto/rand"
	"io"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/accountsec/accountsec/reason"
)

func TestClock(t *testing.T) {
	fixed := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	assert.Equal(t, fixed, Clock(func() time.Time { return fixed })())
	assert.WithinDuration(t, time.Now(), Clock(nil)(), time.Minute)
}

func TestRandWrapsOnce(t *testing.T) {
	assert.Equal(t, rand.Reader, Rand(nil))
	assert.Equal(t, rand.Reader, Rand(rand.Reader), "crypto/rand is safe for concurrent use")
	host := bytes.NewReader(make([]byte, 1<<16))
	once := Rand(host)
	assert.NotSame(t, host, once)
	assert.Same(t, once, Rand(once), "a reader Rand made is not wrapped again")
}

// unsafeReader fails the test when two reads overlap.
type unsafeReader struct {
	t    *testing.T
	busy bool
}

func (u *unsafeReader) Read(p []byte) (int, error) {
	if u.busy {
		u.t.Error("concurrent read")
	}
	u.busy = true
	for i := range p {
		p[i] = byte(i)
	}
	u.busy = false
	return len(p), nil
}

func TestRandSerialisesReads(t *testing.T) {
	r := Rand(&unsafeReader{t: t})
	var wg sync.WaitGroup
	for range 16 {
		wg.Go(func() {
			b := make([]byte, 64)
			for range 200 {
				_, err := io.ReadFull(r, b)
				require.NoError(t, err)
			}
		})
	}
	wg.Wait()
}

func TestMissing(t *testing.T) {
	err := Missing("protection.Config.Store", "a protection.Store")
	assert.Equal(t, reason.PolicyInvalid, reason.CodeOf(err))
	assert.Contains(t, err.Error(), "protection.Config.Store")
}
