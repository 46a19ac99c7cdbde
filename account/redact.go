package account

import (
	"fmt"
	"log/slog"

	"github.com/accountsec/accountsec/internal/redact"
)

var accountSpec = redact.New[Account]()

// String describes the Account with every secret it holds redacted.
func (a Account) String() string { return accountSpec.String(a) }

// GoString is the %#v form of the Account, secrets redacted.
func (a Account) GoString() string { return accountSpec.GoString(a) }

// Format prints the Account for every verb of fmt, secrets redacted.
func (a Account) Format(f fmt.State, verb rune) { accountSpec.Print(f, verb, a) }

// LogValue logs the Account as a group of its fields, secrets redacted.
func (a Account) LogValue() slog.Value { return accountSpec.LogValue(a) }

var realNameSpec = redact.New[RealName]("NumberHash", "LegalPersonHash")

// String describes the RealName with its NumberHash and LegalPersonHash redacted.
func (r RealName) String() string { return realNameSpec.String(r) }

// GoString is the %#v form of the RealName, secrets redacted.
func (r RealName) GoString() string { return realNameSpec.GoString(r) }

// Format prints the RealName for every verb of fmt, secrets redacted.
func (r RealName) Format(f fmt.State, verb rune) { realNameSpec.Print(f, verb, r) }

// LogValue logs the RealName as a group of its fields, secrets redacted.
func (r RealName) LogValue() slog.Value { return realNameSpec.LogValue(r) }

var securityEmailChangeSpec = redact.New[SecurityEmailChange]("Code")

// String describes the SecurityEmailChange with its Code redacted.
func (c SecurityEmailChange) String() string { return securityEmailChangeSpec.String(c) }

// GoString is the %#v form of the SecurityEmailChange, secrets redacted.
func (c SecurityEmailChange) GoString() string { return securityEmailChangeSpec.GoString(c) }

// Format prints the SecurityEmailChange for every verb of fmt, secrets redacted.
func (c SecurityEmailChange) Format(f fmt.State, verb rune) {
	securityEmailChangeSpec.Print(f, verb, c)
}

// LogValue logs the SecurityEmailChange as a group of its fields, secrets redacted.
func (c SecurityEmailChange) LogValue() slog.Value { return securityEmailChangeSpec.LogValue(c) }

var credentialSpec = redact.New[Credential]("Hash")

// String describes the Credential with its Hash redacted.
func (c Credential) String() string { return credentialSpec.String(c) }

// GoString is the %#v form of the Credential, secrets redacted.
func (c Credential) GoString() string { return credentialSpec.GoString(c) }

// Format prints the Credential for every verb of fmt, secrets redacted.
func (c Credential) Format(f fmt.State, verb rune) { credentialSpec.Print(f, verb, c) }

// LogValue logs the Credential as a group of its fields, secrets redacted.
func (c Credential) LogValue() slog.Value { return credentialSpec.LogValue(c) }

var bindingSpec = redact.New[Binding]("Password", "Confirm", "Code")

// String describes the Binding with its Password, Confirm and Code redacted.
func (b Binding) String() string { return bindingSpec.String(b) }

// GoString is the %#v form of the Binding, secrets redacted.
func (b Binding) GoString() string { return bindingSpec.GoString(b) }

// Format prints the Binding for every verb of fmt, secrets redacted.
func (b Binding) Format(f fmt.State, verb rune) { bindingSpec.Print(f, verb, b) }

// LogValue logs the Binding as a group of its fields, secrets redacted.
func (b Binding) LogValue() slog.Value { return bindingSpec.LogValue(b) }

var loginEmailChangeSpec = redact.New[LoginEmailChange]("Password", "Confirm", "Code")

// String describes the LoginEmailChange with its Password, Confirm and Code
// redacted.
func (c LoginEmailChange) String() string { return loginEmailChangeSpec.String(c) }

// GoString is the %#v form of the LoginEmailChange, secrets redacted.
func (c LoginEmailChange) GoString() string { return loginEmailChangeSpec.GoString(c) }

// Format prints the LoginEmailChange for every verb of fmt, secrets redacted.
func (c LoginEmailChange) Format(f fmt.State, verb rune) { loginEmailChangeSpec.Print(f, verb, c) }

// LogValue logs the LoginEmailChange as a group of its fields, secrets redacted.
func (c LoginEmailChange) LogValue() slog.Value { return loginEmailChangeSpec.LogValue(c) }

