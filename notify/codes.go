package notify

import (
	"context"
	"io"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/accountsec/accountsec/internal/env"
	"github.com/accountsec/accountsec/internal/keyhash"
	"github.com/accountsec/accountsec/internal/policycheck"
	"github.com/accountsec/accountsec/reason"
)

// CodeLength is the number of digits of a one-time code.
const CodeLength = 6

// MaxDestinationBytes is the longest destination accepted (an email address
// is at most 254 bytes).
const MaxDestinationBytes = 254

// Sentinel errors, matched with errors.Is.
var (
	// ErrMalformed: the submitted code is not 6 ASCII digits. Nothing was
	// counted or consumed.
	ErrMalformed = reason.New(reason.CodeMalformed)
	// ErrMismatch: the code is wrong; one wrong answer was counted. The
	// error's "remaining" parameter says how many are left.
	ErrMismatch = reason.New(reason.CodeMismatch)
	// ErrInvalid: no valid code exists for the target (never sent, expired,
	// used, or destroyed by wrong answers).
	ErrInvalid = reason.New(reason.CodeInvalid)
	// ErrSendFailed: the host's sender failed; no code is left valid.
	ErrSendFailed = reason.New(reason.CodeSendFailed)
)

// CodePolicy is the one-time code policy. A zero field means its default.
type CodePolicy struct {
	// TTL is how long a code is valid (default 10 minutes; allowed 1 to 10
	// minutes).
	TTL time.Duration `validate:"min=0,max=10m"`
	// MaxWrong is how many wrong answers destroy a code (default 5;
	// allowed 1 to 10).
	MaxWrong int `validate:"min=0,max=10"`
}

// CodesConfig is what Codes needs from the host.
type CodesConfig struct {
	// Store keeps the codes' hashes. Required.
	Store CodeStore
	// SMS delivers codes by SMS; required to send on the SMS channel.
	SMS SMSSender
	// Email delivers codes by email; required to send on the Email channel.
	Email EmailSender
	// Gate, when set, is asked before every send (for example a
	// limits.SendLimiter). Without one, sending is not rate limited.
	Gate Gate
	// Secret keys the hashes of codes and targets. At least 16 bytes.
	Secret []byte
	// Policy is the code policy (zero means defaults).
	Policy CodePolicy
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Rand is the randomness source; nil means crypto/rand.
	Rand io.Reader
}

// Codes issues and verifies one-time codes.
type Codes struct {
	store  CodeStore
	sms    SMSSender
	email  EmailSender
	gate   Gate
	keys   *keyhash.Hasher
	policy CodePolicy
	now    func() time.Time
	rand   io.Reader
}

// NewCodes returns a Codes for cfg.
func NewCodes(cfg CodesConfig) (*Codes, error) {
	if cfg.Store == nil {
		return nil, reason.New(reason.PolicyInvalid).With("field", "notify.CodesConfig.Store").With("value", "nil").With("allowed", "a CodeStore")
	}
	if err := policycheck.Check("notify.CodePolicy", cfg.Policy); err != nil {
		return nil, err
	}
	p := cfg.Policy
	if p.TTL == 0 {
		p.TTL = 10 * time.Minute
	}
	if p.MaxWrong == 0 {
		p.MaxWrong = 5
	}
	if err := policycheck.Check("notify.CodePolicy", struct {
		TTL time.Duration `validate:"min=1m,max=10m"`
	}{p.TTL}); err != nil {
		return nil, err
	}
	keys, err := keyhash.New(cfg.Secret)
	if err != nil {
		return nil, err
	}
	return &Codes{
		store: cfg.Store, sms: cfg.SMS, email: cfg.Email, gate: cfg.Gate, keys: keys, policy: p,
		now: env.Clock(cfg.Now), rand: env.Rand(cfg.Rand),
	}, nil
}

// Policy returns the resolved policy.
func (c *Codes) Policy() CodePolicy { return c.policy }

// Target is what a code is bound to: it verifies only for the same purpose,
// channel, destination and account.
type Target struct {
	// Purpose of the code. Required.
	Purpose Purpose
	// Channel to send on. Required.
	Channel Channel
	// Destination is the phone number or email address. Required. It is
	// compared after trimming white space and lower-casing; pass identifiers
	// normalised by the account package. A destination with a control
	// character (NUL, CR, LF, …) or an invisible one (a bidi control, a
	// zero-width character, …) anywhere is refused: input.malformed with
	// field "destination" and "detail" "control" or "invisible".
	Destination string
	// AccountID is the account the code is for; empty when there is none
	// yet (for example at registration).
	AccountID string
}

// Sent reports a code that was sent.
type Sent struct {
	// ExpiresAt is when the code stops being valid.
	ExpiresAt time.Time
}

func (t Target) check() (dest string, err error) {
	switch {
	case t.Purpose == "":
		return "", reason.New(reason.InputEmpty).With("field", "purpose")
	case t.Channel != SMS && t.Channel != Email:
		return "", reason.New(reason.InputMalformed).With("field", "channel")
	case !utf8.ValidString(t.Destination):
		return "", reason.New(reason.InputInvalidUTF8).With("field", "destination")
	case len(t.Destination) > MaxDestinationBytes:
		return "", reason.New(reason.InputTooLong).With("field", "destination").With("max", MaxDestinationBytes)
	}
	if detail := destinationProblem(t.Destination); detail != "" {
		return "", reason.New(reason.InputMalformed).With("field", "destination").With("detail", detail)
	}
	dest = strings.ToLower(strings.TrimSpace(t.Destination))
	if dest == "" {
		return "", reason.New(reason.InputEmpty).With("field", "destination")
	}
	if len(t.AccountID) > MaxDestinationBytes || len(t.Purpose) > MaxDestinationBytes {
		return "", reason.New(reason.InputTooLong).With("field", "target").With("max", MaxDestinationBytes)
	}
	return dest, nil
}

