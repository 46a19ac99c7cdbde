package recovery

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/accountsec/accountsec/account"
	"github.com/accountsec/accountsec/event"
	"github.com/accountsec/accountsec/internal/codec"
	"github.com/accountsec/accountsec/notify"
	"github.com/accountsec/accountsec/protection"
	"github.com/accountsec/accountsec/reason"
)

// Enterprise runs the enterprise recovery of docs/RULES.md §8, for a
// company that lost access to its accounts (the employee who held them
// left, the administrator changed):
//
//  1. Start: the company name, its unified social credit code and a reason
//     from EnterpriseReasons;
//  2. LegalPerson: the legal person's name and identity number, as
//     registered;
//  3. StartFace, FaceResult: the legal person's face check (the host's
//     PersonFaceVerifier);
//  4. SendContactCode, Submit: a contact phone and its SMS code, for the
//     result. The recovery goes to review and the user gets a query code;
//  5. the host reviews it (Review);
//  6. SendQueryCode, Result: the query code, the same phone and an SMS
//     code show the result. An approved result lists every
//     enterprise-verified account of the company (account ID, login
//     methods, masked real-name data) and, at the first look-up, a grant
//     that opens the allowances of AddLoginEmail and SwitchToSMS for
//     FlowPolicy.AllowanceTTL (24 hours).
//
// Every public step answers alike whether or not the company, its code
// and its legal person match any account: the match is decided privately
// and only the reviewer sees it. Each step is a compare-and-set of the
// flow's document, so steps cannot be skipped, reordered or run twice; a
// flow left FlowPolicy.StepTTL (24 hours) between steps, or not submitted
// FlowPolicy.FlowTTL (7 days) after its start, expires. Wrong SMS codes
// and rejected face checks count per flow under the Limiter's lockout.
type Enterprise struct{ f *flows }

// The enterprise recovery's reasons (EnterpriseStart.Reason).
const (
	// ReasonEmployeeLeft: the employee who held the accounts left.
	ReasonEmployeeLeft = "employee_left"
	// ReasonAdministratorChanged: the company's administrator changed.
	ReasonAdministratorChanged = "administrator_changed"
	// ReasonCredentialsLost: the login methods are lost otherwise.
	ReasonCredentialsLost = "credentials_lost"
)

// EnterpriseReasons returns the reasons an enterprise recovery accepts.
func EnterpriseReasons() []string {
	return []string{ReasonEmployeeLeft, ReasonAdministratorChanged, ReasonCredentialsLost}
}

// The steps of an enterprise recovery, as FlowState.Step and in the
// "expected" parameter of reason.RecoveryStepOrder.
const (
	StepLegalPerson = "legal_person"
	StepFace        = "face"
	StepContact     = "contact"
	StepSubmitted   = "submitted"
	StepApproved    = "approved"
	StepRejected    = "rejected"
)

// FlowState is what a step of a flow answers: the reference to present at
// the next step, the step that comes next and when the flow expires if it
// is left.
type FlowState struct {
	// Ref is the flow's reference; keep it for the next steps.
	Ref string
	// Step is the step that comes next (one of the Step constants).
	Step string
	// ExpiresAt is when the flow expires unless the next step is taken.
	ExpiresAt time.Time
}

// EnterpriseStart is the first step of an enterprise recovery.
type EnterpriseStart struct {
	// Company is the company's name, as registered.
	Company string
	// CreditCode is the unified social credit code.
	CreditCode string
	// Reason is one of EnterpriseReasons.
	Reason string
}

// entDoc is an enterprise recovery as stored.
type entDoc struct {
	step       string
	started    time.Time
	stepAt     time.Time
	company    string
	creditCode string
	reason     string
	legalName  string
	legalID    string // kept until the face check passes, then dropped
	matches    []string
	ticket     string
	phone      string
	queryHash  string
	reviewer   string
	note       string
	decidedAt  time.Time
	granted    bool
}

const entV1 byte = 1

