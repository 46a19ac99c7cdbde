// Package policycheck validates policy structs with validator/v10 and turns
// every failed rule into a reason-coded error that names the field, the value
// and the allowed range.
package policycheck

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"sync"

	"github.com/go-playground/validator/v10"

	"github.com/accountsec/accountsec/reason"
)

// validate is built once; a *validator.Validate is safe for concurrent use
// and caches struct metadata, so sharing it is the documented way to use it.
var validate = sync.OnceValue(func() *validator.Validate {
	return validator.New(validator.WithRequiredStructEnabled())
})

// Check validates p (a struct or pointer to one) against its `validate` tags.
// It returns nil or a reason.List with one reason.PolicyInvalid per failed
// field, each carrying field, value and allowed. prefix is prepended to field
// names (for example "limits.Policy").
func Check(prefix string, p any) error {
	err := validate().Struct(p)
	if err == nil {
		return nil
	}
	var ves validator.ValidationErrors
	if !errors.As(err, &ves) {
		return reason.New(reason.PolicyInvalid).With("field", prefix).With("value", "?").With("allowed", err.Error())
	}
	var out reason.List
	for _, fe := range ves {
		field := fe.StructNamespace()
		if prefix != "" {
			if i := strings.IndexByte(field, '.'); i >= 0 {
				field = prefix + field[i:]
			}
		}
		out = append(out, reason.New(reason.PolicyInvalid).
			With("field", field).
			With("value", fmt.Sprint(fe.Value())).
			With("allowed", allowed(p, fe)))
	}
	return out
}

// allowed renders the whole rule of the failed field (for example
// "1..48"), not only the bound that failed, so the caller learns the range.
func allowed(p any, fe validator.FieldError) string {
	tag := fieldTag(reflect.TypeOf(p), fe.StructNamespace())
	var lo, hi, other []string
	for _, rule := range strings.Split(tag, ",") {
		name, param, _ := strings.Cut(rule, "=")
		switch name {
		case "min", "gte":
			lo = append(lo, param)
		case "max", "lte":
			hi = append(hi, param)
		case "gt":
			lo = append(lo, "more than "+param)
		case "oneof":
			other = append(other, "one of "+param)
		case "", "omitempty", "required", "dive":
		default:
			other = append(other, rule)
		}
	}
	switch {
	case len(lo) > 0 && len(hi) > 0:
		other = append([]string{lo[0] + ".." + hi[0]}, other...)
	case len(lo) > 0:
		other = append([]string{">= " + lo[0]}, other...)
	case len(hi) > 0:
		other = append([]string{"<= " + hi[0]}, other...)
	}
	if len(other) == 0 {
		return fe.Tag() + " " + fe.Param()
	}
	return strings.Join(other, ", ")
}

// fieldTag follows a validator namespace such as "Policy.Lockout.Window"
// through t and returns the validate tag of the last field.
func fieldTag(t reflect.Type, ns string) string {
	parts := strings.Split(ns, ".")
	var tag string
	for _, name := range parts[1:] {
		for t.Kind() == reflect.Pointer {
			t = t.Elem()
		}
		if t.Kind() != reflect.Struct {
			return tag
		}
		if i := strings.IndexByte(name, '['); i >= 0 {
			name = name[:i]
		}
		f, ok := t.FieldByName(name)
		if !ok {
			return ""
		}
		tag = f.Tag.Get("validate")
		t = f.Type
	}
	return tag
}
