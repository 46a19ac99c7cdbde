package account

import (
	"context"
	"time"
)

// LoginLockedUntil returns when the account's login lock ends (the lock of
// wrong passwords, counted under the Service's lockout scope), or the zero
// time when its login is not locked. A password reset does not lift the
// lock (docs/RULES.md §1): the reset tells the user when it ends.
func (s *Service) LoginLockedUntil(ctx context.Context, id string) (time.Time, error) {
	if err := checkID("account_id", id); err != nil {
		return time.Time{}, err
	}
	st, err := s.lockout.Status(ctx, s.scope, id)
	if err != nil {
		return time.Time{}, err
	}
	return st.LockedUntil, nil
}
