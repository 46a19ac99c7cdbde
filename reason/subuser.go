package reason

// Codes of the subuser package (WeCom sub-users, docs/RULES.md §10).
const (
	// SubUserNotAdministrator: the principal is neither the main account nor
	// a sub-user with full access to it.
	SubUserNotAdministrator Code = "subuser.not_administrator"
	// SubUserNotWeComAdmin: the WeCom user is not an administrator of the
	// enterprise.
	SubUserNotWeComAdmin Code = "subuser.not_wecom_admin"
	// SubUserNotLinked: no WeCom enterprise is linked to the account.
	SubUserNotLinked Code = "subuser.not_linked"
	// SubUserEnterpriseTaken: the WeCom enterprise is linked to another
	// account.
	SubUserEnterpriseTaken Code = "subuser.enterprise_taken"
	// SubUserAlreadyLinked: the account is linked to another WeCom
	// enterprise.
	SubUserAlreadyLinked Code = "subuser.already_linked"
	// SubUserScopeTooLarge: the visibility scope lists too many units.
	// Params: field, max.
	SubUserScopeTooLarge Code = "subuser.scope_too_large"
	// SubUserLinkMalformed: the application link is not of the form the
	// library issues; nothing was looked up.
	SubUserLinkMalformed Code = "subuser.link_malformed"
	// SubUserLinkInvalid: the application link has expired, has been used
	// or was never issued.
	SubUserLinkInvalid Code = "subuser.link_invalid"
	// SubUserUnknownLinkKind: not one of the application link kinds.
	// Params: allowed.
	SubUserUnknownLinkKind Code = "subuser.unknown_link_kind"
	// SubUserMemberUnknown: the enterprise has no such member.
	SubUserMemberUnknown Code = "subuser.member_unknown"
	// SubUserOutsideScope: the member is outside the application's
	// visibility scope.
	SubUserOutsideScope Code = "subuser.outside_scope"
	// SubUserApplicationNotFound: no application with this ID.
	SubUserApplicationNotFound Code = "subuser.application_not_found"
	// SubUserApplicationExpired: the application was not reviewed in time;
	// the member applies again with a new link.
	SubUserApplicationExpired Code = "subuser.application_expired"
	// SubUserAlreadyPending: the member already has an application waiting
	// for review.
	SubUserAlreadyPending Code = "subuser.already_pending"
	// SubUserAlreadyApproved: the member is already a sub-user of the
	// account.
	SubUserAlreadyApproved Code = "subuser.already_approved"
	// SubUserAlreadyDecided: the application was approved or rejected
	// already. Params: state.
	SubUserAlreadyDecided Code = "subuser.already_decided"
	// SubUserNotAdminEligible: only an administrator application of a WeCom
	// administrator can make the member a CAM administrator.
	SubUserNotAdminEligible Code = "subuser.not_admin_eligible"
	// SubUserGrantFailed: the host failed to create the sub-user or grant
	// its policies; the application is still waiting for approval.
	SubUserGrantFailed Code = "subuser.grant_failed"
	// SubUserNotifyFailed: the decision stands, but notifying the applicant
	// failed.
	SubUserNotifyFailed Code = "subuser.notify_failed"
)

var subUserMessages = map[Language]map[Code]string{
	English: {
		SubUserNotAdministrator:    "only the main account or a sub-user with full access can do this",
		SubUserNotWeComAdmin:       "only an administrator of the WeCom enterprise can do this",
		SubUserNotLinked:           "no WeCom enterprise is linked to this account",
		SubUserEnterpriseTaken:     "this WeCom enterprise is already linked to another account",
		SubUserAlreadyLinked:       "this account is already linked to another WeCom enterprise",
		SubUserScopeTooLarge:       "the visibility scope lists more than {max} {field}",
		SubUserLinkMalformed:       "the application link is not valid",
		SubUserLinkInvalid:         "the application link has expired or has been used; ask the administrator for a new one",
		SubUserUnknownLinkKind:     "unknown application link kind; allowed: {allowed}",
		SubUserMemberUnknown:       "the enterprise has no such member",
		SubUserOutsideScope:        "this member is outside the application's visibility scope",
		SubUserApplicationNotFound: "the application does not exist",
		SubUserApplicationExpired:  "the application was not reviewed in time; the member must apply again",
		SubUserAlreadyPending:      "an application of this member is already waiting for review",
		SubUserAlreadyApproved:     "this member is already a sub-user of the account",
		SubUserAlreadyDecided:      "the application has already been decided ({state})",
		SubUserNotAdminEligible:    "only an administrator application of a WeCom administrator can grant administrator access",
		SubUserGrantFailed:         "creating the sub-user failed; the application is still waiting for approval",
		SubUserNotifyFailed:        "the decision was recorded, but notifying the applicant failed",
	},
	SimplifiedChinese: {
		SubUserNotAdministrator:    "只有主账号或拥有全部权限的子用户可以执行此操作",
		SubUserNotWeComAdmin:       "只有企业微信的管理员可以执行此操作",
		SubUserNotLinked:           "该账号尚未关联企业微信",
		SubUserEnterpriseTaken:     "该企业微信已关联其他账号",
		SubUserAlreadyLinked:       "该账号已关联其他企业微信",
		SubUserScopeTooLarge:       "可见范围中的{field}超过 {max} 个",
		SubUserLinkMalformed:       "申请链接无效",
		SubUserLinkInvalid:         "申请链接已过期或已被使用，请联系管理员获取新的链接",
		SubUserUnknownLinkKind:     "未知的申请链接类型，可选：{allowed}",
		SubUserMemberUnknown:       "企业中没有该成员",
		SubUserOutsideScope:        "该成员不在应用的可见范围内",
		SubUserApplicationNotFound: "申请不存在",
		SubUserApplicationExpired:  "该申请未在有效期内审批，成员需要重新申请",
		SubUserAlreadyPending:      "该成员已有待审核的申请",
		SubUserAlreadyApproved:     "该成员已是该账号的子用户",
		SubUserAlreadyDecided:      "该申请已处理（{state}）",
		SubUserNotAdminEligible:    "只有企业微信管理员的管理员申请才能授予管理员权限",
		SubUserGrantFailed:         "创建子用户失败，申请仍在等待审批",
		SubUserNotifyFailed:        "审批结果已记录，但通知申请人失败",
	},
}
