-- Protection state and password resets moved onto the state primitives
-- (0006_state.sql): drop the typed tables of 0004_protection.sql and
-- 0005_recovery.sql, with their indexes. Their rows are short-lived
-- (sessions, grants, pending logins, challenges, trusted devices, login
-- cities, resets), and none is carried over: a host that upgrades while
-- users are signed in signs them out once.
DROP TABLE {schema}.accountsec_session_epochs,
    {schema}.accountsec_sessions,
    {schema}.accountsec_grants,
    {schema}.accountsec_pending_logins,
    {schema}.accountsec_challenges,
    {schema}.accountsec_trusted_devices,
    {schema}.accountsec_login_cities,
    {schema}.accountsec_password_resets;
