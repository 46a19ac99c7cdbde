package recovery

import (
	"fmt"
	"log/slog"

	"github.com/accountsec/accountsec/internal/redact"
)

var findConfigSpec = redact.New[FindConfig]("Secret")

// String describes the FindConfig with its Secret redacted.
func (c FindConfig) String() string { return findConfigSpec.String(c) }

// GoString is the %#v form of the FindConfig, secrets redacted.
func (c FindConfig) GoString() string { return findConfigSpec.GoString(c) }

// Format prints the FindConfig for every verb of fmt, secrets redacted.
func (c FindConfig) Format(f fmt.State, verb rune) { findConfigSpec.Print(f, verb, c) }

// LogValue logs the FindConfig as a group of its fields, secrets redacted.
func (c FindConfig) LogValue() slog.Value { return findConfigSpec.LogValue(c) }

var findStartedSpec = redact.New[FindStarted]("Token")

// String describes the FindStarted with its Token redacted.
func (s FindStarted) String() string { return findStartedSpec.String(s) }

// GoString is the %#v form of the FindStarted, the Token redacted.
func (s FindStarted) GoString() string { return findStartedSpec.GoString(s) }

// Format prints the FindStarted for every verb of fmt, the Token redacted.
func (s FindStarted) Format(f fmt.State, verb rune) { findStartedSpec.Print(f, verb, s) }

// LogValue logs the FindStarted as a group of its fields, the Token
// redacted.
func (s FindStarted) LogValue() slog.Value { return findStartedSpec.LogValue(s) }
