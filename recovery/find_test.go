package recovery_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/accountsec/accountsec/account"
	"github.com/accountsec/accountsec/event"
	"github.com/accountsec/accountsec/limits"
	"github.com/accountsec/accountsec/notify"
	"github.com/accountsec/accountsec/reason"
	"github.com/accountsec/accountsec/recovery"
)

// pair is two Finders built alike: known holds the account the inputs
// name, unknown holds accounts too but none that the inputs name.
type pair struct {
	known, unknown *findEnv
	owner          account.Account // of known
}

func newPair(t *testing.T, edit ...func(*recovery.FindConfig)) pair {
	t.Helper()
	p := pair{known: newFindEnv(t, edit...), unknown: newFindEnv(t, edit...)}
	p.owner = p.known.register(t, "qq-owner", phoneA)
	p.known.verifyPerson(t, p.owner.ID, person, idNumber)
	for kind, v := range map[recovery.AssetKind]string{
		recovery.AssetDomain: domain, recovery.AssetICPNumber: icpNo, recovery.AssetICPDomain: icpSite,
		recovery.AssetCloudServerIP: cloudIP, recovery.AssetLightServerIP: lightIP,
	} {
		p.known.assets.Set(kind, v, p.owner.ID)
	}
	// The unknown side has an account of its own, with another phone and
	// another identity, owning other assets.
	other := p.unknown.register(t, "qq-other", phoneB)
	p.unknown.verifyPerson(t, other.ID, "李四", "110101199003074477")
	p.unknown.assets.Set(recovery.AssetDomain, "other.example.com", other.ID)
	return p
}

// assetInputs are the multi-step ways with an input the known side owns.
func (p pair) assetInputs() map[recovery.Way][2]string {
	return map[recovery.Way][2]string{
		recovery.WayDomain:      {domain, domain},
		recovery.WayICP:         {icpNo, icpNo},
		recovery.WayCloudServer: {cloudIP, cloudIP},
		recovery.WayLightServer: {lightIP, lightIP},
		recovery.WayAccountID:   {p.owner.ID, "100000000001"},
	}
}

func TestFindByPhoneSendsOneSMSListingEveryAccount(t *testing.T) {
	t.Parallel()
	p := newPair(t)
	ctx := context.Background()
	second := p.known.register(t, "qq-second", phoneA)
	p.known.register(t, "qq-third", phoneB)

	before := p.known.work.snapshot()
	gotK, errK := p.known.finder.FindByPhone(ctx, " +86 138-0013-8000 ", clientIP)
	workK := diff(before, p.known.work.snapshot())
	before = p.unknown.work.snapshot()
	gotU, errU := p.unknown.finder.FindByPhone(ctx, " +86 138-0013-8000 ", clientIP)
	workU := diff(before, p.unknown.work.snapshot())
	require.NoError(t, errK)
	require.NoError(t, errU)
	assert.Equal(t, jsonOf(t, gotK, nil), jsonOf(t, gotU, nil), "the same bytes for a known and an unknown phone")
	assert.Equal(t, `{"way":"security_phone","to":"+86138****8000"}`, jsonOf(t, gotK, nil))
	assert.Equal(t, workK, workU, "the same work")
	assert.Equal(t, recovery.DefaultFindReads, workK["account"], "reads padded to Policy.Reads")

	infos := p.known.infos()
	require.Len(t, infos, 1, "one SMS")
	m := infos[0]
	assert.Equal(t, phoneA, m.To)
	assert.Equal(t, notify.SMS, m.Channel)
	assert.ElementsMatch(t, []string{p.owner.ID + ":qq", second.ID + ":qq"}, strings.Split(m.Params[recovery.ParamAccounts], ","))
	assert.Equal(t, "2", m.Params[recovery.ParamCount])
	assert.Equal(t, recovery.AppealHint, m.Params[recovery.ParamAppeal])
	assert.Empty(t, m.Code)
	assert.Empty(t, p.unknown.infos(), "nothing for a phone that is no account's security phone")
}

