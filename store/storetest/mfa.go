package storetest

import (
	"context"
	"slices"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/accountsec/accountsec/mfa"
)

// mfaTest is one subtest of RunMFAStore.
type mfaTest struct {
	name string
	run  func(t *testing.T, s mfa.Store, k keyspace)
}

// RunMFAStore runs the conformance suite for [mfa.Store] against the stores
// that newStore returns, one per subtest.
func RunMFAStore(t *testing.T, newStore func(t *testing.T) mfa.Store) {
	t.Helper()
	tests := []mfaTest{
		{"PendingRoundTrip", testMFAPendingRoundTrip},
		{"PendingAbsent", testMFAPendingAbsent},
		{"PendingReplaced", testMFAPendingReplaced},
		{"ActivateMovesPending", testMFAActivateMovesPending},
		{"ActivateKeepsOtherPending", testMFAActivateKeepsOtherPending},
		{"ActivateRefusedWhenActive", testMFAActivateRefusedWhenActive},
		{"AdvanceOnlyForward", testMFAAdvanceOnlyForward},
		{"AdvanceChecksDevice", testMFAAdvanceChecksDevice},
		{"DeleteDevice", testMFADeleteDevice},
		{"DeleteDeviceKeepsTheRest", testMFADeleteDeviceKeepsTheRest},
		{"DeviceRecordsAreCopied", testMFADeviceRecordsAreCopied},
		{"AccountsAreIndependent", testMFAAccountsIndependent},
		{"ImportToken", testMFAImportToken},
		{"ClaimAndReleaseToken", testMFAClaimAndReleaseToken},
		{"TokenRecordsAreCopied", testMFATokenRecordsAreCopied},
		{"BackupCodes", testMFABackupCodes},
		{"BackupCodesReplaced", testMFABackupCodesReplaced},
		{"BackupHashOfOtherLength", testMFABackupHashOfOtherLength},
		{"BackupCodesAbsent", testMFABackupCodesAbsent},
		{"BackupCodesAreCopied", testMFABackupCodesAreCopied},
		{"ConcurrentAdvanceSameStep", testMFAConcurrentAdvanceSameStep},
		{"ConcurrentAdvanceManySteps", testMFAConcurrentAdvanceManySteps},
		{"ConcurrentActivate", testMFAConcurrentActivate},
		{"ConcurrentClaimToken", testMFAConcurrentClaimToken},
		{"ConcurrentConsumeBackupCode", testMFAConcurrentConsumeBackupCode},
		{"CancelledContext", testMFACancelledContext},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := newStore(t)
			require.NotNil(t, s, "newStore returned nil")
			tc.run(t, s, newKeys())
		})
	}
}

// device returns a virtual device record of account with the given ID,
// created at base, pending (LastStep -1).
func mfaDevice(account, id string) mfa.DeviceRecord {
	return mfa.DeviceRecord{
		ID: id, AccountID: account, Kind: mfa.Virtual,
		Algorithm: mfa.SHA1, Digits: 6, Period: 30 * time.Second,
		Secret:    mfa.Sealed{KeyID: "k1", Ciphertext: hashOf("secret of " + id)},
		CreatedAt: at(0), LastStep: -1,
	}
}

// active returns d as activated at base+1m with the given last step.
func mfaActive(d mfa.DeviceRecord, lastStep int64) mfa.DeviceRecord {
	d.Usage = mfa.Usage{Login: true, Operation: true}
	d.ActivatedAt = at(time.Minute)
	d.LastStep = lastStep
	return d
}

// requireDevice fails the test unless got equals want (times by Equal).
func mfaRequireDevice(t *testing.T, want, got mfa.DeviceRecord) {
	t.Helper()
	require.True(t, want.CreatedAt.Equal(got.CreatedAt), "CreatedAt: want %s, got %s", want.CreatedAt, got.CreatedAt)
	require.True(t, want.ActivatedAt.Equal(got.ActivatedAt), "ActivatedAt: want %s, got %s", want.ActivatedAt, got.ActivatedAt)
	require.Equal(t, want.Secret.Ciphertext, got.Secret.Ciphertext, "Secret.Ciphertext")
	want.CreatedAt, got.CreatedAt = time.Time{}, time.Time{}
	want.ActivatedAt, got.ActivatedAt = time.Time{}, time.Time{}
	want.Secret.Ciphertext, got.Secret.Ciphertext = nil, nil
	require.Equal(t, want, got)
}

