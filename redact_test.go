package accountsec_test

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"sort"
	"strings"
	"testing"
	"unsafe"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/accountsec/accountsec"
	"github.com/accountsec/accountsec/account"
	"github.com/accountsec/accountsec/account/password"
	"github.com/accountsec/accountsec/event"
	"github.com/accountsec/accountsec/fakes"
	"github.com/accountsec/accountsec/internal/codec"
	"github.com/accountsec/accountsec/internal/keyhash"
	"github.com/accountsec/accountsec/internal/proof"
	"github.com/accountsec/accountsec/lifecycle"
	"github.com/accountsec/accountsec/limits"
	"github.com/accountsec/accountsec/mfa"
	"github.com/accountsec/accountsec/notify"
	"github.com/accountsec/accountsec/protection"
	"github.com/accountsec/accountsec/reason"
	"github.com/accountsec/accountsec/recovery"
	"github.com/accountsec/accountsec/state"
	"github.com/accountsec/accountsec/store/memstore"
	"github.com/accountsec/accountsec/subuser"
	"github.com/accountsec/accountsec/vocab"
	"github.com/accountsec/accountsec/web"
)

// modulePath is the core module's path, moduleRoot its directory.
const (
	modulePath = "github.com/accountsec/accountsec"
	moduleRoot = "."
)

// everyStruct holds one zero value of every exported struct type of the
// core module. TestRedactCoversEveryType fails when a type is missing, so a
// new type cannot escape the checks below.
var everyStruct = []any{
	accountsec.Config{}, accountsec.Deps{}, accountsec.PasswordResult{}, accountsec.Service{},

	account.Account{}, account.Binding{}, account.Config{}, account.Contact{}, account.Credential{},
	account.EnterpriseIdentity{}, account.LoginEmailChange{}, account.LoginMethod{}, account.MFAFallback{},
	account.Password{}, account.PasswordChange{}, account.PasswordReset{}, account.PersonalIdentity{},
	account.ProfileChange{}, account.RandomIDs{}, account.RealName{}, account.Registration{},
	account.SecurityChange{}, account.SecurityEmailChange{}, account.SecuritySettings{}, account.Service{},
	account.Slot{}, account.Take{}, account.UnbindBlockedError{}, account.WriteResult{},
	account.AccountException{}, account.IdentifierException{}, account.QuotaRaise{},

	password.Hasher{}, password.HasherConfig{}, password.Params{}, password.Policy{},

	event.Event{},

	fakes.Clock{}, fakes.CounterStore{}, fakes.Events{}, fakes.Faults{}, fakes.Geo{},
	fakes.HostVerifier{}, fakes.MFA{}, fakes.Outbox{}, fakes.StateStore{},
	fakes.Sequence{}, fakes.AccountStore{}, fakes.CodeStore{},
	fakes.Assets{}, fakes.IdentityFaces{},

	codec.Reader{}, codec.Writer{}, keyhash.Hasher{}, proof.Proof{},

	limits.Attempt{}, limits.Config{}, limits.Counter{}, limits.Limiter{}, limits.LockedError{},
	limits.Lockout{}, limits.Policy{}, limits.Quotas{}, limits.RateLimitedError{}, limits.Reservation{},
	limits.Send{}, limits.SendLimiter{}, limits.Status{},

	mfa.BackupCodes{}, mfa.Config{}, mfa.Device{}, mfa.Enrolment{}, mfa.HardwareToken{}, mfa.Manager{},
	mfa.PNGRenderer{}, mfa.Policy{}, mfa.Sealed{}, mfa.StaticKeyring{}, mfa.UnbindReport{}, mfa.Usage{},
	mfa.Verification{},

	notify.CodePolicy{}, notify.CodeRecord{}, notify.Codes{}, notify.CodesConfig{}, notify.Message{},
	notify.Sent{}, notify.Target{},

	protection.AnswerRequest{}, protection.Catalog{}, protection.Challenge{}, protection.ChallengeRecord{},
	protection.CompleteRequest{}, protection.Config{}, protection.HostChallenge{}, protection.LoginCity{},
	protection.LoginRequest{}, protection.LoginResult{}, protection.Manager{}, protection.Operation{},
	protection.Options{}, protection.Pending{}, protection.PendingLogin{}, protection.Policy{},
	protection.Profile{}, protection.Session{}, protection.Settings{}, protection.SettingsChange{},
	protection.StartRequest{}, protection.ThirdPartyLogin{}, protection.TrustedDevice{},
	protection.Verification{},

	reason.Error{},

	recovery.Completed{}, recovery.Completion{}, recovery.PendingReset{}, recovery.ResetConfig{}, recovery.ResetPolicy{},
	recovery.Resets{},
	recovery.FaceCheck{}, recovery.FindConfig{}, recovery.FindPolicy{}, recovery.FindResult{},
	recovery.FindSent{}, recovery.FindStarted{}, recovery.Finder{}, recovery.FoundAccount{},
	recovery.MaskedRealName{},

	state.Document{}, state.Once{}, state.Record{},

	memstore.AccountStore{}, memstore.Store{},

	vocab.VerificationRequiredError{},

	account.Restore{},

	recovery.AppealLoginEmail{}, recovery.AppealStart{}, recovery.Appeals{}, recovery.Decision{},
	recovery.Enterprise{}, recovery.EnterpriseQuery{}, recovery.EnterpriseResult{}, recovery.EnterpriseStart{},
	recovery.FlowPolicy{}, recovery.FlowState{}, recovery.Flows{}, recovery.FlowsConfig{},
	recovery.LoginEmailAllowance{}, recovery.Person{}, recovery.RecoveredAccount{}, recovery.Review{},
	recovery.ReviewItem{}, recovery.SMSAllowance{},

	subuser.Application{}, subuser.Config{}, subuser.Enterprise{}, subuser.Grant{}, subuser.GrantRequest{},
	subuser.Link{}, subuser.LinkRequest{}, subuser.Manager{}, subuser.Member{}, subuser.Notice{},
	subuser.Policy{}, subuser.Scope{}, subuser.Unit{}, fakes.WeCom{},

	lifecycle.Application{}, lifecycle.Cancellation{}, lifecycle.CheckReport{}, lifecycle.Config{},
	lifecycle.Dates{}, lifecycle.IdentityCheck{}, lifecycle.Inventory{}, lifecycle.Manager{},
	lifecycle.Policy{}, lifecycle.Resource{}, lifecycle.Weekends{},

	web.Cookies{}, web.Handler{}, web.Options{}, web.Problem{}, web.ProblemItem{}, web.Route{},
}

