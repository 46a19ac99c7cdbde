package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/accountsec/accountsec"
	"github.com/accountsec/accountsec/account"
	"github.com/accountsec/accountsec/fakes"
	"github.com/accountsec/accountsec/protection"
	"github.com/accountsec/accountsec/reason"
	"github.com/accountsec/accountsec/recovery"
)

// hostFace stands for the host's face verification (of an account's
// real-name person, and of an enterprise's legal person).
var hostFace = &fakes.HostVerifier{}

// appeal is the application to log in of a personally verified account
// whose login email is lost: identity and contact phone, a new login
// email, no new phone, a face check, then a reviewer's approval.
func appeal(ctx context.Context, w io.Writer, svc *accountsec.Service, clock *fakes.Clock, outbox *fakes.Outbox) error {
	const lost, found, pw, contact = "dave@example.com", "dave.new@example.com", "Car0l!Secret", "+8613700137000"
	step(w, "Appeal: dave lost his mailbox; he applies to log in with a new email")
	clock.Advance(time.Minute)
	if _, err := svc.Accounts.SendRegistrationCode(ctx, lost, "203.0.113.8"); err != nil {
		return err
	}
	acc, err := svc.Accounts.Register(ctx, account.Registration{Method: account.MethodEmail, Identifier: lost, Password: pw, Code: outbox.LastCode(lost)})
	if err != nil {
		return err
	}
	if _, err := svc.Accounts.RecordPersonal(ctx, acc.ID, account.PersonalIdentity{Name: "王五", IDNumber: "11010519491231002X"}); err != nil {
		return err
	}
	if _, err := svc.Appeals.SendContactCode(ctx, contact, "203.0.113.8"); err != nil {
		return err
	}
	st, err := svc.Appeals.Start(ctx, recovery.AppealStart{
		Account: acc.ID, Name: "王五", IDNumber: "11010519491231002X", Reason: recovery.AppealEmailLost,
		ContactPhone: contact, Code: outbox.LastCode(contact),
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "   identity and contact phone accepted; next: %s (by %s)\n", st.Step, st.ExpiresAt.Format(time.DateTime))
	clock.Advance(time.Minute)
	if _, err := svc.Appeals.SendContactCode(ctx, contact, "203.0.113.8"); err != nil {
		return err
	}
	_, err = svc.Appeals.Start(ctx, recovery.AppealStart{Account: acc.ID, Name: "王五", IDNumber: "11010519491231002X", Reason: recovery.AppealEmailLost, ContactPhone: contact, Code: outbox.LastCode(contact)})
	fmt.Fprintf(w, "   a second appeal: %v\n", reason.CodeOf(err))
	if _, err := svc.Appeals.SendEmailCode(ctx, st.Ref, found, "203.0.113.8"); err != nil {
		return err
	}
	if _, err := svc.Appeals.SetLoginEmail(ctx, st.Ref, recovery.AppealLoginEmail{Email: found, Password: pw + "2", Confirm: pw + "2", Code: outbox.LastCode(found)}); err != nil {
		return err
	}
	if _, err := svc.Appeals.SkipSecurityPhone(ctx, st.Ref); err != nil {
		return err
	}
	ch, err := svc.Appeals.StartFace(ctx, st.Ref)
	if err != nil {
		return err
	}
	hostFace.Confirm(ch.Ticket) // the host's face check matched
	if st, err = svc.Appeals.FaceResult(ctx, st.Ref); err != nil {
		return err
	}
	items, err := svc.Review.Pending(ctx)
	if err != nil || len(items) == 0 {
		return fmt.Errorf("no appeal to review: %v", err)
	}
	fmt.Fprintf(w, "   %s; the reviewer sees a %s for account %s, new login email %s\n", st.Step, items[0].Kind, items[0].AccountID, items[0].LoginEmail)
	if _, err := svc.Review.Decide(ctx, recovery.Decision{ID: items[0].ID, Reviewer: "support-7", Approve: true, Note: "face matched"}); err != nil {
		return err
	}
	res, err := svc.Protection.Login(ctx, protection.LoginRequest{Login: found, Password: pw + "2", ClientIP: "203.0.113.8"})
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "   approved: the new login email signs in (session: %v)\n", res.Session != nil)
	return nil
}
