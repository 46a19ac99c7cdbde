-- Expiring counters behind limits.CounterStore. Keys arrive already hashed.
CREATE TABLE {schema}.accountsec_counters (
    key        text        PRIMARY KEY,
    count      bigint      NOT NULL CHECK (count >= 0),
    expires_at timestamptz NOT NULL
);

CREATE INDEX accountsec_counters_expires_at_idx ON {schema}.accountsec_counters (expires_at);

-- One-time codes behind notify.CodeStore: only keyed hashes, never codes.
CREATE TABLE {schema}.accountsec_codes (
    key        text        PRIMARY KEY,
    hash       bytea       NOT NULL,
    expires_at timestamptz NOT NULL,
    max_wrong  integer     NOT NULL,
    wrong      integer     NOT NULL DEFAULT 0
);

CREATE INDEX accountsec_codes_expires_at_idx ON {schema}.accountsec_codes (expires_at);
