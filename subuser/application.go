package subuser

import (
	"context"
	"encoding/base64"
	"errors"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/accountsec/accountsec/event"
	"github.com/accountsec/accountsec/reason"
	"github.com/accountsec/accountsec/state"
)

// State is the state of an application.
type State string

// The states. An application starts pending; an approval moves it to
// granting while the host creates the sub-user, then to approved (or back
// to pending when the host fails); a rejection moves it to rejected.
const (
	// StatePending: waiting for review.
	StatePending State = "pending"
	// StateGranting: approved, the host is creating the sub-user; an
	// approval retried from here calls the Granter again.
	StateGranting State = "granting"
	// StateApproved: the member is a sub-user.
	StateApproved State = "approved"
	// StateRejected: the application was rejected; the member may apply
	// again with a new link.
	StateRejected State = "rejected"
)

// Application is a member's application to become a sub-user.
type Application struct {
	// ID identifies the application (one per account, enterprise and
	// member; a new application after a rejection reuses it).
	ID string
	// AccountID is the account applied to.
	AccountID string
	// CorpID is the member's enterprise.
	CorpID string
	// MemberID is the member's WeCom user ID.
	MemberID string
	// MemberName is the member's name.
	MemberName string
	// MemberAdmin is true when the member was a WeCom administrator when
	// applying.
	MemberAdmin bool
	// Kind is the kind of link the member applied through.
	Kind LinkKind
	// State is the application's state.
	State State
	// AppliedAt is when the member applied.
	AppliedAt time.Time
	// DecidedAt is when it was approved or rejected.
	DecidedAt time.Time
	// DecidedBy is the principal who decided.
	DecidedBy string
	// Grant is what the approval granted.
	Grant Grant
	// SubUserID is the sub-user the host created, once approved.
	SubUserID string
	// Note is the administrator's note on the decision.
	Note string
}

// AdminEligible reports whether approving a may make the member a CAM
// administrator: an administrator application of a WeCom administrator.
func (a Application) AdminEligible() bool { return a.Kind == LinkAdministrator && a.MemberAdmin }

// Apply makes the application of member memberID through the link token
// (the host's WeCom login of the member gives memberID). It refuses, without
// spending the link, a malformed token (ErrLinkMalformed), an expired, used
// or unknown link (ErrLinkInvalid; a link is valid strictly before its
// expiry), a member the enterprise does not have (ErrMemberUnknown), a
// member outside the visibility scope (ErrOutsideScope), an administrator
// link opened by a member who is not a WeCom administrator
// (ErrNotWeComAdmin), and a member who has a pending application
// (ErrAlreadyPending) or is a sub-user already (ErrAlreadyApproved). Then
// the link is taken, once: of concurrent uses exactly one makes an
// application, the others get ErrLinkInvalid.
func (m *Manager) Apply(ctx context.Context, token, memberID string) (Application, error) {
	if m == nil {
		return Application{}, reason.Unavailable("WeCom sub-users", "accountsec.Deps.SubUserHost")
	}
	if !ParseToken(token) {
		m.refused(ctx, "", "", "", reason.SubUserLinkMalformed)
		return Application{}, ErrLinkMalformed
	}
	if err := checkKey("member_id", memberID); err != nil {
		return Application{}, err
	}
	now := m.clock()
	id := m.linkID(token)
	o, found, err := m.store.GetOnce(ctx, id, now)
	if err != nil {
		return Application{}, reason.Store(err)
	}
	if !found {
		m.refused(ctx, "", "", "", reason.SubUserLinkInvalid)
		return Application{}, ErrLinkInvalid
	}
	link, err := decodeLink(o.Data)
	if err != nil {
		return Application{}, err
	}
	mem, err := m.eligible(ctx, link.accountID, link.corpID, memberID, true)
	if err != nil {
		return Application{}, err
	}
	if link.kind == LinkAdministrator && !mem.Admin {
		m.refused(ctx, link.accountID, link.corpID, memberID, reason.SubUserNotWeComAdmin)
		return Application{}, ErrNotWeComAdmin
	}
	appID := m.applicationID(link.accountID, link.corpID, memberID)
	_, ver, err := m.application(ctx, link.accountID, appID, true)
	if err != nil {
		return Application{}, err
	}
	if _, found, err := m.store.TakeOnce(ctx, id, now); err != nil {
		return Application{}, reason.Store(err)
	} else if !found {
		m.refused(ctx, link.accountID, link.corpID, memberID, reason.SubUserLinkInvalid)
		return Application{}, ErrLinkInvalid
	}
	app := Application{
		ID: appID, AccountID: link.accountID, CorpID: link.corpID, MemberID: memberID,
		MemberName: mem.Name, MemberAdmin: mem.Admin, Kind: link.kind, State: StatePending, AppliedAt: now,
	}
	// The review list first: it is read through the documents, so an
	// entry whose application was not written shows nothing.
	if err := m.store.PutRecord(ctx, state.Record{
		Set: setPending, Owner: m.owner(link.accountID), ID: appID, Data: []byte{formatV1},
		Order: now.UnixMilli(), ExpiresAt: now.Add(m.policy.ReviewTTL),
	}, 0, now); err != nil {
		return Application{}, reason.Store(err)
	}
	ok, err := m.store.PutDocument(ctx, state.Document{ID: m.applicationDoc(appID), Version: ver + 1, Data: encodeApplication(app)})
	if err != nil {
		return Application{}, reason.Store(err)
	}
	if !ok {
		// Another link of the same member won meanwhile.
		if _, _, err := m.application(ctx, link.accountID, appID, true); err != nil {
			return Application{}, err
		}
		return Application{}, ErrAlreadyPending
	}
	m.emit(ctx, event.SubUserApplied, link.accountID, time.Time{}, map[string]string{
		"corp": link.corpID, "member": memberID, "kind": string(link.kind), "application": appID,
	})
	return app, nil
}

