package pgstore

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/accountsec/accountsec/protection"
)

var _ protection.Store = (*Store)(nil)

var (
	errProtEmptyID      = errors.New("empty ID")
	errProtEmptyAccount = errors.New("empty account ID")
	errProtDuplicateID  = errors.New("ID already exists")
)

// Protection state lives in the tables of migration 0004. Session IDs,
// pending-login, challenge and trusted-device IDs and grant bindings are
// bytea: they are passed as the bytes of the Go string and read back the same
// way, so any byte string round-trips exactly.
//
// Ending sessions in bulk is one write: accountsec_session_epochs holds each
// account's session generation (no row means 0), every session and grant
// row carries the generation current when it was written, and only rows of
// the current generation are live. EndAllSessions increments the generation
// (and moves the kept session, if any, to the new one); the rows it ends stay
// behind, invisible, until SweepProtection removes them.
//
// The statements are written with a {schema} placeholder, like the
// migrations; newProtQueries fills it in once per store.

// protQueries holds the protection statements with the store's schema
// filled in.
type protQueries struct {
	createSession, session, touchSession, sessions, endSession string
	bumpGeneration, keepSession, putGrant, grant               string
	putPending, pending, consumePending                        string
	putChallenge, challenge, consumeChallenge                  string
	putDevice, device, devices, deleteDevice                   string
	upsertCity, trimCities, loginCities, sweep                 string
}

func newProtQueries(schema string) protQueries {
	r := strings.NewReplacer("{schema}", pgx.Identifier{schema}.Sanitize())
	return protQueries{
		createSession:    r.Replace(protCreateSessionSQL),
		session:          r.Replace(protSessionSQL),
		touchSession:     r.Replace(protTouchSessionSQL),
		sessions:         r.Replace(protSessionsSQL),
		endSession:       r.Replace(protEndSessionSQL),
		bumpGeneration:   r.Replace(protBumpGenerationSQL),
		keepSession:      r.Replace(protKeepSessionSQL),
		putGrant:         r.Replace(protPutGrantSQL),
		grant:            r.Replace(protGrantSQL),
		putPending:       r.Replace(protPutPendingSQL),
		pending:          r.Replace(protPendingSQL),
		consumePending:   r.Replace(protConsumePendingSQL),
		putChallenge:     r.Replace(protPutChallengeSQL),
		challenge:        r.Replace(protChallengeSQL),
		consumeChallenge: r.Replace(protConsumeChallengeSQL),
		putDevice:        r.Replace(protPutDeviceSQL),
		device:           r.Replace(protDeviceSQL),
		devices:          r.Replace(protDevicesSQL),
		deleteDevice:     r.Replace(protDeleteDeviceSQL),
		upsertCity:       r.Replace(protUpsertCitySQL),
		trimCities:       r.Replace(protTrimCitiesSQL),
		loginCities:      r.Replace(protLoginCitiesSQL),
		sweep:            r.Replace(protSweepSQL),
	}
}

// protCurrentGeneration is the account's session generation; %s is the
// expression that gives the account ID.
const protCurrentGeneration = `coalesce((SELECT e.generation FROM {schema}.accountsec_session_epochs e WHERE e.account_id = %s), 0)`

// protSessionColumns are the columns of a SessionRecord but ID, in scan order.
const protSessionColumns = `s.account_id, s.login_method, s.client_ip, s.city, s.device_name,
	s.created_at, s.expires_at, s.idle_timeout_ns, s.last_seen_at`

// protCreateSessionSQL stamps the new session with the account's current
// generation. The generation is read from the statement's snapshot, without
// a lock: an EndAllSessions that commits while this statement runs may end
// the new session, which is then simply ordered before it. A duplicate ID
// violates the primary key.
var protCreateSessionSQL = `
INSERT INTO {schema}.accountsec_sessions
	(id, account_id, generation, login_method, client_ip, city, device_name,
	 created_at, expires_at, idle_timeout_ns, last_seen_at)
VALUES ($1::bytea, $2::text, ` + fmt.Sprintf(protCurrentGeneration, "$2::text") + `,
	$3::text, $4::text, $5::text, $6::text,
	$7::timestamptz, $8::timestamptz, $9::bigint, $10::timestamptz)`

// protSessionSQL is the hot path: a primary-key lookup and the account's
// generation, in one snapshot.
var protSessionSQL = `
SELECT ` + protSessionColumns + `
FROM {schema}.accountsec_sessions s
WHERE s.id = $1::bytea AND s.generation = ` + fmt.Sprintf(protCurrentGeneration, "s.account_id")

