package pgstore_test

import (
	"slices"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/accountsec/accountsec/mfa"
	"github.com/accountsec/accountsec/store/storetest"
)

func TestMFAConformance(t *testing.T) {
	pool := testPool(t)
	storetest.RunMFAStore(t, func(t *testing.T) mfa.Store { return newStore(t, pool) })
}

func testDevice(acct, id string) mfa.DeviceRecord {
	return mfa.DeviceRecord{
		ID: id, AccountID: acct, Kind: mfa.Hardware, Serial: "SN-" + id,
		Algorithm: mfa.SHA256, Digits: 8, Period: 60 * time.Second,
		Secret:    mfa.Sealed{KeyID: "k1", Ciphertext: hashOf("secret of " + id)},
		CreatedAt: at(0), LastStep: -1,
	}
}

// TestMFATimesKeepMicroseconds checks the precision and location of the
// times the store returns: microseconds (timestamptz), in UTC, and a zero
// ActivatedAt (a pending device) stays zero.
func TestMFATimesKeepMicroseconds(t *testing.T) {
	t.Parallel()
	s := newStore(t, testPool(t))
	ctx := t.Context()
	cst := time.FixedZone("CST", 8*3600)
	d := testDevice("acct", "dev")
	d.CreatedAt = time.Date(2026, 3, 1, 12, 0, 0, 123456789, cst)
	require.NoError(t, s.PutPendingDevice(ctx, d))
	got, found, err := s.PendingDevice(ctx, "acct")
	require.NoError(t, err)
	require.True(t, found)
	require.Equal(t, d.CreatedAt.Truncate(time.Microsecond).UTC(), got.CreatedAt)
	require.True(t, got.ActivatedAt.IsZero())

	d.Usage = mfa.Usage{Login: true}
	d.ActivatedAt = d.CreatedAt.Add(time.Minute)
	d.LastStep = 59_000_000
	ok, err := s.ActivateDevice(ctx, d)
	require.NoError(t, err)
	require.True(t, ok)
	got, _, err = s.Device(ctx, "acct")
	require.NoError(t, err)
	want := d
	want.CreatedAt = d.CreatedAt.Truncate(time.Microsecond).UTC()
	want.ActivatedAt = d.ActivatedAt.Truncate(time.Microsecond).UTC()
	require.Equal(t, want, got)

	tok := mfa.TokenRecord{
		Serial: "SN", Algorithm: mfa.SHA512, Digits: 6, Period: 30 * time.Second,
		Seed: mfa.Sealed{KeyID: "k2", Ciphertext: []byte{1, 2, 3}}, AccountID: "acct",
		ImportedAt: time.Date(2026, 3, 1, 12, 0, 0, 999, cst),
	}
	ok, err = s.ImportToken(ctx, tok)
	require.NoError(t, err)
	require.True(t, ok)
	gotTok, found, err := s.Token(ctx, "SN")
	require.NoError(t, err)
	require.True(t, found)
	tok.ImportedAt = tok.ImportedAt.Truncate(time.Microsecond).UTC()
	require.Equal(t, tok, gotTok, "a token imported bound keeps its account")
}

func TestMFARejectsBadInput(t *testing.T) {
	t.Parallel()
	s := newStore(t, testPool(t))
	ctx := t.Context()
	require.Error(t, s.PutPendingDevice(ctx, testDevice("", "dev")))
	require.Error(t, s.PutPendingDevice(ctx, testDevice("acct", "")))
	_, err := s.ActivateDevice(ctx, testDevice("", "dev"))
	require.Error(t, err)
	_, err = s.ActivateDevice(ctx, testDevice("acct", ""))
	require.Error(t, err)
	_, found, err := s.Device(ctx, "")
	require.NoError(t, err)
	require.False(t, found)

	_, err = s.ImportToken(ctx, mfa.TokenRecord{ImportedAt: at(0)})
	require.Error(t, err)
	ok, err := s.ImportToken(ctx, mfa.TokenRecord{Serial: "SN", ImportedAt: at(0)})
	require.NoError(t, err)
	require.True(t, ok)
	_, err = s.ClaimToken(ctx, "SN", "")
	require.Error(t, err)
	_, err = s.ReleaseToken(ctx, "SN", "")
	require.Error(t, err)
	tok, _, err := s.Token(ctx, "SN")
	require.NoError(t, err)
	require.Empty(t, tok.AccountID)

	require.Error(t, s.ReplaceBackupCodes(ctx, "", [][]byte{hashOf("a")}))
	require.NoError(t, s.ReplaceBackupCodes(ctx, "acct", [][]byte{hashOf("a")}))
	require.Error(t, s.ReplaceBackupCodes(ctx, "acct", [][]byte{hashOf("b"), {}}))
	ok, left, err := s.ConsumeBackupCode(ctx, "acct", hashOf("a"))
	require.NoError(t, err)
	require.True(t, ok, "a refused replacement changed the set")
	require.Zero(t, left)
}