// eligible returns the member when the enterprise linked to the account is
// still corpID and its scope covers the member. applying reports a refusal
// as SubUserApplyRefused.
func (m *Manager) eligible(ctx context.Context, accountID, corpID, memberID string, applying bool) (Member, error) {
	refused := func(code reason.Code) {
		if applying {
			m.refused(ctx, accountID, corpID, memberID, code)
		}
	}
	e, ver, err := m.enterprise(ctx, accountID)
	if err != nil {
		return Member{}, err
	}
	if ver == 0 || e.CorpID != corpID {
		refused(reason.SubUserLinkInvalid)
		if !applying {
			return Member{}, ErrNotLinked
		}
		return Member{}, ErrLinkInvalid
	}
	mem, err := m.member(ctx, corpID, memberID)
	if err != nil {
		if errors.Is(err, ErrMemberUnknown) {
			refused(reason.SubUserMemberUnknown)
		}
		return Member{}, err
	}
	if !e.Scope.Contains(mem) {
		refused(reason.SubUserOutsideScope)
		return Member{}, ErrOutsideScope
	}
	return mem, nil
}

// refused emits SubUserApplyRefused.
func (m *Manager) refused(ctx context.Context, accountID, corpID, memberID string, code reason.Code) {
	attrs := map[string]string{"reason": string(code)}
	if corpID != "" {
		attrs["corp"], attrs["member"] = corpID, memberID
	}
	m.emit(ctx, event.SubUserApplyRefused, accountID, time.Time{}, attrs)
}

// applicationID is the ID of the application of member in corp to the
// account: a keyed hash, without the scope prefix.
func (m *Manager) applicationID(accountID, corpID, memberID string) string {
	return strings.TrimPrefix(m.keys.Key(scopeApplication, accountID, corpID, memberID), scopeApplication+":")
}

// applicationDoc is the document ID of an application.
func (m *Manager) applicationDoc(appID string) string { return scopeApplication + ":" + appID }

// owner is the owner of the account's review list.
func (m *Manager) owner(accountID string) string { return m.keys.Key(scopeOwner, accountID) }

