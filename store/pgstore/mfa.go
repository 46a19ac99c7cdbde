package pgstore

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/accountsec/accountsec/mfa"
)

var _ mfa.Store = (*Store)(nil)

// mfaQueries holds the MFA statements with the store's table names filled
// in.
type mfaQueries struct {
	putPending, device, activate, advance, deleteDevice string
	importToken, token, claimToken, releaseToken        string
	putBackup, deleteBackup, consumeBackup, backupLeft  string
}

func newMFAQueries(schema string) mfaQueries {
	devices := pgx.Identifier{schema, "accountsec_mfa_devices"}.Sanitize()
	tokens := pgx.Identifier{schema, "accountsec_mfa_tokens"}.Sanitize()
	backup := pgx.Identifier{schema, "accountsec_mfa_backup_codes"}.Sanitize()
	return mfaQueries{
		putPending:    fmt.Sprintf(putPendingDeviceSQL, devices),
		device:        fmt.Sprintf(deviceSQL, devices),
		activate:      fmt.Sprintf(activateDeviceSQL, devices),
		advance:       fmt.Sprintf(advanceStepSQL, devices),
		deleteDevice:  fmt.Sprintf(deleteDeviceSQL, devices),
		importToken:   fmt.Sprintf(importTokenSQL, tokens),
		token:         fmt.Sprintf(tokenSQL, tokens),
		claimToken:    fmt.Sprintf(claimTokenSQL, tokens),
		releaseToken:  fmt.Sprintf(releaseTokenSQL, tokens),
		putBackup:     fmt.Sprintf(putBackupCodesSQL, backup),
		deleteBackup:  fmt.Sprintf(deleteBackupCodesSQL, backup),
		consumeBackup: fmt.Sprintf(consumeBackupCodeSQL, backup),
		backupLeft:    fmt.Sprintf(backupCodesLeftSQL, backup),
	}
}

// The device row's states: an account has at most one row of each.
const (
	statePending = "pending"
	stateActive  = "active"
)

// deviceColumns are the columns of a device row after account_id and
// state, in the order of deviceArgs and scanDevice.
const deviceColumns = `id, kind, serial, algorithm, digits, period_ns, secret_key_id, secret,
	usage_login, usage_operation, created_at, activated_at, last_step`

// putPendingDeviceSQL stores or replaces the account's pending enrolment;
// $1 is the account, $2 the state (pending), $3.. the deviceColumns.
const putPendingDeviceSQL = `
INSERT INTO %[1]s (account_id, state, ` + deviceColumns + `)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10::bytea, $11, $12, $13::timestamptz, $14::timestamptz, $15)
ON CONFLICT (account_id, state) DO UPDATE SET
	id = excluded.id, kind = excluded.kind, serial = excluded.serial,
	algorithm = excluded.algorithm, digits = excluded.digits, period_ns = excluded.period_ns,
	secret_key_id = excluded.secret_key_id, secret = excluded.secret,
	usage_login = excluded.usage_login, usage_operation = excluded.usage_operation,
	created_at = excluded.created_at, activated_at = excluded.activated_at, last_step = excluded.last_step`

const deviceSQL = `
SELECT ` + deviceColumns + ` FROM %[1]s WHERE account_id = $1 AND state = $2`

// activateDeviceSQL inserts the active device unless the account has one,
// and then removes the pending enrolment with the same ID, in one
// statement. ON CONFLICT DO NOTHING waits for a concurrent insert of the
// account's active row to commit or roll back, so of concurrent
// activations exactly one inserts. The pending row is deleted only when
// the insert happened; a pending enrolment put concurrently with another ID
// is left alone (the DELETE re-checks the ID on the row's latest version).
const activateDeviceSQL = `
WITH ins AS (
	INSERT INTO %[1]s (account_id, state, ` + deviceColumns + `)
	VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10::bytea, $11, $12, $13::timestamptz, $14::timestamptz, $15)
	ON CONFLICT (account_id, state) DO NOTHING
	RETURNING id
), del AS (
	DELETE FROM %[1]s d USING ins
	WHERE d.account_id = $1 AND d.state = '` + statePending + `' AND d.id = ins.id
)
SELECT count(*) FROM ins`

