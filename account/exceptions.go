package account

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/accountsec/accountsec/event"
	"github.com/accountsec/accountsec/internal/codec"
	"github.com/accountsec/accountsec/reason"
	"github.com/accountsec/accountsec/state"
)

// Bounds of the quota exceptions.
const (
	// MaxExceptionLimit is the highest raised quota, the policy's own bound.
	MaxExceptionLimit = 10000
	// MaxExceptionRaises is the most quotas one account exception raises.
	MaxExceptionRaises = 16
	// MaxOperatorBytes is the longest operator ID, in bytes.
	MaxOperatorBytes = 64
	// MaxExceptionNoteLen is the longest note, in Unicode characters.
	MaxExceptionNoteLen = 200
)

// ErrQuotaExceptionInvalid: a quota exception names a quota it cannot
// raise, or a value out of range. Params: field.
var ErrQuotaExceptionInvalid = reason.New(reason.AccountQuotaExceptionInvalid)

// QuotaRaise raises one quota: the number of accounts that may hold an
// identifier of Kind in Scope.
type QuotaRaise struct {
	// Scope is the quota namespace.
	Scope Scope
	// Kind is the kind of identifier.
	Kind Kind
	// Limit is the raised number of accounts, 1 to MaxExceptionLimit. A
	// raise never lowers the policy's quota: the larger of the two holds.
	Limit int
}

// AccountException is the back office's exception for one account (the
// console's "ask your account manager"), granted after a manual check.
type AccountException struct {
	// Raises raise the quotas of the identifiers this account takes: the
	// account may take an identifier of Raise.Kind in Raise.Scope as long
	// as fewer than Raise.Limit accounts hold it. At most
	// MaxExceptionRaises, one per scope and kind.
	Raises []QuotaRaise
	// MinEnterpriseNameLength, when above zero, lets the account record an
	// enterprise name this short (below the policy's minimum).
	MinEnterpriseNameLength int
	// Operator identifies who granted it, for the audit. Required.
	Operator string
	// Note says why (at most MaxExceptionNoteLen characters).
	Note string
}

// IdentifierException is the back office's exception for one identifier:
// it may be held by more accounts than the policy's quota.
type IdentifierException struct {
	// Scope, Kind and Identifier name the quota; Identifier is normalised
	// as everywhere (identity numbers are looked up by their keyed hash).
	Scope Scope
	// Kind is the kind of identifier.
	Kind Kind
	// Identifier is the identifier.
	Identifier string
	// Limit is the raised number of accounts, 1 to MaxExceptionLimit; 0
	// clears the exception.
	Limit int
	// Operator identifies who granted it, for the audit. Required.
	Operator string
	// Note says why (at most MaxExceptionNoteLen characters).
	Note string
}

// raisable lists the quotas an exception may raise: those slotsOf makes.
var raisable = map[Scope][]Kind{
	ScopeRegister:      {KindEmail, KindQQ, KindWeChat, KindWeChatOA, KindWeCom},
	ScopeBind:          {KindEmail, KindQQ, KindWeChat, KindWeChatOA, KindWeCom},
	ScopeSecurityPhone: {KindPhone},
	ScopeRealName:      {KindPersonalID, KindEnterpriseID, KindLegalPerson},
}

func checkRaise(scope Scope, kind Kind, limit int, clearable bool) error {
	ok := false
	for _, k := range raisable[scope] {
		ok = ok || k == kind
	}
	switch {
	case !ok:
		return ErrQuotaExceptionInvalid.With("field", "scope")
	case limit < 0 || limit > MaxExceptionLimit || limit == 0 && !clearable:
		return ErrQuotaExceptionInvalid.With("field", "limit")
	}
	return nil
}

func checkAudit(operator, note string) error {
	if err := checkID("operator", operator); err != nil {
		return err
	}
	if len(operator) > MaxOperatorBytes {
		return tooLong("operator", MaxOperatorBytes)
	}
	if !utf8.ValidString(note) {
		return reason.New(reason.InputInvalidUTF8).With("field", "note")
	}
	if utf8.RuneCountInString(note) > MaxExceptionNoteLen {
		return tooLong("note", MaxExceptionNoteLen)
	}
	return nil
}

// errNoExceptions refuses setting an exception without a store for them.
func errNoExceptions() error {
	return reason.New(reason.PolicyInvalid).With("field", "account.Config.Exceptions").With("value", "nil").With("allowed", "a state.Documents")
}