func mfaGetDevice(t *testing.T, s mfa.Store, account string) (mfa.DeviceRecord, bool) {
	t.Helper()
	d, found, err := s.Device(t.Context(), account)
	require.NoError(t, err)
	return d, found
}

func mfaGetPending(t *testing.T, s mfa.Store, account string) (mfa.DeviceRecord, bool) {
	t.Helper()
	d, found, err := s.PendingDevice(t.Context(), account)
	require.NoError(t, err)
	return d, found
}

func mfaPutPending(t *testing.T, s mfa.Store, d mfa.DeviceRecord) {
	t.Helper()
	require.NoError(t, s.PutPendingDevice(t.Context(), d))
}

func mfaActivate(t *testing.T, s mfa.Store, d mfa.DeviceRecord, want bool) {
	t.Helper()
	ok, err := s.ActivateDevice(t.Context(), d)
	require.NoError(t, err)
	require.Equal(t, want, ok, "ActivateDevice(%s)", d.ID)
}

func mfaAdvance(t *testing.T, s mfa.Store, account, id string, step int64, want bool) {
	t.Helper()
	ok, err := s.AdvanceStep(t.Context(), account, id, step)
	require.NoError(t, err)
	require.Equal(t, want, ok, "AdvanceStep(%s, %d)", id, step)
}

func testMFAPendingRoundTrip(t *testing.T, s mfa.Store, k keyspace) {
	acct := k.key("acct")
	d := mfaDevice(acct, k.key("dev"))
	mfaPutPending(t, s, d)
	got, found := mfaGetPending(t, s, acct)
	require.True(t, found)
	mfaRequireDevice(t, d, got)
	_, found = mfaGetDevice(t, s, acct)
	require.False(t, found, "a pending device is not active")
}

func testMFAPendingAbsent(t *testing.T, s mfa.Store, k keyspace) {
	_, found := mfaGetPending(t, s, k.key("acct"))
	require.False(t, found)
	_, found = mfaGetDevice(t, s, k.key("acct"))
	require.False(t, found)
}

func testMFAPendingReplaced(t *testing.T, s mfa.Store, k keyspace) {
	acct := k.key("acct")
	mfaPutPending(t, s, mfaDevice(acct, k.key("dev1")))
	d2 := mfaDevice(acct, k.key("dev2"))
	d2.CreatedAt = at(time.Minute)
	mfaPutPending(t, s, d2)
	got, found := mfaGetPending(t, s, acct)
	require.True(t, found)
	mfaRequireDevice(t, d2, got)
}

func testMFAActivateMovesPending(t *testing.T, s mfa.Store, k keyspace) {
	acct := k.key("acct")
	d := mfaDevice(acct, k.key("dev"))
	mfaPutPending(t, s, d)
	a := mfaActive(d, 12345)
	mfaActivate(t, s, a, true)
	got, found := mfaGetDevice(t, s, acct)
	require.True(t, found)
	mfaRequireDevice(t, a, got)
	_, found = mfaGetPending(t, s, acct)
	require.False(t, found, "the activated enrolment is no longer pending")
}

func testMFAActivateKeepsOtherPending(t *testing.T, s mfa.Store, k keyspace) {
	acct := k.key("acct")
	pending := mfaDevice(acct, k.key("pending"))
	mfaPutPending(t, s, pending)
	hw := mfaDevice(acct, k.key("hardware"))
	hw.Kind, hw.Serial = mfa.Hardware, k.key("serial")
	mfaActivate(t, s, mfaActive(hw, 7), true)
	got, found := mfaGetPending(t, s, acct)
	require.True(t, found, "activating another device keeps the pending one")
	mfaRequireDevice(t, pending, got)
}

func testMFAActivateRefusedWhenActive(t *testing.T, s mfa.Store, k keyspace) {
	acct := k.key("acct")
	d1 := mfaActive(mfaDevice(acct, k.key("dev1")), 1)
	mfaActivate(t, s, d1, true)
	d2 := mfaDevice(acct, k.key("dev2"))
	mfaPutPending(t, s, d2)
	mfaActivate(t, s, mfaActive(d2, 2), false)
	mfaActivate(t, s, d1, false)
	got, _ := mfaGetDevice(t, s, acct)
	mfaRequireDevice(t, d1, got)
	got, found := mfaGetPending(t, s, acct)
	require.True(t, found, "a refused activation changes nothing")
	mfaRequireDevice(t, d2, got)
}

