-- The storage primitives of package state. Keys are printable ASCII and
-- compare as bytes (COLLATE "C"), so ordering by ID matches every store.

-- state.Records: owner-scoped record sets. Each record carries the
-- generation of its set and owner that was current when it was put; only
-- records of the current generation are live, so ending every record of an
-- owner is one write to accountsec_state_generations. Data is NULL for a
-- nil payload, so nil and empty round-trip apart.
CREATE TABLE {schema}.accountsec_state_records (
    set_name   text COLLATE "C" NOT NULL,
    owner      text COLLATE "C" NOT NULL,
    id         text COLLATE "C" NOT NULL,
    data       bytea,
    ord        bigint           NOT NULL,
    gen        bigint           NOT NULL,
    expires_at timestamptz      NOT NULL,
    PRIMARY KEY (set_name, owner, id)
);

CREATE INDEX accountsec_state_records_expires_at_idx ON {schema}.accountsec_state_records (expires_at);

-- The generation of each set and owner; no row means 0. Rows are never
-- deleted: a generation must never go back.
CREATE TABLE {schema}.accountsec_state_generations (
    set_name text COLLATE "C" NOT NULL,
    owner    text COLLATE "C" NOT NULL,
    gen      bigint           NOT NULL,
    PRIMARY KEY (set_name, owner)
);

-- state.Onces: single-use records.
CREATE TABLE {schema}.accountsec_state_onces (
    id         text COLLATE "C" PRIMARY KEY,
    data       bytea,
    expires_at timestamptz      NOT NULL
);

CREATE INDEX accountsec_state_onces_expires_at_idx ON {schema}.accountsec_state_onces (expires_at);

-- state.Documents: versioned documents, written by compare-and-set.
CREATE TABLE {schema}.accountsec_state_documents (
    id      text COLLATE "C" PRIMARY KEY,
    version bigint           NOT NULL CHECK (version >= 1),
    data    bytea
);
