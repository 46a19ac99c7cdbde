-- MFA devices behind mfa.DeviceStore: each account's active device and its
-- pending enrolment, at most one of each. Secrets arrive sealed.
CREATE TABLE {schema}.accountsec_mfa_devices (
    account_id      text        NOT NULL,
    state           text        NOT NULL CHECK (state IN ('pending', 'active')),
    id              text        NOT NULL,
    kind            text        NOT NULL,
    serial          text        NOT NULL,
    algorithm       text        NOT NULL,
    digits          integer     NOT NULL,
    period_ns       bigint      NOT NULL,
    secret_key_id   text        NOT NULL,
    secret          bytea       NOT NULL,
    usage_login     boolean     NOT NULL,
    usage_operation boolean     NOT NULL,
    created_at      timestamptz NOT NULL,
    activated_at    timestamptz, -- NULL while pending
    last_step       bigint      NOT NULL,
    PRIMARY KEY (account_id, state)
);

-- Imported hardware tokens behind mfa.TokenStore; account_id is NULL while
-- the token is unbound. Seeds arrive sealed.
CREATE TABLE {schema}.accountsec_mfa_tokens (
    serial      text        PRIMARY KEY,
    algorithm   text        NOT NULL,
    digits      integer     NOT NULL,
    period_ns   bigint      NOT NULL,
    seed_key_id text        NOT NULL,
    seed        bytea       NOT NULL,
    account_id  text,
    imported_at timestamptz NOT NULL
);

-- Backup codes behind mfa.BackupCodeStore: each account's whole set in one
-- row, as keyed hashes, so that replacing and consuming lock one row.
CREATE TABLE {schema}.accountsec_mfa_backup_codes (
    account_id text    PRIMARY KEY,
    hashes     bytea[] NOT NULL
);
