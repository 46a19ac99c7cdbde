package recovery

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/accountsec/accountsec/account"
	"github.com/accountsec/accountsec/event"
	"github.com/accountsec/accountsec/internal/codec"
	"github.com/accountsec/accountsec/notify"
	"github.com/accountsec/accountsec/protection"
	"github.com/accountsec/accountsec/reason"
)

// Appeals runs the application to log in (the login appeal) of
// docs/RULES.md §8, for a personally verified account whose login methods
// are lost. Its steps, in this order only:
//
//  1. SendContactCode, Start: the account (its ID or login email), the
//     real-name name and identity number, a reason from AppealReasons and
//     a contact phone with its SMS code;
//  2. SendEmailCode, SetLoginEmail: a new login email, never registered
//     nor bound anywhere, its email code and a password (the policy, and
//     its confirmation);
//  3. SendPhoneCode, SetSecurityPhone, or SkipSecurityPhone: optionally a
//     new security phone and its SMS code, to switch login and operation
//     protection to SMS on approval (which also turns an MFA login off).
//     An account with MFA login whose owner skips this has lost the phone
//     too: the appeal cannot remove MFA by itself and is marked for a
//     person's review ("mfa_phone_lost");
//  4. StartFace, FaceResult: the face check of the account's real-name
//     person (the host's protection.FaceVerifier);
//  5. the review (Review.Decide), or at once when FlowPolicy.AutoApprove is
//     set and no person's decision is needed. On approval the new login
//     email is bound with its password, the protection change applies,
//     every session of the account ends, and the result goes to the
//     contact phone.
//
// Nothing changes on the account before approval. Each step is a
// compare-and-set of the appeal's document: a step out of order is
// reason.RecoveryStepOrder (naming the step that comes), two racing
// submissions of one step write once. Lifetimes (FlowPolicy): a step left
// 24 hours after the previous one, or an appeal not submitted 7 days after
// its start, expires; a submitted appeal waits 30 days for its review. An
// account has at most one open appeal (reason.RecoveryAppealOpen): the
// account's open-appeal document names its latest appeal and is replaced
// by compare-and-set only when that one is decided or expired. Wrong codes
// count under ScopeRecoverySMS and rejected face checks under
// ScopeRecoveryFace, per appeal, under the Limiter's lockout.
type Appeals struct{ f *flows }

// The appeal reasons (AppealStart.Reason).
const (
	// AppealPhoneLost: the phone the account used is lost.
	AppealPhoneLost = "phone_lost"
	// AppealEmailLost: the login email's mailbox is lost.
	AppealEmailLost = "email_lost"
	// AppealThirdPartyLost: the WeChat, QQ or WeCom login is lost.
	AppealThirdPartyLost = "third_party_lost"
	// AppealAccountStolen: someone else took the account over.
	AppealAccountStolen = "account_stolen"
)

// AppealReasons returns the reasons an appeal accepts.
func AppealReasons() []string {
	return []string{AppealPhoneLost, AppealEmailLost, AppealThirdPartyLost, AppealAccountStolen}
}

// The steps of an appeal (FlowState.Step), besides StepFace,
// StepSubmitted, StepApproved and StepRejected.
const (
	StepLoginEmail = "login_email"
	StepProtection = "protection"
)

// ManualMFAPhoneLost is the ManualReason of an appeal of an account with
// MFA login whose owner gave no new phone.
const ManualMFAPhoneLost = "mfa_phone_lost"

const appealScope = "appeal"

// AppealStart is step 1 of an appeal.
type AppealStart struct {
	// Account is the account ID or the login email.
	Account string
	// Name is the real-name name.
	Name string
	// IDNumber is the real-name identity number.
	IDNumber string
	// Reason is one of AppealReasons.
	Reason string
	// ContactPhone receives the result.
	ContactPhone string
	// Code is the SMS code SendContactCode sent to ContactPhone.
	Code string
}

// AppealLoginEmail is step 2 of an appeal.
type AppealLoginEmail struct {
	// Email is the new login email.
	Email string
	// Password is the new password, under the policy.
	Password string
	// Confirm repeats Password.
	Confirm string
	// Code is the code SendEmailCode sent to Email.
	Code string
}

