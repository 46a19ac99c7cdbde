package protection_test

import "testing"

// BenchmarkValidateSessionSerial is BenchmarkValidateSession one call at a
// time, as a request handler makes it: no other call contends for the
// store's shard or the token cache's slot.
func BenchmarkValidateSessionSerial(b *testing.B) {
	e := benchEnv(b)
	_, token := e.session(b)
	ctx := b.Context()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := e.m.ValidateSession(ctx, token); err != nil {
			b.Fatal(err)
		}
	}
}
