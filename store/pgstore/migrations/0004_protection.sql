-- Protection state behind protection.Store: sessions, grants, pending logins,
-- challenges, trusted devices and login cities. IDs derived from tokens (and
-- grant bindings, which embed session IDs) are bytea, so any byte string is
-- stored exactly; the token itself is never stored.

-- The session generation of each account. Sessions and grants carry the
-- generation that was current when they were written, and only those of the
-- current generation are live, so ending every session of an account is one
-- UPDATE of this row whatever the number of sessions. No row means
-- generation 0.
CREATE TABLE {schema}.accountsec_session_epochs (
    account_id text   PRIMARY KEY,
    generation bigint NOT NULL
);

CREATE TABLE {schema}.accountsec_sessions (
    id              bytea       PRIMARY KEY,
    account_id      text        NOT NULL,
    generation      bigint      NOT NULL,
    login_method    text        NOT NULL,
    client_ip       text        NOT NULL,
    city            text        NOT NULL,
    device_name     text        NOT NULL,
    created_at      timestamptz NOT NULL,
    expires_at      timestamptz NOT NULL,
    idle_timeout_ns bigint      NOT NULL,
    last_seen_at    timestamptz NOT NULL
);

-- The session list: live sessions of one account and generation, oldest
-- first. Ended sessions (older generations) are skipped by the index.
CREATE INDEX accountsec_sessions_account_idx
    ON {schema}.accountsec_sessions (account_id, generation, created_at, id);
CREATE INDEX accountsec_sessions_expires_at_idx ON {schema}.accountsec_sessions (expires_at);

CREATE TABLE {schema}.accountsec_grants (
    account_id text        NOT NULL,
    binding    bytea       NOT NULL,
    scope      text        NOT NULL,
    generation bigint      NOT NULL,
    method     text        NOT NULL,
    granted_at timestamptz NOT NULL,
    expires_at timestamptz NOT NULL,
    PRIMARY KEY (account_id, binding, scope)
);

CREATE INDEX accountsec_grants_expires_at_idx ON {schema}.accountsec_grants (expires_at);

CREATE TABLE {schema}.accountsec_pending_logins (
    id               bytea       PRIMARY KEY,
    account_id       text        NOT NULL,
    login_method     text        NOT NULL,
    client_ip        text        NOT NULL,
    city             text        NOT NULL,
    device_name      text        NOT NULL,
    second_factor    boolean     NOT NULL,
    unusual_location boolean     NOT NULL,
    methods          text[],
    created_at       timestamptz NOT NULL,
    expires_at       timestamptz NOT NULL
);

CREATE INDEX accountsec_pending_logins_expires_at_idx ON {schema}.accountsec_pending_logins (expires_at);

CREATE TABLE {schema}.accountsec_challenges (
    id          bytea       PRIMARY KEY,
    account_id  text        NOT NULL,
    binding     bytea       NOT NULL,
    purpose     text        NOT NULL,
    method      text        NOT NULL,
    destination text        NOT NULL,
    ticket      text        NOT NULL,
    created_at  timestamptz NOT NULL,
    expires_at  timestamptz NOT NULL
);

CREATE INDEX accountsec_challenges_expires_at_idx ON {schema}.accountsec_challenges (expires_at);

CREATE TABLE {schema}.accountsec_trusted_devices (
    account_id text        NOT NULL,
    id         bytea       NOT NULL,
    name       text        NOT NULL,
    client_ip  text        NOT NULL,
    city       text        NOT NULL,
    created_at timestamptz NOT NULL,
    expires_at timestamptz NOT NULL,
    PRIMARY KEY (account_id, id)
);

CREATE INDEX accountsec_trusted_devices_expires_at_idx ON {schema}.accountsec_trusted_devices (expires_at);

CREATE TABLE {schema}.accountsec_login_cities (
    account_id text        NOT NULL,
    city       text        NOT NULL,
    last_at    timestamptz NOT NULL,
    PRIMARY KEY (account_id, city)
);
