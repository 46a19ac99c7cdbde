package redact_test

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/accountsec/accountsec/internal/redact"
)

type login struct {
	Login    string
	Password string
	Tries    int
	Key      []byte
	hidden   string
}

var loginSpec = redact.New[login]("Password", "Key", "hidden")

func (l login) String() string                { return loginSpec.String(l) }
func (l login) GoString() string              { return loginSpec.GoString(l) }
func (l login) Format(f fmt.State, verb rune) { loginSpec.Print(f, verb, l) }
func (l login) LogValue() slog.Value          { return loginSpec.LogValue(l) }
func newLogin() login {
	return login{Login: "a@x.com", Password: "hunter2", Tries: 3, Key: []byte("k3y"), hidden: "h1dden"}
}
func (l login) secrets() []string {
	return []string{"hunter2", "k3y", "h1dden", "[107 51 121]", "azN5"}
}
func jsonLog(v any) string { return logTo(v, true) }
func textLog(v any) string { return logTo(v, false) }
func assertNone(t *testing.T, out string, bad []string) {
	t.Helper()
	for _, s := range bad {
		assert.NotContains(t, out, s)
	}
}

func logTo(v any, json bool) string {
	var buf bytes.Buffer
	var h slog.Handler = slog.NewTextHandler(&buf, nil)
	if json {
		h = slog.NewJSONHandler(&buf, nil)
	}
	slog.New(h).Info("x", "v", v)
	return buf.String()
}

func TestSpecFormatsEveryVerb(t *testing.T) {
	l := newLogin()
	assert.Equal(t, "{a@x.com [redacted] 3 [redacted]}", fmt.Sprintf("%v", l))
	assert.Equal(t, "{Login:a@x.com Password:[redacted] Tries:3 Key:[redacted]}", fmt.Sprintf("%+v", l))
	// Like fmt for a struct, other verbs apply to each field.
	assert.Equal(t, "{a@x.com [redacted] %!s(int=3) [redacted]}", fmt.Sprintf("%s", l))
	assert.Equal(t, `{"a@x.com" [redacted] '\x03' [redacted]}`, fmt.Sprintf("%q", l))
	assert.Equal(t, `redact_test.login{Login:"a@x.com", Password:[redacted], Tries:3, Key:[redacted]}`, fmt.Sprintf("%#v", l))
	assert.Equal(t, `redact_test.login{Login:"a@x.com" Password:[redacted] Tries:3 Key:[redacted]}`, l.String())
	assert.Equal(t, "{6140782e636f6d [redacted] 3 [redacted]}", fmt.Sprintf("%x", l))
	// A pointer redacts too (value receivers), and a nil one prints <nil>.
	assert.Equal(t, fmt.Sprintf("%+v", l), fmt.Sprintf("%+v", &l))
	assert.Equal(t, "<nil>", fmt.Sprintf("%v", (*login)(nil)))
}

func TestSpecShowsUnsetSecretsAsZero(t *testing.T) {
	l := login{Login: "a@x.com"}
	assert.Equal(t, "{Login:a@x.com Password: Tries:0 Key:[]}", fmt.Sprintf("%+v", l))
	assert.JSONEq(t, `{"Login":"a@x.com","Password":"","Tries":0,"Key":""}`, jsonField(t, jsonLog(l)))
}

func TestSpecLogValue(t *testing.T) {
	l := newLogin()
	assert.JSONEq(t, `{"Login":"a@x.com","Password":"[redacted]","Tries":3,"Key":"[redacted]"}`, jsonField(t, jsonLog(l)))
	assert.Contains(t, textLog(l), "v.Login=a@x.com v.Password=[redacted] v.Tries=3 v.Key=[redacted]")
	assert.JSONEq(t, `{"Login":"a@x.com","Password":"[redacted]","Tries":3,"Key":"[redacted]"}`, jsonField(t, jsonLog(&l)))
}

type holder struct {
	Name    string
	Inner   login
	Ptr     *login
	List    []login
	ByName  map[string]login
	Any     any
	Err     error
	Plain   []string
	When    time.Time
	private login
}

var holderSpec = redact.New[holder]()

func (h holder) Format(f fmt.State, verb rune) { holderSpec.Print(f, verb, h) }
func (h holder) LogValue() slog.Value          { return holderSpec.LogValue(h) }

func TestSpecNested(t *testing.T) {
	l := newLogin()
	h := holder{
		Name: "n", Inner: l, Ptr: &l, List: []login{l}, ByName: map[string]login{"k": l},
		Any: l, Err: errors.New("boom"), Plain: []string{"p"}, When: time.Unix(0, 0).UTC(), private: l,
	}
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x"} {
		out := fmt.Sprintf(verb, h)
		assertNone(t, out, l.secrets())
		assert.Contains(t, out, "[redacted]", verb)
	}
	assert.Contains(t, fmt.Sprintf("%+v", h), "Name:n Inner:{Login:a@x.com")
	for _, out := range []string{jsonLog(h), textLog(h), jsonLog(&h)} {
		assertNone(t, out, l.secrets())
		assert.Contains(t, out, "a@x.com")
		assert.Contains(t, out, "boom")
		assert.Contains(t, out, "1970-01-01T00:00:00")
	}
	assert.Contains(t, jsonLog(h), `"Plain":["p"]`)
	// A nil pointer to a redacting type logs as null, not as a recovered
	// panic of its value-receiver LogValue.
	assert.Contains(t, jsonLog(holder{}), `"Ptr":null`)
	assert.Contains(t, jsonLog(holder{}), `"Any":null`)
	assert.NotContains(t, jsonLog(holder{}), "panic")
	// Containers the standard library walks on its own call each element's
	// methods.
	for _, v := range []any{[]login{l}, map[string]login{"k": l}, []*login{&l}, struct{ L login }{l}, struct{ L *login }{&l}} {
		for _, verb := range []string{"%v", "%+v", "%#v", "%s"} {
			assertNone(t, fmt.Sprintf(verb, v), l.secrets())
		}
		assertNone(t, textLog(v), l.secrets())
	}
}

func TestSpecPanicsOnUnknownField(t *testing.T) {
	assert.PanicsWithValue(t, "redact: redact_test.login has no field Pasword", func() { redact.New[login]("Pasword") })
	assert.Panics(t, func() { redact.New[string]() })
}

func TestOpaque(t *testing.T) {
	const o redact.Opaque = "pkg.Store"
	assert.Equal(t, "pkg.Store{…}", fmt.Sprintf("%+v", o))
	assert.Equal(t, "pkg.Store{…}", o.GoString())
	assert.Contains(t, jsonLog(o), `"v":"pkg.Store{…}"`)
}

func jsonField(t *testing.T, line string) string {
	t.Helper()
	i := bytes.Index([]byte(line), []byte(`"v":`))
	require.GreaterOrEqual(t, i, 0, line)
	return line[i+4 : len(line)-2]
}