// secretFields names, per struct type ("package.Type", the package as a
// path in the module), the fields whose contents must never print:
// exported or not, and whatever they hold.
var secretFields = map[string][]string{
	"accountsec.Config":         {"Secret"},
	"accountsec.PasswordResult": {"Rehash"},

	"account.Binding":             {"Password", "Confirm", "Code"},
	"account.Config":              {"Secret"},
	"account.Credential":          {"Hash"},
	"account.EnterpriseIdentity":  {"LegalPersonID"},
	"account.LoginEmailChange":    {"Password", "Confirm", "Code"},
	"account.Password":            {"Hash", "History"},
	"account.PasswordChange":      {"Old", "New", "Confirm"},
	"account.PasswordReset":       {"New"},
	"account.PersonalIdentity":    {"IDNumber"},
	"account.RealName":            {"NumberHash", "LegalPersonHash"},
	"account.Registration":        {"Password", "Code"},
	"account.SecurityEmailChange": {"Code"},

	"fakes.HostVerifier": {"tickets"},
	"fakes.MFA":          {"codes"},

	"limits.Config": {"Secret"},

	"mfa.BackupCodes":   {"codes"},
	"mfa.Config":        {"Secret"},
	"mfa.Enrolment":     {"uri", "key", "qr"},
	"mfa.HardwareToken": {"Seed"},
	"mfa.Sealed":        {"Ciphertext"},
	"mfa.StaticKeyring": {"keys"},

	"notify.CodeRecord":  {"Hash"},
	"notify.CodesConfig": {"Secret"},
	"notify.Message":     {"Code"},

	"protection.AnswerRequest":   {"Challenge", "Answer"},
	"protection.Challenge":       {"ID"},
	"protection.ChallengeRecord": {"Ticket"},
	"protection.CompleteRequest": {"PendingToken", "Challenge", "Answer"},
	"protection.Config":          {"Secret"},
	"protection.HostChallenge":   {"Ticket"},
	"protection.LoginRequest":    {"Password", "DeviceToken"},
	"protection.LoginResult":     {"Token", "DeviceToken"},
	"protection.Pending":         {"Token"},
	"protection.ThirdPartyLogin": {"DeviceToken"},

	"recovery.Completion":  {"Token", "New", "Confirm"},
	"recovery.ResetConfig": {"Secret"},
	"recovery.FindConfig":  {"Secret"},
	"recovery.FindStarted": {"Token"},

	"fakes.IdentityFaces": {"tickets", "people"},

	"subuser.Config": {"Secret"},
	"subuser.Link":   {"Token"},

	"lifecycle.Config": {"Secret"},

	"account.Restore":              {"PasswordHash"},
	"recovery.AppealLoginEmail":    {"Password", "Confirm", "Code"},
	"recovery.AppealStart":         {"IDNumber", "Code"},
	"recovery.EnterpriseQuery":     {"QueryCode", "Code"},
	"recovery.EnterpriseResult":    {"Grant"},
	"recovery.FlowState":           {"Ref"},
	"recovery.FlowsConfig":         {"Secret"},
	"recovery.LoginEmailAllowance": {"Grant", "Password", "Confirm", "Code"},
	"recovery.Person":              {"IDNumber"},
	"recovery.SMSAllowance":        {"Grant", "Code"},

	// The payloads are encoded records, some of which hold secrets (a
	// host's ticket, for one).
	"state.Document": {"Data"},
	"state.Once":     {"Data"},
	"state.Record":   {"Data"},

	"store/memstore.codeEntry": {"hash"},
}