func TestFindByPhoneAppealURL(t *testing.T) {
	t.Parallel()
	e := newFindEnv(t, func(c *recovery.FindConfig) { c.Policy.AppealURL = "https://console.example.com/appeal" })
	e.register(t, "qq-a", phoneA)
	_, err := e.finder.FindByPhone(context.Background(), phoneA, clientIP)
	require.NoError(t, err)
	require.Len(t, e.infos(), 1)
	assert.Equal(t, "https://console.example.com/appeal", e.infos()[0].Params[recovery.ParamAppeal])
}

func TestFindByPhoneIsRateLimitedPerPhoneAndPerIP(t *testing.T) {
	t.Parallel()
	p := newPair(t)
	ctx := context.Background()
	for _, e := range []*findEnv{p.known, p.unknown} {
		_, err := e.finder.FindByPhone(ctx, phoneA, clientIP)
		require.NoError(t, err)
		_, err = e.finder.FindByPhone(ctx, phoneA, "192.0.2.99")
		assert.ErrorIs(t, err, limits.ErrRateLimited, "one request per phone per interval, whatever the IP")
	}
	assert.Len(t, p.known.infos(), 1)

	e := newFindEnv(t)
	pol := limits.Send{}.PerIPPerHour
	if pol == 0 {
		pol = 20
	}
	var err error
	for i := 0; i <= pol; i++ {
		_, err = e.finder.FindByPhone(ctx, fmt.Sprintf("+861380013%04d", i), clientIP)
		if err != nil {
			break
		}
	}
	assert.ErrorIs(t, err, limits.ErrRateLimited, "an IP gets at most %d look-ups an hour", pol)
}

func TestStartIsTheSameForKnownAndUnknownAssets(t *testing.T) {
	t.Parallel()
	p := newPair(t)
	ctx := context.Background()
	for way, in := range p.assetInputs() {
		bk, bu := p.known.work.snapshot(), p.unknown.work.snapshot()
		sk, errK := p.known.finder.Start(ctx, way, in[0], clientIP)
		su, errU := p.unknown.finder.Start(ctx, way, in[1], clientIP)
		require.NoError(t, errK, way)
		require.NoError(t, errU, way)
		assert.Equal(t, jsonOf(t, sk, nil), jsonOf(t, su, nil), "%s: the same bytes", way)
		assert.Equal(t, diff(bk, p.known.work.snapshot()), diff(bu, p.unknown.work.snapshot()), "%s: the same work", way)
		assert.Equal(t, []string{recovery.FindBySMS, recovery.FindByFace}, sk.Methods)
		assert.True(t, recovery.ParseFindToken(sk.Token))
		assert.Equal(t, fakes0.Add(15*time.Minute+2*time.Minute), sk.ExpiresAt.UTC(), "default TTL")
	}
}

// fakes0 is the clock's time after newPair's registration.
var fakes0 = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

func TestICPWayTakesAFiledDomainToo(t *testing.T) {
	t.Parallel()
	p := newPair(t)
	ctx := context.Background()
	s, err := p.known.finder.Start(ctx, recovery.WayICP, strings.ToUpper(icpSite), clientIP)
	require.NoError(t, err)
	_, err = p.known.finder.VerifyPhone(ctx, s.Token, phoneA, clientIP)
	require.NoError(t, err)
	require.Len(t, p.known.infos(), 1, "the filed domain resolved to the owner")
	assert.Equal(t, p.owner.ID+":qq", p.known.infos()[0].Params[recovery.ParamAccounts])
}

