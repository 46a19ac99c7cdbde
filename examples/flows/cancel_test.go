// The cancellation on the stores a fleet of machines shares: PostgreSQL,
// and PostgreSQL with Redis. It reads ACCOUNTSEC_PG_DSN and
// ACCOUNTSEC_REDIS_ADDR, and never skips in CI.

package flows_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/accountsec/accountsec"
	"github.com/accountsec/accountsec/account"
	"github.com/accountsec/accountsec/account/password"
	"github.com/accountsec/accountsec/examples/internal/teststores"
	"github.com/accountsec/accountsec/fakes"
	"github.com/accountsec/accountsec/lifecycle"
	"github.com/accountsec/accountsec/protection"
	"github.com/accountsec/accountsec/vocab"
)

// A revoke and a completion of one cancellation racing have exactly one
// outcome on every durable store: the application's document is written by
// compare-and-set, wherever it lives.
func TestCancellationRevokeRacingCompletion(t *testing.T) {
	dsn, addr := teststores.Addresses(t)
	for name, deps := range map[string]func(t *testing.T) accountsec.Deps{
		"postgres": func(t *testing.T) accountsec.Deps {
			return accountsec.Deps{Store: teststores.Postgres(t, dsn, "flows")}
		},
		"postgres+redis": func(t *testing.T) accountsec.Deps {
			rd := teststores.Redis(t, addr, "flows")
			return accountsec.Deps{Store: teststores.Postgres(t, dsn, "flows"), Counters: rd, Codes: rd, Sessions: rd, Resets: rd, Flows: rd}
		},
	} {
		t.Run(name, func(t *testing.T) { raceRevokeAndCompletion(t, deps(t)) })
	}
}

func raceRevokeAndCompletion(t *testing.T, deps accountsec.Deps) {
	ctx := t.Context()
	clock, outbox := fakes.NewClock(time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)), &fakes.Outbox{}
	deps.SMS, deps.Email, deps.Now = outbox, outbox, clock.Now
	deps.Resources = lifecycle.CheckerFunc(func(context.Context, string) (lifecycle.Inventory, error) {
		return lifecycle.Inventory{}, nil
	})
	cfg := accountsec.Config{Secret: []byte("flows-secret-0123456789abcdefghij"), Hashing: password.HasherConfig{Params: password.InsecureTestParams()}}
	cfg.Limits.Send.PerIPPerHour = 10000
	svc, err := accountsec.New(cfg, deps)
	require.NoError(t, err)

	const n = 8
	ids := make([]string, n)
	for i := range ids {
		email := fmt.Sprintf("race%d-%s@example.com", i, teststores.Suffix(t))
		clock.Advance(time.Minute)
		_, err := svc.Accounts.SendRegistrationCode(ctx, email, "203.0.113.7")
		require.NoError(t, err)
		acc, err := svc.Accounts.Register(ctx, account.Registration{Method: account.MethodEmail, Identifier: email, Password: "Sup3r!Secret", Code: outbox.LastCode(email)})
		require.NoError(t, err)
		res, err := svc.Protection.Login(ctx, protection.LoginRequest{Login: email, Password: "Sup3r!Secret", ClientIP: "203.0.113.7"})
		require.NoError(t, err)
		sess := *res.Session
		_, err = svc.Protection.Authorize(ctx, sess, vocab.OpApplyCancellation)
		var vr *vocab.VerificationRequiredError
		require.ErrorAs(t, err, &vr)
		clock.Advance(time.Minute) // one code per minute per address
		ch, err := svc.Protection.StartVerification(ctx, protection.StartRequest{AccountID: sess.AccountID, Binding: sess.Binding(), Purpose: vr.Purpose, Method: vr.Methods[0], ClientIP: "203.0.113.7"})
		require.NoError(t, err)
		msgs := outbox.Messages()
		_, err = svc.Protection.AnswerVerification(ctx, protection.AnswerRequest{AccountID: sess.AccountID, Binding: sess.Binding(), Purpose: vr.Purpose, Challenge: ch.ID, Answer: msgs[len(msgs)-1].Code})
		require.NoError(t, err)
		_, err = svc.ApplyCancellation(ctx, sess, lifecycle.Application{Confirmed: lifecycle.Conditions(), Reasons: []lifecycle.Reason{lifecycle.ReasonRegisteredByMistake}})
		require.NoError(t, err)
		_, err = svc.Cancellation.Check(ctx, acc.ID)
		require.NoError(t, err)
		ids[i] = acc.ID
	}
	for _, id := range ids {
		var wg sync.WaitGroup
		var revokeErr, completeErr error
		start := make(chan struct{})
		wg.Add(2)
		go func() { defer wg.Done(); <-start; _, revokeErr = svc.Cancellation.Revoke(ctx, id) }()
		go func() { defer wg.Done(); <-start; _, completeErr = svc.Cancellation.StartIdentityCheck(ctx, id) }()
		close(start)
		wg.Wait()
		c, found, err := svc.Cancellation.Status(ctx, id)
		require.NoError(t, err)
		require.True(t, found)
		_, accErr := svc.Accounts.Account(ctx, id)
		switch c.Status {
		case lifecycle.StatusRevoked:
			assert.NoError(t, revokeErr)
			assert.ErrorIs(t, completeErr, lifecycle.ErrWrongStatus)
			assert.NoError(t, accErr, "revoked: the account stays")
		case lifecycle.StatusCompleted:
			assert.NoError(t, completeErr)
			assert.ErrorIs(t, revokeErr, lifecycle.ErrIrreversible)
			assert.True(t, errors.Is(accErr, account.ErrNotFound), "completed: the account is gone")
		default:
			t.Fatalf("status %s after the race (revoke %v, completion %v)", c.Status, revokeErr, completeErr)
		}
	}
}
