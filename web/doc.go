// Package web is the account centre over HTTP: what a host mounts to serve
// the flows of an accountsec.Service to a browser.
//
//	h, err := web.NewHandler(svc, web.Options{Prefix: "/account", TrustedProxies: proxies})
//	mux.Handle("/account/", h)
//
//	// A host page behind the same middleware, guarded by an operation of
//	// the catalog: without a step-up it answers 403 problem+json.
//	mux.Handle("POST /buckets/delete", h.Middleware(web.RequireOperation("delete_bucket", deleteBucket)))
//	// in deleteBucket: s, _ := web.SessionFrom(r.Context()); p, _ := web.ProofFrom(r.Context())
//
// # What every request gets
//
//   - Cross-origin protection: every state-changing request (any method
//     but GET, HEAD and OPTIONS) from another origin is refused with 403
//     (code web.cross_origin), by net/http's CrossOriginProtection
//     (Sec-Fetch-Site, else Origin against Host; Options.TrustedOrigins
//     allowed). There are no CSRF tokens. Request bodies must also be
//     application/json, which no HTML form can send.
//   - The session: the session cookie is validated on every request
//     (protection.Manager.ValidateSession: one store read, a write at most
//     once a minute). SessionFrom returns it; an invalid one is ended and its
//     cookie cleared. A store failure answers 503.
//   - The client IP (ClientIP): the connection's peer; X-Forwarded-For and
//     Forwarded are read only when the peer is one of Options.TrustedProxies,
//     from the right, skipping trusted hops (ResolveClientIP).
//
// # Cookies
//
// Every cookie is __Host- prefixed, Secure, HttpOnly, SameSite=Lax and
// Path=/ (NewCookie): the session token (until the session's absolute end),
// the trusted-device token (Policy.TrustedDeviceTTL, 7 days) and the token of
// a login waiting for its second step (10 minutes). These tokens are never
// in a JSON body.
//
// # Errors
//
// Every error is an RFC 9457 problem (application/problem+json; Problem):
// type, title, status, detail, and the reason code; a verification required
// adds purpose, methods and alternatives; a lock or a rate limit adds
// retry_after and the Retry-After header; several violations (a password
// that breaks several rules) are listed in errors. The status comes from one
// table (Status), which has a row for every reason code of the library: 400
// bad input, 401 wrong credentials or no session, 403 verification required
// or not allowed, 404, 409 conflict, 410 a flow left too long, 423 locked,
// 429 rate limited, 501 a feature the host did not wire (feature.unavailable,
// find.unavailable, …), 503 store or host service unavailable; 500 for
// everything else, whose cause is never shown (Options.ErrorLog receives
// it). Messages
// are in the language of Accept-Language (Language: zh, zh-CN, zh-Hans reach
// Simplified Chinese; the rest English), durations and times formatted for
// it (Message).
//
// # Endpoints
//
// Paths are relative to Options.Prefix; bodies are JSON objects. "session"
// means the endpoint answers 401 without a valid session cookie; "step-up
// op" means it needs a step-up of the session for op (otherwise 403 with the
// methods: POST /verification/start and /verification/answer with that
// purpose, then the same request again). 204 answers have no body.
//
//	method  path                                   body                                    answer
//	POST    /register/code                         {email}                                 202 {expires_at}
//	POST    /register                              {email, password, code, nickname,       201 account
//	                                                industry}
//	POST    /login                                 {login, password}                       200 {status: "signed_in", account_id, session}
//	                                                                                        + session cookie, or {status:
//	                                                                                        "verification_required", methods,
//	                                                                                        alternatives, second_factor,
//	                                                                                        unusual_location, expires_at}
//	                                                                                        + pending cookie
//	POST    /login/challenge                       {method} (pending cookie)               200 challenge
//	POST    /login/complete                        {challenge, answer, trust_device}       200 as /login signed in (+ device
//	                                                (pending cookie)                        cookie when trusted)
//	POST    /logout                                -                                       204, session cookie cleared
//	POST    /password/reset/request                {email}                                 202 (the same for an unknown one)
//	POST    /password/reset/lookup                 {token}                                 200 options + expires_at
//	POST    /password/reset/verification/start     {token, method}                         200 challenge
//	POST    /password/reset/verification/answer    {token, challenge, answer}              200 verified
//	POST    /password/reset/complete               {token, new, confirm}                   204, every session ended
//	POST    /password/change                       {old, new, confirm}   step-up            204, other sessions ended
//	                                                                     change_password
//	GET     /me                                    session                                 200 account
//	GET     /verification/options?purpose=op       session                                 200 options
//	POST    /verification/start                    {purpose, method}     session           200 challenge
//	POST    /verification/answer                   {purpose, challenge, answer}  session   200 verified
//	GET     /sessions                              session                                 200 [session]
//	DELETE  /sessions/{id}                         session                                 204
//	POST    /sessions/sign-out-all                 step-up sign_out_all                    204, cookies cleared
//	GET     /trusted-devices                       session                                 200 [device]
//	DELETE  /trusted-devices/{id}                  session                                 204
//	DELETE  /trusted-devices                       session                                 204, device cookie cleared
//	GET     /protection                            session                                 200 settings
//	PATCH   /protection                            any settings field    step-up per field 200 settings
//	GET     /mfa                                   session                                 200 {bound, device, backup_codes_left}
//	POST    /mfa/enrol                             {label}               step-up bind_mfa  200 {device_id, uri, key, qr_png,
//	                                                                                        issuer, label, digits,
//	                                                                                        period_seconds, expires_at}
//	POST    /mfa/confirm                           {device_id, code, login_protection,     200 device, other sessions ended
//	                                                operation_protection}  step-up bind_mfa
//	POST    /mfa/unbind                            {code}                step-up unbind_mfa 200 {device, login_protection,
//	                                                                                        operation_protection}
//	POST    /mfa/backup-codes                      -                     step-up bind_mfa  200 {codes, generated_at}
//	POST    /contacts/security-phone/code          {phone}       step-up change_security_phone  202 {expires_at}
//	POST    /contacts/security-phone               {phone, code} step-up change_security_phone  200 account
//	POST    /contacts/security-email/code          {email}       step-up change_security_email  202 {expires_at}
//	POST    /contacts/security-email               {email, code, also_contact_email}  idem      200 account
//	POST    /contacts/contact-phone                {phone}               session           202 {expires_at}
//	POST    /contacts/contact-phone/confirm        {code}                session           200 account
//	POST    /contacts/contact-email                {email}               session           202 {expires_at}
//	POST    /contacts/contact-email/confirm        {code}                session           200 account
//	POST    /login-methods/email/code              {email}   step-up bind_login_method     202 {expires_at}
//	                                                         (change_login_email when bound)
//	POST    /login-methods                         {method, email, password, code}         200 account
//	                                                         step-up bind_login_method
//	PUT     /login-methods/{method}                email: {email, password, code,          200 account
//	                                                also_security_email, also_contact_email}
//	                                                step-up change_login_email; others: -
//	                                                step-up change_login_method
//	DELETE  /login-methods/{method}                step-up unbind_login_method             200 account
//
// Finding a forgotten account (Service.Find). Every answer is the same,
// status, headers and bytes, whether the phone, identifier or identity
// names an account or not; what differs is only the SMS that goes to a
// matching security phone and the accounts a matched face check shows.
// token is the find session's, from start or personal:
//
//	method  path                                   body                                    answer
//	POST    /find-account/phone                    {phone}                                 202 {way, to}
//	POST    /find-account/start                    {way, value}                            200 {token, expires_at, methods}
//	POST    /find-account/personal                 {name, id_number}                       200 {token, expires_at, methods,
//	                                                                                        face: {url, expires_at}}
//	POST    /find-account/verify-phone             {token, phone}                          202 {way, to}
//	POST    /find-account/face                     {token}                                 200 {url, expires_at}
//	POST    /find-account/face/result              {token}                                 200 {status: pending | rejected |
//	                                                                                        matched, accounts}
//
// The enterprise recovery (Service.Enterprise) and the login appeal
// (Service.Appeals), no session. ref is the flow's, delivered by its start
// only; flow is {step, expires_at}, step being the step that comes next:
//
//	POST    /enterprise-recovery                   {company, credit_code, reason}          201 {ref, step, expires_at}
//	POST    /enterprise-recovery/legal-person      {ref, name, id_number}                  200 flow
//	POST    /enterprise-recovery/face              {ref}                                   200 {url}
//	POST    /enterprise-recovery/face/result       {ref}                                   200 flow (409 face_pending)
//	POST    /enterprise-recovery/contact/code      {ref, phone}                            202 {expires_at}
//	POST    /enterprise-recovery/submit            {ref, phone, code}                      200 {query_code, step}
//	POST    /enterprise-recovery/result/code       {query_code, phone}                     202 {expires_at}
//	POST    /enterprise-recovery/result            {query_code, phone, code}               200 {status, note, accounts, grant,
//	                                                                                        grant_expires_at}
//	POST    /enterprise-recovery/login-email/code  {grant, account_id, email}              202 {expires_at}
//	POST    /enterprise-recovery/login-email       {grant, account_id, email, password,    200 account, sessions ended
//	                                                confirm, code}
//	POST    /enterprise-recovery/security-phone/code  {grant, account_id, phone}           202 {expires_at}
//	POST    /enterprise-recovery/security-phone    {grant, account_id, phone, code}        200 account, sessions ended
//	POST    /appeals/contact/code                  {phone}                                 202 {expires_at}
//	POST    /appeals                               {account, name, id_number, reason,      201 {ref, step, expires_at}
//	                                                contact_phone, code}
//	POST    /appeals/status                        {ref}                                   200 {step, expires_at, note}
//	POST    /appeals/login-email/code              {ref, email}                            202 {expires_at}
//	POST    /appeals/login-email                   {ref, email, password, confirm, code}   200 flow
//	POST    /appeals/security-phone/code           {ref, phone}                            202 {expires_at}
//	POST    /appeals/security-phone                {ref, phone, code}                      200 flow
//	POST    /appeals/security-phone/skip           {ref}                                   200 flow
//	POST    /appeals/face                          {ref}                                   200 {url}
//	POST    /appeals/face/result                   {ref}                                   200 flow (submitted, or approved)
//
// The review, a back-office surface mounted only when Options.ReviewAuth is
// set (its reviewer is recorded with each decision; 403 web.not_authorized
// when it refuses):
//
//	GET     /review/pending                        ReviewAuth                              200 [item]
//	POST    /review/decide                         {id, approve, note, remove_mfa}         200 item
//	POST    /review/cancellation                   {account_id, approve, note}             200 cancellation
//
// Cancellation (Service.Cancellation; without Deps.Resources every one
// answers 501 feature.unavailable), of the session's account:
//
//	GET     /cancellation/conditions               -                                       200 {conditions, reasons}
//	GET     /cancellation                          session                                 200 cancellation (404 not_found)
//	POST    /cancellation                          {confirmed, reasons, other_reason,      201 cancellation
//	                                                remark}  step-up apply_cancellation
//	POST    /cancellation/check                    session                                 200 {cancellation, must_handle,
//	                                                                                        not_abandoned, unsettled_postpaid,
//	                                                                                        advanced}
//	POST    /cancellation/abandon                  {resources: [id]}     session           200 cancellation
//	POST    /cancellation/identity/start           session                                 200 {cancellation, face, url}
//	POST    /cancellation/identity/finish          session                                 200 cancellation
//	POST    /cancellation/revoke                   session                                 200 cancellation
//
// The WeCom sub-users (Service.SubUsers; without Deps.SubUserHost 501). The
// member is the one the host's WeCom login authenticated
// (Options.SubUserMember); an administrator's calls act on the session's
// account as the host's principal (Options.SubUserPrincipal); neither is
// read from a body, and without its hook the call is 403
// web.not_authorized. Linking the enterprise (Manager.Link) follows the
// host's own WeCom authorisation and has no endpoint:
//
//	POST    /subusers/apply                        {token}  SubUserMember                  201 application
//	GET     /subusers/enterprise                   session, SubUserPrincipal               200 enterprise
//	PUT     /subusers/scope                        {departments, members}  idem            200 enterprise
//	POST    /subusers/links                        {kind}                  idem            201 {token, kind, corp_id, expires_at}
//	GET     /subusers/applications                 idem                                    200 [application]
//	POST    /subusers/applications/{id}/approve    {policies, groups, cam_admin}  idem     200 application + notified
//	POST    /subusers/applications/{id}/reject     {note}                  idem            200 application + notified
//
// The shapes: account is {id, appid, nickname, registered_at, login_methods
// [{method, identifier (masked email only), bound_at}], security_phone,
// security_email, contact_phone {address, pending}, contact_email,
// has_password}, every address masked. session is {id, current,
// login_method, client_ip, city, device_name, created_at, last_seen_at,
// expires_at, idle_expires_at}. device is {id, name, client_ip, city,
// created_at, expires_at}. challenge is {challenge, method, purpose, sent_to
// (masked), url, expires_at}. options is {purpose, configured, preferred,
// alternatives}. verified is {purpose, method, expires_at}. settings is
// {login_protection, trust_devices, operation_protection,
// remote_login_protection, remote_login_method, mfa_binding_method,
// session_max_lifetime_minutes, session_idle_timeout_minutes}. item is
// {id, kind, submitted_at, expires_at, reason, company, credit_code,
// legal_person, matches, account_id, login_email, security_phone,
// contact_phone, manual, manual_reason}, addresses and the legal person
// masked. cancellation is {account_id, status, applied_at, confirmed,
// reasons, other_reason, remark, abandoned, restricted, cooling_off_until,
// real_name, face_started, review_deadline, review_note, ended_at}.
// enterprise is {corp_id, corp_name, admin_user_id, linked_by, linked_at,
// scope {departments, members: [{id, name}]}, scope_set_at}. application
// is {id, corp_id, member_id, member_name, member_admin, kind, state,
// applied_at, decided_at, decided_by, grant, sub_user_id, note}; a
// decision adds notified (false when the decision stands but the applicant
// could not be told).
//
// Third-party login methods (WeChat, QQ, WeCom, Official Account) are bound
// to the identity the host's own OAuth flow authenticated
// (Options.ThirdPartyIdentity), never to a subject ID from the body.
//
// # Secrets
//
// No answer holds a stack trace, an internal error text, a password, a code
// or a token, except what it exists to deliver: the challenge ID to answer,
// the MFA secret at enrolment, the backup codes at their generation, a find
// session's token and a flow's reference at their start, the enterprise
// recovery's query code at its submission and its grant at the first
// look-up of an approved result, an application link's token at its
// creation. The next steps take them in their bodies, never in a URL, and
// their answers do not repeat them. Session, device and pending-login
// tokens go only into cookies; a face check's host ticket stays with its
// flow.
//
// # Extending
//
// A host adds its own flows with Options.Routes (mounted under the prefix
// behind the same middleware) and Options.Statuses (the statuses of their
// reason codes), and writes with JSON, Decode and Error; or it mounts single
// endpoints of a Handler (its methods) behind Handler.Middleware.
package web
