package fakes

import (
	"fmt"
	"log/slog"

	"github.com/accountsec/accountsec/internal/redact"
)

// outboxName is what a Outbox prints as: the messages it holds carry one-time codes.
const outboxName redact.Opaque = "fakes.Outbox"

// String names the Outbox without its contents.
func (o *Outbox) String() string { return outboxName.String() }

// GoString is String.
func (o *Outbox) GoString() string { return outboxName.GoString() }

// Format prints String for every verb of fmt.
func (o *Outbox) Format(f fmt.State, verb rune) { outboxName.Format(f, verb) }

// LogValue logs String.
func (o *Outbox) LogValue() slog.Value { return outboxName.LogValue() }

// mfaName is what an MFA prints as: it holds the codes it accepts.
const mfaName redact.Opaque = "fakes.MFA"

// String names the MFA without its contents.
func (m *MFA) String() string { return mfaName.String() }

// GoString is String.
func (m *MFA) GoString() string { return mfaName.GoString() }

// Format prints String for every verb of fmt.
func (m *MFA) Format(f fmt.State, verb rune) { mfaName.Format(f, verb) }

// LogValue logs String.
func (m *MFA) LogValue() slog.Value { return mfaName.LogValue() }

// hostVerifierName is what a HostVerifier prints as: it holds the tickets it issued.
const hostVerifierName redact.Opaque = "fakes.HostVerifier"

// String names the HostVerifier without its contents.
func (v *HostVerifier) String() string { return hostVerifierName.String() }

// GoString is String.
func (v *HostVerifier) GoString() string { return hostVerifierName.GoString() }

// Format prints String for every verb of fmt.
func (v *HostVerifier) Format(f fmt.State, verb rune) { hostVerifierName.Format(f, verb) }

// LogValue logs String.
func (v *HostVerifier) LogValue() slog.Value { return hostVerifierName.LogValue() }
