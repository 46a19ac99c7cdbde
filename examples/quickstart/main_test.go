package main

import (
	"context"
	"testing"
)

// The walk-through is documentation that runs; it must keep running.
func TestQuickstartRuns(t *testing.T) {
	if err := run(context.Background()); err != nil {
		t.Fatal(err)
	}
}