// advanceStepSQL moves the step forward. Concurrent calls queue on the row
// lock and each re-checks last_step < $3 on the latest version, so of
// calls with one step exactly one succeeds and the step never goes back.
const advanceStepSQL = `
UPDATE %[1]s SET last_step = $3
WHERE account_id = $1 AND state = '` + stateActive + `' AND id = $2 AND last_step < $3::bigint`

const deleteDeviceSQL = `
DELETE FROM %[1]s WHERE account_id = $1 AND state = '` + stateActive + `' AND id = $2`

// importTokenSQL stores a token unless its serial number exists (or is
// being inserted concurrently and then commits).
const importTokenSQL = `
INSERT INTO %[1]s (serial, algorithm, digits, period_ns, seed_key_id, seed, account_id, imported_at)
VALUES ($1, $2, $3, $4, $5, $6::bytea, $7, $8::timestamptz)
ON CONFLICT (serial) DO NOTHING`

const tokenSQL = `
SELECT serial, algorithm, digits, period_ns, seed_key_id, seed, account_id, imported_at
FROM %[1]s WHERE serial = $1`

// claimTokenSQL binds an unbound token. A concurrent claim waits for the
// row lock and re-checks account_id IS NULL on the latest version, so one
// claim wins.
const claimTokenSQL = `UPDATE %[1]s SET account_id = $2 WHERE serial = $1 AND account_id IS NULL`

const releaseTokenSQL = `UPDATE %[1]s SET account_id = NULL WHERE serial = $1 AND account_id = $2`

// putBackupCodesSQL replaces the account's whole set: one row, so a reader
// sees either set, never a mix.
const putBackupCodesSQL = `
INSERT INTO %[1]s (account_id, hashes) VALUES ($1, $2::bytea[])
ON CONFLICT (account_id) DO UPDATE SET hashes = excluded.hashes`

const deleteBackupCodesSQL = `DELETE FROM %[1]s WHERE account_id = $1`

// consumeBackupCodeSQL removes one occurrence of hash $2 from the set in
// one statement. hit locks the row and re-checks that $2 is still in the
// set on its latest version, so of concurrent calls with one hash exactly
// one removes it, and left is the size of the set that call left. A call
// that removes nothing reports the size of the set in its snapshot.
//
// The comparison is PostgreSQL's, not constant-time. That is deliberate
// and safe, as for one-time codes: the set holds keyed hashes (HMAC under a
// host key, see mfa.Manager), so how many leading bytes of a guess match
// tells an attacker nothing about a code.
const consumeBackupCodeSQL = `
WITH hit AS (
	UPDATE %[1]s b SET hashes =
		b.hashes[:array_position(b.hashes, $2::bytea) - 1] || b.hashes[array_position(b.hashes, $2::bytea) + 1:]
	WHERE b.account_id = $1 AND $2::bytea = ANY (b.hashes)
	RETURNING cardinality(b.hashes) AS left_after
)
SELECT true, left_after FROM hit
UNION ALL
SELECT false, coalesce((SELECT cardinality(hashes) FROM %[1]s WHERE account_id = $1), 0)
WHERE NOT EXISTS (SELECT 1 FROM hit)`

const backupCodesLeftSQL = `
SELECT coalesce((SELECT cardinality(hashes) FROM %[1]s WHERE account_id = $1), 0)`

// deviceArgs returns the arguments of d for putPendingDeviceSQL and
// activateDeviceSQL. A zero ActivatedAt is stored as NULL.
func deviceArgs(d mfa.DeviceRecord, state string) []any {
	var activated any // NULL unless set
	if !d.ActivatedAt.IsZero() {
		activated = d.ActivatedAt
	}
	return []any{
		d.AccountID, state,
		d.ID, string(d.Kind), d.Serial, string(d.Algorithm), d.Digits, int64(d.Period),
		d.Secret.KeyID, nonNil(d.Secret.Ciphertext),
		d.Usage.Login, d.Usage.Operation, d.CreatedAt, activated, d.LastStep,
	}
}

// scanDevice reads one device row of account; no row is not found.
func scanDevice(row pgx.Row, accountID string) (mfa.DeviceRecord, bool, error) {
	d := mfa.DeviceRecord{AccountID: accountID}
	var (
		kind, algorithm string
		period          int64
		activated       *time.Time
	)
	err := row.Scan(&d.ID, &kind, &d.Serial, &algorithm, &d.Digits, &period, &d.Secret.KeyID, &d.Secret.Ciphertext,
		&d.Usage.Login, &d.Usage.Operation, &d.CreatedAt, &activated, &d.LastStep)
	if errors.Is(err, pgx.ErrNoRows) {
		return mfa.DeviceRecord{}, false, nil
	}
	if err != nil {
		return mfa.DeviceRecord{}, false, err
	}
	d.Kind, d.Algorithm, d.Period = mfa.Kind(kind), mfa.Algorithm(algorithm), time.Duration(period)
	d.CreatedAt = d.CreatedAt.UTC()
	if activated != nil {
		d.ActivatedAt = activated.UTC()
	}
	return d, true, nil
}