func TestVerifyPhoneSendsOnlyToTheSecurityPhone(t *testing.T) {
	t.Parallel()
	p := newPair(t, noLimits)
	ctx := context.Background()
	for way, in := range p.assetInputs() {
		before := len(p.known.infos())
		// A wrong phone: the same answer, nothing sent.
		s, err := p.known.finder.Start(ctx, way, in[0], clientIP)
		require.NoError(t, err)
		wrong, err := p.known.finder.VerifyPhone(ctx, s.Token, phoneB, clientIP)
		require.NoError(t, err)
		assert.Len(t, p.known.infos(), before, "%s: nothing for a wrong phone", way)

		// The right phone, known side, against any phone, unknown side.
		sk, err := p.known.finder.Start(ctx, way, in[0], clientIP)
		require.NoError(t, err)
		su, err := p.unknown.finder.Start(ctx, way, in[1], clientIP)
		require.NoError(t, err)
		bk, bu := p.known.work.snapshot(), p.unknown.work.snapshot()
		gk, errK := p.known.finder.VerifyPhone(ctx, sk.Token, phoneA, clientIP)
		gu, errU := p.unknown.finder.VerifyPhone(ctx, su.Token, phoneA, clientIP)
		require.NoError(t, errK)
		require.NoError(t, errU)
		assert.Equal(t, jsonOf(t, gk, nil), jsonOf(t, gu, nil), "%s: the same bytes", way)
		assert.Equal(t, diff(bk, p.known.work.snapshot()), diff(bu, p.unknown.work.snapshot()), "%s: the same work", way)
		assert.Equal(t, `{"way":"`+string(way)+`","to":"+86138****8000"}`, jsonOf(t, gk, nil))
		assert.Equal(t, `{"way":"`+string(way)+`","to":"+86139****9000"}`, jsonOf(t, wrong, nil), "a wrong phone is answered alike")

		infos := p.known.infos()
		require.Len(t, infos, before+1, "%s: one SMS to the security phone", way)
		m := infos[len(infos)-1]
		assert.Equal(t, phoneA, m.To)
		assert.Equal(t, p.owner.ID+":qq", m.Params[recovery.ParamAccounts])
		assert.Equal(t, string(way), m.Params[recovery.ParamWay])
		assert.Empty(t, p.unknown.infos(), "%s: the unknown side sends nothing", way)

		// The session is used up.
		_, err = p.known.finder.VerifyPhone(ctx, sk.Token, phoneA, clientIP)
		assert.ErrorIs(t, err, recovery.ErrFindSessionInvalid)
		p.known.clock.Advance(2 * time.Minute) // the SMS interval per phone
		p.unknown.clock.Advance(2 * time.Minute)
	}
}

func TestVerifyPhoneAnswersCountAlikeAndLock(t *testing.T) {
	t.Parallel()
	p := newPair(t, noLimits)
	ctx := context.Background()
	max := p.known.lockout.Policy().MaxFailures
	var lastK, lastU string
	for i := 0; i < max+1; i++ {
		sk, errK := p.known.finder.Start(ctx, recovery.WayDomain, domain, clientIP)
		su, errU := p.unknown.finder.Start(ctx, recovery.WayDomain, domain, clientIP)
		require.NoError(t, errK)
		require.NoError(t, errU)
		gk, errK := p.known.finder.VerifyPhone(ctx, sk.Token, phoneA, clientIP)
		gu, errU := p.unknown.finder.VerifyPhone(ctx, su.Token, phoneA, clientIP)
		lastK, lastU = jsonOf(t, gk, errK), jsonOf(t, gu, errU)
		assert.Equal(t, lastK, lastU, "answer %d: the same whether the phone is right or the domain unknown", i+1)
		if i == max-1 {
			assert.ErrorIs(t, errK, limits.ErrLocked, "the answer that locks says so")
		}
		p.known.clock.Advance(2 * time.Minute)
		p.unknown.clock.Advance(2 * time.Minute)
	}
	assert.Contains(t, lastK, string(reason.LimitsLocked))
	assert.Len(t, p.known.infos(), max, "while locked nothing more is sent")
}

func TestFaceCheckShowsTheResultOnlyAfterAMatch(t *testing.T) {
	t.Parallel()
	p := newPair(t, noLimits)
	ctx := context.Background()
	for way, in := range p.assetInputs() {
		sk, err := p.known.finder.Start(ctx, way, in[0], clientIP)
		require.NoError(t, err)
		su, err := p.unknown.finder.Start(ctx, way, in[1], clientIP)
		require.NoError(t, err)
		bk, bu := p.known.work.snapshot(), p.unknown.work.snapshot()
		fk, errK := p.known.finder.StartFace(ctx, sk.Token)
		fu, errU := p.unknown.finder.StartFace(ctx, su.Token)
		require.NoError(t, errK)
		require.NoError(t, errU)
		assert.Equal(t, jsonOf(t, fk, nil), jsonOf(t, fu, nil), "%s: the same face check", way)
		assert.Equal(t, diff(bk, p.known.work.snapshot()), diff(bu, p.unknown.work.snapshot()), "%s: the same work", way)

		rk, errK := p.known.finder.FaceResult(ctx, sk.Token)
		ru, errU := p.unknown.finder.FaceResult(ctx, su.Token)
		assert.Equal(t, `{"status":"pending"}`, jsonOf(t, rk, errK))
		assert.Equal(t, jsonOf(t, rk, errK), jsonOf(t, ru, errU))

		// The same face matches on both sides: only the known side shows.
		p.known.confirmFace(false)
		p.unknown.confirmFace(false)
		rk, errK = p.known.finder.FaceResult(ctx, sk.Token)
		ru, errU = p.unknown.finder.FaceResult(ctx, su.Token)
		require.NoError(t, errK)
		require.NoError(t, errU)
		assert.Equal(t, `{"status":"matched","accounts":[{"account_id":"`+p.owner.ID+`","registration_method":"qq"}]}`, jsonOf(t, rk, nil))
		assert.Equal(t, `{"status":"rejected"}`, jsonOf(t, ru, nil), "a decoy check never matches")

		_, err = p.known.finder.FaceResult(ctx, sk.Token)
		assert.ErrorIs(t, err, recovery.ErrFindSessionInvalid, "used up")
	}
	assert.Empty(t, p.known.infos(), "a face check sends nothing")
}