// notSecret lists the fields whose names look secret (secretName) but whose
// contents are not, each with the reason.
var notSecret = map[string]string{
	"account.Account.Password":              "an account.Password, which redacts its own hashes",
	"account.Config.Codes":                  "the code sender",
	"account.Config.Hasher":                 "the password hasher, printed as a pointer",
	"account.Config.Password":               "the password policy",
	"account.EnterpriseIdentity.CreditCode": "the unified social credit code, a public registry number",
	"account.Service.codes":                 "the code sender",
	"account.Service.hasher":                "the password hasher, printed as a pointer",
	"account.Service.keys":                  "the keyed hasher, printed as a pointer",
	"account/password.Params.KeyLen":        "a length",
	"accountsec.Config.Codes":               "the code policy",
	"accountsec.Config.Hashing":             "the hashing parameters",
	"accountsec.Config.Password":            "the password policy",
	"accountsec.Deps.Codes":                 "the code store",
	"accountsec.Deps.Keyring":               "an interface; mfa.StaticKeyring redacts its keys",
	"accountsec.Service.Codes":              "the code service",
	"accountsec.Service.PasswordPolicy":     "the password policy",
	"accountsec.Service.Passwords":          "the password hasher",
	"limits.Attempt.key":                    "the keyed hash of the subject, the counter's store key",
	"limits.base.keys":                      "the keyed hasher, printed as a pointer",
	"mfa.Config.Keyring":                    "an interface; mfa.StaticKeyring redacts its keys",
	"mfa.Manager.keyring":                   "an interface; mfa.StaticKeyring redacts its keys",
	"mfa.Manager.keys":                      "the keyed hasher, printed as a pointer",
	"mfa.Policy.BackupCodes":                "a count",
	"mfa.Policy.SecretBytes":                "a length",
	"mfa.Sealed.KeyID":                      "a key ID",
	"notify.Codes.keys":                     "the keyed hasher, printed as a pointer",
	"protection.Config.Codes":               "the code sender",
	"protection.Config.Passwords":           "the password verifier",
	"protection.Manager.codes":              "the code sender",
	"protection.Manager.keys":               "the keyed hasher, printed as a pointer",
	"reason.Error.Code":                     "a reason code",
	"web.Problem.Code":                      "a reason code",
	"web.ProblemItem.Code":                  "a reason code",
	"recovery.Resets.keys":                  "the keyed hasher, printed as a pointer",
	"recovery.Finder.keys":                  "the keyed hasher, printed as a pointer",
	"subuser.Manager.keys":                  "the keyed hasher, printed as a pointer",
	"lifecycle.Manager.keys":                "the keyed hasher, printed as a pointer",
	"recovery.flows.keys":                   "the keyed hasher, printed as a pointer",
	"recovery.flows.codes":                  "the code sender",
	"recovery.FlowsConfig.Codes":            "the code sender",
	"recovery.RecoveredAccount.CreditCode":  "the masked credit code, a public registry number",
	"recovery.EnterpriseStart.CreditCode":   "the unified social credit code, a public registry number",
	"recovery.ReviewItem.CreditCode":        "the unified social credit code, a public registry number",
	"store/memstore.Store.codes":            "the code table: its entries' hashes are secret",
}