// application reads an application of the account; version 0 when absent.
// forApply refuses a pending or approved one (ErrAlreadyPending,
// ErrAlreadyApproved), as a new application would.
func (m *Manager) application(ctx context.Context, accountID, appID string, forApply bool) (Application, int64, error) {
	d, found, err := m.store.GetDocument(ctx, m.applicationDoc(appID))
	if err != nil {
		return Application{}, 0, reason.Store(err)
	}
	if !found {
		return Application{}, 0, nil
	}
	a, err := decodeApplication(d.Data)
	if err != nil {
		return Application{}, 0, err
	}
	if a.AccountID != accountID || a.ID != appID {
		return Application{}, 0, nil
	}
	if forApply {
		switch {
		case a.State == StateApproved:
			return Application{}, 0, ErrAlreadyApproved
		case a.State == StateGranting, a.State == StatePending && m.clock().Before(a.AppliedAt.Add(m.policy.ReviewTTL)):
			return Application{}, 0, ErrAlreadyPending
		}
	}
	return a, d.Version, nil
}

// Application returns one application of the account, for a principal who
// administers it.
func (m *Manager) Application(ctx context.Context, accountID, principal, appID string) (Application, error) {
	if m == nil {
		return Application{}, reason.Unavailable("WeCom sub-users", "accountsec.Deps.SubUserHost")
	}
	if err := m.checkReview(ctx, accountID, principal, appID); err != nil {
		return Application{}, err
	}
	a, ver, err := m.application(ctx, accountID, appID, false)
	if err != nil {
		return Application{}, err
	}
	if ver == 0 {
		return Application{}, ErrApplicationNotFound
	}
	return a, nil
}

// Pending returns the account's applications waiting for review, oldest
// first, for a principal who administers it.
func (m *Manager) Pending(ctx context.Context, accountID, principal string) ([]Application, error) {
	if m == nil {
		return nil, reason.Unavailable("WeCom sub-users", "accountsec.Deps.SubUserHost")
	}
	if err := checkKey("account_id", accountID); err != nil {
		return nil, err
	}
	if err := checkKey("principal", principal); err != nil {
		return nil, err
	}
	if err := m.checkAdmin(ctx, accountID, principal); err != nil {
		return nil, err
	}
	now := m.clock()
	recs, err := m.store.ListRecords(ctx, setPending, m.owner(accountID), now)
	if err != nil {
		return nil, reason.Store(err)
	}
	var out []Application
	for _, r := range recs {
		a, ver, err := m.application(ctx, accountID, r.ID, false)
		if err != nil {
			return nil, err
		}
		if ver > 0 && (a.State == StatePending || a.State == StateGranting) && now.Before(a.AppliedAt.Add(m.policy.ReviewTTL)) {
			out = append(out, a)
		}
	}
	return out, nil
}

// checkReview validates the arguments of a review and the principal.
func (m *Manager) checkReview(ctx context.Context, accountID, principal, appID string) error {
	if err := checkKey("account_id", accountID); err != nil {
		return err
	}
	if err := checkKey("principal", principal); err != nil {
		return err
	}
	if !parseApplicationID(appID) {
		return reason.New(reason.InputMalformed).With("field", "application_id")
	}
	return m.checkAdmin(ctx, accountID, principal)
}

// parseApplicationID reports whether s has the form of an application ID:
// the unpadded base64url of a SHA-256 sum.
func parseApplicationID(s string) bool {
	if len(s) != 43 {
		return false
	}
	var b [32]byte
	n, err := base64.RawURLEncoding.Strict().Decode(b[:], []byte(s))
	return err == nil && n == 32
}

func checkGrant(g Grant) (Grant, error) {
	out := Grant{CAMAdmin: g.CAMAdmin}
	for _, part := range []struct {
		field string
		in    []string
		out   *[]string
	}{{"policies", g.Policies, &out.Policies}, {"groups", g.Groups, &out.Groups}} {
		if len(part.in) > MaxGrantItems {
			return Grant{}, reason.New(reason.InputTooLong).With("field", part.field).With("max", MaxGrantItems)
		}
		for _, s := range part.in {
			if err := checkKey(part.field, s); err != nil {
				return Grant{}, err
			}
			if slices.Contains(*part.out, s) {
				return Grant{}, reason.New(reason.InputMalformed).With("field", part.field)
			}
			*part.out = append(*part.out, s)
		}
	}
	return out, nil
}