func testMFAAdvanceOnlyForward(t *testing.T, s mfa.Store, k keyspace) {
	acct, id := k.key("acct"), k.key("dev")
	mfaActivate(t, s, mfaActive(mfaDevice(acct, id), 10), true)
	mfaAdvance(t, s, acct, id, 10, false)
	mfaAdvance(t, s, acct, id, 9, false)
	mfaAdvance(t, s, acct, id, -1, false)
	mfaAdvance(t, s, acct, id, 11, true)
	mfaAdvance(t, s, acct, id, 11, false)
	mfaAdvance(t, s, acct, id, 13, true)
	mfaAdvance(t, s, acct, id, 12, false)
	got, _ := mfaGetDevice(t, s, acct)
	require.Equal(t, int64(13), got.LastStep)

	// Steps of today's clock fit, and so do far larger ones.
	mfaAdvance(t, s, acct, id, 59_000_000, true)
	mfaAdvance(t, s, acct, id, 1<<40, true)
	got, _ = mfaGetDevice(t, s, acct)
	require.Equal(t, int64(1<<40), got.LastStep)
}

func testMFAAdvanceChecksDevice(t *testing.T, s mfa.Store, k keyspace) {
	acct, id := k.key("acct"), k.key("dev")
	mfaAdvance(t, s, acct, id, 5, false)
	mfaPutPending(t, s, mfaDevice(acct, id))
	mfaAdvance(t, s, acct, id, 5, false)
	mfaActivate(t, s, mfaActive(mfaDevice(acct, id), 1), true)
	mfaAdvance(t, s, acct, k.key("other"), 5, false)
	mfaAdvance(t, s, k.key("other"), id, 5, false)
	got, _ := mfaGetDevice(t, s, acct)
	require.Equal(t, int64(1), got.LastStep)
	mfaAdvance(t, s, acct, id, 5, true)
}

func testMFADeleteDevice(t *testing.T, s mfa.Store, k keyspace) {
	acct, id := k.key("acct"), k.key("dev")
	del := func(acct, id string, want bool) {
		t.Helper()
		ok, err := s.DeleteDevice(t.Context(), acct, id)
		require.NoError(t, err)
		require.Equal(t, want, ok, "DeleteDevice(%s)", id)
	}
	del(acct, id, false)
	mfaActivate(t, s, mfaActive(mfaDevice(acct, id), 1), true)
	del(acct, k.key("other"), false)
	del(k.key("other"), id, false)
	del(acct, id, true)
	del(acct, id, false)
	_, found := mfaGetDevice(t, s, acct)
	require.False(t, found)
	mfaAdvance(t, s, acct, id, 2, false)

	// The account may bind again, even the same device ID.
	mfaActivate(t, s, mfaActive(mfaDevice(acct, k.key("dev2")), 3), true)
	del(acct, id, false)
	del(acct, k.key("dev2"), true)
	mfaActivate(t, s, mfaActive(mfaDevice(acct, id), 4), true)
}

func testMFADeleteDeviceKeepsTheRest(t *testing.T, s mfa.Store, k keyspace) {
	acct, id := k.key("acct"), k.key("dev")
	mfaActivate(t, s, mfaActive(mfaDevice(acct, id), 1), true)
	pending := mfaDevice(acct, k.key("pending"))
	mfaPutPending(t, s, pending)
	mfaReplaceBackup(t, s, acct, hashOf("a"), hashOf("b"))
	ok, err := s.DeleteDevice(t.Context(), acct, id)
	require.NoError(t, err)
	require.True(t, ok)
	got, found := mfaGetPending(t, s, acct)
	require.True(t, found)
	mfaRequireDevice(t, pending, got)
	mfaRequireBackupLeft(t, s, acct, 2)
}

