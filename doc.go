// Package accountsec is the facade of the accountsec library: account
// security policy for services whose accounts own many resources, modelled on
// the account centre of a large public cloud console.
//
// New wires the domain packages together from one Config (the policies,
// every zero field meaning the console default) and one Deps (what the host
// supplies: a store, SMS and email senders, an event hook, a clock):
//
//	svc, err := accountsec.New(accountsec.Config{Secret: key}, accountsec.Deps{SMS: sms, Email: mail})
//
//	// Check a password behind the lockout: the failure budget is reserved
//	// before the hash is computed, so parallel guesses never exceed it.
//	res, err := svc.CheckPassword(ctx, "alice@example.com", typed, storedHash)
//
//	// Send and verify a one-time code, rate limited per destination and IP.
//	_, err = svc.Codes.Send(ctx, target, clientIP)
//	err = svc.Codes.Verify(ctx, target, typedCode)
//
// The packages below can also be used on their own:
//
//   - reason: the reason-coded error every package returns, with English
//     and Simplified Chinese messages.
//   - event: the security events and the host's hook.
//   - limits: the quota table, the lockout limiter and the send-rate limiter.
//   - notify: senders the host implements and one-time codes.
//   - account/password: the password policy (console and NIST presets) and
//     argon2id hashing.
//   - store/memstore: the in-memory store (the default); store/pgstore and
//     store/redisstore: PostgreSQL and Redis adapters (nested modules).
//   - fakes: a settable clock, a recording outbox and event recorder for
//     tests and examples.
package accountsec
