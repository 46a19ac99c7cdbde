package pgstore

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/accountsec/accountsec/account"
)

// createAccountSQL inserts an account at version 1. ON CONFLICT DO NOTHING
// without a target covers both the ID and the APPID, tombstones included,
// and waits for a concurrent insert of either to commit or roll back: of
// any number of concurrent creates with one ID or APPID, one inserts.
const createAccountSQL = `
INSERT INTO %[1]s (id, appid, version, record) VALUES ($1, $2, 1, $3::jsonb)
ON CONFLICT DO NOTHING`

const accountByIDSQL = `
SELECT id, appid, version, record FROM %[1]s WHERE id = $1 AND NOT deleted`

const accountByAPPIDSQL = `
SELECT id, appid, version, record FROM %[1]s WHERE appid = $1 AND NOT deleted`

// updateAccountSQL writes a new version of an account if the stored one is
// $3, releasing the slots $5, $6, $7 (scopes, kinds, values) in the same
// statement; a call with slots to take runs it with no releases inside the
// transaction that takes them (takeSlotsSQL does the releases there).
//
// upd locks the row. When a concurrent write holds it, upd waits and then
// re-checks its WHERE on the row's latest version, so of several writers of
// one version exactly one matches. rel deletes with the statement's
// snapshot, which is exact for this account's slots whenever upd matched:
// every write of an account's slots also bumps its version under the row
// lock, so one committed after the snapshot would have made upd miss.
//
// The row out classifies the result: updated, or else the version and APPID
// of the live account as of the snapshot (NULL when there is none).
const updateAccountSQL = `
WITH cur AS (
	SELECT version, appid FROM %[1]s WHERE id = $1 AND NOT deleted
), upd AS (
	UPDATE %[1]s a SET record = $4::jsonb, version = a.version + 1
	WHERE a.id = $1 AND NOT a.deleted AND a.version = $3::bigint AND a.appid = $2
	RETURNING a.id
), rel AS (
	DELETE FROM %[2]s h
	USING upd, unnest($5::text[], $6::text[], $7::text[]) AS r (scope, kind, value)
	WHERE h.account_id = upd.id AND h.scope = r.scope AND h.kind = r.kind AND h.value = r.value
)
SELECT EXISTS (SELECT 1 FROM upd), (SELECT version FROM cur), (SELECT appid FROM cur)`

// deleteAccountSQL turns a live account into a tombstone; bumping the
// version makes any write based on an earlier read miss.
const deleteAccountSQL = `
UPDATE %[1]s SET deleted = true, record = NULL, version = version + 1
WHERE id = $1 AND NOT deleted`

// deleteAccountSlotsSQL releases every slot of the account. It runs after
// deleteAccountSQL in the same transaction, as a statement of its own, so
// that its snapshot is taken after deleteAccountSQL got the row lock and
// includes the slots of any write that held the lock before. No write can
// add one afterwards: they all need the row, live.
const deleteAccountSlotsSQL = `DELETE FROM %[1]s WHERE account_id = $1`

// lockSlotsSQL takes the transaction-level advisory locks $1, in the order
// given: unnest yields the elements in array order, and the aggregate calls
// the function once per row as the scan produces it.
const lockSlotsSQL = `SELECT count(pg_advisory_xact_lock(k)) FROM unnest($1::bigint[]) AS k`