func TestFaceOfAnAccountWithoutRealNameNeverMatches(t *testing.T) {
	t.Parallel()
	e := newFindEnv(t)
	ctx := context.Background()
	a := e.register(t, "qq-unverified", phoneA)
	e.assets.Set(recovery.AssetDomain, domain, a.ID)
	s, err := e.finder.Start(ctx, recovery.WayDomain, domain, clientIP)
	require.NoError(t, err)
	_, err = e.finder.StartFace(ctx, s.Token)
	require.NoError(t, err)
	e.confirmFace(false)
	r, err := e.finder.FaceResult(ctx, s.Token)
	require.NoError(t, err)
	assert.Equal(t, recovery.FaceRejected, r.Status)
	assert.Empty(t, r.Accounts)
}

func TestFaceRejectionsAreCountedAndLock(t *testing.T) {
	t.Parallel()
	p := newPair(t, noLimits)
	ctx := context.Background()
	max := p.known.lockout.Policy().MaxFailures
	for i := 0; i < max; i++ {
		for _, e := range []*findEnv{p.known, p.unknown} {
			s, err := e.finder.Start(ctx, recovery.WayCloudServer, cloudIP, clientIP)
			require.NoError(t, err)
			_, err = e.finder.StartFace(ctx, s.Token)
			require.NoError(t, err)
			e.rejectFace(false)
			r, err := e.finder.FaceResult(ctx, s.Token)
			if i < max-1 {
				require.NoError(t, err)
				assert.Equal(t, recovery.FaceRejected, r.Status)
			} else {
				assert.ErrorIs(t, err, limits.ErrLocked, "the rejection that locks says so")
			}
			e.clock.Advance(2 * time.Minute)
		}
	}
	for _, e := range []*findEnv{p.known, p.unknown} {
		s, err := e.finder.Start(ctx, recovery.WayCloudServer, cloudIP, clientIP)
		require.NoError(t, err)
		_, err = e.finder.StartFace(ctx, s.Token)
		assert.ErrorIs(t, err, limits.ErrLocked, "no face check while locked")
		_, err = e.finder.VerifyPhone(ctx, s.Token, phoneA, clientIP)
		assert.ErrorIs(t, err, limits.ErrLocked, "no phone answer while locked")
	}
	assert.Equal(t, 1, p.known.events.Count(event.Locked))
	assert.Empty(t, p.known.infos())
	// Another asset of the same account is counted on its own.
	s, err := p.known.finder.Start(ctx, recovery.WayDomain, domain, clientIP)
	require.NoError(t, err)
	_, err = p.known.finder.StartFace(ctx, s.Token)
	assert.NoError(t, err)
}