// decide reads the application, lets change decide it, and writes it by
// compare-and-set, retrying with a fresh read on a conflict. change returns
// errNoWrite to return the application as it is.
func (m *Manager) decide(ctx context.Context, accountID, appID string, change func(a *Application) error) (Application, error) {
	for range maxWriteAttempts {
		a, ver, err := m.application(ctx, accountID, appID, false)
		if err != nil {
			return Application{}, err
		}
		if ver == 0 {
			return Application{}, ErrApplicationNotFound
		}
		if err := change(&a); errors.Is(err, errNoWrite) {
			return a, nil
		} else if err != nil {
			return Application{}, err
		}
		ok, err := m.store.PutDocument(ctx, state.Document{ID: m.applicationDoc(appID), Version: ver + 1, Data: encodeApplication(a)})
		if err != nil {
			return Application{}, reason.Store(err)
		}
		if ok {
			return a, nil
		}
	}
	return Application{}, unexpected("%d conflicting writes in a row on one application", maxWriteAttempts)
}

var errNoWrite = errors.New("subuser: no write")

// reviewable refuses deciding a, unless it waits for review (or, for an
// approval, is being granted) and its review time has not passed.
func (m *Manager) reviewable(a Application, approving bool) error {
	switch {
	case a.State == StateGranting && approving:
		return nil
	case a.State != StatePending:
		return ErrAlreadyDecided.With("state", string(a.State))
	case !m.clock().Before(a.AppliedAt.Add(m.policy.ReviewTTL)):
		return ErrApplicationExpired
	}
	return nil
}

// Approve approves the application appID of the account, for a principal
// who administers it: the host's Granter creates the sub-user with g, then
// the applicant is notified. g.CAMAdmin needs an administrator application
// of a WeCom administrator (ErrNotAdminEligible). The member must still be
// in the visibility scope (ErrOutsideScope): the scope may have changed
// since the application. An application decided already is refused
// (ErrAlreadyDecided), as is one not reviewed within Policy.ReviewTTL
// (ErrApplicationExpired).
//
// The application moves to granting in one compare-and-set write before
// the Granter is called, so an approval and a rejection (or two approvals)
// racing on it cannot both win; if the Granter fails, it moves back to
// pending and Approve returns ErrGrantFailed. Once approved, a failure to
// notify does not undo the approval: Approve returns the application with
// ErrNotifyFailed.
func (m *Manager) Approve(ctx context.Context, accountID, principal, appID string, g Grant) (Application, error) {
	if m == nil {
		return Application{}, reason.Unavailable("WeCom sub-users", "accountsec.Deps.SubUserHost")
	}
	if err := m.checkReview(ctx, accountID, principal, appID); err != nil {
		return Application{}, err
	}
	g, err := checkGrant(g)
	if err != nil {
		return Application{}, err
	}
	cur, ver, err := m.application(ctx, accountID, appID, false)
	if err != nil {
		return Application{}, err
	}
	if ver == 0 {
		return Application{}, ErrApplicationNotFound
	}
	if err := m.reviewable(cur, true); err != nil {
		return Application{}, err
	}
	if g.CAMAdmin && !cur.AdminEligible() {
		return Application{}, ErrNotAdminEligible
	}
	mem, err := m.eligible(ctx, accountID, cur.CorpID, cur.MemberID, false)
	if err != nil {
		return Application{}, err
	}
	now := m.clock()
	granting, err := m.decide(ctx, accountID, appID, func(a *Application) error {
		if err := m.reviewable(*a, true); err != nil {
			return err
		}
		a.State, a.Grant, a.DecidedBy, a.DecidedAt, a.MemberName = StateGranting, g, principal, now, mem.Name
		return nil
	})
	if err != nil {
		return Application{}, err
	}
	subUserID, gerr := m.granter.CreateSubUser(ctx, GrantRequest{
		AccountID: accountID, ApplicationID: appID, CorpID: granting.CorpID,
		MemberID: granting.MemberID, MemberName: granting.MemberName, Grant: g,
	})
	if gerr == nil && checkKey("sub_user_id", subUserID) != nil {
		gerr = errors.New("subuser: the Granter returned no valid sub-user ID")
	}
	if gerr != nil {
		_, err := m.decide(ctx, accountID, appID, func(a *Application) error {
			if a.State != StateGranting {
				return errNoWrite
			}
			a.State, a.Grant, a.DecidedBy, a.DecidedAt = StatePending, Grant{}, "", time.Time{}
			return nil
		})
		if err != nil {
			return Application{}, err
		}
		return Application{}, ErrGrantFailed.Wrap(gerr)
	}
	out, err := m.decide(ctx, accountID, appID, func(a *Application) error {
		if a.State == StateApproved {
			return errNoWrite // a concurrent retry finished it
		}
		if a.State != StateGranting {
			return ErrAlreadyDecided.With("state", string(a.State))
		}
		a.State, a.SubUserID = StateApproved, subUserID
		return nil
	})
	if err != nil {
		return Application{}, err
	}
	m.unlist(ctx, accountID, appID)
	m.emit(ctx, event.SubUserApproved, accountID, time.Time{}, map[string]string{
		"corp": out.CorpID, "member": out.MemberID, "application": appID, "by": principal,
		"sub_user": out.SubUserID, "cam_admin": strconv.FormatBool(out.Grant.CAMAdmin),
		"policies": strconv.Itoa(len(out.Grant.Policies)), "groups": strconv.Itoa(len(out.Grant.Groups)),
	})
	return out, m.notify(ctx, out, Approved)
}

