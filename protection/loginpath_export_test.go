package protection

import "context"

// LazyAccounts is an Accounts that can leave HasMFA out of a profile
// (lazyMFA), with the two reads given as functions.
type LazyAccounts struct {
	Accounts
	WithoutMFA func(ctx context.Context, accountID string) (Profile, bool, error)
	MFARead    func(ctx context.Context, accountID string) (bool, error)
}

func (l LazyAccounts) profileWithoutMFA(ctx context.Context, accountID string) (Profile, bool, error) {
	return l.WithoutMFA(ctx, accountID)
}

func (l LazyAccounts) hasMFA(ctx context.Context, accountID string) (bool, error) {
	return l.MFARead(ctx, accountID)
}

// EndsInline reports whether m ends a right password's attempt in line.
func EndsInline(m *Manager) bool { return m.endInline }
