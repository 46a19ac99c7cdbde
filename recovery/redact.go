package recovery

import (
	"fmt"
	"log/slog"

	"github.com/accountsec/accountsec/internal/redact"
)

var completionSpec = redact.New[Completion]("Token", "New", "Confirm")

// String describes the Completion with its Token, New and Confirm redacted.
func (c Completion) String() string { return completionSpec.String(c) }

// GoString is the %#v form of the Completion, secrets redacted.
func (c Completion) GoString() string { return completionSpec.GoString(c) }

// Format prints the Completion for every verb of fmt, secrets redacted.
func (c Completion) Format(f fmt.State, verb rune) { completionSpec.Print(f, verb, c) }

// LogValue logs the Completion as a group of its fields, secrets redacted.
func (c Completion) LogValue() slog.Value { return completionSpec.LogValue(c) }

var resetConfigSpec = redact.New[ResetConfig]("Secret")

// String describes the ResetConfig with its Secret redacted.
func (c ResetConfig) String() string { return resetConfigSpec.String(c) }

// GoString is the %#v form of the ResetConfig, secrets redacted.
func (c ResetConfig) GoString() string { return resetConfigSpec.GoString(c) }

// Format prints the ResetConfig for every verb of fmt, secrets redacted.
func (c ResetConfig) Format(f fmt.State, verb rune) { resetConfigSpec.Print(f, verb, c) }

// LogValue logs the ResetConfig as a group of its fields, secrets redacted.
func (c ResetConfig) LogValue() slog.Value { return resetConfigSpec.LogValue(c) }
