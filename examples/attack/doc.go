// Package attack plays the attacker who holds one channel of an account (its
// login mailbox, or its security phone) against an account with MFA login
// protection, MFA operation protection and a security phone, on the stores a
// fleet of machines would share: PostgreSQL, and PostgreSQL with Redis for
// hot state. It has only tests; run them with
//
//	ACCOUNTSEC_PG_DSN=postgres://… ACCOUNTSEC_REDIS_ADDR=host:port go test ./attack/
//
// from the examples module. See docs/SECURITY.md, "Methods and channels".
package attack
