package recovery

import (
	"fmt"
	"log/slog"

	"github.com/accountsec/accountsec/internal/redact"
)

var flowsConfigSpec = redact.New[FlowsConfig]("Secret")

// String describes the FlowsConfig with its Secret redacted.
func (c FlowsConfig) String() string { return flowsConfigSpec.String(c) }

// GoString is the %#v form of the FlowsConfig, secrets redacted.
func (c FlowsConfig) GoString() string { return flowsConfigSpec.GoString(c) }

// Format prints the FlowsConfig for every verb of fmt, secrets redacted.
func (c FlowsConfig) Format(f fmt.State, verb rune) { flowsConfigSpec.Print(f, verb, c) }

// LogValue logs the FlowsConfig as a group of its fields, secrets redacted.
func (c FlowsConfig) LogValue() slog.Value { return flowsConfigSpec.LogValue(c) }

var personSpec = redact.New[Person]("IDNumber")

// String describes the Person with its IDNumber redacted.
func (p Person) String() string { return personSpec.String(p) }

// GoString is the %#v form of the Person, secrets redacted.
func (p Person) GoString() string { return personSpec.GoString(p) }

// Format prints the Person for every verb of fmt, secrets redacted.
func (p Person) Format(f fmt.State, verb rune) { personSpec.Print(f, verb, p) }

// LogValue logs the Person as a group of its fields, secrets redacted.
func (p Person) LogValue() slog.Value { return personSpec.LogValue(p) }

var flowStateSpec = redact.New[FlowState]("Ref")

// String describes the FlowState with its Ref redacted.
func (s FlowState) String() string { return flowStateSpec.String(s) }

// GoString is the %#v form of the FlowState, secrets redacted.
func (s FlowState) GoString() string { return flowStateSpec.GoString(s) }

// Format prints the FlowState for every verb of fmt, secrets redacted.
func (s FlowState) Format(f fmt.State, verb rune) { flowStateSpec.Print(f, verb, s) }

// LogValue logs the FlowState as a group of its fields, secrets redacted.
func (s FlowState) LogValue() slog.Value { return flowStateSpec.LogValue(s) }

var enterpriseQuerySpec = redact.New[EnterpriseQuery]("QueryCode", "Code")

// String describes the EnterpriseQuery with its QueryCode and Code redacted.
func (q EnterpriseQuery) String() string { return enterpriseQuerySpec.String(q) }

// GoString is the %#v form of the EnterpriseQuery, secrets redacted.
func (q EnterpriseQuery) GoString() string { return enterpriseQuerySpec.GoString(q) }

// Format prints the EnterpriseQuery for every verb of fmt, secrets redacted.
func (q EnterpriseQuery) Format(f fmt.State, verb rune) { enterpriseQuerySpec.Print(f, verb, q) }

// LogValue logs the EnterpriseQuery as a group of its fields, secrets redacted.
func (q EnterpriseQuery) LogValue() slog.Value { return enterpriseQuerySpec.LogValue(q) }

var enterpriseResultSpec = redact.New[EnterpriseResult]("Grant")

// String describes the EnterpriseResult with its Grant redacted.
func (r EnterpriseResult) String() string { return enterpriseResultSpec.String(r) }

// GoString is the %#v form of the EnterpriseResult, secrets redacted.
func (r EnterpriseResult) GoString() string { return enterpriseResultSpec.GoString(r) }

// Format prints the EnterpriseResult for every verb of fmt, secrets redacted.
func (r EnterpriseResult) Format(f fmt.State, verb rune) { enterpriseResultSpec.Print(f, verb, r) }

// LogValue logs the EnterpriseResult as a group of its fields, secrets redacted.
func (r EnterpriseResult) LogValue() slog.Value { return enterpriseResultSpec.LogValue(r) }

var loginEmailAllowanceSpec = redact.New[LoginEmailAllowance]("Grant", "Password", "Confirm", "Code")

// String describes the LoginEmailAllowance with its Grant, Password, Confirm and Code redacted.
func (a LoginEmailAllowance) String() string { return loginEmailAllowanceSpec.String(a) }

// GoString is the %#v form of the LoginEmailAllowance, secrets redacted.
func (a LoginEmailAllowance) GoString() string { return loginEmailAllowanceSpec.GoString(a) }

// Format prints the LoginEmailAllowance for every verb of fmt, secrets redacted.
func (a LoginEmailAllowance) Format(f fmt.State, verb rune) {
	loginEmailAllowanceSpec.Print(f, verb, a)
}

// LogValue logs the LoginEmailAllowance as a group of its fields, secrets redacted.
func (a LoginEmailAllowance) LogValue() slog.Value { return loginEmailAllowanceSpec.LogValue(a) }

var sMSAllowanceSpec = redact.New[SMSAllowance]("Grant", "Code")

// String describes the SMSAllowance with its Grant and Code redacted.
func (a SMSAllowance) String() string { return sMSAllowanceSpec.String(a) }

// GoString is the %#v form of the SMSAllowance, secrets redacted.
func (a SMSAllowance) GoString() string { return sMSAllowanceSpec.GoString(a) }

// Format prints the SMSAllowance for every verb of fmt, secrets redacted.
func (a SMSAllowance) Format(f fmt.State, verb rune) { sMSAllowanceSpec.Print(f, verb, a) }

// LogValue logs the SMSAllowance as a group of its fields, secrets redacted.
func (a SMSAllowance) LogValue() slog.Value { return sMSAllowanceSpec.LogValue(a) }

var appealStartSpec = redact.New[AppealStart]("IDNumber", "Code")

// String describes the AppealStart with its IDNumber and Code redacted.
func (s AppealStart) String() string { return appealStartSpec.String(s) }

// GoString is the %#v form of the AppealStart, secrets redacted.
func (s AppealStart) GoString() string { return appealStartSpec.GoString(s) }

// Format prints the AppealStart for every verb of fmt, secrets redacted.
func (s AppealStart) Format(f fmt.State, verb rune) { appealStartSpec.Print(f, verb, s) }

// LogValue logs the AppealStart as a group of its fields, secrets redacted.
func (s AppealStart) LogValue() slog.Value { return appealStartSpec.LogValue(s) }

var appealLoginEmailSpec = redact.New[AppealLoginEmail]("Password", "Confirm", "Code")

// String describes the AppealLoginEmail with its Password, Confirm and Code redacted.
func (e AppealLoginEmail) String() string { return appealLoginEmailSpec.String(e) }

// GoString is the %#v form of the AppealLoginEmail, secrets redacted.
func (e AppealLoginEmail) GoString() string { return appealLoginEmailSpec.GoString(e) }

// Format prints the AppealLoginEmail for every verb of fmt, secrets redacted.
func (e AppealLoginEmail) Format(f fmt.State, verb rune) { appealLoginEmailSpec.Print(f, verb, e) }

// LogValue logs the AppealLoginEmail as a group of its fields, secrets redacted.
func (e AppealLoginEmail) LogValue() slog.Value { return appealLoginEmailSpec.LogValue(e) }