// takeSlotsSQL grants the takes $2..$5 (scopes, kinds, values, limits) to
// account $1 and releases the slots $6..$8, or, when a take is refused,
// changes nothing and returns the (1-based) position of the first refused
// take. A take is granted when the account holds the slot already or fewer
// than its limit do.
//
// It runs after lockSlotsSQL has locked every slot of the takes, as a
// statement of its own, so that its snapshot includes every holder added
// by a transaction that held one of these locks before: the count it
// decides on cannot change until this transaction ends, since holders are
// only ever added under the slot's lock. Releases need no lock: a removal
// can only make a concurrent count too high, never too low.
//
// All its parts see the slots as they were before it, so a slot both taken
// and released is decided on its former holders and ends up not held.
const takeSlotsSQL = `
WITH take AS (
	SELECT * FROM unnest($2::text[], $3::text[], $4::text[], $5::bigint[]) WITH ORDINALITY AS t (scope, kind, value, lim, ord)
), refused AS (
	SELECT t.ord FROM take t
	WHERE NOT EXISTS (
		SELECT 1 FROM %[1]s h
		WHERE h.scope = t.scope AND h.kind = t.kind AND h.value = t.value AND h.account_id = $1
	) AND (
		SELECT count(*) FROM %[1]s h
		WHERE h.scope = t.scope AND h.kind = t.kind AND h.value = t.value
	) >= t.lim
	ORDER BY t.ord
	LIMIT 1
), released AS (
	SELECT * FROM unnest($6::text[], $7::text[], $8::text[]) AS r (scope, kind, value)
), taken AS (
	INSERT INTO %[1]s (scope, kind, value, account_id)
	SELECT DISTINCT t.scope, t.kind, t.value, $1::text FROM take t
	WHERE NOT EXISTS (SELECT 1 FROM refused)
	AND NOT EXISTS (
		SELECT 1 FROM released r
		WHERE r.scope = t.scope AND r.kind = t.kind AND r.value = t.value
	)
	ON CONFLICT DO NOTHING
), freed AS (
	DELETE FROM %[1]s h USING released r
	WHERE NOT EXISTS (SELECT 1 FROM refused)
	AND h.account_id = $1 AND h.scope = r.scope AND h.kind = r.kind AND h.value = r.value
)
SELECT ord FROM refused`

// slotHoldersSQL sorts by byte order, as Go's slices.Sort does.
const slotHoldersSQL = `
SELECT account_id FROM %[1]s WHERE scope = $1 AND kind = $2 AND value = $3
ORDER BY account_id COLLATE "C"`

// CreateAccount stores a at version 1 and takes the slots of take for a.ID,
// if a.ID and a.APPID are unused (tombstones of deleted accounts included)
// and every take is granted; see account.Store. Without takes it is one
// statement. With takes it is one READ COMMITTED transaction of three round
// trips: the insert (which reserves the ID and APPID against concurrent
// creates), then the slot locks and the take, then the commit; a refused
// take rolls the insert back.
//
// Like the memory store, it returns an error and changes nothing when an ID
// is empty, a limit is below 1 or the record holds a string PostgreSQL
// cannot store unchanged (invalid UTF-8 or a NUL byte).
func (s *Store) CreateAccount(ctx context.Context, a account.Account, take []account.Take) (account.WriteResult, error) {
	if a.ID == "" || a.APPID == "" {
		return account.WriteResult{}, errors.New("pgstore: create account: empty account ID or APPID")
	}
	return s.write(ctx, "create account", a, take, nil, func(b *pgx.Batch, doc []byte, _ slotArrays, res *account.WriteResult) {
		b.Queue(s.q.createAccount, a.ID, a.APPID, doc).Exec(func(tag pgconn.CommandTag) error {
			if tag.RowsAffected() == 0 {
				res.Status = account.WriteTaken
			}
			return nil
		})
	})
}

// Account returns the account with the ID.
func (s *Store) Account(ctx context.Context, id string) (account.Account, bool, error) {
	a, found, err := scanAccount(s.pool.QueryRow(ctx, s.q.accountByID, id))
	return a, found, idErr("account", id, err)
}

// AccountByAPPID returns the account with the APPID.
func (s *Store) AccountByAPPID(ctx context.Context, appid string) (account.Account, bool, error) {
	a, found, err := scanAccount(s.pool.QueryRow(ctx, s.q.accountByAPPID, appid))
	return a, found, idErr("account by APPID", appid, err)
}

