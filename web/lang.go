package web

import (
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"

	"golang.org/x/text/language"

	"github.com/accountsec/accountsec/reason"
)

// supported are the catalogs of package reason, English first (the
// fallback when nothing in Accept-Language matches).
var (
	supported = []language.Tag{language.English, language.SimplifiedChinese}
	languages = []reason.Language{reason.English, reason.SimplifiedChinese}
	matcher   = language.NewMatcher(supported)
)

// Language returns the message catalog that best matches the request's
// Accept-Language header: zh, zh-CN and zh-Hans reach Simplified Chinese,
// every English tag (en-GB, en-US) and everything unmatched reaches English.
func Language(r *http.Request) reason.Language {
	return MatchLanguage(r.Header.Get("Accept-Language"))
}

// MatchLanguage returns the catalog that best matches an Accept-Language
// value (see Language).
func MatchLanguage(acceptLanguage string) reason.Language {
	tags, _, err := language.ParseAcceptLanguage(acceptLanguage)
	if err != nil || len(tags) == 0 {
		return reason.English
	}
	_, i, conf := matcher.Match(tags...)
	if conf == language.No {
		return reason.English
	}
	return languages[i]
}

// Message renders the message of a reason-coded error in lang, with its
// parameters formatted for that language: durations as "1 min 30 s" or
// "1 分 30 秒", times as a date and a time of day in loc (nil means UTC),
// and English counts of one in the singular ("1 character", "1 try").
func Message(e *reason.Error, lang reason.Language, loc *time.Location) string {
	if m, ok := webMessages[lang][e.Code]; ok {
		return m
	}
	if m, ok := webMessages[reason.English][e.Code]; ok {
		return m
	}
	params := make(map[string]any, len(e.Params))
	for k, v := range e.Params {
		params[k] = formatParam(v, lang, loc)
	}
	msg := reason.Message(e.Code, lang, params)
	if lang != reason.SimplifiedChinese {
		msg = singular(msg)
	}
	return msg
}

// plural matches a count of exactly one followed by a plural noun of the
// English catalog.
var plural = regexp.MustCompile(`\b1 (characters|tries|passwords|accounts|digits|bytes|letters|days|hours|minutes|seconds|codes)\b`)

var singulars = map[string]string{
	"characters": "character", "tries": "try", "passwords": "password", "accounts": "account",
	"digits": "digit", "bytes": "byte", "letters": "letter", "days": "day", "hours": "hour",
	"minutes": "minute", "seconds": "second", "codes": "code",
}

func singular(msg string) string {
	return plural.ReplaceAllStringFunc(msg, func(m string) string {
		return "1 " + singulars[strings.TrimPrefix(m, "1 ")]
	})
}

func formatParam(v any, lang reason.Language, loc *time.Location) any {
	switch x := v.(type) {
	case time.Duration:
		return FormatDuration(x, lang)
	case time.Time:
		return FormatTime(x, lang, loc)
	case []string:
		return strings.Join(x, listSeparator(lang))
	case string:
		// The library's errors carry times as RFC 3339 and durations in
		// Go's notation ("1m30s"): render them for the language.
		if t, err := time.Parse(time.RFC3339, x); err == nil {
			return FormatTime(t, lang, loc)
		}
		if goDuration.MatchString(x) {
			if d, err := time.ParseDuration(x); err == nil {
				return FormatDuration(d, lang)
			}
		}
	}
	return v
}

// goDuration matches a duration as time.Duration.String writes it.
var goDuration = regexp.MustCompile(`^([0-9]+h)?([0-9]+m)?([0-9]+(\.[0-9]+)?s)?$`)

func listSeparator(lang reason.Language) string {
	if lang == reason.SimplifiedChinese {
		return "、"
	}
	return ", "
}

// FormatDuration renders d, rounded up to a whole second, in lang: "1 h
// 5 min", "1 min 30 s", "45 s" in English, "1 小时 5 分", "1 分 30 秒",
// "45 秒" in Simplified Chinese (days as "d" / "天"). Zero units are left
// out.
func FormatDuration(d time.Duration, lang reason.Language) string {
	if d < 0 {
		d = 0
	}
	secs := int64((d + time.Second - 1) / time.Second)
	units := [...]struct {
		size   int64
		en, zh string
	}{{86400, "d", "天"}, {3600, "h", "小时"}, {60, "min", "分"}, {1, "s", "秒"}}
	var parts []string
	for _, u := range units {
		if secs < u.size {
			continue
		}
		n := secs / u.size
		secs -= n * u.size
		name := u.en
		if lang == reason.SimplifiedChinese {
			name = u.zh
		}
		parts = append(parts, strconv.FormatInt(n, 10)+" "+name)
	}
	if len(parts) == 0 {
		if lang == reason.SimplifiedChinese {
			return "0 秒"
		}
		return "0 s"
	}
	return strings.Join(parts, " ")
}

// FormatTime renders t in loc (nil means UTC), rounded up to the minute
// (so that a lock is never shown ending before it does):
// "2026-01-01 00:30 UTC" in English, "2026年1月1日 00:30 (UTC)" in
// Simplified Chinese.
func FormatTime(t time.Time, lang reason.Language, loc *time.Location) string {
	if loc == nil {
		loc = time.UTC
	}
	if r := t.Truncate(time.Minute); !r.Equal(t) {
		t = r.Add(time.Minute)
	}
	t = t.In(loc)
	if lang == reason.SimplifiedChinese {
		return t.Format("2006年1月2日 15:04 (MST)")
	}
	return t.Format("2006-01-02 15:04 MST")
}
