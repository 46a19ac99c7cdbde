package notify

import (
	"fmt"
	"log/slog"

	"github.com/accountsec/accountsec/internal/redact"
)

var messageSpec = redact.New[Message]("Code")

// String describes the Message with its Code redacted.
func (m Message) String() string { return messageSpec.String(m) }

// GoString is the %#v form of the Message, secrets redacted.
func (m Message) GoString() string { return messageSpec.GoString(m) }

// Format prints the Message for every verb of fmt, secrets redacted.
func (m Message) Format(f fmt.State, verb rune) { messageSpec.Print(f, verb, m) }

// LogValue logs the Message as a group of its fields, secrets redacted.
func (m Message) LogValue() slog.Value { return messageSpec.LogValue(m) }

var codesConfigSpec = redact.New[CodesConfig]("Secret")

// String describes the CodesConfig with its Secret redacted.
func (c CodesConfig) String() string { return codesConfigSpec.String(c) }

// GoString is the %#v form of the CodesConfig, secrets redacted.
func (c CodesConfig) GoString() string { return codesConfigSpec.GoString(c) }

// Format prints the CodesConfig for every verb of fmt, secrets redacted.
func (c CodesConfig) Format(f fmt.State, verb rune) { codesConfigSpec.Print(f, verb, c) }

// LogValue logs the CodesConfig as a group of its fields, secrets redacted.
func (c CodesConfig) LogValue() slog.Value { return codesConfigSpec.LogValue(c) }

var codeRecordSpec = redact.New[CodeRecord]("Hash")

// String describes the CodeRecord with its Hash redacted.
func (r CodeRecord) String() string { return codeRecordSpec.String(r) }

// GoString is the %#v form of the CodeRecord, secrets redacted.
func (r CodeRecord) GoString() string { return codeRecordSpec.GoString(r) }

// Format prints the CodeRecord for every verb of fmt, secrets redacted.
func (r CodeRecord) Format(f fmt.State, verb rune) { codeRecordSpec.Print(f, verb, r) }

// LogValue logs the CodeRecord as a group of its fields, secrets redacted.
func (r CodeRecord) LogValue() slog.Value { return codeRecordSpec.LogValue(r) }