// appealDoc is an appeal as stored.
type appealDoc struct {
	step          string
	started       time.Time
	stepAt        time.Time
	accountID     string
	reason        string
	contactPhone  string
	email         string
	passwordHash  string // dropped once applied or rejected
	securityPhone string
	smsProtection bool
	loginMFA      bool
	manualReason  string
	ticket        string
	reviewer      string
	note          string
	decidedAt     time.Time
	removeMFA     bool
	applied       bool
	applyAt       time.Time
}

const appealV1 byte = 1

func (d appealDoc) encode() []byte {
	w := codec.NewWriter(appealV1, 256)
	for _, s := range []string{d.step} {
		w.String(s)
	}
	w.Time(d.started)
	w.Time(d.stepAt)
	for _, s := range []string{d.accountID, d.reason, d.contactPhone, d.email, d.passwordHash, d.securityPhone} {
		w.String(s)
	}
	w.Bool(d.smsProtection)
	w.Bool(d.loginMFA)
	for _, s := range []string{d.manualReason, d.ticket, d.reviewer, d.note} {
		w.String(s)
	}
	w.Time(d.decidedAt)
	w.Bool(d.removeMFA)
	w.Bool(d.applied)
	w.Time(d.applyAt)
	return w.Done()
}

func decodeAppeal(p []byte) (appealDoc, error) {
	r, v := codec.Read(p)
	s := func() string { return strings.Clone(r.String()) }
	var d appealDoc
	d.step = s()
	d.started, d.stepAt = r.Time(), r.Time()
	d.accountID, d.reason, d.contactPhone, d.email, d.passwordHash, d.securityPhone = s(), s(), s(), s(), s(), s()
	d.smsProtection, d.loginMFA = r.Bool(), r.Bool()
	d.manualReason, d.ticket, d.reviewer, d.note = s(), s(), s(), s()
	d.decidedAt = r.Time()
	d.removeMFA, d.applied = r.Bool(), r.Bool()
	d.applyAt = r.Time()
	if err := r.Err(); err != nil || v != appealV1 {
		return appealDoc{}, codec.ErrCorrupt
	}
	return d, nil
}

// open reports whether the appeal still holds its account's open-appeal
// place at now.
func (f *flows) open(d appealDoc, now time.Time) bool {
	switch d.step {
	case StepLoginEmail, StepProtection, StepFace:
		return !f.expired(d.started, d.stepAt, now)
	case StepSubmitted:
		return now.Before(d.stepAt.Add(f.policy.ReviewTTL))
	case StepApproved:
		return !d.applied
	}
	return false
}

func (a *Appeals) docID(ref string) string        { return a.f.keys.Key("appeal", ref) }
func (a *Appeals) openID(accountID string) string { return a.f.keys.Key("appeal-open", accountID) }

// SendContactCode sends the SMS code of step 1 to the contact phone
// (purpose notify.PurposeAppeal).
func (a *Appeals) SendContactCode(ctx context.Context, phone, clientIP string) (notify.Sent, error) {
	p, err := checkPhone("contact_phone", phone)
	if err != nil {
		return notify.Sent{}, err
	}
	return a.f.codes.Send(ctx, codeTarget(notify.PurposeAppeal, notify.SMS, p, "appeal-contact"), clientIP)
}

