package protection

import (
	"github.com/accountsec/accountsec/account"
	"github.com/accountsec/accountsec/vocab"
)

// Method is an identity verification method: [vocab.VerifyMethod].
type Method = vocab.VerifyMethod

// The verification methods of docs/RULES.md's glossary, and None for a
// protection that is turned off, under protection's short names.
const (
	// None turns a protection off. It is a setting, never a way to verify.
	None = vocab.VerifyNone
	// MFA is a TOTP code of the account's MFA device.
	MFA = vocab.VerifyMFA
	// SMS is a 6-digit code sent to the security phone.
	SMS = vocab.VerifySMS
	// Email is a 6-digit code sent to the security email.
	Email = vocab.VerifyEmail
	// WeChatScan is a scan by the account's linked WeChat, confirmed by the
	// host.
	WeChatScan = vocab.VerifyWeChatScan
	// Face is a face verification of the account's real-name person,
	// performed by the host.
	Face = vocab.VerifyFace
)

// defaultOrder is the order in which methods are preferred when the
// account's settings name none: the strongest and cheapest first.
var defaultOrder = vocab.VerifyMethods()

// Profile is what protection needs to know about an account. The host's
// [Accounts] builds it from the account record.
type Profile struct {
	// AccountID is the account's ID.
	AccountID string
	// SecurityPhone is the security phone number (E.164), or "" when the
	// account has none. SMS codes go there.
	SecurityPhone string
	// SecurityEmail is the security email address, or "" when the account
	// has none. Email codes go there.
	SecurityEmail string
	// HasMFA is true when an MFA device is bound.
	HasMFA bool
	// HasWeChat is true when a WeChat is linked (for WeChat-scan
	// verification).
	HasWeChat bool
	// HasFace is true when the account has a real-name person whose face
	// the host can verify.
	HasFace bool
	// Settings are the account's protection settings. Zero fields mean the
	// defaults (see [Settings]).
	Settings Settings
	// State is the account's lifecycle state; "" counts as active. A
	// cancelling account may perform only account-centre and billing
	// operations (see [Operation]).
	State account.State
}

// Has reports whether the account has method m: the device, contact or link
// it needs. Whether the host wired a verifier for it is checked separately.
func (p Profile) Has(m Method) bool {
	switch m {
	case MFA:
		return p.HasMFA
	case SMS:
		return p.SecurityPhone != ""
	case Email:
		return p.SecurityEmail != ""
	case WeChatScan:
		return p.HasWeChat
	case Face:
		return p.HasFace
	}
	return false
}
