package protection

import (
	"context"
	"errors"
	"strconv"
	"time"

	"github.com/accountsec/accountsec/event"
	"github.com/accountsec/accountsec/internal/policycheck"
	"github.com/accountsec/accountsec/reason"
	"github.com/accountsec/accountsec/vocab"
)

// Session time defaults and bounds (docs/RULES.md §7): those of package
// vocab.
const (
	// DefaultSessionLifetime is [vocab.DefaultSessionLifetime].
	DefaultSessionLifetime = vocab.DefaultSessionLifetime
	// MinSessionLifetime is [vocab.MinSessionLifetime].
	MinSessionLifetime = vocab.MinSessionLifetime
	// MaxSessionLifetime is [vocab.MaxSessionLifetime].
	MaxSessionLifetime = vocab.MaxSessionLifetime
	// DefaultIdleTimeout is [vocab.DefaultIdleTimeout].
	DefaultIdleTimeout = vocab.DefaultIdleTimeout
	// MinIdleTimeout is [vocab.MinIdleTimeout].
	MinIdleTimeout = vocab.MinIdleTimeout
	// MaxIdleTimeout is [vocab.MaxIdleTimeout].
	MaxIdleTimeout = vocab.MaxIdleTimeout
)

// Settings are an account's protection settings, stored with the account
// (their names follow account.SecuritySettings). A zero field means its
// default.
type Settings struct {
	// LoginProtection is the second step after a correct password or
	// third-party login: None (default), MFA, SMS or WeChatScan. A change
	// applies from the next login.
	LoginProtection Method `validate:"omitempty,oneof=none mfa sms wechat_scan"`
	// TrustDevices offers "trust this device" at login: after passing login
	// protection, the device skips it for Policy.TrustedDeviceTTL (7 days).
	TrustDevices bool
	// OperationProtection is the verification sensitive operations ask for:
	// None (default), MFA, SMS or WeChatScan. Operations marked AlwaysVerify
	// ask for identity verification even under None.
	OperationProtection Method `validate:"omitempty,oneof=none mfa sms wechat_scan"`
	// RemoteLoginProtection turns remote-login protection on: a login from
	// a city that is not a usual one asks for identity verification.
	RemoteLoginProtection bool
	// RemoteLoginMethod is the method remote-login protection prefers; None
	// or empty means the first the account has (MFA, SMS, Email,
	// WeChatScan, Face).
	RemoteLoginMethod Method `validate:"omitempty,oneof=none mfa sms email wechat_scan face"`
	// MFABindingMethod is the method preferred before binding or unbinding
	// an MFA device; None or empty means that of operation protection.
	MFABindingMethod Method `validate:"omitempty,oneof=none mfa sms email wechat_scan face"`
	// SessionMaxLifetime is the maximum session lifetime (default 48 h;
	// allowed 1 to 48 hours). A change applies from the next login.
	SessionMaxLifetime time.Duration `validate:"omitempty,min=1h,max=48h"`
	// SessionIdleTimeout ends a session after this long without activity
	// (default 120 minutes; allowed 15 to 720 minutes). A change applies
	// from the next login.
	SessionIdleTimeout time.Duration `validate:"omitempty,min=15m,max=720m"`
}

// resolved fills in the defaults.
func (s Settings) resolved() Settings {
	def(&s.LoginProtection, None)
	def(&s.OperationProtection, None)
	def(&s.RemoteLoginMethod, None)
	def(&s.MFABindingMethod, None)
	def(&s.SessionMaxLifetime, DefaultSessionLifetime)
	def(&s.SessionIdleTimeout, DefaultIdleTimeout)
	return s
}

// Resolved returns s with its defaults filled in.
func (s Settings) Resolved() Settings { return s.resolved() }

// Validate reports every setting outside its allowed values, as a
// reason.List of ErrSettingInvalid errors naming the field, the value and
// the allowed values.
func (s Settings) Validate() error {
	err := policycheck.Check("Settings", s)
	if err == nil {
		return nil
	}
	var list reason.List
	var errs reason.List
	if errors.As(err, &errs) {
		for _, e := range errs {
			list = append(list, &reason.Error{Code: reason.ProtectionSettingInvalid, Params: e.Params})
		}
		return list
	}
	return err
}

// SettingsChange changes some protection settings; nil fields stay as they
// are.
type SettingsChange struct {
	// LoginProtection sets Settings.LoginProtection.
	LoginProtection *Method
	// TrustDevices sets Settings.TrustDevices.
	TrustDevices *bool
	// OperationProtection sets Settings.OperationProtection.
	OperationProtection *Method
	// RemoteLoginProtection sets Settings.RemoteLoginProtection.
	RemoteLoginProtection *bool
	// RemoteLoginMethod sets Settings.RemoteLoginMethod.
	RemoteLoginMethod *Method
	// MFABindingMethod sets Settings.MFABindingMethod.
	MFABindingMethod *Method
	// SessionMaxLifetime sets Settings.SessionMaxLifetime.
	SessionMaxLifetime *time.Duration
	// SessionIdleTimeout sets Settings.SessionIdleTimeout.
	SessionIdleTimeout *time.Duration
}

