package account

import (
	"context"
	"slices"
	"time"

	"github.com/accountsec/accountsec/reason"
	"github.com/accountsec/accountsec/vocab"
)

// VerifyMethod is a way to verify the owner's identity (docs/RULES.md,
// "identity verification"), or VerifyNone: [vocab.VerifyMethod].
type VerifyMethod = vocab.VerifyMethod

// The verification methods.
const (
	// VerifyNone: no verification.
	VerifyNone = vocab.VerifyNone
	// VerifyMFA: a TOTP code from the account's MFA device.
	VerifyMFA = vocab.VerifyMFA
	// VerifySMS: a 6-digit code sent to the security phone.
	VerifySMS = vocab.VerifySMS
	// VerifyEmail: a 6-digit code sent to the security email.
	VerifyEmail = vocab.VerifyEmail
	// VerifyWeChatScan: the host confirms that the WeChat user who scanned
	// is the account's WeChat login method.
	VerifyWeChatScan = vocab.VerifyWeChatScan
	// VerifyFace: host-provided face verification of the real-name person.
	VerifyFace = vocab.VerifyFace
)

const allowedVerifyMethods = "none, mfa, sms, email, wechat_scan, face"

// ParseVerifyMethod returns the verification method named s (exactly), or
// a reason.AccountUnknownVerifyMethod error.
func ParseVerifyMethod(s string) (VerifyMethod, error) {
	switch m := VerifyMethod(s); m {
	case VerifyNone, VerifyMFA, VerifySMS, VerifyEmail, VerifyWeChatScan, VerifyFace:
		return m, nil
	}
	return "", reason.New(reason.AccountUnknownVerifyMethod).With("allowed", allowedVerifyMethods)
}

// Session bounds of docs/RULES.md §7: the defaults a new account gets and
// the allowed ranges, those of package vocab.
const (
	// DefaultSessionMaxLifetime is [vocab.DefaultSessionLifetime].
	DefaultSessionMaxLifetime = vocab.DefaultSessionLifetime
	// MinSessionMaxLifetime is [vocab.MinSessionLifetime].
	MinSessionMaxLifetime = vocab.MinSessionLifetime
	// MaxSessionMaxLifetime is [vocab.MaxSessionLifetime].
	MaxSessionMaxLifetime = vocab.MaxSessionLifetime
	// DefaultSessionIdleTimeout is [vocab.DefaultIdleTimeout].
	DefaultSessionIdleTimeout = vocab.DefaultIdleTimeout
	// MinSessionIdleTimeout is [vocab.MinIdleTimeout].
	MinSessionIdleTimeout = vocab.MinIdleTimeout
	// MaxSessionIdleTimeout is [vocab.MaxIdleTimeout].
	MaxSessionIdleTimeout = vocab.MaxIdleTimeout
)

// SecuritySettings are the account's protection and session settings. The
// account package stores and validates them; the protection package
// enforces them.
type SecuritySettings struct {
	// LoginProtection is the second login step: none, wechat_scan, mfa or
	// sms.
	LoginProtection VerifyMethod
	// TrustDevices offers "trust this device" after login protection
	// (docs/RULES.md §7: the device then skips it for 7 days).
	TrustDevices bool
	// OperationProtection guards sensitive operations: none, wechat_scan,
	// mfa or sms.
	OperationProtection VerifyMethod
	// RemoteLoginProtection turns remote-login protection on.
	RemoteLoginProtection bool
	// RemoteLoginMethod is the verification asked for a login from an
	// unusual city; none lets protection offer any available method.
	RemoteLoginMethod VerifyMethod
	// MFABindingMethod is the verification asked before binding a virtual
	// or hardware MFA device; none lets protection offer any available
	// method.
	MFABindingMethod VerifyMethod
	// SessionMaxLifetime is the longest a session lives (1–48 h).
	SessionMaxLifetime time.Duration
	// SessionIdleTimeout ends a session idle this long (15–720 min).
	SessionIdleTimeout time.Duration
}

// defaultSecurity is what a new account gets.
func defaultSecurity() SecuritySettings {
	return SecuritySettings{
		LoginProtection:     VerifyNone,
		OperationProtection: VerifyNone,
		RemoteLoginMethod:   VerifyNone,
		MFABindingMethod:    VerifyNone,
		SessionMaxLifetime:  DefaultSessionMaxLifetime,
		SessionIdleTimeout:  DefaultSessionIdleTimeout,
	}
}

// uses returns the names of the settings whose verification method is m.
func (s SecuritySettings) uses(m VerifyMethod) []string {
	var out []string
	if s.LoginProtection == m {
		out = append(out, "login_protection")
	}
	if s.OperationProtection == m {
		out = append(out, "operation_protection")
	}
	if s.RemoteLoginProtection && s.RemoteLoginMethod == m {
		out = append(out, "remote_login_protection")
	}
	if s.MFABindingMethod == m {
		out = append(out, "mfa_binding")
	}
	return out
}

