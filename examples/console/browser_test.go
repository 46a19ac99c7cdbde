package main

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	cdppage "github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/pquerna/otp/totp"

	"github.com/accountsec/accountsec/notify"
)

// browser is a headless Chromium driving a console served on loopback.
type browser struct {
	t     *testing.T
	tt    *tester
	ctx   context.Context
	shots []shot
}

type shot struct {
	name string
	png  []byte
}

// newBrowser starts Chromium (Debian's chromium package) for the test. It
// skips without one, except under CI=true where the browser tests must
// run. Every step's screenshot is kept and, when the test fails, written
// to $ARTIFACTS or to a temporary directory named in the log.
func newBrowser(t *testing.T) *browser {
	t.Helper()
	path, err := exec.LookPath("chromium")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("chromium is not installed; the browser tests must run in CI (apt-get install -y chromium)")
		}
		t.Skip("chromium is not installed: apt-get install -y chromium to run the browser tests")
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("lang", "en-US"),
		chromedp.WindowSize(1280, 900),
	)
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(actx)
	b := &browser{t: t, tt: newTester(t, nil), ctx: ctx}
	// The first run starts the browser, which lives as long as the
	// context it runs on: ctx itself, not a step's shorter one.
	if err := chromedp.Do(ctx); err != nil {
		cancelCtx()
		cancelAlloc()
		t.Fatalf("starting %s: %v", path, err)
	}
	t.Cleanup(func() {
		if t.Failed() {
			b.writeShots()
		}
		cancelCtx()
		cancelAlloc()
	})
	return b
}

// fileName matches what a screenshot's file name leaves out.
var fileName = regexp.MustCompile(`[^A-Za-z0-9-]+`)

func (b *browser) writeShots() {
	dir := os.Getenv("ARTIFACTS")
	if dir != "" {
		dir = filepath.Join(dir, b.t.Name())
		if err := os.MkdirAll(dir, 0o755); err != nil {
			b.t.Logf("screenshots: %v", err)
			return
		}
	} else {
		var err error
		if dir, err = os.MkdirTemp("", "console-"+b.t.Name()+"-"); err != nil {
			b.t.Logf("screenshots: %v", err)
			return
		}
	}
	for i, s := range b.shots {
		if len(s.png) == 0 {
			continue
		}
		name := filepath.Join(dir, fmt.Sprintf("%02d-%s.png", i+1, fileName.ReplaceAllString(s.name, "_")))
		if err := os.WriteFile(name, s.png, 0o644); err != nil {
			b.t.Logf("screenshots: %v", err)
		}
	}
	b.t.Logf("screenshots of every step: %s", dir)
}

// step runs the actions within 15 seconds and keeps a screenshot of where
// they ended, failing the test when they did not complete.
func (b *browser) step(name string, actions ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 15*time.Second)
	err := chromedp.Do(ctx, actions...)
	cancel()
	sctx, cancel := context.WithTimeout(b.ctx, 5*time.Second)
	png, _ := chromedp.Run(sctx, chromedp.CaptureScreenshot())
	cancel()
	b.shots = append(b.shots, shot{name, png})
	if err != nil {
		b.t.Fatalf("step %q: %v", name, err)
	}
}

// doc saves a full-page screenshot for the README when
// $CONSOLE_SCREENSHOTS names a directory (docs/img); the step-up dialog
// is shot as the window shows it.
func (b *browser) doc(name string) {
	b.t.Helper()
	dir := os.Getenv("CONSOLE_SCREENSHOTS")
	if dir == "" {
		return
	}
	ctx, cancel := context.WithTimeout(b.ctx, 15*time.Second)
	defer cancel()
	shoot := chromedp.FullScreenshot(100)
	if name == "stepup" {
		shoot = chromedp.CaptureScreenshot()
	}
	png, err := chromedp.Run(ctx, shoot)
	if err != nil {
		b.t.Fatalf("screenshot %s: %v", name, err)
	}
	if err := os.WriteFile(filepath.Join(dir, "console-"+name+".png"), png, 0o644); err != nil {
		b.t.Fatal(err)
	}
}

