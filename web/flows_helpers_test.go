package web_test

import (
	"context"
	"encoding/json"
	mrand "math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/accountsec/accountsec"
	"github.com/accountsec/accountsec/account"
	"github.com/accountsec/accountsec/account/password"
	"github.com/accountsec/accountsec/fakes"
	"github.com/accountsec/accountsec/internal/proof"
	"github.com/accountsec/accountsec/lifecycle"
	"github.com/accountsec/accountsec/store/memstore"
	"github.com/accountsec/accountsec/vocab"
	"github.com/accountsec/accountsec/web"
)

// Real-name data and identifiers that the validators accept.
const (
	phoneA     = "+8613800138000"
	phoneB     = "+8613900139000"
	site       = "shop.example.com"
	personName = "张三"
	personID   = "11010519491231002X"
	otherID    = "110101199003074477"
	company    = "杭州示例科技有限公司"
	creditCode = "91350100M000100Y43"
	legalName  = "李四"
	legalID    = "110101199003074477"
	reviewer   = "reviewer-1"
)

// inventory is a resource checker whose answer a test sets.
type inventory struct {
	mu  sync.Mutex
	inv lifecycle.Inventory
}

func (i *inventory) CheckResources(context.Context, string) (lifecycle.Inventory, error) {
	i.mu.Lock()
	defer i.mu.Unlock()
	return i.inv, nil
}

func (i *inventory) set(inv lifecycle.Inventory) {
	i.mu.Lock()
	defer i.mu.Unlock()
	i.inv = inv
}

// flowWorld is a world whose service has every flow wired: the asset
// directory, the face verifiers, a resource checker and the WeCom host,
// with a seeded random source so that two flowWorlds built alike draw the
// same tokens.
type flowWorld struct {
	*world
	assets     *fakes.Assets
	faces      *fakes.HostVerifier
	identities *fakes.IdentityFaces
	resources  *inventory
	wecom      *fakes.WeCom
}

// The headers the test hooks read the host's identities from.
const (
	reviewerHeader  = "X-Test-Reviewer"
	principalHeader = "X-Test-Principal"
	memberHeader    = "X-Test-Member"
)

// hookOptions are Options whose hooks trust the test's headers, as a host
// trusts its own back-office and WeCom logins.
func hookOptions() web.Options {
	header := func(name string) func(*http.Request) (string, bool) {
		return func(r *http.Request) (string, bool) {
			v := r.Header.Get(name)
			return v, v != ""
		}
	}
	return web.Options{
		ReviewAuth: header(reviewerHeader), SubUserPrincipal: header(principalHeader), SubUserMember: header(memberHeader),
	}
}

func newFlowWorld(t *testing.T, opts web.Options, change ...func(*accountsec.Deps)) *flowWorld {
	t.Helper()
	w := &world{t: t, clock: fakes.NewClock(fakes.Epoch), outbox: &fakes.Outbox{}, jar: map[string]*http.Cookie{}}
	fw := &flowWorld{
		world: w, assets: &fakes.Assets{}, faces: &fakes.HostVerifier{}, identities: &fakes.IdentityFaces{},
		resources: &inventory{}, wecom: &fakes.WeCom{},
	}
	deps := accountsec.Deps{
		Store: memstore.New(), SMS: w.outbox, Email: w.outbox, Now: w.clock.Now, Rand: mrand.NewChaCha8([32]byte{9}),
		Face: fw.faces, Assets: fw.assets, Identities: fw.identities, Resources: fw.resources, SubUserHost: fw.wecom,
	}
	for _, c := range change {
		c(&deps)
	}
	svc, err := accountsec.New(
		accountsec.Config{Secret: secret, Hashing: password.HasherConfig{Params: password.InsecureTestParams()}, Issuer: "Console"},
		deps,
	)
	require.NoError(t, err)
	w.svc = svc
	if opts.Now == nil {
		opts.Now = w.clock.Now
	}
	w.h, err = web.NewHandler(svc, opts)
	require.NoError(t, err)
	return fw
}

