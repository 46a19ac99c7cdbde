package recovery

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"io"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/accountsec/accountsec/account"
	"github.com/accountsec/accountsec/event"
	"github.com/accountsec/accountsec/internal/keyhash"
	"github.com/accountsec/accountsec/internal/policycheck"
	"github.com/accountsec/accountsec/limits"
	"github.com/accountsec/accountsec/notify"
	"github.com/accountsec/accountsec/protection"
	"github.com/accountsec/accountsec/reason"
	"github.com/accountsec/accountsec/state"
)

// Way is a way to find a forgotten account (docs/RULES.md §8). The
// enterprise way is not run by a Finder.
type Way string

// The ways a Finder runs.
const (
	// WaySecurityPhone: the user enters a phone; every account whose
	// security phone it is goes in one SMS to it (Finder.FindByPhone).
	WaySecurityPhone Way = "security_phone"
	// WayPersonal: name and identity number, then a face check of that
	// person, then every account personally verified with the identity
	// (Finder.StartPersonal).
	WayPersonal Way = "personal"
	// WayDomain: a domain name that the host's AssetDirectory resolves.
	WayDomain Way = "domain"
	// WayICP: an ICP filing, by its filing number ("粤ICP备12345678号",
	// optionally "-N") or by a filed domain.
	WayICP Way = "icp"
	// WayCloudServer: the public IP of a cloud server.
	WayCloudServer Way = "cloud_server_ip"
	// WayLightServer: the public IP of a lightweight application server.
	WayLightServer Way = "lightweight_server_ip"
	// WayAccountID: the account ID itself.
	WayAccountID Way = "account_id"
)

// allowedAssetWays lists the ways Finder.Start takes.
const allowedAssetWays = "domain, icp, cloud_server_ip, lightweight_server_ip, account_id"

// AssetKind is the kind of asset an AssetDirectory resolves.
type AssetKind string

// The asset kinds.
const (
	// AssetDomain is a domain name (ValidateDomain's normal form).
	AssetDomain AssetKind = "domain"
	// AssetICPDomain is a domain named in an ICP filing.
	AssetICPDomain AssetKind = "icp_domain"
	// AssetICPNumber is an ICP filing number (ValidateICPNumber's normal
	// form, with its "-N" site suffix when the user typed one).
	AssetICPNumber AssetKind = "icp_number"
	// AssetCloudServerIP is the public IP of a cloud server (ValidateIP's
	// normal form).
	AssetCloudServerIP AssetKind = "cloud_server_ip"
	// AssetLightServerIP is the public IP of a lightweight application
	// server.
	AssetLightServerIP AssetKind = "lightweight_server_ip"
)

// AssetDirectory resolves a cloud asset to the account that owns it. The
// host implements it over its resource inventory. value is in the normal
// form of the Validate function of its kind. It returns "" (and no error)
// when no account owns the asset; an error only for a failure, on which the
// step fails closed.
type AssetDirectory interface {
	// Owner returns the ID of the account owning the asset, or "".
	Owner(ctx context.Context, kind AssetKind, value string) (accountID string, err error)
}

// IdentityFaceVerifier is the host's face check of a person given by name
// and identity number (against the identity authority's photo, as a
// real-name face verification does), for the personal way. It checks the
// person, not an account, so it runs the same whether or not any account
// is verified with the identity.
type IdentityFaceVerifier interface {
	// StartIdentityFace begins a face check of the person.
	StartIdentityFace(ctx context.Context, p account.PersonalIdentity) (protection.HostChallenge, error)
	// IdentityFaceResult reports the state of the face check with the
	// ticket.
	IdentityFaceResult(ctx context.Context, ticket string) (protection.HostResult, error)
}

// FindAccounts is what a Finder needs from the accounts; *account.Service
// implements it.
type FindAccounts interface {
	// Account returns the account with the ID, or account.ErrNotFound.
	Account(ctx context.Context, id string) (account.Account, error)
	// Holders returns the IDs of the accounts holding an identifier
	// (identity numbers are looked up by their keyed hash).
	Holders(ctx context.Context, scope account.Scope, kind account.Kind, raw string) ([]string, error)
}

var _ FindAccounts = (*account.Service)(nil)

