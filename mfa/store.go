package mfa

import "github.com/accountsec/accountsec/state"

// Store is where a Manager keeps its state: any [state.Documents]
// (store/memstore, store/pgstore and store/redisstore all implement it).
// Stores implement no MFA code; the Manager lays its state out on versioned
// documents whose IDs start with "mfa/":
//
//   - one document per account, "mfa/account/" followed by a keyed tag of
//     the account ID (the store never sees account IDs), holding the
//     pending enrolment, the active device and the backup codes' keyed
//     hashes;
//   - one document per imported hardware token, "mfa/token/" followed by
//     its normalised serial number, holding the sealed seed, a keyed tag of
//     the account it is bound to, and the last time step accepted from it.
//
// Every change reads a document and writes it back by compare-and-set on
// its version, deciding again after a conflict, so each one is atomic
// however many requests race. Secrets and seeds reach the store sealed
// (see [Keyring]), backup codes as keyed hashes.
type Store = state.Documents
