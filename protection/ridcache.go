package protection

import (
	"crypto/sha256"
	"encoding/binary"
	"sync/atomic"
)

// ridEntry is one remembered session record ID and the hash it is made of.
type ridEntry struct {
	sum [sha256.Size]byte
	rid string
}

// rids remembers the record IDs ("s/" + session ID) of recently validated
// session tokens by their hash, so that ValidateSession, which runs on every
// request, allocates nothing for a session seen a moment ago. It holds only
// hashes and session IDs (which are safe to show), never a token, in a
// fixed number of slots: its size never grows.
var rids [1024]atomic.Pointer[ridEntry]

// sessionRID returns "s/" + base64url(sum).
func sessionRID(sum *[sha256.Size]byte) string {
	slot := &rids[binary.LittleEndian.Uint64(sum[:8])%uint64(len(rids))]
	if e := slot.Load(); e != nil && e.sum == *sum {
		return e.rid
	}
	var id [len(sessionIDPrefix) + hashLen]byte
	copy(id[:], sessionIDPrefix)
	encodeSum(id[len(sessionIDPrefix):], sum)
	rid := string(id[:])
	slot.Store(&ridEntry{sum: *sum, rid: rid})
	return rid
}
