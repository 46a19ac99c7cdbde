package password

// inRange reports whether p passes check, without the validator: a stored
// hash's parameters are checked at every login, and check's reflection
// costs more than the rest of parsing. ranges_test.go holds the two to the
// same answer.
func (p Params) inRange() bool {
	return p.Memory >= 8 && p.Memory <= 4194304 &&
		p.Time >= 1 && p.Time <= 100 &&
		p.Threads >= 1 && p.Threads <= 64 &&
		p.SaltLen >= 8 && p.SaltLen <= 64 &&
		p.KeyLen >= 16 && p.KeyLen <= 64 &&
		p.Memory >= 8*uint32(p.Threads)
}
