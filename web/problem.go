package web

import (
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/accountsec/accountsec/limits"
	"github.com/accountsec/accountsec/reason"
	"github.com/accountsec/accountsec/vocab"
)

// The reason codes of package web itself, for refusals that happen before
// any flow of the library runs.
const (
	// CodeCrossOrigin: a state-changing request came from another origin
	// (Sec-Fetch-Site cross-site, or an Origin that is not the request's
	// host nor a trusted origin). Status 403.
	CodeCrossOrigin reason.Code = "web.cross_origin"
	// CodeNotFound: no route has this path. Status 404.
	CodeNotFound reason.Code = "web.not_found"
	// CodeBodyTooLarge: the request body is larger than Options.MaxBodyBytes.
	// Status 413.
	CodeBodyTooLarge reason.Code = "web.body_too_large"
	// CodeUnsupportedMediaType: a request body that is not
	// application/json. Status 415.
	CodeUnsupportedMediaType reason.Code = "web.unsupported_media_type"
	// CodeIdentityUnavailable: binding a third-party login method needs the
	// host's Options.ThirdPartyIdentity, which is not set. Status 403.
	CodeIdentityUnavailable reason.Code = "web.identity_unavailable"
	// CodeInternal: the request failed for a reason the client cannot
	// act on. Status 500; the cause is never shown.
	CodeInternal reason.Code = "web.internal"
	// CodeNotAuthorized: the host's hook for the endpoint
	// (Options.ReviewAuth, SubUserPrincipal, SubUserMember) did not
	// authorise the request, or the host set none. Status 403.
	CodeNotAuthorized reason.Code = "web.not_authorized"
)

var webMessages = map[reason.Language]map[reason.Code]string{
	reason.English: {
		CodeCrossOrigin:          "cross-origin requests are refused",
		CodeNotFound:             "not found",
		CodeBodyTooLarge:         "the request body is too large",
		CodeUnsupportedMediaType: "the request body must be JSON (application/json)",
		CodeIdentityUnavailable:  "this login method cannot be bound here",
		CodeInternal:             "something went wrong; please try again later",
		CodeNotAuthorized:        "you are not authorised to do this here",
	},
	reason.SimplifiedChinese: {
		CodeCrossOrigin:          "拒绝跨站请求",
		CodeNotFound:             "未找到",
		CodeBodyTooLarge:         "请求内容过大",
		CodeUnsupportedMediaType: "请求内容必须为 JSON（application/json）",
		CodeIdentityUnavailable:  "无法在此绑定该登录方式",
		CodeInternal:             "出错了，请稍后重试",
		CodeNotAuthorized:        "您无权在此执行此操作",
	},
}

