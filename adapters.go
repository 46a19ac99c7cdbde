package accountsec

import (
	"context"
	"errors"

	"github.com/accountsec/accountsec/account"
	"github.com/accountsec/accountsec/mfa"
	"github.com/accountsec/accountsec/protection"
	"github.com/accountsec/accountsec/reason"
	"github.com/accountsec/accountsec/vocab"
)

// mfaSettings turns MFA off in the account's settings when a device is
// unbound.
type mfaSettings struct{ svc *Service }

func (m mfaSettings) DisableMFA(ctx context.Context, p vocab.Proof, accountID string) (mfa.Fallback, error) {
	fb, err := m.svc.Accounts.DisableMFA(ctx, p, accountID)
	return mfa.Fallback(fb), err
}

// profiles gives protection the accounts' security profiles and stores its
// settings changes on the account record.
type profiles struct{ svc *Service }

func (p profiles) Profile(ctx context.Context, accountID string) (protection.Profile, bool, error) {
	a, err := p.svc.Accounts.Account(ctx, accountID)
	if errors.Is(err, account.ErrNotFound) || isInputError(err) {
		return protection.Profile{}, false, nil
	}
	if err != nil {
		return protection.Profile{}, false, err
	}
	_, hasMFA, err := p.svc.MFA.Device(ctx, accountID)
	if err != nil {
		return protection.Profile{}, false, err
	}
	st := a.Security
	return protection.Profile{
		AccountID:     a.ID,
		SecurityPhone: a.SecurityPhone,
		SecurityEmail: a.SecurityEmail,
		HasMFA:        hasMFA,
		HasWeChat:     a.HasLoginMethod(account.MethodWeChat),
		HasFace:       a.RealName.Status == account.RealNamePersonal || a.RealName.Status == account.RealNameEnterprise,
		Settings: protection.Settings{
			LoginProtection:       protection.Method(st.LoginProtection),
			TrustDevices:          st.TrustDevices,
			OperationProtection:   protection.Method(st.OperationProtection),
			RemoteLoginProtection: st.RemoteLoginProtection,
			RemoteLoginMethod:     protection.Method(st.RemoteLoginMethod),
			MFABindingMethod:      protection.Method(st.MFABindingMethod),
			SessionMaxLifetime:    st.SessionMaxLifetime,
			SessionIdleTimeout:    st.SessionIdleTimeout,
		},
	}, true, nil
}

func (p profiles) UpdateSettings(ctx context.Context, proofs []vocab.Proof, accountID string, c protection.SettingsChange) (bool, error) {
	_, err := p.svc.Accounts.UpdateSecurity(ctx, proofs, accountID, account.SecurityChange{
		LoginProtection:       method(c.LoginProtection),
		TrustDevices:          c.TrustDevices,
		OperationProtection:   method(c.OperationProtection),
		RemoteLoginProtection: c.RemoteLoginProtection,
		RemoteLoginMethod:     method(c.RemoteLoginMethod),
		MFABindingMethod:      method(c.MFABindingMethod),
		SessionMaxLifetime:    c.SessionMaxLifetime,
		SessionIdleTimeout:    c.SessionIdleTimeout,
	})
	if errors.Is(err, account.ErrNotFound) {
		return false, nil
	}
	return err == nil, err
}

func method(m *protection.Method) *account.VerifyMethod {
	if m == nil {
		return nil
	}
	v := account.VerifyMethod(*m)
	return &v
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

// resetVerifier lets recovery ask protection whether the identity
// verification bound to a reset was passed.
type resetVerifier struct{ svc *Service }

func (v resetVerifier) Verified(ctx context.Context, accountID, binding, purpose string) (vocab.Proof, error) {
	return v.svc.Protection.Verified(protection.WithBinding(ctx, binding), accountID, purpose)
}