func (b *browser) url(path string) string { return b.tt.srv.URL + path }

// text reads the text of the first node matching sel.
func (b *browser) text(sel string) string {
	b.t.Helper()
	return strings.TrimSpace(read(b, "read "+sel, chromedp.Text(chromedp.CSS(sel))))
}

// read runs one action that reads a value, as a step.
func read[T any](b *browser, name string, a chromedp.Action[T]) T {
	b.t.Helper()
	var v T
	b.step(name, func(ctx context.Context, t *chromedp.Target) (chromedp.Void, error) {
		var err error
		v, err = a(ctx, t)
		return chromedp.Void{}, err
	})
	return v
}

// fill replaces the value of the input sel with v, typed.
func fill[S chromedp.Selectable](sel S, v string) chromedp.Action[chromedp.Void] {
	return chromedp.Steps(chromedp.Clear(sel), chromedp.SendKeys(sel, v))
}

// submit clicks the button (or link) sel and waits until the page it
// leads to has loaded.
func submit[S chromedp.Selectable](sel S) chromedp.Action[chromedp.Void] {
	load := chromedp.WaitEvent(cdppage.LoadEventFired, nil, chromedp.Click(sel))
	return func(ctx context.Context, t *chromedp.Target) (chromedp.Void, error) {
		_, err := load(ctx, t)
		return chromedp.Void{}, err
	}
}

// flashHas waits for the page's message and expects it to contain want.
func flashHas(want string) chromedp.Action[chromedp.Void] {
	return func(ctx context.Context, t *chromedp.Target) (chromedp.Void, error) {
		if _, err := chromedp.WaitVisible(chromedp.ID("flash"))(ctx, t); err != nil {
			return chromedp.Void{}, err
		}
		s, err := chromedp.Text(chromedp.ID("flash"))(ctx, t)
		if err == nil && !strings.Contains(s, want) {
			err = fmt.Errorf("message %q, want %q", s, want)
		}
		return chromedp.Void{}, err
	}
}

// stepUp answers the open step-up dialog with method and the answer
// answer() gives once the challenge is started.
func (b *browser) stepUp(method string, answer func() string) {
	b.t.Helper()
	b.step("step-up dialog", chromedp.WaitVisible(chromedp.ID("#stepup")), submit(chromedp.ID("stepup-"+method)),
		chromedp.WaitVisible(chromedp.ID("#stepup-answer")))
	b.step("step-up answer", fill(chromedp.ID("#stepup-answer"), answer()), submit(chromedp.ID("#stepup-submit")),
		flashHas("Identity verified until"))
}

// code reads the newest code sent to to.
func (b *browser) code(to string) func() string {
	return func() string { return b.tt.a.outbox.LastCode(to) }
}

// register signs up through the pages, reading the code on the Outbox
// page, and logs in.
func (b *browser) register(email, pw string) string {
	b.t.Helper()
	b.tt.a.clock.Advance(61 * time.Second)
	b.step("register: email", chromedp.Navigate(b.url("/register")), fill(chromedp.ID("#reg-email"), email),
		submit(chromedp.ID("#reg-send")), flashHas("Code sent"))
	b.step("outbox", chromedp.Navigate(b.url("/outbox")))
	code := b.text(`tr.msg[data-to="` + email + `"] .code`)
	b.step("register: password", chromedp.Navigate(b.url("/register?email="+url.QueryEscape(email))),
		fill(chromedp.ID("#reg-code"), code), fill(chromedp.ID("#reg-password"), pw),
		fill(chromedp.ID("#reg-confirm"), pw), fill(chromedp.ID("#reg-nickname"), "Bo"),
		submit(chromedp.ID("#reg-submit")), flashHas("registered"))
	b.step("log in", fill(chromedp.ID("#login-password"), pw), submit(chromedp.ID("#login-submit")),
		chromedp.WaitVisible(chromedp.ID("#account-id")))
	return b.text("#account-id")
}

