package mfa_test

import (
	"context"
	"testing"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"

	"github.com/accountsec/accountsec/event"
	"github.com/accountsec/accountsec/fakes"
	"github.com/accountsec/accountsec/limits"
	"github.com/accountsec/accountsec/mfa"
)

// BenchmarkVerify is the whole verification on memstore: device lookup,
// limiter reservation and release (on memstore counters), opening the
// AES-GCM sealed secret, HMAC over the ±1 window in constant time, and the
// atomic step advance. Each iteration moves the clock one step on, because
// a code is accepted only once.
//
// Events go to a hook that drops them, as a host's quick hand-off would;
// fakes.Events would measure its own growing slice.
func BenchmarkVerify(b *testing.B) {
	f := newFixtureAt(b, fakes.Epoch, limits.Lockout{}, func(c *mfa.Config) { c.Events = func(context.Context, event.Event) {} })
	p := f.bound(b, account)
	start := f.clock.Now()
	times := make([]time.Time, b.N)
	codes := make([]string, b.N)
	for i := range codes {
		times[i] = start.Add(time.Duration(i+1) * 30 * time.Second)
		codes[i] = p.code(b, times[i])
	}
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		f.clock.Set(times[i])
		if _, err := f.m.Verify(ctx, account, codes[i]); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkBareValidateCustom is pquerna/otp's ValidateCustom with the same
// parameters (SHA-1, 6 digits, 30 s, skew 1): the arithmetic alone, with
// no replay protection, no attempt limit and the secret in the clear.
func BenchmarkBareValidateCustom(b *testing.B) {
	f := newFixture(b)
	p := f.bound(b, account)
	at := f.clock.Now().Add(time.Minute)
	code := p.code(b, at)
	opts := totp.ValidateOpts{Period: 30, Skew: 1, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		ok, err := totp.ValidateCustom(code, p.secret, at, opts)
		if err != nil || !ok {
			b.Fatal(ok, err)
		}
	}
}

// BenchmarkParseCode is the strict parser alone.
func BenchmarkParseCode(b *testing.B) {
	for i := 0; i < b.N; i++ {
		if !mfa.ParseCode("123456", 6) {
			b.Fatal("refused")
		}
	}
}
