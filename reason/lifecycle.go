package reason

// Codes of the account cancellation (package lifecycle) and of the
// restriction it puts on a cancelling account (package protection).
const (
	// ProtectionAccountRestricted: the account is in a state that allows
	// only billing and the account centre, and the operation is neither.
	// Params: state, operation.
	ProtectionAccountRestricted Code = "protection.account_restricted"

	// CancellationNotFound: the account has no cancellation application.
	CancellationNotFound Code = "cancellation.not_found"
	// CancellationInProgress: the account already has an open cancellation
	// application. Params: status.
	CancellationInProgress Code = "cancellation.in_progress"
	// CancellationWrongStatus: the step does not apply to the application
	// in its current status. Params: status.
	CancellationWrongStatus Code = "cancellation.wrong_status"
	// CancellationIrreversible: the cancellation is completing or complete
	// and can no longer be revoked or changed. Params: status.
	CancellationIrreversible Code = "cancellation.irreversible"
	// CancellationConditionUnconfirmed: a condition of cancellation was not
	// confirmed. Params: condition.
	CancellationConditionUnconfirmed Code = "cancellation.condition_unconfirmed"
	// CancellationConditionUnknown: a confirmed condition is not one of
	// the conditions in force. Params: condition.
	CancellationConditionUnknown Code = "cancellation.condition_unknown"
	// CancellationReasonRequired: no reason for the cancellation was picked.
	CancellationReasonRequired Code = "cancellation.reason_required"
	// CancellationReasonUnknown: a reason is not one of the listed ones.
	// Params: reason.
	CancellationReasonUnknown Code = "cancellation.reason_unknown"
	// CancellationResourceUnknown: the resource is not among those the
	// resource check reports. Params: resource.
	CancellationResourceUnknown Code = "cancellation.resource_unknown"
	// CancellationResourceMustBeHandled: the resource cannot be abandoned;
	// it must be handled (released, transferred) first. Params: resource.
	CancellationResourceMustBeHandled Code = "cancellation.resource_must_be_handled"
	// CancellationResourcesRemain: resources remain that must be handled
	// or abandoned first. Params: must_handle, not_abandoned.
	CancellationResourcesRemain Code = "cancellation.resources_remain"
	// CancellationCoolingOff: the cooling-off period has not ended yet.
	// Params: until.
	CancellationCoolingOff Code = "cancellation.cooling_off"
	// CancellationNoFaceVerifier: the account's identity check needs a face
	// verification and the host wired none.
	CancellationNoFaceVerifier Code = "cancellation.no_face_verifier"
	// CancellationCheckerFailed: the host's resource checker failed; the
	// flow did not move.
	CancellationCheckerFailed Code = "cancellation.checker_failed"
	// CancellationCalendarFailed: the host's working-day calendar failed;
	// the flow did not move.
	CancellationCalendarFailed Code = "cancellation.calendar_failed"
)

var lifecycleMessages = map[Language]map[Code]string{
	English: {
		ProtectionAccountRestricted:       "the account is {state}: only billing and the account centre can be used, so {operation} is refused",
		CancellationNotFound:              "the account has no cancellation application",
		CancellationInProgress:            "the account already has a cancellation application ({status})",
		CancellationWrongStatus:           "this step does not apply to a cancellation that is {status}",
		CancellationIrreversible:          "the cancellation is {status} and can no longer be revoked",
		CancellationConditionUnconfirmed:  "the cancellation condition {condition} must be confirmed",
		CancellationConditionUnknown:      "{condition} is not a cancellation condition",
		CancellationReasonRequired:        "pick at least one reason for the cancellation",
		CancellationReasonUnknown:         "{reason} is not a cancellation reason",
		CancellationResourceUnknown:       "the resource {resource} is not among the account's remaining resources",
		CancellationResourceMustBeHandled: "the resource {resource} cannot be abandoned; handle it first",
		CancellationResourcesRemain:       "resources remain: {must_handle} to handle and {not_abandoned} to abandon",
		CancellationCoolingOff:            "the cancellation is in its cooling-off period until {until}",
		CancellationNoFaceVerifier:        "face verification is not available, so the identity check cannot be done",
		CancellationCheckerFailed:         "the resource check failed; please try again",
		CancellationCalendarFailed:        "the working-day calendar is unavailable; please try again",
	},
	SimplifiedChinese: {
		ProtectionAccountRestricted:       "账号处于{state}状态：仅可使用费用中心和账号中心，{operation} 操作被拒绝",
		CancellationNotFound:              "该账号没有注销申请",
		CancellationInProgress:            "该账号已有注销申请（{status}）",
		CancellationWrongStatus:           "注销申请处于{status}状态，不能进行此步骤",
		CancellationIrreversible:          "注销已{status}，不能再撤销",
		CancellationConditionUnconfirmed:  "须确认注销条件 {condition}",
		CancellationConditionUnknown:      "{condition} 不是注销条件",
		CancellationReasonRequired:        "请至少选择一个注销原因",
		CancellationReasonUnknown:         "{reason} 不是可选的注销原因",
		CancellationResourceUnknown:       "资源 {resource} 不在该账号的剩余资源中",
		CancellationResourceMustBeHandled: "资源 {resource} 不能放弃，请先处理",
		CancellationResourcesRemain:       "仍有资源：{must_handle} 个待处理，{not_abandoned} 个待确认放弃",
		CancellationCoolingOff:            "注销处于冷静期，至 {until} 结束",
		CancellationNoFaceVerifier:        "人脸核验不可用，无法完成身份核验",
		CancellationCheckerFailed:         "资源检查失败，请重试",
		CancellationCalendarFailed:        "工作日历暂不可用，请重试",
	},
}
