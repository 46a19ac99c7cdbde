package recovery

import (
	"context"
	"strconv"

	"github.com/accountsec/accountsec/account"
	"github.com/accountsec/accountsec/event"
	"github.com/accountsec/accountsec/limits"
	"github.com/accountsec/accountsec/protection"
	"github.com/accountsec/accountsec/reason"
)

// StartPersonal is the personal-information way: name and identity number
// (ValidateName, ValidateIDNumberWith and FindConfig.Documents; input
// errors change nothing), then a face check of that person, started here
// and answered through FaceResult. The Gate is asked under
// FindChannelPrefix + WayPersonal for the identity number and clientIP.
// The accounts personally verified with the identity under that name are
// looked up now, by the keyed hash of the number (account.Service.Holders;
// the number is never stored in clear), reading at least Policy.Reads
// accounts, and kept in the session as account IDs; they are shown only
// after the face matched.
//
// The face check is of the person (IdentityFaceVerifier), not of an
// account, so it is started for every identity: the answer (FindStarted
// with Face set) is the same whether the identity verifies three accounts
// or none. Without an IdentityFaceVerifier the way is ErrFindUnavailable.
func (f *Finder) StartPersonal(ctx context.Context, name, idNumber, clientIP string) (FindStarted, error) {
	if f == nil {
		return FindStarted{}, reason.Unavailable("finding an account", "accountsec.Deps.SMS")
	}
	n, err := ValidateName(name)
	if err != nil {
		return FindStarted{}, err
	}
	num, err := ValidateIDNumberWith(idNumber, f.documents)
	if err != nil {
		return FindStarted{}, err
	}
	if err := checkClientIP(clientIP); err != nil {
		return FindStarted{}, err
	}
	if f.identities == nil {
		return FindStarted{}, ErrFindUnavailable.With("way", string(WayPersonal))
	}
	if err := f.gate.Allow(ctx, FindChannelPrefix+string(WayPersonal), num, clientIP); err != nil {
		return FindStarted{}, err
	}
	subject := f.subject(WayPersonal, num)
	if err := f.unlocked(ctx, subject); err != nil {
		return FindStarted{}, err
	}
	ids, err := f.accounts.Holders(ctx, account.ScopeRealName, account.KindPersonalID, num)
	if err != nil {
		return FindStarted{}, err
	}
	accs, err := f.readAll(ctx, ids)
	if err != nil {
		return FindStarted{}, err
	}
	var matches []string
	for _, a := range accs {
		if a.RealName.Status == account.RealNamePersonal && a.RealName.Name == n {
			matches = append(matches, a.ID)
		}
	}
	ch, err := f.identities.StartIdentityFace(ctx, account.PersonalIdentity{Name: n, IDNumber: num})
	if err != nil {
		return FindStarted{}, hostError(err)
	}
	token, err := f.newToken()
	if err != nil {
		return FindStarted{}, err
	}
	now := f.now()
	rec := findRecord{
		Way: WayPersonal, Stage: stageFace, Subject: subject, Ticket: ch.Ticket,
		Matches: matches, ExpiresAt: now.Add(f.policy.TTL),
	}
	if err := f.put(ctx, token, rec, now); err != nil {
		return FindStarted{}, err
	}
	f.emit(ctx, event.FindStarted, "", subject, WayPersonal, nil)
	f.emit(ctx, event.FindFaceStarted, "", subject, WayPersonal, nil)
	return FindStarted{
		Token: token, ExpiresAt: rec.ExpiresAt, Methods: []string{FindByFace},
		Face: &FaceCheck{URL: ch.URL, ExpiresAt: rec.ExpiresAt},
	}, nil
}

// StartFace starts the face check of a multi-step way's session: a face
// check of the real-name person of the account the asset names. When the
// asset names no account, or an account without a real-name person, the
// check is started all the same, for decoyAccountID ("000000000000", an ID
// the library never issues: a host FaceVerifier must answer it as it
// answers any account, with a check that can never match), and its result
// is never a match. So the answer, FaceCheck, is the same.
//
// It returns ErrFindTokenMalformed, ErrFindSessionInvalid, ErrFindWrongStep
// (not a session of Start, or a face check already started),
// ErrFindUnavailable without a FaceVerifier, *limits.LockedError while the
// identifier is locked, or the host's failure.
func (f *Finder) StartFace(ctx context.Context, token string) (FaceCheck, error) {
	if f == nil {
		return FaceCheck{}, reason.Unavailable("finding an account", "accountsec.Deps.SMS")
	}
	if !ParseFindToken(token) {
		return FaceCheck{}, ErrFindTokenMalformed
	}
	if f.faces == nil {
		return FaceCheck{}, ErrFindUnavailable.With("way", FindByFace)
	}
	rec, err := f.session(ctx, token)
	if err != nil {
		return FaceCheck{}, err
	}
	if rec.Stage != stageStarted || rec.Way == WayPersonal || rec.Way == WaySecurityPhone {
		return FaceCheck{}, f.rejected(ctx, ErrFindWrongStep)
	}
	if err := f.unlocked(ctx, rec.Subject); err != nil {
		return FaceCheck{}, err
	}
	a, known, err := f.read(ctx, rec.AccountID)
	if err != nil {
		return FaceCheck{}, err
	}
	faceAccount := decoyAccountID
	if known && (a.RealName.Status == account.RealNamePersonal || a.RealName.Status == account.RealNameEnterprise) {
		faceAccount = a.ID
	}
	ch, err := f.faces.StartFace(ctx, faceAccount)
	if err != nil {
		return FaceCheck{}, hostError(err)
	}
	found, err := f.take(ctx, token)
	switch {
	case err != nil:
		return FaceCheck{}, err
	case !found:
		return FaceCheck{}, f.rejected(ctx, ErrFindSessionInvalid)
	}
	rec.Stage, rec.Ticket, rec.FaceAccount = stageFace, ch.Ticket, faceAccount
	if err := f.put(ctx, token, rec, f.now()); err != nil {
		return FaceCheck{}, err
	}
	f.emit(ctx, event.FindFaceStarted, rec.AccountID, rec.Subject, rec.Way, nil)
	return FaceCheck{URL: ch.URL, ExpiresAt: rec.ExpiresAt}, nil
}