// UpdateAccount replaces the account a.ID with a, at version a.Version+1,
// if its stored version is a.Version and every take is granted, and
// releases the slots of release; see account.Store.
//
// Without takes it is one statement. With takes it is one READ COMMITTED
// transaction of three round trips: the conditional update (which locks the
// account's row), then the slot locks with the take and the releases, then
// the commit; a refused take rolls the update back.
//
// Like the memory store, it returns an error and changes nothing when a
// limit is below 1, a.APPID differs from the stored one, or the record
// holds a string PostgreSQL cannot store unchanged.
func (s *Store) UpdateAccount(ctx context.Context, a account.Account, take []account.Take, release []account.Slot) (account.WriteResult, error) {
	return s.write(ctx, "update account", a, take, release, func(b *pgx.Batch, doc []byte, rel slotArrays, res *account.WriteResult) {
		b.Queue(s.q.updateAccount, a.ID, a.APPID, a.Version, doc, rel.scopes, rel.kinds, rel.values).QueryRow(func(row pgx.Row) error {
			var err error
			*res, err = classifyUpdate(a, row)
			return err
		})
	})
}

// idErr wraps err with the failed operation and the ID it was for, keeping
// nil nil.
func idErr(op, id string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("pgstore: %s %s: %w", op, id, err)
}

// classifyUpdate reads the row of updateAccountSQL.
func classifyUpdate(a account.Account, row pgx.Row) (account.WriteResult, error) {
	var (
		updated bool
		version *int64
		appid   *string
	)
	if err := row.Scan(&updated, &version, &appid); err != nil {
		return account.WriteResult{}, err
	}
	switch {
	case updated:
		return account.WriteResult{Status: account.WriteOK}, nil
	case version == nil:
		return account.WriteResult{Status: account.WriteMissing}, nil
	case *version != a.Version:
		return account.WriteResult{Status: account.WriteConflict}, nil
	case *appid != a.APPID:
		return account.WriteResult{}, errors.New("the APPID cannot change")
	default:
		// The version matched in the snapshot but a concurrent write
		// changed it before the row lock was granted.
		return account.WriteResult{Status: account.WriteConflict}, nil
	}
}

// DeleteAccount turns the account into a tombstone that keeps its ID and
// APPID reserved, and releases every slot it holds. It is one round trip: a
// batch of two statements that runs as one implicit transaction.
func (s *Store) DeleteAccount(ctx context.Context, id string) (bool, error) {
	var deleted bool
	b := &pgx.Batch{}
	b.Queue(s.q.deleteAccount, id).Exec(func(tag pgconn.CommandTag) error {
		deleted = tag.RowsAffected() == 1
		return nil
	})
	b.Queue(s.q.deleteSlots, id)
	err := s.pool.SendBatch(ctx, b).Close()
	return deleted && err == nil, idErr("delete account", id, err)
}

// SlotHolders returns the IDs of the accounts holding sl, sorted.
func (s *Store) SlotHolders(ctx context.Context, sl account.Slot) ([]string, error) {
	rows, _ := s.pool.Query(ctx, s.q.slotHolders, string(sl.Scope), string(sl.Kind), sl.Value)
	ids, err := pgx.CollectRows(rows, pgx.RowTo[string])
	return ids, wrapErr("slot holders", err)
}

// write checks a and take and runs the write of a that first queues on b:
// one statement that stores doc, the document of a, releases the slots rel
// and sets *res (WriteOK unless it says otherwise). Without takes that
// statement is the write, releasing release. With takes it is one READ
// COMMITTED transaction: BEGIN travels in one round trip with the
// statement, which then releases nothing; if it gives WriteOK, takeSlots
// takes the slots and releases release, and the transaction commits if that
// gives WriteOK too, and rolls back otherwise. Errors name op and a.ID.
//
// The isolation level is set explicitly, whatever the server's default:
// taking a slot relies on each statement seeing the commits that happened
// before it started (see takeSlotsSQL).
func (s *Store) write(ctx context.Context, op string, a account.Account, take []account.Take, release []account.Slot,
	first func(b *pgx.Batch, doc []byte, rel slotArrays, res *account.WriteResult)) (account.WriteResult, error) {
	doc, err := checkAccount(a, take)
	if err != nil {
		return account.WriteResult{}, idErr(op, a.ID, err)
	}
	// One op timeout bounds the whole write, the transaction's later round
	// trips (the take and the commit) included.
	ctx, cancel := s.pool.bound(ctx)
	defer cancel()
	b, rel := &pgx.Batch{}, release
	if len(take) > 0 {
		b.BeginTx(pgx.TxOptions{IsoLevel: pgx.ReadCommitted})
		rel = nil
	}
	res := account.WriteResult{Status: account.WriteOK}
	first(b, doc, slotColumns(rel), &res)
	br := s.pool.SendBatch(ctx, b)
	tx := br.Tx() // nil without takes
	if tx != nil {
		// After a commit Rollback does nothing; after a failed batch it
		// ends the transaction and hands the connection back to the pool.
		defer func() { _ = tx.Rollback(ctx) }()
	}
	err = br.Close()
	if err == nil && tx != nil && res.Status == account.WriteOK {
		res, err = s.takeSlots(ctx, tx, a.ID, take, release)
	}
	if err == nil && tx != nil && res.Status == account.WriteOK {
		err = tx.Commit(ctx)
	}
	if err != nil {
		return account.WriteResult{}, idErr(op, a.ID, err)
	}
	return res, nil
}

