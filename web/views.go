package web

import (
	"time"

	"github.com/accountsec/accountsec/account"
	"github.com/accountsec/accountsec/mfa"
	"github.com/accountsec/accountsec/protection"
	"github.com/accountsec/accountsec/vocab"
)

// The JSON shapes of the answers. They hold no password, code or token but
// the one an answer exists to deliver (a challenge ID, an MFA secret at
// enrolment, backup codes at their generation).

type sessionView struct {
	ID          string    `json:"id"`
	Current     bool      `json:"current"`
	LoginMethod string    `json:"login_method"`
	ClientIP    string    `json:"client_ip,omitempty"`
	City        string    `json:"city,omitempty"`
	DeviceName  string    `json:"device_name,omitempty"`
	CreatedAt   time.Time `json:"created_at"`
	LastSeenAt  time.Time `json:"last_seen_at"`
	ExpiresAt   time.Time `json:"expires_at"`
	IdleUntil   time.Time `json:"idle_expires_at"`
}

func viewSession(s protection.Session, current string) sessionView {
	return sessionView{
		ID: s.ID, Current: s.ID == current, LoginMethod: s.LoginMethod, ClientIP: s.ClientIP,
		City: s.City, DeviceName: s.DeviceName, CreatedAt: s.CreatedAt, LastSeenAt: s.LastSeenAt,
		ExpiresAt: s.ExpiresAt, IdleUntil: s.IdleExpiresAt(),
	}
}

type deviceView struct {
	ID        string    `json:"id"`
	Name      string    `json:"name,omitempty"`
	ClientIP  string    `json:"client_ip,omitempty"`
	City      string    `json:"city,omitempty"`
	CreatedAt time.Time `json:"created_at"`
	ExpiresAt time.Time `json:"expires_at"`
}

type loginView struct {
	// Status is "signed_in" or "verification_required".
	Status          string               `json:"status"`
	AccountID       string               `json:"account_id"`
	Session         *sessionView         `json:"session,omitempty"`
	SecondFactor    bool                 `json:"second_factor,omitempty"`
	UnusualLocation bool                 `json:"unusual_location,omitempty"`
	Methods         []vocab.VerifyMethod `json:"methods,omitempty"`
	Alternatives    []vocab.VerifyMethod `json:"alternatives,omitempty"`
	ExpiresAt       *time.Time           `json:"expires_at,omitempty"`
}

type challengeView struct {
	Challenge string             `json:"challenge"`
	Method    vocab.VerifyMethod `json:"method"`
	Purpose   string             `json:"purpose"`
	SentTo    string             `json:"sent_to,omitempty"`
	URL       string             `json:"url,omitempty"`
	ExpiresAt time.Time          `json:"expires_at"`
}

func viewChallenge(c protection.Challenge) challengeView {
	return challengeView{Challenge: c.ID, Method: c.Method, Purpose: c.Purpose, SentTo: c.SentTo, URL: c.URL, ExpiresAt: c.ExpiresAt}
}

type optionsView struct {
	Purpose      string               `json:"purpose"`
	Configured   vocab.VerifyMethod   `json:"configured"`
	Preferred    vocab.VerifyMethod   `json:"preferred"`
	Alternatives []vocab.VerifyMethod `json:"alternatives"`
	ExpiresAt    *time.Time           `json:"expires_at,omitempty"`
}

func viewOptions(o protection.Options) optionsView {
	alts := o.Alternatives
	if alts == nil {
		alts = []vocab.VerifyMethod{}
	}
	return optionsView{Purpose: o.Purpose, Configured: o.Configured, Preferred: o.Preferred, Alternatives: alts}
}

type verifiedView struct {
	Purpose   string             `json:"purpose"`
	Method    vocab.VerifyMethod `json:"method"`
	ExpiresAt time.Time          `json:"expires_at"`
}

type sentView struct {
	ExpiresAt time.Time `json:"expires_at"`
	SentTo    string    `json:"sent_to,omitempty"`
}

type loginMethodView struct {
	Method     account.Method `json:"method"`
	Identifier string         `json:"identifier,omitempty"`
	BoundAt    time.Time      `json:"bound_at"`
}

type contactView struct {
	Address string `json:"address,omitempty"`
	Pending string `json:"pending,omitempty"`
}

type accountView struct {
	ID            string            `json:"id"`
	APPID         string            `json:"appid"`
	Nickname      string            `json:"nickname,omitempty"`
	RegisteredAt  time.Time         `json:"registered_at"`
	LoginMethods  []loginMethodView `json:"login_methods"`
	SecurityPhone string            `json:"security_phone,omitempty"`
	SecurityEmail string            `json:"security_email,omitempty"`
	ContactPhone  contactView       `json:"contact_phone"`
	ContactEmail  contactView       `json:"contact_email"`
	HasPassword   bool              `json:"has_password"`
}

