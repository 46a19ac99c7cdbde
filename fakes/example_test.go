package fakes_test

import (
	"context"
	"fmt"
	"time"

	"github.com/accountsec/accountsec/fakes"
	"github.com/accountsec/accountsec/notify"
)

func ExampleClock() {
	clock := fakes.NewClock(time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC))
	clock.Advance(29*time.Minute + 59*time.Second)
	fmt.Println(clock.Now().Format(time.TimeOnly))
	// Output: 09:29:59
}

func ExampleOutbox() {
	outbox := &fakes.Outbox{}
	_ = outbox.SendSMS(context.Background(), notify.Message{Channel: notify.SMS, To: "+8613800138000", Code: "123456"})
	fmt.Println(outbox.LastCode("+8613800138000"), len(outbox.Messages()))
	// Output: 123456 1
}