// secretName matches the field names that look secret.
var secretName = regexp.MustCompile(`(?i)password|secret|token|code|answer|seed|key|ticket|hash|backup`)

// typeKey names t as "package.Type", the package as its path in the module
// ("accountsec" for the root).
func typeKey(t reflect.Type) string {
	pkg := strings.TrimPrefix(strings.TrimPrefix(t.PkgPath(), modulePath), "/")
	if pkg == "" {
		pkg = "accountsec"
	}
	return pkg + "." + t.Name()
}

func inModule(t reflect.Type) bool {
	return t.PkgPath() == modulePath || strings.HasPrefix(t.PkgPath(), modulePath+"/")
}

// parsedStructs returns the key of every exported, non-generic struct type
// declared in the core module's sources (nested modules and tests left out).
func parsedStructs(t *testing.T) map[string]bool {
	t.Helper()
	found := map[string]bool{}
	err := filepath.WalkDir(moduleRoot, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if path == moduleRoot {
				return nil
			}
			if _, err := os.Stat(filepath.Join(path, "go.mod")); err == nil || strings.HasPrefix(d.Name(), ".") || d.Name() == "testdata" {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(moduleRoot, filepath.Dir(path))
		if err != nil {
			return err
		}
		pkg := filepath.ToSlash(rel)
		if pkg == "." {
			pkg = "accountsec"
		}
		for _, decl := range f.Decls {
			g, ok := decl.(*ast.GenDecl)
			if !ok || g.Tok != token.TYPE {
				continue
			}
			for _, s := range g.Specs {
				ts := s.(*ast.TypeSpec)
				if _, ok := ts.Type.(*ast.StructType); ok && ts.Name.IsExported() && ts.TypeParams == nil && !ts.Assign.IsValid() {
					found[pkg+"."+ts.Name.Name] = true
				}
			}
		}
		return nil
	})
	require.NoError(t, err)
	return found
}

func registry() map[string]reflect.Type {
	types := map[string]reflect.Type{}
	for _, v := range everyStruct {
		types[typeKey(reflect.TypeOf(v))] = reflect.TypeOf(v)
	}
	return types
}

func TestRedactCoversEveryType(t *testing.T) {
	parsed, types := parsedStructs(t), registry()
	require.NotEmpty(t, parsed)
	for name := range parsed {
		assert.Contains(t, types, name, "add a zero value of %s to everyStruct", name)
	}
	for name := range types {
		assert.Contains(t, parsed, name, "%s is not an exported struct of the module any more", name)
	}
	assert.Len(t, everyStruct, len(types), "everyStruct lists a type twice")
}

// structsReached returns every struct type of the module that a value of
// one of types can hold (through any field, exported or not, pointers,
// slices, arrays and maps).
func structsReached(types map[string]reflect.Type) map[string]reflect.Type {
	seen := map[string]reflect.Type{}
	var walk func(reflect.Type)
	walk = func(t reflect.Type) {
		switch t.Kind() {
		case reflect.Pointer, reflect.Slice, reflect.Array:
			walk(t.Elem())
		case reflect.Map:
			walk(t.Key())
			walk(t.Elem())
		case reflect.Struct:
			if !inModule(t) || seen[typeKey(t)] != nil {
				return
			}
			seen[typeKey(t)] = t
			for i := range t.NumField() {
				walk(t.Field(i).Type)
			}
		}
	}
	for _, t := range types {
		walk(t)
	}
	return seen
}

