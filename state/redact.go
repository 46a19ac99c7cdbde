package state

import (
	"fmt"
	"log/slog"

	"github.com/accountsec/accountsec/internal/redact"
)

var recordSpec = redact.New[Record]("Data")

// String describes the Record with its Data redacted.
func (r Record) String() string { return recordSpec.String(r) }

// GoString is the %#v form of the Record, secrets redacted.
func (r Record) GoString() string { return recordSpec.GoString(r) }

// Format prints the Record for every verb of fmt, secrets redacted.
func (r Record) Format(f fmt.State, verb rune) { recordSpec.Print(f, verb, r) }

// LogValue logs the Record as a group of its fields, secrets redacted.
func (r Record) LogValue() slog.Value { return recordSpec.LogValue(r) }

var onceSpec = redact.New[Once]("Data")

// String describes the Once with its Data redacted.
func (o Once) String() string { return onceSpec.String(o) }

// GoString is the %#v form of the Once, secrets redacted.
func (o Once) GoString() string { return onceSpec.GoString(o) }

// Format prints the Once for every verb of fmt, secrets redacted.
func (o Once) Format(f fmt.State, verb rune) { onceSpec.Print(f, verb, o) }

// LogValue logs the Once as a group of its fields, secrets redacted.
func (o Once) LogValue() slog.Value { return onceSpec.LogValue(o) }

var documentSpec = redact.New[Document]("Data")

// String describes the Document with its Data redacted.
func (d Document) String() string { return documentSpec.String(d) }

// GoString is the %#v form of the Document, secrets redacted.
func (d Document) GoString() string { return documentSpec.GoString(d) }

// Format prints the Document for every verb of fmt, secrets redacted.
func (d Document) Format(f fmt.State, verb rune) { documentSpec.Print(f, verb, d) }

// LogValue logs the Document as a group of its fields, secrets redacted.
func (d Document) LogValue() slog.Value { return documentSpec.LogValue(d) }
