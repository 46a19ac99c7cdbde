package recovery

import (
	"context"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/accountsec/accountsec/account"
	"github.com/accountsec/accountsec/event"
	"github.com/accountsec/accountsec/internal/codec"
	"github.com/accountsec/accountsec/reason"
	"github.com/accountsec/accountsec/state"
)

// The review queue: one record per pending item in set "review", owner
// "pending", ID the item's ID; the record expires with the item's review
// time (FlowPolicy.ReviewTTL).
const (
	setReview   = "review"
	ownerReview = "pending"
	reviewV1    = byte(1)
)

// The kinds of review items.
const (
	// KindEnterprise is an enterprise recovery.
	KindEnterprise = "enterprise"
	// KindAppeal is a login appeal.
	KindAppeal = "appeal"
)

const kindEnterprise, kindAppeal = KindEnterprise, KindAppeal

// MaxNoteLen is the longest reviewer's note, in Unicode characters, and
// MaxReviewerBytes the longest reviewer name.
const (
	MaxNoteLen       = 500
	MaxReviewerBytes = 128
)

// Review is the host's back office for the enterprise recoveries and
// appeals waiting for a person: list them, approve or reject each with a
// note. The host needs no store access. Every decision is a
// compare-and-set of the item's document, so of concurrent decisions on
// one item exactly one takes effect; the others get
// reason.RecoveryAlreadyDecided. Each decision emits RecoveryDecided with
// the reviewer's name.
type Review struct{ f *flows }

// ReviewItem is one item waiting for review.
type ReviewItem struct {
	// ID names the item in Decide.
	ID string
	// Kind is KindEnterprise or KindAppeal.
	Kind string
	// SubmittedAt is when the user submitted it.
	SubmittedAt time.Time
	// ExpiresAt is when it leaves the queue undecided.
	ExpiresAt time.Time
	// Reason is the user's reason (one of the fixed list).
	Reason string
	// Company is an enterprise recovery's company name.
	Company string
	// CreditCode is its credit code (a public registry number).
	CreditCode string
	// LegalPerson is its legal person's name, masked.
	LegalPerson string
	// Matches lists the accounts the company's data matched; empty when it
	// matched none (the user was told nothing of it).
	Matches []string
	// AccountID is an appeal's account.
	AccountID string
	// LoginEmail is an appeal's new login email, masked.
	LoginEmail string
	// SecurityPhone is an appeal's new security phone, masked, when it
	// asked for SMS protection.
	SecurityPhone string
	// ContactPhone is the masked contact phone that gets the result.
	ContactPhone string
	// Manual says that an appeal needs a person's decision (it cannot be
	// approved automatically); ManualReason says why ("mfa_phone_lost":
	// the account has MFA login and no new phone, so approving it needs
	// Decision.RemoveMFA).
	Manual bool
	// ManualReason is why Manual is set.
	ManualReason string
}

// Decision is a reviewer's decision on one item.
type Decision struct {
	// ID is ReviewItem.ID.
	ID string
	// Reviewer names the person deciding (for the audit event). Required.
	Reviewer string
	// Approve approves the item; false rejects it.
	Approve bool
	// Note is shown to the user with the result.
	Note string
	// RemoveMFA turns MFA off on approval of an appeal marked
	// "mfa_phone_lost"; such an appeal cannot be approved without it, and
	// no other item takes it.
	RemoveMFA bool
}

// enqueue adds the item to the review queue.
func (f *flows) enqueue(ctx context.Context, kind, docID string, now time.Time) error {
	w := codec.NewWriter(reviewV1, len(kind)+len(docID)+4)
	w.String(kind)
	w.String(docID)
	err := f.store.PutRecord(ctx, state.Record{
		Set: setReview, Owner: ownerReview, ID: reviewItemID(docID), Data: w.Done(),
		Order: now.UnixMilli(), ExpiresAt: now.Add(f.policy.ReviewTTL),
	}, 0, now)
	if err != nil {
		return reason.Store(err)
	}
	return nil
}

// reviewItemID is the queue ID of a flow document: its keyed tag, which
// is printable and names no user input.
func reviewItemID(docID string) string { return docID }

// dequeue removes the item from the queue.
func (f *flows) dequeue(ctx context.Context, docID string) {
	_, _ = f.store.DeleteRecord(ctx, setReview, ownerReview, reviewItemID(docID), f.now())
}

// Pending lists the items waiting for review, oldest first.
func (r *Review) Pending(ctx context.Context) ([]ReviewItem, error) {
	f := r.f
	recs, err := f.store.ListRecords(ctx, setReview, ownerReview, f.now())
	if err != nil {
		return nil, reason.Store(err)
	}
	out := make([]ReviewItem, 0, len(recs))
	for _, rec := range recs {
		it, ok, err := r.item(ctx, rec)
		if err != nil {
			return nil, err
		}
		if ok {
			out = append(out, it)
		}
	}
	return out, nil
}