// Start is step 1: it checks the inputs, the contact phone's code (counted
// under ScopeRecoverySMS per phone), then the account: an unknown account
// and a name or identity number that does not match are alike
// reason.RecoveryIdentityMismatch; an enterprise-verified account is
// reason.RecoveryEnterpriseAccount (use Enterprise); an account not
// personally verified reason.RecoveryNotPersonal; an account with an open
// appeal reason.RecoveryAppealOpen. Nothing is stored on a refusal.
func (a *Appeals) Start(ctx context.Context, s AppealStart) (FlowState, error) {
	f := a.f
	name, err := ValidateName(s.Name)
	if err != nil {
		return FlowState{}, err
	}
	num, err := ValidateIDNumber(s.IDNumber)
	if err != nil {
		return FlowState{}, err
	}
	if !slices.Contains(AppealReasons(), s.Reason) {
		return FlowState{}, reason.New(reason.RecoveryReasonUnknown).With("allowed", strings.Join(AppealReasons(), ", "))
	}
	phone, err := checkPhone("contact_phone", s.ContactPhone)
	if err != nil {
		return FlowState{}, err
	}
	ident := strings.TrimSpace(s.Account)
	byEmail := strings.Contains(ident, "@")
	if byEmail {
		if ident, err = account.Normalize(account.KindEmail, ident); err != nil {
			return FlowState{}, err
		}
	} else if ident, err = ValidateAccountID(ident); err != nil {
		return FlowState{}, err
	}
	if err := checkCodeForm(s.Code); err != nil {
		return FlowState{}, err
	}
	contact := f.keys.Key("appeal-phone", phone)
	if err := f.verifyCode(ctx, ScopeRecoverySMS, contact, codeTarget(notify.PurposeAppeal, notify.SMS, phone, "appeal-contact"), s.Code); err != nil {
		return FlowState{}, f.refused(ctx, appealScope, "", contact, "start", err)
	}
	acc, err := a.find(ctx, ident, byEmail)
	if err != nil {
		return FlowState{}, f.refused(ctx, appealScope, "", contact, "start", err)
	}
	if err := a.identity(ctx, acc, name, num); err != nil {
		return FlowState{}, f.refused(ctx, appealScope, acc.ID, contact, "start", err)
	}
	ref, err := f.newToken()
	if err != nil {
		return FlowState{}, err
	}
	now := f.now()
	d := appealDoc{
		step: StepLoginEmail, started: now, stepAt: now, accountID: acc.ID, reason: s.Reason,
		contactPhone: phone, loginMFA: acc.Security.LoginProtection == account.VerifyMFA,
	}
	id := a.docID(ref)
	if err := f.putDoc(ctx, id, 1, d.encode()); err != nil {
		return FlowState{}, err
	}
	if err := a.claimOpen(ctx, acc.ID, id, now); err != nil {
		return FlowState{}, f.refused(ctx, appealScope, acc.ID, subject(id), "start", err)
	}
	f.emit(ctx, event.RecoveryStepPassed, appealScope, acc.ID, subject(id), map[string]string{"step": "start"})
	return a.state(ref, d), nil
}

// find returns the account named by ident, or the identity mismatch.
func (a *Appeals) find(ctx context.Context, ident string, byEmail bool) (account.Account, error) {
	mismatch := reason.New(reason.RecoveryIdentityMismatch)
	if byEmail {
		accs, err := a.f.accounts.AccountsByLogin(ctx, account.MethodEmail, ident)
		if err != nil {
			return account.Account{}, err
		}
		if len(accs) == 0 {
			return account.Account{}, mismatch
		}
		return accs[0], nil
	}
	acc, err := a.f.accounts.Account(ctx, ident)
	if reason.CodeOf(err) == reason.AccountNotFound {
		return account.Account{}, mismatch
	}
	return acc, err
}

// identity checks the real-name data against the account.
func (a *Appeals) identity(ctx context.Context, acc account.Account, name, num string) error {
	holders, err := a.f.accounts.Holders(ctx, account.ScopeRealName, account.KindPersonalID, num)
	if err != nil {
		return err
	}
	switch acc.RealName.Status {
	case account.RealNameEnterprise:
		return reason.New(reason.RecoveryEnterpriseAccount)
	case account.RealNamePersonal:
	default:
		return reason.New(reason.RecoveryNotPersonal)
	}
	if acc.RealName.Name != name || !slices.Contains(holders, acc.ID) {
		return reason.New(reason.RecoveryIdentityMismatch)
	}
	return nil
}

// claimOpen makes appeal docID the account's open appeal, by
// compare-and-set of the open-appeal document, unless the appeal it names
// is still open.
func (a *Appeals) claimOpen(ctx context.Context, accountID, docID string, now time.Time) error {
	f := a.f
	oid := a.openID(accountID)
	cur, found, err := f.loadDoc(ctx, oid)
	if err != nil {
		return err
	}
	if found {
		rd, _ := codec.Read(cur.Data)
		prev := strings.Clone(rd.String())
		if rd.Err() != nil {
			return reason.Store(codec.ErrCorrupt)
		}
		pd, ok, err := f.loadDoc(ctx, prev)
		if err != nil {
			return err
		}
		if ok {
			p, err := decodeAppeal(pd.Data)
			if err != nil {
				return reason.Store(err)
			}
			if f.open(p, now) {
				return reason.New(reason.RecoveryAppealOpen)
			}
		}
	}
	w := codec.NewWriter(appealV1, len(docID)+2)
	w.String(docID)
	if err := f.putDoc(ctx, oid, cur.Version+1, w.Done()); err != nil {
		// Another appeal of the account claimed it first.
		return reason.New(reason.RecoveryAppealOpen)
	}
	return nil
}

