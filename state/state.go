// Package state declares the few storage primitives that hold the library's
// hot, expiring state and its durable flow documents. Every store adapter
// (store/memstore, store/pgstore, store/redisstore) implements each of them
// once, and store/storetest proves each of them once; the domain packages
// (protection, recovery, …) encode their own records on top of them with
// small typed codecs. A new flow therefore adds no adapter code: it picks a
// primitive and a set name.
//
// The primitives:
//
//   - [Records]: owner-scoped record sets. Put, get, list, touch and delete
//     records of one owner in one named set; end every record of an owner
//     in one write whatever their number (through a per-owner generation);
//     optionally keep only the newest N. Sessions, step-up grants, trusted
//     devices, usual login cities, password resets and the review lists
//     of the recovery flows and of the sub-user applications live here.
//   - [Onces]: single-use records found by an opaque ID: put unless a live
//     one exists, get, take once. Pending logins, started verifications,
//     find-account sessions, the grants and allowances of an enterprise
//     recovery and sub-user application links live here.
//   - [Documents]: versioned documents, written by compare-and-set on a
//     version, for durable flow state. MFA devices, hardware tokens and
//     backup codes, enterprise recoveries and appeals, cancellation
//     applications, sub-user enterprises and applications, and quota
//     exceptions live here.
//
// Counters (limits.CounterStore) and one-time codes (notify.CodeStore) are
// the other two hot-state primitives; accounts (account.Store) stay typed,
// because PostgreSQL constraints and transactions across rows serve their
// quota slots best.
//
// A typical use, a record set of one owner (owner and IDs are keyed hashes
// the caller computed; the payload is the caller's encoding):
//
//	err := st.PutRecord(ctx, state.Record{Set: "session", Owner: owner, ID: id, Data: data, ExpiresAt: exp}, 0, now)
//	rec, found, err := st.GetRecord(ctx, "session", owner, id, now)
//	err = st.EndRecords(ctx, "session", owner, "", now) // every record of the owner, one write
//
// # Common rules
//
// Sets, owners and IDs are opaque printable ASCII (0x21–0x7E) of 1 to
// [MaxKeyBytes] bytes: callers hash identifiers before they reach a store.
// Data is at most [MaxDataBytes] bytes. An argument that breaks these rules
// is an error wrapping [ErrContract]; adapters check arguments with
// [CheckRecord], [CheckKey] and friends, so every adapter refuses the same
// inputs.
//
// Stores never read a clock: every method that decides liveness takes now
// from the caller, and a record is live strictly before its ExpiresAt.
// Stores compare times at millisecond precision (callers use whole
// milliseconds). Absence is never an error; errors are for system failures
// and contract violations, and callers fail closed on them.
//
// Data returned by a store belongs to the caller but must not be modified:
// a store may return a slice it shares with other readers (the memory store
// does, so that reads do not allocate). Data passed to a store may be kept by
// it; the caller must not modify it afterwards.
package state

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Limits of the arguments every adapter accepts.
const (
	// MaxKeyBytes is the longest set, owner or ID, in bytes.
	MaxKeyBytes = 200
	// MaxDataBytes is the largest payload, in bytes.
	MaxDataBytes = 64 << 10
)

// ErrContract is wrapped by every error about an argument that breaks the
// store contract (an empty or over-long key, a non-printable byte, an
// expiry not after now, a negative keep, an over-large payload).
var ErrContract = errors.New("state: argument breaks the store contract")

// Record is one record of an owner-scoped set.
type Record struct {
	// Set names the set (for example "session"). Records of different sets
	// never meet, and ending one set ends nothing in another.
	Set string
	// Owner is the opaque owner the record belongs to (for example a keyed
	// tag of an account ID).
	Owner string
	// ID identifies the record within the owner's set.
	ID string
	// Data is the caller's opaque payload.
	Data []byte
	// Order orders the owner's records (ListRecords, the keep-newest rule of
	// PutRecord) and can only grow through TouchRecord. Callers use it for a
	// time in milliseconds (a last-seen time, a last login).
	Order int64
	// ExpiresAt is when the record stops being live.
	ExpiresAt time.Time
}