// protTouchSessionSQL moves last_seen_at forward only. It touches live sessions
// only, so an ended session is never revived.
var protTouchSessionSQL = `
UPDATE {schema}.accountsec_sessions s SET last_seen_at = $2::timestamptz
WHERE s.id = $1::bytea AND s.last_seen_at < $2::timestamptz
	AND s.generation = ` + fmt.Sprintf(protCurrentGeneration, "s.account_id")

var protSessionsSQL = `
SELECT s.id, ` + protSessionColumns + `
FROM {schema}.accountsec_sessions s
WHERE s.account_id = $1::text AND s.expires_at > $2::timestamptz
	AND s.generation = ` + fmt.Sprintf(protCurrentGeneration, "$1::text") + `
ORDER BY s.created_at, s.id`

// protEndSessionSQL deletes the session row (live or already ended) and, when it
// was live, the grants bound to it; it returns whether it was live.
// Concurrent calls queue on the row lock of the DELETE: one deletes the row,
// the others then find none, so exactly one reports true.
var protEndSessionSQL = `
WITH s AS (
	DELETE FROM {schema}.accountsec_sessions
	WHERE id = $2::bytea AND account_id = $1::text
	RETURNING generation
), live AS (
	SELECT 1 FROM s WHERE s.generation = ` + fmt.Sprintf(protCurrentGeneration, "$1::text") + `
), g AS (
	DELETE FROM {schema}.accountsec_grants
	WHERE account_id = $1::text AND binding = $3::bytea AND EXISTS (SELECT 1 FROM live)
)
SELECT EXISTS (SELECT 1 FROM live)`

// protBumpGenerationSQL ends every session and grant of the account: one row,
// whatever their number. It locks the row until the transaction ends.
const protBumpGenerationSQL = `
INSERT INTO {schema}.accountsec_session_epochs AS e (account_id, generation)
VALUES ($1::text, 1)
ON CONFLICT (account_id) DO UPDATE SET generation = e.generation + 1`

// protKeepSessionSQL runs after protBumpGenerationSQL in the same transaction and
// moves the kept session to the new generation if it was live in the old
// one. As a second statement it reads a snapshot taken after the epoch row
// was locked, so it sees every earlier EndAllSessions of the account (a
// single statement would judge the session by a snapshot taken before the
// lock wait, and could end a session that a concurrent call kept).
const protKeepSessionSQL = `
UPDATE {schema}.accountsec_sessions s SET generation = e.generation
FROM {schema}.accountsec_session_epochs e
WHERE e.account_id = $1::text AND s.id = $2::bytea AND s.account_id = $1::text
	AND s.generation = e.generation - 1`

// protPutGrantSQL stamps the grant with the account's current generation and
// replaces any grant with the same account, binding and scope.
var protPutGrantSQL = `
INSERT INTO {schema}.accountsec_grants AS g
	(account_id, binding, scope, generation, method, granted_at, expires_at)
VALUES ($1::text, $2::bytea, $3::text, ` + fmt.Sprintf(protCurrentGeneration, "$1::text") + `,
	$4::text, $5::timestamptz, $6::timestamptz)
ON CONFLICT (account_id, binding, scope) DO UPDATE SET
	generation = excluded.generation,
	method = excluded.method,
	granted_at = excluded.granted_at,
	expires_at = excluded.expires_at`

var protGrantSQL = `
SELECT g.method, g.granted_at, g.expires_at
FROM {schema}.accountsec_grants g
WHERE g.account_id = $1::text AND g.binding = $2::bytea AND g.scope = $3::text
	AND g.expires_at > $4::timestamptz
	AND g.generation = ` + fmt.Sprintf(protCurrentGeneration, "$1::text")

const protPendingColumns = `account_id, login_method, client_ip, city, device_name,
	second_factor, unusual_location, methods, created_at, expires_at`

// protPutPendingSQL inserts a pending login. An existing one with the same ID is
// replaced only if it has expired by the new one's creation time (as in the
// memory store); otherwise nothing is written and the caller reports the
// duplicate.
const protPutPendingSQL = `
INSERT INTO {schema}.accountsec_pending_logins AS p (id, ` + protPendingColumns + `)
VALUES ($1::bytea, $2::text, $3::text, $4::text, $5::text, $6::text,
	$7::boolean, $8::boolean, $9::text[], $10::timestamptz, $11::timestamptz)
ON CONFLICT (id) DO UPDATE SET
	account_id = excluded.account_id,
	login_method = excluded.login_method,
	client_ip = excluded.client_ip,
	city = excluded.city,
	device_name = excluded.device_name,
	second_factor = excluded.second_factor,
	unusual_location = excluded.unusual_location,
	methods = excluded.methods,
	created_at = excluded.created_at,
	expires_at = excluded.expires_at
WHERE p.expires_at <= excluded.created_at`

