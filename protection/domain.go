package protection

import (
	"context"
	"errors"

	"github.com/accountsec/accountsec/account"
	"github.com/accountsec/accountsec/mfa"
	"github.com/accountsec/accountsec/reason"
	"github.com/accountsec/accountsec/vocab"
)

// Devices finds an account's MFA device and checks its codes. *mfa.Manager
// implements it.
type Devices interface {
	// Device returns the account's active device; found is false when it
	// has none.
	Device(ctx context.Context, accountID string) (d mfa.Device, found bool, err error)
	// Verify checks a TOTP code of the account's device, once.
	Verify(ctx context.Context, accountID, code string) (mfa.Verification, error)
}

// AccountsOf returns the [Accounts] that protection reads profiles from and
// writes settings to, served by the account service (the settings are the
// account's security settings) and devices (whether the account has an MFA
// device). Build the account service and the MFA manager first, then
// protection on top of them: calls only go down.
func AccountsOf(accounts *account.Service, devices Devices) Accounts {
	return domainAccounts{accounts: accounts, devices: devices}
}

// MFAOf returns the [MFAVerifier] of devices.
func MFAOf(devices Devices) MFAVerifier {
	return MFAFunc(func(ctx context.Context, accountID, code string) error {
		_, err := devices.Verify(ctx, accountID, code)
		return err
	})
}

type domainAccounts struct {
	accounts *account.Service
	devices  Devices
}

func (d domainAccounts) Profile(ctx context.Context, accountID string) (Profile, bool, error) {
	p, found, err := d.profileWithoutMFA(ctx, accountID)
	if err != nil || !found {
		return p, found, err
	}
	if p.HasMFA, err = d.hasMFA(ctx, accountID); err != nil {
		return Profile{}, false, err
	}
	return p, true, nil
}

// profileWithoutMFA is Profile without the device read: HasMFA is false
// whatever the account has. A login that needs no second step never asks
// (see lazyMFA).
func (d domainAccounts) profileWithoutMFA(ctx context.Context, accountID string) (Profile, bool, error) {
	a, err := d.accounts.Account(ctx, accountID)
	switch {
	case errors.Is(err, account.ErrNotFound), isInputError(err):
		return Profile{}, false, nil
	case err != nil:
		return Profile{}, false, err
	}
	return Profile{
		AccountID:     a.ID,
		SecurityPhone: a.SecurityPhone,
		SecurityEmail: a.SecurityEmail,
		HasWeChat:     a.HasLoginMethod(vocab.LoginWeChat),
		HasFace:       a.RealName.Status == account.RealNamePersonal || a.RealName.Status == account.RealNameEnterprise,
		Settings:      Settings(a.Security),
		State:         a.State,
	}, true, nil
}

// hasMFA reports whether the account has an active MFA device.
func (d domainAccounts) hasMFA(ctx context.Context, accountID string) (bool, error) {
	_, found, err := d.devices.Device(ctx, accountID)
	return found, err
}

// lazyMFA is an [Accounts] that can give a profile without reading whether
// the account has an MFA device, and that answer on its own; HasMFA only
// matters to the methods a verification offers, so a login that ends in a
// session at once skips the device read. Accounts of the host that do not
// implement it are asked for the whole profile.
type lazyMFA interface {
	profileWithoutMFA(ctx context.Context, accountID string) (Profile, bool, error)
	hasMFA(ctx context.Context, accountID string) (bool, error)
}

func (d domainAccounts) UpdateSettings(ctx context.Context, proofs []vocab.Proof, accountID string, c SettingsChange) (bool, error) {
	_, err := d.accounts.UpdateSecurity(ctx, proofs, accountID, account.SecurityChange(c))
	if errors.Is(err, account.ErrNotFound) {
		return false, nil
	}
	return err == nil, err
}

// isInputError reports whether err is about the caller's input rather than
// the system.
func isInputError(err error) bool {
	switch reason.CodeOf(err) {
	case reason.InputEmpty, reason.InputMalformed, reason.InputTooLong, reason.InputInvalidUTF8:
		return true
	}
	return false
}