// viewAccount shows the account with every address masked; third-party
// subject IDs are not shown at all.
func viewAccount(a account.Account) accountView {
	v := accountView{
		ID: a.ID, APPID: a.APPID, Nickname: a.Nickname, RegisteredAt: a.RegisteredAt,
		LoginMethods:  []loginMethodView{},
		SecurityPhone: maskPhone(a.SecurityPhone), SecurityEmail: maskEmail(a.SecurityEmail),
		ContactPhone: contactView{Address: maskPhone(a.ContactPhone.Address), Pending: maskPhone(a.ContactPhone.Pending)},
		ContactEmail: contactView{Address: maskEmail(a.ContactEmail.Address), Pending: maskEmail(a.ContactEmail.Pending)},
		HasPassword:  a.HasLoginMethod(account.MethodEmail),
	}
	for _, m := range a.LoginMethods {
		lv := loginMethodView{Method: m.Method, BoundAt: m.BoundAt}
		if m.Method == account.MethodEmail {
			lv.Identifier = maskEmail(m.Identifier)
		}
		v.LoginMethods = append(v.LoginMethods, lv)
	}
	return v
}

func maskPhone(p string) string {
	if p == "" {
		return ""
	}
	return account.MaskPhone(p)
}

func maskEmail(e string) string {
	if e == "" {
		return ""
	}
	return account.MaskEmail(e)
}

type settingsView struct {
	LoginProtection       vocab.VerifyMethod `json:"login_protection"`
	TrustDevices          bool               `json:"trust_devices"`
	OperationProtection   vocab.VerifyMethod `json:"operation_protection"`
	RemoteLoginProtection bool               `json:"remote_login_protection"`
	RemoteLoginMethod     vocab.VerifyMethod `json:"remote_login_method"`
	MFABindingMethod      vocab.VerifyMethod `json:"mfa_binding_method"`
	SessionMaxLifetimeMin int64              `json:"session_max_lifetime_minutes"`
	SessionIdleTimeoutMin int64              `json:"session_idle_timeout_minutes"`
}

func viewSettings(s protection.Settings) settingsView {
	s = s.Resolved()
	return settingsView{
		LoginProtection: s.LoginProtection, TrustDevices: s.TrustDevices,
		OperationProtection: s.OperationProtection, RemoteLoginProtection: s.RemoteLoginProtection,
		RemoteLoginMethod: s.RemoteLoginMethod, MFABindingMethod: s.MFABindingMethod,
		SessionMaxLifetimeMin: int64(s.SessionMaxLifetime / time.Minute),
		SessionIdleTimeoutMin: int64(s.SessionIdleTimeout / time.Minute),
	}
}

type mfaDeviceView struct {
	ID        string    `json:"id"`
	Kind      mfa.Kind  `json:"kind"`
	Serial    string    `json:"serial,omitempty"`
	Digits    int       `json:"digits"`
	PeriodSec int64     `json:"period_seconds"`
	Login     bool      `json:"login_protection"`
	Operation bool      `json:"operation_protection"`
	BoundAt   time.Time `json:"bound_at"`
}

func viewDevice(d mfa.Device) *mfaDeviceView {
	return &mfaDeviceView{
		ID: d.ID, Kind: d.Kind, Serial: d.Serial, Digits: d.Digits, PeriodSec: int64(d.Period / time.Second),
		Login: d.Usage.Login, Operation: d.Usage.Operation, BoundAt: d.BoundAt,
	}
}

type mfaStatusView struct {
	Bound           bool           `json:"bound"`
	Device          *mfaDeviceView `json:"device,omitempty"`
	BackupCodesLeft int            `json:"backup_codes_left"`
}

type enrolmentView struct {
	DeviceID  string    `json:"device_id"`
	Issuer    string    `json:"issuer"`
	Label     string    `json:"label"`
	URI       string    `json:"uri"`
	Key       string    `json:"key"`
	QRPNG     []byte    `json:"qr_png"`
	Digits    int       `json:"digits"`
	PeriodSec int64     `json:"period_seconds"`
	ExpiresAt time.Time `json:"expires_at"`
}

type unbindView struct {
	Device              *mfaDeviceView `json:"device"`
	LoginProtection     string         `json:"login_protection,omitempty"`
	OperationProtection string         `json:"operation_protection,omitempty"`
}

type backupCodesView struct {
	Codes       []string  `json:"codes"`
	GeneratedAt time.Time `json:"generated_at"`
}
