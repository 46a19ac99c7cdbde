-- MFA state moved onto the state primitives: the mfa package keeps each
-- account's devices and backup codes, and each hardware token, as versioned
-- documents (0006_state.sql). Drop the typed tables of 0003_mfa.sql. Their
-- rows are not carried over: a host that upgrades re-imports its hardware
-- tokens and its users bind their devices again.
DROP TABLE {schema}.accountsec_mfa_devices,
    {schema}.accountsec_mfa_tokens,
    {schema}.accountsec_mfa_backup_codes;
