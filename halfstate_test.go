package accountsec_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/accountsec/accountsec"
	"github.com/accountsec/accountsec/account"
	"github.com/accountsec/accountsec/account/password"
	"github.com/accountsec/accountsec/event"
	"github.com/accountsec/accountsec/fakes"
	"github.com/accountsec/accountsec/mfa"
	"github.com/accountsec/accountsec/protection"
	"github.com/accountsec/accountsec/store/memstore"
)

// A flow that fails half-way leaves no half. For each flow, the test counts
// the store calls of a clean run, then, in a fresh world each time, fails
// call #1, #2, … in turn (not reaching the store, or reaching it and losing
// the reply), checks the state the failure left, retries the same request
// (with a fresh code, and after a new identity verification when the
// failed attempt already ended this session's step-up, or a new sign-in
// when it ended this session) and checks that the final state is the clean
// run's.

const (
	hsEmail = "half@example.com"
	hsPW    = "Str0ng!Pass"
	hsNewPW = "N3w!Passw0rd"
)

// hsWorld is a world whose every store area goes through fault-injecting
// wrappers sharing one Sequence.
type hsWorld struct {
	*world
	seq    *fakes.Sequence
	secret string // the TOTP secret, once enrolled

	sess, other protection.LoginResult
	enrolled    *mfa.Enrolment
}

func newHSWorld(t *testing.T) *hsWorld {
	t.Helper()
	mem := memstore.New()
	seq := &fakes.Sequence{}
	st := &fakes.StateStore{Store: mem, Faults: fakes.Faults{Sequence: seq}}
	w := &world{t: t, clock: fakes.NewClock(fakes.Epoch), outbox: &fakes.Outbox{}, events: &fakes.Events{}, store: mem, ctx: t.Context()}
	svc, err := accountsec.New(
		accountsec.Config{Secret: secret, Hashing: password.HasherConfig{Params: password.InsecureTestParams()}},
		accountsec.Deps{
			Counters: &fakes.CounterStore{Store: mem, Faults: fakes.Faults{Sequence: seq}},
			Codes:    &fakes.CodeStore{Store: mem, Faults: fakes.Faults{Sequence: seq}},
			Accounts: &fakes.AccountStore{Store: mem, Faults: fakes.Faults{Sequence: seq}},
			Devices:  st, Sessions: st, Resets: st,
			SMS: w.outbox, Email: w.outbox, Events: w.events.Hook, Now: w.clock.Now,
		},
	)
	require.NoError(t, err)
	w.svc = svc
	return &hsWorld{world: w, seq: seq}
}

// hsState is what the test compares: the effects of the flows, without the
// random IDs.
type hsState struct {
	AccountExists       bool
	DeviceBound         bool
	LoginProtection     account.VerifyMethod
	OperationProtection account.VerifyMethod
	PasswordIsNew       bool
	OwnSessionLive      bool
	OtherSessionLive    bool
	Sessions            int
}

func (w *hsWorld) state() hsState {
	t := w.t
	t.Helper()
	var s hsState
	a, found, err := w.store.Account(w.ctx, w.accountID())
	require.NoError(t, err)
	s.AccountExists = found
	if found {
		s.LoginProtection, s.OperationProtection = a.Security.LoginProtection, a.Security.OperationProtection
		ok, _, err := w.svc.Passwords.Verify(w.ctx, hsNewPW, a.Password.Hash)
		require.NoError(t, err)
		s.PasswordIsNew = ok
		_, s.DeviceBound, err = w.svc.MFA.Device(w.ctx, a.ID)
		require.NoError(t, err)
		ss, err := w.svc.Protection.Sessions(w.ctx, a.ID)
		require.NoError(t, err)
		s.Sessions = len(ss)
	}
	live := func(r protection.LoginResult) bool {
		if r.Token == "" {
			return false
		}
		_, err := w.svc.Protection.ValidateSession(w.ctx, r.Token)
		if err != nil {
			require.ErrorIs(t, err, protection.ErrSessionInvalid)
		}
		return err == nil
	}
	s.OwnSessionLive, s.OtherSessionLive = live(w.sess), live(w.other)
	return s
}