// statuses is the one table from reason codes to HTTP statuses. A code
// that is not here (nor in Options.Statuses) answers 500 without its
// message.
var statuses = map[reason.Code]int{
	// 400: the input is wrong; the user corrects it.
	reason.InputEmpty: 400, reason.InputTooLong: 400, reason.InputMalformed: 400, reason.InputInvalidUTF8: 400,
	reason.CodeMalformed:    400,
	reason.PasswordTooShort: 400, reason.PasswordTooLong: 400, reason.PasswordTooLarge: 400,
	reason.PasswordInvalidUTF8: 400, reason.PasswordMissingUpper: 400, reason.PasswordMissingLower: 400,
	reason.PasswordMissingDigit: 400, reason.PasswordMissingPunct: 400, reason.PasswordHasSpace: 400,
	reason.PasswordControlChar: 400, reason.PasswordReused: 400, reason.PasswordCommon: 400,
	reason.PasswordRepetitive: 400, reason.PasswordConfirmMismatch: 400,
	reason.AccountUnknownMethod: 400, reason.AccountUnknownVerifyMethod: 400, reason.AccountSameIdentifier: 400,
	reason.AccountEnterpriseNameTooShort: 400, reason.AccountSettingOutOfRange: 400,
	reason.AccountVerifyMethodNotAllowed: 400,
	reason.MFAMalformed:                  400, reason.MFAUsageRequired: 400, reason.MFABackupMalformed: 400,
	reason.MFAEnrolmentInvalid:        400,
	reason.ProtectionChallengeInvalid: 400, reason.ProtectionSettingInvalid: 400,
	reason.ProtectionOperationUnknown: 400,
	reason.RecoveryTokenMalformed:     400, reason.RecoveryTokenInvalid: 400,
	reason.AccountIndustryUnknown: 400, reason.AccountQuotaExceptionInvalid: 400,
	reason.FindCheckCharacter: 400, reason.FindNotPublic: 400, reason.FindTokenMalformed: 400,
	reason.FindUnknownWay: 400, reason.RecoveryReasonUnknown: 400,
	reason.CancellationConditionUnconfirmed: 400, reason.CancellationConditionUnknown: 400,
	reason.CancellationReasonRequired: 400, reason.CancellationReasonUnknown: 400,
	reason.SubUserScopeTooLarge: 400, reason.SubUserLinkMalformed: 400, reason.SubUserUnknownLinkKind: 400,
	CodeUnsupportedMediaType: 415, CodeBodyTooLarge: 413, CodeNotFound: 404,

	// 401: wrong credentials, or no (more) session or pending login.
	reason.PasswordWrong: 401, reason.CodeMismatch: 401, reason.CodeInvalid: 401,
	reason.MFAMismatch: 401, reason.MFAReplayed: 401, reason.MFABackupMismatch: 401,
	reason.ProtectionRejected: 401, reason.ProtectionSessionInvalid: 401, reason.ProtectionLoginInvalid: 401,
	reason.RecoveryIdentityMismatch: 401, reason.RecoveryFaceRejected: 401, reason.RecoveryQueryInvalid: 401,

	// 403: identity verification first, or not allowed at all.
	reason.ProtectionVerificationRequired: 403, reason.AccountVerificationRequired: 403,
	reason.ProtectionMethodUnavailable: 403, reason.ProtectionNoMethod: 403,
	reason.AccountVerifyMethodUnavailable: 403, reason.AccountWeComNotAuthorized: 403,
	CodeCrossOrigin: 403, CodeIdentityUnavailable: 403, CodeNotAuthorized: 403,
	reason.ProtectionAccountRestricted: 403, reason.RecoveryEnterpriseAccount: 403, reason.RecoveryNotPersonal: 403,
	reason.RecoveryGrantInvalid: 403, reason.SubUserNotAdministrator: 403, reason.SubUserNotWeComAdmin: 403,
	reason.SubUserOutsideScope: 403, reason.SubUserNotAdminEligible: 403,

	// 404: nothing of the kind exists.
	reason.AccountNotFound: 404, reason.ProtectionAccountUnknown: 404, reason.MFANotBound: 404,
	reason.MFATokenUnknown:    404,
	reason.FindSessionInvalid: 404, reason.RecoveryFlowInvalid: 404, reason.CancellationNotFound: 404,
	reason.SubUserLinkInvalid: 404, reason.SubUserMemberUnknown: 404, reason.SubUserApplicationNotFound: 404,

	// 410: it existed, and was left too long.
	reason.RecoveryFlowExpired: 410, reason.SubUserApplicationExpired: 410,

	// 409: the account's state conflicts with the request.
	reason.LimitsQuotaExceeded: 409, reason.AccountMethodAlreadyBound: 409, reason.AccountMethodNotBound: 409,
	reason.AccountLastLoginMethod: 409, reason.AccountMethodInUse: 409, reason.AccountSecurityPhoneRequired: 409,
	reason.AccountNoPassword: 409, reason.AccountNoPendingContact: 409, reason.AccountRealNameTooSoon: 409,
	reason.AccountRealNameUnchanged: 409, reason.AccountChangedMeanwhile: 409,
	reason.MFAAlreadyBound: 409, reason.MFATokenTaken: 409, reason.MFATokenExists: 409,
	reason.ProtectionNotConfirmed: 409,
	reason.FindWrongStep:          409, reason.RecoveryStepOrder: 409, reason.RecoveryChangedMeanwhile: 409,
	reason.RecoveryAppealOpen: 409, reason.RecoveryEmailTaken: 409, reason.RecoveryFacePending: 409,
	reason.RecoveryNotApproved: 409, reason.RecoveryAllowanceUsed: 409, reason.RecoveryAlreadyDecided: 409,
	reason.RecoveryRemoveMFARequired: 409,
	reason.CancellationInProgress:    409, reason.CancellationWrongStatus: 409, reason.CancellationIrreversible: 409,
	reason.CancellationResourceUnknown: 409, reason.CancellationResourceMustBeHandled: 409,
	reason.CancellationResourcesRemain: 409, reason.CancellationCoolingOff: 409,
	reason.SubUserNotLinked: 409, reason.SubUserEnterpriseTaken: 409, reason.SubUserAlreadyLinked: 409,
	reason.SubUserAlreadyPending: 409, reason.SubUserAlreadyApproved: 409, reason.SubUserAlreadyDecided: 409,

	// 423 and 429: locked, or too many requests; with Retry-After.
	reason.LimitsLocked: 423, reason.LimitsRateLimited: 429,

	// 503: a store or a service the library depends on failed; try again.
	reason.StoreUnavailable: 503, reason.CodeSendFailed: 503, reason.ProtectionVerifierUnavailable: 503,
	reason.MFAKeyUnavailable: 503, reason.RecoverySessionsNotEnded: 503,
	reason.RecoveryApplyFailed: 503, reason.CancellationCheckerFailed: 503, reason.CancellationCalendarFailed: 503,
	reason.SubUserGrantFailed: 503, reason.SubUserNotifyFailed: 503,

	// 501: the host did not wire what the feature needs; asking again does
	// not help.
	reason.FeatureUnavailable: 501, reason.FindUnavailable: 501, reason.RecoveryFaceUnavailable: 501,
	reason.CancellationNoFaceVerifier: 501,

	// 500: the host's configuration is wrong.
	reason.PolicyInvalid: 500, reason.PasswordHashMalformed: 500, reason.ProtectionOperationExists: 500,
	CodeInternal: 500,
}