func checkDeviceIDs(d mfa.DeviceRecord) error {
	if d.AccountID == "" || d.ID == "" {
		return errors.New("empty account or device ID")
	}
	return nil
}

// PutPendingDevice stores d as the pending enrolment of d.AccountID,
// replacing any earlier one; the active device is another row and stays.
// Like the memory store, it returns an error when an ID is empty.
func (s *Store) PutPendingDevice(ctx context.Context, d mfa.DeviceRecord) error {
	if err := checkDeviceIDs(d); err != nil {
		return fmt.Errorf("pgstore: put pending device: %w", err)
	}
	if _, err := s.pool.Exec(ctx, s.mfa.putPending, deviceArgs(d, statePending)...); err != nil {
		return fmt.Errorf("pgstore: put pending device: %w", err)
	}
	return nil
}

// PendingDevice returns the account's pending enrolment.
func (s *Store) PendingDevice(ctx context.Context, accountID string) (mfa.DeviceRecord, bool, error) {
	d, found, err := scanDevice(s.pool.QueryRow(ctx, s.mfa.device, accountID, statePending), accountID)
	if err != nil {
		return mfa.DeviceRecord{}, false, fmt.Errorf("pgstore: pending device: %w", err)
	}
	return d, found, nil
}

// ActivateDevice makes d the active device of d.AccountID if the account
// has none, and then removes the pending enrolment if its ID is d.ID. It is
// one statement; see mfa.DeviceStore. Like the memory store, it returns an
// error when an ID is empty.
func (s *Store) ActivateDevice(ctx context.Context, d mfa.DeviceRecord) (bool, error) {
	if err := checkDeviceIDs(d); err != nil {
		return false, fmt.Errorf("pgstore: activate device: %w", err)
	}
	var n int64
	if err := s.pool.QueryRow(ctx, s.mfa.activate, deviceArgs(d, stateActive)...).Scan(&n); err != nil {
		return false, fmt.Errorf("pgstore: activate device: %w", err)
	}
	return n == 1, nil
}

// Device returns the account's active device.
func (s *Store) Device(ctx context.Context, accountID string) (mfa.DeviceRecord, bool, error) {
	d, found, err := scanDevice(s.pool.QueryRow(ctx, s.mfa.device, accountID, stateActive), accountID)
	if err != nil {
		return mfa.DeviceRecord{}, false, fmt.Errorf("pgstore: device: %w", err)
	}
	return d, found, nil
}

// AdvanceStep sets the last-used step of the account's active device to
// step if that device is deviceID and step is greater than its last-used
// step. It is one conditional UPDATE.
func (s *Store) AdvanceStep(ctx context.Context, accountID, deviceID string, step int64) (bool, error) {
	tag, err := s.pool.Exec(ctx, s.mfa.advance, accountID, deviceID, step)
	if err != nil {
		return false, fmt.Errorf("pgstore: advance step: %w", err)
	}
	return tag.RowsAffected() == 1, nil
}

// DeleteDevice removes the account's active device if its ID is deviceID.
// The pending enrolment and the backup codes stay.
func (s *Store) DeleteDevice(ctx context.Context, accountID, deviceID string) (bool, error) {
	tag, err := s.pool.Exec(ctx, s.mfa.deleteDevice, accountID, deviceID)
	if err != nil {
		return false, fmt.Errorf("pgstore: delete device: %w", err)
	}
	return tag.RowsAffected() == 1, nil
}

// ImportToken stores t if no token with t.Serial exists. Like the memory
// store, it returns an error when the serial number is empty.
func (s *Store) ImportToken(ctx context.Context, t mfa.TokenRecord) (bool, error) {
	if t.Serial == "" {
		return false, errors.New("pgstore: import token: empty serial number")
	}
	tag, err := s.pool.Exec(ctx, s.mfa.importToken, t.Serial, string(t.Algorithm), t.Digits, int64(t.Period),
		t.Seed.KeyID, nonNil(t.Seed.Ciphertext), nullIfEmpty(t.AccountID), t.ImportedAt)
	if err != nil {
		return false, fmt.Errorf("pgstore: import token: %w", err)
	}
	return tag.RowsAffected() == 1, nil
}

