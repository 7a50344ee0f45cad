# tnjwt: two commands matter on a fresh Debian/Ubuntu machine.
#   make run    installs what is missing, builds, opens the wizard
#   make test   the whole suite, exactly as CI runs it

SHELL := /bin/bash
export LANG := en_US.UTF-8
export PATH := $(PATH):/usr/local/go/bin:$(HOME)/go/bin

# migrated_fynedo: every goroutine already updates widgets through fyne.Do
# (FyneApp.toml [Migrations]); plain `go build` needs the tag spelled out.
TAGS := migrated_fynedo
BIN  := ./tnjwt
# The version: FyneApp.toml's, plus where in git this build comes from.
VERSION      := $(shell sed -n 's/^Version *= *"\(.*\)"/\1/p' FyneApp.toml)
FULL_VERSION := $(VERSION)+$(shell git describe --always --dirty 2>/dev/null || echo unknown)
LDFLAGS      := -X main.version=$(FULL_VERSION)
GO_PKGS := ./...
# Everything with tests. The root package (main.go) has none and is the only
# one that links the OpenGL driver: leaving it out of `go test -race` spares
# a second, race-instrumented cgo build of GLFW and go-gl (vet and build
# compile it once, without -race).
TEST_PKGS := ./assets/... ./core/... ./wizard/... ./ui/... ./internal/...

# The packages whose TestKeyring… tests use the real Secret Service.
KEYRING_PKGS := ./core/secrets/ ./core/profiles/ ./core/rotation/ ./core/cli/ ./ui/
N ?= 20

.PHONY: run build deps test test-repeat render fuzz fmt-check vet cross-vet unit keychain-test node-test conformance browser-test sf-test screenshots smoke bench bench-servers dist dist-check windows-test clean

run: build
	$(BIN)

build: deps
	go build -tags $(TAGS) -ldflags "$(LDFLAGS)" -o $(BIN) .

# Every build tnjwt ships, into dist/ (scripts/dist.sh says which); MinGW-w64
# for the Windows .exe is installed here, not by `make run`.
dist: deps
	@bash scripts/install-deps.sh dist
	bash scripts/dist.sh $(VERSION) $(FULL_VERSION)

# What dist/ holds, checked as an admin and a server would use it.
dist-check: dist
	bash scripts/check-dist.sh $(VERSION)

# Every Windows .exe that `make dist` ships, started under Wine in a
# throw-away prefix: the headless one against the emulator and the Credential
# Manager, the desktop one's window under Xvfb (scripts/windows-test.sh).
windows-test: dist
	@bash scripts/install-deps.sh wine
	bash scripts/windows-test.sh $(VERSION)

deps:
	@bash scripts/install-deps.sh
	@command -v go >/dev/null || { echo "tnjwt: Go 1.26 is needed: https://go.dev/dl/"; exit 1; }
	@go mod download

test: deps fmt-check vet cross-vet unit keychain-test node-test conformance browser-test sf-test render smoke dist-check windows-test
	@echo "make test: all checks passed"

fmt-check:
	@out="$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go'))"; \
	if [ -n "$$out" ]; then echo "gofmt needed on:"; echo "$$out"; exit 1; fi

vet:
	go vet -tags $(TAGS) $(GO_PKGS)

# The keychain code differs per OS (Keychain, Credential Manager, Secret
# Service): make sure the plain-Go packages still build for all three. (ui/
# needs cgo on macOS, so it is checked on Windows only.)
cross-vet:
	GOOS=windows CGO_ENABLED=0 go vet -tags $(TAGS) ./core/... ./wizard/ ./ui/ ./internal/wincheck/
	GOOS=darwin CGO_ENABLED=0 go vet -tags $(TAGS) ./core/... ./wizard/
	CGO_ENABLED=0 go vet -tags headless,$(TAGS) .

# -race needs cgo, which the Fyne build needs anyway.
unit:
	go test -race -count=1 -tags $(TAGS) $(TEST_PKGS)

# The keychain tests talk to a real Secret Service. -exec starts each
# package's test binary under its own scripts/with-keyring.sh: a fresh,
# unlocked gnome-keyring on a private D-Bus session in a temporary HOME, so
# packages running side by side never see each other's items. Same flags and
# tags as `unit`, so the test binaries come from the build cache.
keychain-test:
	go test -race -count=1 -tags $(TAGS) -exec "bash $(CURDIR)/scripts/with-keyring.sh" -run '^TestKeyring' $(KEYRING_PKGS)

# The exported Node.js code, run for real: npm install (a throw-away npm
# cache), node server.js against the emulator, tsc against the SDK's typings.
node-test:
	TNJWT_NODE_TESTS=1 go test -count=1 -tags $(TAGS) -run '^TestNode' ./core/export/

# Every exported server (express, flask, go, java, sinatra), installed and
# started as its README says with its own runtime, against the practice org
# on loopback: one conformance suite for all (core/export/conformance_test.go).
# Debian's Python, Ruby and Java packages are installed here, not by `make run`.
conformance:
	@bash scripts/install-deps.sh conformance
	TNJWT_CONFORMANCE_TESTS=1 go test -count=1 -timeout 30m -parallel 8 -tags $(TAGS) -run '^TestConformance$$' ./core/export/

