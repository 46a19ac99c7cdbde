package notify_test

import (
	"context"
	"fmt"
	"time"

	"github.com/accountsec/accountsec/fakes"
	"github.com/accountsec/accountsec/notify"
	"github.com/accountsec/accountsec/reason"
	"github.com/accountsec/accountsec/store/memstore"
)

func ExampleCodes() {
	ctx := context.Background()
	clock := fakes.NewClock(time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC))
	outbox := &fakes.Outbox{} // the host's SMS gateway in production
	codes, err := notify.NewCodes(notify.CodesConfig{
		Store:  memstore.New(),
		SMS:    outbox,
		Secret: []byte("example-secret-of-32-bytes-long!"),
		Now:    clock.Now,
	})
	if err != nil {
		panic(err)
	}
	t := notify.Target{Purpose: notify.PurposeBindPhone, Channel: notify.SMS, Destination: "+8613800138000", AccountID: "100012345678"}
	sent, _ := codes.Send(ctx, t, "")
	fmt.Println("valid until", sent.ExpiresAt.Format(time.Kitchen))

	code := outbox.LastCode("+8613800138000")
	fmt.Println(reason.CodeOf(codes.Verify(ctx, t, "12 34 56")))
	fmt.Println(codes.Verify(ctx, t, code))
	fmt.Println(reason.CodeOf(codes.Verify(ctx, t, code)))
	// Output:
	// valid until 9:10AM
	// code.malformed
	// <nil>
	// code.invalid
}