// SetAccountException replaces the account's quota exception with x (an
// x without raises and without MinEnterpriseNameLength clears it). It is a
// back-office operation, for the host's operators after a manual check,
// and emits event.QuotaExceptionSet for the audit. The exception is read
// when the account next takes a quota slot (binding, a security phone, a
// real-name record) and feeds the limit of that atomic write; slots
// already held are not affected.
func (s *Service) SetAccountException(ctx context.Context, accountID string, x AccountException) error {
	if err := checkID("account_id", accountID); err != nil {
		return err
	}
	if s.exceptions == nil {
		return errNoExceptions()
	}
	if len(x.Raises) > MaxExceptionRaises {
		return ErrQuotaExceptionInvalid.With("field", "raises")
	}
	for i, r := range x.Raises {
		if err := checkRaise(r.Scope, r.Kind, r.Limit, false); err != nil {
			return err
		}
		for _, o := range x.Raises[:i] {
			if o.Scope == r.Scope && o.Kind == r.Kind {
				return ErrQuotaExceptionInvalid.With("field", "raises")
			}
		}
	}
	if n := x.MinEnterpriseNameLength; n < 0 || n > MaxEnterpriseNameLen {
		return ErrQuotaExceptionInvalid.With("field", "min_enterprise_name_length")
	}
	if err := checkAudit(x.Operator, x.Note); err != nil {
		return err
	}
	if _, err := s.Account(ctx, accountID); err != nil {
		return err
	}
	if err := s.putException(ctx, s.accountExceptionID(accountID), encodeAccountException(x)); err != nil {
		return err
	}
	pairs := make([]string, len(x.Raises))
	for i, r := range x.Raises {
		pairs[i] = string(r.Scope) + "/" + string(r.Kind) + "=" + strconv.Itoa(r.Limit)
	}
	s.events.Emit(ctx, event.Event{Kind: event.QuotaExceptionSet, At: s.now(), AccountID: accountID, Scope: "quota_exception",
		Attrs: map[string]string{
			"target": "account", "operator": x.Operator, "quotas": strings.Join(pairs, ","),
			"min_enterprise_name_length": strconv.Itoa(x.MinEnterpriseNameLength),
			"note_chars":                 strconv.Itoa(utf8.RuneCountInString(x.Note)),
		}})
	return nil
}

// SetIdentifierException sets (or, with Limit 0, clears) the exception of
// one identifier: up to x.Limit accounts may hold it in x.Scope. It is a
// back-office operation and emits event.QuotaExceptionSet, whose Subject is
// the keyed hash of the identifier. The exception feeds the limit of every
// later atomic write that takes the identifier's slot.
func (s *Service) SetIdentifierException(ctx context.Context, x IdentifierException) error {
	if err := checkRaise(x.Scope, x.Kind, x.Limit, true); err != nil {
		return err
	}
	if err := checkAudit(x.Operator, x.Note); err != nil {
		return err
	}
	if s.exceptions == nil {
		return errNoExceptions()
	}
	v, err := s.normalize(x.Kind, x.Identifier)
	if err != nil {
		return err
	}
	switch x.Kind {
	case KindPersonalID, KindEnterpriseID, KindLegalPerson:
		v = s.idHash(x.Kind, v)
	}
	slot := Slot{Scope: x.Scope, Kind: x.Kind, Value: v}
	id := s.slotExceptionID(slot)
	w := codec.NewWriter(exceptionFormat, 8)
	w.Int(int64(x.Limit))
	if err := s.putException(ctx, id, w.Done()); err != nil {
		return err
	}
	pair := ""
	if x.Limit > 0 {
		pair = string(x.Scope) + "/" + string(x.Kind) + "=" + strconv.Itoa(x.Limit)
	}
	s.events.Emit(ctx, event.Event{Kind: event.QuotaExceptionSet, At: s.now(), Subject: id, Scope: "quota_exception",
		Attrs: map[string]string{
			"target": "identifier", "operator": x.Operator, "quotas": pair,
			"note_chars": strconv.Itoa(utf8.RuneCountInString(x.Note)),
		}})
	return nil
}

const exceptionFormat = 1

func (s *Service) accountExceptionID(accountID string) string {
	return s.keys.Key("quota-exception-account", accountID)
}

func (s *Service) slotExceptionID(sl Slot) string {
	return s.keys.Key("quota-exception-slot", string(sl.Scope), string(sl.Kind), sl.Value)
}