const protPendingSQL = `
SELECT ` + protPendingColumns + `, true
FROM {schema}.accountsec_pending_logins
WHERE id = $1::bytea AND expires_at > $2::timestamptz`

// protConsumePendingSQL deletes the pending login and returns it with whether it
// was still live at the caller's time (an expired one is deleted too).
// Concurrent calls queue on the row lock; the first deletes the row and the
// others then find none, so at most one consumer ever gets it.
const protConsumePendingSQL = `
DELETE FROM {schema}.accountsec_pending_logins
WHERE id = $1::bytea
RETURNING ` + protPendingColumns + `, expires_at > $2::timestamptz`

const protChallengeColumns = `account_id, binding, purpose, method, destination, ticket, created_at, expires_at`

// protPutChallengeSQL works like protPutPendingSQL.
const protPutChallengeSQL = `
INSERT INTO {schema}.accountsec_challenges AS c (id, ` + protChallengeColumns + `)
VALUES ($1::bytea, $2::text, $3::bytea, $4::text, $5::text, $6::text, $7::text,
	$8::timestamptz, $9::timestamptz)
ON CONFLICT (id) DO UPDATE SET
	account_id = excluded.account_id,
	binding = excluded.binding,
	purpose = excluded.purpose,
	method = excluded.method,
	destination = excluded.destination,
	ticket = excluded.ticket,
	created_at = excluded.created_at,
	expires_at = excluded.expires_at
WHERE c.expires_at <= excluded.created_at`

const protChallengeSQL = `
SELECT ` + protChallengeColumns + `, true
FROM {schema}.accountsec_challenges
WHERE id = $1::bytea AND expires_at > $2::timestamptz`

// protConsumeChallengeSQL works like protConsumePendingSQL.
const protConsumeChallengeSQL = `
DELETE FROM {schema}.accountsec_challenges
WHERE id = $1::bytea
RETURNING ` + protChallengeColumns + `, expires_at > $2::timestamptz`

const protPutDeviceSQL = `
INSERT INTO {schema}.accountsec_trusted_devices AS d
	(account_id, id, name, client_ip, city, created_at, expires_at)
VALUES ($1::text, $2::bytea, $3::text, $4::text, $5::text, $6::timestamptz, $7::timestamptz)
ON CONFLICT (account_id, id) DO UPDATE SET
	name = excluded.name,
	client_ip = excluded.client_ip,
	city = excluded.city,
	created_at = excluded.created_at,
	expires_at = excluded.expires_at`

const protDeviceColumns = `id, name, client_ip, city, created_at, expires_at`

const protDeviceSQL = `
SELECT ` + protDeviceColumns + `
FROM {schema}.accountsec_trusted_devices
WHERE account_id = $1::text AND id = $2::bytea AND expires_at > $3::timestamptz`

const protDevicesSQL = `
SELECT ` + protDeviceColumns + `
FROM {schema}.accountsec_trusted_devices
WHERE account_id = $1::text AND expires_at > $2::timestamptz
ORDER BY created_at, id`

const protDeleteDeviceSQL = `
DELETE FROM {schema}.accountsec_trusted_devices WHERE account_id = $1::text AND id = $2::bytea`

// RecordLoginCity is a batch of three statements in one implicit
// transaction (one round trip). The advisory lock serialises the calls of
// one account until the transaction ends, and each later statement takes a
// fresh snapshot after it, so the trim sees every earlier call's city and
// the new one: concurrent logins never leave more than keep cities, nor
// drop a later one. The lock key includes the schema, so independent stores
// in one database do not wait for each other (a hash collision would only
// make two accounts wait).
const (
	protLockCitiesSQL = `SELECT pg_advisory_xact_lock(hashtextextended($1::text, 0))`

	protUpsertCitySQL = `
INSERT INTO {schema}.accountsec_login_cities AS c (account_id, city, last_at)
VALUES ($1::text, $2::text, $3::timestamptz)
ON CONFLICT (account_id, city) DO UPDATE SET last_at = excluded.last_at
WHERE c.last_at < excluded.last_at`

	protTrimCitiesSQL = `
DELETE FROM {schema}.accountsec_login_cities c
WHERE c.account_id = $1::text AND c.city NOT IN (
	SELECT k.city FROM {schema}.accountsec_login_cities k
	WHERE k.account_id = $1::text
	ORDER BY k.last_at DESC, k.city DESC
	LIMIT $2::bigint)`

	protLoginCitiesSQL = `
SELECT city, last_at FROM {schema}.accountsec_login_cities
WHERE account_id = $1::text
ORDER BY last_at DESC, city DESC`
)