func (a *Appeals) state(ref string, d appealDoc) FlowState {
	st := FlowState{Ref: ref, Step: d.step}
	switch d.step {
	case StepLoginEmail, StepProtection, StepFace:
		st.ExpiresAt = minTime(d.stepAt.Add(a.f.policy.StepTTL), d.started.Add(a.f.policy.FlowTTL))
	case StepSubmitted:
		st.ExpiresAt = d.stepAt.Add(a.f.policy.ReviewTTL)
	}
	return st
}

// load reads the appeal of ref, which must be at step want.
func (a *Appeals) load(ctx context.Context, ref, want string) (string, int64, appealDoc, error) {
	f := a.f
	if err := checkRef("ref", ref); err != nil {
		return "", 0, appealDoc{}, err
	}
	id := a.docID(ref)
	doc, found, err := f.loadDoc(ctx, id)
	if err != nil {
		return "", 0, appealDoc{}, err
	}
	if !found {
		return "", 0, appealDoc{}, f.refused(ctx, appealScope, "", subject(id), want, reason.New(reason.RecoveryFlowInvalid))
	}
	d, err := decodeAppeal(doc.Data)
	if err != nil {
		return "", 0, appealDoc{}, reason.Store(err)
	}
	switch d.step {
	case StepLoginEmail, StepProtection, StepFace:
		if f.expired(d.started, d.stepAt, f.now()) {
			return "", 0, appealDoc{}, f.refused(ctx, appealScope, d.accountID, subject(id), want, reason.New(reason.RecoveryFlowExpired))
		}
	}
	if d.step != want {
		return "", 0, appealDoc{}, f.refused(ctx, appealScope, d.accountID, subject(id), want, stepOrder(d.step))
	}
	return id, doc.Version, d, nil
}

// Status returns where the appeal of ref stands (FlowState.Step is the
// next step, or StepSubmitted, StepApproved, StepRejected) and the
// reviewer's note.
func (a *Appeals) Status(ctx context.Context, ref string) (FlowState, string, error) {
	if err := checkRef("ref", ref); err != nil {
		return FlowState{}, "", err
	}
	doc, found, err := a.f.loadDoc(ctx, a.docID(ref))
	if err != nil {
		return FlowState{}, "", err
	}
	if !found {
		return FlowState{}, "", reason.New(reason.RecoveryFlowInvalid)
	}
	d, err := decodeAppeal(doc.Data)
	if err != nil {
		return FlowState{}, "", reason.Store(err)
	}
	if !a.f.open(d, a.f.now()) && d.step != StepApproved && d.step != StepRejected {
		return FlowState{}, "", reason.New(reason.RecoveryFlowExpired)
	}
	return a.state(ref, d), d.note, nil
}

// SendEmailCode sends the code of step 2 to the new login email (purpose
// notify.PurposeAppeal), after checking that the address is not registered
// or bound anywhere.
func (a *Appeals) SendEmailCode(ctx context.Context, ref, email, clientIP string) (notify.Sent, error) {
	addr, err := account.Normalize(account.KindEmail, email)
	if err != nil {
		return notify.Sent{}, err
	}
	id, _, d, err := a.load(ctx, ref, StepLoginEmail)
	if err != nil {
		return notify.Sent{}, err
	}
	if err := a.f.emailFree(ctx, addr); err != nil {
		return notify.Sent{}, a.f.refused(ctx, appealScope, d.accountID, subject(id), StepLoginEmail, err)
	}
	return a.f.codes.Send(ctx, codeTarget(notify.PurposeAppeal, notify.Email, addr, id), clientIP)
}

