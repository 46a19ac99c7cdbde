package protection

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"hash/maphash"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"github.com/accountsec/accountsec/internal/codec"
	"github.com/accountsec/accountsec/internal/keyhash"
	"github.com/accountsec/accountsec/state"
)

// How protection lays its records out on the state primitives (see
// [Store]).
const (
	// setSession holds an account's sessions (IDs "s/" + session ID) and
	// step-up grants (IDs "g/" + hash of the binding + "/" + scope), so
	// that one EndRecords ends both.
	setSession = "session"
	// setDevice holds an account's trusted devices (ID: the device ID).
	setDevice = "device"
	// setCity holds an account's login cities (ID: the hash of the name).
	setCity = "city"

	sessionIDPrefix   = "s/"
	grantIDPrefix     = "g/"
	pendingIDPrefix   = "login/"
	challengeIDPrefix = "challenge/"

	// ownerScope keys the owner tags of accounts.
	ownerScope = "protection-owner"
	// ownerBytes is how much of the keyed sum an owner tag keeps; ownerLen
	// is the length of its text.
	ownerBytes = 12
	ownerLen   = 16 // base64.RawURLEncoding.EncodedLen(ownerBytes)

	// cityRetention is how long a login city is remembered after its last
	// login: far beyond the longest UsualCityWindow, so that an account
	// whose cities are all too old still counts as having a history.
	cityRetention = 5 * 365 * Day
)

// Versions of the payload formats.
const (
	sessionV1   byte = 1
	sessionV2   byte = 2 // v1 and the trusted device ID
	grantV1     byte = 1
	pendingV1   byte = 1
	pendingV2   byte = 2 // v1 and the trusted device ID
	challengeV1 byte = 1
	deviceV1    byte = 1
	cityV1      byte = 1
)

// errDuplicateID is returned when a single-use record's ID already exists:
// IDs are hashes of 256 random bits, so it never happens by chance.
var errDuplicateID = errors.New("protection: record ID already exists")

// ---- owners ----

// ownerSeed spreads account IDs over the owner cache's slots.
var ownerSeed = maphash.MakeSeed()

// ownerEntry is one remembered owner tag.
type ownerEntry struct {
	keys    *keyhash.Hasher
	account string
	owner   string
}

// owners remembers recently computed owner tags, so that the per-request
// paths (Authorize, Verified) do not compute a keyed hash each time. It is
// a fixed number of slots, each holding the last account hashed into it:
// its size never grows.
var owners [1024]atomic.Pointer[ownerEntry]

// owner returns the owner of the account's records: a keyed tag of its ID
// (ownerLen bytes of base64url), so that a store never sees account IDs.
func (m *Manager) owner(accountID string) string {
	slot := &owners[maphash.String(ownerSeed, accountID)%uint64(len(owners))]
	if e := slot.Load(); e != nil && e.keys == m.keys && e.account == accountID {
		return e.owner
	}
	sum := m.keys.Sum(ownerScope, accountID)
	o := base64.RawURLEncoding.EncodeToString(sum[:ownerBytes])
	slot.Store(&ownerEntry{keys: m.keys, account: accountID, owner: o})
	return o
}

// validOwner reports whether s has the form of an owner tag.
func validOwner(s string) bool {
	if len(s) != ownerLen {
		return false
	}
	var bad byte
	for i := 0; i < len(s); i++ {
		bad |= base64URLValue[s[i]]
	}
	return bad&invalidBase64 == 0
}

// validKeyPart reports whether an ID that came from the caller (a session or
// device ID of an End or Revoke call) can be part of a store key; one that
// cannot names no record.
func validKeyPart(prefix, id string) bool {
	return state.CheckKey("id", prefix+id) == nil
}

// ---- sessions ----

