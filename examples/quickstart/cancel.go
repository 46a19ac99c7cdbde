package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/accountsec/accountsec"
	"github.com/accountsec/accountsec/account"
	"github.com/accountsec/accountsec/fakes"
	"github.com/accountsec/accountsec/lifecycle"
	"github.com/accountsec/accountsec/protection"
	"github.com/accountsec/accountsec/reason"
)

// hostResources stands for the host's resource check: what each account
// still holds, as the console's billing and product services would say.
type hostResources struct {
	mu  sync.Mutex
	inv map[string]lifecycle.Inventory
}

// CheckResources reports the account's remaining resources.
func (h *hostResources) CheckResources(_ context.Context, accountID string) (lifecycle.Inventory, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.inv[accountID], nil
}

func (h *hostResources) set(accountID string, inv lifecycle.Inventory) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.inv == nil {
		h.inv = make(map[string]lifecycle.Inventory)
	}
	h.inv[accountID] = inv
}

// resources is the quickstart's resource check (wired by withFakes).
var resources = &hostResources{}

// cancel walks through a cancellation: apply, a resource check that stops
// on a bucket until it is abandoned, 15 days of cooling-off for an unsettled
// postpaid bill, a revoke on day 14, then a second application that
// completes and frees the email for a new registration.
func cancel(ctx context.Context, w io.Writer, svc *accountsec.Service, clock *fakes.Clock, outbox *fakes.Outbox) error {
	const email, pw, ip = "carol@example.com", "Can3el!Me", "198.51.100.9"
	step(w, "12. Cancellation (注销): conditions, resource check, cooling-off, revoke")
	clock.Advance(time.Hour)
	if _, err := svc.Accounts.SendRegistrationCode(ctx, email, ip); err != nil {
		return err
	}
	acc, err := svc.Accounts.Register(ctx, account.Registration{Method: account.MethodEmail, Identifier: email, Password: pw, Code: outbox.LastCode(email)})
	if err != nil {
		return err
	}
	res, err := svc.Protection.Login(ctx, protection.LoginRequest{Login: email, Password: pw, ClientIP: ip})
	if err != nil {
		return err
	}
	sess := *res.Session
	app := lifecycle.Application{
		Confirmed: lifecycle.Conditions(),
		Reasons:   []lifecycle.Reason{lifecycle.ReasonNoLongerUsing},
	}
	apply := func() error {
		_, err := svc.ApplyCancellation(ctx, sess, app)
		var vr *protection.VerificationRequiredError
		if !errors.As(err, &vr) {
			return err
		}
		clock.Advance(time.Minute)
		ch, err := svc.Protection.StartVerification(ctx, protection.StartRequest{AccountID: sess.AccountID, Binding: sess.Binding(), Purpose: vr.Purpose, Method: vr.Methods[0], ClientIP: ip})
		if err != nil {
			return err
		}
		if _, err := svc.Protection.AnswerVerification(ctx, protection.AnswerRequest{AccountID: sess.AccountID, Binding: sess.Binding(), Purpose: vr.Purpose, Challenge: ch.ID, Answer: outbox.LastCode(email)}); err != nil {
			return err
		}
		_, err = svc.ApplyCancellation(ctx, sess, app)
		return err
	}
	if err := apply(); err != nil {
		return err
	}
	fmt.Fprintf(w, "   account %s applied after verifying by email; %d conditions confirmed\n", acc.ID, len(app.Confirmed))

	resources.set(acc.ID, lifecycle.Inventory{
		Resources:         []lifecycle.Resource{{ID: "cos-logs", Kind: "cos_bucket", Name: "logs", Abandonable: true}},
		UnsettledPostpaid: true,
	})
	rep, err := svc.Cancellation.Check(ctx, acc.ID)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "   resource check: %d to handle, %d to abandon, moved on: %v\n", len(rep.MustHandle), len(rep.NotAbandoned), rep.Advanced)
	if _, err := svc.Cancellation.Abandon(ctx, acc.ID, []string{"cos-logs"}); err != nil {
		return err
	}
	rep, err = svc.Cancellation.Check(ctx, acc.ID)
	if err != nil {
		return err
	}
	a, err := svc.Accounts.Account(ctx, acc.ID)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "   bucket abandoned; unsettled postpaid bill: %s until %s, account %s\n",
		rep.Cancellation.Status, rep.Cancellation.CoolingOffUntil.Format(time.DateOnly), a.State)
	clock.Advance(14 * 24 * time.Hour)
	_, err = svc.Cancellation.Check(ctx, acc.ID)
	fmt.Fprintf(w, "   day 14, check again: %v\n", reason.CodeOf(err))
	c, err := svc.Cancellation.Revoke(ctx, acc.ID)
	if err != nil {
		return err
	}
	a, err = svc.Accounts.Account(ctx, acc.ID)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "   revoked: %s, account %s\n", c.Status, a.State)

	step(w, "13. Cancel for good: nothing left, an unverified account is cancelled at once")
	resources.set(acc.ID, lifecycle.Inventory{})
	if err := apply(); err != nil {
		return err
	}
	if _, err := svc.Cancellation.Check(ctx, acc.ID); err != nil {
		return err
	}
	ic, err := svc.Cancellation.StartIdentityCheck(ctx, acc.ID)
	if err != nil {
		return err
	}
	_, err = svc.Accounts.Account(ctx, acc.ID)
	fmt.Fprintf(w, "   %s; the account: %v; the result went to %s\n", ic.Cancellation.Status, reason.CodeOf(err), acc.SecurityEmail)
	clock.Advance(time.Minute)
	if _, err := svc.Accounts.SendRegistrationCode(ctx, email, ip); err != nil {
		return err
	}
	again, err := svc.Accounts.Register(ctx, account.Registration{Method: account.MethodEmail, Identifier: email, Password: pw, Code: outbox.LastCode(email)})
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "   the email registers again: account %s (the old ID is never reused)\n", again.ID)
	return nil
}