func TestRedactSecretFieldsAreListed(t *testing.T) {
	reached := structsReached(registry())
	for key, typ := range reached {
		secret := set(secretFields[key])
		for i := range typ.NumField() {
			name := typ.Field(i).Name
			if secretName.MatchString(name) && !secret[name] {
				_, reviewed := notSecret[key+"."+name]
				assert.True(t, reviewed, "%s.%s looks secret: add it to secretFields (and redact it) or to notSecret with the reason", key, name)
			}
		}
	}
	for key, names := range secretFields {
		typ, ok := reached[key]
		if !assert.True(t, ok, "secretFields names %s, which no checked value holds", key) {
			continue
		}
		for _, name := range names {
			_, ok := typ.FieldByName(name)
			assert.True(t, ok, "secretFields names %s.%s, which does not exist", key, name)
			assert.NotContains(t, notSecret, key+"."+name, "%s.%s is listed both as secret and not", key, name)
		}
	}
	for field, why := range notSecret {
		i := strings.LastIndex(field, ".")
		typ, ok := reached[field[:i]]
		if assert.True(t, ok, "notSecret names %s, whose type no checked value holds", field) {
			_, ok := typ.FieldByName(field[i+1:])
			assert.True(t, ok, "notSecret names %s, which does not exist", field)
		}
		assert.NotEmpty(t, why, "notSecret: say why %s is not secret", field)
		assert.True(t, secretName.MatchString(field[i+1:]), "notSecret lists %s, whose name does not look secret", field)
	}
}

func set(names []string) map[string]bool {
	s := make(map[string]bool, len(names))
	for _, n := range names {
		s[n] = true
	}
	return s
}

// marker is a unique text put in one field.
type marker struct {
	text   string
	field  string // "package.Type.Field"
	secret bool
	bytes  bool // in a []byte
}

// filler puts a marker in every string and []byte a value holds.
type filler struct{ markers []marker }

func (f *filler) next(field string, secret, bytes bool) string {
	m := fmt.Sprintf("MARKER-%s#%d#", field, len(f.markers))
	f.markers = append(f.markers, marker{text: m, field: field, secret: secret, bytes: bytes})
	return m
}

// fillStruct fills every field of the struct v (addressable), unexported
// ones too. Below a secret field everything is secret.
func (f *filler) fillStruct(v reflect.Value, secret, exported bool, depth int) {
	typ := v.Type()
	key := typeKey(typ)
	hidden := set(secretFields[key])
	for i := range typ.NumField() {
		sf := typ.Field(i)
		fv := v.Field(i)
		if !fv.CanSet() {
			fv = reflect.NewAt(sf.Type, unsafe.Pointer(fv.UnsafeAddr())).Elem()
		}
		f.fill(fv, key+"."+sf.Name, secret || hidden[sf.Name], exported && sf.IsExported(), depth+1)
	}
}

// fill fills v. Pointers are followed only along exported fields: fmt
// prints a pointer below an unexported field as an address.
func (f *filler) fill(v reflect.Value, field string, secret, exported bool, depth int) {
	if depth > 8 {
		return
	}
	switch v.Kind() {
	case reflect.String:
		v.SetString(f.next(field, secret, false))
	case reflect.Slice:
		if v.Type().Elem().Kind() == reflect.Uint8 {
			v.SetBytes([]byte(f.next(field, secret, true)))
			return
		}
		s := reflect.MakeSlice(v.Type(), 1, 1)
		f.fill(s.Index(0), field, secret, exported, depth+1)
		v.Set(s)
	case reflect.Array:
		if v.Len() > 0 && v.Type().Elem().Kind() != reflect.Uint8 {
			f.fill(v.Index(0), field, secret, exported, depth+1)
		}
	case reflect.Map:
		m := reflect.MakeMap(v.Type())
		k := reflect.New(v.Type().Key()).Elem()
		e := reflect.New(v.Type().Elem()).Elem()
		f.fill(k, field, secret, exported, depth+1)
		f.fill(e, field, secret, exported, depth+1)
		m.SetMapIndex(k, e)
		v.Set(m)
	case reflect.Pointer:
		if exported {
			p := reflect.New(v.Type().Elem())
			f.fill(p.Elem(), field, secret, exported, depth+1)
			v.Set(p)
		}
	case reflect.Interface:
		if v.NumMethod() == 0 {
			v.Set(reflect.ValueOf(f.next(field, secret, false)))
		}
	case reflect.Struct:
		if inModule(v.Type()) {
			f.fillStruct(v, secret, exported, depth)
		}
	}
}

