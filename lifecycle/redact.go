package lifecycle

import (
	"fmt"
	"log/slog"

	"github.com/accountsec/accountsec/internal/redact"
)

var configSpec = redact.New[Config]("Secret")

// String describes the Config with its Secret redacted.
func (c Config) String() string { return configSpec.String(c) }

// GoString is the %#v form of the Config, secrets redacted.
func (c Config) GoString() string { return configSpec.GoString(c) }

// Format prints the Config for every verb of fmt, secrets redacted.
func (c Config) Format(f fmt.State, verb rune) { configSpec.Print(f, verb, c) }

// LogValue logs the Config as a group of its fields, secrets redacted.
func (c Config) LogValue() slog.Value { return configSpec.LogValue(c) }

var identityCheckSpec = redact.New[IdentityCheck]()

// String describes the IdentityCheck, the host's ticket redacted.
func (c IdentityCheck) String() string { return identityCheckSpec.String(c) }

// GoString is the %#v form of the IdentityCheck, the host's ticket
// redacted.
func (c IdentityCheck) GoString() string { return identityCheckSpec.GoString(c) }

// Format prints the IdentityCheck for every verb of fmt, the host's ticket
// redacted.
func (c IdentityCheck) Format(f fmt.State, verb rune) { identityCheckSpec.Print(f, verb, c) }

// LogValue logs the IdentityCheck as a group of its fields, the host's
// ticket redacted.
func (c IdentityCheck) LogValue() slog.Value { return identityCheckSpec.LogValue(c) }
