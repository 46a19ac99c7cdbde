package subuser

import (
	"context"
	"encoding/base64"
	"io"
	"slices"
	"time"

	"github.com/accountsec/accountsec/event"
	"github.com/accountsec/accountsec/reason"
	"github.com/accountsec/accountsec/state"
)

// LinkKind is the kind of an application link.
type LinkKind string

// The link kinds.
const (
	// LinkSubUser: the member applies to become a plain sub-user.
	LinkSubUser LinkKind = "sub_user"
	// LinkAdministrator: the member, a WeCom administrator, applies to
	// become a sub-user who may be made a CAM administrator.
	LinkAdministrator LinkKind = "administrator"
)

// LinkKinds returns the link kinds.
func LinkKinds() []LinkKind { return []LinkKind{LinkSubUser, LinkAdministrator} }

// Valid reports whether k is one of the link kinds.
func (k LinkKind) Valid() bool { return slices.Contains(LinkKinds(), k) }

// TokenBytes is the number of random bytes of a link token: 256 bits.
const TokenBytes = 32

// TokenLength is the length of a link token's text: the unpadded base64url
// of TokenBytes bytes.
const TokenLength = 43

// ParseToken reports whether s has the form of a link token: the canonical
// unpadded base64url of TokenBytes bytes, nothing around it.
func ParseToken(s string) bool {
	if len(s) != TokenLength {
		return false
	}
	var b [TokenBytes]byte
	n, err := base64.RawURLEncoding.Strict().Decode(b[:], []byte(s))
	return err == nil && n == TokenBytes
}

// Link is an issued application link. Its Token goes into the URL the
// administrator shares; the store keeps only its keyed hash.
type Link struct {
	// Token is the link's secret, 256 random bits as base64url.
	Token string
	// Kind is the link kind.
	Kind LinkKind
	// AccountID is the account applied to.
	AccountID string
	// CorpID is the enterprise whose members may use it.
	CorpID string
	// ExpiresAt is when the link stops being valid.
	ExpiresAt time.Time
}

// CreateLink issues an application link of kind for the account's
// enterprise, valid Policy.LinkTTL (4 hours by default) and good for one
// application. The principal must administer the account, and an
// enterprise must be linked (ErrNotLinked).
func (m *Manager) CreateLink(ctx context.Context, accountID, principal string, kind LinkKind) (Link, error) {
	if m == nil {
		return Link{}, reason.Unavailable("WeCom sub-users", "accountsec.Deps.SubUserHost")
	}
	if err := checkKey("account_id", accountID); err != nil {
		return Link{}, err
	}
	if err := checkKey("principal", principal); err != nil {
		return Link{}, err
	}
	if !kind.Valid() {
		return Link{}, ErrUnknownLinkKind.With("allowed", "sub_user, administrator")
	}
	if err := m.checkAdmin(ctx, accountID, principal); err != nil {
		return Link{}, err
	}
	e, err := m.linked(ctx, accountID)
	if err != nil {
		return Link{}, err
	}
	token, err := m.newToken()
	if err != nil {
		return Link{}, err
	}
	now := m.clock()
	exp := now.Add(m.policy.LinkTTL)
	rec := linkRecord{accountID: accountID, corpID: e.CorpID, kind: kind, by: principal}
	created, err := m.store.PutOnce(ctx, state.Once{ID: m.linkID(token), Data: encodeLink(rec), ExpiresAt: exp}, now)
	switch {
	case err != nil:
		return Link{}, reason.Store(err)
	case !created:
		return Link{}, unexpected("a fresh link token is in use")
	}
	m.emit(ctx, event.SubUserLinkCreated, accountID, exp, map[string]string{"corp": e.CorpID, "by": principal, "kind": string(kind)})
	return Link{Token: token, Kind: kind, AccountID: accountID, CorpID: e.CorpID, ExpiresAt: exp}, nil
}

// newToken draws a link token.
func (m *Manager) newToken() (string, error) {
	var b [TokenBytes]byte
	m.randMu.Lock()
	_, err := io.ReadFull(m.rand, b[:])
	m.randMu.Unlock()
	if err != nil {
		return "", reason.Store(err)
	}
	return base64.RawURLEncoding.EncodeToString(b[:]), nil
}

// linkID is the store key of a link token: its keyed hash.
func (m *Manager) linkID(token string) string { return m.keys.Key(scopeLink, token) }
