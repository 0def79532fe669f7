# pinsh build, test and demo targets. `make help` lists them.

GO      ?= go
BIN     := bin
PLUGINS := $(notdir $(patsubst %/,%,$(wildcard plugins/*/)))
DEMO    := $(BIN)/demo
DEMO_USERS ?= 2000
FUZZTIME ?= 60s
# Packages whose tests run again under the race detector in make test.
RACE_PKGS := ./host/store ./host/pin ./host/plugin ./host/repl

.PHONY: all build plugins plugin test vet fmt-check bench demo fuzz stress clean help

all: build

## build: bin/pinsh and every plugin in bin/plugins/
build: $(BIN)/pinsh plugins

$(BIN)/pinsh: FORCE
	$(GO) build -o $(BIN)/pinsh ./host/cmd/pinsh

## plugins: build every plugins/<name> into bin/plugins/<name>.wasm, manifests embedded
plugins: $(BIN)/embedmanifest
	@mkdir -p $(BIN)/plugins
	@for p in $(PLUGINS); do \
		echo "plugin $$p"; \
		GOOS=wasip1 GOARCH=wasm $(GO) build -buildmode=c-shared -o $(BIN)/plugins/$$p.wasm ./plugins/$$p || exit 1; \
	done
	$(BIN)/embedmanifest $(patsubst %,$(BIN)/plugins/%.wasm,$(PLUGINS))

$(BIN)/embedmanifest: FORCE
	$(GO) build -o $(BIN)/embedmanifest ./scripts/embedmanifest

## plugin NAME=dir: build one plugin from plugins/NAME (or any package path)
plugin:
	@test -n "$(NAME)" || { echo "usage: make plugin NAME=<plugins/dir or package>"; exit 2; }
	@mkdir -p $(BIN)/plugins
	GOOS=wasip1 GOARCH=wasm $(GO) build -buildmode=c-shared -o $(BIN)/plugins/$(notdir $(NAME)).wasm ./$(if $(findstring /,$(NAME)),$(NAME),plugins/$(NAME))
	$(GO) run ./scripts/embedmanifest $(BIN)/plugins/$(notdir $(NAME)).wasm

## test: vet, gofmt check, every test (fuzz seeds included), the race detector on the concurrent packages
test: vet fmt-check
	$(GO) test -count=1 -timeout 30m ./...
	$(GO) test -race -count=1 -timeout 20m $(RACE_PKGS)

vet:
	$(GO) vet ./...
	GOOS=wasip1 GOARCH=wasm $(GO) vet ./sdk/... ./plugins/...

fmt-check:
	@out=$$(gofmt -l host sdk plugins scripts); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

## bench: micro benchmarks and the end-to-end figures of the issues
bench: build
	$(GO) test -run '^$$' -bench . -benchmem ./host/...
	./scripts/bench.sh

## demo: build, create a fresh demo store of $(DEMO_USERS) users, run scripts/examples.ps1
demo: build
	@mkdir -p $(DEMO)
	$(GO) run ./scripts/gendir -n $(DEMO_USERS) > $(DEMO)/litwareinc.ldif
	rm -f $(DEMO)/demo.db $(DEMO)/demo.db-wal $(DEMO)/demo.db-shm $(DEMO)/demo.db.key
	$(BIN)/pinsh --store $(DEMO)/demo.db -c 'Import-CsDirectory -Path "$(DEMO)/litwareinc.ldif"'
	$(BIN)/pinsh --store $(DEMO)/demo.db scripts/examples.ps1

## fuzz: run every fuzz target for FUZZTIME each
fuzz:
	./scripts/fuzz.sh $(FUZZTIME)

## stress: long crash-safety and concurrency runs (10,000 users; about 20 minutes)
stress: build
	./scripts/stress.sh

clean:
	rm -rf $(BIN)

help:
	@grep -E '^## ' Makefile | sed 's/^## //'

FORCE:
