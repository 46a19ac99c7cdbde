package fakes

import (
	"context"

	"github.com/accountsec/accountsec/protection"
	"github.com/accountsec/accountsec/recovery"
)

// HostVerifier also checks persons named by name and identity number, as
// an enterprise recovery asks for its legal person.
var _ recovery.PersonFaceVerifier = (*HostVerifier)(nil)

// personSubject is the subject under which a person's tickets are kept: it
// never equals an account ID, which has no colon.
func personSubject(p recovery.Person) string { return "person:" + p.Name + ":" + p.IDNumber }

// StartPersonFace begins a face verification of the person; the ticket
// stays pending until Confirm or Reject, like StartFace's.
func (v *HostVerifier) StartPersonFace(_ context.Context, p recovery.Person) (protection.HostChallenge, error) {
	return v.start(personSubject(p), "face")
}

// PersonFaceResult reports the state of the person's face verification.
func (v *HostVerifier) PersonFaceResult(_ context.Context, p recovery.Person, ticket string) (protection.HostResult, error) {
	return v.result(personSubject(p), "face", ticket)
}
