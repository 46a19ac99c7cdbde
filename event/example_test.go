package event_test

import (
	"context"
	"fmt"
	"time"

	"github.com/accountsec/accountsec/event"
)

func ExampleHook() {
	// A host hands events to its audit log; here it prints them.
	var hook event.Hook = func(_ context.Context, e event.Event) {
		fmt.Println(e.Kind, e.Scope, e.Until.Format(time.Kitchen))
	}
	hook.Emit(context.Background(), event.Event{Kind: event.Locked, Scope: "login", Until: time.Date(2026, 11, 27, 9, 30, 0, 0, time.UTC)})

	var none event.Hook // a nil hook discards events
	none.Emit(context.Background(), event.Event{Kind: event.Unlocked})
	// Output:
	// locked login 9:30AM
}