# Real headless Chromium (Debian's chromium): the frontdoor URL signs in
# through the session cookie it sets, once; the exported Express app, with
# the Tableau Next Embedding SDK from npm, embeds a practice dashboard, and
# each way embedding fails ends in words that name the setting, every
# other exported server's page embeds one with the SDK served as its README
# says; tnjwt preview embeds each practice org's dashboard and refuses
# another Host (playwright-core from npm drives the browser, in a
# throw-away folder).
browser-test:
	TNJWT_BROWSER_TESTS=1 TNJWT_NODE_TESTS=1 TNJWT_CONFORMANCE_TESTS=1 go test -count=1 -timeout 20m -tags $(TAGS) -run '^TestBrowser' ./core/emulator/ ./core/export/ ./core/cli/

# The real Salesforce CLI (@salesforce/cli from npm, the newest that runs on
# Node.js 20, from its own shrinkwrap, into a throw-away folder and npm cache;
# no update check, autoupdate or telemetry): `sf project convert source`
# takes the sfdx export, and one rehearsal deploys it to a practice org with
# no app (`sf org login jwt` as the org's admin, `sf project deploy start`,
# `sf org assign permset`), after which `tnjwt test --profile` passes. -v
# shows how long the install and each step took.
sf-test:
	TNJWT_SF_TESTS=1 go test -count=1 -v -timeout 20m -tags $(TAGS) -run '^TestSF' ./core/cli/

# Every screen rendered with Fyne's software renderer (no display needed):
# `make screenshots` into docs/screenshots; `make test` into a temporary
# folder, so a screen that fails to render fails the suite.
# (and the preview's page in headless Chromium, one picture per outcome)
screenshots:
	TNJWT_SCREENSHOTS=$(CURDIR)/docs/screenshots go test -count=1 -tags $(TAGS) -run '^TestScreenshots$$' ./ui/
	TNJWT_SCREENSHOTS=$(CURDIR)/docs/screenshots TNJWT_BROWSER_TESTS=1 go test -count=1 -tags $(TAGS) -run '^TestBrowserPreview' ./core/cli/

render:
	@dir="$$(mktemp -d)"; trap 'rm -rf "$$dir"' EXIT; \
	TNJWT_SCREENSHOTS="$$dir" go test -count=1 -tags $(TAGS) -run '^TestScreenshots$$' ./ui/ && \
	echo "render: $$(ls "$$dir" | wc -l) screens rendered"

# Every fuzz target for FUZZTIME each (their seed corpora run in `make test`).
FUZZTIME ?= 60s
FUZZ_TARGETS := ./core/certs:FuzzParsePEM ./core/safetext:FuzzClean ./core/salesforce:FuzzParseLoginURL \
	./core/salesforce:FuzzReplies ./core/emulator:FuzzParseAssertion ./core/emulator:FuzzHandler \
	./core/secrets:FuzzIndexItem ./core/profiles:FuzzProfilesFile
fuzz:
	@set -e; for t in $(FUZZ_TARGETS); do pkg=$${t%%:*}; name=$${t##*:}; \
	  echo "fuzz: $$name ($$pkg) for $(FUZZTIME)"; \
	  go test -run '^$$' -fuzz "^$$name$$" -fuzztime $(FUZZTIME) -tags $(TAGS) $$pkg; done

# Flakiness check: the keychain suite N times (default 20), then the whole
# race-enabled unit suite 5 times; stops at the first failure and names it.
test-repeat: deps
	@bash scripts/repeat.sh $(N) "keychain suite" $(MAKE) --no-print-directory keychain-test
	@bash scripts/repeat.sh 5 "whole suite" go test -race -count=1 -tags $(TAGS) $(TEST_PKGS)

smoke: build
	bash scripts/smoke.sh $(BIN)

# Go benchmarks, then whole-process start-up of the desktop and the headless
# build (median of 21 runs each; scripts/startup), then how long the
# wizard's window takes to appear beside a bare Fyne window (Xvfb), then
# `test --all` over 50 profiles beside one, with the keychain's floor
# (internal/benchtestall, on a real Secret Service), then every exported
# server's credentials per second beside a server that signs for every
# request (internal/benchservers).
bench: build
	go test -run '^$$' -bench . -benchmem -tags $(TAGS) $(TEST_PKGS)
	CGO_ENABLED=0 go build -tags headless,$(TAGS) -ldflags "-s -w $(LDFLAGS)" -o tnjwt-headless .
	go run ./scripts/startup -desktop $(BIN) -headless ./tnjwt-headless -n 21
	bash scripts/startup-window.sh $(BIN) 11
	bash scripts/with-keyring.sh go run ./internal/benchtestall -tnjwt ./tnjwt-headless -profiles 50 -parallel 8 -n 7
	$(MAKE) --no-print-directory bench-servers

# Credentials per second at 1 and 16 clients, p50/p99, token requests per
# 1,000 credentials: each exported server against the practice org.
bench-servers:
	@bash scripts/install-deps.sh conformance
	go run -tags $(TAGS) ./internal/benchservers

clean:
	rm -rf $(BIN) tnjwt-headless dist
