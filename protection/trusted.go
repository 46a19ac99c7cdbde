package protection

import (
	"context"
	"time"

	"github.com/accountsec/accountsec/event"
	"github.com/accountsec/accountsec/reason"
)

// trustDevice records the trusted device id (the ID of a token from
// newToken, which the caller gives to the client in a long-lived, HttpOnly
// cookie) for the account.
func (m *Manager) trustDevice(ctx context.Context, accountID, id, name, ip, city string) (TrustedDevice, error) {
	now := m.now()
	d := TrustedDevice{
		ID: id, AccountID: accountID, Name: name, ClientIP: ip, City: city,
		CreatedAt: now, ExpiresAt: now.Add(m.policy.TrustedDeviceTTL),
	}
	if err := m.putDevice(ctx, d); err != nil {
		return TrustedDevice{}, reason.Store(err)
	}
	m.emit(ctx, event.DeviceTrusted, accountID, "device", d.ExpiresAt, map[string]string{"device": id, "ip": ip, "city": city})
	return d, nil
}

// trusted returns the ID of the live trusted device of the account whose
// token is token, or "" when token names none (empty, malformed, unknown,
// expired or revoked).
func (m *Manager) trusted(ctx context.Context, accountID, token string, now time.Time) (string, error) {
	if token == "" {
		return "", nil
	}
	id, ok := tokenID(token)
	if !ok {
		return "", nil
	}
	_, found, err := m.device(ctx, accountID, id, now)
	if err != nil {
		return "", reason.Store(err)
	}
	if !found {
		return "", nil
	}
	return id, nil
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

// RevokeTrustedDevices revokes every trusted device of the account in one
// store write: the next login from any of them goes through login
// protection again. It asks for no identity verification, like
// RevokeTrustedDevice: revoking only takes a privilege away (the worst a
// stolen session can do with it is make the owner verify at the next
// login), so, unlike SignOutAll, it is not an operation of the catalog.
// Pass the account of the validated session. It emits TrustedDevicesRevoked
// (reason "revoked").
func (m *Manager) RevokeTrustedDevices(ctx context.Context, accountID string) error {
	if accountID == "" {
		return reason.New(reason.InputEmpty).With("field", "account_id")
	}
	return m.revokeDevices(ctx, accountID, "", "revoked")
}

// revokeDevices revokes every trusted device of the account but keep (a
// device ID, when not empty) in one write, and emits TrustedDevicesRevoked
// with cause as its reason.
func (m *Manager) revokeDevices(ctx context.Context, accountID, keep, cause string) error {
	if err := m.endDevices(ctx, accountID, keep); err != nil {
		return reason.Store(err)
	}
	attrs := map[string]string{"reason": cause}
	if keep != "" {
		attrs["kept"] = keep
	}
	m.emit(ctx, event.TrustedDevicesRevoked, accountID, "device", time.Time{}, attrs)
	return nil
}
