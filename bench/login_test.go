package bench

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/accountsec/accountsec"
	"github.com/accountsec/accountsec/account"
	"github.com/accountsec/accountsec/account/password"
	"github.com/accountsec/accountsec/limits"
	"github.com/accountsec/accountsec/protection"
	"github.com/accountsec/accountsec/store/memstore"
)

// population is a facade on memstore holding n accounts that sign in with
// userPW: one registered through the facade, the others copies of its
// record (other IDs and emails, the same cheap hash) written straight to
// the store, which is how a million fit in seconds.
type population struct {
	w     *world
	store *memstore.Store
	n     int
	setup time.Duration
}

func (p *population) email(i int) string { return "user" + strconv.Itoa(i) + "@example.com" }

func newPopulation(tb testing.TB, n int) *population {
	tb.Helper()
	start := time.Now()
	st := memstore.New()
	w := newWorld(tb, config(limits.Lockout{}), accountsec.Deps{Store: st})
	p := &population{w: w, store: st, n: n}
	model := w.register(tb, p.email(0))
	addAccounts(tb, st, model, 1, n, p.email)
	p.setup = time.Since(start)
	return p
}

// addAccounts writes copies of model numbered from to n-1, taking their
// registration and binding slots as registration does.
func addAccounts(tb testing.TB, st *memstore.Store, model account.Account, from, n int, email func(int) string) {
	ctx := context.Background()
	for i := from; i < n; i++ {
		a := model.Clone()
		e := email(i)
		a.ID = fmt.Sprintf("%016d", 1_000_000_000_000_000+i)
		a.APPID = fmt.Sprintf("app%013d", i)
		a.RegistrationIdentifier = e
		a.SecurityEmail = e
		a.LoginMethods = []account.LoginMethod{{Method: account.MethodEmail, Identifier: e}}
		take := []account.Take{
			{Slot: account.Slot{Scope: account.ScopeRegister, Kind: account.KindEmail, Value: e}, Limit: 1},
			{Slot: account.Slot{Scope: account.ScopeBind, Kind: account.KindEmail, Value: e}, Limit: 1},
		}
		res, err := st.CreateAccount(ctx, a, take)
		require.NoError(tb, err)
		require.Equal(tb, account.WriteOK, res.Status)
	}
}

// populations are built once per process: benchmarks run their function
// several times while finding b.N, and for every -count.
var populations sync.Map // int → *population

func cachedPopulation(b *testing.B, n int) *population {
	if p, ok := populations.Load(n); ok {
		return p.(*population)
	}
	p := newPopulation(b, n)
	populations.Store(n, p)
	return p
}

// BenchmarkLogin is the login decision of a right password with a cheap
// hasher (argon2id at its minimum: 8 KiB, one pass), so that what is
// measured is the policy around the hash: the account looked up by email,
// the lockout reserved and refunded, the hash checked, the lock re-read,
// settings, session and city written. Each iteration signs in a random
// account of the population.
//
// Interleaved with the logins (chunks of at most maxChunk iterations, the
// order reversed at every chunk, as in compare) a second side verifies the
// same password against the same stored hash with a hasher of the same
// parameters: the hash alone. Besides each side's login-ns/op, hash-ns/op
// and allocations it reports the login minus the hash as decision-ns/op,
// decision-allocs/op and decision-B/op: what the policy around the hash
// costs. The setup time is reported as setup-s; 1M accounts (about 20 s and
// 2.6 GB) run only with ACCOUNTSEC_BENCH_1M=1.
func BenchmarkLogin(b *testing.B) {
	for _, n := range []int{1_000, 100_000, 1_000_000} {
		b.Run("accounts="+strconv.Itoa(n), func(b *testing.B) {
			if n > 100_000 && os.Getenv("ACCOUNTSEC_BENCH_1M") == "" {
				b.Skip("a million accounts take about 20 s and 2.6 GB to build: set ACCOUNTSEC_BENCH_1M=1")
			}
			p := cachedPopulation(b, n)
			ctx := context.Background()
			rng := rand.New(rand.NewPCG(1, uint64(n)))
			emails := make([]string, 4096)
			for i := range emails {
				emails[i] = p.email(rng.IntN(n))
			}
			hasher, err := password.NewHasher(password.HasherConfig{Params: password.InsecureTestParams()})
			require.NoError(b, err)
			stored := p.hash(b)
			login := func(i int) {
				res, err := p.w.svc.Protection.Login(ctx, protection.LoginRequest{Login: emails[i%len(emails)], Password: userPW, ClientIP: userIP})
				if err != nil || res.Session == nil {
					b.Fatal(err)
				}
			}
			hash := func(int) {
				if ok, _, err := hasher.Verify(ctx, userPW, stored); err != nil || !ok {
					b.Fatal("the hash alone does not verify", err)
				}
			}
			b.ReportAllocs()
			c := measure(b, nil, side{"login", login}, side{"hash", hash})
			b.ReportMetric(c[0].ns, "login-ns/op")
			b.ReportMetric(c[1].ns, "hash-ns/op")
			b.ReportMetric(c[0].allocs, "login-allocs/op")
			b.ReportMetric(c[1].allocs, "hash-allocs/op")
			b.ReportMetric(c[0].ns-c[1].ns, "decision-ns/op")
			b.ReportMetric(c[0].allocs-c[1].allocs, "decision-allocs/op")
			b.ReportMetric(c[0].bytes-c[1].bytes, "decision-B/op")
			b.ReportMetric(p.setup.Seconds(), "setup-s")
		})
	}
}

// hash returns the stored password hash of the population's accounts (all
// copies of one record).
func (p *population) hash(tb testing.TB) string {
	a, found, err := p.store.AccountByAPPID(context.Background(), "app"+fmt.Sprintf("%013d", 1))
	require.NoError(tb, err)
	require.True(tb, found || p.n == 1)
	require.NotEmpty(tb, a.Password.Hash)
	return a.Password.Hash
}