func testMFADeviceRecordsAreCopied(t *testing.T, s mfa.Store, k keyspace) {
	acct := k.key("acct")
	d := mfaDevice(acct, k.key("dev"))
	want := mfaDevice(acct, k.key("dev"))
	mfaPutPending(t, s, d)
	clear(d.Secret.Ciphertext) // the caller reuses its buffer
	got, _ := mfaGetPending(t, s, acct)
	mfaRequireDevice(t, want, got)
	clear(got.Secret.Ciphertext) // the caller changes what it was given
	got, _ = mfaGetPending(t, s, acct)
	mfaRequireDevice(t, want, got)

	a := mfaActive(mfaDevice(acct, k.key("dev")), 4)
	mfaActivate(t, s, a, true)
	clear(a.Secret.Ciphertext)
	got, _ = mfaGetDevice(t, s, acct)
	mfaRequireDevice(t, mfaActive(want, 4), got)
	clear(got.Secret.Ciphertext)
	got, _ = mfaGetDevice(t, s, acct)
	mfaRequireDevice(t, mfaActive(want, 4), got)
}

func testMFAAccountsIndependent(t *testing.T, s mfa.Store, k keyspace) {
	a, b := k.key("a"), k.key("b")
	mfaActivate(t, s, mfaActive(mfaDevice(a, k.key("dev")), 1), true)
	_, found := mfaGetDevice(t, s, b)
	require.False(t, found)
	mfaActivate(t, s, mfaActive(mfaDevice(b, k.key("dev")), 1), true)
	mfaAdvance(t, s, a, k.key("dev"), 5, true)
	got, _ := mfaGetDevice(t, s, b)
	require.Equal(t, int64(1), got.LastStep)
	mfaReplaceBackup(t, s, a, hashOf("x"))
	mfaRequireBackupLeft(t, s, b, 0)
	mfaConsumeBackup(t, s, b, hashOf("x"), false, 0)
	mfaConsumeBackup(t, s, a, hashOf("x"), true, 0)
}

// token returns an unbound token record.
func mfaToken(serial string) mfa.TokenRecord {
	return mfa.TokenRecord{
		Serial: serial, Algorithm: mfa.SHA1, Digits: 6, Period: 60 * time.Second,
		Seed:       mfa.Sealed{KeyID: "k1", Ciphertext: hashOf("seed of " + serial)},
		ImportedAt: at(time.Hour),
	}
}

func mfaRequireToken(t *testing.T, want, got mfa.TokenRecord) {
	t.Helper()
	require.True(t, want.ImportedAt.Equal(got.ImportedAt), "ImportedAt: want %s, got %s", want.ImportedAt, got.ImportedAt)
	require.Equal(t, want.Seed.Ciphertext, got.Seed.Ciphertext, "Seed.Ciphertext")
	want.ImportedAt, got.ImportedAt = time.Time{}, time.Time{}
	want.Seed.Ciphertext, got.Seed.Ciphertext = nil, nil
	require.Equal(t, want, got)
}

func mfaGetToken(t *testing.T, s mfa.Store, serial string) (mfa.TokenRecord, bool) {
	t.Helper()
	tok, found, err := s.Token(t.Context(), serial)
	require.NoError(t, err)
	return tok, found
}

func mfaImportToken(t *testing.T, s mfa.Store, tok mfa.TokenRecord, want bool) {
	t.Helper()
	ok, err := s.ImportToken(t.Context(), tok)
	require.NoError(t, err)
	require.Equal(t, want, ok, "ImportToken(%s)", tok.Serial)
}

func mfaClaim(t *testing.T, s mfa.Store, serial, account string, want bool) {
	t.Helper()
	ok, err := s.ClaimToken(t.Context(), serial, account)
	require.NoError(t, err)
	require.Equal(t, want, ok, "ClaimToken(%s, %s)", serial, account)
}

func mfaRelease(t *testing.T, s mfa.Store, serial, account string, want bool) {
	t.Helper()
	ok, err := s.ReleaseToken(t.Context(), serial, account)
	require.NoError(t, err)
	require.Equal(t, want, ok, "ReleaseToken(%s, %s)", serial, account)
}

func testMFAImportToken(t *testing.T, s mfa.Store, k keyspace) {
	serial := k.key("SERIAL")
	_, found := mfaGetToken(t, s, serial)
	require.False(t, found)
	tok := mfaToken(serial)
	mfaImportToken(t, s, tok, true)
	got, found := mfaGetToken(t, s, serial)
	require.True(t, found)
	mfaRequireToken(t, tok, got)

	// A second import of the serial changes nothing.
	other := mfaToken(serial)
	other.Seed.Ciphertext = hashOf("another seed")
	other.Digits = 8
	mfaImportToken(t, s, other, false)
	got, _ = mfaGetToken(t, s, serial)
	mfaRequireToken(t, tok, got)
}