// FaceResult asks how the session's face check went. While the user has
// not finished, it answers FacePending and changes nothing (ask again).
// Once the host decided, the session is used up: a face that did not match
// (or a check of a decoy, whatever the host says) is FaceRejected and
// counts one failure under FindVerifyScope for the identifier (the failure
// that locks answers *limits.LockedError); a face that matched is
// FaceMatched with the accounts: for an asset way the account ID and
// registration method, for the personal way every account verified with
// the identity, with masked real-name data (which may be none).
//
// While the identifier is locked it answers *limits.LockedError before the
// host is asked. Other errors: ErrFindTokenMalformed,
// ErrFindSessionInvalid, ErrFindWrongStep (no face check started), the
// host's failure, a reason.StoreUnavailable error.
func (f *Finder) FaceResult(ctx context.Context, token string) (FindResult, error) {
	if f == nil {
		return FindResult{}, reason.Unavailable("finding an account", "accountsec.Deps.SMS")
	}
	rec, err := f.session(ctx, token)
	if err != nil {
		return FindResult{}, err
	}
	if rec.Stage != stageFace {
		return FindResult{}, f.rejected(ctx, ErrFindWrongStep)
	}
	attempt, err := f.limiter.Begin(ctx, FindVerifyScope, rec.Subject)
	if err != nil {
		return FindResult{}, err
	}
	res, err := f.hostResult(ctx, rec)
	if err != nil {
		_ = attempt.Succeed(ctx)
		return FindResult{}, hostError(err)
	}
	if res == protection.HostPending {
		return FindResult{Status: FacePending}, attempt.Succeed(ctx)
	}
	found, err := f.take(ctx, token)
	switch {
	case err != nil:
		_ = attempt.Succeed(ctx)
		return FindResult{}, err
	case !found:
		_ = attempt.Succeed(ctx)
		return FindResult{}, f.rejected(ctx, ErrFindSessionInvalid)
	}
	if res != protection.HostConfirmed || (rec.Way != WayPersonal && (rec.AccountID == "" || rec.FaceAccount != rec.AccountID)) {
		f.emit(ctx, event.FindFaceRejected, rec.AccountID, rec.Subject, rec.Way, nil)
		if err := attempt.Fail(ctx); err != nil {
			return FindResult{}, err
		}
		return FindResult{Status: FaceRejected}, nil
	}
	if err := attempt.Succeed(ctx); err != nil {
		return FindResult{}, err
	}
	out, err := f.result(ctx, rec)
	if err != nil {
		return FindResult{}, err
	}
	accountID := ""
	if rec.Way != WayPersonal {
		accountID = rec.AccountID
	}
	f.emit(ctx, event.FindFacePassed, accountID, rec.Subject, rec.Way, map[string]string{"accounts": strconv.Itoa(len(out.Accounts))})
	return out, nil
}

// hostResult asks the host about the session's face check.
func (f *Finder) hostResult(ctx context.Context, rec findRecord) (protection.HostResult, error) {
	if rec.Way == WayPersonal {
		if f.identities == nil {
			return protection.HostPending, ErrFindUnavailable.With("way", string(WayPersonal))
		}
		return f.identities.IdentityFaceResult(ctx, rec.Ticket)
	}
	if f.faces == nil {
		return protection.HostPending, ErrFindUnavailable.With("way", FindByFace)
	}
	return f.faces.FaceResult(ctx, rec.FaceAccount, rec.Ticket)
}

// result reads the accounts a passed face check shows.
func (f *Finder) result(ctx context.Context, rec findRecord) (FindResult, error) {
	ids := rec.Matches
	if rec.Way != WayPersonal {
		ids = []string{rec.AccountID}
	}
	out := FindResult{Status: FaceMatched, Accounts: []FoundAccount{}}
	for _, id := range ids {
		a, err := f.accounts.Account(ctx, id)
		switch {
		case reason.CodeOf(err) == reason.StoreUnavailable:
			return FindResult{}, err
		case err != nil:
			continue // deleted meanwhile
		}
		fa := FoundAccount{AccountID: a.ID, RegistrationMethod: a.RegistrationMethod}
		if rec.Way == WayPersonal {
			if a.RealName.Status != account.RealNamePersonal {
				continue // changed meanwhile
			}
			fa.RealName = &MaskedRealName{Name: a.RealName.MaskedName(), IDNumber: a.RealName.MaskedNumber}
		}
		out.Accounts = append(out.Accounts, fa)
	}
	return out, nil
}

// unlocked returns *limits.LockedError while subject is locked under
// FindVerifyScope.
func (f *Finder) unlocked(ctx context.Context, subject string) error {
	st, err := f.limiter.Status(ctx, FindVerifyScope, subject)
	if err != nil {
		return err
	}
	if !st.LockedUntil.IsZero() {
		return &limits.LockedError{Until: st.LockedUntil}
	}
	return nil
}

// hostError returns a host verifier's failure: unchanged when reason-coded,
// as a reason.StoreUnavailable error otherwise (fail closed).
func hostError(err error) error {
	if reason.CodeOf(err) != "" {
		return err
	}
	return reason.Store(err)
}
