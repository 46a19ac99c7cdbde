package mfa

import (
	"encoding/hex"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/accountsec/accountsec/state"
)

// storedAccountDoc is an account's MFA document in the form this version
// stores it (a pending virtual device, an active hardware device and two
// backup-code hashes): the form of the documents a store already holds,
// which every later version must keep reading.
const storedAccountDoc = "0101056465762d70077669727475616c00065348413235361080e0ba84bf03026b31030102030000aea5e79a8467000001056465762d6108686172647761726505534e31323304534841310c80b09dc2df01026b320204050101aea5e79a8467eeceee9a8467f694a2380402aabb01cc"

// TestAccountDocStoredForm: the document above decodes to its devices and
// codes, and encoding them again gives the same bytes. A change of the
// stored form fails it; such a change needs a new format version that
// still reads this one.
func TestAccountDocStoredForm(t *testing.T) {
	at := time.Date(2026, 2, 3, 4, 5, 6, 7_000_000, time.UTC)
	want := accountDoc{
		id: "doc", accountID: "acct", version: 3,
		pending: &deviceRecord{ID: "dev-p", AccountID: "acct", Kind: Virtual, Algorithm: SHA256, Digits: 8, Period: 60 * time.Second,
			Secret: Sealed{KeyID: "k1", Ciphertext: []byte{1, 2, 3}}, CreatedAt: at},
		active: &deviceRecord{ID: "dev-a", AccountID: "acct", Kind: Hardware, Serial: "SN123", Algorithm: SHA1, Digits: 6, Period: 30 * time.Second,
			Secret: Sealed{KeyID: "k2", Ciphertext: []byte{4, 5}}, Usage: Usage{Login: true, Operation: true},
			CreatedAt: at, ActivatedAt: at.Add(time.Minute), LastStep: 59_000_123},
		codes: [][]byte{{0xaa, 0xbb}, {0xcc}},
	}
	stored, err := hex.DecodeString(storedAccountDoc)
	require.NoError(t, err)

	var m Manager
	got, err := m.decodeAccount("doc", "acct", state.Document{ID: "doc", Version: 3, Data: stored})
	require.NoError(t, err)
	assert.Equal(t, want, got)
	assert.Equal(t, storedAccountDoc, hex.EncodeToString(want.encode()), "encoded in the stored form")
}
