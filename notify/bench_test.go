package notify_test

import (
	"context"
	"testing"
	"time"

	"github.com/accountsec/accountsec/notify"
)

// BenchmarkSendVerify issues a code (random draw, keyed hash, store, hand-off
// to the sender) and verifies it (keyed hash, atomic consume).
func BenchmarkSendVerify(b *testing.B) {
	f := newCodes(b, notify.CodePolicy{})
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := f.codes.Send(ctx, phone, ""); err != nil {
			b.Fatal(err)
		}
		code := f.outbox.LastCode(phone.Destination)
		if err := f.codes.Verify(ctx, phone, code); err != nil {
			b.Fatal(err)
		}
		f.clock.Advance(time.Millisecond)
	}
}
