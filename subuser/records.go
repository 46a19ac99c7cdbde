package subuser

import (
	"github.com/accountsec/accountsec/internal/codec"
)

// The format version of every payload of this package.
const formatV1 = 1

// The names under which the package keeps its state (keyed-hash scopes of
// the IDs, and the record set of the review list).
const (
	scopeEnterprise  = "subuser-ent"  // document per account: its enterprise and scope
	scopeCorp        = "subuser-corp" // document per enterprise: the account it is linked to
	scopeLink        = "subuser-link" // single-use record per link token
	scopeApplication = "subuser-app"  // document per (account, enterprise, member)
	scopeOwner       = "subuser-own"  // owner of an account's review list
	setPending       = "subuser-pending"
)

// encodeUnits writes units as their IDs, then their names.
func encodeUnits(w *codec.Writer, us []Unit) {
	ids, names := make([]string, len(us)), make([]string, len(us))
	for i, u := range us {
		ids[i], names[i] = u.ID, u.Name
	}
	w.Strings(ids)
	w.Strings(names)
}

func decodeUnits(r *codec.Reader) ([]Unit, bool) {
	ids, names := r.Strings(), r.Strings()
	if len(ids) != len(names) {
		return nil, false
	}
	var out []Unit
	for i := range ids {
		out = append(out, Unit{ID: ids[i], Name: names[i]})
	}
	return out, true
}

func encodeEnterprise(e Enterprise) []byte {
	w := codec.NewWriter(formatV1, 256)
	w.String(e.AccountID)
	w.String(e.CorpID)
	w.String(e.CorpName)
	w.String(e.AdminUserID)
	w.String(e.LinkedBy)
	w.Time(e.LinkedAt)
	encodeUnits(w, e.Scope.Departments)
	encodeUnits(w, e.Scope.Members)
	w.Time(e.ScopeSetAt)
	return w.Done()
}

func decodeEnterprise(p []byte) (Enterprise, error) {
	r, v := codec.NewReader(p)
	e := Enterprise{
		AccountID: r.String(), CorpID: r.String(), CorpName: r.String(), AdminUserID: r.String(),
		LinkedBy: r.String(), LinkedAt: r.Time(),
	}
	var ok1, ok2 bool
	e.Scope.Departments, ok1 = decodeUnits(r)
	e.Scope.Members, ok2 = decodeUnits(r)
	e.ScopeSetAt = r.Time()
	if !ok1 || !ok2 {
		return Enterprise{}, unexpected("corrupt enterprise record")
	}
	return e, check(r, v)
}

func encodeCorp(accountID string) []byte {
	w := codec.NewWriter(formatV1, len(accountID)+2)
	w.String(accountID)
	return w.Done()
}

func decodeCorp(p []byte) (string, error) {
	r, v := codec.NewReader(p)
	id := r.String()
	return id, check(r, v)
}

// linkRecord is what a link's single-use record holds.
type linkRecord struct {
	accountID, corpID, by string
	kind                  LinkKind
}

func encodeLink(l linkRecord) []byte {
	w := codec.NewWriter(formatV1, 96)
	w.String(l.accountID)
	w.String(l.corpID)
	w.String(string(l.kind))
	w.String(l.by)
	return w.Done()
}

func decodeLink(p []byte) (linkRecord, error) {
	r, v := codec.NewReader(p)
	l := linkRecord{accountID: r.String(), corpID: r.String(), kind: LinkKind(r.String()), by: r.String()}
	return l, check(r, v)
}

func encodeApplication(a Application) []byte {
	w := codec.NewWriter(formatV1, 256)
	w.String(a.ID)
	w.String(a.AccountID)
	w.String(a.CorpID)
	w.String(a.MemberID)
	w.String(a.MemberName)
	w.Bool(a.MemberAdmin)
	w.String(string(a.Kind))
	w.String(string(a.State))
	w.Time(a.AppliedAt)
	w.Time(a.DecidedAt)
	w.String(a.DecidedBy)
	w.Strings(a.Grant.Policies)
	w.Strings(a.Grant.Groups)
	w.Bool(a.Grant.CAMAdmin)
	w.String(a.SubUserID)
	w.String(a.Note)
	return w.Done()
}

func decodeApplication(p []byte) (Application, error) {
	r, v := codec.NewReader(p)
	a := Application{
		ID: r.String(), AccountID: r.String(), CorpID: r.String(), MemberID: r.String(),
		MemberName: r.String(), MemberAdmin: r.Bool(), Kind: LinkKind(r.String()), State: State(r.String()),
		AppliedAt: r.Time(), DecidedAt: r.Time(), DecidedBy: r.String(),
	}
	a.Grant.Policies = r.Strings()
	a.Grant.Groups = r.Strings()
	a.Grant.CAMAdmin = r.Bool()
	a.SubUserID = r.String()
	a.Note = r.String()
	return a, check(r, v)
}

func check(r *codec.Reader, v byte) error {
	if err := r.Err(); err != nil {
		return unexpected("corrupt record: %v", err)
	}
	if v != formatV1 {
		return unexpected("record of unknown format %d", v)
	}
	return nil
}