func TestPersonalWay(t *testing.T) {
	t.Parallel()
	p := newPair(t)
	ctx := context.Background()
	second := p.known.register(t, "qq-second", "")
	p.known.verifyPerson(t, second.ID, person, idNumber)
	namesake := p.known.register(t, "qq-namesake", "")
	p.known.verifyPerson(t, namesake.ID, "王五", idNumber) // the same number under another name

	bk, bu := p.known.work.snapshot(), p.unknown.work.snapshot()
	sk, errK := p.known.finder.StartPersonal(ctx, " 张三 ", "11010519491231002x", clientIP)
	su, errU := p.unknown.finder.StartPersonal(ctx, " 张三 ", "11010519491231002x", clientIP)
	require.NoError(t, errK)
	require.NoError(t, errU)
	assert.Equal(t, jsonOf(t, sk, nil), jsonOf(t, su, nil), "the same bytes whether the identity verifies accounts or not")
	assert.Equal(t, diff(bk, p.known.work.snapshot()), diff(bu, p.unknown.work.snapshot()), "the same work")
	require.NotNil(t, sk.Face)
	assert.Equal(t, []string{recovery.FindByFace}, sk.Methods)

	rk, errK := p.known.finder.FaceResult(ctx, sk.Token)
	ru, errU := p.unknown.finder.FaceResult(ctx, su.Token)
	assert.Equal(t, jsonOf(t, rk, errK), jsonOf(t, ru, errU), "pending alike")

	_, err := p.known.finder.VerifyPhone(ctx, sk.Token, phoneA, clientIP)
	assert.ErrorIs(t, err, recovery.ErrFindWrongStep, "the personal way verifies by face only")

	p.known.confirmFace(true)
	rk, err = p.known.finder.FaceResult(ctx, sk.Token)
	require.NoError(t, err)
	assert.Equal(t, recovery.FaceMatched, rk.Status)
	want := []recovery.FoundAccount{
		{AccountID: p.owner.ID, RegistrationMethod: account.MethodQQ, RealName: &recovery.MaskedRealName{Name: "*三", IDNumber: "1****************X"}},
		{AccountID: second.ID, RegistrationMethod: account.MethodQQ, RealName: &recovery.MaskedRealName{Name: "*三", IDNumber: "1****************X"}},
	}
	assert.ElementsMatch(t, want, rk.Accounts, "every account of the identity under that name, masked")

	p.unknown.confirmFace(true)
	ru, err = p.unknown.finder.FaceResult(ctx, su.Token)
	require.NoError(t, err)
	assert.Equal(t, `{"status":"matched"}`, jsonOf(t, ru, nil), "the person learns that no account is theirs")
}

func TestPersonalWayFaceRejectionsLock(t *testing.T) {
	t.Parallel()
	e := newFindEnv(t, noLimits)
	ctx := context.Background()
	max := e.lockout.Policy().MaxFailures
	for i := 0; i < max; i++ {
		s, err := e.finder.StartPersonal(ctx, person, idNumber, clientIP)
		require.NoError(t, err)
		e.rejectFace(true)
		_, err = e.finder.FaceResult(ctx, s.Token)
		if i == max-1 {
			assert.ErrorIs(t, err, limits.ErrLocked)
		} else {
			require.NoError(t, err)
		}
		e.clock.Advance(2 * time.Minute)
	}
	_, err := e.finder.StartPersonal(ctx, person, idNumber, clientIP)
	assert.ErrorIs(t, err, limits.ErrLocked)
}

func TestBadInputIsRefusedWithoutWork(t *testing.T) {
	t.Parallel()
	e := newFindEnv(t)
	ctx := context.Background()
	s, err := e.finder.Start(ctx, recovery.WayDomain, domain, clientIP)
	require.NoError(t, err)
	before := e.work.snapshot()
	events := len(e.events.All())
	cases := []struct {
		name string
		err  error
	}{
		{"unknown way", second(e.finder.Start(ctx, "bucket", "b", clientIP))},
		{"domain", second(e.finder.Start(ctx, recovery.WayDomain, "xn--fiqs8s.cn", clientIP))},
		{"icp", second(e.finder.Start(ctx, recovery.WayICP, "粤ICP证1号", clientIP))},
		{"ip", second(e.finder.Start(ctx, recovery.WayCloudServer, "10.0.0.1", clientIP))},
		{"light ip", second(e.finder.Start(ctx, recovery.WayLightServer, "fe80::1%eth0", clientIP))},
		{"account id", second(e.finder.Start(ctx, recovery.WayAccountID, "abc", clientIP))},
		{"client ip", second(e.finder.Start(ctx, recovery.WayDomain, domain, strings.Repeat("1", 200)))},
		{"phone", second(e.finder.FindByPhone(ctx, "13800138000", clientIP))},
		{"name", second(e.finder.StartPersonal(ctx, "", idNumber, clientIP))},
		{"id number", second(e.finder.StartPersonal(ctx, person, "110105194912310021", clientIP))},
		{"token", second(e.finder.VerifyPhone(ctx, "not-a-token", phoneA, clientIP))},
		{"verify phone", second(e.finder.VerifyPhone(ctx, s.Token, "+86", clientIP))},
		{"face token", second(e.finder.StartFace(ctx, s.Token+"A"))},
		{"result token", second(e.finder.FaceResult(ctx, strings.Repeat("=", 43)))},
	}
	for _, c := range cases {
		require.Error(t, c.err, c.name)
		assert.NotEmpty(t, reason.CodeOf(c.err), "%s: reason-coded: %v", c.name, c.err)
	}
	assert.Equal(t, before, e.work.snapshot(), "no look-up, no gate, no write")
	assert.Len(t, e.events.All(), events, "no event")
	// The session is still usable.
	_, err = e.finder.StartFace(ctx, s.Token)
	assert.NoError(t, err)
}