// TestMFABackupCodeRepeated follows the memory store for a set that holds a
// hash twice: each use removes one.
func TestMFABackupCodeRepeated(t *testing.T) {
	t.Parallel()
	s := newStore(t, testPool(t))
	ctx := t.Context()
	h := hashOf("a")
	require.NoError(t, s.ReplaceBackupCodes(ctx, "acct", [][]byte{hashOf("x"), h, hashOf("y"), h}))
	for _, want := range []struct {
		ok   bool
		left int
	}{{true, 3}, {true, 2}, {false, 2}} {
		ok, left, err := s.ConsumeBackupCode(ctx, "acct", h)
		require.NoError(t, err)
		require.Equal(t, want.ok, ok)
		require.Equal(t, want.left, left)
	}
	for _, c := range []string{"y", "x"} {
		ok, _, err := s.ConsumeBackupCode(ctx, "acct", hashOf(c))
		require.NoError(t, err)
		require.True(t, ok, c)
	}
}

// TestMFAConsumeBackupCodesRace races two callers per code of a set: each
// code is used once, and the sizes the winners report are exactly the
// sizes the set went through.
func TestMFAConsumeBackupCodesRace(t *testing.T) {
	t.Parallel()
	s := newStore(t, testPool(t))
	ctx := t.Context()
	const codes = 10
	for round := range 5 {
		set := make([][]byte, codes)
		for i := range set {
			set[i] = hashOf(strconv.Itoa(round*codes + i))
		}
		require.NoError(t, s.ReplaceBackupCodes(ctx, "acct", set))
		var wins atomic.Int32
		lefts := make([]int, 2*codes)
		errs := make([]error, 2*codes)
		race(2*codes, func(i int) {
			ok, left, err := s.ConsumeBackupCode(ctx, "acct", set[i%codes])
			errs[i] = err
			lefts[i] = -1
			if ok {
				wins.Add(1)
				lefts[i] = left
			}
		})
		for _, err := range errs {
			require.NoError(t, err)
		}
		require.Equal(t, int32(codes), wins.Load(), "round %d", round)
		lefts = slices.DeleteFunc(lefts, func(n int) bool { return n < 0 })
		slices.Sort(lefts)
		require.Equal(t, []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, lefts, "round %d", round)
	}
}

// TestMFAActivateRaceWithPending races activations with replacements of the
// pending enrolment (which the winning activation may delete in the same
// statement): no call fails, and exactly one activation wins.
func TestMFAActivateRaceWithPending(t *testing.T) {
	t.Parallel()
	s := newStore(t, testPool(t))
	ctx := t.Context()
	for round := range 10 {
		acct := "acct" + strconv.Itoa(round)
		require.NoError(t, s.PutPendingDevice(ctx, testDevice(acct, "dev0")))
		var wins atomic.Int32
		var winner atomic.Value
		errs := make([]error, 20)
		race(20, func(i int) {
			d := testDevice(acct, "dev"+strconv.Itoa(i%4))
			if i%2 == 1 {
				errs[i] = s.PutPendingDevice(ctx, d)
				return
			}
			d.ActivatedAt, d.LastStep = at(time.Minute), int64(i)
			ok, err := s.ActivateDevice(ctx, d)
			errs[i] = err
			if ok {
				wins.Add(1)
				winner.Store(d.LastStep)
			}
		})
		for _, err := range errs {
			require.NoError(t, err)
		}
		require.Equal(t, int32(1), wins.Load(), "round %d", round)
		active, found, err := s.Device(ctx, acct)
		require.NoError(t, err)
		require.True(t, found)
		require.Equal(t, winner.Load(), active.LastStep, "round %d: the active device is not the winner's", round)
	}
}

// BenchmarkAdvanceStep measures AdvanceStep, the replay guard of every
// accepted TOTP code: serially on one device, and in parallel (4 callers
// per CPU) on a device per caller.
func BenchmarkAdvanceStep(b *testing.B) {
	s := newStore(b, testPool(b))
	ctx := b.Context()
	var n atomic.Int64
	// newDevice may run on RunParallel's goroutines: it reports with
	// Error, not Fatal.
	newDevice := func(b *testing.B) (acct, id string, ok bool) {
		acct = "bench-" + strconv.FormatInt(n.Add(1), 10)
		d := testDevice(acct, "dev")
		d.ActivatedAt, d.LastStep = at(0), 0
		ok, err := s.ActivateDevice(ctx, d)
		if err != nil || !ok {
			b.Error(ok, err)
			return "", "", false
		}
		return acct, d.ID, true
	}
	b.Run("serial", func(b *testing.B) {
		acct, id, ok := newDevice(b)
		step := int64(0)
		for ok && b.Loop() {
			step++
			if ok, err := s.AdvanceStep(ctx, acct, id, step); err != nil || !ok {
				b.Fatal(ok, err)
			}
		}
	})
	b.Run("parallel", func(b *testing.B) {
		b.SetParallelism(4) // I/O bound: more callers than CPUs
		b.RunParallel(func(pb *testing.PB) {
			acct, id, ok := newDevice(b)
			step := int64(0)
			for ok && pb.Next() {
				step++
				if ok, err := s.AdvanceStep(ctx, acct, id, step); err != nil || !ok {
					b.Error(ok, err)
					return
				}
			}
		})
	})
}