// Apply returns s with the change applied.
func (c SettingsChange) Apply(s Settings) Settings {
	set(&s.LoginProtection, c.LoginProtection)
	set(&s.TrustDevices, c.TrustDevices)
	set(&s.OperationProtection, c.OperationProtection)
	set(&s.RemoteLoginProtection, c.RemoteLoginProtection)
	set(&s.RemoteLoginMethod, c.RemoteLoginMethod)
	set(&s.MFABindingMethod, c.MFABindingMethod)
	set(&s.SessionMaxLifetime, c.SessionMaxLifetime)
	set(&s.SessionIdleTimeout, c.SessionIdleTimeout)
	return s
}

// operations returns the catalog operations that authorise c, and the names
// of the settings it changes.
func (c SettingsChange) operations() (ops, fields []string) {
	add := func(changed bool, field string) {
		if !changed {
			return
		}
		fields = append(fields, field)
		op := vocab.SettingOperation(field)
		for _, o := range ops {
			if o == op {
				return
			}
		}
		ops = append(ops, op)
	}
	add(c.LoginProtection != nil, vocab.SettingLoginProtection)
	add(c.TrustDevices != nil, vocab.SettingTrustDevices)
	add(c.OperationProtection != nil, vocab.SettingOperationProtection)
	add(c.RemoteLoginProtection != nil, vocab.SettingRemoteLoginProtection)
	add(c.RemoteLoginMethod != nil, vocab.SettingRemoteLoginMethod)
	add(c.MFABindingMethod != nil, vocab.SettingMFABindingMethod)
	add(c.SessionMaxLifetime != nil, vocab.SettingSessionMaxLifetime)
	add(c.SessionIdleTimeout != nil, vocab.SettingSessionIdleTimeout)
	return ops, fields
}

// ChangeSettings changes the account's protection settings from session s.
// Each kind of change is itself a sensitive operation (OpChangeLoginProtection,
// OpChangeOperationProtection, OpChangeRemoteLogin, OpChangeSessionSettings,
// OpChangeProtection for the MFA binding method),
// so without a step-up it returns *VerificationRequiredError. Every value is
// validated (ErrSettingInvalid, listing each bad field), and a protection
// may only use a method the account has (ErrMethodUnavailable); remote-login
// protection can be turned on only when the account has some method. It
// returns the new settings. Login protection and session times apply from
// the next login; operation and remote-login protection at once.
func (m *Manager) ChangeSettings(ctx context.Context, s Session, c SettingsChange) (Settings, error) {
	ops, fields := c.operations()
	if len(ops) == 0 {
		return Settings{}, reason.New(reason.InputEmpty).With("field", "settings")
	}
	proofs := make([]vocab.Proof, 0, len(ops))
	for _, name := range ops {
		pr, err := m.Authorize(ctx, s, name)
		if err != nil {
			return Settings{}, err
		}
		proofs = append(proofs, pr)
	}
	p, err := m.profile(ctx, s.AccountID)
	if err != nil {
		return Settings{}, err
	}
	next := c.Apply(p.Settings)
	if err := next.Validate(); err != nil {
		return Settings{}, err
	}
	r := next.resolved()
	for _, method := range []Method{r.LoginProtection, r.OperationProtection, r.RemoteLoginMethod, r.MFABindingMethod} {
		if method != None && !m.available(p, method) {
			return Settings{}, ErrMethodUnavailable.With("method", string(method))
		}
	}
	if r.RemoteLoginProtection {
		// The check a password login from an unusual city will make: an
		// account whose only method is email (which never completes a
		// password login's protection) would lock itself out of those
		// logins, so the change is refused instead.
		if _, err := m.loginOptions(p, LoginMethodPassword, r.RemoteLoginMethod); err != nil {
			return Settings{}, err
		}
	}
	found, err := m.accounts.UpdateSettings(ctx, proofs, s.AccountID, c)
	switch {
	case err != nil:
		return Settings{}, reason.Store(err)
	case !found:
		return Settings{}, ErrAccountUnknown
	}
	attrs := map[string]string{"session": s.ID, "changed": strconv.Itoa(len(fields))}
	for _, f := range fields {
		attrs[f] = settingValue(r, f)
	}
	m.emit(ctx, event.ProtectionSettingsChanged, s.AccountID, "settings", time.Time{}, attrs)
	return next, nil
}

// settingValue renders the new value of the setting called field.
func settingValue(s Settings, field string) string {
	switch field {
	case "login_protection":
		return string(s.LoginProtection)
	case "trust_devices":
		return strconv.FormatBool(s.TrustDevices)
	case "operation_protection":
		return string(s.OperationProtection)
	case "remote_login_protection":
		return strconv.FormatBool(s.RemoteLoginProtection)
	case "remote_login_method":
		return string(s.RemoteLoginMethod)
	case "mfa_binding_method":
		return string(s.MFABindingMethod)
	case "session_max_lifetime":
		return s.SessionMaxLifetime.String()
	case "session_idle_timeout":
		return s.SessionIdleTimeout.String()
	}
	return ""
}

func set[T any](dst *T, v *T) {
	if v != nil {
		*dst = *v
	}
}