// SetLoginEmail is step 2: the new login email (free everywhere), its
// code and the new password. The password is kept only as its hash until
// the approval sets it.
func (a *Appeals) SetLoginEmail(ctx context.Context, ref string, e AppealLoginEmail) (FlowState, error) {
	f := a.f
	addr, err := account.Normalize(account.KindEmail, e.Email)
	if err != nil {
		return FlowState{}, err
	}
	if e.Password == "" {
		return FlowState{}, reason.New(reason.InputEmpty).With("field", "password")
	}
	if err := f.accounts.PasswordPolicy().Check(e.Password); err != nil {
		return FlowState{}, err
	}
	if e.Confirm != e.Password {
		return FlowState{}, account.ErrConfirmMismatch
	}
	if err := checkCodeForm(e.Code); err != nil {
		return FlowState{}, err
	}
	id, v, d, err := a.load(ctx, ref, StepLoginEmail)
	if err != nil {
		return FlowState{}, err
	}
	if err := f.emailFree(ctx, addr); err != nil {
		return FlowState{}, f.refused(ctx, appealScope, d.accountID, subject(id), StepLoginEmail, err)
	}
	hash, err := f.accounts.PreparePassword(ctx, d.accountID, e.Password)
	if err != nil {
		return FlowState{}, err
	}
	if err := f.verifyCode(ctx, ScopeRecoverySMS, subject(id), codeTarget(notify.PurposeAppeal, notify.Email, addr, id), e.Code); err != nil {
		return FlowState{}, f.refused(ctx, appealScope, d.accountID, subject(id), StepLoginEmail, err)
	}
	d.step, d.stepAt, d.email, d.passwordHash = StepProtection, f.now(), addr, hash
	if err := f.putDoc(ctx, id, v+1, d.encode()); err != nil {
		return FlowState{}, err
	}
	f.emit(ctx, event.RecoveryStepPassed, appealScope, d.accountID, subject(id), map[string]string{"step": StepLoginEmail})
	return a.state(ref, d), nil
}

// SendPhoneCode sends the SMS code of step 3 to the new security phone.
func (a *Appeals) SendPhoneCode(ctx context.Context, ref, phone, clientIP string) (notify.Sent, error) {
	p, err := checkPhone("security_phone", phone)
	if err != nil {
		return notify.Sent{}, err
	}
	id, _, _, err := a.load(ctx, ref, StepProtection)
	if err != nil {
		return notify.Sent{}, err
	}
	return a.f.codes.Send(ctx, codeTarget(notify.PurposeAppeal, notify.SMS, p, id), clientIP)
}

// SetSecurityPhone is step 3 with a new security phone and its SMS code:
// on approval it becomes the security phone and login and operation
// protection switch to SMS (an MFA login is turned off).
func (a *Appeals) SetSecurityPhone(ctx context.Context, ref, phone, code string) (FlowState, error) {
	f := a.f
	p, err := checkPhone("security_phone", phone)
	if err != nil {
		return FlowState{}, err
	}
	if err := checkCodeForm(code); err != nil {
		return FlowState{}, err
	}
	id, v, d, err := a.load(ctx, ref, StepProtection)
	if err != nil {
		return FlowState{}, err
	}
	if err := f.verifyCode(ctx, ScopeRecoverySMS, subject(id), codeTarget(notify.PurposeAppeal, notify.SMS, p, id), code); err != nil {
		return FlowState{}, f.refused(ctx, appealScope, d.accountID, subject(id), StepProtection, err)
	}
	d.step, d.stepAt, d.securityPhone, d.smsProtection = StepFace, f.now(), p, true
	return a.passProtection(ctx, ref, id, v, d)
}

// SkipSecurityPhone is step 3 without a new phone. An account with MFA
// login is then marked ManualMFAPhoneLost: only a reviewer's explicit
// RemoveMFA decision can approve it.
func (a *Appeals) SkipSecurityPhone(ctx context.Context, ref string) (FlowState, error) {
	id, v, d, err := a.load(ctx, ref, StepProtection)
	if err != nil {
		return FlowState{}, err
	}
	d.step, d.stepAt = StepFace, a.f.now()
	if d.loginMFA {
		d.manualReason = ManualMFAPhoneLost
	}
	return a.passProtection(ctx, ref, id, v, d)
}