// encodings are the forms a marker can print in: as text, quoted, in hex,
// in base64 (encoding/json's []byte), and as fmt prints a []byte's bytes.
func encodings(m marker) []string {
	b := []byte(m.text)
	out := []string{m.text, hex.EncodeToString(b)}
	if m.bytes {
		out = append(out,
			base64.StdEncoding.EncodeToString(b),
			strings.Trim(fmt.Sprint(b), "[]"),
			strings.TrimSuffix(strings.TrimPrefix(fmt.Sprintf("%#v", b), "[]byte{"), "}"))
	}
	return out
}

// holdsLock reports whether t holds a sync or sync/atomic value by value:
// go vet refuses copies of such values, so they are printed by pointer only.
func holdsLock(t reflect.Type) bool {
	switch t.Kind() {
	case reflect.Array:
		return holdsLock(t.Elem())
	case reflect.Struct:
		if t.PkgPath() == "sync" || t.PkgPath() == "sync/atomic" {
			return true
		}
		for i := range t.NumField() {
			if holdsLock(t.Field(i).Type) {
				return true
			}
		}
	}
	return false
}

// printed is one way of printing a value, and what it printed.
type printed struct{ how, out string }

// prints prints v every way a host may: every fmt verb, its String,
// GoString and Error methods, and slog's text and JSON handlers.
func prints(v any, withJSON bool) []printed {
	var out []printed
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x"} {
		out = append(out, printed{verb, fmt.Sprintf(verb, v)})
	}
	if s, ok := v.(fmt.Stringer); ok {
		out = append(out, printed{"String", s.String()})
	}
	if s, ok := v.(fmt.GoStringer); ok {
		out = append(out, printed{"GoString", s.GoString()})
	}
	if e, ok := v.(error); ok {
		out = append(out, printed{"Error", e.Error()})
	}
	var text bytes.Buffer
	slog.New(slog.NewTextHandler(&text, nil)).Info("x", "v", v)
	out = append(out, printed{"slog text", text.String()})
	if withJSON {
		var js bytes.Buffer
		slog.New(slog.NewJSONHandler(&js, nil)).Info("x", "v", v)
		out = append(out, printed{"slog JSON", js.String()})
	}
	return out
}

// leak is a secret field shown by one way of printing.
type leak struct{ how, field, out string }

func (l leak) String() string { return l.how + " prints " + l.field + ": " + l.out }

// leaks returns, for every way of printing, each secret field it shows.
func leaks(outs []printed, markers []marker) []leak {
	var found []leak
	for _, p := range outs {
		for _, m := range markers {
			if !m.secret {
				continue
			}
			for _, enc := range encodings(m) {
				if strings.Contains(p.out, enc) {
					found = append(found, leak{p.how, m.field, p.out})
					break
				}
			}
		}
	}
	return found
}

// filled returns a pointer to a filled value of t and the markers in it.
func filled(t reflect.Type) (reflect.Value, []marker) {
	var f filler
	p := reflect.New(t)
	f.fillStruct(p.Elem(), false, true, 0)
	return p, f.markers
}