// putSession stores a new session of the account under owner. The payload
// (version 2) is version 1's fields followed by the trusted device ID, so
// that a password change can keep the device of the session that made it.
func (m *Manager) putSession(ctx context.Context, owner string, s Session) error {
	w := codec.NewWriter(sessionV2, 64+len(s.AccountID)+len(s.LoginMethod)+len(s.ClientIP)+len(s.City)+len(s.DeviceName)+len(s.DeviceID))
	w.String(s.AccountID)
	w.String(s.LoginMethod)
	w.String(s.ClientIP)
	w.String(s.City)
	w.String(s.DeviceName)
	w.Time(s.CreatedAt)
	w.Int(s.IdleTimeout.Milliseconds())
	w.String(s.DeviceID)
	return m.store.PutRecord(ctx, state.Record{
		Set: setSession, Owner: owner, ID: sessionIDPrefix + s.ID, Data: w.Done(),
		Order: s.LastSeenAt.UnixMilli(), ExpiresAt: s.ExpiresAt,
	}, 0, s.CreatedAt)
}

// session reads the live session with record ID rid ("s/" + session ID)
// under owner into s. It allocates nothing beyond what the store does: the
// strings share the record's payload.
func (m *Manager) session(ctx context.Context, owner, rid string, now time.Time, s *Session) (bool, error) {
	r, found, err := m.store.GetRecord(ctx, setSession, owner, rid, now)
	if err != nil || !found {
		return false, err
	}
	if err := decodeSession(s, &r); err != nil {
		return false, err
	}
	return true, nil
}

// tokenSession is session for ValidateSession: e is the remembered entry
// of the token whose random part has tag (nil when none), whose decoded
// payload is reused when the store returns that very payload (see
// sessionCache); a token not remembered is remembered once its session is
// found.
func (m *Manager) tokenSession(ctx context.Context, owner, rid string, tag *tokenTag, e *sessionEntry, now time.Time, s *Session) (bool, error) {
	r, found, err := m.store.GetRecord(ctx, setSession, owner, rid, now)
	if err != nil || !found {
		return false, err
	}
	if e != nil && samePayload(e.data, r.Data) {
		*s = e.s
		s.ExpiresAt = r.ExpiresAt
		s.LastSeenAt = time.UnixMilli(r.Order).UTC()
		return true, nil
	}
	if err := decodeSession(s, &r); err != nil {
		return false, err
	}
	if e == nil {
		rememberSession(tag, owner, rid, r.Data, s)
	}
	return true, nil
}

// decodeSession decodes a session record (version 1, written before
// sessions knew their trusted device, or version 2) into s, in place (a
// Session is large: the per-request path copies it once, to its caller).
func decodeSession(s *Session, r *state.Record) error {
	rd, v := codec.Read(r.Data)
	if v != sessionV1 && v != sessionV2 {
		return codec.ErrCorrupt
	}
	s.ID = strings.TrimPrefix(r.ID, sessionIDPrefix)
	s.AccountID = rd.String()
	s.LoginMethod = rd.String()
	s.ClientIP = rd.String()
	s.City = rd.String()
	s.DeviceName = rd.String()
	s.CreatedAt = rd.Time()
	s.IdleTimeout = time.Duration(rd.Int()) * time.Millisecond
	s.ExpiresAt = r.ExpiresAt
	s.LastSeenAt = time.UnixMilli(r.Order).UTC()
	s.DeviceID = ""
	if v == sessionV2 {
		s.DeviceID = rd.String()
	}
	if err := rd.Err(); err != nil {
		*s = Session{}
		return err
	}
	return nil
}

// touchSession raises the session's last-seen time to at and reports
// whether the session is still live.
func (m *Manager) touchSession(ctx context.Context, owner, rid string, at time.Time) (bool, error) {
	return m.store.TouchRecord(ctx, setSession, owner, rid, at.UnixMilli(), at)
}