func (a *Appeals) passProtection(ctx context.Context, ref, id string, v int64, d appealDoc) (FlowState, error) {
	if err := a.f.putDoc(ctx, id, v+1, d.encode()); err != nil {
		return FlowState{}, err
	}
	a.f.emit(ctx, event.RecoveryStepPassed, appealScope, d.accountID, subject(id), map[string]string{
		"step": StepProtection, "sms_protection": strconv.FormatBool(d.smsProtection), "manual_reason": d.manualReason,
	})
	return a.state(ref, d), nil
}

// StartFace begins step 4, the face check of the account's real-name
// person; the ticket is kept by the appeal.
func (a *Appeals) StartFace(ctx context.Context, ref string) (protection.HostChallenge, error) {
	f := a.f
	if f.face == nil {
		return protection.HostChallenge{}, reason.New(reason.RecoveryFaceUnavailable)
	}
	id, v, d, err := a.load(ctx, ref, StepFace)
	if err != nil {
		return protection.HostChallenge{}, err
	}
	if err := f.faceLocked(ctx, subject(id)); err != nil {
		return protection.HostChallenge{}, f.refused(ctx, appealScope, d.accountID, subject(id), StepFace, err)
	}
	ch, err := f.face.StartFace(ctx, d.accountID)
	if err != nil {
		return protection.HostChallenge{}, err
	}
	d.ticket = ch.Ticket
	if err := f.putDoc(ctx, id, v+1, d.encode()); err != nil {
		return protection.HostChallenge{}, err
	}
	return ch, nil
}

// FaceResult asks the host about the face check. A match submits the
// appeal for review, or approves and applies it at once under
// FlowPolicy.AutoApprove when no person's decision is needed; a rejection
// counts under ScopeRecoveryFace and needs a new StartFace.
func (a *Appeals) FaceResult(ctx context.Context, ref string) (FlowState, error) {
	f := a.f
	if f.face == nil {
		return FlowState{}, reason.New(reason.RecoveryFaceUnavailable)
	}
	id, v, d, err := a.load(ctx, ref, StepFace)
	if err != nil {
		return FlowState{}, err
	}
	if d.ticket == "" {
		return FlowState{}, f.refused(ctx, appealScope, d.accountID, subject(id), StepFace, stepOrder(StepFace))
	}
	if err := f.faceLocked(ctx, subject(id)); err != nil {
		return FlowState{}, f.refused(ctx, appealScope, d.accountID, subject(id), StepFace, err)
	}
	res, err := f.face.FaceResult(ctx, d.accountID, d.ticket)
	if err != nil {
		return FlowState{}, err
	}
	switch res {
	case protection.HostPending:
		return FlowState{}, reason.New(reason.RecoveryFacePending)
	case protection.HostRejected:
		d.ticket = ""
		if err := f.putDoc(ctx, id, v+1, d.encode()); err != nil {
			return FlowState{}, err
		}
		return FlowState{}, f.refused(ctx, appealScope, d.accountID, subject(id), StepFace, f.faceFailed(ctx, subject(id)))
	}
	now := f.now()
	d.ticket, d.stepAt = "", now
	f.emit(ctx, event.RecoveryStepPassed, appealScope, d.accountID, subject(id), map[string]string{"step": StepFace})
	if f.policy.AutoApprove && d.manualReason == "" {
		dec := Decision{ID: id, Reviewer: "auto", Approve: true}
		d.step, d.reviewer, d.decidedAt, d.applyAt = StepApproved, dec.Reviewer, now, now
		if err := f.putDoc(ctx, id, v+1, d.encode()); err != nil {
			return FlowState{}, err
		}
		f.decided(ctx, kindAppeal, d.accountID, id, dec)
		if err := f.applyAppeal(ctx, id, v+1, d); err != nil {
			// Left for a reviewer to apply again.
			_ = f.enqueue(ctx, kindAppeal, id, now)
			return a.state(ref, d), err
		}
		d.applied = true
		return a.state(ref, d), nil
	}
	d.step = StepSubmitted
	if err := f.putDoc(ctx, id, v+1, d.encode()); err != nil {
		return FlowState{}, err
	}
	if err := f.enqueue(ctx, kindAppeal, id, now); err != nil {
		return FlowState{}, err
	}
	f.emit(ctx, event.RecoverySubmitted, appealScope, d.accountID, subject(id), map[string]string{
		"manual": strconv.FormatBool(d.manualReason != ""), "manual_reason": d.manualReason,
	})
	return a.state(ref, d), nil
}