// protSweepSQL deletes, in one statement, what no method can see any
// more at $1: sessions past their absolute expiry or idle timeout or ended by
// EndAllSessions, grants that expired or were ended, and expired pending
// logins, challenges and trusted devices. Login cities are kept (they are
// trimmed when recorded) and so are the generation rows (a generation must
// never go back).
var protSweepSQL = `
WITH s AS (
	DELETE FROM {schema}.accountsec_sessions s
	WHERE s.expires_at <= $1::timestamptz
		OR s.last_seen_at + (s.idle_timeout_ns / 1000) * interval '1 microsecond' <= $1::timestamptz
		OR s.generation < ` + fmt.Sprintf(protCurrentGeneration, "s.account_id") + `
	RETURNING 1
), g AS (
	DELETE FROM {schema}.accountsec_grants g
	WHERE g.expires_at <= $1::timestamptz
		OR g.generation < ` + fmt.Sprintf(protCurrentGeneration, "g.account_id") + `
	RETURNING 1
), p AS (
	DELETE FROM {schema}.accountsec_pending_logins WHERE expires_at <= $1::timestamptz RETURNING 1
), c AS (
	DELETE FROM {schema}.accountsec_challenges WHERE expires_at <= $1::timestamptz RETURNING 1
), d AS (
	DELETE FROM {schema}.accountsec_trusted_devices WHERE expires_at <= $1::timestamptz RETURNING 1
)
SELECT (SELECT count(*) FROM s) + (SELECT count(*) FROM g) + (SELECT count(*) FROM p)
	+ (SELECT count(*) FROM c) + (SELECT count(*) FROM d)`

// ---- sessions ----

// CreateSession stores r as a live session; see protection.SessionStore. It
// returns an error, and changes nothing, when the ID or account ID is empty
// or a session with the ID already exists (ended sessions included, until
// SweepProtection removes them). It is one statement.
func (s *Store) CreateSession(ctx context.Context, r protection.SessionRecord) error {
	switch {
	case r.ID == "":
		return fmt.Errorf("pgstore: create session: %w", errProtEmptyID)
	case r.AccountID == "":
		return fmt.Errorf("pgstore: create session: %w", errProtEmptyAccount)
	}
	_, err := s.pool.Exec(ctx, s.prot.createSession, []byte(r.ID), r.AccountID,
		r.LoginMethod, r.ClientIP, r.City, r.DeviceName,
		r.CreatedAt, r.ExpiresAt, int64(r.IdleTimeout), r.LastSeenAt)
	if protIsUniqueViolation(err) {
		return fmt.Errorf("pgstore: create session: %w", errProtDuplicateID)
	}
	if err != nil {
		return fmt.Errorf("pgstore: create session: %w", err)
	}
	return nil
}

// Session returns the live session with id; see protection.SessionStore. It
// is one indexed statement. Expiry is not checked: the caller does.
func (s *Store) Session(ctx context.Context, id string) (protection.SessionRecord, bool, error) {
	r, err := protScanSession(s.pool.QueryRow(ctx, s.prot.session, []byte(id)))
	if errors.Is(err, pgx.ErrNoRows) {
		return protection.SessionRecord{}, false, nil
	}
	if err != nil {
		return protection.SessionRecord{}, false, fmt.Errorf("pgstore: session: %w", err)
	}
	r.ID = id
	return r, true, nil
}

// TouchSession sets the live session's LastSeenAt to at if at is later; see
// protection.SessionStore. It is one conditional UPDATE.
func (s *Store) TouchSession(ctx context.Context, id string, at time.Time) error {
	if _, err := s.pool.Exec(ctx, s.prot.touchSession, []byte(id), at); err != nil {
		return fmt.Errorf("pgstore: touch session: %w", err)
	}
	return nil
}

