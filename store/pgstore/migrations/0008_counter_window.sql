-- A counter's window (limits.Counter.Window): the expiry it was created
-- with, which FullExpiresAt does not move. Release gives a slot back only
-- to the window it was taken from. Existing counters take their current
-- expiry as their window.
ALTER TABLE {schema}.accountsec_counters ADD COLUMN window_expires_at timestamptz;
UPDATE {schema}.accountsec_counters SET window_expires_at = expires_at;
ALTER TABLE {schema}.accountsec_counters ALTER COLUMN window_expires_at SET NOT NULL;
