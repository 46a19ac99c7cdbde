package recovery

import (
	"context"
	"time"

	"github.com/accountsec/accountsec/internal/codec"
	"github.com/accountsec/accountsec/reason"
	"github.com/accountsec/accountsec/state"
)

// How a find session is laid out on the state primitives: one single-use
// record (state.Onces) with ID FindSessionPrefix + the keyed hash of its
// token. Each step takes it and, when the session goes on, puts the next
// state back under the same ID, so of concurrent steps exactly one goes on.
const (
	// FindSessionPrefix starts the IDs of find sessions.
	FindSessionPrefix = "find/"

	findV1 byte = 1
)

// The stages of a find session.
const (
	// stageStarted: an asset or account ID was looked up; the user picks
	// a verification.
	stageStarted int64 = 1
	// stageFace: a face check is running (Ticket, FaceAccount).
	stageFace int64 = 2
)

// findRecord is a find session as stored. It never holds an identifier in
// clear: Subject is a keyed hash.
type findRecord struct {
	Way   Way
	Stage int64
	// AccountID is the account the asset named, "" when none did.
	AccountID string
	// Subject is the keyed hash of the way's identifier.
	Subject string
	// Ticket is the host's face check ticket (stageFace).
	Ticket string
	// FaceAccount is the account whose real-name person the face check is
	// of: AccountID, or decoyAccountID when there is no such person.
	FaceAccount string
	// Matches are the accounts of the personal way's identity.
	Matches []string
	// ExpiresAt is when the session ends.
	ExpiresAt time.Time
}

func (f *Finder) sessionID(token string) string {
	return FindSessionPrefix + f.keys.Key("find-token", token)
}

func encodeFind(rec findRecord) []byte {
	w := codec.NewWriter(findV1, 64+len(rec.Subject)+len(rec.Ticket)+16*len(rec.Matches))
	w.String(string(rec.Way))
	w.Int(rec.Stage)
	w.String(rec.AccountID)
	w.String(rec.Subject)
	w.String(rec.Ticket)
	w.String(rec.FaceAccount)
	w.Strings(rec.Matches)
	return w.Done()
}

func decodeFind(o state.Once) (findRecord, error) {
	rd, v := codec.Read(o.Data)
	rec := findRecord{
		Way: Way(rd.String()), Stage: rd.Int(), AccountID: rd.String(), Subject: rd.String(),
		Ticket: rd.String(), FaceAccount: rd.String(), Matches: rd.Strings(), ExpiresAt: o.ExpiresAt,
	}
	if err := rd.Err(); err != nil || v != findV1 || rec.Subject == "" {
		return findRecord{}, codec.ErrCorrupt
	}
	return rec, nil
}

// put stores a new session for token.
func (f *Finder) put(ctx context.Context, token string, rec findRecord, now time.Time) error {
	created, err := f.store.PutOnce(ctx, state.Once{ID: f.sessionID(token), Data: encodeFind(rec), ExpiresAt: rec.ExpiresAt}, now)
	switch {
	case err != nil:
		return reason.Store(err)
	case !created:
		// 256 random bits met a live session: the randomness is broken.
		return reason.Store(errTokenCollision)
	}
	return nil
}

// session returns the live session of token without changing it.
func (f *Finder) session(ctx context.Context, token string) (findRecord, error) {
	if !ParseFindToken(token) {
		return findRecord{}, ErrFindTokenMalformed
	}
	o, found, err := f.store.GetOnce(ctx, f.sessionID(token), f.now())
	switch {
	case err != nil:
		return findRecord{}, reason.Store(err)
	case !found:
		return findRecord{}, f.rejected(ctx, ErrFindSessionInvalid)
	}
	rec, err := decodeFind(o)
	if err != nil {
		return findRecord{}, reason.Store(err)
	}
	return rec, nil
}

// take removes the session of token; found is false when another step
// took it first (or it expired meanwhile).
func (f *Finder) take(ctx context.Context, token string) (bool, error) {
	_, found, err := f.store.TakeOnce(ctx, f.sessionID(token), f.now())
	if err != nil {
		return false, reason.Store(err)
	}
	return found, nil
}

type collision struct{}

func (collision) Error() string { return "recovery: a new find token met a live session" }

var errTokenCollision error = collision{}
