package memstore

import (
	"reflect"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/accountsec/accountsec/account"
)

// fill sets every field of v, recursively, to a value of its own, so that
// a field the stored form forgets shows up as a difference.
func fill(t *testing.T, v reflect.Value, n *int) {
	t.Helper()
	*n++
	switch v.Kind() {
	case reflect.String:
		v.SetString("v" + strconv.Itoa(*n))
	case reflect.Int, reflect.Int64:
		if v.Type() == reflect.TypeOf(time.Duration(0)) {
			v.SetInt(int64(*n) * int64(time.Second))
			return
		}
		v.SetInt(int64(*n))
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Struct:
		if v.Type() == reflect.TypeOf(time.Time{}) {
			v.Set(reflect.ValueOf(time.Unix(int64(*n), 0).UTC()))
			return
		}
		for i := range v.NumField() {
			require.True(t, v.Field(i).CanSet(), "%s.%s is unexported: the stored form cannot see it", v.Type(), v.Type().Field(i).Name)
			fill(t, v.Field(i), n)
		}
	case reflect.Slice:
		s := reflect.MakeSlice(v.Type(), 2, 2)
		for i := range 2 {
			fill(t, s.Index(i), n)
		}
		v.Set(s)
	default:
		t.Fatalf("fill: a %s field (%s): teach fill and the stored form about it", v.Kind(), v.Type())
	}
}

func TestStoredAccountKeepsEveryField(t *testing.T) {
	var a account.Account
	n := 0
	fill(t, reflect.ValueOf(&a).Elem(), &n)
	var s AccountStore
	stored := s.store(a)
	require.NotNil(t, stored.rare)
	require.Equal(t, a, stored.account())

	// The copies are deep both ways.
	a.LoginMethods[0].Identifier, a.Password.History[0] = "changed", "changed"
	back := stored.account()
	require.NotEqual(t, "changed", back.LoginMethods[0].Identifier)
	require.NotEqual(t, "changed", back.Password.History[0])
	back.LoginMethods[1].Identifier, back.Password.History[1] = "changed", "changed"
	require.NotEqual(t, "changed", stored.account().LoginMethods[1].Identifier)
	require.NotEqual(t, "changed", stored.account().Password.History[1])

	// The usually empty fields cost nothing when empty.
	plain := account.Account{ID: "a", APPID: "b"}
	require.Nil(t, s.store(plain).rare)
	require.Equal(t, plain, func() account.Account { r := s.store(plain); return r.account() }())
}

func TestSlotKeysAreDistinct(t *testing.T) {
	slots := []account.Slot{
		{Scope: account.ScopeBind, Kind: account.KindEmail, Value: "a@example.com"},
		{Scope: account.ScopeRegister, Kind: account.KindEmail, Value: "a@example.com"},
		{Scope: account.ScopeBind, Kind: account.KindPhone, Value: "a@example.com"},
		{Scope: "bind2", Kind: account.KindEmail, Value: "a@example.com"},
		{Scope: "x", Kind: "1:y", Value: "z"},
		{Scope: "x", Kind: "1", Value: ":yz"},
		{Scope: "", Kind: "", Value: ""},
		{Scope: "", Kind: "", Value: "\x00"},
		{Scope: "\x01", Kind: "", Value: ""},
	}
	seen := map[string]account.Slot{}
	for _, s := range slots {
		k := slotKey(s)
		prev, dup := seen[k]
		require.False(t, dup, "%+v and %+v share key %q", prev, s, k)
		seen[k] = s
	}
}