// takeSlots locks the slots of take and then, in a second statement of the
// same round trip, grants them and releases those of release; see
// takeSlotsSQL. It runs in tx, which holds the account's row.
func (s *Store) takeSlots(ctx context.Context, tx pgx.Tx, id string, take []account.Take, release []account.Slot) (account.WriteResult, error) {
	t := slotColumns(nil)
	limits := make([]int64, 0, len(take))
	for _, tk := range take {
		t.add(tk.Slot)
		limits = append(limits, int64(tk.Limit))
	}
	r := slotColumns(release)
	var refused int64 // position of the first refused take, from 1; 0 for none
	b := &pgx.Batch{}
	b.Queue(lockSlotsSQL, s.slotLockKeys(take))
	b.Queue(s.q.takeSlots, id, t.scopes, t.kinds, t.values, limits, r.scopes, r.kinds, r.values).QueryRow(func(row pgx.Row) error {
		return ignoreNoRows(row.Scan(&refused))
	})
	if err := tx.SendBatch(ctx, b).Close(); err != nil {
		return account.WriteResult{}, err
	}
	switch {
	case refused == 0:
		return account.WriteResult{Status: account.WriteOK}, nil
	case refused > int64(len(take)) || refused < 0:
		// Cannot happen: refused is an ordinality of take.
		return account.WriteResult{}, fmt.Errorf("refused take %d of %d", refused, len(take))
	default:
		return account.WriteResult{Status: account.WriteFull, Full: take[refused-1].Slot}, nil
	}
}

// slotLockKeys returns the advisory lock keys of the slots of take, sorted
// and without repeats. Every transaction takes its slot locks in this one
// order, after the lock on its account's row and never before, so no two
// writes can wait for each other in a cycle.
//
// A key is the first 8 bytes of SHA-256 over the schema and the slot's
// fields, each prefixed with its length: the same slot gets the same key in
// every process and every version of this package. Two slots that share a
// key only wait for each other; the counts stay exact.
func (s *Store) slotLockKeys(take []account.Take) []int64 {
	keys := make([]int64, 0, len(take))
	for _, t := range take {
		h := sha256.New()
		h.Write([]byte(s.q.slotLockPrefix))
		for _, f := range []string{string(t.Slot.Scope), string(t.Slot.Kind), t.Slot.Value} {
			var n [8]byte
			binary.BigEndian.PutUint64(n[:], uint64(len(f)))
			h.Write(n[:])
			h.Write([]byte(f))
		}
		keys = append(keys, int64(binary.BigEndian.Uint64(h.Sum(nil))))
	}
	slices.Sort(keys)
	return slices.Compact(keys)
}

// slotArrays holds slots as three parallel arrays, the way the statements
// take them (unnest of three arrays). Its slices are never nil: pgx sends
// nil as NULL, which unnest would read as no rows anyway, but empty arrays
// say so plainly.
type slotArrays struct {
	scopes, kinds, values []string
}

func slotColumns(slots []account.Slot) slotArrays {
	a := slotArrays{
		scopes: make([]string, 0, len(slots)),
		kinds:  make([]string, 0, len(slots)),
		values: make([]string, 0, len(slots)),
	}
	for _, sl := range slots {
		a.add(sl)
	}
	return a
}