// noLimits lets every request through the Gate, for tests about other
// limits.
func noLimits(c *recovery.FindConfig) { c.Gate = allowAll{} }

func second[T any](_ T, err error) error { return err }

func TestSessionsAreSingleUseAndExpire(t *testing.T) {
	t.Parallel()
	e := newFindEnv(t)
	ctx := context.Background()
	s, err := e.finder.Start(ctx, recovery.WayDomain, domain, clientIP)
	require.NoError(t, err)
	_, err = e.finder.FaceResult(ctx, s.Token)
	assert.ErrorIs(t, err, recovery.ErrFindWrongStep, "no face check started")
	_, err = e.finder.StartFace(ctx, s.Token)
	require.NoError(t, err)
	_, err = e.finder.StartFace(ctx, s.Token)
	assert.ErrorIs(t, err, recovery.ErrFindWrongStep, "one face check per session")
	_, err = e.finder.VerifyPhone(ctx, s.Token, phoneA, clientIP)
	assert.ErrorIs(t, err, recovery.ErrFindWrongStep)

	e.clock.Advance(recovery.DefaultFindTTL)
	_, err = e.finder.FaceResult(ctx, s.Token)
	assert.ErrorIs(t, err, recovery.ErrFindSessionInvalid, "expired")
	assert.Positive(t, e.events.Count(event.FindRejected))

	other, err := recovery.NewFinder(recovery.FindConfig{
		Store: e.store, Accounts: e.accounts, SMS: e.outbox, Gate: allowAll{}, Limiter: e.lockout,
		Secret: []byte("another secret of 32 bytes......"), Now: e.clock.Now,
	})
	require.NoError(t, err)
	s, err = e.finder.Start(ctx, recovery.WayAccountID, "100000000001", clientIP)
	require.NoError(t, err)
	_, err = other.VerifyPhone(ctx, s.Token, phoneA, clientIP)
	assert.ErrorIs(t, err, recovery.ErrFindSessionInvalid, "tokens are looked up by a keyed hash")
}

func TestSessionsKeepNoIdentifierInClear(t *testing.T) {
	t.Parallel()
	p := newPair(t)
	ctx := context.Background()
	var tokens []string
	s, err := p.known.finder.Start(ctx, recovery.WayDomain, domain, clientIP)
	require.NoError(t, err)
	tokens = append(tokens, s.Token)
	_, err = p.known.finder.StartFace(ctx, s.Token)
	require.NoError(t, err)
	s, err = p.known.finder.StartPersonal(ctx, person, idNumber, clientIP)
	require.NoError(t, err)
	tokens = append(tokens, s.Token)
	dump := fmt.Sprintf("%#v", p.known.store)
	for _, secret := range append(tokens, domain, idNumber, person, phoneA) {
		assert.NotContains(t, dump, secret)
	}
}