var passwordChangeSpec = redact.New[PasswordChange]("Old", "New", "Confirm")

// String describes the PasswordChange with its Old, New and Confirm redacted.
func (c PasswordChange) String() string { return passwordChangeSpec.String(c) }

// GoString is the %#v form of the PasswordChange, secrets redacted.
func (c PasswordChange) GoString() string { return passwordChangeSpec.GoString(c) }

// Format prints the PasswordChange for every verb of fmt, secrets redacted.
func (c PasswordChange) Format(f fmt.State, verb rune) { passwordChangeSpec.Print(f, verb, c) }

// LogValue logs the PasswordChange as a group of its fields, secrets redacted.
func (c PasswordChange) LogValue() slog.Value { return passwordChangeSpec.LogValue(c) }

var personalIdentitySpec = redact.New[PersonalIdentity]("IDNumber")

// String describes the PersonalIdentity with its IDNumber redacted.
func (p PersonalIdentity) String() string { return personalIdentitySpec.String(p) }

// GoString is the %#v form of the PersonalIdentity, secrets redacted.
func (p PersonalIdentity) GoString() string { return personalIdentitySpec.GoString(p) }

// Format prints the PersonalIdentity for every verb of fmt, secrets redacted.
func (p PersonalIdentity) Format(f fmt.State, verb rune) { personalIdentitySpec.Print(f, verb, p) }

// LogValue logs the PersonalIdentity as a group of its fields, secrets redacted.
func (p PersonalIdentity) LogValue() slog.Value { return personalIdentitySpec.LogValue(p) }

var enterpriseIdentitySpec = redact.New[EnterpriseIdentity]("LegalPersonID")

// String describes the EnterpriseIdentity with its LegalPersonID redacted.
func (e EnterpriseIdentity) String() string { return enterpriseIdentitySpec.String(e) }

// GoString is the %#v form of the EnterpriseIdentity, secrets redacted.
func (e EnterpriseIdentity) GoString() string { return enterpriseIdentitySpec.GoString(e) }

// Format prints the EnterpriseIdentity for every verb of fmt, secrets redacted.
func (e EnterpriseIdentity) Format(f fmt.State, verb rune) { enterpriseIdentitySpec.Print(f, verb, e) }

// LogValue logs the EnterpriseIdentity as a group of its fields, secrets redacted.
func (e EnterpriseIdentity) LogValue() slog.Value { return enterpriseIdentitySpec.LogValue(e) }

var registrationSpec = redact.New[Registration]("Password", "Code")

// String describes the Registration with its Password and Code redacted.
func (r Registration) String() string { return registrationSpec.String(r) }

// GoString is the %#v form of the Registration, secrets redacted.
func (r Registration) GoString() string { return registrationSpec.GoString(r) }

// Format prints the Registration for every verb of fmt, secrets redacted.
func (r Registration) Format(f fmt.State, verb rune) { registrationSpec.Print(f, verb, r) }

// LogValue logs the Registration as a group of its fields, secrets redacted.
func (r Registration) LogValue() slog.Value { return registrationSpec.LogValue(r) }

var passwordResetSpec = redact.New[PasswordReset]("New")

// String describes the PasswordReset with its New redacted.
func (r PasswordReset) String() string { return passwordResetSpec.String(r) }

// GoString is the %#v form of the PasswordReset, secrets redacted.
func (r PasswordReset) GoString() string { return passwordResetSpec.GoString(r) }

// Format prints the PasswordReset for every verb of fmt, secrets redacted.
func (r PasswordReset) Format(f fmt.State, verb rune) { passwordResetSpec.Print(f, verb, r) }

// LogValue logs the PasswordReset as a group of its fields, secrets redacted.
func (r PasswordReset) LogValue() slog.Value { return passwordResetSpec.LogValue(r) }

var configSpec = redact.New[Config]("Secret")

// String describes the Config with its Secret redacted.
func (c Config) String() string { return configSpec.String(c) }

// GoString is the %#v form of the Config, secrets redacted.
func (c Config) GoString() string { return configSpec.GoString(c) }

// Format prints the Config for every verb of fmt, secrets redacted.
func (c Config) Format(f fmt.State, verb rune) { configSpec.Print(f, verb, c) }

// LogValue logs the Config as a group of its fields, secrets redacted.
func (c Config) LogValue() slog.Value { return configSpec.LogValue(c) }