// The defaults and bounds of FindPolicy.
const (
	// DefaultFindTTL is how long a find session lives by default.
	DefaultFindTTL = 15 * time.Minute
	// MinFindTTL and MaxFindTTL bound FindPolicy.TTL.
	MinFindTTL = 5 * time.Minute
	// MaxFindTTL is the longest FindPolicy.TTL.
	MaxFindTTL = 60 * time.Minute
	// DefaultFindReads is the default of FindPolicy.Reads: the default
	// number of accounts one phone may be the security phone of.
	DefaultFindReads = 5
	// MaxFindReads is the largest FindPolicy.Reads.
	MaxFindReads = 100
)

// FindVerifyScope is the limiter scope under which a Finder counts the
// answers of its verifications (limits.Limiter, the lockout policy of
// docs/RULES.md §1): every phone entered, and every face check that did
// not match. The subject is a keyed hash of the way and identifier.
const FindVerifyScope = "find-verify"

// FindChannelPrefix starts the Gate channels of a Finder: each way's look-up
// is asked under FindChannelPrefix + the way's name (limiting each way per
// identifier and per client IP), and the SMS that carries account
// information under FindSMSChannel.
const FindChannelPrefix = "find_"

// FindSMSChannel is the Gate channel of the SMS that carries account
// information, asked with the phone as the destination.
const FindSMSChannel = "find_sms"

// FindPolicy is the account-finding policy. A zero field means its default.
type FindPolicy struct {
	// TTL is how long a find session lives (default 15 minutes; 5 to 60
	// minutes).
	TTL time.Duration `validate:"min=0,max=60m"`
	// Reads is how many accounts a look-up reads at least, reading decoys
	// when fewer match, so that a look-up costs the same whether zero or
	// a few accounts match (default 5; at most 100).
	Reads int `validate:"min=0,max=100"`
	// AppealURL is where the security-phone SMS points a user who still
	// cannot log in (the appeal, "apply to log in", of docs/RULES.md §8).
	// Empty means the SMS carries "appeal" = "apply_to_log_in" and the
	// host's template says where.
	AppealURL string `validate:"max=512"`
}

// FindConfig is what a Finder needs from the host.
type FindConfig struct {
	// Store keeps the find sessions (single-use records). Required.
	Store state.Onces
	// Accounts reads accounts and the holders of an identifier (an
	// *account.Service). Required.
	Accounts FindAccounts
	// SMS delivers the account information. Required.
	SMS notify.SMSSender
	// Gate limits each way per identifier and per client IP, and the SMS
	// per phone (a *limits.SendLimiter). Required.
	Gate notify.Gate
	// Limiter counts verification answers under FindVerifyScope (a
	// *limits.Limiter). Required.
	Limiter *limits.Limiter
	// Assets resolves domains, filings and server IPs; nil makes those
	// ways unavailable (find.unavailable).
	Assets AssetDirectory
	// Faces checks the face of an account's real-name person, for the
	// asset and account-ID ways; nil leaves them the phone only.
	Faces protection.FaceVerifier
	// Identities checks the face of a person by name and identity number,
	// for the personal way; nil makes it unavailable.
	Identities IdentityFaceVerifier
	// Documents validates identity numbers that are not resident identity
	// card numbers (see ValidateIDNumberWith); nil accepts resident
	// numbers only.
	Documents DocumentValidator
	// Secret keys the hashes of tokens and identifiers. At least 16 bytes.
	// Required.
	Secret []byte
	// Policy is the finding policy (zero means defaults).
	Policy FindPolicy
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Rand is the randomness source; nil means crypto/rand.
	Rand io.Reader
	// Events receives security events; nil discards them.
	Events event.Hook
}

// Finder runs six of the seven ways to find a forgotten account of
// docs/RULES.md §8: security phone, personal information, domain, ICP
// filing, server IP (cloud or lightweight) and account ID. Account
// information is delivered only through a verified channel: by SMS to a
// phone that is the account's security phone, or on screen after a face
// check of the account's real-name person passed. Every public answer
// before that is the same, value and work, whether or not anything matched.
// It is safe for concurrent use; its state is in the store.
type Finder struct {
	store      state.Onces
	accounts   FindAccounts
	sms        notify.SMSSender
	gate       notify.Gate
	limiter    *limits.Limiter
	assets     AssetDirectory
	faces      protection.FaceVerifier
	identities IdentityFaceVerifier
	documents  DocumentValidator
	keys       *keyhash.Hasher
	policy     FindPolicy
	now        func() time.Time
	events     event.Hook

	randMu sync.Mutex
	rand   io.Reader

	// lastKnown is the ID of the last account a look-up found: the decoy
	// reads of a look-up that found fewer read it.
	lastKnown atomic.Pointer[string]
}