// containers holds the value v (or its pointer p) the ways a host may:
// in a slice, a map, a struct field and through pointers. fmt calls each
// element's own methods in them; slog's JSON handler hands them to
// encoding/json, which is left alone, so they are checked with fmt and slog
// text only.
func containers(v, p reflect.Value, byValue bool) []any {
	t := v.Type()
	field := func(ft reflect.Type, x reflect.Value) any {
		s := reflect.New(reflect.StructOf([]reflect.StructField{{Name: "F", Type: ft}})).Elem()
		s.Field(0).Set(x)
		return s.Interface()
	}
	ptrs := reflect.MakeSlice(reflect.SliceOf(p.Type()), 1, 1)
	ptrs.Index(0).Set(p)
	out := []any{ptrs.Interface(), field(p.Type(), p)}
	if byValue {
		vals := reflect.MakeSlice(reflect.SliceOf(t), 1, 1)
		vals.Index(0).Set(v)
		m := reflect.MakeMap(reflect.MapOf(reflect.TypeFor[string](), t))
		m.SetMapIndex(reflect.ValueOf("k"), v)
		out = append(out, vals.Interface(), m.Interface(), field(t, v))
	}
	return out
}

func TestRedactNothingSecretPrints(t *testing.T) {
	names := make([]string, 0, len(everyStruct))
	types := registry()
	for name := range types {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		typ := types[name]
		t.Run(name, func(t *testing.T) {
			p, markers := filled(typ)
			placed := map[string]bool{}
			for _, m := range markers {
				placed[m.field] = m.secret
			}
			for _, f := range secretFields[name] {
				assert.True(t, placed[name+"."+f], "no secret marker was put in %s.%s", name, f)
			}
			byValue := !holdsLock(typ)
			outs := prints(p.Interface(), true)
			if byValue {
				outs = append(outs, prints(p.Elem().Interface(), true)...)
			}
			for _, c := range containers(p.Elem(), p, byValue) {
				outs = append(outs, prints(c, false)...)
			}
			for _, l := range leaks(outs, markers) {
				t.Error(l)
			}
		})
	}
}

// TestRedactKeepsTheRestVisible checks that a type redacting its secrets
// still prints its other exported text fields, for debugging.
func TestRedactKeepsTheRestVisible(t *testing.T) {
	types := registry()
	for name := range secretFields {
		typ, ok := types[name]
		if !ok || holdsLock(typ) {
			continue
		}
		p, markers := filled(typ)
		plus := fmt.Sprintf("%+v", p.Elem().Interface())
		var js bytes.Buffer
		slog.New(slog.NewJSONHandler(&js, nil)).Info("x", "v", p.Elem().Interface())
		hidden := set(secretFields[name])
		for i := range typ.NumField() {
			sf := typ.Field(i)
			if !sf.IsExported() || hidden[sf.Name] || sf.Type.Kind() != reflect.String {
				continue
			}
			for _, m := range markers {
				if m.field == name+"."+sf.Name {
					assert.Contains(t, plus, m.text, "%%+v of %s hides %s", name, sf.Name)
					assert.Contains(t, js.String(), m.text, "slog JSON of %s hides %s", name, sf.Name)
				}
			}
		}
	}
}

// leakyLogin is a type that forgets to redact its password.
type leakyLogin struct {
	Login    string
	Password string
	Key      []byte
}

// TestRedactCheckCatchesALeak shows that the checks above fail on a type
// that prints its secrets.
func TestRedactCheckCatchesALeak(t *testing.T) {
	typ := reflect.TypeFor[leakyLogin]()
	key := typeKey(typ)
	secretFields[key] = []string{"Password", "Key"}
	defer delete(secretFields, key)
	p, markers := filled(typ)
	shown := map[string]bool{}
	for _, l := range leaks(prints(p.Elem().Interface(), true), markers) {
		shown[l.how+" "+strings.TrimPrefix(l.field, key+".")] = true
	}
	for _, how := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "slog text", "slog JSON"} {
		assert.True(t, shown[how+" Password"], "%s of the password is not caught", how)
		assert.True(t, shown[how+" Key"], "%s of the key is not caught", how)
		assert.False(t, shown[how+" Login"], "%s: the login is not secret", how)
	}
	// A redacting type is clean under the same checks.
	p, markers = filled(reflect.TypeFor[protection.LoginRequest]())
	assert.Empty(t, leaks(prints(p.Elem().Interface(), true), markers))
}
