package fakes

import (
	"context"
	"errors"
	"sync"

	"github.com/accountsec/accountsec/notify"
)

// Outbox records every SMS and email instead of sending it. It implements
// notify.SMSSender and notify.EmailSender. The zero Outbox is ready.
type Outbox struct {
	mu   sync.Mutex
	msgs []notify.Message
	fail error
}

// ErrUndeliverable is what a failing Outbox returns.
var ErrUndeliverable = errors.New("fakes: undeliverable")

// SendSMS records m.
func (o *Outbox) SendSMS(_ context.Context, m notify.Message) error { return o.record(m) }

// SendEmail records m.
func (o *Outbox) SendEmail(_ context.Context, m notify.Message) error { return o.record(m) }

func (o *Outbox) record(m notify.Message) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.fail != nil {
		return o.fail
	}
	o.msgs = append(o.msgs, m)
	return nil
}

// FailWith makes every later send fail with err (nil restores delivery).
func (o *Outbox) FailWith(err error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.fail = err
}

// Messages returns a copy of every message recorded, oldest first.
func (o *Outbox) Messages() []notify.Message {
	o.mu.Lock()
	defer o.mu.Unlock()
	return append([]notify.Message(nil), o.msgs...)
}

// Last returns the newest message sent to the address to, and whether there
// is one.
func (o *Outbox) Last(to string) (notify.Message, bool) {
	o.mu.Lock()
	defer o.mu.Unlock()
	for i := len(o.msgs) - 1; i >= 0; i-- {
		if o.msgs[i].To == to {
			return o.msgs[i], true
		}
	}
	return notify.Message{}, false
}

// LastCode returns the code of the newest message to to, or "".
func (o *Outbox) LastCode(to string) string {
	m, _ := o.Last(to)
	return m.Code
}