// NewFinder returns a Finder for cfg, or a reason.PolicyInvalid error naming
// the first missing dependency or the bad policy value.
func NewFinder(cfg FindConfig) (*Finder, error) {
	need := func(field, allowed string) error {
		return reason.New(reason.PolicyInvalid).With("field", "recovery.FindConfig."+field).With("value", "nil").With("allowed", allowed)
	}
	switch {
	case cfg.Store == nil:
		return nil, need("Store", "a state.Onces such as *memstore.Store")
	case cfg.Accounts == nil:
		return nil, need("Accounts", "a recovery.FindAccounts such as *account.Service")
	case cfg.SMS == nil:
		return nil, need("SMS", "a notify.SMSSender")
	case cfg.Gate == nil:
		return nil, need("Gate", "a notify.Gate such as *limits.SendLimiter")
	case cfg.Limiter == nil:
		return nil, need("Limiter", "a *limits.Limiter")
	}
	if err := policycheck.Check("recovery.FindPolicy", cfg.Policy); err != nil {
		return nil, err
	}
	p := cfg.Policy
	if p.TTL == 0 {
		p.TTL = DefaultFindTTL
	}
	if p.Reads == 0 {
		p.Reads = DefaultFindReads
	}
	if err := policycheck.Check("recovery.FindPolicy", struct {
		TTL time.Duration `validate:"min=5m,max=60m"`
	}{p.TTL}); err != nil {
		return nil, err
	}
	keys, err := keyhash.New(cfg.Secret)
	if err != nil {
		return nil, err
	}
	f := &Finder{
		store: cfg.Store, accounts: cfg.Accounts, sms: cfg.SMS, gate: cfg.Gate, limiter: cfg.Limiter,
		assets: cfg.Assets, faces: cfg.Faces, identities: cfg.Identities, documents: cfg.Documents,
		keys: keys, policy: p, now: cfg.Now, rand: cfg.Rand, events: cfg.Events,
	}
	if f.now == nil {
		f.now = time.Now
	}
	if f.rand == nil {
		f.rand = rand.Reader
	}
	return f, nil
}

// Policy returns the resolved policy.
func (f *Finder) Policy() FindPolicy { return f.policy }

// Verification methods a find session offers (FindStarted.Methods).
const (
	// FindBySMS: enter the account's security phone; the information goes
	// there by SMS (Finder.VerifyPhone).
	FindBySMS = "sms"
	// FindByFace: a face check of the account's real-name person; the
	// information is shown after it passed (Finder.StartFace,
	// Finder.FaceResult).
	FindByFace = "face"
)

// FindStarted is the answer to the start of a multi-step way. It is the
// same, field by field, whether or not the identifier matched: the methods
// depend on the way and on the verifiers the host wired, never on the
// account.
type FindStarted struct {
	// Token identifies the find session in the next steps. It is 256
	// random bits, stored only as a keyed hash. Keep it secret.
	Token string `json:"token"`
	// ExpiresAt is when the session ends.
	ExpiresAt time.Time `json:"expires_at"`
	// Methods are the verifications the user may choose: FindBySMS,
	// FindByFace.
	Methods []string `json:"methods"`
	// Face is the face check already started (the personal way), or nil.
	Face *FaceCheck `json:"face,omitempty"`
}

// FaceCheck is a face check waiting for the user.
type FaceCheck struct {
	// URL is what the user opens or scans (the host's face verification
	// page).
	URL string `json:"url"`
	// ExpiresAt is when the find session ends.
	ExpiresAt time.Time `json:"expires_at"`
}

// FindSent is the answer to a step that sends account information by SMS.
// It is the same whether or not anything was sent: To is the phone the
// user typed, masked.
type FindSent struct {
	// Way is the way.
	Way Way `json:"way"`
	// To is the phone entered, masked (account.MaskPhone).
	To string `json:"to"`
}

// Face check states of FindResult.Status.
const (
	// FacePending: the user has not finished the face check; ask again.
	FacePending = "pending"
	// FaceRejected: the face did not match; the session is over.
	FaceRejected = "rejected"
	// FaceMatched: the face matched; Accounts holds the result.
	FaceMatched = "matched"
)

// FindResult is the answer to Finder.FaceResult.
type FindResult struct {
	// Status is FacePending, FaceRejected or FaceMatched.
	Status string `json:"status"`
	// Accounts are the accounts found, only when Status is FaceMatched.
	Accounts []FoundAccount `json:"accounts,omitempty"`
}

