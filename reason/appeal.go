package reason

// Codes of the account recovery flows of package recovery: the enterprise
// recovery, the login appeal and their review.
const (
	// RecoveryFlowInvalid: no such recovery flow or appeal (never started,
	// or its reference is wrong).
	RecoveryFlowInvalid Code = "recovery.flow_invalid"
	// RecoveryFlowExpired: the flow was left too long and expired; start again.
	RecoveryFlowExpired Code = "recovery.flow_expired"
	// RecoveryStepOrder: the step does not come now. Params: expected.
	RecoveryStepOrder Code = "recovery.step_order"
	// RecoveryChangedMeanwhile: the flow changed while this step ran; look at it again.
	RecoveryChangedMeanwhile Code = "recovery.changed_meanwhile"
	// RecoveryIdentityMismatch: the account and the identity given do not match.
	RecoveryIdentityMismatch Code = "recovery.identity_mismatch"
	// RecoveryEnterpriseAccount: the account is enterprise-verified; use the enterprise recovery.
	RecoveryEnterpriseAccount Code = "recovery.enterprise_account"
	// RecoveryNotPersonal: the account is not personally verified, so it cannot appeal.
	RecoveryNotPersonal Code = "recovery.not_personal"
	// RecoveryAppealOpen: the account already has an open appeal.
	RecoveryAppealOpen Code = "recovery.appeal_open"
	// RecoveryEmailTaken: the email is registered or bound to an account already.
	RecoveryEmailTaken Code = "recovery.email_taken"
	// RecoveryFaceRejected: the face check did not match. Params: remaining.
	RecoveryFaceRejected Code = "recovery.face_rejected"
	// RecoveryFacePending: the face check is not finished yet.
	RecoveryFacePending Code = "recovery.face_pending"
	// RecoveryFaceUnavailable: the host offers no face check.
	RecoveryFaceUnavailable Code = "recovery.face_unavailable"
	// RecoveryReasonUnknown: the reason is not one of the list. Params: allowed.
	RecoveryReasonUnknown Code = "recovery.reason_unknown"
	// RecoveryQueryInvalid: the query code, phone or SMS code is wrong, or no result exists.
	RecoveryQueryInvalid Code = "recovery.query_invalid"
	// RecoveryNotApproved: the recovery was not approved (pending or rejected).
	RecoveryNotApproved Code = "recovery.not_approved"
	// RecoveryGrantInvalid: the recovery grant is unknown or expired, or does not cover the account.
	RecoveryGrantInvalid Code = "recovery.grant_invalid"
	// RecoveryAllowanceUsed: this change was already made, or its 24 hours are over.
	RecoveryAllowanceUsed Code = "recovery.allowance_used"
	// RecoveryAlreadyDecided: the review item was decided already, or is no longer pending.
	RecoveryAlreadyDecided Code = "recovery.already_decided"
	// RecoveryRemoveMFARequired: approving this appeal needs an explicit decision to turn MFA off.
	RecoveryRemoveMFARequired Code = "recovery.remove_mfa_required"
	// RecoveryApplyFailed: the decision was recorded but applying it to the account failed; decide again to retry.
	RecoveryApplyFailed Code = "recovery.apply_failed"
)

var appealMessages = map[Language]map[Code]string{
	English: {
		RecoveryFlowInvalid:       "this recovery request does not exist",
		RecoveryFlowExpired:       "this recovery request has expired; please start again",
		RecoveryStepOrder:         "this step is not available now; the next step is {expected}",
		RecoveryChangedMeanwhile:  "the request changed while this step ran; please look at it again",
		RecoveryIdentityMismatch:  "the account and the identity information do not match",
		RecoveryEnterpriseAccount: "this account is verified as an enterprise; use the enterprise recovery instead",
		RecoveryNotPersonal:       "only a personally verified account can apply to log in this way",
		RecoveryAppealOpen:        "this account already has an open application; wait for its result",
		RecoveryEmailTaken:        "this email is already registered or bound to an account; use another one",
		RecoveryFaceRejected:      "the face check did not match; {remaining} tries left",
		RecoveryFacePending:       "the face check is not finished yet",
		RecoveryFaceUnavailable:   "face verification is not available",
		RecoveryReasonUnknown:     "choose one of the listed reasons: {allowed}",
		RecoveryQueryInvalid:      "the query code, phone number or verification code is wrong",
		RecoveryNotApproved:       "the request has not been approved",
		RecoveryGrantInvalid:      "the recovery permission is not valid for this account or has expired",
		RecoveryAllowanceUsed:     "this change has already been made, or the time to make it is over",
		RecoveryAlreadyDecided:    "this request has already been decided",
		RecoveryRemoveMFARequired: "approving this request requires the decision to turn off MFA",
		RecoveryApplyFailed:       "the decision was recorded, but applying it failed; decide again to retry",
	},
	SimplifiedChinese: {
		RecoveryFlowInvalid:       "该找回申请不存在",
		RecoveryFlowExpired:       "该找回申请已过期，请重新开始",
		RecoveryStepOrder:         "当前不能进行此步骤，下一步为 {expected}",
		RecoveryChangedMeanwhile:  "申请在此步骤进行期间已变更，请重新查看",
		RecoveryIdentityMismatch:  "账号与身份信息不匹配",
		RecoveryEnterpriseAccount: "该账号为企业认证账号，请使用企业信息找回",
		RecoveryNotPersonal:       "只有个人实名认证的账号才能通过此方式申请登录",
		RecoveryAppealOpen:        "该账号已有进行中的申请，请等待结果",
		RecoveryEmailTaken:        "该邮箱已注册或已绑定账号，请使用其他邮箱",
		RecoveryFaceRejected:      "人脸核验未通过，还可尝试 {remaining} 次",
		RecoveryFacePending:       "人脸核验尚未完成",
		RecoveryFaceUnavailable:   "人脸核验不可用",
		RecoveryReasonUnknown:     "请从以下原因中选择：{allowed}",
		RecoveryQueryInvalid:      "查询码、手机号或验证码错误",
		RecoveryNotApproved:       "该申请未通过审核",
		RecoveryGrantInvalid:      "找回授权对该账号无效或已过期",
		RecoveryAllowanceUsed:     "该变更已完成，或可变更的时间已过",
		RecoveryAlreadyDecided:    "该申请已审核",
		RecoveryRemoveMFARequired: "通过此申请需要明确决定关闭 MFA",
		RecoveryApplyFailed:       "审核结果已记录，但应用失败，请重新审核以重试",
	},
}