func TestEventsCarryNoPersonalData(t *testing.T) {
	t.Parallel()
	p := newPair(t)
	ctx := context.Background()
	var tokens []string
	for way, in := range p.assetInputs() {
		s, err := p.known.finder.Start(ctx, way, in[0], clientIP)
		require.NoError(t, err)
		_, err = p.known.finder.VerifyPhone(ctx, s.Token, phoneA, clientIP)
		require.NoError(t, err)
		s2, err := p.known.finder.Start(ctx, way, in[0], "192.0.2.1")
		if err != nil {
			p.known.clock.Advance(2 * time.Minute)
			s2, err = p.known.finder.Start(ctx, way, in[0], "192.0.2.1")
		}
		require.NoError(t, err)
		_, err = p.known.finder.StartFace(ctx, s2.Token)
		require.NoError(t, err)
		p.known.confirmFace(false)
		_, err = p.known.finder.FaceResult(ctx, s2.Token)
		require.NoError(t, err)
		tokens = append(tokens, s.Token, s2.Token)
		p.known.clock.Advance(2 * time.Minute)
	}
	_, err := p.known.finder.FindByPhone(ctx, phoneA, clientIP)
	require.NoError(t, err)
	s, err := p.known.finder.StartPersonal(ctx, person, idNumber, clientIP)
	require.NoError(t, err)
	p.known.confirmFace(true)
	_, err = p.known.finder.FaceResult(ctx, s.Token)
	require.NoError(t, err)
	tokens = append(tokens, s.Token)

	var find []event.Event
	for _, ev := range p.known.events.All() {
		if ev.Scope == "find" {
			find = append(find, ev)
		}
	}
	kinds := map[event.Kind]bool{}
	for _, ev := range find {
		kinds[ev.Kind] = true
	}
	for _, k := range []event.Kind{event.FindStarted, event.FindPhoneLookedUp, event.FindPhoneAnswered, event.FindInfoSent, event.FindFaceStarted, event.FindFacePassed} {
		assert.True(t, kinds[k], "emits %s", k)
	}
	dump := fmt.Sprintf("%+v", find)
	for _, pii := range append(tokens, phoneA, "13800138000", domain, icpNo, cloudIP, lightIP, idNumber, person, "ticket-", "face-", "qq-owner") {
		assert.NotContains(t, dump, pii)
	}
}

func TestSendFailuresAreNotReported(t *testing.T) {
	t.Parallel()
	e := newFindEnv(t)
	ctx := context.Background()
	e.register(t, "qq-a", phoneA)
	e.outbox.FailWith(errCarrierDown)
	got, err := e.finder.FindByPhone(ctx, phoneA, clientIP)
	require.NoError(t, err)
	assert.Equal(t, "+86138****8000", got.To)
	assert.Equal(t, 1, e.events.Count(event.FindSendFailed))
}

var errCarrierDown = fmt.Errorf("carrier down")

func TestUnavailableWays(t *testing.T) {
	t.Parallel()
	e := newFindEnv(t, func(c *recovery.FindConfig) { c.Assets, c.Faces, c.Identities = nil, nil, nil })
	ctx := context.Background()
	_, err := e.finder.Start(ctx, recovery.WayDomain, domain, clientIP)
	assert.ErrorIs(t, err, recovery.ErrFindUnavailable)
	_, err = e.finder.StartPersonal(ctx, person, idNumber, clientIP)
	assert.ErrorIs(t, err, recovery.ErrFindUnavailable)
	s, err := e.finder.Start(ctx, recovery.WayAccountID, "100000000001", clientIP)
	require.NoError(t, err, "the account-ID way needs no directory")
	assert.Equal(t, []string{recovery.FindBySMS}, s.Methods, "no face without a verifier")
	_, err = e.finder.StartFace(ctx, s.Token)
	assert.ErrorIs(t, err, recovery.ErrFindUnavailable)
}

func TestHostFailuresFailClosed(t *testing.T) {
	t.Parallel()
	e := newFindEnv(t)
	ctx := context.Background()
	e.assets.FailWith(fmt.Errorf("inventory down"))
	_, err := e.finder.Start(ctx, recovery.WayDomain, domain, clientIP)
	assert.ErrorIs(t, err, reason.ErrStoreUnavailable)
	e.assets.FailWith(nil)
	s, err := e.finder.Start(ctx, recovery.WayDomain, domain, "192.0.2.2")
	if err != nil {
		e.clock.Advance(2 * time.Minute)
		s, err = e.finder.Start(ctx, recovery.WayDomain, domain, "192.0.2.2")
	}
	require.NoError(t, err)
	e.faces.FailWith(fmt.Errorf("face service down"))
	_, err = e.finder.StartFace(ctx, s.Token)
	assert.ErrorIs(t, err, reason.ErrStoreUnavailable)
	e.faces.FailWith(nil)
	_, err = e.finder.StartFace(ctx, s.Token)
	assert.NoError(t, err, "a failed start leaves the session")
}

