package fakes

import (
	"context"
	"sync"

	"github.com/accountsec/accountsec/event"
)

// Events records every event. Pass its Hook method as an event.Hook. The
// zero Events is ready.
type Events struct {
	mu  sync.Mutex
	all []event.Event
}

// Hook records e.
func (r *Events) Hook(_ context.Context, e event.Event) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.all = append(r.all, e)
}

// All returns a copy of the recorded events, oldest first.
func (r *Events) All() []event.Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]event.Event(nil), r.all...)
}

// Kinds returns the kinds of the recorded events, oldest first.
func (r *Events) Kinds() []event.Kind {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]event.Kind, len(r.all))
	for i, e := range r.all {
		out[i] = e.Kind
	}
	return out
}

// Count returns how many events of kind k were recorded.
func (r *Events) Count(k event.Kind) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 0
	for _, e := range r.all {
		if e.Kind == k {
			n++
		}
	}
	return n
}