func encodeAccountException(x AccountException) []byte {
	w := codec.NewWriter(exceptionFormat, 16+24*len(x.Raises))
	w.Int(int64(x.MinEnterpriseNameLength))
	w.Int(int64(len(x.Raises)))
	for _, r := range x.Raises {
		w.String(string(r.Scope))
		w.String(string(r.Kind))
		w.Int(int64(r.Limit))
	}
	w.String(x.Operator)
	return w.Done()
}

func decodeAccountException(p []byte) (AccountException, error) {
	r, v := codec.NewReader(p)
	x := AccountException{MinEnterpriseNameLength: int(r.Int())}
	n := r.Int()
	if n < 0 || n > MaxExceptionRaises {
		return AccountException{}, reason.Store(fmt.Errorf("account: corrupt quota exception"))
	}
	for range n {
		x.Raises = append(x.Raises, QuotaRaise{Scope: Scope(r.String()), Kind: Kind(r.String()), Limit: int(r.Int())})
	}
	x.Operator = r.String()
	if err := r.Err(); err != nil || v != exceptionFormat {
		return AccountException{}, reason.Store(fmt.Errorf("account: corrupt quota exception: %v", err))
	}
	return x, nil
}

// putException writes the document id with data, whatever its version.
func (s *Service) putException(ctx context.Context, id string, data []byte) error {
	for range maxWriteAttempts {
		d, _, err := s.exceptions.GetDocument(ctx, id)
		if err != nil {
			return reason.Store(err)
		}
		ok, err := s.exceptions.PutDocument(ctx, state.Document{ID: id, Version: d.Version + 1, Data: data})
		if err != nil {
			return reason.Store(err)
		}
		if ok {
			return nil
		}
	}
	return reason.Store(fmt.Errorf("account: %d conflicting writes in a row on one quota exception", maxWriteAttempts))
}

// accountException reads the account's exception; the zero value when none.
func (s *Service) accountException(ctx context.Context, accountID string) (AccountException, error) {
	if s.exceptions == nil || accountID == "" {
		return AccountException{}, nil
	}
	d, found, err := s.exceptions.GetDocument(ctx, s.accountExceptionID(accountID))
	if err != nil {
		return AccountException{}, reason.Store(err)
	}
	if !found {
		return AccountException{}, nil
	}
	return decodeAccountException(d.Data)
}

// slotException reads the raised limit of one slot; 0 when none.
func (s *Service) slotException(ctx context.Context, sl Slot) (int, error) {
	d, found, err := s.exceptions.GetDocument(ctx, s.slotExceptionID(sl))
	if err != nil {
		return 0, reason.Store(err)
	}
	if !found {
		return 0, nil
	}
	r, v := codec.NewReader(d.Data)
	n := int(r.Int())
	if err := r.Err(); err != nil || v != exceptionFormat {
		return 0, reason.Store(fmt.Errorf("account: corrupt quota exception: %v", err))
	}
	return n, nil
}

// raiseLimits raises the Limit of each take by the exceptions of the
// account and of the slot, before the atomic write that takes them. It
// reads nothing when there is nothing to take or no exception store.
func (s *Service) raiseLimits(ctx context.Context, accountID string, take []Take) error {
	if s.exceptions == nil || len(take) == 0 {
		return nil
	}
	ax, err := s.accountException(ctx, accountID)
	if err != nil {
		return err
	}
	for i := range take {
		t := &take[i]
		for _, r := range ax.Raises {
			if r.Scope == t.Slot.Scope && r.Kind == t.Slot.Kind {
				t.Limit = max(t.Limit, r.Limit)
			}
		}
		n, err := s.slotException(ctx, t.Slot)
		if err != nil {
			return err
		}
		t.Limit = max(t.Limit, n)
	}
	return nil
}

// limitFor returns the limit of slot for the account, exceptions included.
func (s *Service) limitFor(ctx context.Context, accountID string, sl Slot) (int, error) {
	take := []Take{{Slot: sl, Limit: limitOf(sl, s.quotas)}}
	if err := s.raiseLimits(ctx, accountID, take); err != nil {
		return 0, err
	}
	return take[0].Limit, nil
}

// minEnterpriseName returns the shortest enterprise name the account may
// record: the policy's, or its exception's when that is shorter.
func (s *Service) minEnterpriseName(ctx context.Context, accountID string) (int, error) {
	min := s.quotas.MinEnterpriseNameLength
	ax, err := s.accountException(ctx, accountID)
	if err != nil {
		return 0, err
	}
	if n := ax.MinEnterpriseNameLength; n > 0 && n < min {
		min = n
	}
	return min, nil
}
