package accountsec

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

var passwordResultSpec = redact.New[PasswordResult]("Rehash")

// String describes the PasswordResult with its Rehash redacted.
func (r PasswordResult) String() string { return passwordResultSpec.String(r) }

// GoString is the %#v form of the PasswordResult, secrets redacted.
func (r PasswordResult) GoString() string { return passwordResultSpec.GoString(r) }

// Format prints the PasswordResult for every verb of fmt, secrets redacted.
func (r PasswordResult) Format(f fmt.State, verb rune) { passwordResultSpec.Print(f, verb, r) }

// LogValue logs the PasswordResult as a group of its fields, secrets redacted.
func (r PasswordResult) LogValue() slog.Value { return passwordResultSpec.LogValue(r) }
