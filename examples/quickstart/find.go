package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"time"

	"github.com/accountsec/accountsec"
	"github.com/accountsec/accountsec/fakes"
	"github.com/accountsec/accountsec/notify"
	"github.com/accountsec/accountsec/recovery"
)

// findAccount walks through finding a forgotten account: by account ID,
// then by security phone. Every answer is the same whether or not anything
// matched; information goes only to a verified security phone.
func findAccount(ctx context.Context, w io.Writer, svc *accountsec.Service, clock *fakes.Clock, outbox *fakes.Outbox, accountID string) error {
	step(w, "11. Find a forgotten account: the same answer whether or not anything matches")
	clock.Advance(time.Minute)
	var answers [2]string
	for i, id := range []string{accountID, "199999999999"} {
		s, err := svc.Find.Start(ctx, recovery.WayAccountID, id, "203.0.113.7")
		if err != nil {
			return err
		}
		sent, err := svc.Find.VerifyPhone(ctx, s.Token, "+8613800138000", "203.0.113.7")
		if err != nil {
			return err
		}
		b, _ := json.Marshal(sent)
		answers[i] = string(b)
		clock.Advance(2 * time.Minute)
		fmt.Fprintf(w, "   account ID %s, methods %v, phone entered: %s\n", id, s.Methods, b)
	}
	fmt.Fprintf(w, "   both answers the same: %t\n", answers[0] == answers[1])
	sent, err := svc.Find.FindByPhone(ctx, "+8613900139000", "203.0.113.7")
	if err != nil {
		return err
	}
	infos := 0
	for _, m := range outbox.Messages() {
		if m.Purpose == notify.PurposeRecoverAccount {
			infos++
		}
	}
	fmt.Fprintf(w, "   by security phone: sent to %s; account information messages sent: %d (no phone is this account's security phone)\n", sent.To, infos)
	return nil
}
