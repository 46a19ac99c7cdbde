package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/accountsec/accountsec"
	"github.com/accountsec/accountsec/account"
	"github.com/accountsec/accountsec/fakes"
	"github.com/accountsec/accountsec/protection"
	"github.com/accountsec/accountsec/web"
)

// A host mounts the account centre under /account and guards its own page
// with an operation of its catalog: signed in, the page still answers 403
// problem+json until the session steps up.
func Example() {
	ctx, outbox := context.Background(), &fakes.Outbox{}
	catalog, _ := protection.NewCatalog(protection.Operation{Name: "delete_bucket", AlwaysVerify: true})
	svc, _ := accountsec.New(accountsec.Config{Secret: secret, Catalog: catalog}, accountsec.Deps{Email: outbox, Now: fakes.NewClock(fakes.Epoch).Now})
	_, _ = svc.Accounts.SendRegistrationCode(ctx, "alice@example.com", "")
	_, _ = svc.Accounts.Register(ctx, account.Registration{Method: account.MethodEmail, Identifier: "alice@example.com", Password: "Str0ng!Pass", Code: outbox.LastCode("alice@example.com")})

	h, _ := web.NewHandler(svc, web.Options{Prefix: "/account"})
	mux := http.NewServeMux()
	mux.Handle("/account/", h)
	mux.Handle("POST /buckets/delete", h.Middleware(web.RequireOperation("delete_bucket", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusNoContent) // web.ProofFrom(r.Context()) holds the proof
	}))))

	login := httptest.NewRequest("POST", "/account/login", strings.NewReader(`{"login":"alice@example.com","password":"Str0ng!Pass"}`))
	login.Header.Set("Content-Type", "application/json")
	rec := httptest.NewRecorder()
	mux.ServeHTTP(rec, login)
	fmt.Println(rec.Code, rec.Result().Cookies()[0].Name)

	del := httptest.NewRequest("POST", "/buckets/delete", nil)
	del.AddCookie(rec.Result().Cookies()[0])
	rec = httptest.NewRecorder()
	mux.ServeHTTP(rec, del)
	fmt.Print(rec.Code, " ", rec.Body.String())
	// Output:
	// 200 __Host-accountsec-session
	// 403 {"type":"urn:accountsec:problem:protection.verification_required","title":"Not allowed","status":403,"detail":"verify your identity before delete_bucket","code":"protection.verification_required","purpose":"delete_bucket","methods":["email"]}
}