// Status returns the HTTP status of reason code c in the built-in table,
// and false when the table has no row for c (such an error answers 500).
func Status(c reason.Code) (int, bool) {
	s, ok := statuses[c]
	return s, ok
}

// Problem is the body of every error answer: an RFC 9457 problem detail
// (application/problem+json) with the reason code and, when identity
// verification is needed, the purpose and the methods to verify by.
type Problem struct {
	// Type identifies the problem: Options.ProblemBase followed by the
	// reason code.
	Type string `json:"type"`
	// Title is a short summary of the status, in the user's language.
	Title string `json:"title"`
	// Status is the HTTP status.
	Status int `json:"status"`
	// Detail is the message of the reason code in the user's language.
	Detail string `json:"detail,omitempty"`
	// Code is the stable reason code ("password.too_short").
	Code reason.Code `json:"code"`
	// Purpose is the operation to verify for (verification required).
	Purpose string `json:"purpose,omitempty"`
	// Methods are the verification methods to offer first.
	Methods []vocab.VerifyMethod `json:"methods,omitempty"`
	// Alternatives are the other methods the user may pick instead.
	Alternatives []vocab.VerifyMethod `json:"alternatives,omitempty"`
	// RetryAfter is the number of seconds to wait (locked, rate limited),
	// as in the Retry-After header.
	RetryAfter int64 `json:"retry_after,omitempty"`
	// Errors lists every violation when there are several (the rules a new
	// password breaks), each with its code and message.
	Errors []ProblemItem `json:"errors,omitempty"`
}

// ProblemItem is one of several violations of a Problem.
type ProblemItem struct {
	// Code is the violation's reason code.
	Code reason.Code `json:"code"`
	// Detail is its message in the user's language.
	Detail string `json:"detail"`
}

var titles = map[reason.Language]map[int]string{
	reason.English: {
		400: "Invalid request", 401: "Not authenticated", 403: "Not allowed", 404: "Not found",
		409: "Conflict", 413: "Request too large", 415: "Unsupported media type", 423: "Locked",
		410: "Gone", 429: "Too many requests", 500: "Internal error", 501: "Not available",
		503: "Service unavailable",
	},
	reason.SimplifiedChinese: {
		400: "请求无效", 401: "未通过认证", 403: "不允许", 404: "未找到",
		409: "冲突", 413: "请求过大", 415: "不支持的内容类型", 423: "已锁定",
		410: "已失效", 429: "请求过多", 500: "内部错误", 501: "功能未提供", 503: "服务不可用",
	},
}

