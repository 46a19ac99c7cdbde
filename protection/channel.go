package protection

import "slices"

// Methods and channels (docs/SECURITY.md, "Methods and channels").
//
// Every verification method proves control of one channel, and the methods
// are ranked by strength. Two rules follow:
//
//   - a step that names a method (login protection, operation protection,
//     the remote-login method, the MFA binding method) is completed by that
//     method only, as long as the account can use it. Only when it cannot
//     (not bound, or the host wired no verifier for it) are alternatives
//     offered, and then only methods of at least the same strength. A step
//     that names no method accepts any method the account can use;
//   - a method never serves a step whose channel the flow has already
//     proven or delivered to: email never completes the second step of a
//     password login (login protection or remote-login protection), and
//     never verifies a password reset, whose link went to the mailbox.

// Channel is what a verification method proves control of.
type Channel string

// The channels of the verification methods.
const (
	// ChannelMFADevice is the MFA device (an authenticator app's secret or a
	// hardware token): MFA.
	ChannelMFADevice Channel = "mfa_device"
	// ChannelWeChat is the WeChat account linked to the account:
	// WeChatScan.
	ChannelWeChat Channel = "wechat_account"
	// ChannelRealName is the real-name person, checked by face: Face.
	ChannelRealName Channel = "real_name_face"
	// ChannelPhone is the security phone (its SIM): SMS.
	ChannelPhone Channel = "phone"
	// ChannelMailbox is the security email's mailbox: Email.
	ChannelMailbox Channel = "mailbox"
)

// ChannelOf returns the channel method m proves control of, or "" for None
// and unknown methods.
func ChannelOf(m Method) Channel {
	switch m {
	case MFA:
		return ChannelMFADevice
	case WeChatScan:
		return ChannelWeChat
	case Face:
		return ChannelRealName
	case SMS:
		return ChannelPhone
	case Email:
		return ChannelMailbox
	}
	return ""
}

// strengthOrder is the methods from the strongest to the weakest. MFA is a
// device secret that never travels; a WeChat scan needs the WeChat account
// on its logged-in phone; a face check needs the person but is run by a
// third party on images; an SMS code can be intercepted by a SIM swap or a
// carrier; an email code by anyone who reads the mailbox, which is also
// where password resets go.
var strengthOrder = []Method{MFA, WeChatScan, Face, SMS, Email}

// StrengthOrder returns the verification methods from the strongest to the
// weakest: MFA, WeChatScan, Face, SMS, Email.
func StrengthOrder() []Method { return slices.Clone(strengthOrder) }

// Strength ranks method m: 5 for MFA down to 1 for Email (see
// [StrengthOrder]); 0 for None and unknown methods, which never verify.
func Strength(m Method) int {
	i := slices.Index(strengthOrder, m)
	if i < 0 {
		return 0
	}
	return len(strengthOrder) - i
}

// AtLeastAsStrong reports whether method a is at least as strong as b.
func AtLeastAsStrong(a, b Method) bool { return Strength(a) >= Strength(b) && Strength(a) > 0 }

// excludedChannels are the channels that may never serve purpose after a
// first step by loginMethod ("" outside a login). The password of a
// password login is reset through the mailbox, so the mailbox proves
// nothing the password does not; a password reset's link went to the
// mailbox, so the mailbox cannot also verify it.
func excludedChannels(purpose, loginMethod string) []Channel {
	switch {
	case purpose == PurposeLogin && loginMethod == LoginMethodPassword:
		return []Channel{ChannelMailbox}
	case purpose == OpResetPassword:
		return []Channel{ChannelMailbox}
	}
	return nil
}

// serves reports whether a verification by method may serve purpose (after
// a first step by loginMethod, for a login): its channel is not excluded.
func serves(method Method, purpose, loginMethod string) bool {
	return !slices.Contains(excludedChannels(purpose, loginMethod), ChannelOf(method))
}