// Records keeps owner-scoped record sets. Every method is one atomic
// operation.
//
// A record is live while it exists, now is before its ExpiresAt, and no
// EndRecords of its set and owner ran after it was put. Ending costs a
// constant number of writes whatever the number of records (a store may keep
// a generation per set and owner and treat records of an older generation as
// absent, or drop the owner's keys at once). A store may reclaim a record as
// soon as it is dead at the latest now any caller passed.
type Records interface {
	// PutRecord stores r, replacing any record with the same set, owner and
	// ID (live or not); r is live from now on. When keep is above zero, only
	// the keep live records of the owner's set with the greatest (Order, ID)
	// stay afterwards, in the same atomic step (r itself may be dropped when
	// it is not among them). r.ExpiresAt must be after now; keep must not be
	// negative.
	PutRecord(ctx context.Context, r Record, keep int, now time.Time) error
	// GetRecord returns the live record with set, owner and id; found is
	// false when there is none.
	GetRecord(ctx context.Context, set, owner, id string, now time.Time) (r Record, found bool, err error)
	// ListRecords returns the owner's live records in set, ordered by
	// (Order, ID) ascending (IDs compare as bytes).
	ListRecords(ctx context.Context, set, owner string, now time.Time) ([]Record, error)
	// TouchRecord raises the live record's Order to order when order is
	// greater, and reports whether the record is live. It never revives an
	// ended, expired or deleted record.
	TouchRecord(ctx context.Context, set, owner, id string, order int64, now time.Time) (live bool, err error)
	// DeleteRecord removes the record and reports whether it was live: of
	// concurrent calls for one live record, exactly one gets true, which
	// makes get-then-delete a take-once.
	DeleteRecord(ctx context.Context, set, owner, id string, now time.Time) (deleted bool, err error)
	// EndRecords ends every record of the owner in set in one write. keep,
	// when not empty, names a record that stays live with its data, order
	// and expiry (nothing is kept when it is not live). Ending an owner with
	// no records is not an error.
	EndRecords(ctx context.Context, set, owner, keep string, now time.Time) error
}

// Once is a single-use record found by its ID.
type Once struct {
	// ID identifies the record (for example a prefix and the hash of a
	// token).
	ID string
	// Data is the caller's opaque payload.
	Data []byte
	// ExpiresAt is when the record stops being live.
	ExpiresAt time.Time
}

// Onces keeps single-use records. Every method is one atomic operation.
type Onces interface {
	// PutOnce stores r unless a live record with r.ID exists; created is
	// false (and nothing changed) when one does. An expired record with the
	// same ID is replaced. r.ExpiresAt must be after now.
	PutOnce(ctx context.Context, r Once, now time.Time) (created bool, err error)
	// GetOnce returns the live record with id without changing it.
	GetOnce(ctx context.Context, id string, now time.Time) (r Once, found bool, err error)
	// TakeOnce returns and removes the live record with id: of concurrent
	// calls, exactly one finds it. Taking is also how a record is deleted.
	TakeOnce(ctx context.Context, id string, now time.Time) (r Once, found bool, err error)
}

// Document is a versioned document for durable flow state (an appeal, a
// cancellation application, …).
type Document struct {
	// ID identifies the document.
	ID string
	// Version counts the writes: 1 for the first. PutDocument writes
	// Version n only over Version n-1.
	Version int64
	// Data is the caller's opaque payload.
	Data []byte
}

// Documents keeps versioned documents. Documents do not expire. Every
// method is one atomic operation.
type Documents interface {
	// GetDocument returns the document with id.
	GetDocument(ctx context.Context, id string) (d Document, found bool, err error)
	// PutDocument writes d if the stored version is d.Version-1 (absent
	// counts as version 0, so Version 1 creates). ok is false, and nothing
	// changed, on a version conflict: of concurrent writers of one version,
	// exactly one wins. d.Version must be at least 1.
	PutDocument(ctx context.Context, d Document) (ok bool, err error)
}

// Store is every primitive of this package. memstore, pgstore and
// redisstore implement it.
type Store interface {
	Records
	Onces
	Documents
}

// CheckKey returns an error wrapping ErrContract unless s is 1 to
// MaxKeyBytes bytes of printable ASCII. field names the argument in the
// message.
func CheckKey(field, s string) error {
	if s == "" || len(s) > MaxKeyBytes {
		return fmt.Errorf("%w: %s must be 1 to %d bytes, got %d", ErrContract, field, MaxKeyBytes, len(s))
	}
	if printableKey(s) {
		return nil
	}
	for i := 0; i < len(s); i++ {
		if !printable[s[i]] {
			return fmt.Errorf("%w: %s has byte %#x at %d (printable ASCII only)", ErrContract, field, s[i], i)
		}
	}
	return nil
}

