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
GO_PKGS := ./...

.PHONY: run build deps test fmt-check vet cross-vet unit keychain-test smoke bench clean

run: build
	$(BIN)

build: deps
	go build -tags $(TAGS) -o $(BIN) .

deps:
	@bash scripts/install-deps.sh
	@command -v go >/dev/null || { echo "tnjwt: Go 1.26 is needed: https://go.dev/dl/"; exit 1; }
	@go mod download

test: deps fmt-check vet cross-vet unit keychain-test smoke
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
	GOOS=windows CGO_ENABLED=0 go vet -tags $(TAGS) ./core/... ./wizard/ ./ui/
	GOOS=darwin CGO_ENABLED=0 go vet -tags $(TAGS) ./core/... ./wizard/

# -race needs cgo, which the Fyne build needs anyway.
unit:
	go test -race -count=1 -tags $(TAGS) $(GO_PKGS)

# The keychain tests talk to a real Secret Service: a fresh, unlocked
# gnome-keyring on a private D-Bus session, in a temporary HOME.
keychain-test:
	bash scripts/with-keyring.sh go test -race -count=1 -tags $(TAGS),keyring_integration ./core/secrets/... ./core/profiles/... ./core/cli/... ./ui/...

smoke: build
	bash scripts/smoke.sh $(BIN)

bench:
	go test -run '^$$' -bench . -benchmem -tags $(TAGS) $(GO_PKGS)

clean:
	rm -f $(BIN)