func testMFAClaimAndReleaseToken(t *testing.T, s mfa.Store, k keyspace) {
	serial, a, b := k.key("SERIAL"), k.key("a"), k.key("b")
	mfaClaim(t, s, serial, a, false) // not imported
	mfaRelease(t, s, serial, a, false)
	mfaImportToken(t, s, mfaToken(serial), true)

	mfaClaim(t, s, serial, a, true)
	got, _ := mfaGetToken(t, s, serial)
	require.Equal(t, a, got.AccountID)
	mfaClaim(t, s, serial, b, false)
	mfaClaim(t, s, serial, a, false) // already bound, to a
	mfaRelease(t, s, serial, b, false)
	got, _ = mfaGetToken(t, s, serial)
	require.Equal(t, a, got.AccountID, "a refused claim or release changes nothing")

	mfaRelease(t, s, serial, a, true)
	mfaRelease(t, s, serial, a, false)
	got, _ = mfaGetToken(t, s, serial)
	require.Empty(t, got.AccountID)
	mfaClaim(t, s, serial, b, true)
	got, _ = mfaGetToken(t, s, serial)
	require.Equal(t, b, got.AccountID)
	want := mfaToken(serial)
	want.AccountID = b
	mfaRequireToken(t, want, got)
}

func testMFATokenRecordsAreCopied(t *testing.T, s mfa.Store, k keyspace) {
	serial := k.key("SERIAL")
	tok := mfaToken(serial)
	mfaImportToken(t, s, tok, true)
	clear(tok.Seed.Ciphertext)
	got, _ := mfaGetToken(t, s, serial)
	mfaRequireToken(t, mfaToken(serial), got)
	clear(got.Seed.Ciphertext)
	got, _ = mfaGetToken(t, s, serial)
	mfaRequireToken(t, mfaToken(serial), got)
}

func mfaReplaceBackup(t *testing.T, s mfa.Store, account string, hashes ...[]byte) {
	t.Helper()
	require.NoError(t, s.ReplaceBackupCodes(t.Context(), account, hashes))
}

func mfaConsumeBackup(t *testing.T, s mfa.Store, account string, hash []byte, wantOK bool, wantLeft int) {
	t.Helper()
	ok, left, err := s.ConsumeBackupCode(t.Context(), account, hash)
	require.NoError(t, err)
	require.Equal(t, wantOK, ok, "ConsumeBackupCode ok")
	require.Equal(t, wantLeft, left, "ConsumeBackupCode left")
}

func mfaRequireBackupLeft(t *testing.T, s mfa.Store, account string, want int) {
	t.Helper()
	n, err := s.BackupCodesLeft(t.Context(), account)
	require.NoError(t, err)
	require.Equal(t, want, n, "BackupCodesLeft")
}

// backupSet returns n distinct hashes named prefix0, prefix1, ….
func mfaBackupSet(prefix string, n int) [][]byte {
	out := make([][]byte, n)
	for i := range out {
		out[i] = hashOf(prefix + strconv.Itoa(i))
	}
	return out
}

func testMFABackupCodes(t *testing.T, s mfa.Store, k keyspace) {
	acct := k.key("acct")
	set := mfaBackupSet("code", 3)
	mfaReplaceBackup(t, s, acct, set...)
	mfaRequireBackupLeft(t, s, acct, 3)
	mfaConsumeBackup(t, s, acct, set[1], true, 2)
	mfaConsumeBackup(t, s, acct, set[1], false, 2)
	mfaConsumeBackup(t, s, acct, hashOf("wrong"), false, 2)
	mfaConsumeBackup(t, s, acct, set[0], true, 1)
	mfaConsumeBackup(t, s, acct, set[2], true, 0)
	mfaConsumeBackup(t, s, acct, set[2], false, 0)
	mfaRequireBackupLeft(t, s, acct, 0)
}