// Sessions returns the account's live sessions whose ExpiresAt is after now,
// oldest first (by CreatedAt, then ID); see protection.SessionStore.
func (s *Store) Sessions(ctx context.Context, accountID string, now time.Time) ([]protection.SessionRecord, error) {
	rows, err := s.pool.Query(ctx, s.prot.sessions, accountID, now)
	if err != nil {
		return nil, fmt.Errorf("pgstore: sessions: %w", err)
	}
	defer rows.Close()
	out := []protection.SessionRecord{}
	for rows.Next() {
		var id []byte
		r, err := protScanSession(rows, &id)
		if err != nil {
			return nil, fmt.Errorf("pgstore: sessions: %w", err)
		}
		r.ID = string(id)
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("pgstore: sessions: %w", err)
	}
	return out, nil
}

// EndSession ends the account's session id and the grants bound to it, and
// reports whether it was live; see protection.SessionStore. It is one
// statement: of concurrent calls, exactly one reports true.
func (s *Store) EndSession(ctx context.Context, accountID, id string) (bool, error) {
	var ended bool
	err := s.pool.QueryRow(ctx, s.prot.endSession, accountID, []byte(id),
		[]byte(protection.SessionBinding(id))).Scan(&ended)
	if err != nil {
		return false, fmt.Errorf("pgstore: end session: %w", err)
	}
	return ended, nil
}

// EndAllSessions ends every session and grant of the account but the
// session keep (whose grants end too); see protection.SessionStore. It
// writes one row whatever the number of sessions: it increments the
// account's generation and, when keep is a live session, moves that one
// session to the new generation, both in one transaction and one round
// trip.
func (s *Store) EndAllSessions(ctx context.Context, accountID, keep string) error {
	if accountID == "" {
		return fmt.Errorf("pgstore: end all sessions: %w", errProtEmptyAccount)
	}
	if keep == "" {
		if _, err := s.pool.Exec(ctx, s.prot.bumpGeneration, accountID); err != nil {
			return fmt.Errorf("pgstore: end all sessions: %w", err)
		}
		return nil
	}
	b := &pgx.Batch{}
	b.Queue(s.prot.bumpGeneration, accountID)
	b.Queue(s.prot.keepSession, accountID, []byte(keep))
	if err := s.pool.SendBatch(ctx, b).Close(); err != nil {
		return fmt.Errorf("pgstore: end all sessions: %w", err)
	}
	return nil
}

// protScanSession reads the protSessionColumns of one row, after the columns dest
// points to (the ID, in a list).
func protScanSession(row pgx.Row, dest ...any) (protection.SessionRecord, error) {
	var (
		r    protection.SessionRecord
		idle int64
	)
	dest = append(dest, &r.AccountID, &r.LoginMethod, &r.ClientIP, &r.City, &r.DeviceName,
		&r.CreatedAt, &r.ExpiresAt, &idle, &r.LastSeenAt)
	if err := row.Scan(dest...); err != nil {
		return protection.SessionRecord{}, err
	}
	r.IdleTimeout = time.Duration(idle)
	r.CreatedAt, r.ExpiresAt, r.LastSeenAt = r.CreatedAt.UTC(), r.ExpiresAt.UTC(), r.LastSeenAt.UTC()
	return r, nil
}

// ---- grants ----

// PutGrant stores g, replacing the grant with the same account, binding and
// scope; see protection.GrantStore. It returns an error, and changes
// nothing, when the account, binding or scope is empty.
func (s *Store) PutGrant(ctx context.Context, g protection.GrantRecord) error {
	switch {
	case g.AccountID == "":
		return fmt.Errorf("pgstore: put grant: %w", errProtEmptyAccount)
	case g.Binding == "" || g.Scope == "":
		return errors.New("pgstore: put grant: empty binding or scope")
	}
	_, err := s.pool.Exec(ctx, s.prot.putGrant, g.AccountID, []byte(g.Binding), g.Scope,
		string(g.Method), g.GrantedAt, g.ExpiresAt)
	if err != nil {
		return fmt.Errorf("pgstore: put grant: %w", err)
	}
	return nil
}

// Grant returns the live grant of the account, binding and scope at now; see
// protection.GrantStore.
func (s *Store) Grant(ctx context.Context, accountID, binding, scope string, now time.Time) (protection.GrantRecord, bool, error) {
	g := protection.GrantRecord{AccountID: accountID, Binding: binding, Scope: scope}
	var method string
	err := s.pool.QueryRow(ctx, s.prot.grant, accountID, []byte(binding), scope, now).
		Scan(&method, &g.GrantedAt, &g.ExpiresAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return protection.GrantRecord{}, false, nil
	}
	if err != nil {
		return protection.GrantRecord{}, false, fmt.Errorf("pgstore: grant: %w", err)
	}
	g.Method = protection.Method(method)
	g.GrantedAt, g.ExpiresAt = g.GrantedAt.UTC(), g.ExpiresAt.UTC()
	return g, true, nil
}

