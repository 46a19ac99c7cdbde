package main

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"strings"
	"time"

	"github.com/accountsec/accountsec/account"
	"github.com/accountsec/accountsec/protection"
	"github.com/accountsec/accountsec/reason"
	"github.com/accountsec/accountsec/vocab"
	"github.com/accountsec/accountsec/web"
)

// view is what every page template gets: the layout's data and the page's
// own (D).
type view struct {
	Lang     reason.Language
	Zh       bool
	Page     string
	Path     string
	Session  *protection.Session
	Account  *account.Account
	City     city
	Cities   []city
	Now      time.Time
	Offset   time.Duration
	Flash    *flash
	StepUp   *stepUpView
	Messages int
	D        any
}

// stepUpView is the step-up dialog: the purpose the last action needs a
// verification for, the methods to choose from, then the started
// challenge.
type stepUpView struct {
	Purpose   string
	Methods   []vocab.VerifyMethod
	Challenge string
	Method    string
	SentTo    string
	Back      string
	Err       string
}

// Tr is the page text for key in the page's language.
func (v *view) Tr(key string) string { return tr(v.Lang, key) }

// Trf is Tr with fmt.Sprintf arguments.
func (v *view) Trf(key string, args ...any) string { return fmt.Sprintf(tr(v.Lang, key), args...) }

// Time shows t as package web shows times in messages.
func (v *view) Time(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return web.FormatTime(t, v.Lang, nil)
}

// Dur shows d as package web shows durations.
func (v *view) Dur(d time.Duration) string { return web.FormatDuration(d, v.Lang) }

// CityName shows a city of the GeoIP table.
func (v *view) CityName(name string) string { return cityName(name, v.Lang) }

// MaskPhone and MaskEmail mask an address as the library does.
func (v *view) MaskPhone(p string) string {
	if p == "" {
		return "—"
	}
	return account.MaskPhone(p)
}

// MaskEmail masks an email address as the library does.
func (v *view) MaskEmail(e string) string {
	if e == "" {
		return "—"
	}
	return account.MaskEmail(e)
}

// Method names a verification or login method.
func (v *view) Method(m any) string { return v.Tr("method." + fmt.Sprint(m)) }

// Op names a sensitive operation.
func (v *view) Op(op string) string {
	if s := tr(v.Lang, "op."+op); s != "op."+op {
		return s
	}
	return op
}

func (a *app) parseTemplates() error {
	names, err := fs.Glob(assets, "templates/*.html")
	if err != nil {
		return err
	}
	a.pages = make(map[string]*template.Template)
	funcs := template.FuncMap{
		"join": func(list any) string {
			s := strings.Fields(strings.Trim(fmt.Sprint(list), "[]"))
			return strings.Join(s, ", ")
		},
		"b64": func(b []byte) string { return base64.StdEncoding.EncodeToString(b) },
		"pngURL": func(b []byte) template.URL {
			return template.URL("data:image/png;base64," + base64.StdEncoding.EncodeToString(b))
		},
		"str":  func(x any) string { return fmt.Sprint(x) },
		"list": func(xs ...string) []string { return xs },
		"minutes": func(d time.Duration) int64 {
			return int64(d / time.Minute)
		},
		"hours": func(d time.Duration) int64 { return int64(d / time.Hour) },
		"has": func(list any, x any) bool {
			return strings.Contains(" "+strings.Trim(fmt.Sprint(list), "[]")+" ", " "+fmt.Sprint(x)+" ")
		},
	}
	for _, n := range names {
		base := strings.TrimSuffix(strings.TrimPrefix(n, "templates/"), ".html")
		if base == "layout" {
			continue
		}
		t, err := template.New(base).Funcs(funcs).ParseFS(assets, "templates/layout.html", n)
		if err != nil {
			return err
		}
		a.pages[base] = t
	}
	return nil
}

// render writes the page name with its data d.
func (a *app) render(w http.ResponseWriter, r *http.Request, name string, status int, d any) {
	lang := web.Language(r)
	v := &view{
		Lang: lang, Zh: lang == reason.SimplifiedChinese, Page: name, Path: r.URL.Path,
		City: cityOf(r), Cities: cities, Now: a.clock.Now(), Offset: a.clock.Offset(),
		Flash: takeFlash(w, r), Messages: len(a.outbox.Messages()), D: d,
	}
	if s, ok := web.SessionFrom(r.Context()); ok {
		v.Session = &s
		if acc, err := a.svc.Accounts.Account(r.Context(), s.AccountID); err == nil {
			v.Account = &acc
		}
		v.StepUp = a.stepUp(r, s)
	}
	t, ok := a.pages[name]
	if !ok {
		http.Error(w, "no page "+name, http.StatusInternalServerError)
		return
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", v); err != nil {
		if a.errLog != nil {
			a.errLog(fmt.Errorf("page %s: %w", name, err))
		}
		http.Error(w, "page error", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Language", map[bool]string{true: "zh-CN", false: "en"}[v.Zh])
	h.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "no-referrer")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// stepUp builds the step-up dialog when the page was opened for one
// (?stepup=purpose, then &challenge=… once a method was picked).
func (a *app) stepUp(r *http.Request, s protection.Session) *stepUpView {
	q := r.URL.Query()
	purpose := q.Get("stepup")
	if purpose == "" {
		return nil
	}
	sv := &stepUpView{Purpose: purpose, Challenge: q.Get("challenge"), Method: q.Get("method"), SentTo: q.Get("sent_to"), Back: r.URL.Path}
	if sv.Challenge == "" {
		o, err := a.svc.Protection.Options(r.Context(), s.AccountID, purpose)
		if err != nil {
			sv.Err = a.problem(r, err).Detail
		} else {
			sv.Methods = o.Methods()
		}
	}
	return sv
}

// tr is the page text for key in lang: Simplified Chinese when there is
// one, else English, else the key itself.
func tr(lang reason.Language, key string) string {
	e, ok := texts[key]
	if !ok {
		return key
	}
	if lang == reason.SimplifiedChinese && e[1] != "" {
		return e[1]
	}
	return e[0]
}
