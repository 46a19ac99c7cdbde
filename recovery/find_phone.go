package recovery

import (
	"context"
	"crypto/subtle"
	"strconv"
	"strings"

	"github.com/accountsec/accountsec/account"
	"github.com/accountsec/accountsec/event"
	"github.com/accountsec/accountsec/notify"
	"github.com/accountsec/accountsec/reason"
)

// Params of the SMS that carries account information (notify.Message with
// Purpose notify.PurposeRecoverAccount; the host's template renders them).
const (
	// ParamAccounts lists the accounts: "ID:method" pairs (the
	// registration method) separated by ",".
	ParamAccounts = "accounts"
	// ParamCount is how many accounts are listed.
	ParamCount = "count"
	// ParamAppeal points to the appeal for a user who still cannot log in:
	// FindPolicy.AppealURL, or AppealHint.
	ParamAppeal = "appeal"
	// ParamWay is the way that found the accounts.
	ParamWay = "way"
)

// AppealHint is the ParamAppeal of the SMS when FindPolicy.AppealURL is
// empty: the template should point to "apply to log in".
const AppealHint = "apply_to_log_in"

// FindByPhone is the security-phone way: every account whose security phone
// is phone is listed, account ID and registration method, in one SMS to
// that phone, with a pointer to the appeal (ParamAppeal). phone is checked
// as account.Normalize does (input errors change nothing), then the Gate is
// asked under FindChannelPrefix + WaySecurityPhone for the phone and
// clientIP: one request per phone per interval, a daily cap per phone and
// an hourly cap per IP, for known and unknown phones alike.
//
// The answer is FindSent with the phone masked, the same whether the phone
// is the security phone of several accounts, of one or of none (then no SMS
// goes out); the look-up reads the holders once and at least Policy.Reads
// accounts either way. A failure of the sender is not reported (the caller
// could tell a known phone by it): a FindSendFailed event is emitted.
func (f *Finder) FindByPhone(ctx context.Context, phone, clientIP string) (FindSent, error) {
	if f == nil {
		return FindSent{}, reason.Unavailable("finding an account", "accountsec.Deps.SMS")
	}
	p, err := account.Normalize(account.KindPhone, phone)
	if err != nil {
		return FindSent{}, err
	}
	if err := checkClientIP(clientIP); err != nil {
		return FindSent{}, err
	}
	if err := f.gate.Allow(ctx, FindChannelPrefix+string(WaySecurityPhone), p, clientIP); err != nil {
		return FindSent{}, err
	}
	ids, err := f.accounts.Holders(ctx, account.ScopeSecurityPhone, account.KindPhone, p)
	if err != nil {
		return FindSent{}, err
	}
	accs, err := f.readAll(ctx, ids)
	if err != nil {
		return FindSent{}, err
	}
	// Re-check each record: the index may lag a change of security phone.
	listed := accs[:0]
	for _, a := range accs {
		if a.SecurityPhone == p {
			listed = append(listed, a)
		}
	}
	subject := f.subject(WaySecurityPhone, p)
	f.emit(ctx, event.FindPhoneLookedUp, "", subject, WaySecurityPhone, map[string]string{"accounts": strconv.Itoa(len(listed))})
	// The message is built whether or not it is sent, so that both paths
	// do the same work before the answer.
	m := f.infoMessage(WaySecurityPhone, p, listed)
	if len(listed) > 0 {
		f.sendInfo(ctx, WaySecurityPhone, subject, m, len(listed))
	}
	return FindSent{Way: WaySecurityPhone, To: account.MaskPhone(p)}, nil
}