// Reject rejects the application appID of the account, for a principal who
// administers it, with an optional note (at most MaxNoteLen characters),
// and notifies the applicant. The refusals are those of Approve; a failure
// to notify does not undo the rejection (ErrNotifyFailed).
func (m *Manager) Reject(ctx context.Context, accountID, principal, appID, note string) (Application, error) {
	if m == nil {
		return Application{}, reason.Unavailable("WeCom sub-users", "accountsec.Deps.SubUserHost")
	}
	if err := m.checkReview(ctx, accountID, principal, appID); err != nil {
		return Application{}, err
	}
	if err := checkName("note", note, MaxNoteLen, false); err != nil {
		return Application{}, err
	}
	now := m.clock()
	out, err := m.decide(ctx, accountID, appID, func(a *Application) error {
		if err := m.reviewable(*a, false); err != nil {
			return err
		}
		a.State, a.DecidedBy, a.DecidedAt, a.Note = StateRejected, principal, now, note
		return nil
	})
	if err != nil {
		return Application{}, err
	}
	m.unlist(ctx, accountID, appID)
	m.emit(ctx, event.SubUserRejected, accountID, time.Time{}, map[string]string{
		"corp": out.CorpID, "member": out.MemberID, "application": appID, "by": principal,
	})
	return out, m.notify(ctx, out, Rejected)
}

// unlist removes a decided application from the review list. A failure
// leaves an entry that Pending skips, as it reads the application.
func (m *Manager) unlist(ctx context.Context, accountID, appID string) {
	_, _ = m.store.DeleteRecord(ctx, setPending, m.owner(accountID), appID, m.clock())
}

// notify tells the applicant the decision.
func (m *Manager) notify(ctx context.Context, a Application, d Decision) error {
	err := m.notifier.Notify(ctx, Notice{
		AccountID: a.AccountID, CorpID: a.CorpID, MemberID: a.MemberID, ApplicationID: a.ID,
		Decision: d, SubUserID: a.SubUserID, Note: a.Note, At: a.DecidedAt,
	})
	if err == nil {
		return nil
	}
	m.emit(ctx, event.SubUserNotifyFailed, a.AccountID, time.Time{}, map[string]string{
		"corp": a.CorpID, "member": a.MemberID, "application": a.ID, "decision": string(d),
	})
	return ErrNotifyFailed.Wrap(err)
}
