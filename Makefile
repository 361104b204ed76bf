# rocketd — see README.md. `make run` and `make test` are the two commands a newcomer needs.
GO      ?= go
BUILD   ?= build
PKGS    ?= ./...
FUZZTIME ?= 10s

.PHONY: all build run test unit fuzz bench vet clean
all: build

build:
	@mkdir -p $(BUILD)
	$(GO) build -o $(BUILD)/mqnamesrv ./bin/mqnamesrv
	$(GO) build -o $(BUILD)/mqbroker ./bin/mqbroker

vet:
	$(GO) vet $(PKGS)

# Unit + conformance tests with the race detector.
test: vet
	$(GO) test -race -count=1 -timeout 30m $(PKGS)

bench:
	$(GO) test -run '^$$' -bench . -benchmem $(PKGS)

clean:
	rm -rf $(BUILD)