func testMFABackupCodesReplaced(t *testing.T, s mfa.Store, k keyspace) {
	acct := k.key("acct")
	old := mfaBackupSet("old", 10)
	mfaReplaceBackup(t, s, acct, old...)
	mfaConsumeBackup(t, s, acct, old[0], true, 9)
	fresh := mfaBackupSet("new", 10)
	mfaReplaceBackup(t, s, acct, fresh...)
	mfaRequireBackupLeft(t, s, acct, 10)
	for _, h := range old[1:] {
		mfaConsumeBackup(t, s, acct, h, false, 10)
	}
	mfaConsumeBackup(t, s, acct, fresh[9], true, 9)

	// An empty set deletes the codes.
	mfaReplaceBackup(t, s, acct)
	mfaRequireBackupLeft(t, s, acct, 0)
	mfaConsumeBackup(t, s, acct, fresh[0], false, 0)
	require.NoError(t, s.ReplaceBackupCodes(t.Context(), acct, nil))
	mfaRequireBackupLeft(t, s, acct, 0)
}

func testMFABackupHashOfOtherLength(t *testing.T, s mfa.Store, k keyspace) {
	acct := k.key("acct")
	h := hashOf("code")
	mfaReplaceBackup(t, s, acct, h)
	mfaConsumeBackup(t, s, acct, h[:16], false, 1)
	mfaConsumeBackup(t, s, acct, append(slices.Clone(h), 0), false, 1)
	mfaConsumeBackup(t, s, acct, nil, false, 1)
	mfaConsumeBackup(t, s, acct, []byte{}, false, 1)
	mfaConsumeBackup(t, s, acct, h, true, 0)
}

func testMFABackupCodesAbsent(t *testing.T, s mfa.Store, k keyspace) {
	acct := k.key("acct")
	mfaRequireBackupLeft(t, s, acct, 0)
	mfaConsumeBackup(t, s, acct, hashOf("code"), false, 0)
	mfaConsumeBackup(t, s, acct, nil, false, 0)
}

func testMFABackupCodesAreCopied(t *testing.T, s mfa.Store, k keyspace) {
	acct := k.key("acct")
	h := hashOf("code")
	buf := slices.Clone(h)
	mfaReplaceBackup(t, s, acct, buf)
	clear(buf)
	mfaConsumeBackup(t, s, acct, buf, false, 1)
	mfaConsumeBackup(t, s, acct, h, true, 0)
}

func testMFAConcurrentAdvanceSameStep(t *testing.T, s mfa.Store, k keyspace) {
	const goroutines = 20
	acct, id := k.key("acct"), k.key("dev")
	mfaActivate(t, s, mfaActive(mfaDevice(acct, id), 100), true)
	var wins, errs atomic.Int32
	ctx := t.Context()
	race(goroutines, func(int) {
		ok, err := s.AdvanceStep(ctx, acct, id, 101)
		if err != nil {
			errs.Add(1)
		}
		if ok {
			wins.Add(1)
		}
	})
	require.Zero(t, errs.Load(), "errors")
	require.Equal(t, int32(1), wins.Load(), "advances of one step that succeeded")
	got, _ := mfaGetDevice(t, s, acct)
	require.Equal(t, int64(101), got.LastStep)
}

func testMFAConcurrentAdvanceManySteps(t *testing.T, s mfa.Store, k keyspace) {
	const goroutines = 20
	acct, id := k.key("acct"), k.key("dev")
	mfaActivate(t, s, mfaActive(mfaDevice(acct, id), 0), true)
	var wins, errs atomic.Int32
	ctx := t.Context()
	race(goroutines, func(i int) {
		ok, err := s.AdvanceStep(ctx, acct, id, int64(i+1))
		if err != nil {
			errs.Add(1)
		}
		if ok {
			wins.Add(1)
		}
	})
	require.Zero(t, errs.Load(), "errors")
	require.GreaterOrEqual(t, wins.Load(), int32(1))
	got, _ := mfaGetDevice(t, s, acct)
	require.Equal(t, int64(goroutines), got.LastStep, "the step never moves backwards")
}

func testMFAConcurrentActivate(t *testing.T, s mfa.Store, k keyspace) {
	const goroutines = 20
	acct := k.key("acct")
	var wins, errs atomic.Int32
	var winner atomic.Value
	ctx := t.Context()
	race(goroutines, func(i int) {
		d := mfaActive(mfaDevice(acct, k.key("dev"+strconv.Itoa(i))), int64(i))
		ok, err := s.ActivateDevice(ctx, d)
		if err != nil {
			errs.Add(1)
		}
		if ok {
			wins.Add(1)
			winner.Store(d.ID)
		}
	})
	require.Zero(t, errs.Load(), "errors")
	require.Equal(t, int32(1), wins.Load(), "activations that succeeded")
	got, _ := mfaGetDevice(t, s, acct)
	require.Equal(t, winner.Load(), got.ID)
}