// FoundAccount is one account found.
type FoundAccount struct {
	// AccountID is the account ID.
	AccountID string `json:"account_id"`
	// RegistrationMethod is the login method the account was created with.
	RegistrationMethod account.Method `json:"registration_method"`
	// RealName is the masked real-name data (the personal way only).
	RealName *MaskedRealName `json:"real_name,omitempty"`
}

// MaskedRealName is real-name data as a result may show it: masked.
type MaskedRealName struct {
	// Name is the masked name (account.MaskName).
	Name string `json:"name"`
	// IDNumber is the masked identity number (account.MaskIDNumber).
	IDNumber string `json:"id_number"`
}

// ErrFindTokenMalformed: the find token is not of the form the library
// issues; nothing was looked up.
var ErrFindTokenMalformed = reason.New(reason.FindTokenMalformed)

// ErrFindSessionInvalid: no live find session for the token.
var ErrFindSessionInvalid = reason.New(reason.FindSessionInvalid)

// ErrFindWrongStep: the step does not follow the session's last one.
var ErrFindWrongStep = reason.New(reason.FindWrongStep)

// ErrFindUnavailable: the host did not wire what the way needs.
var ErrFindUnavailable = reason.New(reason.FindUnavailable)

// Start begins a multi-step way (WayDomain, WayICP, WayCloudServer,
// WayLightServer, WayAccountID) for the identifier value typed by the user,
// from clientIP (may be empty). value is checked by the way's Validate
// function (WayICP takes a filing number, recognised by a character outside
// ASCII, or else a filed domain) before anything else; bad input is its reason-coded error
// and nothing is done. Then the Gate is asked under FindChannelPrefix + the
// way (per identifier and per client IP), the asset is resolved (the
// AssetDirectory, or for an account ID the accounts), one account is read
// and one session is stored, the same whether or not an account matched:
// an unmatched identifier gets a session that can never deliver anything.
//
// The answer is the same for every identifier that passes validation. The
// user continues with VerifyPhone or StartFace.
func (f *Finder) Start(ctx context.Context, way Way, value, clientIP string) (FindStarted, error) {
	if f == nil {
		return FindStarted{}, reason.Unavailable("finding an account", "accountsec.Deps.SMS")
	}
	kind, norm, err := f.assetOf(way, value)
	if err != nil {
		return FindStarted{}, err
	}
	if err := checkClientIP(clientIP); err != nil {
		return FindStarted{}, err
	}
	if way != WayAccountID && f.assets == nil {
		return FindStarted{}, ErrFindUnavailable.With("way", string(way))
	}
	if err := f.gate.Allow(ctx, FindChannelPrefix+string(way), norm, clientIP); err != nil {
		return FindStarted{}, err
	}
	id := norm
	if way != WayAccountID {
		id, err = f.assets.Owner(ctx, kind, norm)
		if err != nil {
			return FindStarted{}, reason.Store(err)
		}
	}
	a, known, err := f.read(ctx, id)
	if err != nil {
		return FindStarted{}, err
	}
	subject := f.subject(way, norm)
	rec := findRecord{Way: way, Stage: stageStarted, Subject: subject}
	if known {
		rec.AccountID = a.ID
	}
	token, err := f.newToken()
	if err != nil {
		return FindStarted{}, err
	}
	now := f.now()
	rec.ExpiresAt = now.Add(f.policy.TTL)
	if err := f.put(ctx, token, rec, now); err != nil {
		return FindStarted{}, err
	}
	f.emit(ctx, event.FindStarted, rec.AccountID, subject, way, nil)
	methods := []string{FindBySMS}
	if f.faces != nil {
		methods = append(methods, FindByFace)
	}
	return FindStarted{Token: token, ExpiresAt: rec.ExpiresAt, Methods: methods}, nil
}

// assetOf validates value for way and returns its asset kind and normal
// form.
func (f *Finder) assetOf(way Way, value string) (AssetKind, string, error) {
	var (
		kind AssetKind
		norm string
		err  error
	)
	switch way {
	case WayDomain:
		kind = AssetDomain
		norm, err = ValidateDomain(value)
	case WayICP:
		if !isASCII(value) {
			kind = AssetICPNumber
			norm, err = ValidateICPNumber(value)
		} else {
			kind = AssetICPDomain
			norm, err = ValidateDomain(value)
		}
	case WayCloudServer:
		kind = AssetCloudServerIP
		norm, err = ValidateIP(value)
	case WayLightServer:
		kind = AssetLightServerIP
		norm, err = ValidateIP(value)
	case WayAccountID:
		norm, err = ValidateAccountID(value)
	default:
		return "", "", reason.New(reason.FindUnknownWay).With("allowed", allowedAssetWays)
	}
	return kind, norm, err
}

