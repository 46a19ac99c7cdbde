package protection

import (
	"context"
	"time"

	"github.com/accountsec/accountsec/reason"
)

// Usual login cities (remote-login protection).
//
// The rule: a city is usual for an account when it is among the
// Policy.UsualCities (default 5) most recent distinct cities of the
// account's successful logins and the last successful login from it is
// within Policy.UsualCityWindow (default 90 days). Cities are learned only
// from successful logins (a session was created), never from failed or
// abandoned ones, and never from a login whose city is unknown. A login
// from an unknown city (the GeoLocator returned "" or failed, or none is
// configured) is always unusual. An account with no recorded city at all
// has nothing to compare against, so its first successful login from a
// known city is not treated as unusual; this is the only exception.
//
// Cities are learned whether or not remote-login protection is on, so that
// turning it on compares against real history. When cities share their
// last login time (to the millisecond), the one whose record ID (the
// SHA-256 hash of its name) is greater counts as the more recent: it is
// listed first and kept first. A city is forgotten five years after its
// last login.

// locate resolves ip to a city; "" when unknown or when the GeoLocator
// fails (a failure is treated as an unknown city, which is the safe side).
func (m *Manager) locate(ctx context.Context, ip string) string {
	if m.geo == nil || ip == "" {
		return ""
	}
	city, err := m.geo.City(ctx, ip)
	if err != nil {
		return ""
	}
	return city
}

// unusual reports whether city is not a usual city of the account at now.
func (m *Manager) unusual(ctx context.Context, accountID, city string, now time.Time) (bool, error) {
	if city == "" {
		return true, nil
	}
	cities, err := m.cities(ctx, accountID)
	if err != nil {
		return false, reason.Store(err)
	}
	if len(cities) == 0 {
		return false, nil
	}
	return !usual(cities, city, now, m.policy.UsualCities, m.policy.UsualCityWindow), nil
}

// usual applies the rule to cities (latest first).
func usual(cities []LoginCity, city string, now time.Time, n int, window time.Duration) bool {
	since := now.Add(-window)
	for i, c := range cities {
		if i >= n {
			break
		}
		if c.City == city && c.LastAt.After(since) {
			return true
		}
	}
	return false
}

// UsualCities returns the account's usual login cities now, latest first.
func (m *Manager) UsualCities(ctx context.Context, accountID string) ([]LoginCity, error) {
	if accountID == "" {
		return nil, reason.New(reason.InputEmpty).With("field", "account_id")
	}
	cities, err := m.cities(ctx, accountID)
	if err != nil {
		return nil, reason.Store(err)
	}
	now := m.now()
	var out []LoginCity
	for _, c := range cities {
		if len(out) < m.policy.UsualCities && usual(cities, c.City, now, m.policy.UsualCities, m.policy.UsualCityWindow) {
			out = append(out, c)
		}
	}
	return out, nil
}

// learnCity records a successful login's city.
func (m *Manager) learnCity(ctx context.Context, accountID, city string, at time.Time) error {
	if city == "" {
		return nil
	}
	if err := m.putCity(ctx, accountID, city, at, m.policy.UsualCities); err != nil {
		return reason.Store(err)
	}
	return nil
}
