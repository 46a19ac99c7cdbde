package reason_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/accountsec/accountsec/reason"
)

func TestEveryCodeHasBothMessages(t *testing.T) {
	t.Parallel()
	codes := reason.AllCodes()
	require.NotEmpty(t, codes)
	for _, c := range codes {
		en := reason.Message(c, reason.English, nil)
		zh := reason.Message(c, reason.SimplifiedChinese, nil)
		assert.NotEqual(t, string(c), en, "%s has no English message", c)
		assert.NotEqual(t, string(c), zh, "%s has no Chinese message", c)
		assert.NotEqual(t, en, zh, "%s: Chinese message is the English one", c)
		// A translation may put the parameters in another order.
		assert.ElementsMatch(t, placeholders(en), placeholders(zh), "%s: both messages use the same parameters", c)
		assert.Regexp(t, `^[a-z0-9_]+\.[a-z0-9_]+$`, string(c))
	}
}

func placeholders(s string) []string {
	var out []string
	for {
		i := strings.IndexByte(s, '{')
		if i < 0 {
			return out
		}
		j := strings.IndexByte(s[i:], '}')
		out = append(out, s[i:i+j+1])
		s = s[i+j+1:]
	}
}

func TestErrorsMatchByCode(t *testing.T) {
	t.Parallel()
	sentinel := reason.New(reason.PasswordTooShort)
	detailed := sentinel.With("min", 8)
	wrapped := fmt.Errorf("register: %w", detailed)
	assert.ErrorIs(t, wrapped, sentinel)
	assert.NotErrorIs(t, wrapped, reason.New(reason.PasswordTooLong))
	assert.Equal(t, reason.PasswordTooShort, reason.CodeOf(wrapped))
	assert.Equal(t, "the password must have at least 8 characters [password.too_short]", detailed.Error())
	assert.Nil(t, sentinel.Params, "With does not change the sentinel")
}

func TestListReportsEveryMember(t *testing.T) {
	t.Parallel()
	l := reason.List{reason.New(reason.PasswordTooShort).With("min", 8), reason.New(reason.PasswordMissingDigit)}
	err := fmt.Errorf("x: %w", l.Err())
	assert.ErrorIs(t, err, reason.New(reason.PasswordMissingDigit))
	assert.ErrorIs(t, err, reason.New(reason.PasswordTooShort))
	assert.Equal(t, []reason.Code{reason.PasswordTooShort, reason.PasswordMissingDigit}, reason.Codes(err))
	assert.NoError(t, reason.List(nil).Err())
}

func TestMessagesInChineseAndFallbacks(t *testing.T) {
	t.Parallel()
	assert.Equal(t, "密码长度至少为 8 个字符", reason.Message(reason.PasswordTooShort, reason.SimplifiedChinese, map[string]any{"min": 8}))
	assert.Equal(t, reason.Message(reason.PasswordWrong, reason.English, nil), reason.Message(reason.PasswordWrong, "fr", nil))
	assert.Equal(t, "no.such_code", reason.Message("no.such_code", reason.English, nil))
}

func TestStoreErrorsWrapTheCause(t *testing.T) {
	t.Parallel()
	cause := errors.New("dial tcp: refused")
	err := reason.Store(cause)
	assert.ErrorIs(t, err, reason.ErrStoreUnavailable)
	assert.ErrorIs(t, err, cause)
}
