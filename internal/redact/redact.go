// Package redact prints struct values with their secret fields hidden.
//
// A type with secret fields declares a [Spec] once and gives itself four
// one-line methods with value receivers, so that T and *T both redact:
//
//	var loginRequestSpec = redact.New[LoginRequest]("Password", "DeviceToken")
//
//	func (r LoginRequest) String() string                 { return loginRequestSpec.String(r) }
//	func (r LoginRequest) GoString() string               { return loginRequestSpec.GoString(r) }
//	func (r LoginRequest) Format(f fmt.State, verb rune)  { loginRequestSpec.Print(f, verb, r) }
//	func (r LoginRequest) LogValue() slog.Value           { return loginRequestSpec.LogValue(r) }
//
// Every verb of fmt then prints the secret fields as [Placeholder] (or as
// their zero value when unset, so one can still tell whether a secret was
// given) and the other exported fields as fmt would, each through its own
// methods: a nested value whose type redacts stays redacted. Unexported
// fields are not printed. LogValue builds a group of the exported fields for
// slog; a nested slice or map that may hold a redacting type is logged as
// its %+v text, because slog would hand it to encoding/json otherwise.
//
// encoding/json is left alone on purpose: a host marshals values such as a
// login result into its responses. A bare slice or map of redacting values
// logged with slog's JSON handler goes through encoding/json too; log the
// values one by one, or inside a struct that redacts.
package redact

import (
	"fmt"
	"log/slog"
	"reflect"
	"strings"
	"sync"
)

// Placeholder is what a secret field that is set prints as.
const Placeholder = "[redacted]"

// Spec prints values of the struct type T with some fields redacted.
type Spec[T any] struct {
	name   string
	fields []field
}

type field struct {
	index  int
	name   string
	secret bool
}

// New returns the Spec of the struct type T whose fields named in secret
// (exported or not) are redacted. It panics when T is not a struct or a name
// is not one of its fields, so a mistake shows when the package loads.
func New[T any](secret ...string) *Spec[T] {
	t := reflect.TypeFor[T]()
	if t.Kind() != reflect.Struct {
		panic("redact: " + t.String() + " is not a struct")
	}
	hidden := make(map[string]bool, len(secret))
	for _, name := range secret {
		if _, ok := t.FieldByName(name); !ok {
			panic("redact: " + t.String() + " has no field " + name)
		}
		hidden[name] = true
	}
	s := &Spec[T]{name: t.String()}
	for i := range t.NumField() {
		f := t.Field(i)
		if f.IsExported() {
			s.fields = append(s.fields, field{index: i, name: f.Name, secret: hidden[f.Name]})
		}
	}
	return s
}

// String renders v as TypeName{Field:value …}, string fields quoted.
func (s *Spec[T]) String(v T) string {
	var b strings.Builder
	b.WriteString(s.name)
	s.write(&b, reflect.ValueOf(&v).Elem(), func(w *strings.Builder, fv reflect.Value) {
		if fv.Kind() == reflect.String {
			fmt.Fprintf(w, "%q", fv.Interface())
			return
		}
		fmt.Fprintf(w, "%+v", fv.Interface())
	}, true, " ")
	return b.String()
}

// GoString renders v as %#v would, secrets redacted.
func (s *Spec[T]) GoString(v T) string {
	var b strings.Builder
	b.WriteString(s.name)
	s.write(&b, reflect.ValueOf(&v).Elem(), func(w *strings.Builder, fv reflect.Value) {
		fmt.Fprintf(w, "%#v", fv.Interface())
	}, true, ", ")
	return b.String()
}

// Print is the Format method of T: %#v is GoString, %+v names the
// fields, and every other verb (with its flags) is applied to each field as
// fmt does for a struct.
func (s *Spec[T]) Print(f fmt.State, verb rune, v T) {
	if verb == 'v' && f.Flag('#') {
		_, _ = f.Write([]byte(s.GoString(v)))
		return
	}
	format := fmt.FormatString(f, verb)
	var b strings.Builder
	s.write(&b, reflect.ValueOf(&v).Elem(), func(w *strings.Builder, fv reflect.Value) {
		fmt.Fprintf(w, format, fv.Interface())
	}, verb == 'v' && f.Flag('+'), " ")
	_, _ = f.Write([]byte(b.String()))
}

// write renders {…} into b: the secret fields as Placeholder (or as their
// zero value when unset), the others with value.
func (s *Spec[T]) write(b *strings.Builder, rv reflect.Value, value func(*strings.Builder, reflect.Value), names bool, sep string) {
	b.WriteByte('{')
	for i, f := range s.fields {
		if i > 0 {
			b.WriteString(sep)
		}
		if names {
			b.WriteString(f.name)
			b.WriteByte(':')
		}
		fv := rv.Field(f.index)
		if f.secret && !fv.IsZero() {
			b.WriteString(Placeholder)
			continue
		}
		value(b, fv)
	}
	b.WriteByte('}')
}