func (a *slotArrays) add(sl account.Slot) {
	a.scopes = append(a.scopes, string(sl.Scope))
	a.kinds = append(a.kinds, string(sl.Kind))
	a.values = append(a.values, sl.Value)
}

// checkAccount checks the limits of take and returns the JSONB document of
// a.
func checkAccount(a account.Account, take []account.Take) ([]byte, error) {
	for _, t := range take {
		if t.Limit < 1 {
			return nil, fmt.Errorf("slot limit %d is below 1", t.Limit)
		}
	}
	if err := checkText(reflect.ValueOf(a), "Account"); err != nil {
		return nil, err
	}
	return json.Marshal(docOf(a))
}

// scanAccount reads one account row; no row is not found.
func scanAccount(row pgx.Row) (account.Account, bool, error) {
	var (
		a   account.Account
		doc accountDoc
	)
	if err := row.Scan(&a.ID, &a.APPID, &a.Version, &doc); err != nil {
		return account.Account{}, false, ignoreNoRows(err)
	}
	doc.to(&a)
	return a, true, nil
}

// checkText returns an error naming the first string in v that the store
// could not keep unchanged: encoding/json would replace invalid UTF-8, and
// PostgreSQL refuses NUL bytes in jsonb and text.
func checkText(v reflect.Value, path string) error {
	switch v.Kind() {
	case reflect.String:
		if s := v.String(); !utf8.ValidString(s) || strings.IndexByte(s, 0) >= 0 {
			return fmt.Errorf("%s is not valid UTF-8 without NUL bytes", path)
		}
	case reflect.Struct:
		for i := range v.NumField() {
			if err := checkText(v.Field(i), path+"."+v.Type().Field(i).Name); err != nil {
				return err
			}
		}
	case reflect.Slice:
		for i := range v.Len() {
			if err := checkText(v.Index(i), fmt.Sprintf("%s[%d]", path, i)); err != nil {
				return err
			}
		}
	}
	return nil
}

// accountDoc is the stored JSONB document of an account: every field but
// ID, APPID and Version, which are columns. Its JSON keys are the stored
// format and must never change; the Go names may. Times are stored in UTC
// with nanoseconds (RFC 3339) and durations as integer nanoseconds, so a
// record comes back exactly as written, with its times in UTC.
//
// Fields are omitted when zero (omitzero). A nil slice is zero but an empty
// one is not, so nil and empty slices both come back as they were.
//
// A field added to account.Account must be added here as well;
// TestAccountRoundTripsEveryField fails until it is.
type accountDoc struct {
	Nickname               string           `json:"nickname,omitzero"`
	Industry               string           `json:"industry,omitzero"`
	RegisteredAt           time.Time        `json:"registered_at,omitzero"`
	RegistrationMethod     string           `json:"registration_method,omitzero"`
	RegistrationIdentifier string           `json:"registration_identifier,omitzero"`
	State                  string           `json:"state,omitzero"`
	RealName               realNameDoc      `json:"real_name,omitzero"`
	ContactPhone           contactDoc       `json:"contact_phone,omitzero"`
	ContactEmail           contactDoc       `json:"contact_email,omitzero"`
	SecurityPhone          string           `json:"security_phone,omitzero"`
	SecurityEmail          string           `json:"security_email,omitzero"`
	LoginMethods           []loginMethodDoc `json:"login_methods,omitzero"`
	Password               passwordDoc      `json:"password,omitzero"`
	Security               securityDoc      `json:"security,omitzero"`
}

// The parts of accountDoc have the field names and types of their account
// counterparts (tags aside), so each converts to and from it as a whole;
// adding a field to one of those types breaks the conversion until the
// field is added here. None of the field types has JSON methods of its own.
type realNameDoc struct {
	Status          account.RealNameStatus `json:"status,omitzero"`
	Name            string                 `json:"name,omitzero"`
	MaskedNumber    string                 `json:"masked_number,omitzero"`
	NumberHash      string                 `json:"number_hash,omitzero"`
	LegalPersonName string                 `json:"legal_person_name,omitzero"`
	LegalPersonHash string                 `json:"legal_person_hash,omitzero"`
	VerifiedAt      time.Time              `json:"verified_at,omitzero"`
}