func TestFinderConfigIsValidated(t *testing.T) {
	t.Parallel()
	e := newFindEnv(t)
	base := recovery.FindConfig{Store: e.store, Accounts: e.accounts, SMS: e.outbox, Gate: allowAll{}, Limiter: e.lockout, Secret: testSecret}
	for name, edit := range map[string]func(*recovery.FindConfig){
		"Store": func(c *recovery.FindConfig) { c.Store = nil }, "Accounts": func(c *recovery.FindConfig) { c.Accounts = nil },
		"SMS": func(c *recovery.FindConfig) { c.SMS = nil }, "Gate": func(c *recovery.FindConfig) { c.Gate = nil },
		"Limiter": func(c *recovery.FindConfig) { c.Limiter = nil }, "Secret": func(c *recovery.FindConfig) { c.Secret = nil },
		"TTL": func(c *recovery.FindConfig) { c.Policy.TTL = time.Minute }, "TTL max": func(c *recovery.FindConfig) { c.Policy.TTL = 2 * time.Hour },
		"Reads": func(c *recovery.FindConfig) { c.Policy.Reads = 101 },
	} {
		c := base
		edit(&c)
		_, err := recovery.NewFinder(c)
		assert.ErrorIs(t, err, reason.New(reason.PolicyInvalid), name)
	}
	f, err := recovery.NewFinder(base)
	require.NoError(t, err)
	assert.Equal(t, recovery.FindPolicy{TTL: recovery.DefaultFindTTL, Reads: recovery.DefaultFindReads}, f.Policy())
	assert.NotContains(t, fmt.Sprintf("%v %+v %#v", base, base, base), string(testSecret))
	st := recovery.FindStarted{Token: "TOKEN-SECRET"}
	assert.NotContains(t, fmt.Sprintf("%v %+v %#v %s", st, st, st, st), "TOKEN-SECRET")
}

func diff(before, after map[string]int) map[string]int {
	out := map[string]int{}
	for k, v := range after {
		if d := v - before[k]; d != 0 {
			out[k] = d
		}
	}
	return out
}

func FuzzParseFindToken(f *testing.F) {
	for _, s := range []string{strings.Repeat("A", 43), strings.Repeat("_", 43), "", strings.Repeat("A", 42) + "B"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if recovery.ParseFindToken(s) {
			assert.Len(t, s, recovery.FindTokenLength)
		}
	})
}

// FuzzFinderInput: any input to any step is a reason-coded error or an
// answer, never a panic, and input errors store nothing.
func FuzzFinderInput(f *testing.F) {
	for _, s := range []string{domain, icpNo, cloudIP, "100012345678", phoneA, idNumber, "\xff", ""} {
		f.Add("domain", s, s)
	}
	f.Add("icp", icpNo, person)
	f.Add("x", "", "")
	e := newFindEnv(f)
	f.Fuzz(func(t *testing.T, way, value, other string) {
		ctx := context.Background()
		before := e.work.snapshot()["put"]
		_, err := e.finder.Start(ctx, recovery.Way(way), value, clientIP)
		if err != nil {
			assert.NotEmpty(t, reason.CodeOf(err), "%v", err)
			if reason.CodeOf(err) != reason.LimitsRateLimited {
				assert.Equal(t, before, e.work.snapshot()["put"])
			}
		}
		_, err = e.finder.StartPersonal(ctx, other, value, clientIP)
		if err != nil {
			assert.NotEmpty(t, reason.CodeOf(err), "%v", err)
		}
		_, err = e.finder.VerifyPhone(ctx, value, other, clientIP)
		assert.NotEmpty(t, reason.CodeOf(err), "%v", err)
		_, err = e.finder.FaceResult(ctx, value)
		assert.NotEmpty(t, reason.CodeOf(err), "%v", err)
		e.clock.Advance(time.Hour)
	})
}