func (w *hsWorld) accountID() string {
	accs, err := w.svc.Accounts.AccountsByLogin(w.ctx, account.MethodEmail, hsEmail)
	require.NoError(w.t, err)
	if len(accs) == 0 {
		return w.sess.Session.AccountID // deleted: the ID is still the session's
	}
	return accs[0].ID
}

// signIn signs in with the password, and with MFA when login protection
// asks for it.
func (w *hsWorld) signIn(pw string) protection.LoginResult {
	w.t.Helper()
	res := w.login(hsEmail, pw)
	if res.Pending == nil {
		return res
	}
	ch, err := w.svc.Protection.StartLoginChallenge(w.ctx, res.Pending.Token, protection.MFA, "203.0.113.1")
	require.NoError(w.t, err)
	done, err := w.svc.Protection.CompleteLogin(w.ctx, protection.CompleteRequest{PendingToken: res.Pending.Token, Challenge: ch.ID, Answer: w.totp(w.secret)})
	require.NoError(w.t, err)
	return done
}

// own is the session the flows run in.
func (w *hsWorld) own() protection.Session { return *w.sess.Session }

// authorized runs call, and when it asks for identity verification in the
// own session, verifies and runs it again.
func (w *hsWorld) authorized(call func() error) error {
	err := call()
	var vr *protection.VerificationRequiredError
	if errors.As(err, &vr) {
		w.verify(w.own(), err, w.secret)
		err = call()
	}
	return err
}

// enrol registers, signs in twice and enrols a device (step-up included).
func (w *hsWorld) enrol() {
	w.register(hsEmail, hsPW)
	w.sess, w.other = w.signIn(hsPW), w.signIn(hsPW)
	require.NoError(w.t, w.authorized(func() error {
		e, err := w.svc.EnrolMFA(w.ctx, w.own(), "half")
		w.enrolled = e
		return err
	}))
	w.secret = strings.ReplaceAll(w.enrolled.Key(), " ", "")
}

var hsUsage = mfa.Usage{Login: true, Operation: true}

func (w *hsWorld) enable() error {
	_, err := w.svc.EnableMFA(w.ctx, w.own(), w.enrolled.DeviceID, w.totp(w.secret), hsUsage)
	return err
}

type hsFlow struct {
	name string
	// setup prepares the world up to the request.
	setup func(w *hsWorld)
	// run is the request.
	run func(w *hsWorld) error
	// retry is the same request again, after what the failure asks for.
	retry func(w *hsWorld) error
	// half checks the state a failed request left.
	half func(t *testing.T, s hsState)
}

