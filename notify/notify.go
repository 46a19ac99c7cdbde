// Package notify sends verification codes and notices through senders the
// host implements, and keeps one-time codes.
//
// A one-time code is 6 digits from crypto/rand, stored only as a keyed hash
// bound to its purpose, channel, destination and account, valid for
// CodePolicy.TTL (default and maximum 10 minutes), destroyed after
// CodePolicy.MaxWrong wrong answers (default 5) and consumed exactly once: of
// any number of concurrent correct answers, one succeeds. A newer code for the
// same target replaces the older one.
//
// Typical use:
//
//	codes, err := notify.NewCodes(notify.CodesConfig{Store: store, SMS: sms, Secret: key})
//	t := notify.Target{Purpose: notify.PurposeBindPhone, Channel: notify.SMS, Destination: "+8613800000000", AccountID: id}
//	_, err = codes.Send(ctx, t, clientIP)
//	// … the user types the code …
//	err = codes.Verify(ctx, t, typed)
package notify

import (
	"context"
	"time"
)

// Channel is how a message travels.
type Channel string

// The channels.
const (
	SMS   Channel = "sms"
	Email Channel = "email"
)

// Purpose says what a code or notice is for; hosts pick the message
// template by it. A code issued for one purpose never verifies another.
type Purpose string

// The purposes used by the library. Hosts may define their own.
const (
	PurposeLogin            Purpose = "login"
	PurposeVerifyIdentity   Purpose = "verify_identity"
	PurposeBindPhone        Purpose = "bind_phone"
	PurposeBindEmail        Purpose = "bind_email"
	PurposeChangeLoginEmail Purpose = "change_login_email"
	PurposeConfirmContact   Purpose = "confirm_contact"
	PurposeResetPassword    Purpose = "reset_password"
	PurposeRecoverAccount   Purpose = "recover_account"
	PurposeAppeal           Purpose = "appeal"
	PurposeNotice           Purpose = "notice"
)

// Message is one SMS or email for the host to deliver. Code is the one-time
// code when the message carries one: senders must not log it.
type Message struct {
	// Channel is SMS or Email.
	Channel Channel
	// To is the phone number (E.164) or email address.
	To string
	// Purpose selects the template.
	Purpose Purpose
	// AccountID is the account concerned, when there is one.
	AccountID string
	// Code is the one-time code, or "" for a notice.
	Code string
	// ExpiresAt is when Code stops being valid.
	ExpiresAt time.Time
	// Params carries template values for notices (never secrets).
	Params map[string]string
}

// SMSSender delivers text messages. The host implements it.
type SMSSender interface {
	SendSMS(ctx context.Context, m Message) error
}

// EmailSender delivers emails. The host implements it.
type EmailSender interface {
	SendEmail(ctx context.Context, m Message) error
}

// Gate decides whether a code may be sent now; limits.SendLimiter is one.
// It returns nil to allow, or an error (such as *limits.RateLimitedError)
// to refuse.
type Gate interface {
	Allow(ctx context.Context, channel, destination, clientIP string) error
}
