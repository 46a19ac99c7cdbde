package recovery

import (
	"testing"

	"github.com/accountsec/accountsec/reason"
)

// FuzzParseQueryCode: any input is a normal form of QueryCodeLength
// characters of the alphabet, parsed again to itself, or a reason-coded
// input error; never a panic.
func FuzzParseQueryCode(f *testing.F) {
	for _, s := range []string{"", "ABCDEFGHJK0123456789", "abcde-fghjk 01234-56789", "ABCDEFGHIJ0123456789", "é", "\x00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		q, err := parseQueryCode(s)
		if err != nil {
			if reason.CodeOf(err) == "" {
				t.Fatalf("%q: error without a reason code: %v", s, err)
			}
			return
		}
		if len(q) != QueryCodeLength {
			t.Fatalf("%q: %q has %d characters", s, q, len(q))
		}
		if again, err := parseQueryCode(q); err != nil || again != q {
			t.Fatalf("%q: normal form %q parses to %q, %v", s, q, again, err)
		}
	})
}

// FuzzDecodeFlowDocs: a stored payload decodes or is codec.ErrCorrupt,
// and a decoded one encodes back to a payload that decodes the same.
func FuzzDecodeFlowDocs(f *testing.F) {
	f.Add(entDoc{step: StepFace, matches: []string{"100000000001"}}.encode())
	f.Add(appealDoc{step: StepLoginEmail, accountID: "100000000001"}.encode())
	f.Add([]byte{1, 2, 3})
	f.Fuzz(func(t *testing.T, p []byte) {
		if d, err := decodeEnt(p); err == nil {
			if _, err := decodeEnt(d.encode()); err != nil {
				t.Fatalf("re-encoded enterprise document does not decode: %v", err)
			}
		}
		if d, err := decodeAppeal(p); err == nil {
			if _, err := decodeAppeal(d.encode()); err != nil {
				t.Fatalf("re-encoded appeal does not decode: %v", err)
			}
		}
		if checkRef("ref", string(p)) == nil && !parseRef(string(p)) {
			t.Fatal("checkRef accepted what parseRef refuses")
		}
	})
}
