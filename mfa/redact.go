package mfa

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

// LogValue logs String, so slog shows the key IDs, never the keys.
func (r StaticKeyring) LogValue() slog.Value { return slog.StringValue(r.String()) }