// ---- pending logins ----

// PutPendingLogin stores p; see protection.PendingLoginStore. It returns an
// error, and changes nothing, when the ID is empty or a pending login with
// the ID exists that has not expired by p.CreatedAt.
func (s *Store) PutPendingLogin(ctx context.Context, p protection.PendingLogin) error {
	if p.ID == "" {
		return fmt.Errorf("pgstore: put pending login: %w", errProtEmptyID)
	}
	tag, err := s.pool.Exec(ctx, s.prot.putPending, []byte(p.ID), p.AccountID, p.LoginMethod,
		p.ClientIP, p.City, p.DeviceName, p.SecondFactor, p.UnusualLocation,
		protMethodNames(p.Methods), p.CreatedAt, p.ExpiresAt)
	if err != nil {
		return fmt.Errorf("pgstore: put pending login: %w", err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("pgstore: put pending login: %w", errProtDuplicateID)
	}
	return nil
}

// PendingLogin returns the pending login with id if it has not expired at
// now; see protection.PendingLoginStore.
func (s *Store) PendingLogin(ctx context.Context, id string, now time.Time) (protection.PendingLogin, bool, error) {
	p, found, err := protScanPending(s.pool.QueryRow(ctx, s.prot.pending, []byte(id), now))
	if err != nil {
		return protection.PendingLogin{}, false, fmt.Errorf("pgstore: pending login: %w", err)
	}
	if found {
		p.ID = id
	}
	return p, found, nil
}

// ConsumePendingLogin returns and deletes the pending login with id; see
// protection.PendingLoginStore. It is one DELETE … RETURNING: of concurrent
// calls, at most one finds it. An expired pending login is deleted and not
// returned.
func (s *Store) ConsumePendingLogin(ctx context.Context, id string, now time.Time) (protection.PendingLogin, bool, error) {
	p, found, err := protScanPending(s.pool.QueryRow(ctx, s.prot.consumePending, []byte(id), now))
	if err != nil {
		return protection.PendingLogin{}, false, fmt.Errorf("pgstore: consume pending login: %w", err)
	}
	if found {
		p.ID = id
	}
	return p, found, nil
}

// protScanPending reads protPendingColumns and a live flag; no row, or a row that is
// not live, is not found.
func protScanPending(row pgx.Row) (protection.PendingLogin, bool, error) {
	var (
		p       protection.PendingLogin
		methods []string
		live    bool
	)
	err := row.Scan(&p.AccountID, &p.LoginMethod, &p.ClientIP, &p.City, &p.DeviceName,
		&p.SecondFactor, &p.UnusualLocation, &methods, &p.CreatedAt, &p.ExpiresAt, &live)
	if errors.Is(err, pgx.ErrNoRows) {
		return protection.PendingLogin{}, false, nil
	}
	if err != nil {
		return protection.PendingLogin{}, false, err
	}
	if !live {
		return protection.PendingLogin{}, false, nil
	}
	p.Methods = protMethodsOf(methods)
	p.CreatedAt, p.ExpiresAt = p.CreatedAt.UTC(), p.ExpiresAt.UTC()
	return p, true, nil
}

// protMethodNames converts methods for a text[] column, keeping nil as NULL so
// that nil and empty lists both round-trip.
func protMethodNames(ms []protection.Method) []string {
	if ms == nil {
		return nil
	}
	out := make([]string, len(ms))
	for i, m := range ms {
		out[i] = string(m)
	}
	return out
}

// protMethodsOf is the inverse of protMethodNames.
func protMethodsOf(names []string) []protection.Method {
	if names == nil {
		return nil
	}
	out := make([]protection.Method, len(names))
	for i, n := range names {
		out[i] = protection.Method(n)
	}
	return out
}

// ---- challenges ----

// PutChallenge stores c; see protection.ChallengeStore. It returns an error,
// and changes nothing, when the ID is empty or a challenge with the ID
// exists that has not expired by c.CreatedAt.
func (s *Store) PutChallenge(ctx context.Context, c protection.ChallengeRecord) error {
	if c.ID == "" {
		return fmt.Errorf("pgstore: put challenge: %w", errProtEmptyID)
	}
	tag, err := s.pool.Exec(ctx, s.prot.putChallenge, []byte(c.ID), c.AccountID, []byte(c.Binding),
		c.Purpose, string(c.Method), c.Destination, c.Ticket, c.CreatedAt, c.ExpiresAt)
	if err != nil {
		return fmt.Errorf("pgstore: put challenge: %w", err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("pgstore: put challenge: %w", errProtDuplicateID)
	}
	return nil
}

// Challenge returns the challenge with id if it has not expired at now; see
// protection.ChallengeStore.
func (s *Store) Challenge(ctx context.Context, id string, now time.Time) (protection.ChallengeRecord, bool, error) {
	c, found, err := protScanChallenge(s.pool.QueryRow(ctx, s.prot.challenge, []byte(id), now))
	if err != nil {
		return protection.ChallengeRecord{}, false, fmt.Errorf("pgstore: challenge: %w", err)
	}
	if found {
		c.ID = id
	}
	return c, found, nil
}

// ConsumeChallenge returns and deletes the challenge with id; see
// protection.ChallengeStore. It is one DELETE … RETURNING: of concurrent
// calls, at most one finds it. An expired challenge is deleted and not
// returned.
func (s *Store) ConsumeChallenge(ctx context.Context, id string, now time.Time) (protection.ChallengeRecord, bool, error) {
	c, found, err := protScanChallenge(s.pool.QueryRow(ctx, s.prot.consumeChallenge, []byte(id), now))
	if err != nil {
		return protection.ChallengeRecord{}, false, fmt.Errorf("pgstore: consume challenge: %w", err)
	}
	if found {
		c.ID = id
	}
	return c, found, nil
}

// protScanChallenge reads protChallengeColumns and a live flag, like protScanPending.
func protScanChallenge(row pgx.Row) (protection.ChallengeRecord, bool, error) {
	var (
		c       protection.ChallengeRecord
		binding []byte
		method  string
		live    bool
	)
	err := row.Scan(&c.AccountID, &binding, &c.Purpose, &method, &c.Destination, &c.Ticket,
		&c.CreatedAt, &c.ExpiresAt, &live)
	if errors.Is(err, pgx.ErrNoRows) {
		return protection.ChallengeRecord{}, false, nil
	}
	if err != nil {
		return protection.ChallengeRecord{}, false, err
	}
	if !live {
		return protection.ChallengeRecord{}, false, nil
	}
	c.Binding, c.Method = string(binding), protection.Method(method)
	c.CreatedAt, c.ExpiresAt = c.CreatedAt.UTC(), c.ExpiresAt.UTC()
	return c, true, nil
}

// ---- trusted devices ----

// PutTrustedDevice stores d, replacing the account's device with the same
// ID; see protection.TrustedDeviceStore. It returns an error, and changes
// nothing, when the ID or account ID is empty.
func (s *Store) PutTrustedDevice(ctx context.Context, d protection.TrustedDevice) error {
	switch {
	case d.ID == "":
		return fmt.Errorf("pgstore: put trusted device: %w", errProtEmptyID)
	case d.AccountID == "":
		return fmt.Errorf("pgstore: put trusted device: %w", errProtEmptyAccount)
	}
	_, err := s.pool.Exec(ctx, s.prot.putDevice, d.AccountID, []byte(d.ID), d.Name,
		d.ClientIP, d.City, d.CreatedAt, d.ExpiresAt)
	if err != nil {
		return fmt.Errorf("pgstore: put trusted device: %w", err)
	}
	return nil
}

// TrustedDevice returns the account's device with id if it has not expired
// at now; see protection.TrustedDeviceStore.
func (s *Store) TrustedDevice(ctx context.Context, accountID, id string, now time.Time) (protection.TrustedDevice, bool, error) {
	d, err := protScanDevice(s.pool.QueryRow(ctx, s.prot.device, accountID, []byte(id), now))
	if errors.Is(err, pgx.ErrNoRows) {
		return protection.TrustedDevice{}, false, nil
	}
	if err != nil {
		return protection.TrustedDevice{}, false, fmt.Errorf("pgstore: trusted device: %w", err)
	}
	d.AccountID = accountID
	return d, true, nil
}

// TrustedDevices returns the account's devices that have not expired at
// now, oldest first (by CreatedAt, then ID); see
// protection.TrustedDeviceStore.
func (s *Store) TrustedDevices(ctx context.Context, accountID string, now time.Time) ([]protection.TrustedDevice, error) {
	rows, err := s.pool.Query(ctx, s.prot.devices, accountID, now)
	if err != nil {
		return nil, fmt.Errorf("pgstore: trusted devices: %w", err)
	}
	defer rows.Close()
	out := []protection.TrustedDevice{}
	for rows.Next() {
		d, err := protScanDevice(rows)
		if err != nil {
			return nil, fmt.Errorf("pgstore: trusted devices: %w", err)
		}
		d.AccountID = accountID
		out = append(out, d)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("pgstore: trusted devices: %w", err)
	}
	return out, nil
}

// DeleteTrustedDevice removes the account's device with id and reports
// whether there was one; see protection.TrustedDeviceStore.
func (s *Store) DeleteTrustedDevice(ctx context.Context, accountID, id string) (bool, error) {
	tag, err := s.pool.Exec(ctx, s.prot.deleteDevice, accountID, []byte(id))
	if err != nil {
		return false, fmt.Errorf("pgstore: delete trusted device: %w", err)
	}
	return tag.RowsAffected() > 0, nil
}

// protScanDevice reads protDeviceColumns.
func protScanDevice(row pgx.Row) (protection.TrustedDevice, error) {
	var (
		d  protection.TrustedDevice
		id []byte
	)
	if err := row.Scan(&id, &d.Name, &d.ClientIP, &d.City, &d.CreatedAt, &d.ExpiresAt); err != nil {
		return protection.TrustedDevice{}, err
	}
	d.ID = string(id)
	d.CreatedAt, d.ExpiresAt = d.CreatedAt.UTC(), d.ExpiresAt.UTC()
	return d, nil
}

// ---- login cities ----

// RecordLoginCity notes a successful login from city at at and keeps the
// keep cities with the latest LastAt (on equal times, the name that sorts
// last wins, as in the Redis store); see
// protection.LoginCityStore. It is one transaction and one round trip,
// serialised per account by an advisory lock.
func (s *Store) RecordLoginCity(ctx context.Context, accountID, city string, at time.Time, keep int) error {
	switch {
	case accountID == "":
		return fmt.Errorf("pgstore: record login city: %w", errProtEmptyAccount)
	case city == "":
		return errors.New("pgstore: record login city: empty city")
	case keep < 1:
		return fmt.Errorf("pgstore: record login city: keep %d is below 1", keep)
	}
	b := &pgx.Batch{}
	b.Queue(protLockCitiesSQL, "accountsec.login_cities:"+s.schema+":"+accountID)
	b.Queue(s.prot.upsertCity, accountID, city, at)
	b.Queue(s.prot.trimCities, accountID, keep)
	if err := s.pool.SendBatch(ctx, b).Close(); err != nil {
		return fmt.Errorf("pgstore: record login city: %w", err)
	}
	return nil
}

// LoginCities returns the account's cities, latest LastAt first (on equal
// times, the name that sorts last first); see protection.LoginCityStore.
func (s *Store) LoginCities(ctx context.Context, accountID string) ([]protection.LoginCity, error) {
	rows, err := s.pool.Query(ctx, s.prot.loginCities, accountID)
	if err != nil {
		return nil, fmt.Errorf("pgstore: login cities: %w", err)
	}
	defer rows.Close()
	out := []protection.LoginCity{}
	for rows.Next() {
		var c protection.LoginCity
		if err := rows.Scan(&c.City, &c.LastAt); err != nil {
			return nil, fmt.Errorf("pgstore: login cities: %w", err)
		}
		c.LastAt = c.LastAt.UTC()
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("pgstore: login cities: %w", err)
	}
	return out, nil
}

// ---- upkeep ----

// SweepProtection deletes the protection rows that no method can see at
// now and returns how many it removed: sessions past their absolute expiry
// or idle timeout, sessions and grants ended by EndAllSessions, expired
// grants, pending logins, challenges and trusted devices. Like Sweep it only
// reclaims space; run it now and then with the library's clock. It is one
// statement.
func (s *Store) SweepProtection(ctx context.Context, now time.Time) (int64, error) {
	var n int64
	if err := s.pool.QueryRow(ctx, s.prot.sweep, now).Scan(&n); err != nil {
		return 0, fmt.Errorf("pgstore: sweep protection: %w", err)
	}
	return n, nil
}

// protIsUniqueViolation reports whether err is PostgreSQL's unique_violation.
func protIsUniqueViolation(err error) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && pgErr.Code == "23505"
}
