// Package reason holds the reason-coded error used across accountsec.
//
// Every error a user can see carries a stable [Code] such as
// "password.too_short". A host shows the code's message in its own language
// with [Message] (English and Simplified Chinese are built in) or maps the
// code to its own text. Codes never change meaning once published.
//
// Errors match by code, so a sentinel declared as
//
//	var ErrTooShort = reason.New(reason.PasswordTooShort)
//
// matches any error of that code, whatever details it carries:
//
//	if errors.Is(err, password.ErrTooShort) { ... }
//
// Several violations at once are reported as [List]; [Codes] flattens any
// error tree into its codes.
//
// Messages never contain secrets: parameters are limits, field names and
// counts, never the submitted password, code or token.
package reason

import (
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// Code is a stable, dotted reason code such as "password.too_short".
type Code string

// String returns the code itself.
func (c Code) String() string { return string(c) }

// Error is an error with a stable reason code and optional parameters that
// fill the message template (for example {"min": 8}).
type Error struct {
	// Code is the stable reason code.
	Code Code
	// Params fills the message template. Values are numbers, durations,
	// times, field names or allowed ranges; never secrets.
	Params map[string]any
	// Err is an optional underlying cause (for example a store error).
	Err error
}

// New returns an error with the given code and no parameters. It is meant for
// package-level sentinels compared with errors.Is.
func New(code Code) *Error { return &Error{Code: code} }

// With returns a copy of e with key set to value in its parameters.
func (e *Error) With(key string, value any) *Error {
	c := &Error{Code: e.Code, Err: e.Err, Params: make(map[string]any, len(e.Params)+1)}
	for k, v := range e.Params {
		c.Params[k] = v
	}
	c.Params[key] = value
	return c
}

// Wrap returns a copy of e whose underlying cause is err.
func (e *Error) Wrap(err error) *Error {
	c := *e
	c.Err = err
	return &c
}

// Error returns the English message followed by the code in brackets.
func (e *Error) Error() string {
	msg := Message(e.Code, English, e.Params)
	if e.Err != nil {
		return msg + " [" + string(e.Code) + "]: " + e.Err.Error()
	}
	return msg + " [" + string(e.Code) + "]"
}

// Is reports whether target is a *Error with the same code.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Code == e.Code
}

// Unwrap returns the underlying cause, if any.
func (e *Error) Unwrap() error { return e.Err }

// List is several reason-coded errors reported together, for example every
// rule a password breaks. errors.Is matches any member.
type List []*Error

// Error joins the members' messages with "; ".
func (l List) Error() string {
	parts := make([]string, len(l))
	for i, e := range l {
		parts[i] = e.Error()
	}
	return strings.Join(parts, "; ")
}

// Unwrap returns the members, so errors.Is and errors.As see each of them.
func (l List) Unwrap() []error {
	out := make([]error, len(l))
	for i, e := range l {
		out[i] = e
	}
	return out
}

// Err returns nil for an empty list and the list otherwise, so a function can
// end with `return violations.Err()`.
func (l List) Err() error {
	if len(l) == 0 {
		return nil
	}
	return l
}

// CodeOf returns the code of the first reason-coded error in err's tree, or
// "" when there is none.
func CodeOf(err error) Code {
	if err == nil {
		return "" // without the search, whose target escapes
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return ""
}

// Codes returns every code in err's tree, in the order met.
func Codes(err error) []Code {
	var out []Code
	var walk func(error)
	walk = func(err error) {
		if err == nil {
			return
		}
		if e, ok := err.(*Error); ok {
			out = append(out, e.Code)
		}
		switch u := err.(type) {
		case interface{ Unwrap() []error }:
			for _, c := range u.Unwrap() {
				walk(c)
			}
		case interface{ Unwrap() error }:
			walk(u.Unwrap())
		}
	}
	walk(err)
	return out
}

// Language selects a message catalog.
type Language string

// The built-in catalogs.
const (
	English           Language = "en"
	SimplifiedChinese Language = "zh-CN"
)

// Message renders the message of code in lang, filling {name} placeholders
// from params. An unknown language falls back to English; an unknown code
// renders as the code itself.
func Message(code Code, lang Language, params map[string]any) string {
	cat := catalogs[lang]
	if cat == nil {
		cat = catalogs[English]
	}
	tmpl, ok := cat[code]
	if !ok {
		tmpl, ok = catalogs[English][code]
	}
	if !ok {
		return string(code)
	}
	if len(params) == 0 || !strings.Contains(tmpl, "{") {
		return tmpl
	}
	keys := make([]string, 0, len(params))
	for k := range params {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	pairs := make([]string, 0, 2*len(keys))
	for _, k := range keys {
		pairs = append(pairs, "{"+k+"}", format(params[k]))
	}
	return strings.NewReplacer(pairs...).Replace(tmpl)
}

func format(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case int:
		return strconv.Itoa(x)
	case int64:
		return strconv.FormatInt(x, 10)
	case interface{ String() string }:
		return x.String()
	default:
		return fmt.Sprint(x)
	}
}

func sortCodes(cs []Code) { sort.Slice(cs, func(i, j int) bool { return cs[i] < cs[j] }) }

// ErrStoreUnavailable matches any error whose code is StoreUnavailable: a
// store failed and the operation was refused (fail closed). It is distinct
// from every "wrong credentials" error.
var ErrStoreUnavailable = New(StoreUnavailable)

// Store wraps a store failure as a StoreUnavailable error.
func Store(err error) *Error { return &Error{Code: StoreUnavailable, Err: err} }