func title(lang reason.Language, status int) string {
	if t, ok := titles[lang][status]; ok {
		return t
	}
	return http.StatusText(status)
}

// Error writes err as a problem+json answer (see Problem), with the status
// of its reason code, the message in the language of the request's
// Accept-Language, Retry-After for a lock or a rate limit, and the methods
// of a verification required. An error without a reason code, or whose code
// has no status, answers 500 with a generic message: internal error text is
// never shown. Inside a Handler (or its Middleware) the host's
// Options.Statuses, ProblemBase, TimeZone, Now and ErrorLog apply.
func Error(w http.ResponseWriter, r *http.Request, err error) {
	envFrom(r).writeError(w, r, err)
}

func (e *env) problem(r *http.Request, err error) (Problem, time.Duration) {
	lang := Language(r)
	var re *reason.Error
	if !errors.As(err, &re) {
		re = reason.New(CodeInternal)
	}
	status, ok := e.status(re.Code)
	if !ok || status >= 500 && status != http.StatusServiceUnavailable && status != http.StatusNotImplemented {
		re, status = reason.New(CodeInternal), http.StatusInternalServerError
	}
	p := Problem{
		Type: e.problemBase() + string(re.Code), Title: title(lang, status), Status: status,
		Code: re.Code, Detail: Message(re, lang, e.opts.TimeZone),
	}
	if list := members(err); len(list) > 1 && re.Code != CodeInternal {
		details := make([]string, 0, len(list))
		for _, m := range list {
			d := Message(m, lang, e.opts.TimeZone)
			p.Errors = append(p.Errors, ProblemItem{Code: m.Code, Detail: d})
			details = append(details, d)
		}
		sep := "; "
		if lang == reason.SimplifiedChinese {
			sep = "；"
		}
		p.Detail = strings.Join(details, sep)
	}
	var vr *vocab.VerificationRequiredError
	if errors.As(err, &vr) && status == http.StatusForbidden {
		p.Purpose, p.Methods, p.Alternatives = vr.Purpose, vr.Methods, vr.Alternatives
	}
	var wait time.Duration
	var locked *limits.LockedError
	var limited *limits.RateLimitedError
	switch {
	case errors.As(err, &locked):
		wait = locked.Until.Sub(e.now())
	case errors.As(err, &limited):
		wait = limited.RetryAfter
	}
	if status == http.StatusLocked || status == http.StatusTooManyRequests {
		p.RetryAfter = max(1, int64((wait+time.Second-1)/time.Second))
	}
	return p, wait
}

// members returns the reason-coded errors of err: one, or each member of a
// list (reason.List, *account.UnbindBlockedError).
func members(err error) []*reason.Error {
	for err != nil {
		if re, ok := err.(*reason.Error); ok {
			return []*reason.Error{re}
		}
		if m, ok := err.(interface{ Unwrap() []error }); ok {
			var out []*reason.Error
			for _, c := range m.Unwrap() {
				out = append(out, members(c)...)
			}
			return out
		}
		err = errors.Unwrap(err)
	}
	return nil
}

func (e *env) writeError(w http.ResponseWriter, r *http.Request, err error) {
	p, _ := e.problem(r, err)
	if p.Code == CodeInternal && e.opts.ErrorLog != nil {
		e.opts.ErrorLog(r, err)
	}
	if p.RetryAfter > 0 {
		w.Header().Set("Retry-After", strconv.FormatInt(p.RetryAfter, 10))
	}
	w.Header().Set("Content-Type", "application/problem+json")
	w.Header().Set("Content-Language", contentLanguage(Language(r)))
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(p.Status)
	_ = json.NewEncoder(w).Encode(p)
}

func contentLanguage(l reason.Language) string {
	if l == reason.SimplifiedChinese {
		return "zh-CN"
	}
	return "en"
}

// JSON writes v as a JSON answer with the given status, not to be cached.
func JSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