// VerifyPhone is the phone verification of a multi-step way: the user
// enters the security phone of the account the session's asset names; when
// it is that phone, the account ID and registration method go to it by SMS.
// The answer is FindSent with the entered phone masked, the same whether it
// matched, did not, or the asset named no account, and the session is used
// up in every case (start again to try another phone).
//
// Order: the token's form (ErrFindTokenMalformed) and the phone's
// (account.Normalize's errors), nothing looked up; the session
// (ErrFindSessionInvalid, or ErrFindWrongStep once a face check started);
// the lock of the session's identifier (*limits.LockedError); the Gate for
// the phone under FindSMSChannel (its refusal; the session stays). Every
// phone entered counts as one failure under FindVerifyScope, matched or
// not, so the lock says nothing about which phone is right; the answer that
// locks is *limits.LockedError (and the information was still sent if it
// matched).
func (f *Finder) VerifyPhone(ctx context.Context, token, phone, clientIP string) (FindSent, error) {
	if f == nil {
		return FindSent{}, reason.Unavailable("finding an account", "accountsec.Deps.SMS")
	}
	if !ParseFindToken(token) {
		return FindSent{}, ErrFindTokenMalformed
	}
	p, err := account.Normalize(account.KindPhone, phone)
	if err != nil {
		return FindSent{}, err
	}
	if err := checkClientIP(clientIP); err != nil {
		return FindSent{}, err
	}
	rec, err := f.session(ctx, token)
	if err != nil {
		return FindSent{}, err
	}
	if rec.Stage != stageStarted || rec.Way == WayPersonal || rec.Way == WaySecurityPhone {
		return FindSent{}, f.rejected(ctx, ErrFindWrongStep)
	}
	attempt, err := f.limiter.Begin(ctx, FindVerifyScope, rec.Subject)
	if err != nil {
		return FindSent{}, err
	}
	if err := f.gate.Allow(ctx, FindSMSChannel, p, clientIP); err != nil {
		_ = attempt.Succeed(ctx)
		return FindSent{}, err
	}
	found, err := f.take(ctx, token)
	switch {
	case err != nil:
		_ = attempt.Succeed(ctx)
		return FindSent{}, err
	case !found:
		_ = attempt.Succeed(ctx)
		return FindSent{}, f.rejected(ctx, ErrFindSessionInvalid)
	}
	a, known, err := f.read(ctx, rec.AccountID)
	if err != nil {
		_ = attempt.Succeed(ctx)
		return FindSent{}, err
	}
	matched := known && subtle.ConstantTimeCompare([]byte(a.SecurityPhone), []byte(p)) == 1
	f.emit(ctx, event.FindPhoneAnswered, rec.AccountID, rec.Subject, rec.Way, map[string]string{"matched": strconv.FormatBool(matched)})
	m := f.infoMessage(rec.Way, p, []account.Account{a})
	if matched {
		f.sendInfo(ctx, rec.Way, rec.Subject, m, 1)
	}
	if err := attempt.Fail(ctx); err != nil {
		return FindSent{}, err
	}
	return FindSent{Way: rec.Way, To: account.MaskPhone(p)}, nil
}

// infoMessage is the SMS listing the accounts' IDs and registration methods
// to phone.
func (f *Finder) infoMessage(way Way, phone string, accs []account.Account) notify.Message {
	list := make([]string, len(accs))
	for i, a := range accs {
		list[i] = a.ID + ":" + string(a.RegistrationMethod)
	}
	appeal := f.policy.AppealURL
	if appeal == "" {
		appeal = AppealHint
	}
	m := notify.Message{
		Channel: notify.SMS, To: phone, Purpose: notify.PurposeRecoverAccount,
		Params: map[string]string{
			ParamAccounts: strings.Join(list, ","), ParamCount: strconv.Itoa(len(accs)),
			ParamAppeal: appeal, ParamWay: string(way),
		},
	}
	if len(accs) == 1 {
		m.AccountID = accs[0].ID
	}
	return m
}

// sendInfo sends m, listing n accounts, to their verified security phone.
func (f *Finder) sendInfo(ctx context.Context, way Way, subject string, m notify.Message, n int) {
	if err := f.sms.SendSMS(ctx, m); err != nil {
		cause := string(reason.CodeOf(err))
		if cause == "" {
			cause = "send_failed"
		}
		f.emit(ctx, event.FindSendFailed, m.AccountID, subject, way, map[string]string{"reason": cause})
		return
	}
	f.emit(ctx, event.FindInfoSent, m.AccountID, subject, way, map[string]string{"accounts": strconv.Itoa(n)})
}
