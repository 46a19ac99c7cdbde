package protection

import (
	"context"
	"time"

	"github.com/accountsec/accountsec/event"
	"github.com/accountsec/accountsec/reason"
)

// Session is a signed-in session.
//
// A session ends at the first of: ExpiresAt (CreatedAt plus the account's
// SessionMaxLifetime at login; activity never moves it), IdleTimeout without
// activity, EndSession, SignOutAll and EndOtherSessions. Lifetime and idle
// timeout are copied from the account's settings at login, so a change of
// those settings applies from the next login and never to sessions already
// open.
//
// Write throttling: [Manager.ValidateSession] runs on every request and
// reads the store once; it writes the last-seen time only when the recorded
// one is at least Policy.TouchInterval (default 1 minute) old. So a busy
// session costs at most one write a minute, and idle time is measured from
// the recorded last-seen time: a session may idle out up to one
// TouchInterval earlier than IdleTimeout after its very last request, never
// later.
type Session struct {
	// ID identifies the session: the SHA-256 hash of the random part of
	// its token, base64url-encoded. It is safe to show (the session list) and to log;
	// it cannot be used as a token.
	ID string
	// AccountID is the account signed in.
	AccountID string
	// LoginMethod is "password" or the third-party method of the login.
	LoginMethod string
	// ClientIP, City and DeviceName describe the login.
	ClientIP   string
	City       string
	DeviceName string
	// DeviceID is the trusted device of the login: the one whose token the
	// login presented (live at the time), or the one the login trusted.
	// Empty when there is none. A password change made in this session
	// keeps this device trusted and revokes the others.
	DeviceID string
	// CreatedAt is when the session started.
	CreatedAt time.Time
	// ExpiresAt is the absolute end of the session.
	ExpiresAt time.Time
	// IdleTimeout is the session's idle timeout.
	IdleTimeout time.Duration
	// LastSeenAt is the last recorded activity.
	LastSeenAt time.Time
}

// Binding returns the binding of identity verifications made in this
// session (see [StartRequest]).
func (s Session) Binding() string { return SessionBinding(s.ID) }

// IdleExpiresAt is when the session idles out unless it is used before.
func (s Session) IdleExpiresAt() time.Time { return s.LastSeenAt.Add(s.IdleTimeout) }

// createSession starts a session for the account with the session times of
// its settings now, and returns it with its token.
func (m *Manager) createSession(ctx context.Context, p Profile, l loginInfo) (Session, string, error) {
	owner := m.owner(p.AccountID)
	token, id, err := m.newSessionToken(owner)
	if err != nil {
		return Session{}, "", err
	}
	s := p.Settings.resolved()
	now := m.now()
	r := Session{
		ID: id, AccountID: p.AccountID, LoginMethod: l.method,
		ClientIP: l.ip, City: l.city, DeviceName: l.device, DeviceID: l.deviceID,
		CreatedAt: now, ExpiresAt: now.Add(s.SessionMaxLifetime), IdleTimeout: s.SessionIdleTimeout, LastSeenAt: now,
	}
	if err := m.putSession(ctx, owner, r); err != nil {
		// The store may have written the session and lost its reply (or
		// the caller's context ended mid-write): delete the ID this call
		// tried to create, on a context that outlives the caller's but
		// not for long, so that no session that nobody holds a token for
		// stays in the list. Should that fail too, the record only waits
		// for its end: its token was never given out.
		const cleanupTimeout = 5 * time.Second
		cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cleanupTimeout)
		_, _ = m.store.DeleteRecord(cctx, setSession, owner, sessionIDPrefix+id, now)
		cancel()
		return Session{}, "", reason.Store(err)
	}
	return r, token, nil
}

// ValidateSession returns the live session of token, for every request.
// It returns ErrSessionInvalid for a malformed, unknown, ended or expired
// token (a session found idle is ended and a SessionEnded event says why;
// one past its absolute end is gone from the store), and a
// reason.StoreUnavailable error when the store fails (refuse the request).
// It reads the store once (the token carries the owner tag of the account)
// and writes to it at most once per Policy.TouchInterval per session.
func (m *Manager) ValidateSession(ctx context.Context, token string) (s Session, err error) {
	var tag tokenTag
	owner, rid, e, ok := sessionTokenRID(token, &tag)
	if !ok {
		return Session{}, ErrSessionInvalid
	}
	now := m.now()
	found, err := m.tokenSession(ctx, owner, rid, &tag, e, now, &s)
	switch {
	case err != nil:
		return Session{}, reason.Store(err)
	case !found:
		return Session{}, ErrSessionInvalid
	}
	// LastSeenAt and IdleTimeout are whole milliseconds (the record keeps
	// them so) and UnixMilli rounds down, so the idle check in milliseconds
	// is !now.Before(s.LastSeenAt.Add(s.IdleTimeout)), and elapsed is
	// now.Sub(s.LastSeenAt).
	nowMs, lastMs := now.UnixMilli(), s.LastSeenAt.UnixMilli()
	switch {
	case !now.Before(s.ExpiresAt):
		m.expire(ctx, owner, s, "lifetime")
		return Session{}, ErrSessionInvalid
	case nowMs >= lastMs+s.IdleTimeout.Milliseconds():
		m.expire(ctx, owner, s, "idle")
		return Session{}, ErrSessionInvalid
	}
	// nowMs < lastMs + IdleTimeout here, so elapsed is below the idle
	// timeout; a last-seen time in the future (a replica's clock ahead)
	// gives a negative elapsed, as now.Sub does, and no touch.
	elapsed := time.Duration(nowMs-lastMs)*time.Millisecond + time.Duration(now.Nanosecond()%int(time.Millisecond))
	if elapsed >= m.policy.TouchInterval {
		live, err := m.touchSession(ctx, owner, rid, now)
		switch {
		case err != nil:
			return Session{}, reason.Store(err)
		case !live:
			return Session{}, ErrSessionInvalid // ended meanwhile
		}
		s.LastSeenAt = now
	}
	return s, nil
}