// decideAppeal records and applies a decision on an appeal.
func (f *flows) decideAppeal(ctx context.Context, docID string, dec Decision) error {
	doc, found, err := f.loadDoc(ctx, docID)
	if err != nil {
		return err
	}
	if !found {
		return reason.New(reason.RecoveryAlreadyDecided)
	}
	d, err := decodeAppeal(doc.Data)
	if err != nil {
		return reason.Store(err)
	}
	now := f.now()
	if d.step == StepApproved && !d.applied && dec.Approve && !now.Before(d.applyAt.Add(ApplyLease)) {
		// Apply again an approval whose application failed.
		d.applyAt = now
		if err := f.putDoc(ctx, docID, doc.Version+1, d.encode()); err != nil {
			return reason.New(reason.RecoveryAlreadyDecided)
		}
		return f.applyAppeal(ctx, docID, doc.Version+1, d)
	}
	if d.step != StepSubmitted || !f.open(d, now) {
		return reason.New(reason.RecoveryAlreadyDecided)
	}
	switch {
	case dec.Approve && d.manualReason == ManualMFAPhoneLost && !dec.RemoveMFA:
		return reason.New(reason.RecoveryRemoveMFARequired)
	case dec.RemoveMFA && (d.manualReason != ManualMFAPhoneLost || !dec.Approve):
		return reason.New(reason.InputMalformed).With("field", "remove_mfa")
	}
	d.reviewer, d.note, d.decidedAt, d.removeMFA = dec.Reviewer, dec.Note, now, dec.RemoveMFA
	if dec.Approve {
		d.step, d.applyAt = StepApproved, now
	} else {
		d.step, d.passwordHash = StepRejected, ""
	}
	if err := f.putDoc(ctx, docID, doc.Version+1, d.encode()); err != nil {
		return reason.New(reason.RecoveryAlreadyDecided)
	}
	f.decided(ctx, kindAppeal, d.accountID, docID, dec)
	if !dec.Approve {
		f.dequeue(ctx, docID)
		f.notice(ctx, d.contactPhone, d.accountID, kindAppeal, StepRejected)
		return nil
	}
	return f.applyAppeal(ctx, docID, doc.Version+1, d)
}

// applyAppeal applies an approved appeal (document version v) to its
// account: the new login email with its password, the SMS protection or
// the MFA removal, every session ended; then it marks the appeal applied,
// takes it off the queue and sends the result to the contact phone.
func (f *flows) applyAppeal(ctx context.Context, docID string, v int64, d appealDoc) error {
	r := account.Restore{
		LoginEmail: d.email, PasswordHash: d.passwordHash,
		SecurityPhone: d.securityPhone, SMSProtection: d.smsProtection,
		DisableMFA: d.removeMFA || (d.smsProtection && d.loginMFA),
	}
	if _, err := f.restore(ctx, d.accountID, "appeal:"+docID, r); err != nil {
		return reason.New(reason.RecoveryApplyFailed).Wrap(err)
	}
	if err := f.sessions.EndOtherSessions(ctx, d.accountID, "", CauseRecovery); err != nil {
		return reason.New(reason.RecoveryApplyFailed).Wrap(ErrSessionsNotEnded.Wrap(err))
	}
	d.applied, d.passwordHash = true, ""
	if err := f.putDoc(ctx, docID, v+1, d.encode()); err != nil {
		return reason.New(reason.RecoveryApplyFailed).Wrap(err)
	}
	f.dequeue(ctx, docID)
	f.emit(ctx, event.RecoveryApplied, appealScope, d.accountID, docID, map[string]string{
		"sms_protection": strconv.FormatBool(d.smsProtection), "mfa_off": strconv.FormatBool(r.DisableMFA),
	})
	f.notice(ctx, d.contactPhone, d.accountID, kindAppeal, StepApproved)
	return nil
}
