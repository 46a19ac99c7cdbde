# Every Go module of the repository (the core and the nested ones).
MODULES := $(shell find . -name go.mod -not -path './.git/*' -exec dirname {} \; | sort)
# FUZZTIME counts executions, not seconds: a duration-bounded run can end in a
# spurious "context deadline exceeded" when its deadline meets a worker still
# busy under load (a race in the Go 1.26 fuzzing coordinator); a count has no
# deadline to race.
FUZZTIME ?= 10000x
STATICCHECK_VERSION ?= v0.8.2
GOBIN ?= $(shell go env GOPATH)/bin

.PHONY: test race vet fmt-check lint fuzz bench bench-all example ci

## test: run the tests of every module
test:
	@set -e; for m in $(MODULES); do echo "== go test $$m"; (cd $$m && go test -count=1 ./...); done

## race: run every module's tests under the race detector
race:
	@set -e; for m in $(MODULES); do echo "== go test -race $$m"; (cd $$m && go test -race -count=1 ./...); done

## vet: go vet every module
vet:
	@set -e; for m in $(MODULES); do echo "== go vet $$m"; (cd $$m && go vet ./...); done

## fmt-check: fail if any Go file is not gofmt-formatted
fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi; echo "== gofmt clean"

## lint: staticcheck every module
lint:
	@command -v staticcheck >/dev/null || go install honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION)
	@set -e; for m in $(MODULES); do echo "== staticcheck $$m"; (cd $$m && $(GOBIN)/staticcheck ./...); done

## fuzz: run every fuzz target for FUZZTIME (short runs by default)
fuzz:
	@set -e; for m in $(MODULES); do (cd $$m && for p in $$(go list ./...); do \
		for f in $$(go test -list '^Fuzz' $$p | grep '^Fuzz' || true); do \
			echo "== fuzz $$p $$f ($(FUZZTIME))"; go test -run='^$$' -fuzz="^$$f$$" -fuzztime=$(FUZZTIME) $$p; \
		done; done); done

## bench: the side-by-side benchmarks of ./bench (peers interleaved, ratios as x-peer), BENCHCOUNT runs, as a benchstat table (docs/PERFORMANCE.md)
BENCHCOUNT ?= 6
BENCHTIME ?= 0.3s
bench:
	@test -x $(GOBIN)/benchstat || go install golang.org/x/perf/cmd/benchstat@latest
	@out=$${TMPDIR:-/tmp}/accountsec-bench.txt; \
	(cd bench && go test -run='^$$' -bench=. -benchmem -count=$(BENCHCOUNT) -benchtime=$(BENCHTIME) .) > $$out || { cat $$out; exit 1; }; \
	echo "== raw results in $$out"; $(GOBIN)/benchstat $$out

## bench-all: run every benchmark of every module once with memory statistics
bench-all:
	@set -e; for m in $(MODULES); do (cd $$m && go test -run='^$$' -bench=. -benchmem ./...); done

## example: run the quickstart walk-through
example:
	go run ./examples/quickstart

## ci: what .ci/run runs after starting the services
ci: fmt-check vet test race fuzz lint