// item reads the item of a queue record.
func (r *Review) item(ctx context.Context, rec state.Record) (ReviewItem, bool, error) {
	rd, _ := codec.Read(rec.Data)
	kind, docID := strings.Clone(rd.String()), strings.Clone(rd.String())
	if rd.Err() != nil {
		return ReviewItem{}, false, reason.Store(codec.ErrCorrupt)
	}
	it := ReviewItem{ID: rec.ID, Kind: kind, ExpiresAt: rec.ExpiresAt, SubmittedAt: time.UnixMilli(rec.Order).UTC()}
	doc, found, err := r.f.loadDoc(ctx, docID)
	if err != nil || !found {
		return ReviewItem{}, false, err
	}
	switch kind {
	case kindEnterprise:
		d, err := decodeEnt(doc.Data)
		if err != nil {
			return ReviewItem{}, false, reason.Store(err)
		}
		it.Reason, it.Company, it.CreditCode = d.reason, d.company, d.creditCode
		it.LegalPerson, it.Matches, it.ContactPhone = maskName(d.legalName), d.matches, maskPhone(d.phone)
	case kindAppeal:
		d, err := decodeAppeal(doc.Data)
		if err != nil {
			return ReviewItem{}, false, reason.Store(err)
		}
		it.Reason, it.AccountID, it.LoginEmail = d.reason, d.accountID, maskEmail(d.email)
		it.SecurityPhone, it.ContactPhone = maskPhone(d.securityPhone), maskPhone(d.contactPhone)
		it.Manual, it.ManualReason = d.manualReason != "", d.manualReason
	default:
		return ReviewItem{}, false, reason.Store(codec.ErrCorrupt)
	}
	return it, true, nil
}

// Decide records a reviewer's decision on a pending item and applies it:
// an approved appeal binds its new login email (and the SMS protection or
// the MFA removal it asked for) and ends the account's sessions; the
// result goes to the contact phone. It returns the item as it was.
//
// It refuses, changing nothing: an empty reviewer or ID, a note over
// MaxNoteLen characters (input errors); an unknown item or one no longer
// pending (reason.RecoveryAlreadyDecided); approving an appeal marked
// "mfa_phone_lost" without RemoveMFA, or RemoveMFA on another item
// (reason.RecoveryRemoveMFARequired, input.malformed). If applying an
// approval fails, the decision stays recorded, the item stays listed and
// Decide answers reason.RecoveryApplyFailed wrapping the cause; deciding
// it again (after ApplyLease) applies it again.
func (r *Review) Decide(ctx context.Context, d Decision) (ReviewItem, error) {
	f := r.f
	switch {
	case d.ID == "":
		return ReviewItem{}, reason.New(reason.InputEmpty).With("field", "id")
	case state.CheckKey("id", d.ID) != nil:
		return ReviewItem{}, reason.New(reason.InputMalformed).With("field", "id")
	case strings.TrimSpace(d.Reviewer) == "":
		return ReviewItem{}, reason.New(reason.InputEmpty).With("field", "reviewer")
	case len(d.Reviewer) > MaxReviewerBytes:
		return ReviewItem{}, reason.New(reason.InputTooLong).With("field", "reviewer").With("max", MaxReviewerBytes)
	case !utf8.ValidString(d.Reviewer) || !utf8.ValidString(d.Note):
		return ReviewItem{}, reason.New(reason.InputInvalidUTF8).With("field", "note")
	case utf8.RuneCountInString(d.Note) > MaxNoteLen:
		return ReviewItem{}, reason.New(reason.InputTooLong).With("field", "note").With("max", MaxNoteLen)
	}
	rec, found, err := f.store.GetRecord(ctx, setReview, ownerReview, d.ID, f.now())
	if err != nil {
		return ReviewItem{}, reason.Store(err)
	}
	if !found {
		return ReviewItem{}, reason.New(reason.RecoveryAlreadyDecided)
	}
	it, ok, err := r.item(ctx, rec)
	if err != nil {
		return ReviewItem{}, err
	}
	if !ok {
		return ReviewItem{}, reason.New(reason.RecoveryAlreadyDecided)
	}
	rd, _ := codec.Read(rec.Data)
	_, docID := rd.String(), strings.Clone(rd.String())
	switch it.Kind {
	case kindEnterprise:
		if d.RemoveMFA {
			return ReviewItem{}, reason.New(reason.InputMalformed).With("field", "remove_mfa")
		}
		return it, r.decideEnterprise(ctx, docID, d)
	default:
		return it, f.decideAppeal(ctx, docID, d)
	}
}

// decided emits the audit event of a decision.
func (f *flows) decided(ctx context.Context, kind, accountID, docID string, d Decision) {
	decision := StepRejected
	if d.Approve {
		decision = StepApproved
	}
	f.emit(ctx, event.RecoveryDecided, "review", accountID, docID, map[string]string{
		"kind": kind, "reviewer": d.Reviewer, "decision": decision,
		"note_len": strconv.Itoa(utf8.RuneCountInString(d.Note)), "remove_mfa": strconv.FormatBool(d.RemoveMFA),
	})
}

// decideEnterprise decides an enterprise recovery.
func (r *Review) decideEnterprise(ctx context.Context, docID string, d Decision) error {
	f := r.f
	doc, found, err := f.loadDoc(ctx, docID)
	if err != nil {
		return err
	}
	if !found {
		return reason.New(reason.RecoveryAlreadyDecided)
	}
	e, err := decodeEnt(doc.Data)
	if err != nil {
		return reason.Store(err)
	}
	if e.step != StepSubmitted {
		return reason.New(reason.RecoveryAlreadyDecided)
	}
	e.step = StepRejected
	if d.Approve {
		e.step = StepApproved
	}
	e.reviewer, e.note, e.decidedAt = d.Reviewer, d.Note, f.now()
	if err := f.putDoc(ctx, docID, doc.Version+1, e.encode()); err != nil {
		return reason.New(reason.RecoveryAlreadyDecided)
	}
	f.dequeue(ctx, docID)
	f.decided(ctx, kindEnterprise, "", docID, d)
	f.notice(ctx, e.phone, "", kindEnterprise, e.step)
	return nil
}

// Local masks, tolerant of empty values.
func maskPhone(p string) string {
	if p == "" {
		return ""
	}
	return account.MaskPhone(p)
}

func maskEmail(e string) string {
	if e == "" {
		return ""
	}
	return account.MaskEmail(e)
}

func maskName(n string) string {
	if n == "" {
		return ""
	}
	return account.MaskName(n)
}
