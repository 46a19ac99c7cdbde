package lifecycle

import (
	"slices"
	"time"

	"github.com/accountsec/accountsec/account"
	"github.com/accountsec/accountsec/internal/codec"
)

// record is the stored application. Its contacts are kept only from the
// moment the cancellation becomes irreversible (the account, which holds
// them, is deleted before the result is sent) until the result is sent.
type record struct {
	version        int64 // the document's version; not encoded
	accountID      string
	status         Status
	appliedAt      time.Time
	confirmed      []string
	reasons        []string
	otherReason    string
	remark         string
	abandoned      []string
	restricted     bool
	coolingUntil   time.Time
	realName       string
	ticket         string // the host's face ticket, while a face check runs
	reviewDeadline time.Time
	reviewer       string
	reviewNote     string
	endedAt        time.Time
	phone          string // security phone, while completing
	email          string // security email, while completing
	smsSent        bool
	emailSent      bool
}

// recordFormat is the payload's format version.
const recordFormat = 1

func (r record) encode() []byte {
	w := codec.NewWriter(recordFormat, 256+len(r.otherReason)+len(r.remark)+len(r.reviewNote)+64*len(r.abandoned))
	w.String(r.accountID)
	w.String(string(r.status))
	w.Time(r.appliedAt)
	w.Strings(r.confirmed)
	w.Strings(r.reasons)
	w.String(r.otherReason)
	w.String(r.remark)
	w.Strings(r.abandoned)
	w.Bool(r.restricted)
	w.Time(r.coolingUntil)
	w.String(r.realName)
	w.String(r.ticket)
	w.Time(r.reviewDeadline)
	w.String(r.reviewer)
	w.String(r.reviewNote)
	w.Time(r.endedAt)
	w.String(r.phone)
	w.String(r.email)
	w.Bool(r.smsSent)
	w.Bool(r.emailSent)
	return w.Done()
}

func decode(p []byte) (record, error) {
	rd, v := codec.NewReader(p)
	if v != recordFormat {
		return record{}, codec.ErrCorrupt
	}
	// Strings share the payload; copy them, as the record outlives it.
	s := func() string { return string([]byte(rd.String())) }
	ss := func() []string {
		in := rd.Strings()
		if len(in) == 0 {
			return nil
		}
		out := make([]string, len(in))
		for i, x := range in {
			out[i] = string([]byte(x))
		}
		return out
	}
	r := record{
		accountID:      s(),
		status:         Status(s()),
		appliedAt:      rd.Time(),
		confirmed:      ss(),
		reasons:        ss(),
		otherReason:    s(),
		remark:         s(),
		abandoned:      ss(),
		restricted:     rd.Bool(),
		coolingUntil:   rd.Time(),
		realName:       s(),
		ticket:         s(),
		reviewDeadline: rd.Time(),
		reviewer:       s(),
		reviewNote:     s(),
		endedAt:        rd.Time(),
		phone:          s(),
		email:          s(),
		smsSent:        rd.Bool(),
		emailSent:      rd.Bool(),
	}
	if err := rd.Err(); err != nil {
		return record{}, err
	}
	return r, nil
}

func (r record) clone() record {
	r.confirmed = slices.Clone(r.confirmed)
	r.reasons = slices.Clone(r.reasons)
	r.abandoned = slices.Clone(r.abandoned)
	return r
}

// view is the record as the host reads it.
func (r record) view() Cancellation {
	c := Cancellation{
		AccountID: r.accountID, Status: r.status, AppliedAt: r.appliedAt,
		OtherReason: r.otherReason, Remark: r.remark, Abandoned: slices.Clone(r.abandoned),
		Restricted: r.restricted, CoolingOffUntil: r.coolingUntil,
		RealName: account.RealNameStatus(r.realName), FaceStarted: r.ticket != "",
		ReviewDeadline: r.reviewDeadline, Reviewer: r.reviewer, ReviewNote: r.reviewNote,
		EndedAt: r.endedAt, Version: r.version,
	}
	for _, x := range r.confirmed {
		c.Confirmed = append(c.Confirmed, Condition(x))
	}
	for _, x := range r.reasons {
		c.Reasons = append(c.Reasons, Reason(x))
	}
	return c
}
