-- Accounts behind account.Store. ID, APPID and version are columns; the
-- rest of the record is one JSONB document (see accountDoc in account.go).
-- A deleted account stays as a tombstone (deleted, no record) so that its
-- ID and APPID are never used again.
CREATE TABLE {schema}.accountsec_accounts (
    id      text    PRIMARY KEY,
    appid   text    NOT NULL UNIQUE,
    version bigint  NOT NULL CHECK (version >= 1),
    deleted boolean NOT NULL DEFAULT false,
    record  jsonb,
    CHECK ((record IS NULL) = deleted)
);

-- The quota slots: one row per account holding an identifier. A slot's
-- holders are counted under a transaction-level advisory lock on the slot,
-- so that a count and the insert it allows cannot interleave with another.
CREATE TABLE {schema}.accountsec_account_slots (
    scope      text NOT NULL,
    kind       text NOT NULL,
    value      text NOT NULL,
    account_id text NOT NULL REFERENCES {schema}.accountsec_accounts (id),
    PRIMARY KEY (scope, kind, value, account_id)
);

CREATE INDEX accountsec_account_slots_account_id_idx ON {schema}.accountsec_account_slots (account_id);