// SecurityChange changes some security settings; nil fields are left
// alone, so concurrent changes of different settings all apply.
type SecurityChange struct {
	// LoginProtection: none, wechat_scan, mfa or sms.
	LoginProtection *VerifyMethod
	// TrustDevices turns "trust this device" on or off.
	TrustDevices *bool
	// OperationProtection: none, wechat_scan, mfa or sms.
	OperationProtection *VerifyMethod
	// RemoteLoginProtection turns remote-login protection on or off.
	RemoteLoginProtection *bool
	// RemoteLoginMethod: any verification method, or none.
	RemoteLoginMethod *VerifyMethod
	// MFABindingMethod: any verification method, or none.
	MFABindingMethod *VerifyMethod
	// SessionMaxLifetime: 1–48 h.
	SessionMaxLifetime *time.Duration
	// SessionIdleTimeout: 15–720 min.
	SessionIdleTimeout *time.Duration
}

// protectionMethods are those login and operation protection accept.
var protectionMethods = vocab.ProtectionMethods()

// UpdateSecurity applies change to the account's security settings in one
// atomic update, so concurrent changes of different settings all survive.
// It is the storage behind protection.Manager.ChangeSettings, which mints
// the proofs and emits the event; it emits nothing itself.
//
// proofs must hold, for every setting the change names, a proof for the
// account of the operation that authorises it (vocab.SettingOperation: for
// example OpChangeLoginProtection for login protection). Turning login or
// operation protection to mfa is also authorised by a proof of OpBindMFA,
// for the step that enables a device just bound. Otherwise it returns
// *vocab.VerificationRequiredError for the first operation missing and
// changes nothing.
//
// It still validates: every given method must be known, allowed for its
// setting, and available to the account (sms needs a security phone, email
// a security email, wechat_scan a WeChat login method, face a real-name
// verification; mfa is checked by protection, which knows the devices);
// session times must be in their ranges.
func (s *Service) UpdateSecurity(ctx context.Context, proofs []vocab.Proof, id string, change SecurityChange) (Account, error) {
	if err := checkID("account_id", id); err != nil {
		return Account{}, err
	}
	if err := change.check(); err != nil {
		return Account{}, err
	}
	if err := s.requireSettings(proofs, id, change); err != nil {
		return Account{}, err
	}
	var fields []string
	_, after, err := s.update(ctx, id, func(a *Account) error {
		fields = fields[:0]
		st := &a.Security
		setMethod := func(name string, dst *VerifyMethod, v *VerifyMethod) error {
			if v == nil {
				return nil
			}
			if err := available(*a, *v); err != nil {
				return err
			}
			if *dst != *v {
				*dst = *v
				fields = append(fields, name)
			}
			return nil
		}
		for _, f := range []struct {
			name string
			dst  *VerifyMethod
			v    *VerifyMethod
		}{
			{"login_protection", &st.LoginProtection, change.LoginProtection},
			{"operation_protection", &st.OperationProtection, change.OperationProtection},
			{"remote_login_method", &st.RemoteLoginMethod, change.RemoteLoginMethod},
			{"mfa_binding_method", &st.MFABindingMethod, change.MFABindingMethod},
		} {
			if err := setMethod(f.name, f.dst, f.v); err != nil {
				return err
			}
		}
		if v := change.TrustDevices; v != nil && *v != st.TrustDevices {
			st.TrustDevices = *v
			fields = append(fields, "trust_devices")
		}
		if v := change.RemoteLoginProtection; v != nil && *v != st.RemoteLoginProtection {
			st.RemoteLoginProtection = *v
			fields = append(fields, "remote_login_protection")
		}
		if v := change.SessionMaxLifetime; v != nil && *v != st.SessionMaxLifetime {
			st.SessionMaxLifetime = *v
			fields = append(fields, "session_max_lifetime")
		}
		if v := change.SessionIdleTimeout; v != nil && *v != st.SessionIdleTimeout {
			st.SessionIdleTimeout = *v
			fields = append(fields, "session_idle_timeout")
		}
		if len(fields) == 0 {
			return errNoChange
		}
		return nil
	})
	if err != nil {
		return Account{}, err
	}
	return after, nil
}

// requireSettings checks that proofs authorise every setting that change
// names.
func (s *Service) requireSettings(proofs []vocab.Proof, id string, change SecurityChange) error {
	now := s.now()
	has := func(op string) bool {
		for _, p := range proofs {
			if p.Valid(id, op, now) {
				return true
			}
		}
		return false
	}
	toMFA := func(v *VerifyMethod) bool { return *v == VerifyMFA && has(vocab.OpBindMFA) }
	for _, f := range []struct {
		setting string
		given   bool
		byMFA   func() bool
	}{
		{vocab.SettingLoginProtection, change.LoginProtection != nil, func() bool { return toMFA(change.LoginProtection) }},
		{vocab.SettingTrustDevices, change.TrustDevices != nil, nil},
		{vocab.SettingOperationProtection, change.OperationProtection != nil, func() bool { return toMFA(change.OperationProtection) }},
		{vocab.SettingRemoteLoginProtection, change.RemoteLoginProtection != nil, nil},
		{vocab.SettingRemoteLoginMethod, change.RemoteLoginMethod != nil, nil},
		{vocab.SettingMFABindingMethod, change.MFABindingMethod != nil, nil},
		{vocab.SettingSessionMaxLifetime, change.SessionMaxLifetime != nil, nil},
		{vocab.SettingSessionIdleTimeout, change.SessionIdleTimeout != nil, nil},
	} {
		if !f.given {
			continue
		}
		op := vocab.SettingOperation(f.setting)
		if has(op) || (f.byMFA != nil && f.byMFA()) {
			continue
		}
		return &vocab.VerificationRequiredError{Purpose: op}
	}
	return nil
}

