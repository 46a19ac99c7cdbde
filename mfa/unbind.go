package mfa

import (
	"context"
	"fmt"

	"github.com/accountsec/accountsec/account"
	"github.com/accountsec/accountsec/event"
	"github.com/accountsec/accountsec/reason"
	"github.com/accountsec/accountsec/vocab"
)

// Fallback says what login protection and operation protection fell back
// to when MFA was turned off in them, in the words of the settings' owner
// (for example "none", "sms", "wechat_scan"). An empty field means that
// protection did not use MFA and was left alone.
type Fallback = account.MFAFallback

// ProtectionSettings turns MFA off in an account's login and operation
// protection. The account package's security settings implement it; the
// mfa package only calls it, so that it does not depend on where the
// settings live.
type ProtectionSettings interface {
	// DisableMFA replaces MFA in the account's login and operation
	// protection by the fallback its owner chooses, and reports it. It is
	// not an error if neither protection used MFA.
	// p is the proof of vocab.OpUnbindMFA that Unbind was given.
	DisableMFA(ctx context.Context, p vocab.Proof, accountID string) (Fallback, error)
}

// UnbindReport tells what Unbind did.
type UnbindReport struct {
	// Device is the device that was unbound.
	Device Device
	// Fallback is what the protection settings fell back to; zero when no
	// ProtectionSettings is configured.
	Fallback Fallback
	// ProtectionUpdated reports whether ProtectionSettings was called.
	ProtectionUpdated bool
}

// Unbind removes the account's MFA device after checking a current code
// from it (the code is spent like any other), turns MFA off in login and
// operation protection through Config.Protection, deletes the backup codes
// with the device (in one write), and releases a hardware token so that it
// can be bound again.
//
// The device is removed before protection is turned off. If the removal
// fails, nothing changed (but the code is spent) and the user can try again
// with a new code. If turning protection off fails after the removal,
// login and operation protection still name MFA, which protection then
// answers with the account's other methods: stricter than the fallback,
// never weaker. A retry finds no device (ErrNotBound), and whoever called
// turns MFA off then (the facade's UnbindMFA does). The other order could
// leave the device bound with protection already switched to none, so that
// the next login needed only the password.
//
// Errors: those of Verify, a reason.StoreUnavailable error wrapping the
// settings' error (the device is gone then; the report names it), and
// ErrNotBound if the device was unbound meanwhile.
//
// proof must prove vocab.OpUnbindMFA for the account (protection.Manager.Authorize
// mints it for the signed-in session); without it Unbind returns
// *vocab.VerificationRequiredError and changes nothing.
func (m *Manager) Unbind(ctx context.Context, proof vocab.Proof, accountID, code string) (UnbindReport, error) {
	if err := checkAccount(accountID); err != nil {
		return UnbindReport{}, err
	}
	if err := vocab.Require(proof, accountID, vocab.OpUnbindMFA, m.now()); err != nil {
		return UnbindReport{}, err
	}
	doc, err := m.loadAccount(ctx, accountID)
	if err != nil {
		return UnbindReport{}, err
	}
	if doc.active == nil {
		return UnbindReport{}, ErrNotBound
	}
	d := *doc.active
	if _, doc, err = m.verifyDevice(ctx, doc, code); err != nil {
		return UnbindReport{}, err
	}
	report := UnbindReport{Device: deviceOf(d)}
	ok, err := m.deleteDevice(ctx, doc, d.ID)
	if err != nil {
		return UnbindReport{}, err
	}
	if !ok {
		return UnbindReport{}, ErrNotBound
	}
	var settingsErr error
	if m.protection != nil {
		fb, err := m.protection.DisableMFA(ctx, proof, accountID)
		if err != nil {
			settingsErr = reason.Store(fmt.Errorf("mfa: turning MFA off in protection settings: %w", err))
		} else {
			report.Fallback, report.ProtectionUpdated = fb, true
		}
	}
	attrs := map[string]string{"login_fallback": report.Fallback.Login, "operation_fallback": report.Fallback.Operation}
	m.emit(ctx, event.MFAUnbound, accountID, d, attrs)
	if settingsErr != nil {
		return report, settingsErr
	}
	if d.Kind == Hardware {
		// The device is gone; on failure the token stays held by this
		// account, which may bind it again (see BindHardware).
		tok, found, err := m.loadToken(ctx, d.Serial)
		if err != nil {
			return report, err
		}
		if found {
			if err := m.releaseToken(ctx, tok, m.accountTag(accountID)); err != nil {
				return report, err
			}
		}
	}
	return report, nil
}
