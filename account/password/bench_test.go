package password

import (
	"testing"
)

func BenchmarkCheck(b *testing.B) {
	cases := []struct {
		name   string
		policy Policy
		pw     string
	}{
		{"Console/valid", Console(), "Tr0ub4dor&3x"},
		{"Console/invalid", Console(), "trouba dor"},
		{"NIST/valid", NIST(), "tr0ub4dor and three horses"},
		{"NIST/common", NIST(), "qwertyuiopasdfghjkl"},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				_ = c.policy.Check(c.pw)
			}
		})
	}
}

func BenchmarkHashArgon2idDefault(b *testing.B) {
	h, err := NewHasher(HasherConfig{})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := h.Hash(b.Context(), "Tr0ub4dor&3x"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkVerifyArgon2idDefault(b *testing.B) {
	h, err := NewHasher(HasherConfig{})
	if err != nil {
		b.Fatal(err)
	}
	encoded, err := h.Hash(b.Context(), "Tr0ub4dor&3x")
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if ok, _, err := h.Verify(b.Context(), "Tr0ub4dor&3x", encoded); err != nil || !ok {
			b.Fatal(ok, err)
		}
	}
}

func BenchmarkVerifyDummyArgon2idDefault(b *testing.B) {
	h, err := NewHasher(HasherConfig{})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := h.VerifyDummy(b.Context(), "Tr0ub4dor&3x"); err != nil {
			b.Fatal(err)
		}
	}
}