// check validates the change without looking at the account.
func (c SecurityChange) check() error {
	for _, f := range []struct {
		name    string
		v       *VerifyMethod
		allowed []VerifyMethod
	}{
		{"login_protection", c.LoginProtection, protectionMethods},
		{"operation_protection", c.OperationProtection, protectionMethods},
		{"remote_login_method", c.RemoteLoginMethod, nil},
		{"mfa_binding_method", c.MFABindingMethod, nil},
	} {
		if f.v == nil {
			continue
		}
		if _, err := ParseVerifyMethod(string(*f.v)); err != nil {
			return err
		}
		if f.allowed != nil && !slices.Contains(f.allowed, *f.v) {
			return reason.New(reason.AccountVerifyMethodNotAllowed).With("method", string(*f.v)).With("field", f.name)
		}
	}
	if err := inRange("session_max_lifetime", c.SessionMaxLifetime, MinSessionMaxLifetime, MaxSessionMaxLifetime); err != nil {
		return err
	}
	return inRange("session_idle_timeout", c.SessionIdleTimeout, MinSessionIdleTimeout, MaxSessionIdleTimeout)
}

func inRange(field string, v *time.Duration, lo, hi time.Duration) error {
	if v == nil || (*v >= lo && *v <= hi) {
		return nil
	}
	return reason.New(reason.AccountSettingOutOfRange).With("field", field).With("min", lo.String()).With("max", hi.String())
}

// available reports whether account a can use verification method m.
func available(a Account, m VerifyMethod) error {
	ok := true
	switch m {
	case VerifySMS:
		ok = a.SecurityPhone != ""
	case VerifyEmail:
		ok = a.SecurityEmail != ""
	case VerifyWeChatScan:
		ok = a.HasLoginMethod(MethodWeChat)
	case VerifyFace:
		ok = a.RealName.Status == RealNamePersonal || a.RealName.Status == RealNameEnterprise
	}
	if !ok {
		return reason.New(reason.AccountVerifyMethodUnavailable).With("method", string(m))
	}
	return nil
}

// MFAFallback reports what DisableMFA set login and operation protection
// to. An empty field means that protection did not use MFA and was left
// alone. It converts directly to mfa.Fallback.
type MFAFallback struct {
	// Login is login protection's method after the change, or "".
	Login string
	// Operation is operation protection's method after the change, or "".
	Operation string
}

// DisableMFA turns MFA off wherever the account's security settings use it
// (login, operation and remote-login protection, MFA binding), when an MFA
// device is unbound; package mfa calls it with the proof of OpUnbindMFA
// that its Unbind was given. Login and operation protection fall back to
// sms when the account has a security phone and to none otherwise;
// remote-login protection and MFA binding fall back to none (protection
// then offers any available method). Without a valid proof of OpUnbindMFA
// for the account it returns *vocab.VerificationRequiredError and changes
// nothing. It emits nothing (mfa's MFAUnbound event carries the fallbacks).
func (s *Service) DisableMFA(ctx context.Context, p vocab.Proof, id string) (MFAFallback, error) {
	if err := checkID("account_id", id); err != nil {
		return MFAFallback{}, err
	}
	if err := s.require(p, id, OpUnbindMFA); err != nil {
		return MFAFallback{}, err
	}
	var fb MFAFallback
	_, _, err := s.update(ctx, id, func(a *Account) error {
		fb = MFAFallback{}
		changed := false
		to := VerifyNone
		if a.SecurityPhone != "" {
			to = VerifySMS
		}
		st := &a.Security
		if st.LoginProtection == VerifyMFA {
			st.LoginProtection, fb.Login, changed = to, string(to), true
		}
		if st.OperationProtection == VerifyMFA {
			st.OperationProtection, fb.Operation, changed = to, string(to), true
		}
		if st.RemoteLoginMethod == VerifyMFA {
			st.RemoteLoginMethod, changed = VerifyNone, true
		}
		if st.MFABindingMethod == VerifyMFA {
			st.MFABindingMethod, changed = VerifyNone, true
		}
		if !changed {
			return errNoChange
		}
		return nil
	})
	if err != nil {
		return MFAFallback{}, err
	}
	return fb, nil
}
