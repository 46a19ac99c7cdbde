-- Pending password resets behind recovery.ResetStore: at most one per
-- account, found by the keyed hash of its token (never the token). The
-- account is the key, so a newer reset replaces the older one with one
-- upsert; the ID is unique, so a lookup by it is an index scan.
CREATE TABLE {schema}.accountsec_password_resets (
    account_id text        PRIMARY KEY,
    id         text        NOT NULL UNIQUE,
    expires_at timestamptz NOT NULL
);

CREATE INDEX accountsec_password_resets_expires_at_idx ON {schema}.accountsec_password_resets (expires_at);