// The main journey in Chromium: register, log in, bind MFA from the text
// key, log out, log in with TOTP and trust the device, a sensitive action
// that asks for a step-up, sign out everywhere, and reset the password
// from the link in the outbox.
func TestBrowserJourney(t *testing.T) {
	b := newBrowser(t)
	a := b.tt.a
	const email, pw, newPw = "bo@example.com", "Sup3r!Secret", "N3w!Secret9"
	b.step("home", chromedp.Navigate(b.url("/")), chromedp.WaitVisible(chromedp.ID("#go-register")))
	b.doc("home")
	id := b.register(email, pw)
	if len(id) != 12 {
		t.Fatalf("account ID %q", id)
	}
	b.doc("account")

	// Bind MFA: a step-up by email code, then the QR image and the key.
	a.clock.Advance(61 * time.Second)
	b.step("security", chromedp.Navigate(b.url("/security")), submit(chromedp.ID("#mfa-enrol")))
	b.stepUp("email", b.code(email))
	b.step("enrol", submit(chromedp.ID("#mfa-enrol")), chromedp.WaitVisible(chromedp.ID("#mfa-qr")))
	b.doc("mfa")
	key := strings.ReplaceAll(b.text("#mfa-key"), " ", "")
	if read(b, "QR image loaded", chromedp.Evaluate[int](`document.getElementById("mfa-qr").naturalWidth`)) == 0 {
		t.Fatal("the QR image did not load")
	}
	authenticator := func() string {
		a.clock.Advance(30 * time.Second)
		c, err := totp.GenerateCode(key, a.clock.Now())
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	b.step("confirm MFA", fill(chromedp.ID("#mfa-code"), authenticator()), submit(chromedp.ID("#mfa-confirm")),
		flashHas("Virtual MFA bound"), chromedp.WaitVisible(chromedp.CSS("#mfa-status.ok")))

	// Offer "trust this device": a settings change is a sensitive operation.
	b.step("trust devices", chromedp.Click(chromedp.ID("#set-trust")), submit(chromedp.ID("#settings-save")))
	b.stepUp("mfa", authenticator)
	b.step("trust devices again", chromedp.Click(chromedp.ID("#set-trust")), submit(chromedp.ID("#settings-save")),
		flashHas("Saved."))

	// Log out, log in with TOTP as the second step, trust the device.
	b.step("log out", submit(chromedp.ID("#logout")), flashHas("Signed out."))
	b.step("password", chromedp.Navigate(b.url("/login")), fill(chromedp.ID("#login-email"), email),
		fill(chromedp.ID("#login-password"), pw), submit(chromedp.ID("#login-submit")),
		submit(chromedp.ID("#login-method-mfa")), chromedp.WaitVisible(chromedp.ID("#login-answer")))
	b.doc("login-mfa")
	b.step("second step", fill(chromedp.ID("#login-answer"), authenticator()), chromedp.Click(chromedp.ID("#trust-device")),
		submit(chromedp.ID("#login-complete")), chromedp.WaitVisible(chromedp.ID("#account-id")))
	b.step("trusted device listed", chromedp.Navigate(b.url("/security")), chromedp.WaitVisible(chromedp.ID("#devices")))
	b.doc("security")
	b.step("中文", submit(chromedp.ID("lang-zh")), chromedp.WaitVisible(chromedp.CSS(`html[lang="zh-CN"]`)))
	if h := b.text("h1"); h != "安全设置" {
		t.Fatalf("heading %q in Chinese", h)
	}
	b.doc("security-zh")
	b.step("English", submit(chromedp.ID("lang-en")), chromedp.WaitVisible(chromedp.CSS(`html[lang="en"]`)))

	// The trusted device skips the second step at the next login.
	b.step("log out again", submit(chromedp.ID("#logout")), flashHas("Signed out."))
	b.step("trusted login", fill(chromedp.ID("#login-email"), email), fill(chromedp.ID("#login-password"), pw),
		submit(chromedp.ID("#login-submit")), chromedp.WaitVisible(chromedp.ID("#account-id")))

	// Signing out everywhere is sensitive: the dialog asks for MFA.
	b.step("sign out all", chromedp.Navigate(b.url("/security")), submit(chromedp.ID("#sign-out-all")),
		chromedp.WaitVisible(chromedp.ID("#stepup")))
	b.doc("stepup")
	b.stepUp("mfa", authenticator)
	b.step("sign out all again", submit(chromedp.ID("#sign-out-all")), flashHas("Every session ended"),
		chromedp.WaitVisible(chromedp.ID("#login-email")))
	if n, _ := a.svc.Protection.Sessions(t.Context(), id); len(n) != 0 {
		t.Fatalf("%d sessions after signing out everywhere", len(n))
	}

	// The forgotten password: the link in the outbox, MFA, a new password.
	b.step("reset request", chromedp.Navigate(b.url("/reset")), fill(chromedp.ID("#reset-email"), email),
		submit(chromedp.ID("#reset-send")), flashHas("reset link is on its way"))
	b.step("outbox", chromedp.Navigate(b.url("/outbox")), chromedp.WaitVisible(chromedp.ID("#outbox")))
	b.doc("outbox")
	b.step("reset link", submit(chromedp.CSS("a.reset-link")), submit(chromedp.ID("#reset-method-mfa")),
		chromedp.WaitVisible(chromedp.ID("#reset-answer")))
	b.step("reset verify", fill(chromedp.ID("#reset-answer"), authenticator()), submit(chromedp.ID("#reset-verify")),
		chromedp.WaitVisible(chromedp.ID("#reset-new")))
	b.step("reset password", fill(chromedp.ID("#reset-new"), newPw), fill(chromedp.ID("#reset-confirm"), newPw),
		submit(chromedp.ID("#reset-submit")), flashHas("Password reset"))
	b.step("old password refused", fill(chromedp.ID("#login-email"), email), fill(chromedp.ID("#login-password"), pw),
		submit(chromedp.ID("#login-submit")), flashHas("wrong"))
	b.step("new password", fill(chromedp.ID("#login-email"), email), fill(chromedp.ID("#login-password"), newPw),
		submit(chromedp.ID("#login-submit")), chromedp.WaitVisible(chromedp.ID("#login-method-mfa")))
}

// Find a forgotten account by its security phone and by its ID, then apply
// to cancel it, meet the resource check and revoke during the cooling-off
// period.
func TestBrowserFindAndCancel(t *testing.T) {
	b := newBrowser(t)
	a := b.tt.a
	const email, pw, phone = "cy@example.com", "Can3el!Me", "+8613800138000"
	id := b.register(email, pw)

	// A security phone (a step-up by email, then the SMS code).
	a.clock.Advance(61 * time.Second)
	b.step("security phone", fill(chromedp.ID("#sp-phone"), phone), submit(chromedp.ID("#sp-send")))
	b.stepUp("email", b.code(email))
	b.step("phone code", fill(chromedp.ID("#sp-phone"), phone), submit(chromedp.ID("#sp-send")), flashHas("Code sent"))
	b.step("phone saved", fill(chromedp.ID("#sp-code"), a.outbox.LastCode(phone)), submit(chromedp.ID("#sp-submit")),
		flashHas("Saved."))
	if got := b.text("#security-phone"); !strings.HasPrefix(got, "+86") || strings.Contains(got, "13800138000") {
		t.Fatalf("security phone shown as %q, want masked", got)
	}
	b.step("log out", submit(chromedp.ID("#logout")), flashHas("Signed out."))

	// Find by security phone: the account ID goes by SMS to that phone.
	b.step("find by phone", chromedp.Navigate(b.url("/find")), fill(chromedp.ID("#find-phone"), phone),
		submit(chromedp.ID("#find-phone-submit")), flashHas("Sent to"))
	m, ok := a.outbox.Last(phone)
	if !ok || m.Purpose != notify.PurposeRecoverAccount || m.AccountID != id {
		t.Fatalf("the phone got %v, want the account information of %s", m, id)
	}
	b.step("outbox lists it", chromedp.Navigate(b.url("/outbox")),
		chromedp.WaitVisible(chromedp.CSS(`tr.msg[data-purpose="recover_account"]`)))
	// Find by account ID: the phone entered gets it when it is the security phone.
	a.clock.Advance(2 * time.Minute)
	before := len(a.outbox.Messages())
	b.step("find by ID", chromedp.Navigate(b.url("/find")), fill(chromedp.ID("#find-id"), id),
		submit(chromedp.ID("#find-id-start")), fill(chromedp.ID("#find-id-phone"), phone),
		submit(chromedp.ID("#find-id-verify")), flashHas("Sent to"))
	if msgs := a.outbox.Messages(); len(msgs) != before+1 || msgs[len(msgs)-1].AccountID != id {
		t.Fatalf("finding by ID sent %d messages", len(msgs)-before)
	}

	// Apply to cancel with a bucket and an unsettled postpaid bill.
	b.step("log in", chromedp.Navigate(b.url("/login")), fill(chromedp.ID("#login-email"), email),
		fill(chromedp.ID("#login-password"), pw), submit(chromedp.ID("#login-submit")),
		chromedp.WaitVisible(chromedp.ID("#account-id")))
	b.step("resources", chromedp.Navigate(b.url("/cancel")), chromedp.Click(chromedp.ID("#res-bucket")),
		chromedp.Click(chromedp.ID("#res-postpaid")), submit(chromedp.ID("#res-save")), flashHas("Saved."))
	apply := chromedp.Steps(
		chromedp.Evaluate[chromedp.Void](`document.querySelectorAll(".cancel-condition").forEach(c => c.checked = true)`),
		chromedp.Click(chromedp.ID("#reason-no_longer_using")), submit(chromedp.ID("#cancel-apply")),
	)
	a.clock.Advance(61 * time.Second)
	b.step("apply", apply)
	b.stepUp("email", b.code(email))
	b.step("apply again", apply, flashHas("Application submitted"))
	b.step("check: a bucket to abandon", submit(chromedp.ID("#cancel-check")), flashHas("Resources remain"))
	b.step("abandon", submit(chromedp.ID("#cancel-abandon")), flashHas("Saved."))
	b.step("check: cooling-off", submit(chromedp.ID("#cancel-check")), flashHas("Resource check passed"))
	if s := b.text("#cancel-status"); s != "cooling off" {
		t.Fatalf("status %q, want cooling off", s)
	}
	b.doc("cancel")
	acc, err := a.svc.Accounts.Account(t.Context(), id)
	if err != nil || acc.State != "cancelling" {
		t.Fatalf("account %v %v, want cancelling", acc.State, err)
	}
	// Day 14 of the cooling-off period: the session idled out; log in
	// (a cancelling account still may) and revoke.
	a.clock.Advance(14 * 24 * time.Hour)
	b.step("log in on day 14", chromedp.Navigate(b.url("/cancel")), chromedp.WaitVisible(chromedp.ID("login-email")),
		fill(chromedp.ID("#login-email"), email), fill(chromedp.ID("#login-password"), pw), submit(chromedp.ID("#login-submit")),
		flashHas("Signed in."))
	b.step("revoke on day 14", submit(chromedp.ID("#cancel-revoke")), flashHas("revoked"))
	if s := b.text("#cancel-status"); s != "revoked" {
		t.Fatalf("status %q, want revoked", s)
	}
	if acc, err = a.svc.Accounts.Account(t.Context(), id); err != nil || acc.State != "active" {
		t.Fatalf("account %v %v, want active", acc.State, err)
	}
}