// Token returns the token with the serial number.
func (s *Store) Token(ctx context.Context, serial string) (mfa.TokenRecord, bool, error) {
	var (
		t          mfa.TokenRecord
		algorithm  string
		period     int64
		accountID  *string
		importedAt time.Time
	)
	err := s.pool.QueryRow(ctx, s.mfa.token, serial).Scan(&t.Serial, &algorithm, &t.Digits, &period,
		&t.Seed.KeyID, &t.Seed.Ciphertext, &accountID, &importedAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return mfa.TokenRecord{}, false, nil
	}
	if err != nil {
		return mfa.TokenRecord{}, false, fmt.Errorf("pgstore: token: %w", err)
	}
	t.Algorithm, t.Period, t.ImportedAt = mfa.Algorithm(algorithm), time.Duration(period), importedAt.UTC()
	if accountID != nil {
		t.AccountID = *accountID
	}
	return t, true, nil
}

// ClaimToken binds the token to accountID if it is unbound; one
// conditional UPDATE. Like the memory store, it returns an error when
// accountID is empty.
func (s *Store) ClaimToken(ctx context.Context, serial, accountID string) (bool, error) {
	return s.bindToken(ctx, "claim token", s.mfa.claimToken, serial, accountID)
}

// ReleaseToken unbinds the token if it is bound to accountID; one
// conditional UPDATE. Like the memory store, it returns an error when
// accountID is empty.
func (s *Store) ReleaseToken(ctx context.Context, serial, accountID string) (bool, error) {
	return s.bindToken(ctx, "release token", s.mfa.releaseToken, serial, accountID)
}

func (s *Store) bindToken(ctx context.Context, op, sql, serial, accountID string) (bool, error) {
	if accountID == "" {
		return false, fmt.Errorf("pgstore: %s: empty account ID", op)
	}
	tag, err := s.pool.Exec(ctx, sql, serial, accountID)
	if err != nil {
		return false, fmt.Errorf("pgstore: %s: %w", op, err)
	}
	return tag.RowsAffected() == 1, nil
}

// ReplaceBackupCodes replaces the account's whole set of hashes with
// hashes; an empty hashes deletes the set. It is one statement. Like the
// memory store, it returns an error, and changes nothing, when accountID
// or a hash is empty.
func (s *Store) ReplaceBackupCodes(ctx context.Context, accountID string, hashes [][]byte) error {
	if accountID == "" {
		return errors.New("pgstore: replace backup codes: empty account ID")
	}
	for _, h := range hashes {
		if len(h) == 0 {
			return errors.New("pgstore: replace backup codes: empty hash")
		}
	}
	var err error
	if len(hashes) == 0 {
		_, err = s.pool.Exec(ctx, s.mfa.deleteBackup, accountID)
	} else {
		_, err = s.pool.Exec(ctx, s.mfa.putBackup, accountID, hashes)
	}
	if err != nil {
		return fmt.Errorf("pgstore: replace backup codes: %w", err)
	}
	return nil
}

// ConsumeBackupCode removes hash from the account's set if it is there;
// see mfa.BackupCodeStore and consumeBackupCodeSQL (one statement).
func (s *Store) ConsumeBackupCode(ctx context.Context, accountID string, hash []byte) (bool, int, error) {
	var (
		ok   bool
		left int
	)
	if err := s.pool.QueryRow(ctx, s.mfa.consumeBackup, accountID, nonNil(hash)).Scan(&ok, &left); err != nil {
		return false, 0, fmt.Errorf("pgstore: consume backup code: %w", err)
	}
	return ok, left, nil
}

// BackupCodesLeft returns the number of hashes in the account's set.
func (s *Store) BackupCodesLeft(ctx context.Context, accountID string) (int, error) {
	var n int
	if err := s.pool.QueryRow(ctx, s.mfa.backupLeft, accountID).Scan(&n); err != nil {
		return 0, fmt.Errorf("pgstore: backup codes left: %w", err)
	}
	return n, nil
}

// nullIfEmpty returns nil (NULL) for "" and s otherwise.
func nullIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}
