package account

import (
	"context"
	"strings"

	"github.com/accountsec/accountsec/internal/proof"
	"github.com/accountsec/accountsec/reason"
	"github.com/accountsec/accountsec/vocab"
)

// OpUpgradePasswordHash is the operation of a password-hash upgrade. Only
// the login flow proves it (protection mints the proof right after the
// password checked out), so no caller can replace a hash on its own: the
// slash makes it a name no catalog operation or verification purpose may
// take, so neither Authorize nor Verified ever mints it.
const OpUpgradePasswordHash = "internal/upgrade_password_hash"

// Credential is the password of an email login as a login reads it.
type Credential struct {
	// AccountID is the account the login belongs to.
	AccountID string
	// Hash is the stored password hash.
	Hash string

	// record is the account as read, so that a hash upgrade writes it back
	// version-checked without reading it again.
	record Account
}

// PasswordCredential finds the password of the email login identifier login
// (normalised first). found is false when no account has this login, the
// account has no password, or login is malformed (a malformed login is an
// unknown one, so the caller does the same dummy work); err is for system
// failures only.
func (s *Service) PasswordCredential(ctx context.Context, login string) (c Credential, found bool, err error) {
	// AccountsByLogin without its result slice: the first holder with a
	// password is the one a login needs.
	v, err := s.normalize(KindEmail, login)
	switch reason.CodeOf(err) {
	case reason.InputEmpty, reason.InputMalformed, reason.InputTooLong, reason.InputInvalidUTF8:
		return Credential{}, false, nil
	}
	if err != nil {
		return Credential{}, false, err
	}
	ids, err := s.store.SlotHolders(ctx, Slot{Scope: ScopeBind, Kind: KindEmail, Value: v})
	if err != nil {
		return Credential{}, false, reason.Store(err)
	}
	for _, id := range ids {
		a, found, err := s.store.Account(ctx, id)
		if err != nil {
			return Credential{}, false, reason.Store(err)
		}
		// Re-check the record: a concurrent unbind may have just released it.
		if lm, ok := a.LoginMethod(MethodEmail); found && ok && lm.Identifier == v && a.Password.Hash != "" {
			return Credential{AccountID: a.ID, Hash: a.Password.Hash, record: a}, true, nil
		}
	}
	return Credential{}, false, nil
}

// UpgradePasswordHash replaces the hash of c by fresh, a new hash of the
// same password at the hasher's current parameters (after a migrated bcrypt
// hash or weaker argon2id parameters). It neither checks the password again
// nor reads the account again: it writes back the record c was read with,
// version-checked, so that a password changed meanwhile is left alone
// (replaced is then false). The password history keeps pointing at the same
// password.
//
// p must prove OpUpgradePasswordHash for c's account; only a login that has
// just checked the password can mint it. Any other proof is refused with
// *vocab.VerificationRequiredError (ErrVerificationRequired) and nothing
// changes.
func (s *Service) UpgradePasswordHash(ctx context.Context, p proof.Proof, c Credential, fresh string) (replaced bool, err error) {
	if !p.Valid(c.AccountID, OpUpgradePasswordHash, s.now()) || c.record.ID != c.AccountID {
		return false, &vocab.VerificationRequiredError{Purpose: OpUpgradePasswordHash}
	}
	if !strings.HasPrefix(fresh, "$argon2id$") {
		return false, reason.New(reason.InputMalformed).With("field", "hash")
	}
	old := c.record.Password.Hash
	if old == "" || old != c.Hash {
		return false, nil
	}
	next := c.record.clone()
	next.Password.Hash = fresh
	for i, h := range next.Password.History {
		if h == old {
			next.Password.History[i] = fresh
		}
	}
	res, err := s.store.UpdateAccount(ctx, next, nil, nil)
	if err != nil {
		return false, reason.Store(err)
	}
	return res.Status == WriteOK, nil
}