func testMFAConcurrentClaimToken(t *testing.T, s mfa.Store, k keyspace) {
	const goroutines = 20
	serial := k.key("SERIAL")
	mfaImportToken(t, s, mfaToken(serial), true)
	var wins, errs atomic.Int32
	var winner atomic.Value
	ctx := t.Context()
	race(goroutines, func(i int) {
		acct := k.key("acct" + strconv.Itoa(i))
		ok, err := s.ClaimToken(ctx, serial, acct)
		if err != nil {
			errs.Add(1)
		}
		if ok {
			wins.Add(1)
			winner.Store(acct)
		}
	})
	require.Zero(t, errs.Load(), "errors")
	require.Equal(t, int32(1), wins.Load(), "claims that succeeded")
	got, _ := mfaGetToken(t, s, serial)
	require.Equal(t, winner.Load(), got.AccountID)
}

func testMFAConcurrentConsumeBackupCode(t *testing.T, s mfa.Store, k keyspace) {
	const goroutines = 20
	acct := k.key("acct")
	set := mfaBackupSet("code", 10)
	mfaReplaceBackup(t, s, acct, set...)
	var wins, errs atomic.Int32
	ctx := t.Context()
	race(goroutines, func(int) {
		ok, _, err := s.ConsumeBackupCode(ctx, acct, set[3])
		if err != nil {
			errs.Add(1)
		}
		if ok {
			wins.Add(1)
		}
	})
	require.Zero(t, errs.Load(), "errors")
	require.Equal(t, int32(1), wins.Load(), "consumptions that succeeded")
	mfaRequireBackupLeft(t, s, acct, 9)
}

func testMFACancelledContext(t *testing.T, s mfa.Store, k keyspace) {
	// A store may fail or succeed on a cancelled context, but what it
	// reports must match what it did.
	ctx := cancelled()
	bg := context.Background()
	acct, id := k.key("acct"), k.key("dev")

	if err := s.PutPendingDevice(ctx, mfaDevice(acct, id)); err == nil {
		_, found := mfaGetPending(t, s, acct)
		assert.True(t, found, "PutPendingDevice reported success")
	}
	ok, err := s.ActivateDevice(ctx, mfaActive(mfaDevice(acct, id), 5))
	_, found := mfaGetDevice(t, s, acct)
	if err == nil {
		assert.Equal(t, ok, found, "ActivateDevice reported %v", ok)
	}
	if !found {
		mfaActivate(t, s, mfaActive(mfaDevice(acct, id), 5), true)
	}
	ok, err = s.AdvanceStep(ctx, acct, id, 6)
	got, _ := mfaGetDevice(t, s, acct)
	if err == nil {
		assert.True(t, ok, "AdvanceStep to a greater step")
		assert.Equal(t, int64(6), got.LastStep, "AdvanceStep reported success")
	} else {
		assert.Contains(t, []int64{5, 6}, got.LastStep)
	}

	mfaReplaceBackup(t, s, acct, hashOf("a"), hashOf("b"))
	ok, left, err := s.ConsumeBackupCode(ctx, acct, hashOf("a"))
	n, nerr := s.BackupCodesLeft(bg, acct)
	require.NoError(t, nerr)
	if err == nil {
		assert.True(t, ok)
		assert.Equal(t, 1, left)
		assert.Equal(t, 1, n)
	}

	serial := k.key("SERIAL")
	mfaImportToken(t, s, mfaToken(serial), true)
	ok, err = s.ClaimToken(ctx, serial, acct)
	tok, _ := mfaGetToken(t, s, serial)
	if err == nil {
		assert.Equal(t, ok, tok.AccountID == acct, "ClaimToken reported %v", ok)
	}

	// The store still works.
	mfaAdvance(t, s, acct, id, 7, true)
	mfaConsumeBackup(t, s, acct, hashOf("b"), true, n-1)
	mfaRelease(t, s, serial, acct, tok.AccountID == acct)
	mfaClaim(t, s, serial, acct, true)
	_, err = s.DeleteDevice(bg, acct, id)
	require.NoError(t, err)
}