// destinationProblem reports why dest, valid UTF-8, cannot be handed to a
// sender: "control" when it holds a control character anywhere (C0 such as
// NUL, CR and LF, DEL, C1, or U+2028, U+2029; even at either end: a
// destination is a normalised identifier, and a CR or LF in it could add a
// header or a recipient to a message), or "invisible" when it holds a
// format character (Unicode category Cf: the bidi controls U+202A–U+202E
// and U+2066–U+2069, the zero-width characters U+200B–U+200D, U+FEFF, …),
// which would show the user or an operator one address and deliver to
// another. It returns "" when there are none; it does not check the
// address itself.
func destinationProblem(dest string) string {
	for _, r := range dest {
		switch {
		case r < 0x20 || (r >= 0x7f && r < 0xa0) || r == '\u2028' || r == '\u2029':
			return "control"
		case r >= 0xad && unicode.Is(unicode.Cf, r):
			return "invisible"
		}
	}
	return ""
}

func (c *Codes) key(t Target, dest string) string {
	return c.keys.Key("code", string(t.Purpose), string(t.Channel), dest, t.AccountID)
}

// hash binds the code to its store key, so a hash copied to another key
// does not verify there.
func (c *Codes) hash(key, code string) []byte { return c.keys.Sum("code-hash", key, code) }

// Send issues a new code for t (replacing any older one), asks the gate,
// and hands the code to the sender of t's channel. clientIP is passed to
// the gate and may be empty. If the sender fails, the code is deleted and
// ErrSendFailed is returned. A bad target (see Target) is refused before the
// gate is asked, anything is stored or the sender is called.
func (c *Codes) Send(ctx context.Context, t Target, clientIP string) (Sent, error) {
	dest, err := t.check()
	if err != nil {
		return Sent{}, err
	}
	send := c.sender(t.Channel)
	if send == nil {
		return Sent{}, reason.New(reason.PolicyInvalid).With("field", "notify.CodesConfig."+channelField(t.Channel)).With("value", "nil").With("allowed", "a sender")
	}
	if c.gate != nil {
		if err := c.gate.Allow(ctx, string(t.Channel), dest, clientIP); err != nil {
			return Sent{}, err
		}
	}
	code, err := c.newCode()
	if err != nil {
		return Sent{}, err
	}
	key := c.key(t, dest)
	now := c.now()
	rec := CodeRecord{Hash: c.hash(key, code), ExpiresAt: now.Add(c.policy.TTL), MaxWrong: c.policy.MaxWrong}
	if err := c.store.PutCode(ctx, key, rec, now); err != nil {
		return Sent{}, reason.Store(err)
	}
	m := Message{Channel: t.Channel, To: strings.TrimSpace(t.Destination), Purpose: t.Purpose, AccountID: t.AccountID, Code: code, ExpiresAt: rec.ExpiresAt}
	if err := send(ctx, m); err != nil {
		_ = c.store.DeleteCode(ctx, key) // best effort; the code was never delivered
		return Sent{}, ErrSendFailed.Wrap(err)
	}
	return Sent{ExpiresAt: rec.ExpiresAt}, nil
}

// Verify checks code for t and consumes it on success. It returns nil,
// ErrMalformed (nothing counted), ErrMismatch with the remaining tries,
// ErrInvalid, or a reason.StoreUnavailable error.
func (c *Codes) Verify(ctx context.Context, t Target, code string) error {
	dest, err := t.check()
	if err != nil {
		return err
	}
	if !ParseCode(code) {
		return ErrMalformed
	}
	key := c.key(t, dest)
	out, remaining, err := c.store.ConsumeCode(ctx, key, c.hash(key, code), c.now())
	if err != nil {
		return reason.Store(err)
	}
	switch out {
	case Matched:
		return nil
	case Mismatched:
		return ErrMismatch.With("remaining", max(remaining, 0))
	default:
		return ErrInvalid
	}
}

// ParseCode reports whether s is exactly CodeLength ASCII digits. Spaces,
// full-width digits, signs and other characters are refused, not repaired.
func ParseCode(s string) bool {
	if len(s) != CodeLength {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// newCode draws a uniform 6-digit code by rejection sampling, so no digit
// string is likelier than another.
func (c *Codes) newCode() (string, error) {
	const space = 1_000_000
	const limit = (1 << 32) / space * space
	var b [4]byte
	for {
		if _, err := io.ReadFull(c.rand, b[:]); err != nil {
			return "", reason.New(reason.StoreUnavailable).Wrap(err)
		}
		n := uint64(b[0])<<24 | uint64(b[1])<<16 | uint64(b[2])<<8 | uint64(b[3])
		if n < limit {
			n %= space
			out := []byte("000000")
			for i := CodeLength - 1; i >= 0; i-- {
				out[i] = byte('0' + n%10)
				n /= 10
			}
			return string(out), nil
		}
	}
}

func (c *Codes) sender(ch Channel) func(context.Context, Message) error {
	switch {
	case ch == SMS && c.sms != nil:
		return c.sms.SendSMS
	case ch == Email && c.email != nil:
		return c.email.SendEmail
	}
	return nil
}

func channelField(ch Channel) string {
	if ch == SMS {
		return "SMS"
	}
	return "Email"
}