// isASCII reports whether s is ASCII only: a domain is, a filing number
// is not (it starts with a province abbreviation).
func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// checkClientIP bounds the client IP passed to the Gate.
func checkClientIP(clientIP string) error {
	switch {
	case len(clientIP) > MaxClientIPBytes:
		return reason.New(reason.InputTooLong).With("field", "client_ip").With("max", MaxClientIPBytes)
	case !utf8.ValidString(clientIP):
		return reason.New(reason.InputInvalidUTF8).With("field", "client_ip")
	}
	return nil
}

// read reads the account id names (id may be ""); known is false when
// there is none. An unknown id costs one read too: of the last account a
// look-up found.
func (f *Finder) read(ctx context.Context, id string) (account.Account, bool, error) {
	if id == "" {
		f.decoyReads(ctx, 1)
		return account.Account{}, false, nil
	}
	a, err := f.accounts.Account(ctx, id)
	switch {
	case err == nil:
		f.remember(a.ID)
		return a, true, nil
	case reason.CodeOf(err) == reason.StoreUnavailable:
		return account.Account{}, false, err
	}
	// Not found, or an ID the accounts refuse: no account.
	return account.Account{}, false, nil
}

// readAll reads the accounts ids names, and decoys up to Policy.Reads.
func (f *Finder) readAll(ctx context.Context, ids []string) ([]account.Account, error) {
	out := make([]account.Account, 0, len(ids))
	for _, id := range ids {
		a, err := f.accounts.Account(ctx, id)
		switch {
		case err == nil:
			out = append(out, a)
			f.remember(a.ID)
		case reason.CodeOf(err) == reason.StoreUnavailable:
			return nil, err
		}
	}
	f.decoyReads(ctx, f.policy.Reads-len(ids))
	return out, nil
}

func (f *Finder) remember(id string) { f.lastKnown.Store(&id) }

// decoyReads reads n accounts whose answers do not matter.
func (f *Finder) decoyReads(ctx context.Context, n int) {
	id := decoyAccountID
	if p := f.lastKnown.Load(); p != nil {
		id = *p
	}
	for range n {
		_, _ = f.accounts.Account(ctx, id)
	}
}

// subject is the keyed hash of a way's identifier: the limiter subject and
// the events' Subject.
func (f *Finder) subject(way Way, norm string) string {
	return f.keys.Key("find-subject", string(way), norm)
}

// newToken draws a token: TokenBytes random bytes in unpadded base64url.
func (f *Finder) newToken() (string, error) {
	var b [TokenBytes]byte
	f.randMu.Lock()
	_, err := io.ReadFull(f.rand, b[:])
	f.randMu.Unlock()
	if err != nil {
		return "", reason.Store(err)
	}
	return base64.RawURLEncoding.EncodeToString(b[:]), nil
}

// FindTokenLength is the length of a find token's text: 43 characters of
// unpadded base64url (TokenBytes random bytes).
const FindTokenLength = randomLength

// ParseFindToken reports whether s has the form of a find token: the
// canonical unpadded base64url of TokenBytes bytes, nothing else.
func ParseFindToken(s string) bool {
	if len(s) != FindTokenLength {
		return false
	}
	var b [TokenBytes]byte
	n, err := base64.RawURLEncoding.Strict().Decode(b[:], []byte(s))
	return err == nil && n == TokenBytes
}

// emit sends an event of the find flow.
func (f *Finder) emit(ctx context.Context, kind event.Kind, accountID, subject string, way Way, attrs map[string]string) {
	if attrs == nil {
		attrs = map[string]string{}
	}
	if way != "" {
		attrs["way"] = string(way)
	}
	f.events.Emit(ctx, event.Event{Kind: kind, At: f.now(), AccountID: accountID, Subject: subject, Scope: "find", Attrs: attrs})
}

// rejected emits FindRejected and returns err.
func (f *Finder) rejected(ctx context.Context, err *reason.Error) error {
	f.emit(ctx, event.FindRejected, "", "", "", map[string]string{"reason": string(err.Code)})
	return err
}