// expire ends a session found expired. The caller refuses it whatever
// happens here, so a store failure only leaves the record for later.
func (m *Manager) expire(ctx context.Context, owner string, r Session, why string) {
	if ended, err := m.endSession(ctx, owner, r.ID); err == nil && ended {
		m.emit(ctx, event.SessionEnded, r.AccountID, "session", time.Time{},
			map[string]string{"session": r.ID, "reason": why})
	}
}

// Sessions lists the account's live sessions, oldest first.
func (m *Manager) Sessions(ctx context.Context, accountID string) ([]Session, error) {
	if accountID == "" {
		return nil, reason.New(reason.InputEmpty).With("field", "account_id")
	}
	now := m.now()
	rs, err := m.sessions(ctx, accountID, now)
	if err != nil {
		return nil, reason.Store(err)
	}
	out := rs[:0]
	for _, r := range rs {
		if now.Before(r.ExpiresAt) && now.Before(r.LastSeenAt.Add(r.IdleTimeout)) {
			out = append(out, r)
		}
	}
	return out, nil
}

// EndSession ends the account's session with ID sessionID (signing out, or
// ending another device's session from the list) together with its step-up
// grants. Ending a session that is not live is not an error.
func (m *Manager) EndSession(ctx context.Context, accountID, sessionID string) error {
	if accountID == "" || sessionID == "" {
		return reason.New(reason.InputEmpty).With("field", "session")
	}
	ended, err := m.endSession(ctx, m.owner(accountID), sessionID)
	if err != nil {
		return reason.Store(err)
	}
	if ended {
		m.emit(ctx, event.SessionEnded, accountID, "session", time.Time{},
			map[string]string{"session": sessionID, "reason": "ended"})
	}
	return nil
}

// SignOutAll ends every session of s's account, s included, and every
// step-up grant, and revokes every trusted device of the account: one store
// write for the devices, then one for the sessions (in this order, so that a
// failure half-way leaves the session that can retry). It is a sensitive
// operation (OpSignOutAll): without a step-up of s it returns
// *VerificationRequiredError.
func (m *Manager) SignOutAll(ctx context.Context, s Session) error {
	if _, err := m.Authorize(ctx, s, OpSignOutAll); err != nil {
		return err
	}
	if err := m.revokeDevices(ctx, s.AccountID, "", CauseSignOutAll); err != nil {
		return err
	}
	if err := m.endAllSessions(ctx, s.AccountID, ""); err != nil {
		return reason.Store(err)
	}
	m.emit(ctx, event.AllSessionsEnded, s.AccountID, "session", time.Time{},
		map[string]string{"session": s.ID, "reason": CauseSignOutAll})
	return nil
}

// Causes of EndOtherSessions, reported in its events. The cause decides
// which trusted devices stay: CausePasswordChanged keeps the device of the
// kept session; every other cause, the host's own included, revokes them
// all.
const (
	CausePasswordChanged = "password_changed"
	CausePasswordReset   = "password_reset"
	CauseMFAChanged      = "mfa_changed"
	CauseCancellation    = "cancellation"
	// CauseSignOutAll is the cause of SignOutAll ("sign out all sessions").
	CauseSignOutAll = OpSignOutAll
)

// EndOtherSessions ends every session of the account except keepSessionID
// (the session that made the change; empty ends them all) and every step-up
// grant, and revokes the account's trusted devices, so that an old device
// token no longer skips login protection. Which devices go depends on cause:
//
//   - CausePasswordChanged: every device but the trusted device of the kept
//     session ([Session.DeviceID]; none is kept when keepSessionID is empty,
//     names no live session or the session has no trusted device);
//   - CausePasswordReset, CauseMFAChanged, CauseSignOutAll,
//     CauseCancellation and any other cause: every device.
//
// Devices and sessions each go in one store write whatever their number,
// the devices first. Call it after a password change or reset, an MFA bind
// or unbind, a sign-out-all and a cancellation; cause (one of the Cause
// constants or the host's own) is reported in the events
// (OtherSessionsEnded or AllSessionsEnded, and TrustedDevicesRevoked). It
// asks for no verification: the change that calls it has done so, and it
// only takes privileges away.
func (m *Manager) EndOtherSessions(ctx context.Context, accountID, keepSessionID, cause string) error {
	if accountID == "" {
		return reason.New(reason.InputEmpty).With("field", "account_id")
	}
	keepDevice := ""
	if cause == CausePasswordChanged && keepSessionID != "" && validKeyPart(sessionIDPrefix, keepSessionID) {
		var s Session
		found, err := m.session(ctx, m.owner(accountID), sessionIDPrefix+keepSessionID, m.now(), &s)
		if err != nil {
			return reason.Store(err)
		}
		if found {
			keepDevice = s.DeviceID
		}
	}
	if err := m.revokeDevices(ctx, accountID, keepDevice, cause); err != nil {
		return err
	}
	if err := m.endAllSessions(ctx, accountID, keepSessionID); err != nil {
		return reason.Store(err)
	}
	kind := event.OtherSessionsEnded
	if keepSessionID == "" {
		kind = event.AllSessionsEnded
	}
	m.emit(ctx, kind, accountID, "session", time.Time{},
		map[string]string{"session": keepSessionID, "reason": cause})
	return nil
}
