package memstore

// KeepsNoCallContext marks the store as a [limits.CallScoped] counter
// store: no call keeps its context after it returns (no call even waits),
// so the limiters may reuse the contexts they end attempts under.
func (s *Store) KeepsNoCallContext() {}