func (d entDoc) encode() []byte {
	w := codec.NewWriter(entV1, 256)
	w.String(d.step)
	w.Time(d.started)
	w.Time(d.stepAt)
	w.String(d.company)
	w.String(d.creditCode)
	w.String(d.reason)
	w.String(d.legalName)
	w.String(d.legalID)
	w.Strings(d.matches)
	w.String(d.ticket)
	w.String(d.phone)
	w.String(d.queryHash)
	w.String(d.reviewer)
	w.String(d.note)
	w.Time(d.decidedAt)
	w.Bool(d.granted)
	return w.Done()
}

func decodeEnt(p []byte) (entDoc, error) {
	r, v := codec.Read(p)
	d := entDoc{
		step: strings.Clone(r.String()), started: r.Time(), stepAt: r.Time(),
		company: strings.Clone(r.String()), creditCode: strings.Clone(r.String()), reason: strings.Clone(r.String()),
		legalName: strings.Clone(r.String()), legalID: strings.Clone(r.String()), matches: slices.Clone(r.Strings()),
		ticket: strings.Clone(r.String()), phone: strings.Clone(r.String()), queryHash: strings.Clone(r.String()),
		reviewer: strings.Clone(r.String()), note: strings.Clone(r.String()), decidedAt: r.Time(), granted: r.Bool(),
	}
	for i := range d.matches {
		d.matches[i] = strings.Clone(d.matches[i])
	}
	if err := r.Err(); err != nil || v != entV1 {
		return entDoc{}, codec.ErrCorrupt
	}
	return d, nil
}

const entScope = "enterprise_recovery"

// entID is the document ID of the flow with reference ref.
func (e *Enterprise) entID(ref string) string { return e.f.keys.Key("ent", ref) }

// queryID is the document ID that maps a query code to its flow.
func (e *Enterprise) queryID(query string) string { return e.f.keys.Key("entq", query) }

// subject is the events' and limiter's subject of a flow document.
func subject(docID string) string { return docID }

// Start begins an enterprise recovery. Input errors (an empty or malformed
// name or code, a reason not in the list) are reason-coded and change
// nothing; otherwise the answer is the same for every company.
func (e *Enterprise) Start(ctx context.Context, s EnterpriseStart) (FlowState, error) {
	f := e.f
	company, err := checkEnterpriseName(s.Company)
	if err != nil {
		return FlowState{}, err
	}
	code, err := ValidateCreditCode(s.CreditCode)
	if err != nil {
		return FlowState{}, err
	}
	if !slices.Contains(EnterpriseReasons(), s.Reason) {
		return FlowState{}, reason.New(reason.RecoveryReasonUnknown).With("allowed", strings.Join(EnterpriseReasons(), ", "))
	}
	ref, err := f.newToken()
	if err != nil {
		return FlowState{}, err
	}
	now := f.now()
	d := entDoc{step: StepLegalPerson, started: now, stepAt: now, company: company, creditCode: code, reason: s.Reason}
	id := e.entID(ref)
	if err := f.putDoc(ctx, id, 1, d.encode()); err != nil {
		return FlowState{}, err
	}
	f.emit(ctx, event.RecoveryStepPassed, entScope, "", subject(id), map[string]string{"step": "start"})
	return e.state(ref, d), nil
}

func checkEnterpriseName(raw string) (string, error) {
	if len(raw) > 4*account.MaxEnterpriseNameLen {
		return "", reason.New(reason.InputTooLong).With("field", "company").With("max", account.MaxEnterpriseNameLen)
	}
	if !utf8.ValidString(raw) {
		return "", reason.New(reason.InputInvalidUTF8).With("field", "company")
	}
	s := strings.TrimSpace(raw)
	switch {
	case s == "":
		return "", reason.New(reason.InputEmpty).With("field", "company")
	case utf8.RuneCountInString(s) > account.MaxEnterpriseNameLen:
		return "", reason.New(reason.InputTooLong).With("field", "company").With("max", account.MaxEnterpriseNameLen)
	}
	for _, r := range s {
		switch {
		case unicode.IsControl(r) || r == '\u2028' || r == '\u2029':
			return "", reason.New(reason.InputMalformed).With("field", "company").With("detail", account.DetailControl)
		case unicode.Is(unicode.Cf, r):
			return "", reason.New(reason.InputMalformed).With("field", "company").With("detail", account.DetailInvisible)
		}
	}
	return s, nil
}

