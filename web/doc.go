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
// a login waiting for its second step (10 minutes). Tokens are never in a
// JSON body.
//
// # Errors
//
// Every error is an RFC 9457 problem (application/problem+json; Problem):
// type, title, status, detail, and the reason code; a verification required
// adds purpose, methods and alternatives; a lock or a rate limit adds
// retry_after and the Retry-After header; several violations (a password
// that breaks several rules) are listed in errors. The status comes from one
// table (Status): 400 bad input, 401 wrong credentials or no session, 403
// verification required or not allowed, 404, 409 conflict, 423 locked, 429
// rate limited, 503 store or host service unavailable; 500 for everything
// else, whose cause is never shown (Options.ErrorLog receives it). Messages
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
// session_max_lifetime_minutes, session_idle_timeout_minutes}.
//
// Third-party login methods (WeChat, QQ, WeCom, Official Account) are bound
// to the identity the host's own OAuth flow authenticated
// (Options.ThirdPartyIdentity), never to a subject ID from the body.
//
// # Secrets
//
// No answer holds a stack trace, an internal error text, a password, a code
// or a token, except what it exists to deliver: the challenge ID to answer,
// the MFA secret at enrolment, the backup codes at their generation. Session,
// device and pending-login tokens go only into cookies.
//
// # Extending
//
// Finding an account, the enterprise recovery and the appeal, cancellation
// and the WeCom sub-users have no built-in endpoints: their steps are
// methods of the Service (Find, Enterprise, Appeals, Review, Cancellation,
// SubUsers) that a host mounts as it wants them. A host adds its own flows with Options.Routes (mounted under the prefix
// behind the same middleware) and Options.Statuses (the statuses of their
// reason codes), and writes with JSON, Decode and Error; or it mounts single
// endpoints of a Handler (its methods) behind Handler.Middleware.
package web
