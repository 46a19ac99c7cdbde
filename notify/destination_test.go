package notify_test

import (
	"context"
	"sync"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/accountsec/accountsec/fakes"
	"github.com/accountsec/accountsec/notify"
	"github.com/accountsec/accountsec/reason"
	"github.com/accountsec/accountsec/store/memstore"
)

// countingGate records every destination it is asked about and allows all.
type countingGate struct {
	mu    sync.Mutex
	asked []string
}

func (g *countingGate) Allow(_ context.Context, _, destination, _ string) error {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.asked = append(g.asked, destination)
	return nil
}

func (g *countingGate) calls() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return len(g.asked)
}

// countingCodeStore counts every call that reaches the code store.
type countingCodeStore struct {
	notify.CodeStore
	mu    sync.Mutex
	calls int
}

func (s *countingCodeStore) count() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls++
}

func (s *countingCodeStore) n() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls
}

func (s *countingCodeStore) PutCode(ctx context.Context, key string, rec notify.CodeRecord, now time.Time) error {
	s.count()
	return s.CodeStore.PutCode(ctx, key, rec, now)
}

func (s *countingCodeStore) ConsumeCode(ctx context.Context, key string, hash []byte, now time.Time) (notify.Outcome, int, error) {
	s.count()
	return s.CodeStore.ConsumeCode(ctx, key, hash, now)
}

func (s *countingCodeStore) DeleteCode(ctx context.Context, key string) error {
	s.count()
	return s.CodeStore.DeleteCode(ctx, key)
}

type watched struct {
	codes  *notify.Codes
	gate   *countingGate
	store  *countingCodeStore
	outbox *fakes.Outbox
}

func newWatched(t testing.TB) watched {
	t.Helper()
	w := watched{gate: &countingGate{}, store: &countingCodeStore{CodeStore: memstore.New()}, outbox: &fakes.Outbox{}}
	c, err := notify.NewCodes(notify.CodesConfig{Store: w.store, SMS: w.outbox, Email: w.outbox, Gate: w.gate, Secret: secret, Now: fakes.NewClock(fakes.Epoch).Now})
	require.NoError(t, err)
	w.codes = c
	return w
}

// badDestinations are destinations with a control or invisible character,
// each with the expected detail.
var badDestinations = map[string]string{
	"victim@x.com\r\nBcc: evil@x.com": "control",
	"victim@x.com\nBcc: evil@x.com":   "control",
	"victim@x.com\rBcc: evil@x.com":   "control",
	"victim@x.com\r\n":                "control",
	"\nvictim@x.com":                  "control",
	"victim@x.com\x00evil@x.com":      "control",
	"+8613800000000\x00":              "control",
	"victim\t@x.com":                  "control",
	"victim@x.com\x1b[2J":             "control",
	"victim@x.com\x7f":                "control",
	"victim@x.com\u0085":              "control",
	"victim@x.com\u2028Bcc: e@x.com":  "control",
	"moc.x@\u202Evictim":              "invisible",
	"victim@x.com\u202A":              "invisible",
	"vic\u2066tim@x.com\u2069":        "invisible",
	"vic\u200Btim@x.com":              "invisible",
	"vic\u200Ctim@x.com":              "invisible",
	"vic\u200Dtim@x.com":              "invisible",
	"\uFEFFvictim@x.com":              "invisible",
	"+86138\u200E00000000":            "invisible",
}

func TestSendRefusesControlAndInvisibleCharactersInTheDestination(t *testing.T) {
	t.Parallel()
	w := newWatched(t)
	ctx := context.Background()
	for dest, detail := range badDestinations {
		for _, ch := range []notify.Channel{notify.Email, notify.SMS} {
			tg := notify.Target{Purpose: notify.PurposeBindEmail, Channel: ch, Destination: dest, AccountID: "100012345678"}
			sent, err := w.codes.Send(ctx, tg, "10.0.0.1")
			assert.Zero(t, sent, "%q", dest)
			var re *reason.Error
			require.ErrorAs(t, err, &re, "%q", dest)
			assert.Equal(t, reason.InputMalformed, re.Code, "%q", dest)
			assert.Equal(t, "destination", re.Params["field"], "%q", dest)
			assert.Equal(t, detail, re.Params["detail"], "%q", dest)
			assert.Equal(t, reason.InputMalformed, reason.CodeOf(w.codes.Verify(ctx, tg, "123456")), "%q", dest)
		}
	}
	assert.Empty(t, w.outbox.Messages(), "nothing was sent")
	assert.Zero(t, w.gate.calls(), "no send counter was asked")
	assert.Zero(t, w.store.n(), "nothing was stored, consumed or deleted")

	// The same fixture still sends to a clean destination.
	clean := notify.Target{Purpose: notify.PurposeBindEmail, Channel: notify.Email, Destination: "victim@x.com", AccountID: "100012345678"}
	_, err := w.codes.Send(ctx, clean, "10.0.0.1")
	require.NoError(t, err)
	assert.Len(t, w.outbox.Messages(), 1)
	assert.Equal(t, 1, w.gate.calls())
}

// FuzzDestination checks Send on any destination: one with a control or
// format character is refused as input.malformed before the gate, the store
// or the sender is reached; the sender only ever gets destinations free of
// them.
func FuzzDestination(f *testing.F) {
	for d := range badDestinations {
		f.Add(d)
	}
	for _, d := range []string{"victim@x.com", " +8613800000000 ", "", "\xff", "用户@例子.cn", "\u3000a@x.cn"} {
		f.Add(d)
	}
	w := newWatched(f)
	f.Fuzz(func(t *testing.T, dest string) {
		msgs, asked, stored := len(w.outbox.Messages()), w.gate.calls(), w.store.n()
		tg := notify.Target{Purpose: notify.PurposeLogin, Channel: notify.Email, Destination: dest}
		_, err := w.codes.Send(context.Background(), tg, "")
		if utf8.ValidString(dest) && len(dest) <= notify.MaxDestinationBytes && hasControlOrFormat(dest) {
			if reason.CodeOf(err) != reason.InputMalformed {
				t.Fatalf("Send(%q) = %v, want input.malformed", dest, err)
			}
		}
		if err != nil {
			if c := reason.CodeOf(err); c != reason.InputMalformed && c != reason.InputEmpty && c != reason.InputTooLong && c != reason.InputInvalidUTF8 {
				t.Fatalf("Send(%q): code %q", dest, c)
			}
			if len(w.outbox.Messages()) != msgs || w.gate.calls() != asked || w.store.n() != stored {
				t.Fatalf("refused Send(%q) sent, counted or stored something", dest)
			}
			return
		}
		all := w.outbox.Messages()
		if len(all) != msgs+1 || hasControlOrFormat(all[len(all)-1].To) {
			t.Fatalf("Send(%q) delivered %+v", dest, all[msgs:])
		}
	})
}

func hasControlOrFormat(s string) bool {
	for _, r := range s {
		if unicode.IsControl(r) || unicode.In(r, unicode.Cf, unicode.Zl, unicode.Zp) {
			return true
		}
	}
	return false
}