// printableKey reports whether every byte of s is printable ASCII
// (0x21–0x7E), eight bytes at a time, since every store call checks its
// keys: a word has a byte below 0x21 when subtracting 0x21 from every byte
// borrows into a high bit the byte did not have, and one above 0x7E when
// adding 1 to every byte sets a high bit, or the byte had it already. Both
// tests are exact for "some byte of the word", which is all that is asked.
func printableKey(s string) bool {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	i := 0
	for ; i+8 <= len(s); i += 8 {
		x := uint64(s[i]) | uint64(s[i+1])<<8 | uint64(s[i+2])<<16 | uint64(s[i+3])<<24 |
			uint64(s[i+4])<<32 | uint64(s[i+5])<<40 | uint64(s[i+6])<<48 | uint64(s[i+7])<<56
		if ((x-ones*0x21)&^x|(x+ones)|x)&highs != 0 {
			return false
		}
	}
	for ; i < len(s); i++ {
		if !printable[s[i]] {
			return false
		}
	}
	return true
}

// printable marks the bytes a key may hold, 0x21–0x7E, for the bytes of a
// key past its last whole word.
var printable = func() (t [256]bool) {
	for c := 0x21; c <= 0x7e; c++ {
		t[c] = true
	}
	return t
}()

// CheckData returns an error wrapping ErrContract when b is over
// MaxDataBytes.
func CheckData(b []byte) error {
	if len(b) > MaxDataBytes {
		return fmt.Errorf("%w: data of %d bytes (at most %d)", ErrContract, len(b), MaxDataBytes)
	}
	return nil
}

// CheckExpiry returns an error wrapping ErrContract unless expiresAt is
// after now.
func CheckExpiry(expiresAt, now time.Time) error {
	if !expiresAt.After(now) {
		return fmt.Errorf("%w: expiry %s is not after now %s", ErrContract, expiresAt.Format(time.RFC3339Nano), now.Format(time.RFC3339Nano))
	}
	return nil
}

// CheckOwner checks the set and owner of a Records call.
func CheckOwner(set, owner string) error {
	if err := CheckKey("set", set); err != nil {
		return err
	}
	return CheckKey("owner", owner)
}

// CheckRecordKey checks the set, owner and ID of a Records call.
func CheckRecordKey(set, owner, id string) error {
	if err := CheckOwner(set, owner); err != nil {
		return err
	}
	return CheckKey("id", id)
}

// CheckEnd checks the arguments of EndRecords: keep is empty or a valid ID.
func CheckEnd(set, owner, keep string) error {
	if err := CheckOwner(set, owner); err != nil {
		return err
	}
	if keep == "" {
		return nil
	}
	return CheckKey("keep", keep)
}

// CheckRecord checks the arguments of PutRecord.
func CheckRecord(r Record, keep int, now time.Time) error {
	if err := CheckRecordKey(r.Set, r.Owner, r.ID); err != nil {
		return err
	}
	if keep < 0 {
		return fmt.Errorf("%w: keep %d is negative", ErrContract, keep)
	}
	if err := CheckData(r.Data); err != nil {
		return err
	}
	return CheckExpiry(r.ExpiresAt, now)
}

// CheckOnce checks the arguments of PutOnce.
func CheckOnce(r Once, now time.Time) error {
	if err := CheckKey("id", r.ID); err != nil {
		return err
	}
	if err := CheckData(r.Data); err != nil {
		return err
	}
	return CheckExpiry(r.ExpiresAt, now)
}

// CheckDocument checks the arguments of PutDocument.
func CheckDocument(d Document) error {
	if err := CheckKey("id", d.ID); err != nil {
		return err
	}
	if d.Version < 1 {
		return fmt.Errorf("%w: version %d (at least 1)", ErrContract, d.Version)
	}
	return CheckData(d.Data)
}

// Live reports whether a record expiring at expiresAt is live at now,
// comparing whole milliseconds as every store does.
func Live(expiresAt, now time.Time) bool {
	return now.UnixMilli() < expiresAt.UnixMilli()
}