func hsFlows() []hsFlow {
	return []hsFlow{
		{
			name:  "EnableMFA",
			setup: func(w *hsWorld) { w.enrol() },
			run:   (*hsWorld).enable,
			retry: func(w *hsWorld) error { return w.authorized(w.enable) },
			half: func(t *testing.T, s hsState) {
				if s.LoginProtection == account.VerifyMFA || s.OperationProtection == account.VerifyMFA {
					assert.True(t, s.DeviceBound, "protection names MFA only once a device is bound")
				}
			},
		},
		{
			name: "UnbindMFA",
			setup: func(w *hsWorld) {
				w.enrol()
				require.NoError(w.t, w.enable())
				w.other = w.signIn(hsPW)
				require.NoError(w.t, w.authorized(func() error {
					_, err := w.svc.Protection.Authorize(w.ctx, w.own(), protection.OpUnbindMFA)
					return err
				}))
			},
			run: func(w *hsWorld) error {
				_, err := w.svc.UnbindMFA(w.ctx, w.own(), w.totp(w.secret))
				return err
			},
			retry: func(w *hsWorld) error {
				err := w.authorized(func() error {
					_, err := w.svc.UnbindMFA(w.ctx, w.own(), w.totp(w.secret))
					return err
				})
				if errors.Is(err, mfa.ErrNotBound) {
					// The settings were done: the retry ended the other
					// sessions, and says the device is gone.
					return nil
				}
				return err
			},
			half: func(t *testing.T, s hsState) {
				if s.DeviceBound {
					assert.Equal(t, account.VerifyMFA, s.LoginProtection, "a bound device keeps login protection on it")
					assert.Equal(t, account.VerifyMFA, s.OperationProtection)
				}
			},
		},
		{
			name: "ChangePassword",
			setup: func(w *hsWorld) {
				w.register(hsEmail, hsPW)
				w.clock.Advance(1)
				w.sess, w.other = w.signIn(hsPW), w.signIn(hsPW)
			},
			run: func(w *hsWorld) error {
				return w.svc.ChangePassword(w.ctx, w.own(), account.PasswordChange{Old: hsPW, New: hsNewPW, Confirm: hsNewPW})
			},
			retry: func(w *hsWorld) error {
				return w.authorized(func() error {
					return w.svc.ChangePassword(w.ctx, w.own(), account.PasswordChange{Old: hsPW, New: hsNewPW, Confirm: hsNewPW})
				})
			},
			half: func(t *testing.T, s hsState) {},
		},
		{
			name: "DeleteAccount",
			setup: func(w *hsWorld) {
				w.register(hsEmail, hsPW)
				w.sess, w.other = w.signIn(hsPW), w.signIn(hsPW)
				require.NoError(w.t, w.authorized(func() error {
					_, err := w.svc.Protection.Authorize(w.ctx, w.own(), protection.OpApplyCancellation)
					return err
				}))
			},
			run: func(w *hsWorld) error { return w.svc.DeleteAccount(w.ctx, w.own()) },
			retry: func(w *hsWorld) error {
				if _, found, err := w.store.Account(w.ctx, w.own().AccountID); err != nil || !found {
					return err // deleted, its reply lost: nothing left to do
				}
				if _, err := w.svc.Protection.ValidateSession(w.ctx, w.sess.Token); err != nil {
					w.sess = w.signIn(hsPW) // everyone was signed out: sign in again
				}
				return w.authorized(func() error { return w.svc.DeleteAccount(w.ctx, w.own()) })
			},
			half: func(t *testing.T, s hsState) {
				if !s.AccountExists {
					assert.False(t, s.OwnSessionLive, "no session outlives its account")
					assert.False(t, s.OtherSessionLive, "no session outlives its account")
				}
			},
		},
		{
			name:  "Login",
			setup: func(w *hsWorld) { w.register(hsEmail, hsPW) },
			run: func(w *hsWorld) error {
				res, err := w.svc.Protection.Login(w.ctx, protection.LoginRequest{Login: hsEmail, Password: hsPW, ClientIP: "203.0.113.1"})
				if err == nil {
					w.sess = res
				}
				return err
			},
			retry: func(w *hsWorld) error {
				res, err := w.svc.Protection.Login(w.ctx, protection.LoginRequest{Login: hsEmail, Password: hsPW, ClientIP: "203.0.113.1"})
				w.sess = res
				return err
			},
			half: func(t *testing.T, s hsState) {
				assert.Zero(t, s.Sessions, "a failed login leaves no session")
			},
		},
	}
}

func TestFlowsLeaveNoHalf(t *testing.T) {
	t.Parallel()
	for _, f := range hsFlows() {
		t.Run(f.name, func(t *testing.T) {
			t.Parallel()
			clean := newHSWorld(t)
			f.setup(clean)
			clean.seq.Heal()
			require.NoError(t, f.run(clean))
			calls := clean.seq.Calls()
			want := clean.state()
			require.NotEmpty(t, calls)
			t.Logf("%s: %d store calls: %v", f.name, len(calls), calls)

			for i := range calls {
				for _, lost := range []bool{false, true} {
					mode := "fail"
					if lost {
						mode = "lose"
					}
					t.Run(fmt.Sprintf("%s#%d_%s", mode, i+1, calls[i]), func(t *testing.T) {
						t.Parallel()
						w := newHSWorld(t)
						f.setup(w)
						if lost {
							w.seq.LoseAt(i+1, nil)
						} else {
							w.seq.FailAt(i+1, nil)
						}
						err := f.run(w)
						w.seq.Heal()
						if err == nil {
							assert.Equal(t, want, w.state(), "a failure the flow absorbed leaves the clean result")
							return
						}
						f.half(t, w.state())
						require.NoError(t, f.retry(w), "a retry of the same request completes")
						assert.Equal(t, want, w.state(), "the retry ends where a clean run does")
						assert.Zero(t, w.events.Count(event.PasswordChangeFailed), "no retry counts as a wrong password")
					})
				}
			}
		})
	}
}