type contactDoc struct {
	Address      string    `json:"address,omitzero"`
	Pending      string    `json:"pending,omitzero"`
	PendingSince time.Time `json:"pending_since,omitzero"`
}

type loginMethodDoc struct {
	Method     account.Method `json:"method,omitzero"`
	Identifier string         `json:"identifier,omitzero"`
	BoundAt    time.Time      `json:"bound_at,omitzero"`
}

type passwordDoc struct {
	Hash      string    `json:"hash,omitzero"`
	History   []string  `json:"history,omitzero"`
	ChangedAt time.Time `json:"changed_at,omitzero"`
}

// securityDoc stores the durations as integer nanoseconds, which is how
// encoding/json writes a time.Duration.
type securityDoc struct {
	LoginProtection       account.VerifyMethod `json:"login_protection,omitzero"`
	TrustDevices          bool                 `json:"trust_devices,omitzero"`
	OperationProtection   account.VerifyMethod `json:"operation_protection,omitzero"`
	RemoteLoginProtection bool                 `json:"remote_login_protection,omitzero"`
	RemoteLoginMethod     account.VerifyMethod `json:"remote_login_method,omitzero"`
	MFABindingMethod      account.VerifyMethod `json:"mfa_binding_method,omitzero"`
	SessionMaxLifetime    time.Duration        `json:"session_max_lifetime_ns,omitzero"`
	SessionIdleTimeout    time.Duration        `json:"session_idle_timeout_ns,omitzero"`
}

// docOf returns the document of a, its times in UTC.
func docOf(a account.Account) accountDoc {
	d := accountDoc{
		Nickname:               a.Nickname,
		Industry:               a.Industry,
		RegisteredAt:           a.RegisteredAt.UTC(),
		RegistrationMethod:     string(a.RegistrationMethod),
		RegistrationIdentifier: a.RegistrationIdentifier,
		State:                  string(a.State),
		RealName:               realNameDoc(a.RealName),
		ContactPhone:           contactDoc(a.ContactPhone),
		ContactEmail:           contactDoc(a.ContactEmail),
		SecurityPhone:          a.SecurityPhone,
		SecurityEmail:          a.SecurityEmail,
		Password:               passwordDoc(a.Password),
		Security:               securityDoc(a.Security),
	}
	if a.LoginMethods != nil {
		d.LoginMethods = make([]loginMethodDoc, len(a.LoginMethods))
		for i, lm := range a.LoginMethods {
			d.LoginMethods[i] = loginMethodDoc(lm)
		}
	}
	d.utc()
	return d
}

// to fills every field of a but ID, APPID and Version from d, its times
// set to UTC (in d too).
func (d *accountDoc) to(a *account.Account) {
	d.utc()
	a.Nickname = d.Nickname
	a.Industry = d.Industry
	a.RegisteredAt = d.RegisteredAt
	a.RegistrationMethod = account.Method(d.RegistrationMethod)
	a.RegistrationIdentifier = d.RegistrationIdentifier
	a.State = account.State(d.State)
	a.RealName = account.RealName(d.RealName)
	a.ContactPhone = account.Contact(d.ContactPhone)
	a.ContactEmail = account.Contact(d.ContactEmail)
	a.SecurityPhone = d.SecurityPhone
	a.SecurityEmail = d.SecurityEmail
	a.LoginMethods = nil
	if d.LoginMethods != nil {
		a.LoginMethods = make([]account.LoginMethod, len(d.LoginMethods))
		for i, lm := range d.LoginMethods {
			a.LoginMethods[i] = account.LoginMethod(lm)
		}
	}
	a.Password = account.Password(d.Password)
	a.Security = account.SecuritySettings(d.Security)
}

// utc sets every time of d to UTC.
func (d *accountDoc) utc() {
	for _, t := range []*time.Time{&d.RegisteredAt, &d.RealName.VerifiedAt, &d.ContactPhone.PendingSince,
		&d.ContactEmail.PendingSince, &d.Password.ChangedAt} {
		*t = t.UTC()
	}
	for i := range d.LoginMethods {
		d.LoginMethods[i].BoundAt = d.LoginMethods[i].BoundAt.UTC()
	}
}