func (e *Enterprise) state(ref string, d entDoc) FlowState {
	st := FlowState{Ref: ref, Step: d.step}
	switch d.step {
	case StepLegalPerson, StepFace, StepContact:
		st.ExpiresAt = minTime(d.stepAt.Add(e.f.policy.StepTTL), d.started.Add(e.f.policy.FlowTTL))
	case StepSubmitted:
		st.ExpiresAt = d.stepAt.Add(e.f.policy.ReviewTTL)
	}
	return st
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

// load reads the flow of ref at step want (or any of the user steps when
// want is "").
func (e *Enterprise) load(ctx context.Context, ref, want string) (string, int64, entDoc, error) {
	if err := checkRef("ref", ref); err != nil {
		return "", 0, entDoc{}, err
	}
	id := e.entID(ref)
	doc, found, err := e.f.loadDoc(ctx, id)
	if err != nil {
		return "", 0, entDoc{}, err
	}
	if !found {
		return "", 0, entDoc{}, e.f.refused(ctx, entScope, "", subject(id), want, reason.New(reason.RecoveryFlowInvalid))
	}
	d, err := decodeEnt(doc.Data)
	if err != nil {
		return "", 0, entDoc{}, reason.Store(err)
	}
	now := e.f.now()
	switch d.step {
	case StepLegalPerson, StepFace, StepContact:
		if e.f.expired(d.started, d.stepAt, now) {
			return "", 0, entDoc{}, e.f.refused(ctx, entScope, "", subject(id), want, reason.New(reason.RecoveryFlowExpired))
		}
	}
	if d.step != want {
		return "", 0, entDoc{}, e.f.refused(ctx, entScope, "", subject(id), want, stepOrder(d.step))
	}
	return id, doc.Version, d, nil
}

// LegalPerson is step 2: the legal person's name and identity number, as
// registered. The answer is the same whether or not they match.
func (e *Enterprise) LegalPerson(ctx context.Context, ref, name, idNumber string) (FlowState, error) {
	f := e.f
	n, err := ValidateName(name)
	if err != nil {
		return FlowState{}, err
	}
	num, err := ValidateIDNumber(idNumber)
	if err != nil {
		return FlowState{}, err
	}
	id, v, d, err := e.load(ctx, ref, StepLegalPerson)
	if err != nil {
		return FlowState{}, err
	}
	matches, err := e.match(ctx, d.company, d.creditCode, n, num)
	if err != nil {
		return FlowState{}, err
	}
	d.step, d.stepAt, d.legalName, d.legalID, d.matches = StepFace, f.now(), n, num, matches
	if err := f.putDoc(ctx, id, v+1, d.encode()); err != nil {
		return FlowState{}, err
	}
	f.emit(ctx, event.RecoveryStepPassed, entScope, "", subject(id), map[string]string{"step": StepLegalPerson})
	return e.state(ref, d), nil
}

// match returns the enterprise-verified accounts of the company whose
// registered name and legal person are the ones given.
func (e *Enterprise) match(ctx context.Context, company, code, legalName, legalID string) ([]string, error) {
	byCode, err := e.f.accounts.Holders(ctx, account.ScopeRealName, account.KindEnterpriseID, code)
	if err != nil {
		return nil, err
	}
	byPerson, err := e.f.accounts.Holders(ctx, account.ScopeRealName, account.KindLegalPerson, legalID)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, id := range byCode {
		if !slices.Contains(byPerson, id) {
			continue
		}
		a, err := e.f.accounts.Account(ctx, id)
		if err != nil {
			if reason.CodeOf(err) == reason.AccountNotFound {
				continue
			}
			return nil, err
		}
		rn := a.RealName
		if rn.Status == account.RealNameEnterprise && rn.Name == company && rn.LegalPersonName == legalName {
			out = append(out, id)
		}
	}
	slices.Sort(out)
	return out, nil
}

// person is the legal person the flow checks by face.
func (d entDoc) person() Person { return Person{Name: d.legalName, IDNumber: d.legalID} }

// StartFace begins step 3, the legal person's face check. The host's
// challenge (its ticket and URL) is returned; the ticket is also kept by
// the flow, so FaceResult needs only the reference.
func (e *Enterprise) StartFace(ctx context.Context, ref string) (protection.HostChallenge, error) {
	f := e.f
	if f.personFace == nil {
		return protection.HostChallenge{}, reason.New(reason.RecoveryFaceUnavailable)
	}
	id, v, d, err := e.load(ctx, ref, StepFace)
	if err != nil {
		return protection.HostChallenge{}, err
	}
	if err := f.faceLocked(ctx, subject(id)); err != nil {
		return protection.HostChallenge{}, f.refused(ctx, entScope, "", subject(id), StepFace, err)
	}
	ch, err := f.personFace.StartPersonFace(ctx, d.person())
	if err != nil {
		return protection.HostChallenge{}, err
	}
	d.ticket = ch.Ticket
	if err := f.putDoc(ctx, id, v+1, d.encode()); err != nil {
		return protection.HostChallenge{}, err
	}
	return ch, nil
}

// FaceResult asks the host about the face check StartFace began. A match
// passes step 3; a rejection counts under ScopeRecoveryFace (its error
// says how many tries are left, and *limits.LockedError once locked) and
// needs a new StartFace; a check not finished yet is
// reason.RecoveryFacePending.
func (e *Enterprise) FaceResult(ctx context.Context, ref string) (FlowState, error) {
	f := e.f
	if f.personFace == nil {
		return FlowState{}, reason.New(reason.RecoveryFaceUnavailable)
	}
	id, v, d, err := e.load(ctx, ref, StepFace)
	if err != nil {
		return FlowState{}, err
	}
	if d.ticket == "" {
		return FlowState{}, f.refused(ctx, entScope, "", subject(id), StepFace, stepOrder(StepFace))
	}
	if err := f.faceLocked(ctx, subject(id)); err != nil {
		return FlowState{}, f.refused(ctx, entScope, "", subject(id), StepFace, err)
	}
	res, err := f.personFace.PersonFaceResult(ctx, d.person(), d.ticket)
	if err != nil {
		return FlowState{}, err
	}
	switch res {
	case protection.HostPending:
		return FlowState{}, reason.New(reason.RecoveryFacePending)
	case protection.HostConfirmed:
		d.step, d.stepAt, d.ticket, d.legalID = StepContact, f.now(), "", ""
		if err := f.putDoc(ctx, id, v+1, d.encode()); err != nil {
			return FlowState{}, err
		}
		f.emit(ctx, event.RecoveryStepPassed, entScope, "", subject(id), map[string]string{"step": StepFace})
		return e.state(ref, d), nil
	}
	d.ticket = ""
	if err := f.putDoc(ctx, id, v+1, d.encode()); err != nil {
		return FlowState{}, err
	}
	return FlowState{}, f.refused(ctx, entScope, "", subject(id), StepFace, f.faceFailed(ctx, subject(id)))
}

// codeTarget is the target of the contact phone's code of flow id.
func codeTarget(purpose notify.Purpose, ch notify.Channel, dest, owner string) notify.Target {
	return notify.Target{Purpose: purpose, Channel: ch, Destination: dest, AccountID: owner}
}

// SendContactCode sends the SMS code of step 4 to the contact phone that
// will receive the result (purpose notify.PurposeRecoverAccount).
func (e *Enterprise) SendContactCode(ctx context.Context, ref, phone, clientIP string) (notify.Sent, error) {
	p, err := checkPhone("contact_phone", phone)
	if err != nil {
		return notify.Sent{}, err
	}
	id, _, _, err := e.load(ctx, ref, StepContact)
	if err != nil {
		return notify.Sent{}, err
	}
	return e.f.codes.Send(ctx, codeTarget(notify.PurposeRecoverAccount, notify.SMS, p, id), clientIP)
}

// Submit ends step 4 with the contact phone's SMS code: the recovery goes
// to review, and the returned query code (QueryCodeLength characters,
// shown once) looks its result up later with the same phone. A wrong code
// counts under ScopeRecoverySMS.
func (e *Enterprise) Submit(ctx context.Context, ref, phone, code string) (string, error) {
	f := e.f
	p, err := checkPhone("contact_phone", phone)
	if err != nil {
		return "", err
	}
	if err := checkCodeForm(code); err != nil {
		return "", err
	}
	id, v, d, err := e.load(ctx, ref, StepContact)
	if err != nil {
		return "", err
	}
	if err := f.verifyCode(ctx, ScopeRecoverySMS, subject(id), codeTarget(notify.PurposeRecoverAccount, notify.SMS, p, id), code); err != nil {
		return "", f.refused(ctx, entScope, "", subject(id), StepContact, err)
	}
	query, err := f.newQueryCode()
	if err != nil {
		return "", err
	}
	now := f.now()
	d.step, d.stepAt, d.phone, d.queryHash = StepSubmitted, now, p, e.queryID(query)
	// The query code's document first: a flow is never submitted without
	// a way to look it up.
	w := codec.NewWriter(entV1, len(id)+2)
	w.String(id)
	if err := f.putDoc(ctx, d.queryHash, 1, w.Done()); err != nil {
		return "", err
	}
	if err := f.putDoc(ctx, id, v+1, d.encode()); err != nil {
		return "", err
	}
	if err := f.enqueue(ctx, kindEnterprise, id, now); err != nil {
		return "", err
	}
	f.emit(ctx, event.RecoverySubmitted, entScope, "", subject(id), map[string]string{"manual": "true"})
	return query, nil
}

// EnterpriseQuery is a look-up of an enterprise recovery's result.
type EnterpriseQuery struct {
	// QueryCode is the code Submit returned (case and dashes ignored).
	QueryCode string
	// Phone is the contact phone given at submission.
	Phone string
	// Code is the SMS code SendQueryCode sent to it.
	Code string
}

// SendQueryCode sends an SMS code to phone for looking up the result of
// the query code. It answers, and sends, alike whether or not the query
// code exists and the phone is the flow's: the code only works for a
// matching pair.
func (e *Enterprise) SendQueryCode(ctx context.Context, queryCode, phone, clientIP string) (notify.Sent, error) {
	q, err := parseQueryCode(queryCode)
	if err != nil {
		return notify.Sent{}, err
	}
	p, err := checkPhone("phone", phone)
	if err != nil {
		return notify.Sent{}, err
	}
	return e.f.codes.Send(ctx, codeTarget(notify.PurposeRecoverAccount, notify.SMS, p, e.queryID(q)), clientIP)
}

// RecoveredAccount is one account of an approved enterprise recovery.
type RecoveredAccount struct {
	// AccountID is the account's ID.
	AccountID string
	// LoginMethods are the account's login methods.
	LoginMethods []account.Method
	// LoginEmail is the masked login email, when the account has one.
	LoginEmail string
	// Enterprise is the masked enterprise name.
	Enterprise string
	// CreditCode is the masked credit code.
	CreditCode string
	// LegalPerson is the masked legal person's name.
	LegalPerson string
}

// EnterpriseResult is the result of an enterprise recovery.
type EnterpriseResult struct {
	// Status is StepSubmitted (still in review), StepApproved or
	// StepRejected.
	Status string
	// Note is the reviewer's note.
	Note string
	// Accounts lists the recovered accounts of an approved recovery.
	Accounts []RecoveredAccount
	// Grant, set by the first look-up of an approved result only, opens
	// the allowances of AddLoginEmail and SwitchToSMS on the listed
	// accounts until GrantExpiresAt. Keep it secret.
	Grant string
	// GrantExpiresAt is when the allowances end.
	GrantExpiresAt time.Time
}

// Result looks up the result of an enterprise recovery with its query
// code, its contact phone and the SMS code SendQueryCode sent. A wrong
// code counts under ScopeRecoveryQuery (per query code); a right code for
// a pair that names no flow is reason.RecoveryQueryInvalid. Each SMS code
// serves one look-up: of concurrent look-ups with one code, exactly one
// gets the result, and only the first look-up of an approved result opens
// the allowances and returns the grant.
func (e *Enterprise) Result(ctx context.Context, q EnterpriseQuery) (EnterpriseResult, error) {
	f := e.f
	query, err := parseQueryCode(q.QueryCode)
	if err != nil {
		return EnterpriseResult{}, err
	}
	p, err := checkPhone("phone", q.Phone)
	if err != nil {
		return EnterpriseResult{}, err
	}
	qid := e.queryID(query)
	if err := f.verifyCode(ctx, ScopeRecoveryQuery, qid, codeTarget(notify.PurposeRecoverAccount, notify.SMS, p, qid), q.Code); err != nil {
		return EnterpriseResult{}, f.refused(ctx, entScope, "", qid, "result", err)
	}
	qdoc, found, err := f.loadDoc(ctx, qid)
	if err != nil {
		return EnterpriseResult{}, err
	}
	invalid := func() error {
		return f.refused(ctx, entScope, "", qid, "result", reason.New(reason.RecoveryQueryInvalid))
	}
	if !found {
		return EnterpriseResult{}, invalid()
	}
	rd, _ := codec.Read(qdoc.Data)
	id := strings.Clone(rd.String())
	if rd.Err() != nil {
		return EnterpriseResult{}, reason.Store(codec.ErrCorrupt)
	}
	doc, found, err := f.loadDoc(ctx, id)
	if err != nil {
		return EnterpriseResult{}, err
	}
	if !found {
		return EnterpriseResult{}, invalid()
	}
	d, err := decodeEnt(doc.Data)
	if err != nil {
		return EnterpriseResult{}, reason.Store(err)
	}
	if d.phone != p {
		return EnterpriseResult{}, invalid()
	}
	res := EnterpriseResult{Status: d.step, Note: d.note}
	if d.step != StepApproved {
		f.emit(ctx, event.RecoveryResultViewed, entScope, "", subject(id), map[string]string{"decision": d.step})
		return res, nil
	}
	for _, aid := range d.matches {
		a, err := f.accounts.Account(ctx, aid)
		if reason.CodeOf(err) == reason.AccountNotFound {
			continue
		}
		if err != nil {
			return EnterpriseResult{}, err
		}
		ra := RecoveredAccount{
			AccountID: a.ID, Enterprise: a.RealName.MaskedName(), CreditCode: a.RealName.MaskedNumber,
			LegalPerson: account.MaskName(a.RealName.LegalPersonName),
		}
		for _, lm := range a.LoginMethods {
			ra.LoginMethods = append(ra.LoginMethods, lm.Method)
		}
		if em := a.LoginEmail(); em != "" {
			ra.LoginEmail = account.MaskEmail(em)
		}
		res.Accounts = append(res.Accounts, ra)
	}
	if !d.granted {
		grant, until, err := e.openAllowances(ctx, id, doc.Version, d)
		switch {
		case err == nil:
			res.Grant, res.GrantExpiresAt = grant, until
		case reason.CodeOf(err) != reason.RecoveryChangedMeanwhile:
			return EnterpriseResult{}, err
		}
	}
	f.emit(ctx, event.RecoveryResultViewed, entScope, "", subject(id), map[string]string{
		"decision": d.step, "accounts": strconv.Itoa(len(res.Accounts)), "grant": strconv.FormatBool(res.Grant != ""),
	})
	return res, nil
}
