package subuser

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

var linkSpec = redact.New[Link]("Token")

// String describes the Link with its Token redacted.
func (l Link) String() string { return linkSpec.String(l) }

// GoString is the %#v form of the Link, its Token redacted.
func (l Link) GoString() string { return linkSpec.GoString(l) }

// Format prints the Link for every verb of fmt, its Token redacted.
func (l Link) Format(f fmt.State, verb rune) { linkSpec.Print(f, verb, l) }

// LogValue logs the Link as a group of its fields, its Token redacted.
func (l Link) LogValue() slog.Value { return linkSpec.LogValue(l) }
