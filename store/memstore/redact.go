package memstore

import (
	"fmt"
	"log/slog"

	"github.com/accountsec/accountsec/internal/redact"
)

// storeName is what a Store prints as: it holds password hashes, code hashes and encoded records.
const storeName redact.Opaque = "memstore.Store"

// String names the Store without its contents.
func (s *Store) String() string { return storeName.String() }

// GoString is String.
func (s *Store) GoString() string { return storeName.GoString() }

// Format prints String for every verb of fmt.
func (s *Store) Format(f fmt.State, verb rune) { storeName.Format(f, verb) }

// LogValue logs String.
func (s *Store) LogValue() slog.Value { return storeName.LogValue() }

// accountStoreName is what a AccountStore prints as: it holds password hashes.
const accountStoreName redact.Opaque = "memstore.AccountStore"

// String names the AccountStore without its contents.
func (s *AccountStore) String() string { return accountStoreName.String() }

// GoString is String.
func (s *AccountStore) GoString() string { return accountStoreName.GoString() }

// Format prints String for every verb of fmt.
func (s *AccountStore) Format(f fmt.State, verb rune) { accountStoreName.Format(f, verb) }

// LogValue logs String.
func (s *AccountStore) LogValue() slog.Value { return accountStoreName.LogValue() }