// LogValue returns v as a slog group of its exported fields, secrets
// redacted.
func (s *Spec[T]) LogValue(v T) slog.Value {
	rv := reflect.ValueOf(&v).Elem()
	attrs := make([]slog.Attr, 0, len(s.fields))
	for _, f := range s.fields {
		fv := rv.Field(f.index)
		switch {
		case f.secret && fv.IsZero():
			attrs = append(attrs, slog.String(f.name, ""))
		case f.secret:
			attrs = append(attrs, slog.String(f.name, Placeholder))
		default:
			attrs = append(attrs, slog.Attr{Key: f.name, Value: logValue(fv)})
		}
	}
	return slog.GroupValue(attrs...)
}

var logValuerType = reflect.TypeFor[slog.LogValuer]()

// logValue is the slog value of the exported field value fv. A value that
// redacts itself, or whose type cannot hold one that does, is handed to
// slog as it is; a struct that holds one becomes a group of its exported
// fields; a slice, array or map that may hold one becomes its %+v text.
// An error is left to slog, which logs its message.
func logValue(fv reflect.Value) slog.Value {
	if fv.Kind() == reflect.Interface && !fv.IsNil() {
		fv = fv.Elem()
	}
	if (fv.Kind() == reflect.Pointer || fv.Kind() == reflect.Interface) && fv.IsNil() {
		// Not a typed nil: slog would call its value-receiver LogValue.
		return slog.AnyValue(nil)
	}
	x := fv.Interface()
	if _, ok := x.(slog.LogValuer); ok || !mayRedact(fv.Type()) {
		return slog.AnyValue(x)
	}
	if _, ok := x.(error); ok {
		return slog.AnyValue(x)
	}
	switch fv.Kind() {
	case reflect.Pointer:
		return logValue(fv.Elem())
	case reflect.Struct:
		t := fv.Type()
		var attrs []slog.Attr
		for i := range t.NumField() {
			if t.Field(i).IsExported() {
				attrs = append(attrs, slog.Attr{Key: t.Field(i).Name, Value: logValue(fv.Field(i))})
			}
		}
		return slog.GroupValue(attrs...)
	default:
		return slog.StringValue(fmt.Sprintf("%+v", x))
	}
}

// mayRedactCache maps a reflect.Type to whether it may hold a value that
// redacts itself.
var mayRedactCache sync.Map

// mayRedact reports whether a value of type t may hold (through exported
// struct fields, pointers, slices, arrays, maps or interfaces) a value whose
// type implements slog.LogValuer.
func mayRedact(t reflect.Type) bool {
	if v, ok := mayRedactCache.Load(t); ok {
		return v.(bool)
	}
	r := computeMayRedact(t, map[reflect.Type]bool{})
	mayRedactCache.Store(t, r)
	return r
}

func computeMayRedact(t reflect.Type, visiting map[reflect.Type]bool) bool {
	if visiting[t] {
		return false
	}
	visiting[t] = true
	defer delete(visiting, t)
	if t.Implements(logValuerType) || reflect.PointerTo(t).Implements(logValuerType) {
		return true
	}
	switch t.Kind() {
	case reflect.Interface:
		return true
	case reflect.Pointer, reflect.Slice, reflect.Array:
		return computeMayRedact(t.Elem(), visiting)
	case reflect.Map:
		return computeMayRedact(t.Key(), visiting) || computeMayRedact(t.Elem(), visiting)
	case reflect.Struct:
		for i := range t.NumField() {
			if f := t.Field(i); f.IsExported() && computeMayRedact(f.Type, visiting) {
				return true
			}
		}
	}
	return false
}

// Opaque prints a value by its type's name only, for every verb and in
// slog. It serves types whose fields are all internal state that may hold
// secrets (a store, a test double), and that hold a lock, so their methods
// have pointer receivers:
//
//	const outboxName redact.Opaque = "fakes.Outbox"
//
//	func (o *Outbox) Format(f fmt.State, verb rune) { outboxName.Format(f, verb) }
type Opaque string

// String returns the name followed by {…}.
func (o Opaque) String() string { return string(o) + "{…}" }

// GoString is String.
func (o Opaque) GoString() string { return o.String() }

// Format prints String for every verb.
func (o Opaque) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte(o.String())) }

// LogValue is String as a slog string.
func (o Opaque) LogValue() slog.Value { return slog.StringValue(o.String()) }
