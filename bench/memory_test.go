package bench

import (
	"context"
	"runtime"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/accountsec/accountsec"
	"github.com/accountsec/accountsec/limits"
	"github.com/accountsec/accountsec/protection"
	"github.com/accountsec/accountsec/store/memstore"
)

// memoryN is how many accounts or sessions a memory measurement adds.
const memoryN = 20_000

// BenchmarkMemory reports the live heap that memstore holds per account
// (the record and its two quota slots: registration and login email) and
// per session (one per login of one account, with its lockout counter and
// login city shared), measured with runtime.MemStats after a full
// collection. The loop itself does nothing: the metric is the result.
func BenchmarkMemory(b *testing.B) {
	b.Run("per-account", func(b *testing.B) {
		st := memstore.New()
		w := newWorld(b, config(limits.Lockout{}), accountsec.Deps{Store: st})
		model := w.register(b, "model@example.com")
		email := func(i int) string { return "user" + itoa(i) + "@example.com" }
		before := heapInUse()
		addAccounts(b, st, model, 0, memoryN, email)
		after := heapInUse()
		runtime.KeepAlive(st)
		for b.Loop() {
		}
		b.ReportMetric((float64(after)-float64(before))/memoryN, "bytes/account")
	})
	b.Run("per-session", func(b *testing.B) {
		w := newWorld(b, config(limits.Lockout{}), accountsec.Deps{})
		w.register(b, userEmail)
		ctx := context.Background()
		req := protection.LoginRequest{Login: userEmail, Password: userPW, ClientIP: userIP, DeviceName: "Firefox on Linux"}
		tokens := make([]string, 0, memoryN)
		_, err := w.svc.Protection.Login(ctx, req) // the counter, the city
		require.NoError(b, err)
		before := heapInUse()
		for range memoryN {
			res, err := w.svc.Protection.Login(ctx, req)
			require.NoError(b, err)
			tokens = append(tokens, res.Token)
		}
		after := heapInUse()
		runtime.KeepAlive(w)
		runtime.KeepAlive(tokens)
		for b.Loop() {
		}
		// The tokens are the client's, not the store's.
		tokenBytes := uint64(cap(tokens))*16 + uint64(len(tokens))*uint64(len(tokens[0]))
		b.ReportMetric((float64(after)-float64(before)-float64(tokenBytes))/memoryN, "bytes/session")
	})
}

func itoa(i int) string { return strconv.Itoa(i) }
