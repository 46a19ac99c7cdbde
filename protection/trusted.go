package protection

import (
	"context"
	"time"

	"github.com/accountsec/accountsec/event"
	"github.com/accountsec/accountsec/reason"
)

// trustDevice records a trusted device for the account and returns its
// token (for a long-lived, HttpOnly cookie).
func (m *Manager) trustDevice(ctx context.Context, accountID, name, ip, city string) (string, TrustedDevice, error) {
	token, id, err := m.newToken()
	if err != nil {
		return "", TrustedDevice{}, err
	}
	now := m.now()
	d := TrustedDevice{
		ID: id, AccountID: accountID, Name: name, ClientIP: ip, City: city,
		CreatedAt: now, ExpiresAt: now.Add(m.policy.TrustedDeviceTTL),
	}
	if err := m.putDevice(ctx, d); err != nil {
		return "", TrustedDevice{}, reason.Store(err)
	}
	m.emit(ctx, event.DeviceTrusted, accountID, "device", d.ExpiresAt, map[string]string{"device": id, "ip": ip, "city": city})
	return token, d, nil
}

// trusted reports whether token is a live trusted device of the account.
func (m *Manager) trusted(ctx context.Context, accountID, token string, now time.Time) (bool, error) {
	if token == "" {
		return false, nil
	}
	id, ok := tokenID(token)
	if !ok {
		return false, nil
	}
	_, found, err := m.device(ctx, accountID, id, now)
	if err != nil {
		return false, reason.Store(err)
	}
	return found, nil
}

// TrustedDevices lists the account's trusted devices, oldest first.
func (m *Manager) TrustedDevices(ctx context.Context, accountID string) ([]TrustedDevice, error) {
	if accountID == "" {
		return nil, reason.New(reason.InputEmpty).With("field", "account_id")
	}
	ds, err := m.devices(ctx, accountID, m.now())
	if err != nil {
		return nil, reason.Store(err)
	}
	return ds, nil
}

// RevokeTrustedDevice revokes one trusted device of the account: its next
// login goes through login protection again. Revoking a device that is not
// trusted is not an error.
func (m *Manager) RevokeTrustedDevice(ctx context.Context, accountID, deviceID string) error {
	if accountID == "" || deviceID == "" {
		return reason.New(reason.InputEmpty).With("field", "device")
	}
	deleted, err := m.deleteDevice(ctx, accountID, deviceID)
	if err != nil {
		return reason.Store(err)
	}
	if deleted {
		m.emit(ctx, event.TrustedDeviceRevoked, accountID, "device", time.Time{}, map[string]string{"device": deviceID})
	}
	return nil
}