// sessions returns the account's live sessions, oldest first (by CreatedAt,
// then ID).
func (m *Manager) sessions(ctx context.Context, accountID string, now time.Time) ([]Session, error) {
	rs, err := m.store.ListRecords(ctx, setSession, m.owner(accountID), now)
	if err != nil {
		return nil, err
	}
	out := make([]Session, 0, len(rs))
	for _, r := range rs {
		if !strings.HasPrefix(r.ID, sessionIDPrefix) {
			continue // a grant
		}
		var s Session
		if err := decodeSession(&s, &r); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	slices.SortFunc(out, func(a, b Session) int {
		if c := a.CreatedAt.Compare(b.CreatedAt); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	return out, nil
}

// endSession ends the session sessionID of owner and the grants bound to
// it, and reports whether the session was live. The grants go first, so
// that a failure half-way leaves fewer privileges, never more, and a retry
// completes.
func (m *Manager) endSession(ctx context.Context, owner, sessionID string) (bool, error) {
	if !validKeyPart(sessionIDPrefix, sessionID) {
		return false, nil
	}
	now := m.now()
	rs, err := m.store.ListRecords(ctx, setSession, owner, now)
	if err != nil {
		return false, err
	}
	prefix := grantPrefix(SessionBinding(sessionID))
	for _, r := range rs {
		if strings.HasPrefix(r.ID, prefix) {
			if _, err := m.store.DeleteRecord(ctx, setSession, owner, r.ID, now); err != nil {
				return false, err
			}
		}
	}
	return m.store.DeleteRecord(ctx, setSession, owner, sessionIDPrefix+sessionID, now)
}

// endAllSessions ends, in one write, every session and grant of the account
// but the session keep (when not empty).
func (m *Manager) endAllSessions(ctx context.Context, accountID, keep string) error {
	if keep != "" {
		if !validKeyPart(sessionIDPrefix, keep) {
			keep = "" // names no session: nothing to keep
		} else {
			keep = sessionIDPrefix + keep
		}
	}
	return m.store.EndRecords(ctx, setSession, m.owner(accountID), keep, m.now())
}

// endDevices revokes, in one write, every trusted device of the account but
// the device keep (when not empty).
func (m *Manager) endDevices(ctx context.Context, accountID, keep string) error {
	if keep != "" && !validKeyPart("", keep) {
		keep = "" // names no device: nothing to keep
	}
	return m.store.EndRecords(ctx, setDevice, m.owner(accountID), keep, m.now())
}

// ---- grants ----

// grant is a successful identity verification, kept for a while: a
// step-up of a session, or a verification for one purpose.
type grant struct {
	// AccountID is the account verified.
	AccountID string
	// Binding is what the grant is bound to: "session:" plus a session ID,
	// or a binding chosen by the host for a flow without a session.
	Binding string
	// Scope is what the grant allows: ScopeStepUp for every sensitive
	// operation, otherwise one purpose.
	Scope string
	// Method is the method that verified.
	Method Method
	// GrantedAt is when the verification succeeded.
	GrantedAt time.Time
	// ExpiresAt is when the grant ends. It never moves.
	ExpiresAt time.Time
}

// bindingSum is the SHA-256 hash of binding, without allocating for the
// bindings protection accepts.
func bindingSum(binding string) [sha256.Size]byte {
	if len(binding) > MaxBindingBytes {
		return sha256.Sum256([]byte(binding))
	}
	var b [MaxBindingBytes]byte
	return sha256.Sum256(b[:copy(b[:], binding)])
}

// hashLen is the length of a hash's text: unpadded base64url of a SHA-256
// sum.
const hashLen = 43

// grantPrefix starts the record IDs of the grants of binding: "g/", the
// hash of the binding (so that IDs stay printable and short whatever the
// binding), and "/".
func grantPrefix(binding string) string {
	var id [len(grantIDPrefix) + len("s:") + hashLen + 1]byte
	return string(appendGrantPrefix(id[:0], binding))
}

func appendGrantPrefix(dst []byte, binding string) []byte {
	dst = append(dst, grantIDPrefix...)
	if id, ok := strings.CutPrefix(binding, sessionPrefix); ok && isHashText(id) {
		// A session's binding names its ID, a hash already: it is used as it
		// is, which spares every step-up check a hash. "s:" keeps these IDs
		// apart from hashed bindings, whose text has no colon.
		dst = append(dst, "s:"...)
		dst = append(dst, id...)
		return append(dst, '/')
	}
	sum := bindingSum(binding)
	dst = base64.RawURLEncoding.AppendEncode(dst, sum[:])
	return append(dst, '/')
}

// isHashText reports whether s has the form of a hash's text: hashLen
// characters of the base64url alphabet.
func isHashText(s string) bool {
	if len(s) != hashLen {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !base64URL[s[i]] {
			return false
		}
	}
	return true
}

// base64URL marks the bytes of the base64url alphabet.
var base64URL = func() (t [256]bool) {
	for _, c := range []byte("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") {
		t[c] = true
	}
	return t
}()

// grantID is the record ID of the grant of binding and scope.
func grantID(binding, scope string) string {
	var id [len(grantIDPrefix) + len("s:") + hashLen + 1 + MaxPurposeBytes]byte
	return string(append(appendGrantPrefix(id[:0], binding), scope...))
}

// putGrant stores g, replacing a grant with the same account, binding and
// scope. It lives in the account's session set, so that ending every
// session ends it too.
func (m *Manager) putGrant(ctx context.Context, g grant) error {
	w := codec.NewWriter(grantV1, len(g.Method)+1)
	w.String(string(g.Method))
	return m.store.PutRecord(ctx, state.Record{
		Set: setSession, Owner: m.owner(g.AccountID), ID: grantID(g.Binding, g.Scope), Data: w.Done(),
		Order: g.GrantedAt.UnixMilli(), ExpiresAt: g.ExpiresAt,
	}, 0, g.GrantedAt)
}

// sessionStepUp returns the method and end of the live step-up grant of
// the session with ID id, without building the session's binding text nor
// the rest of the grant, which a session's check does not use.
func (m *Manager) sessionStepUp(ctx context.Context, accountID, id string, now time.Time) (Method, time.Time, bool, error) {
	owner, key, ok := m.stepUpGrantID(accountID, id)
	if !ok {
		return m.bindingStepUp(ctx, accountID, id, now)
	}
	r, found, err := m.store.GetRecord(ctx, setSession, owner, key, now)
	if err != nil || !found {
		return "", time.Time{}, false, err
	}
	method, err := grantMethod(&r)
	if err != nil {
		return "", time.Time{}, false, err
	}
	return method, r.ExpiresAt, true, nil
}

// bindingStepUp is sessionStepUp for a session ID that is not a hash's
// text, whose grant is under the hash of its binding. It is apart so that
// the step-up path's frame stays small.
//
//go:noinline
func (m *Manager) bindingStepUp(ctx context.Context, accountID, id string, now time.Time) (Method, time.Time, bool, error) {
	g, found, err := m.grant(ctx, accountID, SessionBinding(id), ScopeStepUp, now)
	return g.Method, g.ExpiresAt, found, err
}

// stepUpEntry is one remembered step-up grant ID, the session ID it is made
// of, and the owner tag of the session's account under the keys of a
// Manager.
type stepUpEntry struct {
	keys    *keyhash.Hasher
	account string
	owner   string
	session string
	grant   string
}

// stepUps remembers the step-up grant IDs ("g/s:" + session ID + "/" +
// ScopeStepUp) and owner tags of recently checked sessions, so that
// Authorize, which runs for every sensitive operation, neither checks the
// session ID's form nor allocates its grant ID nor looks the owner up again
// for a session seen a moment ago. It holds account IDs, owner tags and
// session IDs (hashes, safe to show) in a fixed number of slots: its size
// never grows.
var stepUps [1 << stepUpBits]atomic.Pointer[stepUpEntry]

// stepUpSlot returns the slot of stepUps for session ID id. A session ID is
// the base64url text of a SHA-256 (uniform bytes), so its first 8 bytes,
// mixed, spread IDs over the slots without hashing the whole ID; any other
// string gets a slot too (an entry is only ever used after comparing it).
func stepUpSlot(id string) *atomic.Pointer[stepUpEntry] {
	var v uint64
	if len(id) >= 8 {
		// One 8-byte load: the compiler combines the byte reads.
		v = uint64(id[0]) | uint64(id[1])<<8 | uint64(id[2])<<16 | uint64(id[3])<<24 |
			uint64(id[4])<<32 | uint64(id[5])<<40 | uint64(id[6])<<48 | uint64(id[7])<<56
	} else {
		for i := range len(id) {
			v = v<<8 | uint64(id[i])
		}
	}
	v *= 0x9e3779b97f4a7c15
	return &stepUps[v>>(64-stepUpBits)]
}

// stepUpBits is the number of bits of a session ID's mix that pick its slot
// of stepUps.
const stepUpBits = 10

// stepUpGrantID returns the owner of the account and the record ID of the
// step-up grant of its session with ID id, or false when id is not a
// hash's text (its grant is then under the hash of its binding).
func (m *Manager) stepUpGrantID(accountID, id string) (owner, grantID string, ok bool) {
	slot := stepUpSlot(id)
	if e := slot.Load(); e != nil && e.session == id && e.account == accountID && e.keys == m.keys {
		return e.owner, e.grant, true
	}
	if !isHashText(id) {
		return "", "", false
	}
	var b [len(grantIDPrefix) + len("s:") + hashLen + 1 + len(ScopeStepUp)]byte
	key := append(append(append(append(b[:0], grantIDPrefix...), "s:"...), id...), '/')
	key = append(key, ScopeStepUp...)
	e := &stepUpEntry{keys: m.keys, account: accountID, owner: m.owner(accountID), grant: string(key)}
	e.session = e.grant[len(grantIDPrefix)+len("s:") : len(grantIDPrefix)+len("s:")+hashLen]
	slot.Store(e)
	return e.owner, e.grant, true
}

// grant returns the live grant of the account, binding and scope.
func (m *Manager) grant(ctx context.Context, accountID, binding, scope string, now time.Time) (grant, bool, error) {
	return m.grantAt(ctx, m.owner(accountID), accountID, grantID(binding, scope), scope, now, func() string { return binding })
}

// grantAt reads the grant of the account (whose owner tag is owner) with
// record ID id; bindingOf, when not nil, gives its binding text for the
// returned grant.
func (m *Manager) grantAt(ctx context.Context, owner, accountID, id, scope string, now time.Time, bindingOf func() string) (grant, bool, error) {
	r, found, err := m.store.GetRecord(ctx, setSession, owner, id, now)
	if err != nil || !found {
		return grant{}, false, err
	}
	var binding string
	if bindingOf != nil {
		binding = bindingOf()
	}
	method, err := grantMethod(&r)
	if err != nil {
		return grant{}, false, err
	}
	return grant{
		AccountID: accountID, Binding: binding, Scope: scope, Method: method,
		GrantedAt: time.UnixMilli(r.Order).UTC(), ExpiresAt: r.ExpiresAt,
	}, true, nil
}

// grantMethod decodes the method of the grant record r.
func grantMethod(r *state.Record) (Method, error) {
	rd, v := codec.Read(r.Data)
	method := Method(rd.String())
	if err := rd.Err(); err != nil || v != grantV1 {
		return "", codec.ErrCorrupt
	}
	return method, nil
}

// ---- pending logins ----

// PendingLogin is a login whose password (or third-party login) was
// accepted and that waits for its second step, as protection keeps it. ID
// is the SHA-256 hash of the pending-login token.
type PendingLogin struct {
	// ID is base64url(SHA-256(token bytes)).
	ID string
	// AccountID is the account signing in.
	AccountID string
	// LoginMethod is "password" or the third-party method.
	LoginMethod string
	// ClientIP, City and DeviceName are those of the first step.
	ClientIP   string
	City       string
	DeviceName string
	// SecondFactor is true when login protection asked for the second step.
	SecondFactor bool
	// UnusualLocation is true when remote-login protection asked for it.
	UnusualLocation bool
	// DeviceID is the live trusted device the first step presented, if
	// any; the session it leads to records it.
	DeviceID string
	// Methods are the methods offered, the preferred first.
	Methods []Method
	// CreatedAt is when the first step succeeded.
	CreatedAt time.Time
	// ExpiresAt is when the pending login lapses.
	ExpiresAt time.Time
}

// putPending stores p; an ID that exists already is an error. The payload
// (version 2) is version 1's fields followed by the trusted device ID.
func (m *Manager) putPending(ctx context.Context, p PendingLogin) error {
	w := codec.NewWriter(pendingV2, 96+len(p.AccountID)+len(p.LoginMethod)+len(p.ClientIP)+len(p.City)+len(p.DeviceName)+len(p.DeviceID))
	w.String(p.AccountID)
	w.String(p.LoginMethod)
	w.String(p.ClientIP)
	w.String(p.City)
	w.String(p.DeviceName)
	w.Bool(p.SecondFactor)
	w.Bool(p.UnusualLocation)
	methods := make([]string, len(p.Methods))
	for i, method := range p.Methods {
		methods[i] = string(method)
	}
	w.Strings(methods)
	w.Time(p.CreatedAt)
	w.String(p.DeviceID)
	created, err := m.store.PutOnce(ctx, state.Once{ID: pendingIDPrefix + p.ID, Data: w.Done(), ExpiresAt: p.ExpiresAt}, p.CreatedAt)
	if err == nil && !created {
		err = errDuplicateID
	}
	return err
}

// pendingLogin returns the live pending login with id.
func (m *Manager) pendingLogin(ctx context.Context, id string, now time.Time) (PendingLogin, bool, error) {
	r, found, err := m.store.GetOnce(ctx, pendingIDPrefix+id, now)
	if err != nil || !found {
		return PendingLogin{}, false, err
	}
	rd, v := codec.Read(r.Data)
	p := PendingLogin{
		ID: id, AccountID: rd.String(), LoginMethod: rd.String(),
		ClientIP: rd.String(), City: rd.String(), DeviceName: rd.String(),
		SecondFactor: rd.Bool(), UnusualLocation: rd.Bool(),
	}
	for _, method := range rd.Strings() {
		p.Methods = append(p.Methods, Method(method))
	}
	p.CreatedAt, p.ExpiresAt = rd.Time(), r.ExpiresAt
	if v == pendingV2 {
		p.DeviceID = rd.String()
	}
	if err := rd.Err(); err != nil || (v != pendingV1 && v != pendingV2) {
		return PendingLogin{}, false, codec.ErrCorrupt
	}
	return p, true, nil
}

// consumePending takes the pending login with id: of concurrent calls, at
// most one finds it.
func (m *Manager) consumePending(ctx context.Context, id string, now time.Time) (bool, error) {
	_, found, err := m.store.TakeOnce(ctx, pendingIDPrefix+id, now)
	return found, err
}

// ---- challenges ----

// ChallengeRecord is a started identity verification, as protection keeps
// it.
type ChallengeRecord struct {
	// ID identifies the challenge: the hash of its random token.
	ID string
	// AccountID is the account to verify.
	AccountID string
	// Binding is what the result will be bound to.
	Binding string
	// Purpose is what the verification is for.
	Purpose string
	// Method is the method chosen.
	Method Method
	// Destination is the phone or email a code was sent to (SMS, Email).
	Destination string
	// Ticket is the host's ticket (WeChat scan, face).
	Ticket string
	// CreatedAt is when the challenge started.
	CreatedAt time.Time
	// ExpiresAt is when it can no longer be answered.
	ExpiresAt time.Time
}

// putChallenge stores c; an ID that exists already is an error.
func (m *Manager) putChallenge(ctx context.Context, c ChallengeRecord) error {
	w := codec.NewWriter(challengeV1, 32+len(c.AccountID)+len(c.Binding)+len(c.Purpose)+len(c.Method)+len(c.Destination)+len(c.Ticket))
	w.String(c.AccountID)
	w.String(c.Binding)
	w.String(c.Purpose)
	w.String(string(c.Method))
	w.String(c.Destination)
	w.String(c.Ticket)
	w.Time(c.CreatedAt)
	created, err := m.store.PutOnce(ctx, state.Once{ID: challengeIDPrefix + c.ID, Data: w.Done(), ExpiresAt: c.ExpiresAt}, c.CreatedAt)
	if err == nil && !created {
		err = errDuplicateID
	}
	return err
}

// challenge returns the live challenge with id.
func (m *Manager) challenge(ctx context.Context, id string, now time.Time) (ChallengeRecord, bool, error) {
	r, found, err := m.store.GetOnce(ctx, challengeIDPrefix+id, now)
	if err != nil || !found {
		return ChallengeRecord{}, false, err
	}
	rd, v := codec.Read(r.Data)
	c := ChallengeRecord{
		ID: id, AccountID: rd.String(), Binding: rd.String(), Purpose: rd.String(),
		Method: Method(rd.String()), Destination: rd.String(), Ticket: rd.String(),
		CreatedAt: rd.Time(), ExpiresAt: r.ExpiresAt,
	}
	if err := rd.Err(); err != nil || v != challengeV1 {
		return ChallengeRecord{}, false, codec.ErrCorrupt
	}
	return c, true, nil
}

// consumeChallenge takes the challenge with id: of concurrent calls, at
// most one finds it.
func (m *Manager) consumeChallenge(ctx context.Context, id string, now time.Time) (bool, error) {
	_, found, err := m.store.TakeOnce(ctx, challengeIDPrefix+id, now)
	return found, err
}

// ---- trusted devices ----

// putDevice stores d, replacing a device with the same account and ID.
func (m *Manager) putDevice(ctx context.Context, d TrustedDevice) error {
	w := codec.NewWriter(deviceV1, 16+len(d.Name)+len(d.ClientIP)+len(d.City))
	w.String(d.Name)
	w.String(d.ClientIP)
	w.String(d.City)
	return m.store.PutRecord(ctx, state.Record{
		Set: setDevice, Owner: m.owner(d.AccountID), ID: d.ID, Data: w.Done(),
		Order: d.CreatedAt.UnixMilli(), ExpiresAt: d.ExpiresAt,
	}, 0, d.CreatedAt)
}

// decodeDevice decodes a trusted device of the account.
func decodeDevice(accountID string, r state.Record) (TrustedDevice, error) {
	rd, v := codec.Read(r.Data)
	d := TrustedDevice{
		ID: r.ID, AccountID: accountID, Name: rd.String(), ClientIP: rd.String(), City: rd.String(),
		CreatedAt: time.UnixMilli(r.Order).UTC(), ExpiresAt: r.ExpiresAt,
	}
	if err := rd.Err(); err != nil || v != deviceV1 {
		return TrustedDevice{}, codec.ErrCorrupt
	}
	return d, nil
}

// device returns the account's live device with id.
func (m *Manager) device(ctx context.Context, accountID, id string, now time.Time) (TrustedDevice, bool, error) {
	r, found, err := m.store.GetRecord(ctx, setDevice, m.owner(accountID), id, now)
	if err != nil || !found {
		return TrustedDevice{}, false, err
	}
	d, err := decodeDevice(accountID, r)
	return d, err == nil, err
}

// devices returns the account's live devices, oldest first.
func (m *Manager) devices(ctx context.Context, accountID string, now time.Time) ([]TrustedDevice, error) {
	rs, err := m.store.ListRecords(ctx, setDevice, m.owner(accountID), now)
	if err != nil {
		return nil, err
	}
	out := make([]TrustedDevice, 0, len(rs))
	for _, r := range rs {
		d, err := decodeDevice(accountID, r)
		if err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, nil
}

// deleteDevice removes the account's device with id and reports whether it
// was live.
func (m *Manager) deleteDevice(ctx context.Context, accountID, id string) (bool, error) {
	if !validKeyPart("", id) {
		return false, nil
	}
	return m.store.DeleteRecord(ctx, setDevice, m.owner(accountID), id, m.now())
}

// ---- login cities ----

// cityID is the record ID of a city: the hash of its name.
func cityID(city string) string { return hashID([]byte(city)) }

// putCity notes a successful login from city at at: the city's LastAt
// becomes at, and only the account's keep cities with the latest LastAt
// stay; among cities with equal LastAt, the one with the greater record ID
// (the hash of the name, compared as bytes) stays.
func (m *Manager) putCity(ctx context.Context, accountID, city string, at time.Time, keep int) error {
	w := codec.NewWriter(cityV1, len(city)+2)
	w.String(city)
	return m.store.PutRecord(ctx, state.Record{
		Set: setCity, Owner: m.owner(accountID), ID: cityID(city), Data: w.Done(),
		Order: at.UnixMilli(), ExpiresAt: at.Add(cityRetention),
	}, keep, at)
}

// cities returns the account's login cities, latest LastAt first (on equal
// LastAt, the greater record ID first: the order in which putCity keeps
// them).
func (m *Manager) cities(ctx context.Context, accountID string) ([]LoginCity, error) {
	rs, err := m.store.ListRecords(ctx, setCity, m.owner(accountID), m.now())
	if err != nil {
		return nil, err
	}
	out := make([]LoginCity, 0, len(rs))
	for i := len(rs) - 1; i >= 0; i-- {
		rd, v := codec.Read(rs[i].Data)
		c := LoginCity{City: rd.String(), LastAt: time.UnixMilli(rs[i].Order).UTC()}
		if err := rd.Err(); err != nil || v != cityV1 {
			return nil, codec.ErrCorrupt
		}
		out = append(out, c)
	}
	return out, nil
}
