// Package bench measures accountsec against peer libraries and holds the
// bounded attack harness (credential stuffing, TOTP brute force, races on
// single-use tokens). It has no API: everything is in its tests and
// benchmarks, run by `make bench` and `go test ./...` in this module.
package bench
