package main

import (
	"context"
	"io"
	"testing"

	"github.com/accountsec/accountsec"
)

// The walk-through is documentation that runs; it must keep running.
func TestQuickstartRuns(t *testing.T) {
	if err := run(context.Background(), io.Discard, accountsec.Deps{}); err != nil {
		t.Fatal(err)
	}
}