// registerAs creates an account by email through the library.
func (w *flowWorld) registerAs(addr string) account.Account {
	w.t.Helper()
	ctx := context.Background()
	w.clock.Advance(2 * time.Minute) // past the send interval of any earlier code
	_, err := w.svc.Accounts.SendRegistrationCode(ctx, addr, "203.0.113.1")
	require.NoError(w.t, err)
	a, err := w.svc.Accounts.Register(ctx, account.Registration{Method: account.MethodEmail, Identifier: addr, Password: pw, Code: w.outbox.LastCode(addr)})
	require.NoError(w.t, err)
	return a
}

// setSecurityPhone gives the account a security phone through the library.
func (w *flowWorld) setSecurityPhone(id, phone string) {
	w.t.Helper()
	ctx := context.Background()
	p := proof.Mint(id, "session:test", vocab.OpChangeSecurityPhone, w.clock.Now().Add(time.Hour))
	_, err := w.svc.Accounts.SendSecurityPhoneCode(ctx, p, id, phone, "")
	require.NoError(w.t, err)
	_, err = w.svc.Accounts.ChangeSecurityPhone(ctx, p, id, phone, w.outbox.LastCode(phone))
	require.NoError(w.t, err)
	w.clock.Advance(2 * time.Minute)
}

func (w *flowWorld) personal(id, number string) {
	w.t.Helper()
	_, err := w.svc.Accounts.RecordPersonal(context.Background(), id, account.PersonalIdentity{Name: personName, IDNumber: number})
	require.NoError(w.t, err)
}

func (w *flowWorld) enterprise(id string) {
	w.t.Helper()
	_, err := w.svc.Accounts.RecordEnterprise(context.Background(), id, account.EnterpriseIdentity{
		Name: company, CreditCode: creditCode, LegalPersonName: legalName, LegalPersonID: legalID,
	})
	require.NoError(w.t, err)
}

// as sends a same-origin request with extra headers (the test hooks'
// identities), with the browser's cookies.
func (w *world) as(headers map[string]string, method, path string, body any) *httptest.ResponseRecorder {
	w.t.Helper()
	r := request(method, path, body)
	for k, v := range headers {
		r.Header.Set(k, v)
	}
	return w.send(r)
}

// expectAs is expect with extra headers.
func (w *world) expectAs(headers map[string]string, status int, method, path string, body any) map[string]any {
	w.t.Helper()
	rec := w.as(headers, method, path, body)
	require.Equal(w.t, status, rec.Code, "%s %s: %s", method, path, rec.Body.String())
	var out map[string]any
	if strings.HasPrefix(strings.TrimSpace(rec.Body.String()), "{") {
		require.NoError(w.t, json.Unmarshal(rec.Body.Bytes(), &out))
	}
	return out
}

// list decodes an answer that is a JSON array.
func (w *world) list(headers map[string]string, path string) []map[string]any {
	w.t.Helper()
	rec := w.as(headers, "GET", path, nil)
	require.Equal(w.t, 200, rec.Code, rec.Body.String())
	var out []map[string]any
	require.NoError(w.t, json.Unmarshal(rec.Body.Bytes(), &out))
	return out
}

// deliveredOnce requires that exactly one answer body holds secret: the
// one that exists to deliver it.
func (w *world) deliveredOnce(secret string) {
	w.t.Helper()
	require.NotEmpty(w.t, secret)
	n := 0
	for _, b := range w.bodies {
		if strings.Contains(b, secret) {
			n++
		}
	}
	assert.Equal(w.t, 1, n, "answers holding %q", secret)
}

// noOutboxCode requires that no answer body holds a code from the outbox,
// the password or a session token.
func (w *world) noOutboxCode() {
	w.t.Helper()
	for _, b := range w.bodies {
		assert.NotContains(w.t, b, pw)
		for _, tok := range w.sessionTokens {
			assert.NotContains(w.t, b, tok)
		}
	}
	for _, m := range w.outbox.Messages() {
		if m.Code == "" {
			continue
		}
		for _, b := range w.bodies {
			assert.NotContains(w.t, b, `"`+m.Code+`"`)
		}
	}
}

// problemCode requires status and returns the problem's code.
func (w *world) problemCode(status int, method, path string, body any) string {
	w.t.Helper()
	p := w.expect(status, method, path, body)
	code, _ := p["code"].(string)
	return code
}
