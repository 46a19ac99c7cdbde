//go:build !race

package keyhash_test

const raceEnabled = false
